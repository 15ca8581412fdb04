use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    healing_space::telemetry::init();
    healing_space::cli::run(healing_space::cli::Cli::parse()).await
}
