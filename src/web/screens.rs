//! The app's screens, as the server must know them to answer a reload or a bookmark:
//! the paths of `web/routes.js` (a test keeps the two lists the same).

/// Every screen's path; `:name` is one path segment, any text (usernames have dots).
const SCREENS: &[&str] = &[
    "/signin",
    "/register",
    "/forgot-password",
    "/reset-password",
    "/verify-email",
    "/unsubscribe",
    "/",
    "/messages",
    "/messages/new",
    "/messages/:id",
    "/support",
    "/mood",
    "/measures",
    "/measures/:instrument",
    "/cbt",
    "/cbt/thought-records",
    "/cbt/thought-records/new",
    "/cbt/thought-records/:id",
    "/cbt/activities",
    "/cbt/activities/new",
    "/cbt/activities/:id",
    "/cbt/exposure-ladders",
    "/cbt/exposure-ladders/new",
    "/cbt/exposure-ladders/:id",
    "/safety-plan",
    "/feedback",
    "/settings",
    "/clinician",
    "/clinician/alerts",
    "/clinician/patients/:username",
    "/clinician/patients/:username/overview",
    "/clinician/patients/:username/mood",
    "/clinician/patients/:username/safety-plan",
    "/admin",
    "/admin/feedback",
    "/admin/audit",
];

/// Whether `path` (as requested, still percent-encoded) is one of the app's screens,
/// matched as `web/router.js` matches it: by non-empty segments, so a trailing slash
/// does not matter.
pub fn is_screen(path: &str) -> bool {
    let parts: Vec<&str> = segments(path).collect();
    SCREENS.iter().any(|screen| {
        let pattern: Vec<&str> = segments(screen).collect();
        pattern.len() == parts.len()
            && pattern
                .iter()
                .zip(&parts)
                .all(|(want, got)| want.starts_with(':') || want == got)
    })
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `path: '...'` of every route in `web/routes.js`.
    fn paths_in_routes_js() -> Vec<String> {
        let source = include_str!("../../web/routes.js");
        source
            .split("path: '")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_server_knows_every_screen_of_the_app() {
        let mut theirs = paths_in_routes_js();
        let mut ours: Vec<String> = SCREENS.iter().map(|s| s.to_string()).collect();
        theirs.sort();
        ours.sort();
        assert!(
            theirs.len() > 10,
            "web/routes.js still lists its screens as path: '...'"
        );
        assert_eq!(
            ours, theirs,
            "SCREENS and web/routes.js list the same screens"
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
            assert!(is_screen(path), "{path}");
        }
        for path in [
            "/nowhere",
            "/messages/1/2",
            "/clinician/patients",
            "/clinician/patients/jordan.lee/notes",
            "/app2.js",
            "/admin/x",
        ] {
            assert!(!is_screen(path), "{path}");
        }
    }
}
