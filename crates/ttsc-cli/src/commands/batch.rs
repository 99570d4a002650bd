//! `ttsc batch`: every line of a manifest synthesized into `--out-dir`, with a locked
//! journal that makes a re-run after a crash, Ctrl-C or SIGTERM skip finished lines,
//! re-attach to jobs already created and leave lines that failed for good alone (see
//! [`crate::journal`]). A line longer than one job takes runs as parts through the
//! client's long synthesis, which resumes from its own journal beside the line's audio.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;
use ttsc_client::download::part_path;
use ttsc_client::split::DEFAULT_MAX_PART_CHARS;
use ttsc_client::{Client, CreateOptions, ErrorKind, JobFile, SynthesizeRequest, WaitOptions};
use ttsc_models::{
    CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, Operation, ShowTtsJobRequest,
};

use super::jobs::check_out_dir;
use super::shutdown_signal;
use crate::cli::BatchArgs;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::journal::{Entry, Journal, OpenError, fingerprint};
use crate::manifest::{self, Item};
use crate::output::Record;

/// How often `--wait-lock` tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(250);

/// Files named in one "not ours" error at most.
const MAX_NAMED: usize = 10;

/// What happened to one line (printed on stdout as it happens).
#[derive(Debug, Clone, Serialize)]
struct LineResult {
    id: String,
    line: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_id: Option<String>,
    /// Every part's job, for a line that ran as several (`job_id` is then the first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    job_ids: Vec<String>,
    files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The line failed for good: a re-run leaves it alone unless `--retry-failed`.
    #[serde(skip)]
    permanent: bool,
    /// The line failed for good in an earlier run and was left alone.
    #[serde(skip)]
    earlier: bool,
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

impl LineResult {
    fn new(item: &Item, status: &'static str, job_id: Option<String>) -> Self {
        LineResult {
            id: item.id.clone(),
            line: item.line,
            status,
            job_id,
            job_ids: Vec::new(),
            files: Vec::new(),
            reason: None,
            permanent: false,
            earlier: false,
        }
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
    /// Every part's job, once a long line is done.
    job_ids: Vec<String>,
}

/// What every line's task shares.
struct Shared {
    client: Client,
    journal: Arc<Journal>,
    wait: WaitOptions,
    out_dir: PathBuf,
    retries: u8,
    /// Creates that may have made a job nobody adopted (the line was created anew).
    possible_duplicates: AtomicUsize,
}

/// What the journal and the output directory say about the manifest's lines.
struct Plan {
    /// Lines with nothing left to do: skipped, or failed for good before.
    settled: Vec<LineResult>,
    work: Vec<Work>,
    reattach: usize,
}

/// The line's request, hashed: any change (text, voice, option, output format) changes it.
fn fingerprint_of(item: &Item) -> String {
    let body = serde_json::to_vec(&item.body).unwrap_or_default();
    fingerprint(&[body.as_slice(), b"\n", item.ext.as_bytes()].concat())
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
fn remove_partials(out_dir: &Path, item: &Item) {
    for name in file_names(item) {
        let _ = std::fs::remove_file(part_path(&out_dir.join(name)));
    }
}

/// Runs `ttsc batch`.
pub async fn run(mut ctx: Ctx, args: BatchArgs) -> CliResult<ExitCode> {
    let started = Instant::now();
    // Installed now, so a signal during setup is not lost.
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    // Everything is validated before a request is sent or a file written.
    let mut items = manifest::load(&args.manifest)?;
    check_out_dir(&args.out_dir)?;
    super::voice::resolve_manifest_voices(&mut ctx, &mut items).await?;
    let client = ctx.client().await?;
    std::fs::create_dir_all(&args.out_dir).map_err(|e| {
        CliError::io(
            format!("cannot create --out-dir {}", args.out_dir.display()),
            &e,
        )
    })?;
    let journal = tokio::select! {
        j = lock_journal(&ctx, &args) => j?,
        () = &mut shutdown => return Err(CliError::interrupted()),
    };
    let total = items.len();
    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let plan = match plan(&journal, items, &args) {
        Ok(plan) => plan,
        Err(e) => {
            journal.discard_if_unused();
            return Err(e);
        }
    };

    let mut out = ctx.output();
    let mut list = out.list::<LineResult>()?;
    let mut failed: Vec<LineResult> = Vec::new();
    let mut skipped = 0usize;
    for result in plan.settled {
        if result.status == "skipped" {
            skipped += 1;
        } else {
            failed.push(result.clone());
        }
        list.push(&result)?;
    }
    list.flush()?;
    if skipped + failed.len() > 0 || plan.reattach > 0 {
        let failed_before = if failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed for good before", failed.len())
        };
        ctx.ui.note(&format!(
            "resuming from {}: {skipped} lines done before{failed_before}, {} jobs to re-attach",
            journal.path().display(),
            plan.reattach
        ));
    }

    let shared = Arc::new(Shared {
        client,
        journal: Arc::new(journal),
        wait: ctx.wait_options(false),
        out_dir: args.out_dir.clone(),
        retries: args.retries,
        possible_duplicates: AtomicUsize::new(0),
    });
    let already = (skipped + failed.len()) as u64;
    let bar = ctx.ui.bar(total as u64, already);
    bar.set_position(already);
    let mut stream = futures_util::stream::iter(plan.work)
        .map(|w| {
            let shared = Arc::clone(&shared);
            async move { process(&shared, w).await }
        })
        .buffer_unordered(usize::from(args.concurrency));

    let mut done = 0usize;
    let mut interrupted = false;
    loop {
        let next = tokio::select! {
            biased;
            () = &mut shutdown => {
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
            bar.set_message(format!(", {} failed", failed.len()));
        }
        bar.inc(1);
        // Streamed: a reader sees each line as it finishes.
        list.push(&result)?;
        list.flush()?;
    }
    // Cancels the lines in flight; every journal write is whole, so a re-run resumes them.
    drop(stream);
    bar.finish_and_clear();
    list.finish()?;
    out.flush()?;

    let elapsed = started.elapsed().as_secs_f64();
    let duplicates = shared.possible_duplicates.load(Ordering::Relaxed);
    let mut summary = format!(
        "{done} synthesized, {skipped} already done, {} failed, {} not finished",
        failed.len(),
        total - done - skipped - failed.len()
    );
    if duplicates > 0 {
        summary.push_str(&format!(
            ", {duplicates} possible duplicate jobs (a create failed ambiguously and the line was created anew)"
        ));
    }
    ctx.ui.note(&format!("{summary}; {elapsed:.1} s"));
    let manifest_ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let orphans = shared.journal.with_history(|h| h.orphans(&manifest_ids));
    if !orphans.is_empty() {
        ctx.ui.note(&format!(
            "{} jobs in the journal belong to no line (their line changed or left the manifest): {}",
            orphans.len(),
            name_some(&orphans)
        ));
    }
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
                "line {} ({}): {}{}",
                f.line,
                f.id,
                f.reason.as_deref().unwrap_or("failed"),
                if f.earlier {
                    " (in an earlier run)"
                } else {
                    ""
                }
            ));
        }
        if failed.iter().any(|f| !f.permanent) {
            e = e.hint("run the same command again to retry the failed lines");
        }
        if failed.iter().any(|f| f.permanent) {
            e = e.hint("a line whose job failed or whose request was refused is not retried by a re-run unless you add --retry-failed");
        }
        return Err(e);
    }
    Ok(ExitCode::Success)
}

