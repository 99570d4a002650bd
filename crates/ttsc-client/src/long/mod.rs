//! Long synthesis: a text longer than one job takes becomes one audio file with
//! continuous subtitles.
//!
//! The text is cut by [`crate::split`]; the parts run as concurrent jobs (at most
//! [`SynthesizeRequest::concurrency`] at a time), each waited for and downloaded beside
//! the output under a hidden name; then the audio is joined ([`audio`]), the subtitles and
//! timestamps merged and shifted by the exact length of the audio before each part
//! ([`subtitles`]). Every output is written atomically, and the part files and the
//! [`journal`] are removed only after all of them are in place.

mod audio;
mod journal;
mod subtitles;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use futures_util::{StreamExt, TryStreamExt};
use ttsc_auth::clock::Clock;
use ttsc_models::{
    AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, Operation,
    ShowAsyncTtsJobResponse,
};

use crate::Client;
use crate::download::Downloaded;
use crate::error::{Error, ErrorKind, Result};
use crate::synth::{JobFile, Synthesis, SynthesizeRequest};
use crate::target::{Target, hidden_sibling};

pub(crate) use audio::Container;

/// How a long synthesis is going, reported after every change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartsProgress {
    /// How many parts the text was cut into.
    pub parts: usize,
    /// Parts whose files are downloaded.
    pub done: usize,
    /// Parts whose job exists and is not downloaded yet.
    pub in_flight: usize,
    /// The length of the audio of the parts done, in milliseconds.
    pub audio_ms: u64,
}

/// Where the resume journal of a long synthesis into `audio` is kept:
/// `.NAME.ttsc-parts.json` beside the file `audio` resolves to (a link is followed). While
/// it exists, the same request made again re-attaches to the parts' jobs it records.
#[must_use]
pub fn parts_journal_path(audio: &Path) -> PathBuf {
    match Target::resolve(audio) {
        Ok(t) => journal::path_for(t.path()),
        Err(_) => journal::path_for(audio),
    }
}

/// A long-synthesis progress callback.
pub type PartsProgressFn = Arc<dyn Fn(&PartsProgress) + Send + Sync>;

/// One part's downloaded files.
struct PartFiles {
    job_id: String,
    possible_duplicate: bool,
    job: ShowAsyncTtsJobResponse,
    audio: PathBuf,
    subtitles: Option<PathBuf>,
    timestamps: Option<PathBuf>,
}

/// What every part's task shares.
struct Run<'a> {
    client: &'a Client,
    /// The audio output, links resolved.
    audio: PathBuf,
    request: &'a SynthesizeRequest,
    body: &'a CreateAsyncTtsJobRequestBody,
    container: Container,
    journal: tokio::sync::Mutex<journal::Journal>,
    progress: Mutex<PartsProgress>,
}

/// `.NAME.JOB.SUFFIX` beside `output`: a part's file, named by its job so that a resumed
/// download always continues the same file.
fn part_file(output: &Path, job_id: &str, suffix: &str) -> PathBuf {
    hidden_sibling(output, &format!("{job_id}.{suffix}"))
}

/// Writes `bytes` to `dest` through its [`Target`]: atomically for a file, in place for a
/// device or FIFO.
fn write_output(dest: &Path, bytes: &[u8]) -> Result<()> {
    Target::resolve(dest)
        .and_then(|t| t.write_all(bytes))
        .map_err(|e| Error::io(format!("cannot write {}", dest.display()), e))
}

