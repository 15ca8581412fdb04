//! The authorisation table's rows for password recovery, my profile and closing accounts. Reset requests
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
        // Nobody in the table has an address to confirm.
        row(
            "POST",
            "/api/me/email/resend",
            Some(json!({})),
            [401, 409, 409, 409, 409, 409, 409],
        ),
        row(
            "GET",
            "/api/me/preferences",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "PATCH",
            "/api/me",
            Some(json!({})),
            [401, 200, 200, 200, 200, 200, 200],
        ),
        // A made-up unsubscribe token is refused for everyone: the token is the authority.
        row(
            "POST",
            "/api/notifications/unsubscribe?token=1.made-up",
            None,
            [400, 400, 400, 400, 400, 400, 400],
        ),
        // Nobody in the table has closed their account; the username and password stand
        // in for a session.
        row(
            "POST",
            "/api/auth/closed-account/export",
            Some(json!({ "username": "patient.a", "password": crate::common::PASSWORD })),
            [409, 409, 409, 409, 409, 409, 409],
        ),
        // A wrong password: closing needs the right one, and the table's people stay.
        row(
            "POST",
            "/api/me/close",
            Some(json!({ "password": "not the password" })),
            [401, 403, 403, 403, 403, 403, 403],
        ),
        row(
            "POST",
            "/api/admin/users/patient.b/reopen",
            Some(json!({})),
            [401, 403, 403, 403, 403, 403, 409],
        ),
        row(
            "POST",
            "/api/admin/users/patient.b/reset-link",
            Some(json!({})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
    ]
}
