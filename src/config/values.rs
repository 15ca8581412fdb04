//! Readers for the kinds of value the variables hold: whole numbers and durations within
//! bounds, and on/off flags. Every refusal names the variable, says what it accepts and
//! echoes (the start of) what it was given, so the operator sees the mistake.

use std::time::Duration;

use super::{ConfigError, Source};

/// The problems found so far, so that a reader of several variables reports each one;
/// each reader's value when it had none.
#[derive(Default)]
pub struct Problems(Vec<ConfigError>);

impl Problems {
    pub fn take<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|problem| self.0.push(problem)).ok()
    }

    pub fn take_all<T>(&mut self, result: Result<T, Vec<ConfigError>>) -> Option<T> {
        result.map_err(|problems| self.0.extend(problems)).ok()
    }

    /// The value built from every reader's, if none had a problem.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<ConfigError>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// A whole-number variable: its default, its inclusive bounds and its unit ("seconds",
/// "days", "bytes", or "" for a plain count).
#[derive(Debug, Clone, Copy)]
pub struct Whole {
    pub default: u64,
    pub min: u64,
    pub max: u64,
    pub unit: &'static str,
}

impl Whole {
    pub const fn seconds(default: u64, min: u64, max: u64) -> Whole {
        Whole {
            default,
            min,
            max,
            unit: "seconds",
        }
    }

    pub const fn count(default: u64, min: u64, max: u64) -> Whole {
        Whole {
            default,
            min,
            max,
            unit: "",
        }
    }

    fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" of {}", self.unit)
        };
        let readable = match self.unit {
            "seconds" => readable_seconds(self.max)
                .map(|text| format!(" ({text})"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        format!(
            "a whole number{unit} from {} to {}{readable}",
            self.min, self.max
        )
    }
}

/// A whole number within its bounds, or its default when unset.
pub fn read_whole(
    source: &dyn Source,
    name: &'static str,
    bounds: Whole,
) -> Result<u64, ConfigError> {
    let Some(text) = source.get(name) else {
        return Ok(bounds.default);
    };
    match text.trim().parse::<u64>() {
        Ok(value) if (bounds.min..=bounds.max).contains(&value) => Ok(value),
        _ => Err(ConfigError::invalid(
            name,
            format!("must be {}, not {}", bounds.describe(), echo(&text)),
        )),
    }
}

pub fn read_seconds(
    source: &dyn Source,
    name: &'static str,
    bounds: Whole,
) -> Result<Duration, ConfigError> {
    read_whole(source, name, bounds).map(Duration::from_secs)
}

/// An on/off variable; unset is off. Anything but the usual spellings is refused rather
/// than read as off, so a typo in `DEBUG` or `TRUST_PROXY` cannot pass unnoticed.
pub fn read_flag(source: &dyn Source, name: &'static str) -> Result<bool, ConfigError> {
    let value = source.get(name);
    match value.as_deref().map(str::trim).map(str::to_ascii_lowercase) {
        None => Ok(false),
        Some(text) if ["1", "true", "yes", "on"].contains(&text.as_str()) => Ok(true),
        Some(text) if ["0", "false", "no", "off"].contains(&text.as_str()) => Ok(false),
        Some(_) => Err(ConfigError::invalid(
            name,
            format!(
                "must be 1, true, yes or on (or 0, false, no, off, or unset), not {}",
                echo(value.as_deref().unwrap_or_default())
            ),
        )),
    }
}

/// What the operator gave, quoted and cut short: enough to spot the mistake, and never a
/// screenful. Only for variables that hold no secret.
pub fn echo(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.chars().count() <= SHOWN {
        format!("{text:?}")
    } else {
        let start: String = text.chars().take(SHOWN).collect();
        format!("{start:?}…")
    }
}

/// 86400 → "1 day", 3600 → "1 hour"; None when no whole unit fits.
fn readable_seconds(seconds: u64) -> Option<String> {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| seconds >= *size && seconds.is_multiple_of(*size))
        .map(|(size, unit)| plural(seconds / size, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &'static str, value: &'static str) -> impl Fn(&str) -> Option<String> {
        move |asked: &str| (asked == name).then(|| value.to_owned())
    }

    const BOUNDS: Whole = Whole::seconds(30, 1, 86_400);

    #[test]
    fn numbers_outside_their_bounds_are_refused_with_the_bounds() {
        assert_eq!(read_whole(&one("X", " 5 "), "X", BOUNDS).unwrap(), 5);
        assert_eq!(read_whole(&one("Y", "5"), "X", BOUNDS).unwrap(), 30);
        for bad in ["0", "86401", "-1", "1e3", "18446744073709551616", "ten"] {
            let err = read_whole(&one("X", bad), "X", BOUNDS).unwrap_err();
            assert_eq!(err.variable, "X");
            assert!(
                err.message
                    .contains("X must be a whole number of seconds from 1 to 86400 (1 day)"),
                "{}",
                err.message
            );
            assert!(err.message.contains(bad), "{}", err.message);
        }
    }

    #[test]
    fn flags_take_the_usual_spellings_and_refuse_the_rest() {
        assert!(read_flag(&one("F", "Yes"), "F").unwrap());
        assert!(!read_flag(&one("F", "off"), "F").unwrap());
        assert!(!read_flag(&one("G", "1"), "F").unwrap());
        assert_eq!(
            read_flag(&one("F", "maybe"), "F").unwrap_err().variable,
            "F"
        );
    }

    #[test]
    fn long_values_are_echoed_short() {
        let long = "x".repeat(500);
        assert!(echo(&long).chars().count() < 50);
    }
}
