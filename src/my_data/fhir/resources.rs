//! The FHIR R4 (4.0.1) resources and data types the export uses: only the elements it
//! fills. FHIR JSON has no `null` and no empty arrays, so absent elements are left out.
//! Each resource's `resourceType` is a one-value enum, so that the schemas of the
//! bundle's entries exclude one another.

use serde::Serialize;
use utoipa::ToSchema;

/// `Bundle`.
#[derive(Serialize, ToSchema, Clone, Copy)]
pub enum BundleType {
    Bundle,
}

/// A bundle of type `collection`.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum BundleKind {
    Collection,
}

/// Everything stored about me as a FHIR R4 `Bundle` of type `collection`: my `Patient`, a
/// `QuestionnaireResponse` per questionnaire answered, an `Observation` per PHQ-9 or GAD-7
/// total and per mood check-in. References between entries are their `fullUrl`s
/// (`urn:uuid:`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FhirBundle {
    pub resource_type: BundleType,
    #[serde(rename = "type")]
    pub kind: BundleKind,
    /// When the export was made.
    pub timestamp: String,
    pub entry: Vec<BundleEntry>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    /// `urn:uuid:…`, stable for the same row.
    pub full_url: String,
    pub resource: FhirResource,
}

#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum FhirResource {
    Person(FhirPerson),
    QuestionnaireResponse(FhirQuestionnaireResponse),
    Observation(FhirObservation),
}

/// `Patient` for a patient; `Person` for a clinician or an administrator.
#[derive(Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
pub enum PersonType {
    Patient,
    Person,
}

/// The person: the username as identifier, the display name; no secret of any kind.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FhirPerson {
    pub resource_type: PersonType,
    pub identifier: Vec<Identifier>,
    pub active: bool,
    pub name: Vec<HumanName>,
}

#[derive(Serialize, ToSchema)]
pub enum QuestionnaireResponseType {
    QuestionnaireResponse,
}

/// One questionnaire response with every item answered.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FhirQuestionnaireResponse {
    pub resource_type: QuestionnaireResponseType,
    pub identifier: Identifier,
    /// The questionnaire's canonical URL (LOINC's for PHQ-9 and GAD-7).
    pub questionnaire: String,
    /// Always `completed`.
    pub status: &'static str,
    pub subject: Reference,
    pub authored: String,
    pub item: Vec<ResponseItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    /// The item's id in the questionnaire (`1`…`9`, `difficulty`, `6b`).
    pub link_id: String,
    pub text: String,
    pub answer: Vec<ItemAnswer>,
}

/// `valueInteger` (0 to 3) or `valueBoolean` (yes or no).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub enum ObservationType {
    Observation,
}

/// A questionnaire's total (LOINC-coded) or a mood check-in.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FhirObservation {
    pub resource_type: ObservationType,
    /// Always `final`.
    pub status: &'static str,
    pub category: Vec<CodeableConcept>,
    pub code: CodeableConcept,
    pub subject: Reference,
    pub effective_date_time: String,
    pub value_integer: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interpretation: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<ObservationComponent>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservationComponent {
    pub code: CodeableConcept,
    pub value_quantity: Quantity,
}

#[derive(Serialize, ToSchema)]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct HumanName {
    pub text: String,
}

/// A reference to another entry, by its `fullUrl`.
#[derive(Serialize, ToSchema, Clone)]
pub struct Reference {
    pub reference: String,
}

#[derive(Serialize, ToSchema)]
pub struct CodeableConcept {
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Coding {
    pub system: String,
    pub code: String,
    pub display: String,
}

#[derive(Serialize, ToSchema)]
pub struct Annotation {
    pub text: String,
}

/// A UCUM quantity.
#[derive(Serialize, ToSchema)]
pub struct Quantity {
    pub value: f64,
    pub unit: String,
    pub system: String,
    pub code: String,
}

impl CodeableConcept {
    pub fn coded(system: &str, code: &str, display: &str) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding {
                system: system.to_owned(),
                code: code.to_owned(),
                display: display.to_owned(),
            }],
            text: None,
        }
    }
}
