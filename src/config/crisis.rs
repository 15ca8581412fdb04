//! Crisis resources shown on every screen, from `CRISIS_RESOURCES` (a JSON file path or
//! inline JSON), with a default for the UK.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Crisis resources shown on every screen, as the operator configured them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct CrisisResources {
    pub message: String,
    pub resources: Vec<CrisisResource>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct CrisisResource {
    pub name: String,
    pub contact: String,
    #[serde(default)]
    pub description: String,
}

impl Default for CrisisResources {
    fn default() -> Self {
        let resource = |name: &str, contact: &str, description: &str| CrisisResource {
            name: name.into(),
            contact: contact.into(),
            description: description.into(),
        };
        CrisisResources {
            message: "If you are in danger or might harm yourself, call your local emergency number now. \
                      You are not alone, and help is available at any time."
                .into(),
            resources: vec![
                resource("Emergency services (UK)", "999", "If your life or someone else's is at risk."),
                resource("NHS 111 (UK)", "111", "Urgent mental-health help, day and night; choose the mental health option."),
                resource("Samaritans (UK and Ireland)", "116 123", "Free, confidential, any time of day or night."),
            ],
        }
    }
}

pub fn read(raw: Option<String>) -> Result<CrisisResources, ConfigError> {
    let Some(raw) = raw else {
        return Ok(CrisisResources::default());
    };
    let invalid = |why: String| {
        ConfigError {
        variable: "CRISIS_RESOURCES",
        message: format!(
            "CRISIS_RESOURCES {why}; give a JSON file path or inline JSON like \
             {{\"message\": \"...\", \"resources\": [{{\"name\": \"...\", \"contact\": \"...\", \"description\": \"...\"}}]}}"
        ),
    }
    };
    let text = if raw.trim_start().starts_with('{') {
        raw
    } else {
        std::fs::read_to_string(raw.trim())
            .map_err(|e| invalid(format!("names a file that cannot be read ({e})")))?
    };
    let resources: CrisisResources =
        serde_json::from_str(&text).map_err(|e| invalid(format!("is not valid ({e})")))?;
    if resources.resources.is_empty() {
        return Err(invalid("lists no resources".into()));
    }
    Ok(resources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_names_the_uk_numbers() {
        let text = serde_json::to_string(&CrisisResources::default()).unwrap();
        for number in ["999", "111", "116 123", "local emergency number"] {
            assert!(text.contains(number), "{number}");
        }
    }

    #[test]
    fn inline_json_is_read_and_bad_json_refused() {
        let inline = r#"{"message":"Call 112","resources":[{"name":"EU","contact":"112"}]}"#;
        assert_eq!(
            read(Some(inline.into())).unwrap().resources[0].contact,
            "112"
        );
        assert_eq!(
            read(Some("{nope".into())).unwrap_err().variable,
            "CRISIS_RESOURCES"
        );
    }
}