impl Run<'_> {
    fn report(&self, change: impl FnOnce(&mut PartsProgress)) {
        let snapshot = {
            let mut p = self
                .progress
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            change(&mut p);
            p.clone()
        };
        if let Some(f) = &self.request.parts_progress {
            f(&snapshot);
        }
    }

    fn suffixes(&self) -> (&'static str, &'static str, &'static str) {
        let audio = match self.container {
            Container::Wav => "wav",
            Container::Mp3 => "mp3",
        };
        (audio, "srt", "timestamps.json")
    }

    fn files_of(&self, job_id: &str) -> (PathBuf, Option<PathBuf>, Option<PathBuf>) {
        let out = &self.audio;
        let (a, s, t) = self.suffixes();
        (
            part_file(out, job_id, a),
            self.request
                .subtitles
                .as_ref()
                .map(|_| part_file(out, job_id, s)),
            self.request
                .timestamps
                .as_ref()
                .map(|_| part_file(out, job_id, t)),
        )
    }

    /// Part `k`'s job: the journal's, the one a stopped run was creating, or a new one.
    /// Also tells whether a create may have made a duplicate ([`crate::adopt`]).
    async fn job_for(&self, k: usize, text: &str) -> Result<(String, bool)> {
        let mut journal = self.journal.lock().await;
        let entry = journal.entry(k).clone();
        if let Some(id) = entry.job_id {
            return Ok((id, false));
        }
        let mut body = self.body.clone();
        body.text = text.to_owned();
        let request = CreateAsyncTtsJobRequest::new(body);
        // Other parts' jobs are never this part's, whatever their length.
        let known = self
            .request
            .create
            .clone()
            .known_jobs(journal.job_ids().map(str::to_owned));
        if let Some(since) = entry.creating_since {
            let from = UNIX_EPOCH + Duration::from_secs(since);
            let mut found = self
                .client
                .async_job_candidates(&request, &known, from)
                .await?;
            match found.len() {
                0 => {}
                1 => {
                    let id = found.remove(0);
                    tracing::info!(part = k + 1, job_id = %id, "re-attached to the job an interrupted run was creating");
                    journal.set_job(k, Some(id.clone()))?;
                    return Ok((id, false));
                }
                n => {
                    return Err(Error::new(
                        ErrorKind::Ambiguous,
                        format!(
                            "part {} may have been created by an interrupted run, and {n} recent jobs match it",
                            k + 1
                        ),
                    ));
                }
            }
        }
        let since = self
            .client
            .inner
            .clock
            .now()
            .checked_sub(crate::adopt::SEARCH_MARGIN)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        journal.creating(k, since)?;
        let created = self
            .client
            .create_async_tts_job_with(request, &known)
            .await?;
        journal.set_job(k, Some(created.job_id.clone()))?;
        Ok((created.job_id, created.possible_duplicate))
    }

    /// Creates (or re-attaches to) part `k`'s job, waits for it and downloads its files.
    async fn part(&self, k: usize, text: &str) -> Result<PartFiles> {
        let (job_id, possible_duplicate) = self.job_for(k, text).await?;
        if let Some(f) = &self.request.job_created {
            f(&job_id);
        }
        self.report(|p| p.in_flight += 1);
        let mut wait = self.request.wait.clone();
        wait.progress = None;
        let job = match self.client.wait_for_job(&job_id, &wait).await {
            Ok(job) => job,
            Err(e) => {
                if e.kind() == ErrorKind::JobFailed {
                    // A failed job is done with: a re-run creates this part afresh.
                    self.journal.lock().await.set_job(k, None)?;
                }
                return Err(e);
            }
        };
        let (audio, subtitles, timestamps) = self.files_of(&job_id);
        for (file, path) in [
            (JobFile::Audio, Some(&audio)),
            (JobFile::Subtitles, subtitles.as_ref()),
            (JobFile::Timestamps, timestamps.as_ref()),
        ] {
            if let Some(path) = path.filter(|p| !p.exists()) {
                self.client
                    .download_job_file(&job_id, &job, file, path.clone())
                    .await?;
            }
        }
        let ms = audio::duration_ms(self.container, &audio).unwrap_or(0);
        self.report(|p| {
            p.in_flight -= 1;
            p.done += 1;
            p.audio_ms += ms;
        });
        Ok(PartFiles {
            job_id,
            possible_duplicate,
            job,
            audio,
            subtitles,
            timestamps,
        })
    }
}

/// Synthesizes `parts` of `body.text` (already split) into the request's outputs.
pub(crate) async fn synthesize_parts(
    client: &Client,
    request: &SynthesizeRequest,
    body: CreateAsyncTtsJobRequestBody,
    parts: &[&str],
) -> Result<Synthesis> {
    // Every part is checked before anything is created.
    for part in parts {
        let mut b = body.clone();
        b.text = (*part).to_owned();
        CreateAsyncTtsJobRequest::new(b)
            .validate()
            .map_err(Error::validation)?;
    }
    // Parts and the journal live beside the audio, which is replaced when they are joined.
    let audio = match Target::resolve(&request.audio) {
        Ok(Target::Replace(p)) => p,
        Ok(_) => {
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "{} is not a regular file: the audio of a text of more than {} characters is joined from parts kept beside it",
                    request.audio.display(),
                    request.max_part_chars
                ),
            ));
        }
        Err(e) => {
            return Err(Error::io(
                format!("cannot resolve {}", request.audio.display()),
                e,
            ));
        }
    };
    let container = match body.audio_format.as_ref().map(AudioFormat::as_str) {
        Some("MP3") => Container::Mp3,
        _ => Container::Wav,
    };
    let chars: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
    let journal_path = journal::path_for(&audio);
    let fingerprint = journal::fingerprint(&body, request.max_part_chars);
    let (journal, stale) = journal::Journal::open(journal_path, fingerprint, &chars)?;
    let run = Run {
        client,
        audio: audio.clone(),
        request,
        body: &body,
        container,
        journal: tokio::sync::Mutex::new(journal),
        progress: Mutex::new(PartsProgress {
            parts: parts.len(),
            done: 0,
            in_flight: 0,
            audio_ms: 0,
        }),
    };
    for id in &stale {
        let (a, s, t) = run.files_of(id);
        for path in [Some(a), s, t].into_iter().flatten() {
            let _ = std::fs::remove_file(crate::download::part_path(&path));
            let _ = std::fs::remove_file(path);
        }
    }
    run.report(|_| {});
    let mut done: Vec<(usize, PartFiles)> = futures_util::stream::iter(0..parts.len())
        .map(|k| {
            let (run, text) = (&run, parts[k]);
            async move { run.part(k, text).await.map(|f| (k, f)) }
        })
        .buffer_unordered(request.concurrency.max(1))
        .try_collect()
        .await?;
    done.sort_by_key(|(k, _)| *k);
    let files: Vec<PartFiles> = done.into_iter().map(|(_, f)| f).collect();
    let result = join_outputs(request, &audio, container, &files, &chars).await?;
    for f in &files {
        for path in [Some(&f.audio), f.subtitles.as_ref(), f.timestamps.as_ref()]
            .into_iter()
            .flatten()
        {
            let _ = std::fs::remove_file(path);
        }
    }
    run.journal.into_inner().remove()?;
    Ok(result)
}

