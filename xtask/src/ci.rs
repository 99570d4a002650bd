//! `cargo xtask ci`: the steps of `.ci/run`, announced and timed, stopping at the first
//! failure with the command that reruns the failing step.
//!
//! The steps and their order are those of `.ci/run`; `codegen --check` and `conformance` run
//! in-process. `--skip-tests` leaves out both test steps (`cargo test` and the official SDK
//! conformance run, which needs python3 and PyPI).
//! Unlike `.ci/run`, this does not export `RUSTFLAGS="-D warnings"`: `cargo clippy
//! --workspace --all-targets -- -D warnings` already denies every rustc warning on every
//! target, and changing `RUSTFLAGS` would make the next plain `cargo build` rebuild the
//! (shared) target directory from scratch. `RUSTDOCFLAGS="-D warnings"` is set for
//! `cargo doc`, which is the only step it affects.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::say;
use crate::{codegen, conformance};

/// What `cargo xtask ci` was asked to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Leave out `cargo test --workspace`, for quick runs.
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

/// How a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// `cargo ARGS`; when `deny_warnings_in` names a variable, ` -D warnings` is appended to it.
    Cargo {
        args: &'static [&'static str],
        deny_warnings_in: Option<&'static str>,
    },
    /// `cargo xtask codegen --check`, called in-process.
    CodegenCheck,
    /// `cargo xtask conformance`, called in-process.
    Conformance,
}

/// One step of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    /// What `::: NAME` announces.
    name: &'static str,
    action: Action,
    /// Whether `--skip-tests` leaves it out.
    is_tests: bool,
}

/// The steps of `.ci/run`, in its order.
const STEPS: &[Step] = &[
    Step {
        name: "cargo fmt",
        action: Action::Cargo {
            args: &["fmt", "--all", "--check"],
            deny_warnings_in: None,
        },
        is_tests: false,
    },
    Step {
        name: "cargo clippy",
        action: Action::Cargo {
            args: &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            deny_warnings_in: None,
        },
        is_tests: false,
    },
    Step {
        name: "cargo xtask codegen --check",
        action: Action::CodegenCheck,
        is_tests: false,
    },
    Step {
        name: "cargo doc",
        action: Action::Cargo {
            args: &["doc", "--workspace", "--no-deps"],
            deny_warnings_in: Some("RUSTDOCFLAGS"),
        },
        is_tests: false,
    },
    Step {
        name: "cargo test",
        action: Action::Cargo {
            args: &["test", "--workspace"],
            deny_warnings_in: None,
        },
        is_tests: true,
    },
    Step {
        name: "cargo xtask conformance",
        action: Action::Conformance,
        is_tests: true,
    },
];

/// The steps to run under `opts`.
fn steps(opts: Options) -> Vec<Step> {
    STEPS
        .iter()
        .filter(|s| !(opts.skip_tests && s.is_tests))
        .copied()
        .collect()
}

impl Step {
    /// The shell command that reruns this step alone.
    fn command_line(&self) -> String {
        match self.action {
            Action::Cargo {
                args,
                deny_warnings_in,
            } => {
                let env = deny_warnings_in
                    .map(|var| format!("{var}=\"-D warnings\" "))
                    .unwrap_or_default();
                format!("{env}cargo {}", args.join(" "))
            }
            Action::CodegenCheck => "cargo xtask codegen --check".to_string(),
            Action::Conformance => "cargo xtask conformance".to_string(),
        }
    }

    /// Runs the step in `root`; the error says how it failed.
    fn execute(&self, root: &Path) -> Result<(), String> {
        match self.action {
            Action::Cargo {
                args,
                deny_warnings_in,
            } => {
                let mut cmd = Command::new(env!("CARGO"));
                cmd.args(args).current_dir(root);
                if let Some(var) = deny_warnings_in {
                    // Keep whatever the caller set, as `.ci/run` does.
                    let old = std::env::var(var).unwrap_or_default();
                    cmd.env(var, format!("{old} -D warnings").trim_start());
                }
                let status = cmd
                    .status()
                    .map_err(|e| format!("cannot run {}: {e}", env!("CARGO")))?;
                if status.success() {
                    Ok(())
                } else {
                    Err(status.to_string())
                }
            }
            Action::CodegenCheck => codegen::run(codegen::Mode::Check),
            Action::Conformance => conformance::run_conformance(),
        }
    }
}