/// Opens and locks the journal; with `--wait-lock`, waits for another run to release it.
async fn lock_journal(ctx: &Ctx, args: &BatchArgs) -> CliResult<Journal> {
    let mut waiting = false;
    loop {
        match Journal::open(&args.out_dir) {
            Ok(journal) => return Ok(journal),
            Err(OpenError::Locked) if args.wait_lock => {
                if !waiting {
                    waiting = true;
                    ctx.ui.note(&format!(
                        "waiting for another `ttsc batch` using {} to finish",
                        args.out_dir.display()
                    ));
                }
                tokio::time::sleep(LOCK_POLL).await;
            }
            Err(OpenError::Locked) => {
                return Err(CliError::failure(format!(
                    "another `ttsc batch` is using {}",
                    args.out_dir.display()
                ))
                .cause(format!(
                    "its journal {} is locked",
                    args.out_dir.join(crate::journal::FILE_NAME).display()
                ))
                .hint("wait until it ends, or add --wait-lock to start when it does"));
            }
            Err(OpenError::Io(e)) => {
                return Err(CliError::io(
                    format!("cannot open the journal in {}", args.out_dir.display()),
                    &e,
                ));
            }
        }
    }
}

/// Decides each line's fate from the journal, and refuses (exit 2, nothing sent) to
/// overwrite files the journal did not write, unless `--force`.
fn plan(journal: &Journal, items: Vec<Item>, args: &BatchArgs) -> CliResult<Plan> {
    journal.with_history(|history| {
        let mut plan = Plan {
            settled: Vec::new(),
            work: Vec::new(),
            reattach: 0,
        };
        let mut not_ours = Vec::new();
        for item in items {
            let fp = fingerprint_of(&item);
            let job_id = match history.last.get(&item.id) {
                Some(Entry::Done {
                    job_id,
                    fingerprint,
                    files,
                    ..
                }) if *fingerprint == fp
                    && *files == file_names(&item)
                    && outputs(&item).iter().all(|(kind, name)| {
                        check_output(&args.out_dir.join(name), *kind, item.ext).is_ok()
                    }) =>
                {
                    let mut r = LineResult::new(&item, "skipped", Some(job_id.clone()));
                    r.files = files.clone();
                    plan.settled.push(r);
                    continue;
                }
                Some(Entry::Failed {
                    job_id,
                    fingerprint,
                    reason,
                    permanent: true,
                    ..
                }) if *fingerprint == fp && !args.retry_failed => {
                    let mut r = LineResult::new(&item, "failed", job_id.clone());
                    r.reason = Some(reason.clone());
                    r.permanent = true;
                    r.earlier = true;
                    plan.settled.push(r);
                    continue;
                }
                Some(Entry::Created {
                    job_id,
                    fingerprint,
                    ..
                }) if *fingerprint == fp => {
                    plan.reattach += 1;
                    Some(job_id.clone())
                }
                _ => None,
            };
            if !args.force && !history.owns(&item.id) {
                for name in file_names(&item) {
                    if args.out_dir.join(&name).symlink_metadata().is_ok() {
                        not_ours.push(name);
                    }
                }
            }
            plan.work.push(Work {
                item,
                fingerprint: fp,
                unverified: job_id.is_some(),
                job_id,
                last_job: None,
                job_ids: Vec::new(),
            });
        }
        if not_ours.is_empty() {
            return Ok(plan);
        }
        Err(CliError::usage(format!(
            "batch would overwrite {} files in {} that its journal did not write: {}",
            not_ours.len(),
            args.out_dir.display(),
            name_some(&not_ours)
        ))
        .hint("move them away, choose another --out-dir, or add --force to overwrite them"))
    })
}

