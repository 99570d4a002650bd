//! `cargo xtask`: the developer commands of the ttsc workspace.
//!
//! Run `cargo xtask help` for the list. Every command is plain Rust on a few small crates
//! (`serde_json`, `semver`, `toml_edit`, `time`), so it builds in seconds on a fresh machine.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

mod ci;
mod codegen;
mod conformance;
mod release;
mod tidy;
mod util;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

commands:
  codegen [--check]   generate crates/ttsc-models/src/generated/ from docs/api/*.openapi.json;
                      with --check, change nothing and fail when the committed code is stale
  ci [--skip-tests]   the steps of .ci/run (fmt, clippy, codegen --check, doc, test,
                      conformance), timed, stopping at the first failure with the command
                      that reruns it; --skip-tests leaves out `cargo test` and `conformance`
  release VERSION [--dry-run] [--allow-dirty] [--skip-checks]
                      release every crate as VERSION: check the version, branch main, a
                      clean tree, lockstep versions, a free tag and the changelog; bump and
                      date the changelog; run `ci`; commit \"Release VERSION\", `cargo
                      publish --workspace`, tag vVERSION. --dry-run: print the plan, run the
                      checks and `cargo publish --workspace --dry-run`, change nothing.
                      --allow-dirty and --skip-checks (no `ci`): for tests and emergencies
  conformance         run Huawei's official Python SDK (pinned, in target/conformance-venv)
                      against the emulator binary; needs python3 and PyPI
  help                this text
";

/// Runs the command named on the command line.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["conformance"] => conformance::run_conformance(),
        ["ci", rest @ ..] => {
            ci::parse_args(rest).and_then(|opts| ci::run(&util::project_root(), opts))
        }
        ["release", rest @ ..] => {
            release::parse_args(rest).and_then(|opts| release::run(&util::project_root(), &opts))
        }
        [] | ["help" | "--help" | "-h"] => {
            util::say(HELP);
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown command: {}\n\n{HELP}", other.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            util::say_err(&format!("error: {e}"));
            ExitCode::FAILURE
        }
    }
}
