//! Every error code the API answers with, one variant each, written on the wire as the
//! snake_case string clients match on (`web/api.js` uses the same names).

use serde::{Serialize, Serializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Declares the enum, its wire name for each variant, and the list of all of them, from
/// one table, so a code's name is written once.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }
        }
    };
}

error_codes! {
    // The request itself
    /// The body is not the JSON the route expects.
    MalformedJson => "malformed_json",
    UnreadableBody => "unreadable_body",
    UnsupportedMediaType => "unsupported_media_type",
    PayloadTooLarge => "payload_too_large",
    /// A field is missing or not acceptable; `field` names it.
    ValidationFailed => "validation_failed",
    NotFound => "not_found",
    MethodNotAllowed => "method_not_allowed",
    AlreadyExists => "already_exists",
    TooManyRequests => "too_many_requests",
    /// The request is not valid HTTP (answered by the server before any route).
    MalformedRequest => "malformed_request",
    UriTooLong => "uri_too_long",
    HeadersTooLarge => "headers_too_large",
    // Signing in and sessions
    InvalidCredentials => "invalid_credentials",
    TooManyAttempts => "too_many_attempts",
    NotAuthenticated => "not_authenticated",
    SessionUnknown => "session_unknown",
    SessionExpired => "session_expired",
    SessionRevoked => "session_revoked",
    AccountDisabled => "account_disabled",
    /// The owner closed this account (`POST /api/me/close`).
    AccountClosed => "account_closed",
    SessionChanged => "session_changed",
    CsrfFailed => "csrf_failed",
    WrongPassword => "wrong_password",
    /// A TOTP or recovery code that is not right (or was used before).
    InvalidCode => "invalid_code",
    /// No sign-in is waiting for a second step in this browser: it expired, was finished,
    /// or had too many wrong codes. Sign in again with the password.
    SecondStepMissing => "second_step_missing",
    /// Setting up TOTP when it is already on.
    TwoFactorAlreadyOn => "two_factor_already_enabled",
    /// Confirming or using TOTP that was never set up.
    TwoFactorNotStarted => "two_factor_not_started",
    Forbidden => "forbidden",
    // Features
    ClinicianNotApproved => "clinician_not_approved",
    NotPending => "not_pending",
    CannotDisableSelf => "cannot_disable_self",
    RecipientNotAllowed => "recipient_not_allowed",
    /// An `Idempotency-Key` already used for a different message.
    IdempotencyKeyReused => "idempotency_key_reused",
    /// There is no administrator for "Contact support" to reach.
    SupportUnavailable => "support_unavailable",
    /// An administrator may not make a reset link for this account.
    ResetLinkRefused => "reset_link_refused",
    /// This server sends no mail (`SMTP_URL` is not set), so no link can be mailed.
    MailUnavailable => "mail_unavailable",
    /// A risk alert that is already resolved cannot be acknowledged or resolved again.
    AlertAlreadyResolved => "alert_already_resolved",
    /// A save made from a version that is no longer current (`If-Match`): someone else
    /// saved first. `current_version` says which version is current now.
    PreconditionFailed => "precondition_failed",
    /// A save that does not say which version it was made from (`If-Match`).
    PreconditionRequired => "precondition_required",
    /// A reset or address link that was never made (or mistyped).
    LinkUnknown => "link_unknown",
    /// A reset or address link that was already used: each works once.
    LinkUsed => "link_used",
    /// A reset or address link past its time.
    LinkExpired => "link_expired",
    /// Reopening an account that is not closed, or whose grace period is over.
    NotClosed => "not_closed",
    AccountErased => "account_erased",
    /// There is nothing to act on yet (reviewing a safety plan that was never written).
    NothingToReview => "nothing_to_review",
    // The server
    DatabaseUnavailable => "database_unavailable",
    /// `/api/ready`: the database needs an operator (not migrated, say).
    NotReady => "not_ready",
    /// SQLite cannot write its files (a full disk, a read-only file): nothing was saved.
    StorageUnavailable => "storage_unavailable",
    /// Every connection the server takes at once is in use (`MAX_CONNECTIONS`).
    ServerBusy => "server_busy",
    RequestTimeout => "request_timeout",
    InternalError => "internal_error",
    // Passkeys
    /// This deployment's address is no domain name (an IP address, say), so passkeys
    /// cannot be offered there.
    PasskeysUnavailable => "passkeys_unavailable",
    /// A passkey ceremony that is unknown, already finished, expired or another person's.
    PasskeyCeremonyExpired => "passkey_ceremony_expired",
    /// A passkey (or a new one) that did not verify, or that belongs to no account.
    PasskeyNotAccepted => "passkey_not_accepted",
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// In the OpenAPI document, a string that is one of the codes above.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("What went wrong, for programs to act on."))
            .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_snake_case_and_unique() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} is not snake_case"
            );
            assert!(seen.insert(name), "{name} appears twice");
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
    }
}
