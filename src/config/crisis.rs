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

/// Bounds that keep the panel readable on a phone and the file read small.
const MAX_TEXT_BYTES: u64 = 64 * 1024;
const MAX_RESOURCES: usize = 20;
const MAX_FIELD_CHARS: usize = 500;

pub fn read(raw: Option<String>) -> Result<CrisisResources, ConfigError> {
    let Some(raw) = raw else {
        return Ok(CrisisResources::default());
    };
    let text = if raw.trim_start().starts_with('{') {
        raw
    } else {
        read_file(raw.trim()).map_err(invalid)?
    };
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(invalid(format!("is longer than {MAX_TEXT_BYTES} bytes")));
    }
    let resources: CrisisResources =
        serde_json::from_str(&text).map_err(|e| invalid(format!("is not valid ({e})")))?;
    check_bounds(&resources).map_err(invalid)?;
    Ok(resources)
}

fn invalid(why: String) -> ConfigError {
    ConfigError {
        variable: "CRISIS_RESOURCES",
        message: format!(
            "CRISIS_RESOURCES {why}; give a JSON file path or inline JSON like \
             {{\"message\": \"...\", \"resources\": [{{\"name\": \"...\", \"contact\": \"...\", \"description\": \"...\"}}]}}"
        ),
    }
}

/// At most one byte past the bound is read, whatever the path names.
fn read_file(path: &str) -> Result<String, String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_TEXT_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| format!("names a file that cannot be read ({e})"))?;
    Ok(text)
}

fn check_bounds(resources: &CrisisResources) -> Result<(), String> {
    if resources.resources.is_empty() {
        return Err("lists no resources".into());
    }
    if resources.resources.len() > MAX_RESOURCES {
        return Err(format!("lists more than {MAX_RESOURCES} resources"));
    }
    let fields = std::iter::once(("message", &resources.message)).chain(
        resources.resources.iter().flat_map(|r| {
            [
                ("name", &r.name),
                ("contact", &r.contact),
                ("description", &r.description),
            ]
        }),
    );
    for (field, text) in fields {
        if text.trim().is_empty() && field != "description" {
            return Err(format!("has an empty {field}"));
        }
        if text.chars().count() > MAX_FIELD_CHARS {
            return Err(format!(
                "has a {field} longer than {MAX_FIELD_CHARS} characters"
            ));
        }
    }
    Ok(())
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

    #[test]
    fn resources_beyond_their_bounds_are_refused() {
        let empty_contact = r#"{"message":"m","resources":[{"name":"EU","contact":" "}]}"#;
        let many = format!(
            r#"{{"message":"m","resources":[{}]}}"#,
            vec![r#"{"name":"n","contact":"1"}"#; 21].join(",")
        );
        for bad in [empty_contact.to_owned(), many, "/dev/zero".to_owned()] {
            assert_eq!(read(Some(bad)).unwrap_err().variable, "CRISIS_RESOURCES");
        }
    }
}
