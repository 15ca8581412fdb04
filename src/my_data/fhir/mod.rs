//! `GET /api/me/export?format=fhir`: a person's questionnaires and mood check-ins as a
//! FHIR R4 `Bundle` of type `collection`, for another health record to import.
//!
//! LOINC codes, checked before use (December 2026) against LOINC's own term pages and
//! published references:
//! - 44249-1 "PHQ-9 quick depression assessment panel [Reported.PHQ]", which LOINC's page
//!   for 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
//!   lists as its panel (active, class SURVEY.PHQ);
//! - 69737-5 "Generalized anxiety disorder 7 item (GAD-7)" (the panel), and 70274-6
//!   "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]" (active;
//!   LOINC 2.77 lists it among the GAD-7 terms of the PHQ-SADS panel 69729-2).
//!
//! The display strings below are LOINC's long common names.
//!
//! The C-SSRS screener and mood check-ins have no LOINC code used here: they are coded in
//! Healing Space's own namespace ([`NAMESPACE`]).

pub mod resources;

use sha2::{Digest, Sha256};

use crate::accounts::{Role, User};
use crate::clinical::{Answer, Answers, InstrumentId};
use crate::measures::store::StoredResponse;
use crate::mood::store::MoodEntry;
use crate::storage::rfc3339;
use resources::*;

/// Healing Space's namespace for its identifiers, code systems and questionnaires: a
/// stable name, not an address that must answer.
pub const NAMESPACE: &str = "https://healing-space.example.org/fhir";
pub const LOINC: &str = "http://loinc.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const UCUM: &str = "http://unitsofmeasure.org";

/// What the bundle is made of, read from the database.
pub struct Sources<'a> {
    pub user: &'a User,
    pub responses: &'a [StoredResponse],
    pub mood: &'a [MoodEntry],
    pub exported_at: i64,
}

/// The instrument's canonical questionnaire and, for a scored one, its total's LOINC code
/// and display, and what its bands measure.
struct Coded {
    questionnaire: String,
    total: Option<(&'static str, &'static str, &'static str)>,
}

fn coded(instrument: InstrumentId) -> Coded {
    match instrument {
        InstrumentId::Phq9 => Coded {
            questionnaire: "http://loinc.org/q/44249-1".to_owned(),
            total: Some((
                "44261-6",
                "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
                "depression",
            )),
        },
        InstrumentId::Gad7 => Coded {
            questionnaire: "http://loinc.org/q/69737-5".to_owned(),
            total: Some((
                "70274-6",
                "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
                "anxiety",
            )),
        },
        InstrumentId::Cssrs => Coded {
            questionnaire: format!("{NAMESPACE}/Questionnaire/cssrs-screener-recent"),
            total: None,
        },
    }
}

/// A `urn:uuid:` that is the same for the same row in every export of this person (SHA-256
/// of whose it is and what, as a version 8 UUID), and differs between people and
/// deployments (the person's username and the moment their account was made).
pub fn full_url(user: &User, kind: &str, id: i64) -> String {
    let digest = Sha256::digest(format!(
        "healing-space/{}/{}/{kind}/{id}",
        user.username, user.created_at
    ));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!(
        "urn:uuid:{}",
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    )
}

/// The bundle: the person first, then each response followed by its total, then mood.
pub fn bundle(sources: &Sources<'_>) -> FhirBundle {
    let user = sources.user;
    let person_url = full_url(user, "user", user.id);
    let subject = Reference {
        reference: person_url.clone(),
    };
    let mut entry = vec![BundleEntry {
        full_url: person_url,
        resource: FhirResource::Person(person(user)),
    }];
    for stored in sources.responses {
        let Some(instrument) = InstrumentId::parse(&stored.instrument) else {
            tracing::error!(id = stored.id, "a stored response names no questionnaire");
            continue;
        };
        let response_url = full_url(user, "measure-response", stored.id);
        let coded = coded(instrument);
        let response = questionnaire_response(stored, instrument, &coded, &subject);
        entry.push(BundleEntry {
            full_url: response_url.clone(),
            resource: FhirResource::QuestionnaireResponse(response),
        });
        if let (Some(total), Some(code)) = (stored.total, coded.total) {
            let derived_from = Reference {
                reference: response_url,
            };
            entry.push(BundleEntry {
                full_url: full_url(user, "measure-total", stored.id),
                resource: FhirResource::Observation(total_observation(
                    stored,
                    instrument,
                    total,
                    code,
                    &subject,
                    derived_from,
                )),
            });
        }
    }
    for mood in sources.mood {
        entry.push(BundleEntry {
            full_url: full_url(user, "mood-entry", mood.id),
            resource: FhirResource::Observation(mood_observation(mood, &subject)),
        });
    }
    FhirBundle {
        resource_type: BundleType::Bundle,
        kind: BundleKind::Collection,
        timestamp: rfc3339(sources.exported_at),
        entry,
    }
}

fn person(user: &User) -> FhirPerson {
    FhirPerson {
        resource_type: match user.role {
            Role::Patient => PersonType::Patient,
            _ => PersonType::Person,
        },
        identifier: vec![Identifier {
            system: format!("{NAMESPACE}/username"),
            value: user.username.clone(),
        }],
        active: user.status() == "active",
        name: vec![HumanName {
            text: user.display_name.clone(),
        }],
    }
}

fn questionnaire_response(
    stored: &StoredResponse,
    instrument: InstrumentId,
    coded: &Coded,
    subject: &Reference,
) -> FhirQuestionnaireResponse {
    let answers: Answers = serde_json::from_str(&stored.answers).unwrap_or_else(|error| {
        tracing::error!(%error, id = stored.id, "a stored response's answers are unreadable");
        Answers::new()
    });
    // In the questionnaire's order; items not asked (or left out) have no answer.
    let item = instrument
        .instrument()
        .items
        .iter()
        .filter_map(|item| {
            let answer = match answers.get(item.id)? {
                Answer::Points(points) => ItemAnswer {
                    value_integer: Some(*points),
                    value_boolean: None,
                },
                Answer::YesNo(yes) => ItemAnswer {
                    value_integer: None,
                    value_boolean: Some(*yes),
                },
            };
            Some(ResponseItem {
                link_id: item.id.to_owned(),
                text: item.text.to_owned(),
                answer: vec![answer],
            })
        })
        .collect();
    FhirQuestionnaireResponse {
        resource_type: QuestionnaireResponseType::QuestionnaireResponse,
        identifier: Identifier {
            system: format!("{NAMESPACE}/measure-response"),
            value: stored.id.to_string(),
        },
        questionnaire: coded.questionnaire.clone(),
        status: "completed",
        subject: subject.clone(),
        authored: rfc3339(stored.submitted_at),
        item,
    }
}

/// `moderately_severe` as `Moderately severe`.
fn band_label(band: &str) -> String {
    let words = band.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn total_observation(
    stored: &StoredResponse,
    instrument: InstrumentId,
    total: i64,
    (code, display, measures): (&str, &str, &str),
    subject: &Reference,
    derived_from: Reference,
) -> FhirObservation {
    let maximum = instrument
        .instrument()
        .items
        .iter()
        .filter(|item| item.scored)
        .count()
        * 3;
    let (interpretation, note) = if stored.band.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let label = band_label(&stored.band);
        let concept = CodeableConcept {
            text: Some(format!("{label} {measures}")),
            ..CodeableConcept::coded(
                &format!("{NAMESPACE}/CodeSystem/severity"),
                &stored.band,
                &label,
            )
        };
        let note = Annotation {
            text: format!(
                "{} total {total} of {maximum}: {} {measures}.",
                instrument_label(instrument),
                label.to_lowercase()
            ),
        };
        (vec![concept], vec![note])
    };
    FhirObservation {
        resource_type: ObservationType::Observation,
        status: "final",
        category: vec![survey()],
        code: CodeableConcept::coded(LOINC, code, display),
        subject: subject.clone(),
        effective_date_time: rfc3339(stored.submitted_at),
        value_integer: total,
        interpretation,
        note,
        derived_from: vec![derived_from],
        component: Vec::new(),
    }
}

fn instrument_label(instrument: InstrumentId) -> &'static str {
    match instrument {
        InstrumentId::Phq9 => "PHQ-9",
        InstrumentId::Gad7 => "GAD-7",
        InstrumentId::Cssrs => "C-SSRS",
    }
}

