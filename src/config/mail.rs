//! Outgoing mail: `SMTP_URL` (where to send) and `MAIL_FROM` (who it is from). Without
//! `SMTP_URL`, development writes mail to `data/outbox/` and production sends none: it
//! starts, `doctor` warns, and the features that need mail say so.

use std::net::IpAddr;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Mode, Source};

/// The sender when `MAIL_FROM` is not set (allowed only without an SMTP server).
const DEFAULT_FROM: &str = "Healing Space <healing-space@localhost>";

#[derive(Clone)]
pub enum MailTransport {
    /// An SMTP server. The URL may hold a password, so it is never printed.
    Smtp(SecretString),
    /// Development without `SMTP_URL`: each mail becomes an `.eml` file in this folder.
    Outbox(std::path::PathBuf),
    /// Production without `SMTP_URL`: no mail is sent.
    Disabled,
}

#[derive(Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// `Name <address>`, checked.
    pub from: String,
}

/// Where mail goes, without the credentials, for logs and `doctor`.
impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MailSettings({}, from {})", self.describe(), self.from)
    }
}

impl MailSettings {
    pub fn describe(&self) -> String {
        match &self.transport {
            MailTransport::Smtp(url) => match url::Url::parse(url.expose_secret()) {
                Ok(url) => format!(
                    "SMTP server {}://{}:{}",
                    url.scheme(),
                    url.host_str().unwrap_or_default(),
                    url.port()
                        .map_or_else(|| "default port".into(), |p| p.to_string())
                ),
                Err(_) => "SMTP server".into(),
            },
            MailTransport::Outbox(dir) => format!("the outbox folder {}", dir.display()),
            MailTransport::Disabled => "nowhere (SMTP_URL is not set)".into(),
        }
    }
}

pub fn read(source: &dyn Source, mode: Mode, data_dir: &Path) -> Result<MailSettings, ConfigError> {
    let from = source.get("MAIL_FROM");
    let transport = match source.get("SMTP_URL") {
        Some(url) => MailTransport::Smtp(SecretString::from(check_smtp_url(url.trim())?)),
        None if mode.is_production() => MailTransport::Disabled,
        None => MailTransport::Outbox(data_dir.join("outbox")),
    };
    let from = match (from, &transport) {
        (Some(from), _) => from,
        (None, MailTransport::Smtp(_)) => {
            return Err(ConfigError::invalid(
                "MAIL_FROM",
                "must be set when SMTP_URL is: the sender people see, like \
                 'Healing Space <no-reply@clinic.example>'",
            ))
        }
        (None, _) => DEFAULT_FROM.to_owned(),
    };
    from.parse::<lettre::message::Mailbox>().map_err(|_| {
        ConfigError::invalid(
            "MAIL_FROM",
            format!("is not a mail address like 'Healing Space <no-reply@clinic.example>' (got '{from}')"),
        )
    })?;
    Ok(MailSettings { transport, from })
}

/// `smtp://` (plain, or STARTTLS with `?tls=required`) or `smtps://`, with a host. A
/// password is never sent in clear text to another machine. Errors never echo the URL.
fn check_smtp_url(text: &str) -> Result<String, ConfigError> {
    let refuse = |why: &str| ConfigError::invalid("SMTP_URL", why.to_owned());
    let url = url::Url::parse(text).map_err(|_| {
        refuse("is not a URL: use smtps://user:password@host:465 or smtp://host:25")
    })?;
    let tls = url
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let encrypted = match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required")) => true,
        ("smtp", None | Some("opportunistic")) => false,
        _ => return Err(refuse(
            "must start with smtp:// or smtps://, with tls=required or tls=opportunistic if any",
        )),
    };
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err(refuse("names no host"));
    };
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if url.password().is_some() && !encrypted && !loopback {
        return Err(refuse(
            "would send its password unencrypted: use smtps:// or add ?tls=required",
        ));
    }
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(text)
        .map_err(|_| refuse("cannot be used by the mail client: check its form"))?;
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read_with(pairs: &[(&str, &str)], mode: Mode) -> Result<MailSettings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let source = move |name: &str| map.get(name).cloned();
        read(&source, mode, Path::new("data"))
    }

    #[test]
    fn without_smtp_development_writes_an_outbox_and_production_sends_nothing() {
        let dev = read_with(&[], Mode::Development).unwrap();
        assert!(matches!(dev.transport, MailTransport::Outbox(ref d) if d.ends_with("outbox")));
        let prod = read_with(&[], Mode::Production).unwrap();
        assert!(matches!(prod.transport, MailTransport::Disabled));
    }

    #[test]
    fn an_smtp_server_needs_a_sender_and_never_a_clear_text_password_elsewhere() {
        let from = ("MAIL_FROM", "Clinic <no-reply@clinic.example>");
        assert!(read_with(
            &[("SMTP_URL", "smtp://127.0.0.1:2525"), from],
            Mode::Production
        )
        .is_ok());
        let no_from = read_with(&[("SMTP_URL", "smtp://127.0.0.1:2525")], Mode::Production);
        assert_eq!(no_from.unwrap_err().variable, "MAIL_FROM");
        let clear = read_with(
            &[("SMTP_URL", "smtp://u:secret@mail.example:25"), from],
            Mode::Production,
        )
        .unwrap_err();
        assert_eq!(clear.variable, "SMTP_URL");
        assert!(!clear.message.contains("secret"), "{}", clear.message);
        for ok in [
            "smtps://u:secret@mail.example",
            "smtp://u:secret@mail.example?tls=required",
            "smtp://u:p@localhost:2525",
        ] {
            assert!(
                read_with(&[("SMTP_URL", ok), from], Mode::Production).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://mail.example",
            "smtp://",
            "not a url",
            "smtp://mail.example?tls=maybe",
        ] {
            assert_eq!(
                read_with(&[("SMTP_URL", bad), from], Mode::Production)
                    .unwrap_err()
                    .variable,
                "SMTP_URL",
                "{bad}"
            );
        }
        let bad_from = read_with(&[("MAIL_FROM", "nobody")], Mode::Development);
        assert_eq!(bad_from.unwrap_err().variable, "MAIL_FROM");
    }

    #[test]
    fn the_description_never_holds_the_password() {
        let settings = read_with(
            &[
                ("SMTP_URL", "smtps://user:hunter2@mail.example:465"),
                ("MAIL_FROM", "a@b.example"),
            ],
            Mode::Production,
        )
        .unwrap();
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("mail.example") && !shown.contains("hunter2") && !shown.contains("user")
        );
    }
}
