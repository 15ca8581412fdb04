//! Logs go to standard error, so standard output stays clean for `secret generate`.
//!
//! `LOG_FORMAT=json` writes one JSON object per line, for a log platform: each event
//! with its fields and the spans it happened in, so every line of a request carries the
//! request's id and route (`http/middleware.rs`, `request_span`). No log line holds a
//! username, a token or what someone wrote: spans name routes by their template, and the
//! stores' spans skip their arguments.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{read_log_format, Environment, LogFormat};

/// Logging as `LOG_FORMAT` asks. A value it does not know is reported by the
/// configuration check that follows, written by the text format meanwhile.
pub fn init() {
    init_with(read_log_format(&Environment).unwrap_or_default());
}

pub fn init_with(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
}