/// The first [`MAX_NAMED`] of `names`, comma-separated, then how many more there are.
fn name_some(names: &[String]) -> String {
    let shown = names.len().min(MAX_NAMED);
    let mut text = names[..shown].join(", ");
    if names.len() > shown {
        text.push_str(&format!(" and {} more", names.len() - shown));
    }
    text
}

/// How a failure bears on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Another try may succeed (timeouts, 5xx, 429, lost connections, vanished jobs).
    Transient,
    /// The service ran the job and marked it failed, or refused the create: the same
    /// request fails the same way, in this run and the next.
    Permanent,
    /// Not the line's fault (credentials, configuration): no more tries in this run, but a
    /// re-run tries again.
    Stop,
}

/// Why one try of a line failed.
#[derive(Debug)]
struct LineError {
    reason: String,
    fate: Fate,
    /// The job is gone or failed: the next try creates a new one.
    job_gone: bool,
}

impl LineError {
    /// Classifies a client error; `creating` when it answered the create.
    fn client(e: &ttsc_client::Error, creating: bool) -> Self {
        let refused = creating
            && e.kind() == ErrorKind::Service
            && e.status()
                .is_some_and(|s| (400..500).contains(&s) && !matches!(s, 401 | 403 | 408 | 429));
        let fate =
            if e.kind() == ErrorKind::JobFailed || refused || e.kind() == ErrorKind::Validation {
                Fate::Permanent
            } else if matches!(e.kind(), ErrorKind::Config | ErrorKind::Credentials)
                || e.is_auth_rejected()
            {
                Fate::Stop
            } else {
                Fate::Transient
            };
        LineError {
            reason: ttsc_client::text::sanitize(&e.to_string(), 300),
            fate,
            job_gone: e.kind() == ErrorKind::JobFailed || e.status() == Some(404),
        }
    }

