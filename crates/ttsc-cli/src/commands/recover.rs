//! What `synth` says when it stops after its job exists (Ctrl-C, SIGTERM, a write error
//! such as a full disk): the job's id and the exact `ttsc jobs download` command that
//! fetches its files to the paths asked for, or for a text that ran as several jobs, the
//! journal that makes the same command resume.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::context::Ctx;
use crate::error::CliError;

/// Shared by the running synthesis (which records each job as it is created) and the
/// code that reports how it ended.
#[derive(Clone, Default)]
pub struct Recovery(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    /// What to say once a job exists; `None` when there is nothing to say (`--emulator`,
    /// whose jobs end with the command).
    plan: Option<Plan>,
    jobs: Vec<String>,
    /// The single job failed: it has no files to fetch.
    failed: bool,
}

struct Plan {
    /// The connection options given on the command line, as words.
    globals: Vec<String>,
    /// `("--output", path)`, then `--srt`, `--timestamps` when asked for.
    outputs: Vec<(&'static str, String)>,
    /// The journal, for a text that runs as several jobs.
    journal: Option<PathBuf>,
    /// `--pcm`: the output is raw PCM though its name does not say so.
    pcm: bool,
}

impl Plan {
    /// The `ttsc jobs download` command that fetches `job`'s files to the planned paths.
    fn command(&self, job: &str) -> String {
        let mut words = vec!["ttsc".to_string()];
        words.extend(self.globals.iter().cloned());
        words.extend(["jobs".into(), "download".into(), job.to_owned()]);
        for (flag, path) in &self.outputs {
            words.extend([(*flag).to_string(), path.clone()]);
        }
        if self.pcm {
            words.push("--pcm".into());
        }
        words.join(" ")
    }
}

impl Recovery {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Arms the report: from now on a job that exists is named when the command stops.
    /// `journal` is the resume journal of a long text; `pcm` asks for raw PCM in an
    /// output whose name does not say so (`synth --format pcm -o take`).
    pub fn plan(
        &self,
        ctx: &Ctx,
        outputs: &[(&'static str, &Path)],
        journal: Option<PathBuf>,
        pcm: bool,
    ) {
        if ctx.g.emulator {
            return;
        }
        let mut globals = Vec::new();
        let g = &ctx.g;
        for (id, flag, value) in [
            ("endpoint", "--endpoint", &g.endpoint),
            ("iam_endpoint", "--iam-endpoint", &g.iam_endpoint),
            ("region", "--region", &g.region),
            ("project_id", "--project-id", &g.project_id),
            ("profile", "--profile", &g.profile),
        ] {
            // A value from the environment is still there for the next command.
            if let Some(v) = value.as_deref().filter(|_| !ctx.sources.is_from_env(id)) {
                globals.extend([flag.to_string(), shell_word(v)]);
            }
        }
        let outputs = outputs
            .iter()
            .map(|(flag, p)| (*flag, shell_word(&p.to_string_lossy())))
            .collect();
        self.state().plan = Some(Plan {
            globals,
            outputs,
            journal,
            pcm,
        });
    }

    /// The `ttsc jobs download` command that fetches `job`'s files to the planned paths
    /// (`None` before [`plan`](Self::plan), or with `--emulator`).
    pub fn download_command(&self, job: &str) -> Option<String> {
        self.state().plan.as_ref().map(|p| p.command(job))
    }

    /// A callback that records each job as soon as it exists.
    pub fn recorder(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let this = self.clone();
        move |id| this.state().jobs.push(id.to_owned())
    }

    /// The (single) job failed: there is nothing to fetch.
    pub fn job_failed(&self) {
        self.state().failed = true;
    }

    /// Adds to `e` how to get what the jobs made, when a job exists.
    pub fn explain(&self, e: CliError) -> CliError {
        let state = self.state();
        let Some(plan) = &state.plan else {
            return e;
        };
        let Some(first) = state.jobs.first() else {
            return e;
        };
        if let Some(journal) = &plan.journal {
            return e.hint(format!(
                "the parts' jobs are recorded in {}: running the same command again resumes them (no part is created twice)",
                journal.display()
            ));
        }
        if state.failed {
            return e;
        }
        e.hint(format!(
            "job {first} exists; `{}` fetches its files (waiting for it if it is still running)",
            plan.command(first)
        ))
    }
}

/// `s` as one POSIX shell word: as is when it is plain, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,+@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("out/a.wav"), "out/a.wav");
        assert_eq!(shell_word("my take.wav"), "'my take.wav'");
        assert_eq!(shell_word("it's.wav"), r"'it'\''s.wav'");
        assert_eq!(shell_word(""), "''");
    }
}
