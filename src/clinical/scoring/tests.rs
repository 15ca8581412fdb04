//! Every band edge, every skip rule and every kind of bad answer.

use serde_json::{json, Map, Value};

use super::*;

fn answers(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// PHQ-9 answers adding up to `total`, with item 9 as given (items fill from 1 upwards).
fn phq9_with(total: i64, item9: i64) -> Map<String, Value> {
    let mut left = total - item9;
    let mut map = Map::new();
    for item in 1..=8 {
        let points = left.min(3);
        left -= points;
        map.insert(item.to_string(), json!(points));
    }
    assert_eq!(left, 0, "{total} does not fit");
    map.insert("9".into(), json!(item9));
    map
}

fn gad7_with(total: i64) -> Map<String, Value> {
    let mut left = total;
    let mut map = Map::new();
    for item in 1..=7 {
        let points = left.min(3);
        left -= points;
        map.insert(item.to_string(), json!(points));
    }
    map
}

#[test]
fn phq9_bands_at_every_edge() {
    let cases = [
        (0, Severity::Minimal),
        (4, Severity::Minimal),
        (5, Severity::Mild),
        (9, Severity::Mild),
        (10, Severity::Moderate),
        (14, Severity::Moderate),
        (15, Severity::ModeratelySevere),
        (19, Severity::ModeratelySevere),
        (20, Severity::Severe),
        (27, Severity::Severe),
    ];
    for (total, band) in cases {
        let scored = score(InstrumentId::Phq9, &phq9_with(total, (total - 24).max(0))).unwrap();
        assert_eq!(scored.total, Some(total));
        assert_eq!(scored.severity, Some(band), "total {total}");
        assert_eq!(scored.risk, None);
    }
}

#[test]
fn phq9_item9_is_flagged_whatever_the_total() {
    for item9 in 1..=3 {
        let scored = score(InstrumentId::Phq9, &phq9_with(item9, item9)).unwrap();
        assert_eq!(scored.total, Some(item9));
        assert_eq!(scored.severity, Some(Severity::Minimal));
        assert_eq!(scored.flags, vec![Flag::Item9Positive]);
    }
    let none = score(InstrumentId::Phq9, &phq9_with(24, 0)).unwrap();
    assert!(none.flags.is_empty());
}

#[test]
fn phq9_difficulty_is_optional_and_not_counted() {
    let mut given = phq9_with(6, 0);
    let without = score(InstrumentId::Phq9, &given).unwrap();
    given.insert("difficulty".into(), json!(3));
    let with = score(InstrumentId::Phq9, &given).unwrap();
    assert_eq!(without.total, Some(6));
    assert_eq!(with.total, Some(6));
    assert_eq!(with.answers["difficulty"], Answer::Points(3));
    assert!(!without.answers.contains_key("difficulty"));
    given.insert("difficulty".into(), json!(4));
    assert_eq!(
        score(InstrumentId::Phq9, &given).unwrap_err().field,
        "answers.difficulty"
    );
}

#[test]
fn gad7_bands_at_every_edge() {
    let cases = [
        (0, Severity::Minimal),
        (4, Severity::Minimal),
        (5, Severity::Mild),
        (9, Severity::Mild),
        (10, Severity::Moderate),
        (14, Severity::Moderate),
        (15, Severity::Severe),
        (21, Severity::Severe),
    ];
    for (total, band) in cases {
        let scored = score(InstrumentId::Gad7, &gad7_with(total)).unwrap();
        assert_eq!(scored.total, Some(total));
        assert_eq!(scored.severity, Some(band), "total {total}");
        assert!(scored.flags.is_empty());
    }
}

#[test]
fn a_missing_answer_is_refused_never_counted_as_zero() {
    for item in 1..=9 {
        let mut given = phq9_with(0, 0);
        given.remove(&item.to_string());
        let error = score(InstrumentId::Phq9, &given).unwrap_err();
        assert_eq!(error.field, format!("answers.{item}"));
        assert!(error.message.contains("missing"), "{}", error.message);
        let mut nulled = phq9_with(0, 0);
        nulled.insert(item.to_string(), Value::Null);
        assert_eq!(
            score(InstrumentId::Phq9, &nulled).unwrap_err().field,
            format!("answers.{item}")
        );
    }
    let mut given = gad7_with(3);
    given.remove("7");
    assert_eq!(
        score(InstrumentId::Gad7, &given).unwrap_err().field,
        "answers.7"
    );
    assert_eq!(
        score(InstrumentId::Gad7, &Map::new()).unwrap_err().field,
        "answers.1"
    );
}

#[test]
fn out_of_range_and_wrongly_typed_answers_name_the_item() {
    for bad in [
        json!(-1),
        json!(4),
        json!(1.5),
        json!(1.0),
        json!("2"),
        json!(true),
        json!([1]),
        json!({}),
    ] {
        let mut given = gad7_with(0);
        given.insert("3".into(), bad.clone());
        let error = score(InstrumentId::Gad7, &given).unwrap_err();
        assert_eq!(error.field, "answers.3", "{bad}");
    }
    for bad in [json!(0), json!(1), json!("yes"), json!("true")] {
        let given = answers(json!({ "1": bad, "2": false, "6": false }));
        assert_eq!(
            score(InstrumentId::Cssrs, &given).unwrap_err().field,
            "answers.1"
        );
    }
}

#[test]
fn extra_items_are_refused() {
    let mut given = gad7_with(0);
    given.insert("8".into(), json!(0));
    assert_eq!(
        score(InstrumentId::Gad7, &given).unwrap_err().field,
        "answers.8"
    );
    let mut given = phq9_with(0, 0);
    given.insert("10".into(), json!(0));
    assert_eq!(
        score(InstrumentId::Phq9, &given).unwrap_err().field,
        "answers.10"
    );
    let given = answers(json!({ "1": false, "2": false, "6": false, "7": false }));
    assert_eq!(
        score(InstrumentId::Cssrs, &given).unwrap_err().field,
        "answers.7"
    );
}

fn cssrs(value: Value) -> Result<Scored, AnswerError> {
    score(InstrumentId::Cssrs, &answers(value))
}

#[test]
fn cssrs_risk_levels() {
    let none = cssrs(json!({ "1": false, "2": false, "6": false })).unwrap();
    assert_eq!(
        (none.risk, none.total, none.severity),
        (Some(Risk::None), None, None)
    );
    let cases = [
        (json!({ "1": true, "2": false, "6": false }), Risk::Low),
        (
            json!({ "1": false, "2": true, "3": false, "4": false, "5": false, "6": false }),
            Risk::Low,
        ),
        (
            json!({ "1": true, "2": true, "3": false, "4": false, "5": false, "6": false }),
            Risk::Low,
        ),
        (
            json!({ "1": true, "2": true, "3": true, "4": false, "5": false, "6": false }),
            Risk::Moderate,
        ),
        (
            json!({ "1": false, "2": false, "6": true, "6b": false }),
            Risk::Moderate,
        ),
        (
            json!({ "1": true, "2": true, "3": false, "4": true, "5": false, "6": false }),
            Risk::High,
        ),
        (
            json!({ "1": true, "2": true, "3": false, "4": false, "5": true, "6": false }),
            Risk::High,
        ),
        (
            json!({ "1": false, "2": false, "6": true, "6b": true }),
            Risk::High,
        ),
        (
            json!({ "1": true, "2": true, "3": true, "4": false, "5": false, "6": true, "6b": true }),
            Risk::High,
        ),
    ];
    for (given, risk) in cases {
        assert_eq!(cssrs(given.clone()).unwrap().risk, Some(risk), "{given}");
    }
}

#[test]
fn cssrs_skip_logic() {
    // Thoughts of killing yourself (2) yes: method, intent and plan are required.
    for missing in ["3", "4", "5"] {
        let mut given = answers(
            json!({ "1": true, "2": true, "3": false, "4": false, "5": false, "6": false }),
        );
        given.remove(missing);
        let error = score(InstrumentId::Cssrs, &given).unwrap_err();
        assert_eq!(error.field, format!("answers.{missing}"));
        assert!(error.message.contains("required"), "{}", error.message);
    }
    // 2 no: they must be absent, even when answered no.
    for present in ["3", "4", "5"] {
        let mut given = answers(json!({ "1": true, "2": false, "6": false }));
        given.insert(present.into(), json!(false));
        let error = score(InstrumentId::Cssrs, &given).unwrap_err();
        assert_eq!(error.field, format!("answers.{present}"));
    }
    // Behaviour (6) yes: 6b is required; 6 no: 6b is absent.
    assert_eq!(
        cssrs(json!({ "1": false, "2": false, "6": true }))
            .unwrap_err()
            .field,
        "answers.6b"
    );
    assert_eq!(
        cssrs(json!({ "1": false, "2": false, "6": false, "6b": false }))
            .unwrap_err()
            .field,
        "answers.6b"
    );
    for required in ["1", "2", "6"] {
        let mut given = answers(json!({ "1": false, "2": false, "6": false }));
        given.remove(required);
        assert_eq!(
            score(InstrumentId::Cssrs, &given).unwrap_err().field,
            format!("answers.{required}")
        );
    }
}

#[test]
fn answers_are_kept_as_given() {
    let given = answers(
        json!({ "1": true, "2": true, "3": true, "4": false, "5": false, "6": true, "6b": false }),
    );
    let scored = cssrs(
        json!({ "1": true, "2": true, "3": true, "4": false, "5": false, "6": true, "6b": false }),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&scored.answers).unwrap(),
        Value::Object(given)
    );
}
