//! `ttsc-emulator`: runs the local MetaStudio TTS service until Ctrl-C.
//!
//! The first line on stdout is `listening on http://ADDR`; the credentials in use follow.
//! Exit codes: 0 after a clean shutdown, 2 for invalid flags or a failed start.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

use std::process::ExitCode;

use clap::Parser;
use ttsc_emulator::EmulatorArgs;

/// A faithful local Huawei Cloud MetaStudio TTS service.
#[derive(Parser)]
#[command(name = "ttsc-emulator", version, about)]
struct Cli {
    #[command(flatten)]
    args: EmulatorArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let emulator = match cli.args.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("Caused by: {s}");
                source = s.source();
            }
            return ExitCode::from(2);
        }
    };
    let c = emulator.credentials();
    // Secrets given to the emulator are never echoed; the public demo values are.
    fn shown<'a>(value: &'a str, demo: &str) -> &'a str {
        if value == demo {
            value
        } else {
            "(the one given)"
        }
    }
    println!("listening on {}", emulator.base_url());
    println!("project id:  {}", c.project_id());
    println!("region:      {}", c.region());
    println!("access key:  {}", c.access_key_id());
    println!(
        "secret key:  {}",
        shown(c.secret_access_key(), ttsc_emulator::DEMO_SK)
    );
    println!(
        "IAM user:    {} / {} (account {})",
        c.user(),
        shown(c.password(), ttsc_emulator::DEMO_PASSWORD),
        c.domain()
    );
    println!("demo voice:  {}", ttsc_emulator::DEMO_VOICE);
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("error: cannot listen for Ctrl-C; stopping");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
