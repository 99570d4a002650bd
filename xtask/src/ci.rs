//! `cargo xtask ci`: the steps of `.ci/run`, announced and timed, stopping at the first
//! failure with the command that reruns the failing step.
//!
//! `codegen --check` and `conformance` run in-process; `--skip-tests` leaves out both test
//! steps. Unlike `.ci/run` this does not set `RUSTFLAGS="-D warnings"` (clippy's `-D
//! warnings` already denies rustc's warnings, and a changed `RUSTFLAGS` would rebuild the
//! target directory); `RUSTDOCFLAGS` is set for `cargo doc`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::say;
use crate::{codegen, conformance};

/// What `cargo xtask ci` was asked to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Leave out `cargo test --workspace` and `conformance`, for quick runs.
    pub skip_tests: bool,
}

/// Usage line of the command.
const USAGE: &str = "usage: cargo xtask ci [--skip-tests]";

/// Parses the arguments that follow `ci`.
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut opts = Options::default();
    for arg in args {
        match *arg {
            "--skip-tests" => opts.skip_tests = true,
            other => return Err(format!("unknown argument to `ci`: {other}\n{USAGE}")),
        }
    }
    Ok(opts)
}

/// The steps of `.ci/run` in its order, each as the command that reruns it alone; the last
/// two are the tests. A leading `VAR="-D warnings"` is appended to `VAR`.
const STEPS: [&str; 6] = [
    "cargo fmt --all --check",
    "cargo clippy --workspace --all-targets -- -D warnings",
    "cargo xtask codegen --check",
    "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps",
    "cargo test --workspace",
    "cargo xtask conformance",
];

/// The commands to run under `opts`.
fn steps(opts: Options) -> &'static [&'static str] {
    &STEPS[..if opts.skip_tests { 4 } else { 6 }]
}

/// Runs one step in `root` (`cargo xtask` steps in-process); the error says how it failed.
fn execute(root: &Path, step: &str) -> Result<(), String> {
    match step {
        "cargo xtask codegen --check" => return codegen::run(codegen::Mode::Check),
        "cargo xtask conformance" => return conformance::run_conformance(),
        _ => {}
    }
    let (var, args) = match step.split_once("=\"-D warnings\" cargo ") {
        Some((var, args)) => (Some(var), args),
        None => (None, step.trim_start_matches("cargo ")),
    };
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(args.split_whitespace()).current_dir(root);
    if let Some(var) = var {
        // Keep whatever the caller set, as `.ci/run` does.
        let old = std::env::var(var).unwrap_or_default();
        cmd.env(var, format!("{old} -D warnings").trim_start());
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", env!("CARGO")))?;
    status.success().then_some(()).ok_or(status.to_string())
}

/// Runs the pipeline in `root`, stopping at the first failing step.
pub fn run(root: &Path, opts: Options) -> Result<(), String> {
    let start = Instant::now();
    let mut timings = Vec::new();
    for &step in steps(opts) {
        say(&format!("::: {step}"));
        let step_start = Instant::now();
        let result = execute(root, step);
        timings.push((step, step_start.elapsed(), result.is_ok()));
        if let Err(e) = result {
            say(&summary(&timings, start.elapsed(), opts));
            return Err(format!("ci step failed: {e}\nrerun it with: {step}"));
        }
    }
    say(&summary(&timings, start.elapsed(), opts));
    Ok(())
}

/// The closing report: the total, then each step run with how long it took.
fn summary(timings: &[(&str, Duration, bool)], total: Duration, opts: Options) -> String {
    let mut out = match timings.iter().find(|(_, _, ok)| !ok) {
        Some((step, _, _)) => format!("::: ci failed at `{step}` after {}", format_duration(total)),
        None => format!(
            "::: ci passed: {} step{} in {}",
            timings.len(),
            if timings.len() == 1 { "" } else { "s" },
            format_duration(total)
        ),
    };
    for (step, took, ok) in timings {
        let mark = if *ok { "" } else { "  FAILED" };
        out.push_str(&format!("\n  {:>9}  {step}{mark}", format_duration(*took)));
    }
    if opts.skip_tests {
        out.push_str("\n  (cargo test and conformance skipped: --skip-tests)");
    }
    out
}

/// `4.2s`: tenths of a second are enough for a pipeline of minutes.
fn format_duration(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pipeline runs `.ci/run`'s commands in its order, and `--skip-tests` drops
    /// exactly the test steps.
    #[test]
    fn steps_mirror_ci_run() {
        let script = std::fs::read_to_string(crate::util::project_root().join(".ci/run"))
            .expect("read .ci/run");
        let commands: Vec<&str> = script
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("cargo "))
            .collect();
        let all = steps(Options::default());
        let ours: Vec<&str> = all
            .iter()
            .map(|s| s.trim_start_matches("RUSTDOCFLAGS=\"-D warnings\" "))
            .collect();
        assert_eq!(ours, commands);
        let quick = steps(Options { skip_tests: true });
        assert_eq!(
            all[quick.len()..],
            ["cargo test --workspace", "cargo xtask conformance"]
        );
    }

    /// Arguments: only `--skip-tests` is known.
    #[test]
    fn parses_arguments() {
        assert_eq!(parse_args(&[]), Ok(Options { skip_tests: false }));
        assert_eq!(
            parse_args(&["--skip-tests"]),
            Ok(Options { skip_tests: true })
        );
        let err = parse_args(&["--fast"]).expect_err("unknown flag");
        assert!(err.contains("--fast") && err.contains(USAGE), "{err}");
    }

    /// The summary names the failing step and lists every step that ran.
    #[test]
    fn summary_reports_failure_and_timings() {
        let timings = [
            ("cargo fmt", Duration::from_millis(300), true),
            ("cargo clippy", Duration::from_millis(61_000), false),
        ];
        let text = summary(&timings, Duration::from_millis(61_300), Options::default());
        assert_eq!(
            text,
            "::: ci failed at `cargo clippy` after 61.3s\n       0.3s  cargo fmt\n      61.0s  cargo clippy  FAILED"
        );
        let ok = summary(
            &timings[..1],
            Duration::from_millis(300),
            Options { skip_tests: true },
        );
        assert!(ok.starts_with("::: ci passed: 1 step in 0.3s"), "{ok}");
        assert!(
            ok.ends_with("(cargo test and conformance skipped: --skip-tests)"),
            "{ok}"
        );
    }
}
