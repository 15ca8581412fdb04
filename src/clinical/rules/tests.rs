//! Each rule at its edges, alone and together.

use serde_json::{json, Value};

use super::*;
use crate::clinical::scoring::score;

fn scored(instrument: InstrumentId, answers: Value) -> Scored {
    score(instrument, answers.as_object().unwrap()).unwrap()
}

fn phq9(total: i64, item9: i64) -> Scored {
    let mut left = total - item9;
    let mut map = serde_json::Map::new();
    for item in 1..=8 {
        let points = left.min(3);
        left -= points;
        map.insert(item.to_string(), json!(points));
    }
    map.insert("9".into(), json!(item9));
    scored(InstrumentId::Phq9, Value::Object(map))
}

fn gad7(total: i64) -> Scored {
    let mut left = total;
    let map: serde_json::Map<String, Value> = (1..=7)
        .map(|item| {
            let points = left.min(3);
            left -= points;
            (item.to_string(), json!(points))
        })
        .collect();
    scored(InstrumentId::Gad7, Value::Object(map))
}

#[test]
fn rule_ids_round_trip_and_severities_match_the_table() {
    for rule in Rule::ALL {
        assert_eq!(Rule::parse(rule.id()), Some(rule));
        assert_eq!(rule.version(), 1);
    }
    let urgent: Vec<Rule> = Rule::ALL
        .into_iter()
        .filter(|r| r.severity() == AlertSeverity::Urgent)
        .collect();
    assert_eq!(urgent, [Rule::CssrsHigh, Rule::Phq9Item9]);
}

#[test]
fn phq9_item9_is_urgent_at_any_total() {
    assert_eq!(for_response(&phq9(1, 1), None), [Rule::Phq9Item9]);
    assert_eq!(for_response(&phq9(0, 0), None), []);
    assert_eq!(for_response(&phq9(24, 0), None), [Rule::Phq9Score]);
    assert_eq!(
        for_response(&phq9(27, 3), None),
        [Rule::Phq9Item9, Rule::Phq9Score]
    );
}

#[test]
fn phq9_review_at_20_or_a_rise_of_6() {
    assert_eq!(for_response(&phq9(19, 0), None), []);
    assert_eq!(for_response(&phq9(20, 0), None), [Rule::Phq9Score]);
    assert_eq!(for_response(&phq9(11, 0), Some(5)), [Rule::Phq9Score]);
    assert_eq!(for_response(&phq9(10, 0), Some(5)), []);
    assert_eq!(
        for_response(&phq9(5, 0), Some(11)),
        [],
        "a fall is no alert"
    );
    assert_eq!(for_response(&phq9(6, 0), Some(0)), [Rule::Phq9Score]);
}

#[test]
fn gad7_review_at_15_or_a_rise_of_4() {
    assert_eq!(for_response(&gad7(14), None), []);
    assert_eq!(for_response(&gad7(15), None), [Rule::Gad7Score]);
    assert_eq!(for_response(&gad7(21), Some(21)), [Rule::Gad7Score]);
    assert_eq!(for_response(&gad7(7), Some(3)), [Rule::Gad7Score]);
    assert_eq!(for_response(&gad7(6), Some(3)), []);
    assert_eq!(for_response(&gad7(0), Some(14)), []);
}

#[test]
fn cssrs_high_is_urgent_moderate_is_review_low_and_none_raise_nothing() {
    let rules = |answers: Value| for_response(&scored(InstrumentId::Cssrs, answers), None);
    assert_eq!(rules(json!({ "1": false, "2": false, "6": false })), []);
    assert_eq!(rules(json!({ "1": true, "2": false, "6": false })), []);
    assert_eq!(
        rules(json!({ "1": true, "2": true, "3": true, "4": false, "5": false, "6": false })),
        [Rule::CssrsModerate]
    );
    assert_eq!(
        rules(json!({ "1": false, "2": false, "6": true, "6b": false })),
        [Rule::CssrsModerate]
    );
    assert_eq!(
        rules(json!({ "1": true, "2": true, "3": false, "4": true, "5": false, "6": false })),
        [Rule::CssrsHigh]
    );
    assert_eq!(
        rules(json!({ "1": false, "2": false, "6": true, "6b": true })),
        [Rule::CssrsHigh]
    );
}

#[test]
fn low_mood_on_three_days_that_have_check_ins() {
    assert_eq!(for_mood(2, &[2, 2, 2]), Some(Rule::MoodLow));
    assert_eq!(for_mood(1, &[1, 1, 2, 9]), Some(Rule::MoodLow));
    assert_eq!(for_mood(2, &[2, 2]), None, "only two days with check-ins");
    assert_eq!(
        for_mood(2, &[2, 3, 2]),
        None,
        "a day above 2 breaks the run"
    );
    assert_eq!(for_mood(3, &[2, 2, 2]), None, "this check-in is not low");
    assert_eq!(for_mood(2, &[2, 2, 3]), None);
    assert_eq!(for_mood(2, &[]), None);
}

#[test]
fn reliable_change_thresholds() {
    use InstrumentId::*;
    assert_eq!(reliable_change(Phq9, 6), Some(ReliableChange::Deteriorated));
    assert_eq!(reliable_change(Phq9, 5), None);
    assert_eq!(reliable_change(Phq9, -5), None);
    assert_eq!(reliable_change(Phq9, -6), Some(ReliableChange::Improved));
    assert_eq!(reliable_change(Gad7, 4), Some(ReliableChange::Deteriorated));
    assert_eq!(reliable_change(Gad7, 3), None);
    assert_eq!(reliable_change(Gad7, -3), None);
    assert_eq!(reliable_change(Gad7, -4), Some(ReliableChange::Improved));
    assert_eq!(reliable_change(Cssrs, 10), None);
    assert_eq!(reliable_change(Phq9, 0), None);
}
