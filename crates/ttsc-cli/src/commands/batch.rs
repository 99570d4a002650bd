//! `ttsc batch`: every line of a manifest synthesized into `--out-dir`, with a journal that
//! makes a re-run after a crash or Ctrl-C skip finished lines and re-attach to jobs
//! already created (see [`crate::journal`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;
use ttsc_client::download::part_path;
use ttsc_client::{Client, ErrorKind, JobFile, WaitOptions};
use ttsc_models::{CreateAsyncTtsJobRequest, ShowTtsJobRequest};

use super::jobs::check_out_dir;
use crate::cli::BatchArgs;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::journal::{Entry, Journal, fingerprint};
use crate::manifest::{self, Item};
use crate::output::Record;

/// What happened to one line (printed on stdout as it happens).
#[derive(Debug, Clone, Serialize)]
struct LineResult {
    id: String,
    line: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_id: Option<String>,
    files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Record for LineResult {
    const COLUMNS: &'static [&'static str] = &["id", "status", "job_id", "files", "reason"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.status.to_string(),
            self.job_id.clone().unwrap_or_default(),
            self.files.join(";"),
            self.reason.clone().unwrap_or_default(),
        ]
    }
}

/// The work of one line.
struct Work {
    item: Item,
    fingerprint: String,
    /// The job to wait for: created by this run, or by an earlier one (re-attached).
    job_id: Option<String>,
    /// The last job, after it failed or vanished (for the report).
    last_job: Option<String>,
    /// Whether `job_id` comes from the journal and is not yet checked against the line.
    unverified: bool,
}

/// What every line's task shares.
struct Shared {
    client: Client,
    journal: Journal,
    wait: WaitOptions,
    out_dir: PathBuf,
    retries: u8,
}

fn fingerprint_of(item: &Item) -> String {
    let body = serde_json::to_vec(&item.body).unwrap_or_default();
    fingerprint(&[body.as_slice(), item.ext.as_bytes()].concat())
}

/// The result files of a line, each with its name relative to the output directory.
fn outputs(item: &Item) -> Vec<(JobFile, String)> {
    let mut files = vec![(JobFile::Audio, format!("{}.{}", item.id, item.ext))];
    if item.srt {
        files.push((JobFile::Subtitles, format!("{}.srt", item.id)));
    }
    if item.timestamps {
        files.push((JobFile::Timestamps, format!("{}.timestamps.json", item.id)));
    }
    files
}

/// The files of a line, relative to the output directory.
fn file_names(item: &Item) -> Vec<String> {
    outputs(item).into_iter().map(|(_, name)| name).collect()
}

/// Removes the partial downloads of a line's files: they must never be resumed with another
/// job's bytes.
fn remove_partials(shared: &Shared, item: &Item) {
    for name in file_names(item) {
        let _ = std::fs::remove_file(part_path(&shared.out_dir.join(name)));
    }
}