/// Runs the pipeline in `root`, stopping at the first failing step.
pub fn run(root: &Path, opts: Options) -> Result<(), String> {
    let start = Instant::now();
    let mut timings = Vec::new();
    for step in steps(opts) {
        say(&format!("::: {}", step.name));
        let step_start = Instant::now();
        let result = step.execute(root);
        timings.push(Timing {
            name: step.name,
            took: step_start.elapsed(),
            ok: result.is_ok(),
        });
        if let Err(e) = result {
            say(&summary(&timings, start.elapsed(), opts));
            return Err(format!(
                "ci step `{}` failed: {e}\nrerun it with: {}",
                step.name,
                step.command_line()
            ));
        }
    }
    say(&summary(&timings, start.elapsed(), opts));
    Ok(())
}

/// How long one step took, and whether it passed.
#[derive(Debug, Clone, Copy)]
struct Timing {
    name: &'static str,
    took: Duration,
    ok: bool,
}

/// The closing report: the total, then one line per step run.
fn summary(timings: &[Timing], total: Duration, opts: Options) -> String {
    let headline = match timings.iter().find(|t| !t.ok) {
        Some(failed) => format!(
            "::: ci failed at `{}` after {}",
            failed.name,
            format_duration(total)
        ),
        None => format!(
            "::: ci passed: {} step{} in {}",
            timings.len(),
            if timings.len() == 1 { "" } else { "s" },
            format_duration(total)
        ),
    };
    let mut out = headline;
    for t in timings {
        let mark = if t.ok { "" } else { "  FAILED" };
        out.push_str(&format!(
            "\n  {:>9}  {}{mark}",
            format_duration(t.took),
            t.name
        ));
    }
    if opts.skip_tests {
        out.push_str("\n  (cargo test and conformance skipped: --skip-tests)");
    }
    out
}

/// `4.2s`, or `2m 03.5s` from a minute on.
fn format_duration(d: Duration) -> String {
    let tenths = d.as_millis() / 100;
    let (minutes, tenths) = (tenths / 600, tenths % 600);
    if minutes == 0 {
        format!("{}.{}s", tenths / 10, tenths % 10)
    } else {
        format!("{minutes}m {:02}.{}s", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pipeline runs `.ci/run`'s steps in its order.
    #[test]
    fn steps_mirror_ci_run() {
        let script = std::fs::read_to_string(crate::util::project_root().join(".ci/run"))
            .expect("read .ci/run");
        let commands: Vec<&str> = script
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("cargo "))
            .collect();
        let ours: Vec<String> = steps(Options::default())
            .iter()
            .map(|s| {
                s.command_line()
                    .trim_start_matches("RUSTDOCFLAGS=\"-D warnings\" ")
                    .to_string()
            })
            .collect();
        assert_eq!(ours, commands);
    }

    /// `--skip-tests` drops exactly the test steps, which come last.
    #[test]
    fn skip_tests_drops_only_the_test_steps() {
        let all = steps(Options::default());
        let quick = steps(Options { skip_tests: true });
        let names = |steps: &[Step]| steps.iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(
            names(&all[quick.len()..]),
            ["cargo test", "cargo xtask conformance"]
        );
        assert_eq!(names(&quick), names(&all[..quick.len()]));
    }

    /// Rerun hints are commands a shell can run, including the doc step's flags.
    #[test]
    fn rerun_commands() {
        let lines: Vec<String> = STEPS.iter().map(Step::command_line).collect();
        assert_eq!(
            lines,
            [
                "cargo fmt --all --check",
                "cargo clippy --workspace --all-targets -- -D warnings",
                "cargo xtask codegen --check",
                "RUSTDOCFLAGS=\"-D warnings\" cargo doc --workspace --no-deps",
                "cargo test --workspace",
                "cargo xtask conformance",
            ]
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

    /// Durations read as seconds, then minutes and seconds.
    #[test]
    fn formats_durations() {
        assert_eq!(format_duration(Duration::from_millis(0)), "0.0s");
        assert_eq!(format_duration(Duration::from_millis(4_260)), "4.2s");
        assert_eq!(format_duration(Duration::from_millis(59_990)), "59.9s");
        assert_eq!(format_duration(Duration::from_millis(60_000)), "1m 00.0s");
        assert_eq!(format_duration(Duration::from_millis(123_456)), "2m 03.4s");
    }

    /// The summary names the failing step and lists every step that ran.
    #[test]
    fn summary_reports_failure_and_timings() {
        let timings = [
            Timing {
                name: "cargo fmt",
                took: Duration::from_millis(300),
                ok: true,
            },
            Timing {
                name: "cargo clippy",
                took: Duration::from_millis(61_000),
                ok: false,
            },
        ];
        let text = summary(&timings, Duration::from_millis(61_300), Options::default());
        assert_eq!(
            text,
            "::: ci failed at `cargo clippy` after 1m 01.3s\n       0.3s  cargo fmt\n   1m 01.0s  cargo clippy  FAILED"
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
