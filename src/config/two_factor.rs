//! `REQUIRE_2FA`: which roles must sign in with a second factor. In production it is
//! `clinician,admin` unless set: they can read many people's health data. `none` turns
//! the requirement off (for trials), and `doctor` warns about that.

use super::{ConfigError, Mode, Source};

/// The roles that must have two-factor sign-in, by their names in `REQUIRE_2FA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TwoFactorPolicy {
    pub patient: bool,
    pub clinician: bool,
    pub admin: bool,
}

impl TwoFactorPolicy {
    pub fn requires_none(&self) -> bool {
        *self == TwoFactorPolicy::default()
    }

    /// As `REQUIRE_2FA` would spell it.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = [
            (self.patient, "patient"),
            (self.clinician, "clinician"),
            (self.admin, "admin"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(",")
        }
    }
}

pub fn read(source: &dyn Source, mode: Mode) -> Result<TwoFactorPolicy, ConfigError> {
    let Some(value) = source.get("REQUIRE_2FA") else {
        return Ok(match mode {
            Mode::Production => TwoFactorPolicy {
                clinician: true,
                admin: true,
                ..TwoFactorPolicy::default()
            },
            Mode::Development => TwoFactorPolicy::default(),
        });
    };
    let mut policy = TwoFactorPolicy::default();
    let value = value.trim().to_ascii_lowercase();
    if value == "none" {
        return Ok(policy);
    }
    for role in value.split(',').map(str::trim) {
        match role {
            "patient" => policy.patient = true,
            "clinician" => policy.clinician = true,
            "admin" => policy.admin = true,
            other => {
                return Err(ConfigError {
                    variable: "REQUIRE_2FA",
                    message: format!(
                        "REQUIRE_2FA lists \"{other}\"; give roles from patient, clinician and admin separated by commas (clinician,admin is the default in production), or none."
                    ),
                })
            }
        }
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_value(value: Option<&str>, mode: Mode) -> Result<TwoFactorPolicy, ConfigError> {
        let value = value.map(str::to_owned);
        read(
            &move |name: &str| (name == "REQUIRE_2FA").then(|| value.clone()).flatten(),
            mode,
        )
    }

    #[test]
    fn staff_need_a_second_factor_in_production_unless_told_otherwise() {
        let default = read_value(None, Mode::Production).unwrap();
        assert_eq!(default.describe(), "clinician,admin");
        assert!(read_value(None, Mode::Development).unwrap().requires_none());
        assert!(read_value(Some("none"), Mode::Production)
            .unwrap()
            .requires_none());
        let all = read_value(Some(" Patient, clinician,admin "), Mode::Production).unwrap();
        assert_eq!(all.describe(), "patient,clinician,admin");
        let refused = read_value(Some("clinician,nurse"), Mode::Production).unwrap_err();
        assert!(refused.message.contains("\"nurse\""), "{}", refused.message);
        assert!(read_value(Some("clinician,"), Mode::Production).is_err());
    }
}
