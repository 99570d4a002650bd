//! [`Client::synthesize`]: text in, audio (and subtitles, timestamps) on disk.

use std::path::PathBuf;

use ttsc_models::{
    AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, ShowAsyncTtsJobRequest,
    ShowAsyncTtsJobResponse, ShowTtsJobRequest,
};

use crate::Client;
use crate::adopt::CreateOptions;
use crate::download::{Downloaded, Expect, RefreshUrl, audio_size_bound};
use crate::error::{Error, ErrorKind, Result};
use crate::long::{PartsProgress, PartsProgressFn};
use crate::split::{DEFAULT_MAX_PART_CHARS, split_text};
use crate::waiter::WaitOptions;

/// How many parts' jobs of a long text run at once by default.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What to synthesize and where to put the results.
#[derive(Clone)]
#[non_exhaustive]
pub struct SynthesizeRequest {
    /// The job body (text, voice, speed, …). `gen_srt` and `need_timestamp` are set from
    /// the output paths.
    pub body: CreateAsyncTtsJobRequestBody,
    /// Where the audio goes.
    pub audio: PathBuf,
    /// Where the SRT subtitles go, when wanted.
    pub subtitles: Option<PathBuf>,
    /// Where the timestamp (audio info) file goes, when wanted.
    pub timestamps: Option<PathBuf>,
    /// How to wait for the job (for each part's job of a long text).
    pub wait: WaitOptions,
    /// How the create treats an ambiguous failure (the job ids already held).
    pub create: CreateOptions,
    /// The longest part of a long text, in characters (default and most
    /// [`DEFAULT_MAX_PART_CHARS`]). A text of at most this many characters is one job.
    pub max_part_chars: usize,
    /// How many parts' jobs run at once (default 4, at least 1).
    pub concurrency: usize,
    /// Called as the parts of a long text progress.
    pub parts_progress: Option<PartsProgressFn>,
    /// Called with each job's id as soon as it is known (created, adopted, or taken from
    /// a long text's journal), before it is waited for.
    pub job_created: Option<JobCreatedFn>,
}

/// A callback given each job's id as soon as it exists.
pub type JobCreatedFn = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for SynthesizeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynthesizeRequest")
            .field("body", &self.body)
            .field("audio", &self.audio)
            .field("subtitles", &self.subtitles)
            .field("timestamps", &self.timestamps)
            .field("wait", &self.wait)
            .field("create", &self.create)
            .field("max_part_chars", &self.max_part_chars)
            .field("concurrency", &self.concurrency)
            .field("parts_progress", &self.parts_progress.is_some())
            .field("job_created", &self.job_created.is_some())
            .finish()
    }
}

impl SynthesizeRequest {
    /// Synthesizes `body` into `audio`.
    pub fn new(body: CreateAsyncTtsJobRequestBody, audio: impl Into<PathBuf>) -> Self {
        SynthesizeRequest {
            body,
            audio: audio.into(),
            subtitles: None,
            timestamps: None,
            wait: WaitOptions::for_jobs(),
            create: CreateOptions::default(),
            max_part_chars: DEFAULT_MAX_PART_CHARS,
            concurrency: DEFAULT_CONCURRENCY,
            parts_progress: None,
            job_created: None,
        }
    }

    /// Sets the longest part of a long text, in characters (1 to
    /// [`DEFAULT_MAX_PART_CHARS`]).
    pub fn max_part_chars(mut self, n: usize) -> Self {
        self.max_part_chars = n;
        self
    }

    /// Sets how many parts' jobs run at once.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Calls `f` as the parts of a long text progress.
    pub fn on_parts_progress(mut self, f: impl Fn(&PartsProgress) + Send + Sync + 'static) -> Self {
        self.parts_progress = Some(std::sync::Arc::new(f));
        self
    }

    /// Calls `f` with each job's id as soon as it exists: what a caller needs to name the
    /// job when the synthesis stops later (interrupted, a write error).
    pub fn on_job_created(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.job_created = Some(std::sync::Arc::new(f));
        self
    }

    /// Also writes SRT subtitles to `path`.
    pub fn subtitles(mut self, path: impl Into<PathBuf>) -> Self {
        self.subtitles = Some(path.into());
        self
    }

    /// Also writes the timestamp file to `path`.
    pub fn timestamps(mut self, path: impl Into<PathBuf>) -> Self {
        self.timestamps = Some(path.into());
        self
    }

    /// Sets how to wait.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// Job ids the caller already holds: never adopted after an ambiguous failure of the
    /// create (see [`crate::adopt`]).
    pub fn known_jobs<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.create = self.create.known_jobs(ids);
        self
    }
}

