//! The signing keys (`SECRET_KEY`, `SECRET_KEY_NEXT`, `SECRET_KEY_FALLBACKS`): validation,
//! fingerprint, generation and the development key file.
//!
//! Sessions never depend on these keys (they live in the database); they sign CSRF tokens.
//! Production refuses a missing or weak key instead of inventing one, which is exactly
//! what the Python predecessor got wrong.
//!
//! A rotation has two steps, so that no instance ever signs with a key that another
//! instance does not accept yet: first every instance accepts a staged key
//! (`SECRET_KEY_NEXT`) while still signing with `SECRET_KEY`; then every instance signs
//! with it (`SECRET_KEY=new`) and keeps accepting the old one (`SECRET_KEY_FALLBACKS`).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{ConfigError, Mode, Source};

pub const GENERATE_COMMAND: &str = "healing-space secret generate";
const MIN_KEY_BYTES: usize = 32;
/// Far above any generated key; a bound so that no value is unreasonable to hash.
const MAX_KEY_BYTES: usize = 1024;
const MIN_DISTINCT_CHARS: usize = 10;
const FINGERPRINT_LABEL: &[u8] = b"healing-space key fingerprint v1";

/// Keys printed in public documents. Anyone who read them can forge what they sign.
const PUBLISHED_KEYS: &[&str] = &[
    // The example output in the predecessor's troubleshooting note.
    "VyuBxj_oO69TcSj81wguirrLsK3f7F9JioFrGeSTHqI",
    // The example output in Flask's own quickstart.
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
];

/// A validated signing key. `Debug` never shows the value.
#[derive(Clone)]
pub struct SecretKey(SecretString);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(fingerprint {})", self.fingerprint())
    }
}

/// Why a key was refused, worded for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    TooShort(usize),
    TooLong(usize),
    LittleVariety(usize),
    Published,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyProblem::TooShort(n) => write!(
                f,
                "is {n} bytes long; it must be at least {MIN_KEY_BYTES} bytes"
            ),
            KeyProblem::TooLong(n) => write!(
                f,
                "is {n} bytes long; it must be at most {MAX_KEY_BYTES} bytes"
            ),
            KeyProblem::LittleVariety(n) => write!(
                f,
                "has only {n} distinct characters, so it is easy to guess"
            ),
            KeyProblem::Published => write!(
                f,
                "appears in public documentation, so anyone can forge what it signs"
            ),
        }
    }
}

impl SecretKey {
    /// Checks a key an operator supplied. The error never contains the key.
    pub fn parse(value: &str) -> Result<SecretKey, KeyProblem> {
        let value = value.trim();
        if value.len() < MIN_KEY_BYTES {
            return Err(KeyProblem::TooShort(value.len()));
        }
        if value.len() > MAX_KEY_BYTES {
            return Err(KeyProblem::TooLong(value.len()));
        }
        let distinct = value.chars().collect::<BTreeSet<_>>().len();
        if distinct < MIN_DISTINCT_CHARS {
            return Err(KeyProblem::LittleVariety(distinct));
        }
        if PUBLISHED_KEYS.contains(&value) {
            return Err(KeyProblem::Published);
        }
        Ok(SecretKey(SecretString::from(value.to_owned())))
    }

    /// A fresh key: 32 bytes from the operating system's CSPRNG, URL-safe base64.
    pub fn generate() -> SecretKey {
        SecretKey(SecretString::from(generate_key_text()))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }

    /// First 16 hex digits of HMAC-SHA256 of a fixed label: lets two instances be
    /// compared without revealing the key.
    pub fn fingerprint(&self) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.bytes()).expect("HMAC takes any key");
        mac.update(FINGERPRINT_LABEL);
        hex::encode(mac.finalize().into_bytes())[..16].to_owned()
    }

    fn same_as(&self, other: &SecretKey) -> bool {
        self.bytes() == other.bytes()
    }
}

