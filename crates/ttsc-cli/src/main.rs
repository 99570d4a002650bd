//! `ttsc`: Huawei Cloud MetaStudio text-to-speech from the shell.
//!
//! The contract: data on standard output only (pipe-safe; a reader closing the pipe early
//! ends `ttsc` quietly with success), diagnostics on standard error as `error:`,
//! `Caused by:` and `hint:` lines, documented exit codes ([`exit_codes`]) and environment
//! variables ([`env_vars`]), invalid input rejected before anything is sent or written.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

mod cli;
mod commands;
mod context;
mod dest;
mod env_vars;
mod error;
mod examples;
mod exit_codes;
#[cfg(test)]
mod field_table;
mod input_json;
mod journal;
mod manifest;
mod output;
mod read;
mod ui;

use clap::FromArgMatches;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::context::{Ctx, Sources};
use crate::exit_codes::ExitCode;
use crate::ui::Ui;

/// clap's usage line under a "missing argument" error lists every option that has a value,
/// and a value from the environment counts: `TTSC_ENDPOINT` set made `--endpoint <URL>` look
/// required. Such an error is rendered again from a parse that ignores the environment.
fn usage_error_without_env(e: clap::Error) -> clap::Error {
    use clap::error::ErrorKind;
    if e.kind() != ErrorKind::MissingRequiredArgument {
        return e;
    }
    match cli::command().mut_args(|a| a.env(None)).try_get_matches() {
        Err(again) if again.kind() == e.kind() => again,
        _ => e,
    }
}

fn main() -> std::process::ExitCode {
    let matches = match cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let e = usage_error_without_env(e);
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Usage.into()
            } else {
                ExitCode::Success.into()
            };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::Usage.into();
        }
    };
    let sources = Sources::from_matches(&matches);
    let ui = Ui::new(&cli.global);
    // `--emulator` brings its own endpoints; one given on the command line as well is a
    // mistake (one from the environment is simply not used).
    if cli.global.emulator {
        for (id, flag) in [
            ("endpoint", "--endpoint"),
            ("iam_endpoint", "--iam-endpoint"),
        ] {
            if matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
                return finish(
                    &ui,
                    Err(error::CliError::usage(format!(
                        "--emulator and {flag} cannot be used together"
                    ))
                    .hint("--emulator starts its own local service; to use one that keeps running, start `ttsc emulator` and export what it prints")),
                );
            }
        }
    }
    init_tracing(&cli.global, &ui);

    // Completions need no runtime.
    if let Command::Completions(args) = &cli.command {
        let mut cmd = cli::command();
        let mut out = Vec::new();
        clap_complete::generate(args.shell, &mut cmd, "ttsc", &mut out);
        return match std::io::Write::write_all(&mut std::io::stdout(), &out) {
            Ok(()) => ExitCode::Success.into(),
            Err(e) => finish(&ui, Err(error::CliError::from(e))),
        };
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            ui.error(
                &error::CliError::failure("cannot start the async runtime").cause(e.to_string()),
            );
            return ExitCode::Failure.into();
        }
    };
    let ctx = Ctx::new(cli.global, sources, ui.clone());
    let result = runtime.block_on(commands::run(ctx, cli.command));
    // Do not wait for background work (an emulator's connections, blocking synthesis).
    runtime.shutdown_background();
    finish(&ui, result)
}

fn finish(ui: &Ui, result: error::CliResult<ExitCode>) -> std::process::ExitCode {
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            ui.error(&e);
            e.code.into()
        }
    }
}

/// Logging on stderr: `RUST_LOG` when set, else the level `-v`/`-q` ask for.
fn init_tracing(g: &GlobalArgs, ui: &Ui) {
    let rust_log = env_vars::get(env_vars::RUST_LOG);
    // With -v or RUST_LOG, every API call prints one line when it ends (operation,
    // attempts, status, request id, latency): the client's `ttsc.operation` span.
    let span_events = if g.verbose > 0 || rust_log.is_some() {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let filter = match rust_log {
        Some(spec) => EnvFilter::new(spec),
        None => {
            let ttsc = match (g.quiet, g.verbose) {
                (true, _) => "error",
                (false, 0) => "warn",
                (false, 1) => "info",
                (false, 2) => "debug",
                (false, _) => "trace",
            };
            let others = if g.verbose >= 3 { "trace" } else { "warn" };
            // Credential-file warnings are printed as `warning:` lines instead.
            EnvFilter::new(format!(
                "{others},ttsc_cli={ttsc},ttsc_client={ttsc},ttsc_auth={ttsc},ttsc_emulator={ttsc},ttsc_auth::provider=error"
            ))
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(span_events)
        .with_writer(std::io::stderr)
        .with_ansi(ui.color_err)
        .with_target(g.verbose >= 2)
        .try_init();
}
