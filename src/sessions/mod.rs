//! Sessions: server-side, in the database, so they survive restarts, redeploys, several
//! instances and key rotation. Validity never depends on `SECRET_KEY`; it signs only the
//! CSRF tokens.

pub mod cookie;
pub mod csrf;
pub mod current;
pub mod roles;
pub mod routes;
pub mod store;
pub mod views;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::config::{SessionSettings, Settings};
use crate::storage::{millis, now_ms, Database, DbError};
pub use current::{CurrentUser, SessionCheck};
pub use roles::{Admin, Clinician, Patient};
use store::StoredSession;

/// A freshly issued token: the secret goes to the cookie, only its hash to the database.
pub struct IssuedToken {
    pub session_id: String,
    pub token: SecretString,
    pub token_hash: String,
}

impl IssuedToken {
    pub fn new_session() -> Self {
        IssuedToken::for_session(hex::encode(random_bytes::<16>()))
    }

    pub fn for_session(session_id: String) -> Self {
        let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        IssuedToken {
            session_id,
            token_hash: hash_token(&token),
            token: SecretString::from(token),
        }
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Why a session ended, as stored in `sessions.end_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    SignedOut,
    SignedOutElsewhere,
    SignedInAgain,
    PasswordChanged,
    Admin,
    AccountDisabled,
    AccountClosed,
    IdleTimeout,
    AbsoluteLifetime,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::SignedOut => "signed_out",
            EndReason::SignedOutElsewhere => "signed_out_elsewhere",
            EndReason::SignedInAgain => "signed_in_again",
            EndReason::PasswordChanged => "password_changed",
            EndReason::Admin => "admin",
            EndReason::AccountDisabled => "account_disabled",
            EndReason::AccountClosed => "account_closed",
            EndReason::IdleTimeout => "idle_timeout",
            EndReason::AbsoluteLifetime => "absolute_lifetime",
        }
    }

    pub fn parse(text: &str) -> Option<EndReason> {
        [
            EndReason::SignedOut,
            EndReason::SignedOutElsewhere,
            EndReason::SignedInAgain,
            EndReason::PasswordChanged,
            EndReason::Admin,
            EndReason::AccountDisabled,
            EndReason::AccountClosed,
            EndReason::IdleTimeout,
            EndReason::AbsoluteLifetime,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == text)
    }
}

/// Why a request is not signed in. Each maps to one 401 code and a message for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSignedIn {
    NoCookie,
    Unknown,
    Ended(EndReason),
    AccountDisabled,
    /// The owner closed the account.
    AccountClosed,
}

impl NotSignedIn {
    /// The finer reason shown next to the code: which limit, or who ended it.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            NotSignedIn::Ended(EndReason::IdleTimeout) => Some("idle"),
            NotSignedIn::Ended(EndReason::AbsoluteLifetime) => Some("absolute"),
            NotSignedIn::Ended(EndReason::AccountDisabled) | NotSignedIn::AccountDisabled => None,
            NotSignedIn::Ended(EndReason::AccountClosed) | NotSignedIn::AccountClosed => None,
            NotSignedIn::Ended(reason) => Some(reason.as_str()),
            _ => None,
        }
    }

    pub fn message(self, settings: &SessionSettings) -> String {
        match self {
            NotSignedIn::NoCookie => "You are not signed in. Please sign in to continue.".into(),
            NotSignedIn::Unknown => {
                "We do not recognise this sign-in (it may be very old). Please sign in again.".into()
            }
            NotSignedIn::AccountDisabled | NotSignedIn::Ended(EndReason::AccountDisabled) => {
                "Your account has been disabled. Please contact your care team or an administrator.".into()
            }
            NotSignedIn::AccountClosed | NotSignedIn::Ended(EndReason::AccountClosed) => {
                "This account was closed by its owner. An administrator can reopen it during a grace period after closing; after that its personal details are erased.".into()
            }
            NotSignedIn::Ended(EndReason::IdleTimeout) => format!(
                "You were signed out after {} without activity, to keep your information safe. Please sign in again.",
                describe_duration(settings.idle_timeout.as_secs())
            ),
            NotSignedIn::Ended(EndReason::AbsoluteLifetime) => format!(
                "Your sign-in reached its maximum length of {}. Please sign in again.",
                describe_duration(settings.absolute_lifetime.as_secs())
            ),
            NotSignedIn::Ended(EndReason::SignedOut) => "You signed out. Please sign in again.".into(),
            NotSignedIn::Ended(EndReason::SignedOutElsewhere) => {
                "You signed out on another device. Please sign in again.".into()
            }
            NotSignedIn::Ended(EndReason::SignedInAgain) => {
                "You signed in again in this browser, which closed this older sign-in. Please sign in again.".into()
            }
            NotSignedIn::Ended(EndReason::PasswordChanged) => {
                "Your password was changed, so you were signed out here. Please sign in with the new password.".into()
            }
            NotSignedIn::Ended(EndReason::Admin) => {
                "An administrator signed you out. Please sign in again.".into()
            }
        }
    }
}

/// A refused session: why, which session (if it was found), and whether this very
/// request ended it (an expiry noticed now).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub why: NotSignedIn,
    pub session_id: Option<String>,
    pub ended_now: bool,
}

impl Refusal {
    pub fn new(why: NotSignedIn) -> Self {
        Refusal {
            why,
            session_id: None,
            ended_now: false,
        }
    }
}

fn describe_duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "minute"),
        s => plural(s, "second"),
    }
}

/// The outcome of presenting a token.
pub enum Lookup {
    Live(Box<StoredSession>),
    Refused(Refusal),
}

/// Finds the session for a token and decides whether it is still live, recording an
/// expiry the first time it is noticed so later requests get the same reason.
pub async fn lookup(
    db: &Database,
    settings: &SessionSettings,
    token: &str,
) -> Result<Lookup, DbError> {
    let Some(session) = find_session(db, &hash_token(token)).await? else {
        return Ok(Lookup::Refused(Refusal::new(NotSignedIn::Unknown)));
    };
    let refuse = |why, ended_now| {
        Ok(Lookup::Refused(Refusal {
            why,
            session_id: Some(session.id.clone()),
            ended_now,
        }))
    };
    let now = now_ms();
    match verdict(Facts::of_stored(&session), settings, now) {
        Verdict::Live => {}
        Verdict::Refused(why) => return refuse(why, false),
        Verdict::ExpiredNow(reason) => {
            store::end_one(db, session.user.id, &session.id, reason, None).await?;
            return refuse(NotSignedIn::Ended(reason), true);
        }
    }
    let touch_every = touch_interval(settings);
    if now - session.last_seen_at >= touch_every {
        store::touch(db, &session.id, now, now - touch_every).await?;
    }
    Ok(Lookup::Live(Box::new(session)))
}

/// What decides whether a session is live.
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct SessionState {
    pub user_id: i64,
    pub end_reason: Option<String>,
    pub expires_at: i64,
    pub last_seen_at: i64,
    pub disabled_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// The facts a verdict reads, borrowed: the request path allocates nothing for it.
#[derive(Clone, Copy)]
struct Facts<'a> {
    end_reason: Option<&'a str>,
    expires_at: i64,
    last_seen_at: i64,
    disabled: bool,
    closed: bool,
}

impl<'a> Facts<'a> {
    fn of_stored(session: &'a StoredSession) -> Self {
        Facts {
            end_reason: session.end_reason.as_deref(),
            expires_at: session.expires_at,
            last_seen_at: session.last_seen_at,
            disabled: session.user.disabled_at.is_some(),
            closed: session.user.closed_at.is_some(),
        }
    }

    fn of_state(state: &'a SessionState) -> Self {
        Facts {
            end_reason: state.end_reason.as_deref(),
            expires_at: state.expires_at,
            last_seen_at: state.last_seen_at,
            disabled: state.disabled_at.is_some(),
            closed: state.closed_at.is_some(),
        }
    }
}

enum Verdict {
    Live,
    Refused(NotSignedIn),
    /// Past a limit, noticed now: the session is to be ended with this reason.
    ExpiredNow(EndReason),
}

fn verdict(state: Facts<'_>, settings: &SessionSettings, now: i64) -> Verdict {
    if state.closed {
        return Verdict::Refused(NotSignedIn::AccountClosed);
    }
    if state.disabled {
        return Verdict::Refused(NotSignedIn::AccountDisabled);
    }
    if let Some(reason) = state.end_reason {
        let reason = match EndReason::parse(reason).unwrap_or(EndReason::SignedOut) {
            // The account was enabled again since: what remains true is that an
            // administrator ended this session.
            EndReason::AccountDisabled => EndReason::Admin,
            reason => reason,
        };
        return Verdict::Refused(NotSignedIn::Ended(reason));
    }
    if now >= state.expires_at {
        Verdict::ExpiredNow(EndReason::AbsoluteLifetime)
    } else if now >= state.last_seen_at + millis(settings.idle_timeout) {
        Verdict::ExpiredNow(EndReason::IdleTimeout)
    } else {
        Verdict::Live
    }
}

/// Whether a session (by id) is still live, without counting this as activity: for an
/// open event stream, which must not keep an idle session alive. A session past a limit
/// is ended now, as a request would.
pub async fn still_live(
    db: &Database,
    settings: &SessionSettings,
    session_id: &str,
) -> Result<Result<SessionState, NotSignedIn>, DbError> {
    let Some(state) = store::state_of(db, session_id).await? else {
        return Ok(Err(NotSignedIn::Unknown));
    };
    Ok(match verdict(Facts::of_state(&state), settings, now_ms()) {
        Verdict::Live => Ok(state),
        Verdict::Refused(why) => Err(why),
        Verdict::ExpiredNow(reason) => {
            store::end_one(db, state.user_id, session_id, reason, None).await?;
            Err(NotSignedIn::Ended(reason))
        }
    })
}

/// This browser's session as `still_live` sees it (without counting as activity), from
/// its cookie: for the web app's warning before the idle timeout.
pub async fn peek(
    db: &Database,
    settings: &Settings,
    headers: &axum::http::HeaderMap,
) -> Result<Result<SessionState, NotSignedIn>, DbError> {
    let mut refusal = NotSignedIn::NoCookie;
    for token in cookie::tokens_from(headers, settings) {
        let Some(session) = find_session(db, &hash_token(&token)).await? else {
            refusal = NotSignedIn::Unknown;
            continue;
        };
        return still_live(db, &settings.sessions, &session.id).await;
    }
    Ok(Err(refusal))
}

/// How long a replaced token keeps working, for requests that were already on their way.
const REPLACED_TOKEN_GRACE_MS: i64 = 60_000;

async fn find_session(db: &Database, token_hash: &str) -> Result<Option<StoredSession>, DbError> {
    if let Some(session) =
        store::find_by_token_hash(db, token_hash, store::TokenColumn::Current).await?
    {
        return Ok(Some(session));
    }
    let previous = store::find_by_token_hash(db, token_hash, store::TokenColumn::Previous).await?;
    Ok(previous.filter(|s| now_ms() - s.token_issued_at < REPLACED_TOKEN_GRACE_MS))
}

/// How stale `last_seen_at` may get before it is written again: about once a minute,
/// more often only when the idle timeout itself is shorter than a few minutes.
fn touch_interval(settings: &SessionSettings) -> i64 {
    (millis(settings.idle_timeout) / 4).clamp(1_000, 60_000)
}

/// Where a device signed in from, shortened to its network (`203.0.113.x`, or the first
/// three groups of an IPv6 address): enough for a person to tell home from elsewhere, not
/// enough to locate them.
pub fn shorten_address(address: std::net::IpAddr) -> String {
    match address {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.x")
        }
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => shorten_address(std::net::IpAddr::V4(v4)),
            None => {
                let groups = v6.segments();
                format!("{:x}:{:x}:{:x}:…", groups[0], groups[1], groups[2])
            }
        },
    }
}

/// A short description of the browser and system, for the list of signed-in devices.
pub fn describe_client(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.filter(|a| !a.trim().is_empty()) else {
        return "Unknown device".into();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        _ => agent.chars().take(80).collect(),
    }
}

pub fn expose(token: &IssuedToken) -> &str {
    token.token.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_shortened_to_their_network() {
        let short = |text: &str| shorten_address(text.parse().unwrap());
        assert_eq!(short("203.0.113.77"), "203.0.113.x");
        assert_eq!(
            short("2001:db8:85a3:8d3:1319:8a2e:370:7348"),
            "2001:db8:85a3:…"
        );
        assert_eq!(short("::ffff:192.0.2.9"), "192.0.2.x");
        assert_eq!(short("::1"), "0:0:0:…");
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = IssuedToken::new_session();
        let b = IssuedToken::new_session();
        assert_ne!(a.session_id, b.session_id);
        assert_ne!(expose(&a), expose(&b));
        assert_eq!(a.token_hash, hash_token(expose(&a)));
        assert!(expose(&a).len() >= 43);
    }

    #[test]
    fn each_reason_has_its_code() {
        assert_eq!(
            NotSignedIn::Ended(EndReason::IdleTimeout).reason(),
            Some("idle")
        );
        assert_eq!(describe_duration(1800), "30 minutes");
        assert_eq!(describe_duration(43200), "12 hours");
    }

    #[test]
    fn clients_are_described_briefly() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(describe_client(Some(chrome)), "Chrome on Linux");
        assert_eq!(describe_client(None), "Unknown device");
    }
}
