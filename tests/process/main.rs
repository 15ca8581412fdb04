//! Healing Space as the real `healing-space` process, for what only a process shows:
//! configuration refused at start-up, the command line, SIGTERM, restarts, several
//! instances sharing one database, and the server's log (as text, and as JSON with
//! `LOG_FORMAT=json`: [`observability`]), and backups taken while it runs ([`backups`]).
//!
//! Everything else starts the app inside the test process (`tests/api/`).

#[path = "../common/mod.rs"]
mod common;

mod backups;
mod commands;
mod configuration;
mod faults;
mod feature_input;
mod mail;
mod observability;
mod open_files;
mod rotation;
mod seed_flow;
mod sessions;
mod shutdown;
mod startup;
mod unwritable;

use common::TestDb;

/// A published key (the example in the predecessor's troubleshooting note), so refused.
const SEED_EXAMPLE_KEY: &str = "VyuBxj_oO69TcSj81wguirrLsK3f7F9JioFrGeSTHqI";

/// The address production needs (an https origin); nothing listens there.
const PUBLIC_URL: &str = "https://care.example.org";

/// Production mode (no `DEBUG`) on a free port, with `key` as `SECRET_KEY` if any.
fn production_env<'a>(db: &'a TestDb, key: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("DATABASE_URL", db.url.as_str()),
        ("PORT", "0"),
        ("PUBLIC_URL", PUBLIC_URL),
    ];
    if let Some(key) = key {
        env.push(("SECRET_KEY", key));
    }
    env
}
