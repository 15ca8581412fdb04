//! The authorisation table's rows for password recovery and my profile. Reset requests
//! and links need no session (a link's token is its authority); a made-up token is a 400
//! for everyone.

use serde_json::json;

use super::{row, Row};

pub fn rows() -> Vec<Row> {
    vec![
        row(
            "POST",
            "/api/auth/password-reset",
            Some(json!({ "username_or_email": "patient.a" })),
            [202, 202, 202, 202, 202, 202, 202],
        ),
        row(
            "POST",
            "/api/auth/password-reset/complete",
            Some(json!({ "token": "made-up", "new_password": "a long passphrase" })),
            [400, 400, 400, 400, 400, 400, 400],
        ),
        row(
            "POST",
            "/api/me/email/verify",
            Some(json!({ "token": "made-up" })),
            [400, 400, 400, 400, 400, 400, 400],
        ),
        row(
            "PATCH",
            "/api/me",
            Some(json!({})),
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/admin/users/patient.b/reset-link",
            Some(json!({})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
    ]
}
