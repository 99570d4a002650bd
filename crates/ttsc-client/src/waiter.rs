//! Waiters: poll an async TTS job or a preview (audition) until it finishes, with the
//! service's documented cadence (3 s for jobs, 5 s for previews), jitter, and a total
//! timeout.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ttsc_models::{
    JobState, ShowAsyncTtsJobRequest, ShowAsyncTtsJobResponse, ShowTtsAuditionFileRequest,
    ShowTtsAuditionFileResponse,
};

use crate::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::text::sanitize;

/// One poll's news, for progress reporting.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WaitProgress {
    /// The job being waited for.
    pub job_id: String,
    /// Its state (`WAITING`, `PROCESSING`, …; `PENDING` for an incomplete preview).
    pub state: String,
    /// Polls so far.
    pub polls: u32,
    /// Time since the wait began.
    pub elapsed: Duration,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&WaitProgress) + Send + Sync>;

/// How to wait.
#[derive(Clone)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Pause between polls (default 3 s for jobs, 5 s for previews).
    pub interval: Duration,
    /// Fraction of `interval` added or removed at random (default 0.1).
    pub jitter: f64,
    /// Give up after this long (default 30 minutes for jobs, 10 for previews).
    pub max_wait: Duration,
    /// Called after every poll.
    pub progress: Option<ProgressFn>,
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("jitter", &self.jitter)
            .field("max_wait", &self.max_wait)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The documented cadence for async jobs: every 3 s, for up to 30 minutes.
    pub fn for_jobs() -> Self {
        WaitOptions {
            interval: Duration::from_secs(3),
            jitter: 0.1,
            max_wait: Duration::from_secs(30 * 60),
            progress: None,
        }
    }

    /// The documented cadence for previews: every 5 s, for up to 10 minutes.
    pub fn for_previews() -> Self {
        WaitOptions {
            interval: Duration::from_secs(5),
            max_wait: Duration::from_secs(10 * 60),
            ..Self::for_jobs()
        }
    }

    /// Sets the pause between polls.
    pub fn interval(mut self, d: Duration) -> Self {
        self.interval = d;
        self
    }

    /// Sets the total timeout.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// Sets the jitter fraction (0 to 1).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction.clamp(0.0, 1.0);
        self
    }

    /// Sets the progress callback.
    pub fn progress(mut self, f: impl Fn(&WaitProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// What one poll says.
enum Poll<T> {
    Done(T),
    /// The service's failure code, when it gave one, and its message.
    Failed(Option<String>, String),
    Pending(String),
}

impl Client {
    /// Waits for an async TTS job to reach `SUCCEED` and returns its final state (with the
    /// result file URLs). A job that ends in `FAILED` is an [`ErrorKind::JobFailed`] error
    /// carrying the service's message; running out of time is an [`ErrorKind::Timeout`].
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        options: &WaitOptions,
    ) -> Result<ShowAsyncTtsJobResponse> {
        self.wait(job_id, options, |client, id| async move {
            let r = client.send(&ShowAsyncTtsJobRequest::new(id)).await?;
            Ok(classify_job(r))
        })
        .await
    }

    /// Waits for a preview (audition) to be complete and returns its files.
    pub async fn wait_for_audition(
        &self,
        job_id: &str,
        options: &WaitOptions,
    ) -> Result<ShowTtsAuditionFileResponse> {
        self.wait(job_id, options, |client, id| async move {
            let r = client.send(&ShowTtsAuditionFileRequest::new(id)).await?;
            Ok(classify_audition(r))
        })
        .await
    }

    async fn wait<T, F, Fut>(&self, job_id: &str, options: &WaitOptions, poll: F) -> Result<T>
    where
        F: Fn(Client, String) -> Fut,
        Fut: Future<Output = Result<Poll<T>>>,
    {
        let started = Instant::now();
        let mut polls = 0u32;
        loop {
            polls += 1;
            let outcome = poll(self.clone(), job_id.to_string()).await?;
            if let Some(progress) = &options.progress {
                let state = match &outcome {
                    Poll::Done(_) => "SUCCEED".to_string(),
                    Poll::Failed(..) => "FAILED".to_string(),
                    Poll::Pending(s) => s.clone(),
                };
                progress(&WaitProgress {
                    job_id: job_id.to_string(),
                    state,
                    polls,
                    elapsed: started.elapsed(),
                });
            }
            match outcome {
                Poll::Done(t) => return Ok(t),
                Poll::Failed(code, message) => {
                    return Err(Error::new(
                        ErrorKind::JobFailed,
                        format!("job {job_id} failed: {}", sanitize(&message, 300)),
                    )
                    .with_code(code));
                }
                Poll::Pending(state) => {
                    let jitter = (self.inner.random.next_f64() * 2.0 - 1.0) * options.jitter;
                    let pause = options.interval.mul_f64((1.0 + jitter).max(0.0));
                    if started.elapsed() + pause > options.max_wait {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "job {job_id} is still {state} after {:?} ({polls} polls)",
                                started.elapsed()
                            ),
                        ));
                    }
                    self.inner.sleep.sleep(pause).await;
                }
            }
        }
    }
}

fn classify_job(r: ShowAsyncTtsJobResponse) -> Poll<ShowAsyncTtsJobResponse> {
    match &r.state {
        Some(JobState::Succeed) => Poll::Done(r),
        Some(JobState::Failed) => Poll::Failed(
            r.code
                .clone()
                .filter(|c| !c.is_empty())
                .or(r.error_code.clone()),
            r.message
                .clone()
                .or_else(|| r.error_msg.clone())
                .unwrap_or_else(|| "no message".into()),
        ),
        // The service may answer 200 with the error body instead of a state.
        None if r.error_code.is_some() => Poll::Failed(
            r.error_code.clone(),
            format!(
                "{}: {}",
                r.error_code.as_deref().unwrap_or_default(),
                r.error_msg.as_deref().unwrap_or_default()
            ),
        ),
        Some(state) => Poll::Pending(state.as_str().to_string()),
        None => Poll::Pending("UNKNOWN".to_string()),
    }
}

fn classify_audition(r: ShowTtsAuditionFileResponse) -> Poll<ShowTtsAuditionFileResponse> {
    // A failure code wins over `is_file_complete`: a failed preview is "complete" too.
    let code_failed = r.code.as_deref().is_some_and(|c| !c.is_empty() && c != "0");
    if code_failed || r.error_code.is_some() {
        let code = if code_failed {
            r.code.clone()
        } else {
            r.error_code.clone()
        };
        let message = format!(
            "{}: {}",
            code.as_deref().unwrap_or_default(),
            r.message
                .as_deref()
                .or(r.error_msg.as_deref())
                .unwrap_or_default()
        );
        Poll::Failed(code, message)
    } else if r.is_file_complete == Some(true) {
        Poll::Done(r)
    } else {
        Poll::Pending("PENDING".to_string())
    }
}