/// The text printed by `secret generate`.
pub fn generate_key_text() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The key that signs, a staged key that already verifies, and older keys still
/// accepted for verification, newest first.
#[derive(Clone, Debug)]
pub struct SigningKeys {
    pub current: SecretKey,
    pub next: Option<SecretKey>,
    pub fallbacks: Vec<SecretKey>,
    pub source: KeySource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    /// Development only: generated once and kept in the data folder.
    DevelopmentFile {
        path: PathBuf,
        created: bool,
    },
}

impl SigningKeys {
    /// Every key that may verify a signature: current, staged, then the older ones.
    pub fn verification_keys(&self) -> impl Iterator<Item = &SecretKey> {
        std::iter::once(&self.current)
            .chain(self.next.iter())
            .chain(self.fallbacks.iter())
    }
}

pub fn key_error(variable: &'static str, why: String) -> ConfigError {
    ConfigError {
        variable,
        message: format!(
            "{variable} {why}. Healing Space will not start without a strong, stable key, because \
             a missing or changing key is what signed everyone out after each redeploy. \
             Generate one with `{GENERATE_COMMAND}` and set it as {variable} in the platform's variables."
        ),
    }
}

/// The signing keys. With `create_dev_key` false (doctor), a missing development key is
/// generated in memory only and reported as such.
pub fn read_keys(
    source: &dyn Source,
    mode: Mode,
    data_dir: &Path,
    create_dev_key: bool,
) -> Result<SigningKeys, ConfigError> {
    let (current, key_source) = match source.get("SECRET_KEY") {
        Some(raw) => (parse_key("SECRET_KEY", &raw)?, KeySource::Environment),
        None if mode.is_production() => {
            return Err(key_error(
                "SECRET_KEY",
                "is not set; production mode needs it".into(),
            ))
        }
        None => {
            let path = dev_key_path(data_dir);
            let (key, created) = if create_dev_key || path.exists() {
                load_or_create_dev_key(&path)?
            } else {
                (SecretKey::generate(), true)
            };
            (key, KeySource::DevelopmentFile { path, created })
        }
    };
    let fallbacks = parse_fallbacks(source.get("SECRET_KEY_FALLBACKS").as_deref(), &current)?;
    let next = parse_next(
        source.get("SECRET_KEY_NEXT").as_deref(),
        &current,
        &fallbacks,
    )?;
    Ok(SigningKeys {
        current,
        next,
        fallbacks,
        source: key_source,
    })
}

pub fn dev_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("secret_key")
}

fn parse_key(variable: &'static str, raw: &str) -> Result<SecretKey, ConfigError> {
    SecretKey::parse(raw).map_err(|problem| key_error(variable, problem.to_string()))
}

/// Parses `SECRET_KEY_NEXT`, the staged key: new, so neither the current key (the
/// rotation is finished: remove it) nor an older one.
fn parse_next(
    raw: Option<&str>,
    current: &SecretKey,
    fallbacks: &[SecretKey],
) -> Result<Option<SecretKey>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let next = parse_key("SECRET_KEY_NEXT", raw)?;
    let refuse = |why: &str| ConfigError {
        variable: "SECRET_KEY_NEXT",
        message: format!("SECRET_KEY_NEXT {why}"),
    };
    if next.same_as(current) {
        return Err(refuse(
            "is the same as SECRET_KEY, so the rotation is finished: remove SECRET_KEY_NEXT \
             (and keep the previous key in SECRET_KEY_FALLBACKS)",
        ));
    }
    if let Some(position) = fallbacks.iter().position(|old| next.same_as(old)) {
        return Err(refuse(&format!(
            "is the same as entry {} of SECRET_KEY_FALLBACKS; a staged key must be a new one \
             from `{GENERATE_COMMAND}`",
            position + 1
        )));
    }
    Ok(Some(next))
}

