//! Home: the crisis resources it shows, from configuration or the default.

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn crisis_resources_come_from_configuration_or_the_default() {
    let db = TestDb::new().await;
    let server = App::start(&db, &[]).await;
    let patient = patient(&server, "help.hal").await;
    let home = patient.get("/api/home/data").await.expect(200);
    let text = home.body["crisis_resources"].to_string();
    for number in ["999", "111", "116 123", "local emergency number"] {
        assert!(text.contains(number), "{number} in {text}");
    }
    let custom = r#"{"message":"Call 112 in an emergency.","resources":[{"name":"Emergency (EU)","contact":"112","description":"Any EU country"}]}"#;
    let file = db.dir().join("crisis.json");
    std::fs::write(&file, custom).unwrap();
    let other = App::start(&db, &[("CRISIS_RESOURCES", file.to_str().unwrap())]).await;
    let home = patient.on(&other).get("/api/home/data").await.expect(200);
    assert_eq!(
        home.body["crisis_resources"]["resources"][0]["contact"],
        "112"
    );
    let bad = run_binary(
        &["serve", "--dev"],
        &[
            ("DATABASE_URL", &db.url),
            ("CRISIS_RESOURCES", "{not json"),
            ("PORT", "0"),
        ],
        db.dir(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CRISIS_RESOURCES"));
}
