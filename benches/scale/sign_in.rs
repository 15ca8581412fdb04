//! Signing a sample of people in over HTTP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use crate::data::Shape;
use crate::PASSWORD;

/// A signed-in person: the session cookie's token, the CSRF token and their conversations.
pub struct Account {
    pub id: i64,
    pub clinician: bool,
    pub token: String,
    pub csrf: String,
    pub conversations: Vec<i64>,
}

/// Signs in `count` people over HTTP: every fourth a clinician (distinct ones), the rest
/// patients spread over the whole range.
pub async fn sign_in_sample(
    addr: SocketAddr,
    shape: &Shape,
    count: usize,
) -> anyhow::Result<Vec<Account>> {
    let started = Instant::now();
    let clinicians = (count / 4).min(shape.clinicians as usize).max(1);
    let patients = count - clinicians;
    let mut wanted = Vec::with_capacity(count);
    let (mut next_patient, mut next_clinician) = (0usize, 0usize);
    for slot in 0..count {
        let clinician_turn = slot % 4 == 3 && next_clinician < clinicians;
        if clinician_turn || next_patient >= patients {
            let c = (next_clinician as i64 * shape.clinicians) / clinicians as i64;
            next_clinician += 1;
            wanted.push((
                format!("clinician{c}"),
                shape.clinician_id(c),
                true,
                shape.conversations_of_clinician(c),
            ));
        } else {
            let k = (next_patient as i64 * shape.patients) / patients as i64;
            next_patient += 1;
            wanted.push((
                format!("patient{k}"),
                shape.patient_id(k),
                false,
                vec![k + 1],
            ));
        }
    }
    eprintln!("== signing in {count} people over HTTP");
    let client = reqwest::Client::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::with_capacity(count);
    for (username, id, clinician, conversations) in wanted {
        let client = client.clone();
        let permits = permits.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await?;
            let (token, csrf) = crate::common::sign_in(&client, addr, &username, PASSWORD).await?;
            anyhow::Ok(Account {
                id,
                clinician,
                token,
                csrf,
                conversations,
            })
        }));
    }
    let mut accounts = Vec::with_capacity(count);
    for task in tasks {
        accounts.push(task.await??);
    }
    eprintln!(
        "== signed in {count} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(accounts)
}
