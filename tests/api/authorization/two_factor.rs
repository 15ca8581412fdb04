//! The authorisation table's rows for two-factor sign-in. Everyone signed in may set up
//! their own; the second step needs its own cookie, which no caller here has; only an
//! administrator resets someone else's.

use serde_json::json;

use super::{row, Row};
use crate::common::PASSWORD;

pub fn rows() -> Vec<Row> {
    vec![
        row(
            "GET",
            "/api/auth/2fa",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/auth/2fa/totp/setup",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        row(
            "POST",
            "/api/auth/2fa/totp/confirm",
            Some(json!({ "code": "not a code" })),
            [401, 422, 422, 422, 422, 422, 422],
        ),
        row(
            "POST",
            "/api/auth/2fa/verify",
            Some(json!({ "code": "123456" })),
            [401, 401, 401, 401, 401, 401, 401],
        ),
        row(
            "POST",
            "/api/auth/2fa/recovery-codes",
            Some(json!({ "password": PASSWORD })),
            [401, 409, 409, 409, 409, 409, 409],
        ),
        row(
            "DELETE",
            "/api/auth/2fa/totp",
            Some(json!({ "password": PASSWORD })),
            [401, 409, 409, 409, 409, 409, 409],
        ),
        row(
            "POST",
            "/api/admin/users/patient.b/2fa/reset",
            None,
            [401, 403, 403, 403, 403, 403, 200],
        ),
    ]
}
