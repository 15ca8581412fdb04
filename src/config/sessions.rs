//! `SESSION_*`: how long sessions live, how long ended ones are remembered, and the
//! cookie's domain. The bounds keep every sum of times that the server computes from
//! them far inside 64-bit milliseconds.

use std::time::Duration;

use super::values::{echo, read_seconds, read_whole, Problems, Whole};
use super::{network, ConfigError, Mode, Source};

const DAY: u64 = 24 * 60 * 60;

pub const IDLE_TIMEOUT: Whole = Whole::seconds(30 * 60, 1, 30 * DAY);
pub const MAX_LIFETIME: Whole = Whole::seconds(12 * 60 * 60, 1, 365 * DAY);
pub const RETENTION_DAYS: Whole = Whole {
    default: 30,
    min: 0,
    max: 3650,
    unit: "days",
};
pub const PURGE_INTERVAL: Whole = Whole::seconds(60 * 60, 1, DAY);

/// How long sessions live and how long ended ones are remembered.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
    pub retention: Duration,
    pub purge_interval: Duration,
    pub cookie_domain: Option<String>,
}

/// Every `SESSION_*` variable, each problem reported.
pub fn read_sessions(
    source: &dyn Source,
    mode: Mode,
    public_url: Option<&str>,
) -> Result<SessionSettings, Vec<ConfigError>> {
    let mut problems = Problems::default();
    let idle = problems.take(read_seconds(
        source,
        "SESSION_IDLE_TIMEOUT_SECONDS",
        IDLE_TIMEOUT,
    ));
    let lifetime = problems.take(read_seconds(
        source,
        "SESSION_MAX_LIFETIME_SECONDS",
        MAX_LIFETIME,
    ));
    let retention = problems.take(read_retention(source, mode));
    let purge = problems.take(read_seconds(
        source,
        "SESSION_PURGE_INTERVAL_SECONDS",
        PURGE_INTERVAL,
    ));
    let cookie_domain = problems.take(read_cookie_domain(source, mode, public_url));
    let settings = (|| {
        Some(SessionSettings {
            idle_timeout: idle?,
            absolute_lifetime: lifetime?,
            retention: retention?,
            purge_interval: purge?,
            cookie_domain: cookie_domain?,
        })
    })();
    problems.finish(settings)
}

fn read_retention(source: &dyn Source, mode: Mode) -> Result<Duration, ConfigError> {
    let days = read_whole(source, "SESSION_RETENTION_DAYS", RETENTION_DAYS)?;
    if mode.is_production() && days == 0 {
        return Err(ConfigError::invalid(
            "SESSION_RETENTION_DAYS",
            "must be at least 1 in production: ended sessions are remembered so that a later request \
             learns why it was signed out",
        ));
    }
    Ok(Duration::from_secs(days * DAY))
}

/// `SESSION_COOKIE_DOMAIN`: a host name (letters, digits, hyphens and dots), so nothing
/// can be smuggled into the `Set-Cookie` header, and in production one that covers
/// `PUBLIC_URL`, or browsers would refuse the cookie and nobody could stay signed in.
pub fn read_cookie_domain(
    source: &dyn Source,
    mode: Mode,
    public_url: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    let Some(raw) = source.get("SESSION_COOKIE_DOMAIN") else {
        return Ok(None);
    };
    let domain = raw.trim().trim_start_matches('.').to_ascii_lowercase();
    if !is_host_name(&domain) {
        return Err(ConfigError::invalid(
            "SESSION_COOKIE_DOMAIN",
            format!(
                "must be a domain name such as example.org (letters, digits, hyphens and dots; \
                 an international name in its xn-- form), not {}",
                echo(&raw)
            ),
        ));
    }
    let public_host = public_url.and_then(network::host_of);
    if let (true, Some(host)) = (mode.is_production(), public_host) {
        if host != domain && !host.ends_with(&format!(".{domain}")) {
            return Err(ConfigError::invalid(
                "SESSION_COOKIE_DOMAIN",
                format!(
                    "is {domain}, which does not cover PUBLIC_URL's host {host}; browsers would \
                     refuse the cookie. Use {host} or a domain it belongs to"
                ),
            ));
        }
    }
    Ok(Some(domain))
}

/// Two or more labels of letters, digits and inner hyphens, at most 253 characters, and
/// not an IP address (a cookie domain must be a name).
fn is_host_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && !labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn source(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[test]
    fn times_beyond_their_bounds_are_refused_by_name() {
        for (name, value) in [
            ("SESSION_MAX_LIFETIME_SECONDS", "18446744073709551615"),
            ("SESSION_MAX_LIFETIME_SECONDS", "10000000000000000"),
            ("SESSION_IDLE_TIMEOUT_SECONDS", "10000000000000000"),
            ("SESSION_IDLE_TIMEOUT_SECONDS", "0"),
            ("SESSION_RETENTION_DAYS", "18446744073709551615"),
            ("SESSION_PURGE_INTERVAL_SECONDS", "0"),
        ] {
            let problems =
                read_sessions(&source(&[(name, value)]), Mode::Development, None).unwrap_err();
            let [err] = problems.as_slice() else {
                panic!("one problem: {problems:?}")
            };
            assert_eq!(err.variable, name, "{value}");
            assert!(err.message.starts_with(name), "{}", err.message);
        }
        let longest = read_sessions(
            &source(&[
                ("SESSION_MAX_LIFETIME_SECONDS", "31536000"),
                ("SESSION_RETENTION_DAYS", "3650"),
            ]),
            Mode::Production,
            None,
        )
        .unwrap();
        let millis = (longest.absolute_lifetime + longest.retention).as_millis();
        assert!(millis < (i64::MAX as u128) / 1000, "far from overflowing");
    }

    #[test]
    fn a_cookie_domain_cannot_smuggle_attributes() {
        for bad in [
            "example.org; SameSite=None",
            "example.org;",
            "exa mple.org",
            "org",
            "10.0.0.1",
            "-x.org",
            "bücher.example",
            "a..org",
        ] {
            let err = read_cookie_domain(
                &source(&[("SESSION_COOKIE_DOMAIN", bad)]),
                Mode::Development,
                None,
            )
            .unwrap_err();
            assert_eq!(err.variable, "SESSION_COOKIE_DOMAIN", "{bad}");
        }
        assert_eq!(
            read_cookie_domain(
                &source(&[("SESSION_COOKIE_DOMAIN", ".Example.org")]),
                Mode::Development,
                None
            )
            .unwrap()
            .as_deref(),
            Some("example.org")
        );
    }

    #[test]
    fn in_production_the_cookie_domain_covers_the_public_url() {
        let domain = source(&[("SESSION_COOKIE_DOMAIN", "example.org")]);
        let read = |url| read_cookie_domain(&domain, Mode::Production, Some(url));
        assert!(read("https://care.example.org").is_ok());
        assert!(read("https://example.org").is_ok());
        assert_eq!(
            read("https://notexample.org").unwrap_err().variable,
            "SESSION_COOKIE_DOMAIN"
        );
    }
}
