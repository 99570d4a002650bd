//! Creating jobs without creating them twice, and without failing for fear of it.
//!
//! A create that fails after the request may have reached the service (a timeout, a
//! connection lost after sending, 500/502/504) must not be blindly retried: the job may exist.
//! The client then lists the job records of the same type created in a window around the
//! attempt (from a minute before it to a minute after the failure) and keeps the candidates
//! that match the request on everything a record shows: voice, text length, audio format,
//! subtitles and timestamps wanted, and that the caller does not already hold
//! ([`CreateOptions::known_jobs`]). When exactly one is left it is adopted as the result.
//! Otherwise (none, several, or the search failed) the job is created anew, once, and the
//! result is marked [`CreatedJob::possible_duplicate`]: the failed attempt may have made a
//! job too. Only when that second create fails as ambiguously is the failure reported as
//! [`ErrorKind::Ambiguous`], carrying the original error as its source.
//!
//! Only jobs are adopted; other creates (vocabulary configs and groups, once codes) report
//! the original error, and are never retried after an ambiguous failure.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use ttsc_auth::clock::Clock;
use ttsc_models::{
    AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, CreateAsyncTtsJobResponse,
    CreateTtsAuditionRequest, CreateTtsAuditionResponse, JobType, Operation, ShowTtsJobRequest,
    TtsJobDetail,
};

use crate::Client;
use crate::error::{Error, ErrorKind, Result};

/// How far around the attempt the record search looks, to absorb clock differences.
pub(crate) const SEARCH_MARGIN: Duration = Duration::from_secs(60);

/// How a job create treats a failure that may or may not have created the job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateOptions {
    known_jobs: HashSet<String>,
}

impl CreateOptions {
    /// Job ids the caller already holds (a batch's journal, say): never adopted.
    #[must_use]
    pub fn known_jobs<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.known_jobs.extend(ids.into_iter().map(Into::into));
        self
    }
}

/// A job a create made, or adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedJob {
    /// The job id.
    pub job_id: String,
    /// A failed attempt's job, found among the records and adopted.
    pub adopted: bool,
    /// Created anew after an ambiguous failure that left no single job to adopt: the failed
    /// attempt may have made a job too, which nobody will collect (count it, report it).
    pub possible_duplicate: bool,
}

/// What a job record must show to be the job a failed create made.
struct Fingerprint<'a> {
    job_type: JobType,
    voice: &'a str,
    text_length: i64,
    audio_format: Option<AudioFormat>,
    gen_srt: Option<bool>,
    need_timestamp: Option<bool>,
}

impl<'a> Fingerprint<'a> {
    fn async_job(b: &'a CreateAsyncTtsJobRequestBody) -> Self {
        Fingerprint {
            job_type: JobType::AsyncJob,
            voice: &b.voice_asset_id,
            text_length: b.text.chars().count() as i64,
            audio_format: b.audio_format.clone(),
            gen_srt: b.gen_srt,
            need_timestamp: b.need_timestamp,
        }
    }

    /// Whether `record` may be the job, created between `from` and `to`. A field the
    /// record leaves out is not held against it; a field it shows must agree.
    fn matches(&self, record: &TtsJobDetail, from: SystemTime, to: SystemTime) -> bool {
        let created = record
            .create_time
            .as_deref()
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .map(SystemTime::from);
        let agrees = |shown: Option<bool>, wanted: Option<bool>| {
            shown.is_none_or(|s| s == wanted.unwrap_or(false))
        };
        record.asset_id.as_deref() == Some(self.voice)
            && record.text_length.map(i64::from) == Some(self.text_length)
            && record.job_type.as_ref().is_none_or(|t| *t == self.job_type)
            && created.is_some_and(|c| from <= c && c <= to)
            && record
                .audio_format
                .as_ref()
                .is_none_or(|f| *f == self.audio_format.clone().unwrap_or(AudioFormat::Wav))
            && agrees(record.gen_srt, self.gen_srt)
            && agrees(record.need_timestamp, self.need_timestamp)
    }
}

/// Whether a failed create may nevertheless have created its job.
fn may_have_created(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Timeout | ErrorKind::Transport)
        || matches!(e.status(), Some(500 | 502 | 504))
}

fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_default()
}

impl Client {
    /// `POST …/ttsc/async-jobs`: creates an async TTS job. After an ambiguous failure the
    /// job it may have made is adopted, or the job is created anew (see [`crate::adopt`]).
    pub async fn create_async_tts_job(
        &self,
        request: CreateAsyncTtsJobRequest,
    ) -> Result<CreateAsyncTtsJobResponse> {
        let created = self
            .create_async_tts_job_with(request, &CreateOptions::default())
            .await?;
        let mut r = CreateAsyncTtsJobResponse::default();
        r.job_id = Some(created.job_id);
        Ok(r)
    }

