//! Healing Space through its HTTP API, with the real server started inside this test
//! process (`App::start`: the settings `serve` would read, `Application::build` on a free
//! port, a graceful stop at the end), each test with a database of its own.
//!
//! One test binary with a module per concern, so the crate is linked once:
//! - the parts of the product: [`accounts`], [`care_teams`], [`messaging`], [`inbox`],
//!   [`home`], [`mood`], [`measures`], [`alerts`], [`safety_plan`], [`feedback`], [`admin`], [`recovery`] (password reset), [`profile`] (my name and address), [`passkeys`], [`closing`] (closing an account), [`my_data`]
//!   (and its FHIR form, [`fhir_export`]), [`support`];
//! - across them: [`authorization`] (who may call what), [`ownership`] (no id reaches
//!   another person's data), [`sessions`], [`sign_in`] (what guards it), [`lock_outs`] (device cookies),
//!   [`session_edges`] (confused or hostile clients), [`concurrency`], the [`http`]
//!   conventions, the published [`contract`] (the OpenAPI document) and
//!   [`web_error_codes`], [`compression`] (gzip and brotli), [`fast_pages`] (hashed
//!   file addresses, caching), the operator's
//!   [`metrics`] (`GET /metrics`), and what a hostile client sends: [`hostile_input`],
//!   [`idempotency`], [`display_names`];
//! - below the routes: [`connections`] (slow, idle and surplus ones) and [`http_layer`]
//!   (what hyper refuses, answered in JSON);
//! - failing infrastructure: [`outages`] (PostgreSQL down, an SQLite disk full).
//!
//! Tests about the process itself (restarts, signals, several instances, the command
//! line, the log) are in `tests/process/`.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod admin;
mod alerts;
mod authorization;
mod care_teams;
mod cbt;
mod closing;
mod compression;
mod concurrency;
mod connections;
mod contract;
mod display_names;
mod events;
mod fast_pages;
mod feedback;
mod fhir_export;
mod home;
mod homework;
mod hostile_input;
mod http;
mod http_layer;
mod idempotency;
mod inbox;
mod lock_outs;
mod measures;
mod messaging;
mod metrics;
mod mood;
mod my_data;
mod notifications;
mod outages;
mod ownership;
mod passkeys;
mod profile;
mod recovery;
mod safety_plan;
mod session_edges;
mod sessions;
mod sign_in;
mod support;
mod two_factor;
mod web_error_codes;
