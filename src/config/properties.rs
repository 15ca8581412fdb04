//! Property tests: whatever text any variable holds, reading the configuration gives
//! settings or problems that name that variable, never a panic; and settings that are
//! accepted keep every sum of times the server computes far from overflowing.

use proptest::prelude::*;

use super::*;
use crate::storage::{millis, now_ms};

/// Every variable the configuration reads.
const VARIABLES: &[&str] = &[
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_NEXT",
    "SECRET_KEY_FALLBACKS",
    "DATABASE_URL",
    "HOST",
    "PORT",
    "PUBLIC_URL",
    "TRUST_PROXY",
    "DATA_DIR",
    "SESSION_IDLE_TIMEOUT_SECONDS",
    "SESSION_MAX_LIFETIME_SECONDS",
    "SESSION_RETENTION_DAYS",
    "SESSION_PURGE_INTERVAL_SECONDS",
    "SESSION_COOKIE_DOMAIN",
    "LOGIN_MAX_FAILURES",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "AUTH_RATE_LIMIT_PER_MINUTE",
    "MAX_BODY_BYTES",
    "REQUEST_TIMEOUT_SECONDS",
    "SHUTDOWN_GRACE_SECONDS",
    "CRISIS_RESOURCES",
];

/// Any text, and text shaped like what the variables hold, to reach past the first check.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        any::<u64>().prop_map(|n| n.to_string()),
        "-?[0-9]{1,25}",
        "(https?|ftp)://[a-zA-Z0-9.:\\[\\]@-]{0,30}(/[ -~]{0,10})?",
        "[a-z0-9.; =-]{0,40}",
        "[A-Za-z0-9_,-]{0,120}",
        "(sqlite|postgres)://[ -~]{0,40}",
    ]
}

fn read_with(name: &'static str, value: String) -> Result<Settings, Vec<ConfigError>> {
    // CRISIS_RESOURCES names a file unless it is inline JSON: only inline JSON here.
    let value = if name == "CRISIS_RESOURCES" {
        format!("{{{value}")
    } else {
        value
    };
    let source = move |asked: &str| {
        let found = match asked {
            _ if asked == name => Some(value.clone()),
            "SECRET_KEY" => Some("a-good-key-0123456789-abcdefghijklmnopqrstuv".to_owned()),
            "PUBLIC_URL" => Some("https://care.example.org".to_owned()),
            _ => None,
        };
        // As the environment reads it: blank is unset.
        found.filter(|v| !v.trim().is_empty())
    };
    Settings::read(&source, false, false)
}

proptest! {
    #[test]
    fn any_value_gives_settings_or_a_problem_naming_its_variable(
        name in prop::sample::select(VARIABLES),
        value in value(),
    ) {
        match read_with(name, value) {
            Ok(settings) => {
                let sessions = &settings.sessions;
                let longest = sessions.absolute_lifetime.saturating_add(sessions.retention);
                let margin = millis(longest).checked_mul(1000);
                prop_assert!(margin.and_then(|m| now_ms().checked_add(m)).is_some());
                prop_assert!(settings.body_limit_bytes >= 1024);
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for problem in problems {
                    prop_assert_eq!(problem.variable, name);
                    prop_assert!(problem.message.contains(name), "{}", problem.message);
                }
            }
        }
    }

    #[test]
    fn key_parsers_take_any_text(text in any::<String>()) {
        let current = SecretKey::parse("a-good-key-0123456789-abcdefghijklmnopqrstuv").unwrap();
        let _ = SecretKey::parse(&text);
        if let Err(problem) = secret_key::parse_fallbacks(Some(&text), &current) {
            prop_assert_eq!(problem.variable, "SECRET_KEY_FALLBACKS");
        }
    }

    #[test]
    fn an_accepted_public_url_is_an_origin(text in value()) {
        let source = move |name: &str| (name == "PUBLIC_URL").then(|| text.clone());
        if let Ok(Some(origin)) = read_public_url(&source) {
            let url = url::Url::parse(&origin).unwrap();
            prop_assert_eq!(url.origin().ascii_serialization(), origin);
        }
    }
}