    fn transient(reason: impl Into<String>, job_gone: bool) -> Self {
        LineError {
            reason: reason.into(),
            fate: Fate::Transient,
            job_gone,
        }
    }
}

/// Synthesizes one line, retrying transient failures; only journal failures abort the batch.
async fn process(shared: &Shared, mut w: Work) -> CliResult<LineResult> {
    let mut tries = 0u8;
    loop {
        match synthesize_line(shared, &mut w).await? {
            Ok(files) => {
                let job_id = w.job_id.clone().unwrap_or_default();
                journal(
                    shared,
                    &Entry::Done {
                        id: w.item.id.clone(),
                        job_id: job_id.clone(),
                        fingerprint: w.fingerprint.clone(),
                        files: files.clone(),
                    },
                )?;
                let mut r = LineResult::new(&w.item, "done", Some(job_id));
                r.files = files;
                r.job_ids = std::mem::take(&mut w.job_ids);
                return Ok(r);
            }
            Err(e) => {
                tries += 1;
                tracing::debug!(id = %w.item.id, tries, error = %e.reason, "line failed");
                if e.job_gone && w.job_id.is_some() {
                    w.last_job = w.job_id.take();
                }
                if tries > shared.retries || e.fate != Fate::Transient {
                    let job_id = w.job_id.clone().or_else(|| w.last_job.clone());
                    journal(
                        shared,
                        &Entry::Failed {
                            id: w.item.id.clone(),
                            job_id: job_id.clone(),
                            fingerprint: w.fingerprint.clone(),
                            reason: e.reason.clone(),
                            permanent: e.fate == Fate::Permanent,
                        },
                    )?;
                    remove_partials(&shared.out_dir, &w.item);
                    let mut r = LineResult::new(&w.item, "failed", job_id);
                    r.reason = Some(e.reason);
                    r.permanent = e.fate == Fate::Permanent;
                    return Ok(r);
                }
                tokio::time::sleep(Duration::from_millis(500) * u32::from(tries)).await;
            }
        }
    }
}

fn journal(shared: &Shared, entry: &Entry) -> CliResult {
    shared
        .journal
        .append(entry)
        .map_err(|e| journal_error(&shared.journal, &e))
}

fn journal_error(journal: &Journal, e: &std::io::Error) -> CliError {
    CliError::io(
        format!("cannot write the journal {}", journal.path().display()),
        e,
    )
}

