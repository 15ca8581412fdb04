//! A real SMTP server for the tests (mailin-embedded, on a free loopback port): the app
//! sends to it with lettre over SMTP, and tests read back what arrived.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};

/// A mail as the server received it, its body decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    /// The whole message, headers and body, with quoted-printable undone.
    pub text: String,
}

impl ReceivedMail {
    /// A mail from its raw text, as the development outbox keeps it (`.eml`).
    pub fn from_raw(to: &str, raw: &str) -> ReceivedMail {
        ReceivedMail {
            to: vec![to.to_owned()],
            text: decode_quoted_printable(raw),
        }
    }

    /// The token of the first link to `path` (`/reset-password`) in the mail.
    pub fn link_token(&self, path: &str) -> String {
        let marker = format!("{path}#token=");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {path} link in {}", self.text))
            + marker.len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    pub fn subject(&self) -> &str {
        self.text
            .lines()
            .find_map(|line| line.strip_prefix("Subject: "))
            .unwrap_or_default()
    }
}

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<ReceivedMail>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let text = decode_quoted_printable(&String::from_utf8_lossy(&self.data));
        self.inbox.lock().unwrap().push(ReceivedMail {
            to: self.to.clone(),
            text,
        });
        OK
    }
}

/// Soft line breaks and `=XX` escapes, as lettre writes long lines and `=`.
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| u8::from_str_radix(&joined[i + 1..i + 3], 16).ok())
            .flatten();
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The running server; it lives as long as the test process.
pub struct MailServer {
    pub url: String,
    inbox: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl MailServer {
    pub fn start() -> MailServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let collector = Collector {
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(collector);
        server.with_name("mail.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        MailServer { url, inbox }
    }

    /// The settings that send the app's mail here.
    pub fn env(&self) -> [(&str, &str); 2] {
        [
            ("SMTP_URL", self.url.as_str()),
            ("MAIL_FROM", "Healing Space <no-reply@healing.test>"),
        ]
    }

    /// Every mail to `address` so far.
    pub fn to(&self, address: &str) -> Vec<ReceivedMail> {
        self.inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|mail| mail.to.iter().any(|to| to.eq_ignore_ascii_case(address)))
            .cloned()
            .collect()
    }

    /// Waits (up to 10 s) until `address` has at least `count` mails, and returns them.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..200 {
            let mails = self.to(address);
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{address} received {} mails, expected {count}",
            self.to(address).len()
        );
    }
}