/// What [`Client::synthesize`] produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Synthesis {
    /// The job id (of the first part, for a long text).
    pub job_id: String,
    /// The job's final state (of the first part, for a long text).
    pub job: ShowAsyncTtsJobResponse,
    /// Every job, one per part, in text order (one for a short text).
    pub job_ids: Vec<String>,
    /// The audio file.
    pub audio: Downloaded,
    /// The subtitles, when asked for.
    pub subtitles: Option<Downloaded>,
    /// The timestamps, when asked for.
    pub timestamps: Option<Downloaded>,
    /// The job was created anew after an ambiguous failure: the failed attempt may have
    /// made a job too (see [`CreatedJob::possible_duplicate`](crate::CreatedJob::possible_duplicate)).
    pub possible_duplicate: bool,
}

/// A result file of an async job, by the URL field it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobFile {
    /// `audio_file_url`.
    Audio,
    /// `audio_srt_file_url`.
    Subtitles,
    /// `audio_info_file_url`.
    Timestamps,
}

impl JobFile {
    /// This file's URL in `job`, when it has a non-empty one.
    #[must_use]
    pub fn url(self, job: &ShowAsyncTtsJobResponse) -> Option<&str> {
        match self {
            JobFile::Audio => job.audio_file_url.as_deref(),
            JobFile::Subtitles => job.audio_srt_file_url.as_deref(),
            JobFile::Timestamps => job.audio_info_file_url.as_deref(),
        }
        .filter(|u| !u.is_empty())
    }

    /// What this file must turn out to be: audio of any format (the response's
    /// `Content-Type` or the URL's extension announces which), or text.
    pub fn expect(self) -> Expect {
        match self {
            JobFile::Audio => Expect::audio(None),
            JobFile::Subtitles | JobFile::Timestamps => Expect::text(),
        }
    }

    /// `audio`, `subtitles` or `timestamps`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            JobFile::Audio => "audio",
            JobFile::Subtitles => "subtitles",
            JobFile::Timestamps => "timestamps",
        }
    }
}