/// One try of one line: create (or re-attach), wait, download, check. All of a line's
/// synthesis is here. The outer error aborts the batch.
async fn synthesize_line(
    shared: &Shared,
    w: &mut Work,
) -> CliResult<Result<Vec<String>, LineError>> {
    if is_long(&w.item.body) {
        return synthesize_long(shared, w).await;
    }
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
            remove_partials(&shared.out_dir, &w.item);
            let job_id = match create(shared, &w.item).await {
                Ok(j) => j,
                Err(e) => return Ok(Err(e)),
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
        Err(e) => return Ok(Err(LineError::client(&e, false))),
    };
    let outputs = outputs(&w.item);
    for (file, name) in &outputs {
        if file.url(&job).is_none() {
            return Ok(Err(LineError::transient(
                format!("job {job_id} finished without a URL for {name}"),
                true,
            )));
        }
        let dest = shared.out_dir.join(name);
        if let Err(e) = client
            .download_job_file(&job_id, &job, *file, dest.clone())
            .await
        {
            if e.is_disk_full() {
                // Every other line would fail the same way: stop, resumable.
                return Err(CliError::failure(format!(
                    "cannot write {}: the disk is full",
                    dest.display()
                ))
                .caused_by(&e)
                .hint(crate::error::DISK_FULL_HINT)
                .hint("the batch resumes where it stopped: finished lines are skipped"));
            }
            return Ok(Err(LineError::client(&e, false)));
        }
        if let Err(e) = checked(&dest, *file, w.item.ext, name) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(outputs.into_iter().map(|(_, name)| name).collect()))
}

/// Whether a line's text is over one job's limit: it then runs as parts.
fn is_long(body: &CreateAsyncTtsJobRequestBody) -> bool {
    body.text.chars().count() > DEFAULT_MAX_PART_CHARS
}

/// Never marked done unless whole: a bad file is removed and fetched again.
fn checked(dest: &Path, file: JobFile, ext: &str, name: &str) -> Result<(), LineError> {
    check_output(dest, file, ext).map_err(|why| {
        let _ = std::fs::remove_file(dest);
        LineError::transient(format!("{name}: {why}"), false)
    })
}

/// One try of a line longer than one job takes: the client's long synthesis, which keeps
/// the parts' jobs in its own journal beside the audio, so a try or a re-run after a crash
/// re-attaches to the parts already created instead of creating them again.
async fn synthesize_long(
    shared: &Shared,
    w: &mut Work,
) -> CliResult<Result<Vec<String>, LineError>> {
    if !shared.journal.with_history(|h| {
        matches!(h.last.get(&w.item.id), Some(Entry::Started { fingerprint, .. }) if *fingerprint == w.fingerprint)
    }) {
        journal(
            shared,
            &Entry::Started {
                id: w.item.id.clone(),
                fingerprint: w.fingerprint.clone(),
            },
        )?;
    }
    let outputs = outputs(&w.item);
    let path = |name: &String| shared.out_dir.join(name);
    let known = shared.journal.with_history(|h| h.job_ids().clone());
    // Each part's job is journaled as soon as it exists, so that no other line's failed
    // create adopts it (the parts' own journal is removed once the line is done).
    let unwritten: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
    let on_part = {
        let (journal, id, unwritten) = (
            Arc::clone(&shared.journal),
            w.item.id.clone(),
            Arc::clone(&unwritten),
        );
        move |job_id: &str| {
            if journal.with_history(|h| h.job_ids().contains(job_id)) {
                return;
            }
            let entry = Entry::Part {
                id: id.clone(),
                job_id: job_id.to_owned(),
            };
            if let Err(e) = journal.append(&entry) {
                *unwritten.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            }
        }
    };
    let mut request = SynthesizeRequest::new(w.item.body.clone(), path(&outputs[0].1))
        .wait(shared.wait.clone())
        .known_jobs(known)
        .on_job_created(on_part);
    for (file, name) in &outputs[1..] {
        request = match file {
            JobFile::Subtitles => request.subtitles(path(name)),
            _ => request.timestamps(path(name)),
        };
    }
    let done = shared.client.synthesize(request).await;
    if let Some(e) = unwritten
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        return Err(journal_error(&shared.journal, &e));
    }
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            let creating = e.operation() == Some(CreateAsyncTtsJobRequest::INFO.name);
            return Ok(Err(LineError::client(&e, creating)));
        }
    };
    if done.possible_duplicate {
        shared.possible_duplicates.fetch_add(1, Ordering::Relaxed);
    }
    w.job_id = Some(done.job_id);
    w.job_ids = done.job_ids;
    for (file, name) in &outputs {
        if let Err(e) = checked(&path(name), *file, w.item.ext, name) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(outputs.into_iter().map(|(_, name)| name).collect()))
}