/// Joins the parts' files into the request's outputs.
async fn join_outputs(
    request: &SynthesizeRequest,
    audio: &Path,
    container: Container,
    files: &[PartFiles],
    chars: &[usize],
) -> Result<Synthesis> {
    let audio_parts: Vec<PathBuf> = files.iter().map(|f| f.audio.clone()).collect();
    let dest = audio.to_path_buf();
    let joined = tokio::task::spawn_blocking(move || audio::join(container, &audio_parts, &dest))
        .await
        .map_err(|_| Error::new(ErrorKind::Io, "joining the audio panicked"))??;
    let downloaded = |path: &Path, bytes: u64| Downloaded {
        path: path.to_path_buf(),
        bytes,
        resumed_from: 0,
        resumes: 0,
        url_refreshes: 0,
    };
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))
    };
    let mut subtitles = None;
    if let Some(dest) = &request.subtitles {
        let mut srt = String::new();
        let mut next = 1;
        for (k, f) in files.iter().enumerate() {
            let path = f.subtitles.as_ref().expect("subtitles were downloaded");
            let text = String::from_utf8(read(path)?).map_err(|_| {
                Error::new(
                    ErrorKind::Decode,
                    format!("part {}'s subtitles are not UTF-8", k + 1),
                )
            })?;
            subtitles::append_srt(&mut srt, &mut next, &text, joined.offset_ms(k), k + 1)?;
        }
        write_output(dest, srt.as_bytes())?;
        subtitles = Some(downloaded(dest, srt.len() as u64));
    }
    let mut timestamps = None;
    if let Some(dest) = &request.timestamps {
        let mut parts = Vec::with_capacity(files.len());
        let mut chars_before = 0;
        for (k, f) in files.iter().enumerate() {
            let path = f.timestamps.as_ref().expect("timestamps were downloaded");
            parts.push((read(path)?, joined.offset_ms(k), chars_before));
            chars_before += chars[k];
        }
        let merged = subtitles::merge_timestamps(&parts, joined.duration_ms())?;
        write_output(dest, &merged)?;
        timestamps = Some(downloaded(dest, merged.len() as u64));
    }
    let first = &files[0];
    Ok(Synthesis {
        job_id: first.job_id.clone(),
        job: first.job.clone(),
        job_ids: files.iter().map(|f| f.job_id.clone()).collect(),
        possible_duplicate: files.iter().any(|f| f.possible_duplicate),
        audio: downloaded(&request.audio, joined.bytes),
        subtitles,
        timestamps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::split_text;

    /// A run stopped after sending part 1's create but before recording its job id: the
    /// next run finds that job among the records and adopts it instead of creating another.
    #[tokio::test]
    async fn a_create_in_flight_when_the_run_stopped_is_adopted() {
        let emu = ttsc_emulator::Emulator::builder()
            .job_duration_ms(50)
            .start()
            .await
            .unwrap();
        let creds = emu.credentials();
        let client = Client::builder()
            .endpoint(emu.base_url())
            .credentials(creds.access_key_credentials())
            .project_id(creds.project_id())
            .build()
            .unwrap();
        let dir = std::env::temp_dir().join(format!("ttsc-long-adopt-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let text = "One sentence here. Another one there. ".repeat(12);
        let parts = split_text(&text, 100);
        let body = CreateAsyncTtsJobRequestBody::new(text.clone(), ttsc_emulator::DEMO_VOICE);
        let request = SynthesizeRequest::new(body.clone(), dir.join("out.wav"))
            .max_part_chars(100)
            .wait(crate::WaitOptions::for_jobs().interval(Duration::from_millis(20)));

        // What the stopped run left: the journal saying part 1 was being created, and the
        // job its create made.
        let chars: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
        let (mut journal, _) = journal::Journal::open(
            journal::path_for(&request.audio),
            journal::fingerprint(&body, 100),
            &chars,
        )
        .unwrap();
        journal.creating(0, 0).unwrap();
        let mut first = body.clone();
        first.text = parts[0].to_owned();
        let lost = client
            .create_async_tts_job(CreateAsyncTtsJobRequest::new(first))
            .await
            .unwrap()
            .job_id
            .unwrap();

        let done = client.synthesize(request).await.unwrap();
        assert_eq!(done.job_ids[0], lost, "the lost create's job was adopted");
        assert_eq!(
            emu.requests_for("CreateAsyncTtsJob").len(),
            parts.len(),
            "no part was created twice"
        );
        assert!(!journal::path_for(&dir.join("out.wav")).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
