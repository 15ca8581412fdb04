//! What an operator sees of the running service: `METRICS_TOKEN` (who may read
//! `GET /metrics`) and `LOG_FORMAT` (text for people, JSON for a log platform).
//!
//! Without `METRICS_TOKEN` the metrics are off: `/metrics` answers as an unknown address
//! does, to everyone. The token is a bearer secret, so it is held like the signing keys:
//! never printed, never echoed in an error, and never one of those keys.

use std::collections::BTreeSet;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::secret_key::{SigningKeys, GENERATE_COMMAND};
use super::values::echo;
use super::{ConfigError, Source};

const MIN_TOKEN_CHARS: usize = 32;
/// Far above any generated token; a bound so that no header is unreasonable to compare.
const MAX_TOKEN_CHARS: usize = 1024;
const MIN_DISTINCT_CHARS: usize = 10;

/// The bearer token a scraper sends for `GET /metrics`. `Debug` never shows it.
#[derive(Clone)]
pub struct MetricsToken(SecretString);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(set)")
    }
}

impl MetricsToken {
    /// Whether `presented` is the token, in time that depends on neither: both are hashed
    /// first, so even their lengths are compared without a shortcut.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let ours = Sha256::digest(self.0.expose_secret().as_bytes());
        let theirs = Sha256::digest(presented);
        ours.ct_eq(&theirs).into()
    }
}

/// `METRICS_TOKEN`: unset turns the metrics off; set, at least 32 visible characters
/// with some variety, and never a signing key (`keys` is None when they were refused).
pub fn read_metrics_token(
    source: &dyn Source,
    keys: Option<&SigningKeys>,
) -> Result<Option<MetricsToken>, ConfigError> {
    let Some(raw) = source.get("METRICS_TOKEN") else {
        return Ok(None);
    };
    let token = raw.trim();
    let refuse = |why: String| {
        ConfigError::invalid(
            "METRICS_TOKEN",
            format!(
                "{why}. It is the bearer token Prometheus sends to GET /metrics: generate one \
                 with `{GENERATE_COMMAND}`, or unset METRICS_TOKEN to turn the metrics off"
            ),
        )
    };
    let length = token.chars().count();
    if length < MIN_TOKEN_CHARS {
        return Err(refuse(format!(
            "is {length} characters long; it must be at least {MIN_TOKEN_CHARS}"
        )));
    }
    if length > MAX_TOKEN_CHARS {
        return Err(refuse(format!(
            "is {length} characters long; it must be at most {MAX_TOKEN_CHARS}"
        )));
    }
    // It travels in an `Authorization` header, where only visible ASCII is safe.
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(refuse(
            "holds a space or a character that is not visible ASCII".to_owned(),
        ));
    }
    let distinct = token.chars().collect::<BTreeSet<_>>().len();
    if distinct < MIN_DISTINCT_CHARS {
        return Err(refuse(format!(
            "has only {distinct} distinct characters, so it is easy to guess"
        )));
    }
    let is_a_key = keys.is_some_and(|keys| {
        keys.verification_keys()
            .any(|key| key.bytes() == token.as_bytes())
    });
    if is_a_key {
        return Err(refuse(
            "is the same as SECRET_KEY (or one of its staged or older keys); a scraper must \
             never hold the key that signs"
                .to_owned(),
        ));
    }
    Ok(Some(MetricsToken(SecretString::from(token.to_owned()))))
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line, with the request's span (its id) in each.
    Json,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// `LOG_FORMAT`: `text` (the default) or `json`.
pub fn read_log_format(source: &dyn Source) -> Result<LogFormat, ConfigError> {
    let Some(value) = source.get("LOG_FORMAT") else {
        return Ok(LogFormat::Text);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(ConfigError::invalid(
            "LOG_FORMAT",
            format!("must be text (the default) or json, not {}", echo(&value)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret_key::{KeySource, SecretKey};

    const KEY: &str = "k3y-with-enough-variety-0123456789-abcdefgh";
    const TOKEN: &str = "scrape-token-0123456789-ABCDEFGHIJKLMNOP";

    fn keys() -> SigningKeys {
        SigningKeys {
            current: SecretKey::parse(KEY).unwrap(),
            next: None,
            fallbacks: Vec::new(),
            source: KeySource::Environment,
        }
    }

    fn read(value: &str) -> Result<Option<MetricsToken>, ConfigError> {
        let value = value.to_owned();
        let source = move |name: &str| (name == "METRICS_TOKEN").then(|| value.clone());
        read_metrics_token(&source, Some(&keys()))
    }

    #[test]
    fn unset_turns_the_metrics_off() {
        let none = |_: &str| None;
        assert!(read_metrics_token(&none, Some(&keys())).unwrap().is_none());
    }

    #[test]
    fn a_good_token_matches_itself_only() {
        let token = read(&format!("  {TOKEN} ")).unwrap().unwrap();
        assert!(token.matches(TOKEN.as_bytes()));
        assert!(!token.matches(b""));
        assert!(!token.matches(&TOKEN.as_bytes()[1..]));
        assert!(!token.matches(format!("{TOKEN}x").as_bytes()));
        assert!(!format!("{token:?}").contains(TOKEN));
    }

    #[test]
    fn weak_or_reused_tokens_are_refused_by_name_without_echoing_them() {
        let short = "short-but-varied-0123456789";
        let spaced = "scrape token 0123456789 ABCDEFGHIJKLMNOP";
        let dull = "abababababababababababababababababab";
        let long = TOKEN.repeat(30);
        for bad in [short, spaced, dull, KEY, long.as_str()] {
            let err = read(bad).unwrap_err();
            assert_eq!(err.variable, "METRICS_TOKEN");
            assert!(err.message.starts_with("METRICS_TOKEN "), "{}", err.message);
            assert!(!err.message.contains(bad), "{}", err.message);
        }
        assert!(read(KEY).unwrap_err().message.contains("SECRET_KEY"));
        assert!(read(short).unwrap_err().message.contains("at least 32"));
    }

    #[test]
    fn log_formats_are_text_or_json() {
        let with = |value: &'static str| {
            move |name: &str| (name == "LOG_FORMAT").then(|| value.to_owned())
        };
        assert_eq!(read_log_format(&|_: &str| None).unwrap(), LogFormat::Text);
        assert_eq!(read_log_format(&with(" JSON ")).unwrap(), LogFormat::Json);
        assert_eq!(read_log_format(&with("text")).unwrap(), LogFormat::Text);
        let err = read_log_format(&with("yaml")).unwrap_err();
        assert_eq!(err.variable, "LOG_FORMAT");
        assert!(err.message.contains("\"yaml\""), "{}", err.message);
    }
}