/// Creates the line's job. A create that may have made a job is resolved by the client:
/// it adopts the one matching job the journal does not already name, or creates the job
/// anew and says it may have made a duplicate, which the summary counts.
async fn create(shared: &Shared, item: &Item) -> Result<String, LineError> {
    let known = shared.journal.with_history(|h| h.job_ids().clone());
    let options = CreateOptions::default().known_jobs(known);
    let request = CreateAsyncTtsJobRequest::new(item.body.clone());
    match shared
        .client
        .create_async_tts_job_with(request, &options)
        .await
    {
        Ok(created) => {
            if created.possible_duplicate {
                shared.possible_duplicates.fetch_add(1, Ordering::Relaxed);
            }
            Ok(created.job_id)
        }
        Err(e) => {
            if e.kind() == ErrorKind::Ambiguous {
                // Both attempts may have made a job; the next try creates it again.
                shared.possible_duplicates.fetch_add(1, Ordering::Relaxed);
            }
            Err(LineError::client(&e, true))
        }
    }
}

/// Whether a finished output is whole: a regular, non-empty file, and for audio the
/// format's header with, for WAV, the length the header announces.
fn check_output(path: &Path, kind: JobFile, ext: &str) -> Result<(), String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() == 0 {
        return Err("missing or empty".into());
    }
    if kind != JobFile::Audio {
        return Ok(());
    }
    let mut head = [0u8; 12];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| e.to_string())?;
    let head = &head[..n];
    match ext {
        "wav" => {
            if head.len() < 12 || &head[..4] != b"RIFF" || &head[8..12] != b"WAVE" {
                return Err("not a WAV file".into());
            }
            let riff = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
            if riff + 8 != meta.len() {
                return Err(format!(
                    "the WAV header announces {} bytes, the file has {}",
                    riff + 8,
                    meta.len()
                ));
            }
            Ok(())
        }
        "mp3" => {
            let frame = head.len() >= 2 && head[0] == 0xff && head[1] & 0xe0 == 0xe0;
            if head.starts_with(b"ID3") || frame {
                Ok(())
            } else {
                Err("not an MP3 file".into())
            }
        }
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let p = std::env::temp_dir().join(format!("ttsc-check-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn wav(data: usize, extra: usize) -> Vec<u8> {
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&u32::try_from(36 + data).unwrap().to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.resize(44 + data + extra, 0);
        v
    }

    #[test]
    fn outputs_are_checked_before_they_are_done() {
        let cases: [(&str, Vec<u8>, &str, bool); 6] = [
            ("whole.wav", wav(100, 0), "wav", true),
            ("long.wav", wav(100, 7), "wav", false),
            ("short.wav", wav(100, 0)[..80].to_vec(), "wav", false),
            ("page.wav", b"<html>oops</html>".to_vec(), "wav", false),
            ("id3.mp3", b"ID3\x04\0\0\0\0\0\0".to_vec(), "mp3", true),
            ("text.mp3", b"hello".to_vec(), "mp3", false),
        ];
        for (name, bytes, ext, ok) in cases {
            let p = temp_file(name, &bytes);
            assert_eq!(check_output(&p, JobFile::Audio, ext).is_ok(), ok, "{name}");
            std::fs::remove_file(&p).unwrap();
        }
        let empty = temp_file("empty.srt", b"");
        assert!(check_output(&empty, JobFile::Subtitles, "wav").is_err());
        std::fs::remove_file(&empty).unwrap();
    }
}
