//! The open-file limit: raised to the system's hard limit at start-up, and checked
//! against `MAX_CONNECTIONS`, since every connection is an open file. Without the check,
//! connections would exhaust the limit and the server could accept nothing more, not
//! even a health check.

use crate::config::ConfigError;

use super::BUSY_ANSWERS_AT_ONCE;

/// Open files kept for everything but connections: the database (SQLite's 64 readers
/// and writer, each with its database, WAL and shared-memory files; PostgreSQL's pools),
/// the listener, the log, the embedded web app's reads.
pub const RESERVED_FILES: u64 = 256;

/// The limit before and after raising it.
#[derive(Debug, Clone, Copy)]
pub struct OpenFiles {
    pub was: u64,
    pub now: u64,
}

/// Raises the soft limit as far as the hard limit (and the system) allows.
pub fn raise_limit() -> std::io::Result<OpenFiles> {
    let (was, _hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    let now = rlimit::increase_nofile_limit(u64::MAX)?;
    Ok(OpenFiles { was, now })
}

/// Whether `max_connections` connections fit under `limit` beside what the rest of the
/// server keeps open.
pub fn check_fits(max_connections: usize, limit: u64) -> Result<(), ConfigError> {
    let needed = max_connections as u64 + BUSY_ANSWERS_AT_ONCE as u64 + RESERVED_FILES;
    if needed <= limit {
        return Ok(());
    }
    let most = limit.saturating_sub(BUSY_ANSWERS_AT_ONCE as u64 + RESERVED_FILES);
    Err(ConfigError {
        variable: "MAX_CONNECTIONS",
        message: format!(
            "MAX_CONNECTIONS is {max_connections}, which needs {needed} open files with those the \
             server keeps for itself, but this process may open only {limit} (its hard limit); \
             set MAX_CONNECTIONS to at most {most}, or raise the hard limit (ulimit -Hn, \
             LimitNOFILE= in a systemd unit)"
        ),
    })
}

/// Raises the limit, logs the outcome, and refuses a cap that would not fit.
pub fn prepare(max_connections: usize) -> Result<(), ConfigError> {
    let limit = match raise_limit() {
        Ok(OpenFiles { was, now }) => {
            tracing::info!(
                open_files_limit = now,
                was,
                max_connections,
                "open-file limit at the hard limit"
            );
            now
        }
        Err(error) => {
            let current = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(0, |(soft, _)| soft);
            tracing::warn!(%error, open_files_limit = current, "could not raise the open-file limit");
            current
        }
    };
    check_fits(max_connections, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_over_the_limit_names_the_variable_and_the_most_that_fits() {
        assert!(check_fits(1000, 2000).is_ok());
        let error = check_fits(4096, 1024).unwrap_err();
        assert_eq!(error.variable, "MAX_CONNECTIONS");
        let most = 1024 - BUSY_ANSWERS_AT_ONCE as u64 - RESERVED_FILES;
        assert!(
            error.message.contains(&format!("at most {most}")),
            "{}",
            error.message
        );
    }
}
