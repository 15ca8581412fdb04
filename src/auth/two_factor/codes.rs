//! The codes a person types at the second step: TOTP codes (RFC 6238 with SHA-1, 6
//! digits and 30-second steps, as every authenticator app makes them, accepting one step
//! of clock drift either way) and single-use recovery codes. Also the QR code that carries
//! a new secret to the app, drawn as SVG.

use qrcode::render::svg;
use qrcode::QrCode;
use rand::Rng;
use totp_rs::{Builder, Secret, Totp};

const ISSUER: &str = "Healing Space";
/// RFC 4226 asks for at least 128 bits and recommends 160.
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// Without look-alikes (0/o, 1/l/i), so a code copied from paper is typed right.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 10 characters from 31: about 49 bits, against guesses that are attempt-limited.
const RECOVERY_LENGTH: usize = 10;

/// A new secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::thread_rng().gen();
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str, account: &str) -> anyhow::Result<Totp> {
    let secret = Secret::try_from_base32(secret)
        .map_err(|e| anyhow::anyhow!("a stored TOTP secret is not base32: {e}"))?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| anyhow::anyhow!("TOTP settings refused: {e}"))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &str, username: &str) -> anyhow::Result<String> {
    totp(secret, username)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("no otpauth URL: {e}"))
}

/// The QR code of `text`, as an SVG document (drawn with attributes only, so the web
/// app's content security policy lets it show).
pub fn qr_svg(text: &str) -> anyhow::Result<String> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// What a person typed at the second step.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed {
    Totp(String),
    /// Normalised: lower case, without spaces or dashes.
    RecoveryCode(String),
    Neither,
}

pub fn classify(input: &str) -> Typed {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
        Typed::Totp(compact)
    } else if compact.len() == RECOVERY_LENGTH
        && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
    {
        Typed::RecoveryCode(compact)
    } else {
        Typed::Neither
    }
}

/// The time step a TOTP code belongs to, when it is right at `unix_seconds`.
pub fn totp_step(secret: &str, code: &str, unix_seconds: u64) -> anyhow::Result<Option<i64>> {
    let step = totp(secret, "check")?.check(code, unix_seconds);
    Ok(step.and_then(|s| i64::try_from(s).ok()))
}

/// Ten new recovery codes, shown as `xxxxx-xxxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..RECOVERY_LENGTH)
                .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its normalised form.
pub fn recovery_code_hash(code: &str) -> Option<String> {
    match classify(code) {
        Typed::RecoveryCode(normal) => Some(crate::accounts::links::hash(&normal)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret, "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_rfc_6238_with_one_step_of_drift_either_way() {
        // The RFC's 8-digit code at T = 59 s is 94287082; 6-digit codes are its last six.
        assert_eq!(totp_step(RFC_SECRET, "287082", 59).unwrap(), Some(1));
        assert_eq!(totp_step(RFC_SECRET, "287082", 59 + 30).unwrap(), Some(1));
        assert_eq!(totp_step(RFC_SECRET, "287082", 59 + 60).unwrap(), None);
        // T = 1111111109 s gives 07081804.
        assert_eq!(
            totp_step(RFC_SECRET, "081804", 1_111_111_109).unwrap(),
            Some(37_037_036)
        );
        assert_eq!(
            totp_step(RFC_SECRET, "081805", 1_111_111_109).unwrap(),
            None
        );
    }

    #[test]
    fn typed_codes_are_told_apart_and_normalised() {
        assert_eq!(classify(" 123 456 "), Typed::Totp("123456".into()));
        assert_eq!(
            classify("ABCDE-FGHJK"),
            Typed::RecoveryCode("abcdefghjk".into())
        );
        assert_eq!(classify("12345"), Typed::Neither);
        assert_eq!(classify("1234567"), Typed::Neither);
        assert_eq!(
            classify("abcde-fghj1"),
            Typed::Neither,
            "1 is not in the alphabet"
        );
        assert_eq!(classify(""), Typed::Neither);
    }

    #[test]
    fn recovery_codes_are_distinct_and_stored_only_hashed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11);
            let hash = recovery_code_hash(code).unwrap();
            assert_eq!(recovery_code_hash(&code.to_uppercase()), Some(hash.clone()));
            assert!(!hash.contains(&code.replace('-', "")));
        }
    }

    #[test]
    fn a_new_secret_makes_an_otpauth_url_and_a_qr_code() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let url = otpauth_url(&secret, "dr.morgan").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Healing%20Space:dr.morgan?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={secret}")), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        assert!(!svg.contains("style="), "no inline styles under the CSP");
    }
}
