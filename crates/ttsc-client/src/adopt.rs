//! Creating jobs without creating them twice.
//!
//! A create that fails after the request may have reached the service (a timeout, a
//! connection lost after sending, 500/502/504) must not be blindly retried: the job may exist.
//! The client then lists the job records created since just before the first attempt, of the
//! same type, voice and text length; when exactly one matches it is adopted as the result.
//! Otherwise (none or several) the failure is reported as [`ErrorKind::Ambiguous`], carrying
//! the original error as its source. Only jobs are adopted; other creates (vocabulary
//! configs and groups, once codes) report the original error, and are never retried after
//! an ambiguous failure.

use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use ttsc_auth::clock::Clock;
use ttsc_models::{
    CreateAsyncTtsJobRequest, CreateAsyncTtsJobResponse, CreateTtsAuditionRequest,
    CreateTtsAuditionResponse, JobType, Operation, ShowTtsJobRequest,
};

use crate::Client;
use crate::error::{Error, ErrorKind, Result};

/// How far before the first attempt the record search looks, to absorb clock differences.
const SEARCH_MARGIN: Duration = Duration::from_secs(120);

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
    /// job it may have created is looked up and adopted (see [`crate::adopt`]).
    pub async fn create_async_tts_job(
        &self,
        request: CreateAsyncTtsJobRequest,
    ) -> Result<CreateAsyncTtsJobResponse> {
        let (voice, text) = (&request.body.voice_asset_id, &request.body.text);
        let job_id = self
            .create_job(&request, JobType::AsyncJob, voice, text, |r| {
                r.job_id.clone()
            })
            .await?;
        let mut r = CreateAsyncTtsJobResponse::default();
        r.job_id = Some(job_id);
        Ok(r)
    }

    /// `POST …/ttsc/audition`: creates a preview job, adopting it after an ambiguous failure
    /// like [`create_async_tts_job`](Self::create_async_tts_job).
    pub async fn create_tts_audition(
        &self,
        request: CreateTtsAuditionRequest,
    ) -> Result<CreateTtsAuditionResponse> {
        let (voice, text) = (&request.body.emotion, &request.body.text);
        let job_id = self
            .create_job(&request, JobType::Audition, voice, text, |r| {
                r.job_id.clone()
            })
            .await?;
        let mut r = CreateTtsAuditionResponse::default();
        r.job_id = Some(job_id);
        Ok(r)
    }

    /// Sends a job create; after a failure that may have created the job, adopts it.
    async fn create_job<O: Operation>(
        &self,
        request: &O,
        job_type: JobType,
        voice: &str,
        text: &str,
        job_id: impl Fn(&O::Response) -> Option<String>,
    ) -> Result<String> {
        let since = self.inner.clock.now() - SEARCH_MARGIN;
        match self.send(request).await {
            Ok(r) => job_id(&r).filter(|j| !j.is_empty()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    "the service created a job but returned no job_id",
                )
                .with_operation(O::INFO.name)
            }),
            Err(e) if may_have_created(&e) => {
                let len = text.chars().count() as i64;
                self.adopt(job_type, voice, len, since, e).await
            }
            Err(e) => Err(e),
        }
    }

    async fn adopt(
        &self,
        job_type: JobType,
        voice: &str,
        text_length: i64,
        since: SystemTime,
        original: Error,
    ) -> Result<String> {
        let listing = ShowTtsJobRequest::new()
            .create_since(rfc3339(since))
            .job_type(job_type);
        let mut items = self.paginate(listing).items();
        let mut matches = Vec::new();
        while let Some(item) = items.next().await {
            let item = match item {
                Ok(item) => item,
                Err(lookup) => {
                    tracing::warn!(error = %lookup, "cannot look for the job a failed create may have made");
                    return Err(ambiguous(original, "the job records could not be searched"));
                }
            };
            if item.asset_id.as_deref() == Some(voice)
                && item.text_length.map(i64::from) == Some(text_length)
                && let Some(id) = item.job_id
            {
                matches.push(id);
            }
        }
        match matches.len() {
            1 => {
                let id = matches.remove(0);
                tracing::info!(job_id = %id, error = %original, "adopted the job a failed create made");
                Ok(id)
            }
            0 => Err(ambiguous(
                original,
                "no matching job record was found (it may still appear)",
            )),
            n => Err(ambiguous(original, &format!("{n} recent jobs match it"))),
        }
    }
}

fn ambiguous(original: Error, why: &str) -> Error {
    let op = original.operation();
    let mut e = Error::new(
        ErrorKind::Ambiguous,
        format!("the create may or may not have taken effect: {why}"),
    )
    .with_source(original);
    if let Some(op) = op {
        e = e.with_operation(op);
    }
    e
}
