//! The people the tests need, made through the API as a person would (and the
//! administrator with the real `admin create` command, the only way to make one).

use std::process::{Command, Stdio};

use serde_json::json;

use super::{Client, Running, TestDb, BINARY, PASSWORD};

/// A new client signed in as a new patient.
pub async fn patient(server: &impl Running, username: &str) -> Client {
    let client = Client::new(server);
    client.register(username, json!({})).await.expect(201);
    client
}

/// Creates an administrator with the real `admin create` command and signs them in.
pub async fn admin(server: &impl Running, db: &TestDb, username: &str) -> Client {
    create_admin(db, username);
    let client = Client::new(server);
    client.login(username, PASSWORD).await.expect(200);
    client
}

/// Creates an administrator with the real `admin create` command.
pub fn create_admin(db: &TestDb, username: &str) {
    use std::io::Write;
    let mut child = Command::new(BINARY)
        .args(["admin", "create", "--username", username])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .current_dir(db.dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "admin create");
}

/// A clinician an administrator has approved.
pub async fn approved_clinician(server: &impl Running, admin: &Client, username: &str) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "role": "clinician" }))
        .await
        .expect(201);
    admin
        .post(&format!("/api/admin/users/{username}/approve"), json!({}))
        .await
        .expect(200);
    client
}

/// A patient whom `clinician` has taken into their care team.
pub async fn patient_of(
    server: &impl Running,
    clinician: &Client,
    username: &str,
    clinician_name: &str,
) -> Client {
    let client = Client::new(server);
    client
        .register(username, json!({ "clinician": clinician_name }))
        .await
        .expect(201);
    let requests = clinician.get("/api/clinician/requests").await.expect(200);
    let id = requests.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["patient"]["username"] == username)
        .expect("the request reached the clinician")["id"]
        .as_i64()
        .unwrap();
    clinician
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect(200);
    client
}

/// A second clinician, approved, with patient A in their care team too.
pub async fn second_clinician_of_a(server: &impl Running, world: &World, username: &str) -> Client {
    let clinician = approved_clinician(server, &world.admin, username).await;
    world
        .patient_a
        .post("/api/care-team/requests", json!({ "clinician": username }))
        .await
        .expect(201);
    let requests = clinician.get("/api/clinician/requests").await.expect(200);
    let id = requests.body["requests"][0]["id"].as_i64().unwrap();
    clinician
        .post(&format!("/api/clinician/requests/{id}/approve"), json!({}))
        .await
        .expect(200);
    clinician
}

/// Everyone the feature tests need: an administrator, a clinician with patient A in
/// their care team, a clinician without, a clinician awaiting approval, and patient B.
pub struct World {
    pub admin: Client,
    pub dr_in: Client,
    pub dr_out: Client,
    pub dr_pending: Client,
    pub patient_a: Client,
    pub patient_b: Client,
}

impl World {
    pub async fn new(server: &impl Running, db: &TestDb) -> World {
        let admin = admin(server, db, "admin").await;
        let dr_in = approved_clinician(server, &admin, "dr.in").await;
        let dr_out = approved_clinician(server, &admin, "dr.out").await;
        let dr_pending = Client::new(server);
        dr_pending
            .register("dr.pending", json!({ "role": "clinician" }))
            .await
            .expect(201);
        let patient_a = patient_of(server, &dr_in, "patient.a", "dr.in").await;
        let patient_b = patient(server, "patient.b").await;
        World {
            admin,
            dr_in,
            dr_out,
            dr_pending,
            patient_a,
            patient_b,
        }
    }
}