/// Parses `SECRET_KEY_FALLBACKS`: comma-separated, newest first, none equal to the current key.
pub fn parse_fallbacks(
    raw: Option<&str>,
    current: &SecretKey,
) -> Result<Vec<SecretKey>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let mut keys = Vec::new();
    for (index, item) in raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        let position = index + 1;
        let key = SecretKey::parse(item).map_err(|problem| {
            key_error(
                "SECRET_KEY_FALLBACKS",
                format!("entry {position} {problem}"),
            )
        })?;
        if key.same_as(current) {
            return Err(key_error(
                "SECRET_KEY_FALLBACKS",
                format!(
                    "entry {position} is the same as SECRET_KEY; a fallback must be an older key"
                ),
            ));
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Reads the development key, generating it on first use with file mode 0600.
pub fn load_or_create_dev_key(path: &Path) -> Result<(SecretKey, bool), ConfigError> {
    let file_error = |e: std::io::Error| ConfigError {
        variable: "DATA_DIR",
        message: format!(
            "the development key file {} could not be used ({e}); make DATA_DIR a writable folder",
            path.display()
        ),
    };
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(file_error)?;
        let key = SecretKey::parse(&text).map_err(|problem| ConfigError {
            variable: "DATA_DIR",
            message: format!(
                "the development key in {} {problem}; delete the file to generate a new one",
                path.display()
            ),
        })?;
        return Ok((key, false));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(file_error)?;
    }
    let text = generate_key_text();
    write_private_file(path, &text).map_err(file_error)?;
    Ok((SecretKey(SecretString::from(text)), true))
}

fn write_private_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_accepted_and_differ() {
        let a = generate_key_text();
        let b = generate_key_text();
        assert_ne!(a, b);
        assert!(a.len() >= 43, "32 bytes in base64 is 43 characters");
        assert!(SecretKey::parse(&a).is_ok());
    }

    #[test]
    fn weak_keys_are_refused_with_the_reason() {
        assert_eq!(
            SecretKey::parse("short").unwrap_err(),
            KeyProblem::TooShort(5)
        );
        assert_eq!(
            SecretKey::parse(&"a".repeat(64)).unwrap_err(),
            KeyProblem::LittleVariety(1)
        );
        assert_eq!(
            SecretKey::parse("VyuBxj_oO69TcSj81wguirrLsK3f7F9JioFrGeSTHqI").unwrap_err(),
            KeyProblem::Published
        );
    }

    #[test]
    fn fingerprint_is_stable_and_does_not_reveal_the_key() {
        let key = SecretKey::parse("k3y-with-enough-variety-0123456789-abcdefgh").unwrap();
        assert_eq!(key.fingerprint(), key.clone().fingerprint());
        assert_eq!(key.fingerprint().len(), 16);
        assert!(!format!("{key:?}").contains("variety"));
    }

    #[test]
    fn a_staged_key_must_be_new_and_verifies_after_the_current_one() {
        let current = SecretKey::parse(&generate_key_text()).unwrap();
        let old_text = generate_key_text();
        let old = SecretKey::parse(&old_text).unwrap();
        let next_text = generate_key_text();
        let staged = parse_next(Some(&next_text), &current, std::slice::from_ref(&old))
            .unwrap()
            .unwrap();
        let keys = SigningKeys {
            current: current.clone(),
            next: Some(staged),
            fallbacks: vec![old.clone()],
            source: KeySource::Environment,
        };
        let order: Vec<String> = keys.verification_keys().map(|k| k.fingerprint()).collect();
        assert_eq!(order.len(), 3);
        assert_eq!(order[0], current.fingerprint());
        assert_eq!(order[2], old.fingerprint());
        for (text, fallbacks) in [(old_text.as_str(), vec![old]), ("short", vec![])] {
            let err = parse_next(Some(text), &current, &fallbacks).unwrap_err();
            assert_eq!(err.variable, "SECRET_KEY_NEXT");
            assert!(!err.message.contains(text));
        }
    }

    #[test]
    fn keys_too_long_to_be_reasonable_are_refused() {
        let long = generate_key_text().repeat(30);
        assert!(matches!(
            SecretKey::parse(&long),
            Err(KeyProblem::TooLong(_))
        ));
    }

    #[test]
    fn a_fallback_equal_to_the_current_key_is_refused() {
        let text = generate_key_text();
        let current = SecretKey::parse(&text).unwrap();
        let err = parse_fallbacks(Some(&text), &current).unwrap_err();
        assert_eq!(err.variable, "SECRET_KEY_FALLBACKS");
        assert!(!err.message.contains(&text));
    }
}
