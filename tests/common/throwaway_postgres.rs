//! A PostgreSQL server of a test's own, which the test may stop and start again: `initdb`
//! into a temporary folder, `pg_ctl` on a free port of its own. For tests of what the app
//! does while its database is down.
//!
//! PostgreSQL refuses to run as root, and tests run as root in CI: then the server runs as
//! the `postgres` user (`runuser`), and its folder is handed to that user.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

use anyhow::{bail, Context};

/// The operating-system account PostgreSQL runs as when the tests run as root.
const SERVER_USER: &str = "postgres";

pub struct ThrowawayPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    running: bool,
    /// Holds the data folder, the socket and the log; removed when dropped.
    dir: tempfile::TempDir,
}

impl ThrowawayPostgres {
    /// Creates a cluster and starts it. Fails when PostgreSQL's binaries are not installed.
    pub fn start() -> anyhow::Result<ThrowawayPostgres> {
        let bin = server_binaries()?;
        let dir = tempfile::tempdir()?;
        if is_root() {
            run(Command::new("chown").arg(SERVER_USER).arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        let mut server = ThrowawayPostgres {
            port: free_port()?,
            bin,
            data,
            running: false,
            dir,
        };
        server.as_server_user("initdb", |initdb| {
            initdb
                .arg("--pgdata")
                .arg(&server.data)
                .args(["--username=postgres", "--auth=trust", "--encoding=UTF8"])
                .args(["--no-sync", "--no-instructions"]);
        })?;
        server.start_again()?;
        Ok(server)
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it the way an operator's restart does: `pg_ctl stop -m fast` ends every
    /// session at once and waits until the server is gone.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        self.pg_ctl(&["stop", "--mode=fast", "--wait"])?;
        self.running = false;
        Ok(())
    }

    /// Starts it on the same port and data, returning once it accepts connections.
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        let log = log
            .to_str()
            .context("a temporary path in UTF-8")?
            .to_owned();
        self.pg_ctl(&["start", "--wait", "--options", &options, "--log", &log])?;
        self.running = true;
        Ok(())
    }

    fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        self.as_server_user("pg_ctl", |pg_ctl| {
            pg_ctl.arg("--pgdata").arg(&self.data).args(args);
        })
    }

    /// Runs one of PostgreSQL's programs, as the server's user when we are root.
    fn as_server_user(&self, program: &str, args: impl FnOnce(&mut Command)) -> anyhow::Result<()> {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", SERVER_USER, "--"]).arg(&program);
            runuser
        } else {
            Command::new(&program)
        };
        args(&mut command);
        run(command.current_dir(self.dir.path()))
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self.pg_ctl(&["stop", "--mode=immediate", "--wait"]);
        }
    }
}

/// The newest installed server's `bin` folder (Debian keeps them under
/// `/usr/lib/postgresql/<version>/bin`), or the one `pg_config` names.
fn server_binaries() -> anyhow::Result<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    if let Some(bin) = debian {
        return Ok(bin);
    }
    let output = Command::new("pg_config").arg("--bindir").output();
    match output {
        Ok(output) if output.status.success() => {
            let bin = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            if bin.join("initdb").is_file() {
                return Ok(bin);
            }
            bail!("no initdb in {}", bin.display())
        }
        _ => bail!("PostgreSQL's server binaries (initdb, pg_ctl) are not installed"),
    }
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A port nobody listens on just now.
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output: Output = command
        .output()
        .with_context(|| format!("could not run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