/// Runs `ttsc batch`.
pub async fn run(mut ctx: Ctx, args: BatchArgs) -> CliResult<ExitCode> {
    let started = Instant::now();
    // Everything is validated before a request is sent or a file written.
    let items = manifest::load(&args.manifest)?;
    check_out_dir(&args.out_dir)?;
    let client = ctx.client().await?;
    std::fs::create_dir_all(&args.out_dir).map_err(|e| {
        CliError::io(
            format!("cannot create --out-dir {}", args.out_dir.display()),
            &e,
        )
    })?;
    let (journal, last) = Journal::open(&args.out_dir).map_err(|e| {
        CliError::io(
            format!("cannot open the journal in {}", args.out_dir.display()),
            &e,
        )
    })?;

    let total = items.len();
    let mut out = ctx.output();
    let mut list = out.list::<LineResult>()?;
    let mut work = Vec::new();
    let mut skipped = 0usize;
    let mut reattached = 0usize;
    for item in items {
        let fp = fingerprint_of(&item);
        let job_id = match last.get(&item.id) {
            Some(Entry::Done { job_id, files, .. })
                if files.iter().all(|f| args.out_dir.join(f).is_file())
                    && *files == file_names(&item) =>
            {
                skipped += 1;
                list.push(&LineResult {
                    id: item.id.clone(),
                    line: item.line,
                    status: "skipped",
                    job_id: Some(job_id.clone()),
                    files: files.clone(),
                    reason: None,
                })?;
                continue;
            }
            Some(Entry::Created {
                job_id,
                fingerprint,
                ..
            }) if *fingerprint == fp => {
                reattached += 1;
                Some(job_id.clone())
            }
            _ => None,
        };
        work.push(Work {
            item,
            fingerprint: fp,
            unverified: job_id.is_some(),
            job_id,
            last_job: None,
        });
    }
    if skipped > 0 || reattached > 0 {
        ctx.ui.note(&format!(
            "resuming from {}: {skipped} lines done before, {reattached} jobs to re-attach",
            journal.path().display()
        ));
    }

    let shared = Arc::new(Shared {
        client,
        journal,
        wait: ctx.wait_options(false),
        out_dir: args.out_dir.clone(),
        retries: args.retries,
    });
    let bar = ctx.ui.bar(total as u64);
    bar.set_position(skipped as u64);
    let mut stream = futures_util::stream::iter(work)
        .map(|w| {
            let shared = Arc::clone(&shared);
            async move { process(&shared, w).await }
        })
        .buffer_unordered(usize::from(args.concurrency));

    let mut done = 0usize;
    let mut failed: Vec<LineResult> = Vec::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = false;
    loop {
        let next = tokio::select! {
            biased;
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
            next = stream.next() => next,
        };
        let Some(result) = next else { break };
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                bar.finish_and_clear();
                list.finish()?;
                out.flush()?;
                return Err(e);
            }
        };
        if result.status == "done" {
            done += 1;
        } else {
            failed.push(result.clone());
            let reason = result.reason.clone().unwrap_or_default();
            bar.suspend(|| {
                ctx.ui.warn(&format!(
                    "line {} ({}) failed: {reason}",
                    result.line, result.id
                ))
            });
        }
        bar.inc(1);
        let rate = (done + failed.len()) as f64 / started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("done, {} failed, {rate:.1}/s,", failed.len()));
        list.push(&result)?;
    }
    drop(stream);
    bar.finish_and_clear();
    list.finish()?;
    out.flush()?;

    let elapsed = started.elapsed().as_secs_f64();
    let summary = format!(
        "{done} synthesized, {skipped} already done, {} failed, {} not finished; {elapsed:.1} s",
        failed.len(),
        total - done - skipped - failed.len()
    );
    ctx.ui.note(&summary);
    if interrupted {
        return Err(CliError::interrupted().hint(format!(
            "run the same command again to resume: finished lines are skipped and created jobs re-attached (journal: {})",
            shared.journal.path().display()
        )));
    }
    if !failed.is_empty() {
        let mut e = CliError::new(
            ExitCode::BatchFailures,
            format!("{} of {total} lines failed", failed.len()),
        );
        for f in &failed {
            e.details.push(format!(
                "line {} ({}): {}",
                f.line,
                f.id,
                f.reason.as_deref().unwrap_or("failed")
            ));
        }
        return Err(e.hint("run the same command again to retry the failed lines"));
    }
    Ok(ExitCode::Success)
}

/// Why one try of a line failed.
#[derive(Debug)]
struct LineError {
    reason: String,
    /// Another try may succeed.
    retry: bool,
    /// The job is gone or failed: the next try creates a new one.
    job_gone: bool,
}

impl LineError {
    fn client(e: &ttsc_client::Error) -> Self {
        // Bad input, configuration and rejected credentials fail the same way every time.
        let permanent = matches!(
            e.kind(),
            ErrorKind::Validation | ErrorKind::Config | ErrorKind::Credentials
        ) || e.is_auth_rejected()
            || (e.kind() == ErrorKind::Service && e.status() == Some(400));
        let retry = !permanent;
        LineError {
            reason: ttsc_client::sanitize(&e.to_string(), 300),
            retry,
            job_gone: e.kind() == ErrorKind::JobFailed || e.status() == Some(404),
        }
    }

    fn other(reason: impl Into<String>) -> Self {
        LineError {
            reason: reason.into(),
            retry: true,
            job_gone: true,
        }
    }
}

