//! The command line: `serve` (default), `doctor`, `secret generate`, `migrate`, `admin create`,
//! `backup` and `restore`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, ConfigError, Settings};
use crate::startup::{shutdown_signal, Application};
use crate::storage::Database;
use crate::{accounts, backup, doctor};

#[derive(Debug, Parser)]
#[command(
    name = "healing-space",
    version,
    about = "Healing Space: care between appointments"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve {
        /// Development mode, the same as DEBUG=1.
        #[arg(long)]
        dev: bool,
    },
    /// Check the configuration and the database as `serve` would see them.
    Doctor {
        /// Print the checks as JSON.
        #[arg(long)]
        json: bool,
        /// Check development mode, the same as DEBUG=1.
        #[arg(long)]
        dev: bool,
    },
    /// Signing keys.
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Copy the SQLite database to FILE while servers run (PostgreSQL: use pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the SQLite database with a backup; refused while a server uses it.
    Restore {
        /// A file written by `backup`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum SecretAction {
    /// Print a new random key for SECRET_KEY, and nothing else.
    Generate,
}

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Create an administrator. The password is read from a prompt or standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

const CONFIG_EXIT: u8 = 2;

pub async fn run(cli: Cli) -> ExitCode {
    match cli.command.unwrap_or(Command::Serve { dev: false }) {
        Command::Serve { dev } => serve(dev).await,
        Command::Doctor { json, dev } => doctor::run(dev, json).await,
        Command::Secret {
            action: SecretAction::Generate,
        } => {
            println!("{}", config::secret_key::generate_key_text());
            ExitCode::SUCCESS
        }
        Command::Migrate => migrate().await,
        Command::Admin {
            action:
                AdminAction::Create {
                    username,
                    display_name,
                },
        } => create_admin(username, display_name).await,
        Command::Backup { to, force } => match database_url() {
            Ok(url) => backup::run_backup(&url, &to, force),
            Err(code) => code,
        },
        Command::Restore { from } => match database_url() {
            Ok(url) => backup::run_restore(&url, &from).await,
            Err(code) => code,
        },
    }
}

fn config_failure(error: &ConfigError) -> ExitCode {
    eprintln!("healing-space: configuration error: {}", error.message);
    ExitCode::from(CONFIG_EXIT)
}

fn runtime_failure(error: &anyhow::Error) -> ExitCode {
    tracing::error!(error = format!("{error:#}"), "healing-space stopped");
    eprintln!("healing-space: {error:#}");
    ExitCode::FAILURE
}

async fn serve(dev: bool) -> ExitCode {
    let settings = match Settings::from_environment(dev) {
        Ok(settings) => settings,
        Err(error) => return config_failure(&error),
    };
    let result = async {
        Application::build(settings)
            .await?
            .run_until(shutdown_signal())
            .await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => runtime_failure(&error),
    }
}

/// DATABASE_URL, as the commands that need only the database read it.
fn database_url() -> Result<config::DatabaseUrl, ExitCode> {
    config::load_dotenv_in_development(false);
    config::read_database(&config::Environment).map_err(|e| config_failure(&e))
}

async fn connect_only_database() -> Result<Database, ExitCode> {
    let url = database_url()?;
    Database::connect(&url)
        .await
        .map_err(|e| runtime_failure(&e))
}

async fn migrate() -> ExitCode {
    let db = match connect_only_database().await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match db.migrate().await {
        Ok(()) => {
            eprintln!("healing-space: migrations applied ({})", db.kind().as_str());
            ExitCode::SUCCESS
        }
        Err(error) => runtime_failure(&error),
    }
}

async fn create_admin(username: String, display_name: Option<String>) -> ExitCode {
    let password = match read_password() {
        Ok(password) => password,
        Err(error) => return runtime_failure(&error),
    };
    let db = match connect_only_database().await {
        Ok(db) => db,
        Err(code) => return code,
    };
    if let Err(error) = db.migrate().await {
        return runtime_failure(&error);
    }
    let min_score = match config::limits::read_login_limits(&config::Environment) {
        Ok(limits) => limits.password_min_score,
        Err(problems) => return config_failure(&problems[0]),
    };
    let created =
        accounts::create_admin(&db, &username, display_name.as_deref(), password, min_score);
    match created.await {
        Ok(name) => {
            eprintln!("healing-space: administrator {name} created");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("healing-space: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A prompt on a terminal; otherwise the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
