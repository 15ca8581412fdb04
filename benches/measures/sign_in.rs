//! Signing clinicians and patients in over HTTP (the sign-in itself is `common::sign_in`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::data::{Shape, TEAM};
use crate::PASSWORD;

/// A signed-in person: the session cookie's token and the CSRF token. A clinician also
/// has the usernames of the care-team patients whose measures page the load reads: the
/// first half of the team, while patients from the second half answer questionnaires.
pub struct Account {
    pub id: i64,
    pub token: String,
    pub csrf: String,
    pub patients: Vec<String>,
}

pub struct Signed {
    pub clinicians: Vec<Account>,
    pub patients: Vec<Account>,
}

/// Up to `clinicians` clinicians and `patients` patients, spread over the whole range.
pub async fn sign_in_sample(
    addr: SocketAddr,
    shape: &Shape,
    clinicians: usize,
    patients: usize,
) -> anyhow::Result<Signed> {
    let started = Instant::now();
    let clinicians = clinicians.min(shape.clinicians as usize).max(1);
    // Patients who answer: the second half of each care team.
    let answering: Vec<i64> = (0..shape.patients)
        .filter(|k| k % TEAM >= TEAM / 2)
        .collect();
    let patients = patients.min(answering.len()).max(1);
    let mut wanted = Vec::new();
    for n in 0..clinicians {
        let c = n as i64 * shape.clinicians / clinicians as i64;
        let read: Vec<String> = (c * TEAM..((c + 1) * TEAM).min(shape.patients))
            .filter(|k| k % TEAM < TEAM / 2)
            .map(|k| format!("patient{k}"))
            .collect();
        wanted.push((format!("clinician{c}"), shape.clinician_id(c), read));
    }
    for n in 0..patients {
        let k = answering[n * answering.len() / patients];
        wanted.push((format!("patient{k}"), shape.patient_id(k), Vec::new()));
    }
    eprintln!("   signing in {clinicians} clinicians and {patients} patients over HTTP");
    let client = reqwest::Client::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::with_capacity(wanted.len());
    for (username, id, read) in wanted {
        let (client, permits) = (client.clone(), permits.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await?;
            let (token, csrf) = crate::common::sign_in(&client, addr, &username, PASSWORD).await?;
            anyhow::Ok(Account {
                id,

                token,
                csrf,
                patients: read,
            })
        }));
    }
    let mut signed = Signed {
        clinicians: Vec::new(),
        patients: Vec::new(),
    };
    for task in tasks {
        let account = task.await??;
        if account.patients.is_empty() {
            signed.patients.push(account);
        } else {
            signed.clinicians.push(account);
        }
    }
    eprintln!(
        "   signed in {} in {:.1} s",
        signed.clinicians.len() + signed.patients.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(signed)
}