/// Synthesizes one line, retrying; only journal failures abort the batch.
async fn process(shared: &Shared, mut w: Work) -> CliResult<LineResult> {
    let mut tries = 0u8;
    loop {
        match attempt(shared, &mut w).await? {
            Ok(files) => {
                let job_id = w.job_id.clone().unwrap_or_default();
                journal(
                    shared,
                    &Entry::Done {
                        id: w.item.id.clone(),
                        job_id: job_id.clone(),
                        files: files.clone(),
                    },
                )?;
                return Ok(LineResult {
                    id: w.item.id,
                    line: w.item.line,
                    status: "done",
                    job_id: Some(job_id),
                    files,
                    reason: None,
                });
            }
            Err(e) => {
                tries += 1;
                tracing::debug!(id = %w.item.id, tries, error = %e.reason, "line failed");
                if e.job_gone && w.job_id.is_some() {
                    w.last_job = w.job_id.take();
                }
                if tries > shared.retries || !e.retry {
                    journal(
                        shared,
                        &Entry::Failed {
                            id: w.item.id.clone(),
                            job_id: w.job_id.clone().or_else(|| w.last_job.clone()),
                            reason: e.reason.clone(),
                        },
                    )?;
                    remove_partials(shared, &w.item);
                    return Ok(LineResult {
                        id: w.item.id,
                        line: w.item.line,
                        status: "failed",
                        job_id: w.job_id.or(w.last_job),
                        files: Vec::new(),
                        reason: Some(e.reason),
                    });
                }
                tokio::time::sleep(Duration::from_millis(500) * u32::from(tries)).await;
            }
        }
    }
}

fn journal(shared: &Shared, entry: &Entry) -> CliResult {
    shared.journal.append(entry).map_err(|e| {
        CliError::io(
            format!(
                "cannot write the journal {}",
                shared.journal.path().display()
            ),
            &e,
        )
    })
}

/// One try: create (or re-attach), wait, download. The outer error aborts the batch.
async fn attempt(shared: &Shared, w: &mut Work) -> CliResult<Result<Vec<String>, LineError>> {
    let client = &shared.client;
    if w.unverified {
        w.unverified = false;
        if let Some(job_id) = w.job_id.clone()
            && !same_job(client, &job_id, &w.item).await
        {
            tracing::info!(id = %w.item.id, job_id, "the journaled job is not this line's; creating a new one");
            w.job_id = None;
        }
    }
    let job_id = match &w.job_id {
        Some(j) => j.clone(),
        None => {
            // Partial downloads of an earlier job of this line.
            remove_partials(shared, &w.item);
            let created = match client
                .create_async_tts_job(CreateAsyncTtsJobRequest::new(w.item.body.clone()))
                .await
            {
                Ok(c) => c,
                Err(e) => return Ok(Err(LineError::client(&e))),
            };
            let Some(job_id) = created.job_id.filter(|j| !j.is_empty()) else {
                return Ok(Err(LineError::other(
                    "the service created a job but returned no job_id",
                )));
            };
            journal(
                shared,
                &Entry::Created {
                    id: w.item.id.clone(),
                    job_id: job_id.clone(),
                    fingerprint: w.fingerprint.clone(),
                },
            )?;
            w.job_id = Some(job_id.clone());
            job_id
        }
    };
    let job = match client.wait_for_job(&job_id, &shared.wait).await {
        Ok(j) => j,
        Err(e) => return Ok(Err(LineError::client(&e))),
    };
    let outputs = outputs(&w.item);
    for (file, name) in &outputs {
        if file.url(&job).is_none() {
            return Ok(Err(LineError::other(format!(
                "job {job_id} finished without a URL for {name}"
            ))));
        }
        let dest = shared.out_dir.join(name);
        if let Err(e) = client.download_job_file(&job_id, &job, *file, dest).await {
            return Ok(Err(LineError::client(&e)));
        }
    }
    Ok(Ok(outputs.into_iter().map(|(_, name)| name).collect()))
}

/// Whether the service's record of `job_id` is this line's job (same voice and text
/// length): a journal may outlive the jobs it names (another account, a restarted
/// emulator), and a job id must never be re-attached to another line's job.
async fn same_job(client: &Client, job_id: &str, item: &Item) -> bool {
    let request = ShowTtsJobRequest::new().job_id(job_id).limit(1);
    match client.show_tts_job(request).await {
        Ok(r) => r.data.unwrap_or_default().iter().any(|j| {
            j.job_id.as_deref() == Some(job_id)
                && j.asset_id.as_deref() == Some(item.body.voice_asset_id.as_str())
                && j.text_length.map(i64::from) == Some(item.body.text.chars().count() as i64)
        }),
        // Unknown: keep the job; waiting for it will tell.
        Err(e) => {
            tracing::debug!(error = %e, "cannot check the journaled job");
            true
        }
    }
}
