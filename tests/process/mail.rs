//! Mail as the operator sees it in the log: in development it is written to
//! `data/outbox/` and the log says where; without `SMTP_URL` in production the log warns
//! at start-up; and a link's token is never in the log, whatever the link is used for.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::common::*;
use crate::production_env;

/// The outbox's mails once it holds `count`.
async fn outbox_mails(outbox: &Path, count: usize) -> Vec<ReceivedMail> {
    for _ in 0..100 {
        let mails: Vec<ReceivedMail> = std::fs::read_dir(outbox)
            .map(|entries| {
                entries
                    .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
                    // The file exists a moment before its content is all there.
                    .filter(|raw| raw.ends_with("\r\n"))
                    .map(|raw| ReceivedMail::from_raw("", &raw))
                    .collect()
            })
            .unwrap_or_default();
        if mails.len() >= count {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} mails in {}", outbox.display());
}

fn token_of(mails: &[ReceivedMail], path: &str) -> String {
    mails
        .iter()
        .find(|mail| mail.text.contains(&format!("{path}#token=")))
        .unwrap_or_else(|| panic!("no {path} link in the outbox"))
        .link_token(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn development_mail_goes_to_the_outbox_and_the_log_never_holds_a_link_token() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]).await;
    let outbox = db.dir().join("data").join("outbox");
    Client::new(&server)
        .register("kim", json!({ "email": "kim@example.test" }))
        .await
        .expect(201);
    let verify_token = token_of(&outbox_mails(&outbox, 1).await, "/verify-email");
    Client::new(&server)
        .post("/api/me/email/verify", json!({ "token": verify_token }))
        .await
        .expect(200);
    Client::new(&server)
        .post(
            "/api/auth/password-reset",
            json!({ "username_or_email": "kim@example.test" }),
        )
        .await
        .expect(202);
    let reset_token = token_of(&outbox_mails(&outbox, 2).await, "/reset-password");
    Client::new(&server)
        .post(
            "/api/auth/password-reset/complete",
            json!({ "token": reset_token, "new_password": "a brand new passphrase" }),
        )
        .await
        .expect(200);
    // The notice that the password changed is the third mail.
    outbox_mails(&outbox, 3).await;

    let outbox_lines_in = |logs: &str| {
        logs.lines()
            .filter(|line| line.contains("mail written to the outbox"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let logs = server
        .logs_once(|logs| outbox_lines_in(logs).len() >= 3)
        .await;
    let outbox_lines = outbox_lines_in(&logs);
    assert_eq!(outbox_lines.len(), 3, "{logs}");
    assert!(
        outbox_lines[0].contains(&outbox.display().to_string()),
        "the log names the folder: {}",
        outbox_lines[0]
    );
    for token in [&verify_token, &reset_token] {
        assert!(
            !logs.contains(token.as_str()),
            "a link token in the log:\n{logs}"
        );
    }
    assert!(!logs.contains("a brand new passphrase"));
}

#[tokio::test(flavor = "multi_thread")]
async fn production_without_smtp_starts_and_warns_that_no_mail_is_sent() {
    let db = TestDb::new().await;
    let env = production_env(&db, Some(KEY_A))
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .chain([("RUST_LOG".to_owned(), "info".to_owned())])
        .collect();
    let server = Server::start_with(env, &[]).await;
    let logs = server.logs();
    let warning = logs
        .lines()
        .find(|line| line.contains("no mail is sent"))
        .unwrap_or_else(|| panic!("no warning about mail:\n{logs}"));
    assert!(warning.contains("WARN"), "{warning}");
    assert!(warning.contains("SMTP_URL"), "{warning}");
}
