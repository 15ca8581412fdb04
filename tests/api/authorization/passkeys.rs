//! The authorisation table's rows for passkeys. The table's server is reached at
//! 127.0.0.1, an IP address, where no relying party can be named: the ceremonies answer
//! `409 passkeys_unavailable` once the caller has passed what guards them (a session for
//! adding one; nothing for signing in). `tests/api/passkeys.rs` runs them at `localhost`.

use serde_json::{json, Value};

use super::{row, Row};

/// A credential of the right shape, whose bytes prove nothing.
fn made_up(response: Value) -> Value {
    json!({ "id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": response, "extensions": {} })
}

pub fn rows() -> Vec<Row> {
    let created = made_up(json!({ "attestationObject": "AAAA", "clientDataJSON": "AAAA" }));
    let asserted = made_up(json!({
        "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA"
    }));
    vec![
        row(
            "GET",
            "/api/auth/passkeys",
            None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        // Nobody's passkey has this id: 404 for everyone signed in, as another's would be.
        row(
            "DELETE",
            "/api/auth/passkeys/999999",
            None,
            [401, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "POST",
            "/api/auth/passkeys/register/start",
            None,
            [401, 409, 409, 409, 409, 409, 409],
        ),
        row(
            "POST",
            "/api/auth/passkeys/register/finish",
            Some(json!({ "ceremony": "made-up", "name": "Phone", "credential": created })),
            [401, 409, 409, 409, 409, 409, 409],
        ),
        row("POST", "/api/auth/passkeys/sign-in/start", None, [409; 7]),
        row(
            "POST",
            "/api/auth/passkeys/sign-in/finish",
            Some(json!({ "ceremony": "made-up", "credential": asserted })),
            [409; 7],
        ),
    ]
}
