//! The configuration, from the environment (`MEASURES_*`, see `main.rs`).

use std::time::Duration;

use anyhow::ensure;

use crate::common::env_number;
use crate::data::Shape;
use crate::load::Endpoint;

pub struct Config {
    pub big: (i64, i64),
    pub small: (i64, i64),
    pub seconds: f64,
    pub days: i64,
    pub clinicians: usize,
    pub patients: usize,
    pub rounds: usize,
    /// `MEASURES_ENDPOINTS=alerts,measures,submit`: load only these.
    pub endpoints: Vec<Endpoint>,
    pub only: Option<String>,
    pub keep: bool,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let config = Config {
            big: (
                env_number("MEASURES_PATIENTS", 10_000)?,
                env_number("MEASURES_RESPONSES", 50)?,
            ),
            small: (
                env_number("MEASURES_SMALL_PATIENTS", 100)?,
                env_number("MEASURES_SMALL_RESPONSES", 5)?,
            ),
            seconds: env_number("MEASURES_SECONDS", 8.0)?,
            days: env_number("MEASURES_DAYS", 30)?,
            clinicians: env_number("MEASURES_CLINICIANS", 64)?,
            patients: env_number("MEASURES_SIGNED_PATIENTS", 192)?,
            rounds: env_number("MEASURES_ROUNDS", 2)?,
            endpoints: match std::env::var("MEASURES_ENDPOINTS") {
                Ok(names) if !names.trim().is_empty() => names
                    .split(',')
                    .map(|name| Endpoint::named(name.trim()))
                    .collect::<anyhow::Result<_>>()?,
                _ => Endpoint::ALL.to_vec(),
            },
            only: std::env::var("MEASURES_ONLY")
                .ok()
                .filter(|v| !v.is_empty()),
            keep: std::env::var("MEASURES_KEEP").is_ok_and(|v| v == "1"),
        };
        ensure!(config.rounds >= 1, "MEASURES_ROUNDS is at least 1");
        ensure!(
            config.seconds >= 2.0 * config.rounds as f64,
            "MEASURES_SECONDS is at least 2 × MEASURES_ROUNDS"
        );
        ensure!(
            (1..=365).contains(&config.days),
            "MEASURES_DAYS is 1 to 365"
        );
        Shape::new(config.big.0, config.big.1)?;
        Shape::new(config.small.0, config.small.1)?;
        Ok(config)
    }

    pub fn wants(&self, database: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == database)
    }

    /// Each endpoint and size is measured in `2 × rounds` segments (small, big, big, small).
    pub fn segment(&self) -> Duration {
        Duration::from_secs_f64(self.seconds / (2 * self.rounds) as f64)
    }
}
