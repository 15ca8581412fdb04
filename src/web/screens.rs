//! The app's screens, as the server must know them to answer a reload or a bookmark:
//! the paths of `web/routes.js`, each with the module of its view (a test keeps the two
//! lists the same), so that the page for a screen can preload that screen's code.

/// Every screen's path, and the module its view comes from; `:name` is one path segment,
/// any text (usernames have dots).
const SCREENS: &[(&str, &str)] = &[
    ("/signin", "/views/auth.js"),
    ("/register", "/views/auth.js"),
    ("/forgot-password", "/views/recovery.js"),
    ("/reset-password", "/views/recovery.js"),
    ("/verify-email", "/views/recovery.js"),
    ("/unsubscribe", "/views/recovery.js"),
    ("/", "/views/home.js"),
    ("/messages", "/views/messages.js"),
    ("/messages/new", "/views/messages.js"),
    ("/messages/:id", "/views/messages.js"),
    ("/support", "/views/support.js"),
    ("/mood", "/views/mood.js"),
    ("/measures", "/views/measures.js"),
    ("/measures/:instrument", "/views/questionnaire.js"),
    ("/cbt", "/views/cbt.js"),
    ("/cbt/thought-records", "/views/cbt.js"),
    ("/cbt/thought-records/new", "/views/cbt-edit.js"),
    ("/cbt/thought-records/:id", "/views/cbt-edit.js"),
    ("/cbt/activities", "/views/cbt.js"),
    ("/cbt/activities/new", "/views/cbt-edit.js"),
    ("/cbt/activities/:id", "/views/cbt-edit.js"),
    ("/cbt/exposure-ladders", "/views/cbt.js"),
    ("/cbt/exposure-ladders/new", "/views/cbt-edit.js"),
    ("/cbt/exposure-ladders/:id", "/views/cbt-edit.js"),
    ("/safety-plan", "/views/safety-plan.js"),
    ("/feedback", "/views/feedback.js"),
    ("/settings", "/views/settings.js"),
    ("/clinician", "/views/clinician.js"),
    ("/clinician/alerts", "/views/alerts.js"),
    (
        "/clinician/patients/:username/overview",
        "/views/patient.js",
    ),
    ("/clinician/patients/:username/mood", "/views/clinician.js"),
    (
        "/clinician/patients/:username/safety-plan",
        "/views/safety-plan.js",
    ),
    ("/clinician/patients/:username", "/views/clinician.js"),
    ("/admin", "/views/admin.js"),
    ("/admin/feedback", "/views/admin.js"),
    ("/admin/audit", "/views/admin.js"),
];

/// The view module of the screen at `path` (as requested, still percent-encoded), if it
/// is one of the app's screens, matched as `web/router.js` matches it: by non-empty
/// segments, so a trailing slash does not matter.
pub fn view_module(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = segments(path).collect();
    SCREENS
        .iter()
        .find(|(screen, _)| {
            let pattern: Vec<&str> = segments(screen).collect();
            pattern.len() == parts.len()
                && pattern
                    .iter()
                    .zip(&parts)
                    .all(|(want, got)| want.starts_with(':') || want == got)
        })
        .map(|&(_, module)| module)
}

/// Every screen's view module, once each.
pub fn view_modules() -> std::collections::BTreeSet<&'static str> {
    SCREENS.iter().map(|&(_, module)| module).collect()
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(path, module)` of every route in `web/routes.js`: its `path: '...'`, and the
    /// module its `from: name` imports (`const name = () => import('./views/x.js');`).
    fn screens_in_routes_js() -> Vec<(String, String)> {
        let source = include_str!("../../web/routes.js");
        let module_of = |name: &str| {
            let declared = format!("const {name} = () => import('.");
            let rest = &source[source.find(&declared)? + declared.len()..];
            rest.split('\'').next().map(str::to_owned)
        };
        source
            .split("path: '")
            .skip(1)
            .filter_map(|route| {
                let path = route.split('\'').next()?;
                let from = route.split("from: ").nth(1)?;
                let name = from.split([',', ' ']).next()?;
                Some((path.to_owned(), module_of(name)?))
            })
            .collect()
    }

    #[test]
    fn the_server_knows_every_screen_of_the_app_and_its_module() {
        let mut theirs = screens_in_routes_js();
        let mut ours: Vec<(String, String)> = SCREENS
            .iter()
            .map(|&(path, module)| (path.to_owned(), module.to_owned()))
            .collect();
        theirs.sort();
        ours.sort();
        assert!(
            theirs.len() > 10,
            "web/routes.js still lists its screens as path: '...', from: name"
        );
        assert_eq!(
            ours, theirs,
            "SCREENS and web/routes.js list the same screens and modules"
        );
    }

    #[test]
    fn screens_match_by_segment() {
        for path in [
            "/",
            "/messages",
            "/messages/",
            "/messages/x.y",
            "/messages/12",
            "/clinician/patients/jordan.lee",
            "/clinician/patients/jordan.lee/mood",
            "/clinician/patients/a%2Fb",
            "/admin/audit",
        ] {
            assert!(view_module(path).is_some(), "{path}");
        }
        for path in [
            "/nowhere",
            "/messages/1/2",
            "/clinician/patients",
            "/clinician/patients/jordan.lee/notes",
            "/app2.js",
            "/admin/x",
        ] {
            assert!(view_module(path).is_none(), "{path}");
        }
    }
}