    /// Creates an async TTS job like [`create_async_tts_job`](Self::create_async_tts_job),
    /// never adopting a job in `options`' known jobs, and telling whether the job was
    /// adopted or is a possible duplicate.
    pub async fn create_async_tts_job_with(
        &self,
        request: CreateAsyncTtsJobRequest,
        options: &CreateOptions,
    ) -> Result<CreatedJob> {
        let fingerprint = Fingerprint::async_job(&request.body);
        self.create_job(&request, &fingerprint, options, |r| r.job_id.clone())
            .await
    }

    /// The async jobs created from `from` on that may be the one a create of `request`
    /// made, leaving out `options`' known jobs: for a caller that lost a create's response
    /// itself (a long synthesis stopped while a part's create was in flight).
    pub(crate) async fn async_job_candidates(
        &self,
        request: &CreateAsyncTtsJobRequest,
        options: &CreateOptions,
        from: SystemTime,
    ) -> Result<Vec<String>> {
        let to = self.inner.clock.now() + SEARCH_MARGIN;
        self.candidates(&Fingerprint::async_job(&request.body), options, from, to)
            .await
    }

    /// `POST …/ttsc/audition`: creates a preview job, adopting it after an ambiguous failure
    /// like [`create_async_tts_job`](Self::create_async_tts_job).
    pub async fn create_tts_audition(
        &self,
        request: CreateTtsAuditionRequest,
    ) -> Result<CreateTtsAuditionResponse> {
        let b = &request.body;
        let fingerprint = Fingerprint {
            job_type: JobType::Audition,
            voice: &b.emotion,
            text_length: b.text.chars().count() as i64,
            audio_format: None,
            gen_srt: None,
            need_timestamp: None,
        };
        let created = self
            .create_job(
                &request,
                &fingerprint,
                &CreateOptions::default(),
                |r: &CreateTtsAuditionResponse| r.job_id.clone(),
            )
            .await?;
        let mut r = CreateTtsAuditionResponse::default();
        r.job_id = Some(created.job_id);
        Ok(r)
    }

    /// Sends a job create; after a failure that may have created the job, adopts it or
    /// creates it anew.
    async fn create_job<O: Operation>(
        &self,
        request: &O,
        fingerprint: &Fingerprint<'_>,
        options: &CreateOptions,
        job_id: impl Fn(&O::Response) -> Option<String>,
    ) -> Result<CreatedJob> {
        let from = self.inner.clock.now() - SEARCH_MARGIN;
        let id_of = |r: &O::Response| {
            job_id(r).filter(|j| !j.is_empty()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    "the service created a job but returned no job_id",
                )
                .with_operation(O::INFO.name)
            })
        };
        let original = match self.send(request).await {
            Ok(r) => {
                return id_of(&r).map(|job_id| CreatedJob {
                    job_id,
                    adopted: false,
                    possible_duplicate: false,
                });
            }
            Err(e) if may_have_created(&e) => e,
            Err(e) => return Err(e),
        };
        let to = self.inner.clock.now() + SEARCH_MARGIN;
        let why = match self.candidates(fingerprint, options, from, to).await {
            Ok(mut found) if found.len() == 1 => {
                let job_id = found.remove(0);
                tracing::info!(%job_id, error = %original, "adopted the job a failed create made");
                return Ok(CreatedJob {
                    job_id,
                    adopted: true,
                    possible_duplicate: false,
                });
            }
            Ok(found) if found.is_empty() => "no matching job record was found".to_string(),
            Ok(found) => format!("{} recent jobs match it", found.len()),
            Err(lookup) => {
                tracing::warn!(error = %lookup, "cannot look for the job a failed create may have made");
                "the job records could not be searched".to_string()
            }
        };
        tracing::warn!(error = %original, why, "creating the job anew; the failed attempt may have made a duplicate");
        match self.send(request).await {
            Ok(r) => id_of(&r).map(|job_id| CreatedJob {
                job_id,
                adopted: false,
                possible_duplicate: true,
            }),
            Err(again) if may_have_created(&again) => Err(ambiguous(original, &why)),
            Err(again) => Err(again),
        }
    }

    /// The ids of the job records that may be the job a failed create made.
    async fn candidates(
        &self,
        fingerprint: &Fingerprint<'_>,
        options: &CreateOptions,
        from: SystemTime,
        to: SystemTime,
    ) -> Result<Vec<String>> {
        let listing = ShowTtsJobRequest::new()
            .create_since(rfc3339(from))
            .job_type(fingerprint.job_type.clone());
        let mut items = self.paginate(listing).items();
        let mut found = Vec::new();
        while let Some(item) = items.next().await {
            let item = item?;
            if fingerprint.matches(&item, from, to)
                && let Some(id) = item.job_id
                && !options.known_jobs.contains(&id)
            {
                found.push(id);
            }
        }
        Ok(found)
    }
}

fn ambiguous(original: Error, why: &str) -> Error {
    let op = original.operation();
    let mut e = Error::new(
        ErrorKind::Ambiguous,
        format!(
            "the create may or may not have taken effect: {why}, and creating it anew failed too"
        ),
    )
    .with_source(original);
    if let Some(op) = op {
        e = e.with_operation(op);
    }
    e
}
