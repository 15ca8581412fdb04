//! Healing Space through its HTTP API, with the real server started inside this test
//! process (`App::start`: the settings `serve` would read, `Application::build` on a free
//! port, a graceful stop at the end), each test with a database of its own.
//!
//! One test binary with a module per concern, so the crate is linked once:
//! - the parts of the product: [`accounts`], [`care_teams`], [`messaging`], [`inbox`],
//!   [`home`], [`mood`], [`feedback`], [`admin`], [`my_data`];
//! - across them: [`authorization`] (who may call what), [`sessions`], [`sign_in`] (what
//!   guards it), [`concurrency`], the [`http`] conventions, the published [`contract`]
//!   (the OpenAPI document) and [`web_error_codes`].
//!
//! Tests about the process itself (restarts, signals, several instances, the command
//! line, the log) are in `tests/process/`.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin;
mod authorization;
mod care_teams;
mod concurrency;
mod contract;
mod feedback;
mod home;
mod http;
mod inbox;
mod messaging;
mod mood;
mod my_data;
mod sessions;
mod sign_in;
mod web_error_codes;
