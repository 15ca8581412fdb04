//! What a patient is told after answering: what the result means, whether anyone on
//! their care team will see it, and, when the answers speak of self-harm or when no one
//! will see them, where to get help now, first.

use super::views::{Guidance, ResponseView};
use crate::config::crisis::CrisisResources;

const NOT_MONITORED: &str = "Healing Space is not monitored around the clock. If you might act \
    on thoughts of harming yourself, do not wait for a reply: use the crisis resources now.";

/// The guidance for a response. `care_team_size` is how many clinicians the patient has.
pub fn for_response(
    response: &ResponseView,
    care_team_size: i64,
    crisis: &CrisisResources,
) -> Guidance {
    let urgent = speaks_of_self_harm(response);
    let alone = care_team_size == 0;
    Guidance {
        urgent,
        offer_safety_plan: urgent,
        crisis_resources: (urgent || alone).then(|| crisis.clone()),
        result: result(response).to_owned(),
        care_team: care_team(response, urgent, alone).to_owned(),
        monitoring: NOT_MONITORED,
    }
}

/// PHQ-9 item 9 above 0, or a C-SSRS result of moderate or high.
fn speaks_of_self_harm(response: &ResponseView) -> bool {
    response.flags.iter().any(|f| f == "item9_positive")
        || matches!(response.risk.as_deref(), Some("moderate" | "high"))
}

fn care_team(response: &ResponseView, urgent: bool, alone: bool) -> &'static str {
    match (alone, response.care_team_notified, urgent) {
        (true, _, _) => {
            "No clinician will see this answer: you are not in a care team on Healing Space. \
             If you need help, use the crisis resources or contact your GP."
        }
        (false, true, _) => {
            "Your care team has been alerted and will see this in their alert inbox. They may \
             not see it straight away."
        }
        (false, false, true) => {
            "Your care team can see your answers, but they may not see them straight away."
        }
        (false, false, false) => "Your care team can see your answers.",
    }
}

fn result(response: &ResponseView) -> &'static str {
    if response.flags.iter().any(|f| f == "item9_positive") {
        return "You told us you have had thoughts that you would be better off dead, or of \
                hurting yourself. You do not have to face this alone: please reach out now.";
    }
    match (
        response.instrument.as_str(),
        response.severity.as_deref(),
        response.risk.as_deref(),
    ) {
        ("phq9", Some(band), _) => depression(band),
        ("gad7", Some(band), _) => anxiety(band),
        (_, _, Some(risk)) => suicide_screen(risk),
        _ => "Your answers are saved.",
    }
}

fn depression(band: &str) -> &'static str {
    match band {
        "minimal" => "Your answers suggest minimal or no symptoms of depression.",
        "mild" => "Your answers suggest mild symptoms of depression.",
        "moderate" => "Your answers suggest moderate symptoms of depression. It may help to talk this through with your care team.",
        "moderately_severe" => "Your answers suggest moderately severe symptoms of depression. Please talk with your care team soon.",
        _ => "Your answers suggest severe symptoms of depression. Please talk with your care team or GP soon.",
    }
}

fn anxiety(band: &str) -> &'static str {
    match band {
        "minimal" => "Your answers suggest minimal or no symptoms of anxiety.",
        "mild" => "Your answers suggest mild symptoms of anxiety.",
        "moderate" => "Your answers suggest moderate symptoms of anxiety. It may help to talk this through with your care team.",
        _ => "Your answers suggest severe symptoms of anxiety. Please talk with your care team or GP soon.",
    }
}

fn suicide_screen(risk: &str) -> &'static str {
    match risk {
        "none" => "Thank you for answering. You said no to every question.",
        "low" => "You told us you have had thoughts of death or of ending your life. That matters: please tell someone you trust, and your care team.",
        _ => "Your answers show that you may be at risk of harming yourself. Please use the crisis resources now if you might act on these thoughts.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::Answers;

    fn response(
        instrument: &str,
        severity: Option<&str>,
        risk: Option<&str>,
        flags: &[&str],
        notified: bool,
    ) -> ResponseView {
        ResponseView {
            id: 1,
            instrument: instrument.into(),
            version: "1".into(),
            answers: Answers::new(),
            total: None,
            severity: severity.map(Into::into),
            risk: risk.map(Into::into),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            submitted_at: String::new(),
            care_team_notified: notified,
        }
    }

    #[test]
    fn self_harm_puts_the_crisis_resources_first_whoever_is_told() {
        let crisis = CrisisResources::default();
        for r in [
            response("phq9", Some("minimal"), None, &["item9_positive"], true),
            response("cssrs", None, Some("moderate"), &[], true),
            response("cssrs", None, Some("high"), &[], false),
        ] {
            let g = for_response(&r, 1, &crisis);
            assert!(g.urgent);
            assert_eq!(g.crisis_resources.as_ref(), Some(&crisis));
            assert!(g.monitoring.contains("not monitored around the clock"));
        }
        let g = for_response(
            &response("cssrs", None, Some("low"), &[], false),
            1,
            &crisis,
        );
        assert!(!g.urgent);
        assert!(g.crisis_resources.is_none());
    }

    #[test]
    fn without_a_care_team_the_patient_is_told_no_one_will_see_it() {
        let crisis = CrisisResources::default();
        let calm = response("gad7", Some("minimal"), None, &[], false);
        let g = for_response(&calm, 0, &crisis);
        assert!(g.care_team.starts_with("No clinician will see this answer"));
        assert!(
            g.crisis_resources.is_some(),
            "shown when no one will see it"
        );
        let g = for_response(&calm, 2, &crisis);
        assert_eq!(g.care_team, "Your care team can see your answers.");
        assert!(g.crisis_resources.is_none());
        let alerted = response("phq9", Some("minimal"), None, &["item9_positive"], true);
        assert!(for_response(&alerted, 1, &crisis)
            .care_team
            .contains("alerted"));
    }
}
