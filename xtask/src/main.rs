//! `cargo xtask`: the developer commands of the ttsc workspace.
//!
//! Run `cargo xtask help` for the list. Every command is plain Rust with no dependencies
//! beyond `serde_json`, so it builds in seconds on a fresh machine.

mod codegen;
mod conformance;
mod tidy;
mod util;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

commands:
  codegen [--check]   generate crates/ttsc-models/src/generated/ from docs/api/*.openapi.json;
                      with --check, change nothing and fail when the committed code is stale
  conformance         run Huawei's official Python SDK (pinned, in target/conformance-venv)
                      against the emulator binary; needs python3 and PyPI
  help                this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["conformance"] => conformance::run_conformance(),
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
