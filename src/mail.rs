//! Sending mail through lettre: to the SMTP server of `SMTP_URL`, to `.eml` files in the
//! outbox folder in development, or nowhere. Mail is sent after the request that causes
//! it has answered, so no answer waits on (or its timing reveals) the mail server. A mail
//! that cannot be sent is logged without its content: it may hold a link token.

use std::sync::Arc;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::mail::{MailSettings, MailTransport};
use crate::metrics::Metrics;

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

#[derive(Clone)]
pub struct Mailer {
    transport: Arc<Transport>,
    from: Mailbox,
    description: Arc<str>,
    /// Where mails sent and failed are counted (by kind, never by address).
    metrics: Option<Metrics>,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
    Disabled,
}

/// A plain-text mail to one person.
#[derive(Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// A one-click unsubscribe address (RFC 8058), for notices people can turn off.
    pub unsubscribe: Option<String>,
}

impl Mailer {
    /// The mailer the settings describe. Nothing is written or connected to yet.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Mailer> {
        let transport = match &settings.transport {
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())?.build(),
            ),
            MailTransport::Outbox(dir) => {
                Transport::Outbox(AsyncFileTransport::new(dir), dir.clone())
            }
            MailTransport::Disabled => Transport::Disabled,
        };
        Ok(Mailer {
            transport: Arc::new(transport),
            from: settings.from.parse()?,
            description: settings.describe().into(),
            metrics: None,
        })
    }

    /// The same mailer, counting what it sends in `metrics`.
    pub fn counted_in(self, metrics: Metrics) -> Mailer {
        Mailer {
            metrics: Some(metrics),
            ..self
        }
    }

    /// Whether mail goes anywhere at all.
    pub fn is_enabled(&self) -> bool {
        !matches!(*self.transport, Transport::Disabled)
    }

    /// Where mail goes, without credentials.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Whether the SMTP server answers and accepts us (for `doctor`).
    pub async fn check(&self) -> Result<(), String> {
        match &*self.transport {
            Transport::Smtp(smtp) => match smtp.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not accept the connection".into()),
                Err(error) => Err(error.to_string()),
            },
            _ => Ok(()),
        }
    }

    /// Sends the mail in the background; `what` names it in the log and the metrics.
    pub fn send_later(&self, mail: Mail, what: &'static str) {
        let mailer = self.clone();
        tokio::spawn(async move {
            let result = mailer.send(mail).await;
            if let Some(metrics) = &mailer.metrics {
                metrics.mail_sent(what, result.is_ok());
            }
            if let Err(error) = result {
                tracing::error!(%error, mail = what, "could not send a mail");
            }
        });
    }

    /// Sends the mail now.
    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse()?)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = mail.unsubscribe {
            message = message
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")))
                .raw_header(HeaderValue::new(
                    LIST_UNSUBSCRIBE_POST,
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = message.body(mail.body)?;
        match &*self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Outbox(outbox, dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let id = outbox.send(message).await?;
                tracing::info!(file = %format!("{id}.eml"), outbox = %self.description, "mail written to the outbox");
            }
            Transport::Disabled => anyhow::bail!("no mail server is configured (SMTP_URL)"),
        }
        Ok(())
    }
}