fn survey() -> CodeableConcept {
    CodeableConcept::coded(OBSERVATION_CATEGORY, "survey", "Survey")
}

fn mood_observation(mood: &MoodEntry, subject: &Reference) -> FhirObservation {
    let observations = format!("{NAMESPACE}/CodeSystem/observations");
    let component = mood
        .sleep_hours
        .map(|hours| ObservationComponent {
            code: CodeableConcept::coded(&observations, "sleep-hours", "Hours slept"),
            value_quantity: Quantity {
                value: hours,
                unit: "h".to_owned(),
                system: UCUM.to_owned(),
                code: "h".to_owned(),
            },
        })
        .into_iter()
        .collect();
    let note = mood
        .note
        .iter()
        .filter(|note| !note.trim().is_empty())
        .map(|note| Annotation { text: note.clone() })
        .collect();
    FhirObservation {
        resource_type: ObservationType::Observation,
        status: "final",
        category: vec![survey()],
        code: CodeableConcept::coded(&observations, "mood-score", "Mood score (1 to 10)"),
        subject: subject.clone(),
        effective_date_time: rfc3339(mood.recorded_at),
        value_integer: mood.score,
        interpretation: Vec::new(),
        note,
        derived_from: Vec::new(),
        component,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_urls_are_uuids_stable_per_row_and_distinct_per_kind_and_person() {
        let user = |username: &str| User {
            id: 1,
            username: username.to_owned(),
            display_name: "Someone".to_owned(),
            email: None,
            role: Role::Patient,
            approved_at: None,
            disabled_at: None,
            created_at: 1_700_000_000_000,
            last_login_at: None,
            email_verified_at: None,
            closed_at: None,
        };
        let (me, other) = (user("me"), user("other"));
        let url = full_url(&me, "measure-response", 7);
        assert_eq!(url, full_url(&me, "measure-response", 7));
        assert_ne!(url, full_url(&me, "measure-total", 7));
        assert_ne!(url, full_url(&me, "measure-response", 8));
        assert_ne!(url, full_url(&other, "measure-response", 7));
        let uuid = url.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid.parse::<uuid::Uuid>().unwrap().get_version_num(), 8);
    }

    #[test]
    fn bands_read_as_words() {
        assert_eq!(band_label("moderately_severe"), "Moderately severe");
        assert_eq!(band_label("minimal"), "Minimal");
        assert_eq!(band_label(""), "");
    }
}