impl Client {
    /// Creates an async job, waits for it, and downloads its results (atomically, resuming
    /// and refreshing expired URLs as needed).
    ///
    /// A text longer than [`SynthesizeRequest::max_part_chars`] is cut into parts
    /// ([`crate::split`]) that run as concurrent jobs; their audio is joined into one file
    /// and their subtitles and timestamps merged, shifted by the exact length of the audio
    /// before each part. A journal beside the audio (`.NAME.ttsc-parts.json`) records the
    /// parts' jobs, so a call interrupted and made again with the same request re-attaches
    /// to them instead of creating them twice; it is removed on success.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a `max_part_chars` outside 1 to
    /// [`DEFAULT_MAX_PART_CHARS`] or an invalid body, before anything is sent; then any
    /// error of the create, wait and download calls, or [`ErrorKind::Decode`] when the
    /// parts' files cannot be joined (formats that disagree).
    pub async fn synthesize(&self, request: SynthesizeRequest) -> Result<Synthesis> {
        if !(1..=DEFAULT_MAX_PART_CHARS).contains(&request.max_part_chars) {
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "max_part_chars = {} is invalid (allowed: 1 to {DEFAULT_MAX_PART_CHARS})",
                    request.max_part_chars
                ),
            ));
        }
        let mut body = request.body.clone();
        if request.subtitles.is_some() {
            body.gen_srt = Some(true);
        }
        if request.timestamps.is_some() {
            body.need_timestamp = Some(true);
        }
        let text_chars = body.text.chars().count();
        if text_chars > request.max_part_chars {
            let text = body.text.clone();
            let parts = split_text(&text, request.max_part_chars);
            return crate::long::synthesize_parts(self, &request, body, &parts).await;
        }
        let chars = text_chars.max(body.tts_text.as_deref().map_or(0, |t| t.chars().count()));
        let audio_expect =
            Expect::audio(Some(body.audio_format.clone().unwrap_or(AudioFormat::Wav)))
                .max_bytes(audio_size_bound(chars));
        let created = self
            .create_async_tts_job_with(CreateAsyncTtsJobRequest::new(body), &request.create)
            .await?;
        let job_id = created.job_id;
        if let Some(f) = &request.job_created {
            f(&job_id);
        }
        let job = self.wait_for_job(&job_id, &request.wait).await?;
        let audio = self
            .download_job_file_expecting(
                &job_id,
                &job,
                JobFile::Audio,
                request.audio,
                &audio_expect,
            )
            .await?;
        let subtitles = match request.subtitles {
            Some(p) => Some(
                self.download_job_file(&job_id, &job, JobFile::Subtitles, p)
                    .await?,
            ),
            None => None,
        };
        let timestamps = match request.timestamps {
            Some(p) => Some(
                self.download_job_file(&job_id, &job, JobFile::Timestamps, p)
                    .await?,
            ),
            None => None,
        };
        Ok(Synthesis {
            job_ids: vec![job_id.clone()],
            job_id,
            job,
            audio,
            subtitles,
            timestamps,
            possible_duplicate: created.possible_duplicate,
        })
    }

    /// Downloads a finished job's audio (and subtitles/timestamps) into `dir`, named
    /// `{job_id}.{wav|mp3|pcm}`, `{job_id}.srt` and `{job_id}.timestamps.json`: the audio's
    /// extension comes from the job record's audio format (WAV when it has none), never from
    /// a download URL. Expired URLs are refreshed from the job. Returns each file with its
    /// kind.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when `job_id` is not a safe file name (letters, digits, `-`
    /// and `_` only); [`ErrorKind::Download`] when the job has no result files; any error of
    /// the calls and downloads.
    pub async fn download_job(
        &self,
        job_id: &str,
        dir: &std::path::Path,
    ) -> Result<Vec<(JobFile, Downloaded)>> {
        if !is_file_id(job_id) {
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "job id {:?} cannot name a file (letters, digits, - and _ only)",
                    crate::text::sanitize(job_id, 80)
                ),
            ));
        }
        let job = self
            .show_async_tts_job(ShowAsyncTtsJobRequest::new(job_id))
            .await?;
        let format = self.job_audio_format(job_id).await?;
        let ext = audio_extension(format.as_ref());
        let mut out = Vec::new();
        let files = [
            (JobFile::Audio, format!("{job_id}.{ext}")),
            (JobFile::Subtitles, format!("{job_id}.srt")),
            (JobFile::Timestamps, format!("{job_id}.timestamps.json")),
        ];
        for (file, name) in files {
            if file.url(&job).is_some() {
                let expect = match file {
                    JobFile::Audio => Expect::audio(format.clone()),
                    _ => file.expect(),
                };
                out.push((
                    file,
                    self.download_job_file_expecting(job_id, &job, file, dir.join(name), &expect)
                        .await?,
                ));
            }
        }
        if out.is_empty() {
            let state = job
                .state
                .map_or_else(|| "unknown".to_string(), |s| s.to_string());
            return Err(Error::new(
                ErrorKind::Download,
                format!("job {job_id} has no result files (state {state})"),
            ));
        }
        Ok(out)
    }

    /// The audio format of job `job_id` as its record says, when it has one.
    async fn job_audio_format(&self, job_id: &str) -> Result<Option<AudioFormat>> {
        let mut request = ShowTtsJobRequest::new();
        request.job_id = Some(job_id.to_string());
        request.limit = Some(1);
        let records = self.send(&request).await?;
        Ok(records
            .data
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.job_id.as_deref() == Some(job_id))
            .and_then(|r| r.audio_format))
    }

    /// Downloads one result `file` of `job` (as shown for `job_id`) to `dest`, atomically;
    /// an expired URL is replaced by a fresh one from the job.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Download`] when the job has no such file (or no longer has it when the
    /// URL is refreshed), and any error of [`Client::download_with_refresh`].
    pub async fn download_job_file(
        &self,
        job_id: &str,
        job: &ShowAsyncTtsJobResponse,
        file: JobFile,
        dest: PathBuf,
    ) -> Result<Downloaded> {
        self.download_job_file_expecting(job_id, job, file, dest, &file.expect())
            .await
    }

    async fn download_job_file_expecting(
        &self,
        job_id: &str,
        job: &ShowAsyncTtsJobResponse,
        file: JobFile,
        dest: PathBuf,
        expect: &Expect,
    ) -> Result<Downloaded> {
        let url = file.url(job).ok_or_else(|| {
            Error::new(
                ErrorKind::Download,
                format!("job {job_id} has no {} file", file.name()),
            )
        })?;
        let client = self.clone();
        let id = job_id.to_string();
        let refresh: RefreshUrl = Box::new(move || {
            let client = client.clone();
            let id = id.clone();
            Box::pin(async move {
                let job = client
                    .show_async_tts_job(ShowAsyncTtsJobRequest::new(id.clone()))
                    .await?;
                file.url(&job).map(str::to_string).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Download,
                        format!("job {id} no longer has a {} file", file.name()),
                    )
                })
            })
        });
        self.download_with_refresh(url, &dest, expect, Some(refresh))
            .await
    }
}

/// Whether `id` can name a file as is: 1 to 128 ASCII letters, digits, `-` and `_` (no dot,
/// no separator, so never a path).
#[must_use]
pub fn is_file_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The file extension of audio in `format` (WAV, the service's default, when unknown).
#[must_use]
pub fn audio_extension(format: Option<&AudioFormat>) -> &'static str {
    match format {
        Some(AudioFormat::Mp3) => "mp3",
        Some(AudioFormat::Pcm) => "pcm",
        _ => "wav",
    }
}
