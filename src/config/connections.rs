//! How long a connection may take to send a request, how long it may stay open between
//! requests, and how many may be open at once. Tests set the timeouts to fractions of a
//! second, so they are read as decimal seconds.

use std::time::Duration;

use super::{ConfigError, Source};

/// The limits the server puts on connections (`server/`).
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// From a connection's first byte of a request (or from its opening) to the end of
    /// that request's headers.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may wait for the first byte of its next request.
    pub keep_alive_timeout: Duration,
    /// Connections served at once; more are answered 503.
    pub max_connections: usize,
}

const HEADER_READ_TIMEOUT: Bounded = Bounded {
    name: "HEADER_READ_TIMEOUT_SECONDS",
    default: 10.0,
    min: 0.1,
    max: 300.0,
};
/// Longer than the 60 s for which load balancers commonly keep an idle connection to the
/// server, so that they close it first: a server closing first can meet the balancer's
/// next request on that connection, which the balancer then answers 502.
const KEEP_ALIVE_TIMEOUT: Bounded = Bounded {
    name: "KEEP_ALIVE_TIMEOUT_SECONDS",
    default: 75.0,
    min: 0.1,
    max: 3600.0,
};
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
const MAX_CONNECTIONS_BOUNDS: (usize, usize) = (1, 1_000_000);

pub fn read_connections(source: &dyn Source) -> Result<ConnectionSettings, ConfigError> {
    Ok(ConnectionSettings {
        header_read_timeout: HEADER_READ_TIMEOUT.read(source)?,
        keep_alive_timeout: KEEP_ALIVE_TIMEOUT.read(source)?,
        max_connections: read_max_connections(source)?,
    })
}

fn read_max_connections(source: &dyn Source) -> Result<usize, ConfigError> {
    const NAME: &str = "MAX_CONNECTIONS";
    let Some(text) = source.get(NAME) else {
        return Ok(DEFAULT_MAX_CONNECTIONS);
    };
    let (min, max) = MAX_CONNECTIONS_BOUNDS;
    match text.trim().parse::<usize>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(ConfigError::invalid(
            NAME,
            format!("must be a whole number from {min} to {max}, not {text:?}"),
        )),
    }
}

/// A duration in decimal seconds with its bounds.
struct Bounded {
    name: &'static str,
    default: f64,
    min: f64,
    max: f64,
}

impl Bounded {
    fn read(&self, source: &dyn Source) -> Result<Duration, ConfigError> {
        let Some(text) = source.get(self.name) else {
            return Ok(Duration::from_secs_f64(self.default));
        };
        match text.trim().parse::<f64>() {
            // The range check also refuses NaN and the infinities.
            Ok(seconds) if (self.min..=self.max).contains(&seconds) => {
                Ok(Duration::from_secs_f64(seconds))
            }
            _ => Err(ConfigError::invalid(
                self.name,
                format!(
                    "must be a number of seconds from {} to {}, not {text:?}",
                    self.min, self.max
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<ConnectionSettings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_connections(&move |name: &str| map.get(name).cloned())
    }

    #[test]
    fn defaults_suit_production() {
        let settings = read(&[]).unwrap();
        assert_eq!(settings.header_read_timeout, Duration::from_secs(10));
        assert_eq!(settings.keep_alive_timeout, Duration::from_secs(75));
        assert_eq!(settings.max_connections, DEFAULT_MAX_CONNECTIONS);
    }

    #[test]
    fn fractions_of_a_second_are_read() {
        let settings = read(&[("HEADER_READ_TIMEOUT_SECONDS", "0.25")]).unwrap();
        assert_eq!(settings.header_read_timeout, Duration::from_millis(250));
    }

    #[test]
    fn values_out_of_bounds_name_the_variable() {
        for (name, value) in [
            ("HEADER_READ_TIMEOUT_SECONDS", "0"),
            ("HEADER_READ_TIMEOUT_SECONDS", "NaN"),
            ("HEADER_READ_TIMEOUT_SECONDS", "1e300"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "-1"),
            ("KEEP_ALIVE_TIMEOUT_SECONDS", "3601"),
            ("MAX_CONNECTIONS", "0"),
            ("MAX_CONNECTIONS", "1000001"),
            ("MAX_CONNECTIONS", "many"),
        ] {
            let error = read(&[(name, value)]).unwrap_err();
            assert_eq!(error.variable, name, "{value}");
            assert!(error.message.starts_with(name), "{}", error.message);
        }
    }
}
