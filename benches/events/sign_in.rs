//! Signing the patients and clinicians in over HTTP, as the other benches do.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::data::Shape;
use crate::PASSWORD;

/// A signed-in person: the session cookie's token and the CSRF token.
pub struct Account {
    pub token: String,
    pub csrf: String,
}

/// The patients `0..patients`, each in conversation `k + 1` with clinician `k % C`, and
/// every clinician.
pub struct People {
    pub patients: Vec<Account>,
    pub clinicians: Vec<Account>,
    /// Clinicians in the data set: patient `k`'s clinician is `k % clinician_count`.
    pub clinician_count: usize,
}

pub async fn sign_in(addr: SocketAddr, shape: &Shape, patients: usize) -> anyhow::Result<People> {
    anyhow::ensure!(
        patients as i64 <= shape.patients,
        "only {} patients generated",
        shape.patients
    );
    let started = Instant::now();
    let clinicians = shape.clinicians as usize;
    eprintln!("== signing in {patients} patients and {clinicians} clinicians over HTTP");
    let names = (0..patients)
        .map(|k| format!("patient{k}"))
        .chain((0..clinicians).map(|c| format!("clinician{c}")));
    let client = reqwest::Client::new();
    // Password checks are deliberately slow: a few at once keep both cores busy.
    let permits = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for username in names {
        let (client, permits) = (client.clone(), permits.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await?;
            let (token, csrf) = crate::common::sign_in(&client, addr, &username, PASSWORD).await?;
            anyhow::Ok(Account { token, csrf })
        }));
    }
    let mut accounts = Vec::with_capacity(tasks.len());
    for task in tasks {
        accounts.push(task.await??);
    }
    let clinician_accounts = accounts.split_off(patients);
    eprintln!(
        "== signed in {} in {:.1} s",
        patients + clinicians,
        started.elapsed().as_secs_f64()
    );
    Ok(People {
        patients: accounts,
        clinicians: clinician_accounts,
        clinician_count: clinicians,
    })
}
