//! `GET /api/me/export?format=fhir`: my questionnaires and mood check-ins as a FHIR R4
//! `Bundle`. Its structure is checked here; with `FHIR_VALIDATOR` set to a command that
//! validates a bundle file (`.ci/validate-fhir`, with the `fhir.resources` package), the
//! exported bundle must pass it and a broken copy must fail it.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{json, Value};

use crate::common::*;

const PHQ9: &str = "http://loinc.org/q/44249-1";
const GAD7: &str = "http://loinc.org/q/69737-5";

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["resource"])
        .filter(|resource| resource["resourceType"] == kind)
        .collect()
}

fn response<'a>(bundle: &'a Value, questionnaire: &str) -> &'a Value {
    resources(bundle, "QuestionnaireResponse")
        .into_iter()
        .find(|r| r["questionnaire"] == questionnaire)
        .unwrap_or_else(|| panic!("no response to {questionnaire}"))
}

fn total<'a>(bundle: &'a Value, loinc: &str) -> &'a Value {
    resources(bundle, "Observation")
        .into_iter()
        .find(|o| o["code"]["coding"][0]["code"] == loinc)
        .unwrap_or_else(|| panic!("no observation {loinc}"))
}

fn answer(response: &Value, link_id: &str) -> Value {
    let item = response["item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["linkId"] == link_id)
        .unwrap_or_else(|| panic!("no item {link_id}"));
    assert!(item["text"].as_str().is_some_and(|t| !t.is_empty()));
    item["answer"][0].clone()
}

/// Every reference names the `fullUrl` of an entry of the bundle.
fn references_resolve(bundle: &Value) {
    let urls: HashSet<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), bundle["entry"].as_array().unwrap().len());
    assert!(urls.iter().all(|url| url.starts_with("urn:uuid:")));
    fn walk<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("reference") {
                    found.push(reference);
                }
                map.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(bundle, &mut found);
    assert!(found.len() >= 8, "{found:?}");
    for reference in found {
        assert!(urls.contains(reference), "{reference} is not in the bundle");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fhir_export_is_an_r4_bundle_of_my_responses_totals_and_check_ins() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let world = World::new(&server, &db).await;
    let me = &world.patient_a;
    let phq9 = json!({ "1": 2, "2": 2, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 0,
        "difficulty": 1 });
    me.post("/api/measures/phq9/responses", json!({ "answers": phq9 }))
        .await
        .expect(201);
    let gad7 = json!({ "1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1 });
    me.post("/api/measures/gad7/responses", json!({ "answers": gad7 }))
        .await
        .expect(201);
    let cssrs = json!({ "1": false, "2": false, "6": false });
    me.post("/api/measures/cssrs/responses", json!({ "answers": cssrs }))
        .await
        .expect(201);
    me.post(
        "/api/mood",
        json!({ "score": 6, "sleep_hours": 7.5, "note": "slept well" }),
    )
    .await
    .expect(201);
    // Someone else's answers and check-ins never appear.
    let other = &world.patient_b;
    let theirs = json!({ "1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3, "8": 3, "9": 0 });
    other
        .post("/api/measures/phq9/responses", json!({ "answers": theirs }))
        .await
        .expect(201);
    other
        .post("/api/mood", json!({ "score": 2, "note": "not yours" }))
        .await
        .expect(201);

    let reply = me.get("/api/me/export?format=fhir").await.expect(200);
    assert!(reply
        .header("content-type")
        .starts_with("application/fhir+json"));
    assert!(reply.header("content-disposition").contains("attachment"));
    let bundle = &reply.body;
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert!(bundle["timestamp"].is_string());

    let patients = resources(bundle, "Patient");
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["identifier"][0]["value"], "patient.a");
    assert_eq!(patients[0]["name"][0]["text"], "patient.a (test)");
    assert_eq!(resources(bundle, "QuestionnaireResponse").len(), 3);
    // Two totals (PHQ-9, GAD-7; the C-SSRS has none) and one check-in.
    assert_eq!(resources(bundle, "Observation").len(), 3);
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 7);

    let phq9 = response(bundle, PHQ9);
    assert_eq!(phq9["status"], "completed");
    assert!(phq9["authored"].as_str().unwrap().ends_with('Z'));
    assert_eq!(answer(phq9, "1"), json!({ "valueInteger": 2 }));
    assert_eq!(answer(phq9, "9"), json!({ "valueInteger": 0 }));
    assert_eq!(answer(phq9, "difficulty"), json!({ "valueInteger": 1 }));
    assert_eq!(phq9["item"].as_array().unwrap().len(), 10);
    let gad7 = response(bundle, GAD7);
    assert_eq!(gad7["item"].as_array().unwrap().len(), 7);
    let cssrs = resources(bundle, "QuestionnaireResponse")
        .into_iter()
        .find(|r| r["questionnaire"].as_str().unwrap().contains("cssrs"))
        .expect("the C-SSRS response");
    assert_eq!(answer(cssrs, "2"), json!({ "valueBoolean": false }));
    assert_eq!(
        cssrs["item"].as_array().unwrap().len(),
        3,
        "items not asked are absent"
    );

    let phq9_total = total(bundle, "44261-6");
    assert_eq!(
        phq9_total["code"]["coding"][0]["system"],
        "http://loinc.org"
    );
    assert_eq!(phq9_total["valueInteger"], 10);
    assert_eq!(phq9_total["status"], "final");
    assert_eq!(phq9_total["category"][0]["coding"][0]["code"], "survey");
    assert_eq!(
        phq9_total["interpretation"][0]["coding"][0]["code"],
        "moderate"
    );
    assert!(phq9_total["note"][0]["text"]
        .as_str()
        .unwrap()
        .contains("moderate depression"));
    let gad7_total = total(bundle, "70274-6");
    assert_eq!(gad7_total["valueInteger"], 7);
    assert_eq!(gad7_total["interpretation"][0]["coding"][0]["code"], "mild");
    let url_of = |resource: &Value| {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| &e["resource"] == resource)
            .map(|e| e["fullUrl"].clone())
            .unwrap()
    };
    assert_eq!(phq9_total["derivedFrom"][0]["reference"], url_of(phq9));
    assert_eq!(gad7_total["derivedFrom"][0]["reference"], url_of(gad7));
    assert_eq!(phq9_total["subject"]["reference"], url_of(patients[0]));

    let mood = total(bundle, "mood-score");
    assert_eq!(mood["valueInteger"], 6);
    assert_eq!(mood["component"][0]["valueQuantity"]["value"], 7.5);
    assert_eq!(mood["component"][0]["valueQuantity"]["code"], "h");
    assert_eq!(mood["note"][0]["text"], "slept well");
    assert!(mood["effectiveDateTime"].is_string());

    references_resolve(bundle);
    let text = bundle.to_string();
    assert!(!text.contains("patient.b") && !text.contains("not yours"));
    assert!(
        !text.contains(":null") && !text.contains(":[]"),
        "FHIR has no nulls"
    );
    assert!(!text.contains("argon2") && !text.contains(PASSWORD));

    if let Some(validator) = std::env::var_os("FHIR_VALIDATOR") {
        validate(Path::new(&validator), bundle);
    }
}

/// The bundle passes the validator, and a copy with an Observation missing its required
/// `status` and a `Patient` with an element R4 lacks fails it.
fn validate(validator: &Path, bundle: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, bundle: &Value| {
        let file = dir.path().join(name);
        std::fs::write(&file, serde_json::to_vec_pretty(bundle).unwrap()).unwrap();
        if let Ok(out) = std::env::var("FHIR_BUNDLE_OUT") {
            if name == "bundle.json" {
                std::fs::copy(&file, out).unwrap();
            }
        }
        std::process::Command::new(validator)
            .arg(&file)
            .output()
            .expect("the validator runs")
    };
    let valid = run("bundle.json", bundle);
    assert!(
        valid.status.success(),
        "{}{}",
        String::from_utf8_lossy(&valid.stdout),
        String::from_utf8_lossy(&valid.stderr)
    );
    let mut broken = bundle.clone();
    for entry in broken["entry"].as_array_mut().unwrap() {
        let resource = entry["resource"].as_object_mut().unwrap();
        match resource["resourceType"].as_str().unwrap() {
            "Observation" => {
                resource.remove("status");
            }
            "Patient" => {
                resource.insert("password".into(), json!("x"));
            }
            _ => {}
        }
    }
    let invalid = run("broken.json", &broken);
    assert!(!invalid.status.success(), "a broken bundle passed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_export_format_is_refused_naming_format() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let me = patient(&server, "format.patient").await;
    let reply = me.get("/api/me/export?format=xml").await.expect(422);
    assert_eq!(reply.field(), "format");
    let json = me.get("/api/me/export?format=json").await.expect(200);
    assert_eq!(json.body["profile"]["username"], "format.patient");
    assert!(json.header("content-type").starts_with("application/json"));
    let empty = me.get("/api/me/export?format=fhir").await.expect(200);
    assert_eq!(resources(&empty.body, "Patient").len(), 1);
    assert_eq!(empty.body["entry"].as_array().unwrap().len(), 1);

    // The document says which body comes with which content type.
    let document = me.get("/api/openapi.json").await.expect(200).body;
    let operation = &document["paths"]["/api/me/export"]["get"];
    let content = &operation["responses"]["200"]["content"];
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/Export"
    );
    assert_eq!(
        content["application/fhir+json"]["schema"]["$ref"],
        "#/components/schemas/FhirBundle"
    );
    assert!(document["components"]["schemas"]["FhirObservation"].is_object());
    let format = &operation["parameters"][0];
    assert_eq!(format["name"], "format");
    assert_eq!(format["schema"]["enum"], json!(["json", "fhir"]));
}
