//! The real `healing-space` binary, for tests about the process itself: restarts,
//! signals, several instances, the command line, refusals to start, and its log.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::TestDb;

pub const BINARY: &str = env!("CARGO_BIN_EXE_healing-space");

/// The real server process.
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub env: BTreeMap<String, String>,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Development mode on loopback with `KEY_A`, a generous per-address limit, and `extra`.
    pub async fn start(db: &TestDb, extra: &[(&str, &str)]) -> Server {
        let mut env = super::development_env(db);
        env.insert("RUST_LOG".into(), "info".into());
        Server::start_with(env, extra).await
    }

    pub async fn start_with(mut env: BTreeMap<String, String>, extra: &[(&str, &str)]) -> Server {
        for (name, value) in extra {
            env.insert((*name).to_owned(), (*value).to_owned());
        }
        let mut server = Server {
            child: None,
            port: 0,
            env,
            log: Arc::new(Mutex::new(String::new())),
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let mut child = Command::new(BINARY)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start healing-space");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = self.log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // In the log before the port is handed over: a test that starts reading
                // then finds the listening line.
                log.lock().unwrap().push_str(&format!("{line}\n"));
                // `listen=127.0.0.1:PORT` in text, `"listen":"127.0.0.1:PORT"` in JSON.
                let address = line
                    .split("listen=")
                    .nth(1)
                    .or_else(|| line.split("\"listen\":\"").nth(1));
                if let Some(address) = address {
                    let port = address
                        .split(|c: char| c.is_whitespace() || c == '"')
                        .next()
                        .and_then(|a| a.rsplit(':').next())
                        .and_then(|p| p.parse::<u16>().ok());
                    let _ = tx.send(port);
                }
            }
            let _ = tx.send(None);
        });
        let port = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await
            .unwrap();
        match port {
            Ok(Some(port)) => {
                self.port = port;
                self.env.insert("PORT".into(), port.to_string());
                self.child = Some(child);
            }
            _ => {
                let _ = child.kill();
                panic!("the server did not start; its log:\n{}", self.logs());
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn logs(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log, once `written` holds for it: the log is read on a thread, so a line
    /// written just before an answer may not be in it yet.
    pub async fn logs_once(&self, written: impl Fn(&str) -> bool) -> String {
        for _ in 0..200 {
            let logs = self.logs();
            if written(&logs) {
                return logs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the log never held what was waited for:\n{}", self.logs());
    }

    /// SIGTERM, then wait for the process to exit.
    pub async fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        terminate(&child);
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap()
    }

    /// Waits for a process already told to stop.
    pub async fn stop_waiting(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap()
    }

    /// Stops and starts again on the same port, with some variables changed (None removes).
    pub async fn restart(&mut self, changes: &[(&str, Option<&str>)]) {
        self.stop().await;
        for (name, value) in changes {
            match value {
                Some(value) => self.env.insert((*name).to_owned(), (*value).to_owned()),
                None => self.env.remove(*name),
            };
        }
        self.spawn().await;
    }

    /// SIGKILL, as a crash or an out-of-memory kill ends it: nothing is finished or
    /// flushed. Waits for the process to be gone.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("the server is running");
        tokio::task::spawn_blocking(move || {
            let _ = child.kill();
            child.wait().unwrap()
        })
        .await
        .unwrap();
    }

    /// Starts again on the same port with the same variables, after [`Server::kill`].
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        self.spawn().await;
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn terminate(child: &Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
}

/// Runs the binary with a given environment and arguments to completion.
pub fn run_binary(
    args: &[&str],
    env: &[(&str, &str)],
    dir: &std::path::Path,
) -> std::process::Output {
    Command::new(BINARY)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run healing-space")
}
