#![doc = include_str!("../README.md")]
//!
//! # Offline, against the emulator
//!
//! [`ttsc-emulator`](https://docs.rs/ttsc-emulator) is a faithful local service: point the
//! client at it and every call below runs for real, over HTTP, with signed requests. This
//! is how downstream crates test their code without an account.
//!
//! ```
//! use futures_util::StreamExt;
//! use ttsc_client::Client;
//! use ttsc_models::{JobType, ShowTtsJobRequest};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = ttsc_emulator::Emulator::builder().preload_jobs(250).start().await?;
//! let creds = emulator.credentials();
//! let client = Client::builder()
//!     .endpoint(emulator.base_url())
//!     .credentials(creds.access_key_credentials())
//!     .project_id(creds.project_id())
//!     .build()?;
//!
//! // Every async job record, newest first; pages are fetched concurrently.
//! let mut records = client
//!     .paginate(ShowTtsJobRequest::new().job_type(JobType::AsyncJob))
//!     .items();
//! let mut n = 0;
//! while let Some(record) = records.next().await {
//!     assert_eq!(record?.job_type, Some(JobType::AsyncJob));
//!     n += 1;
//! }
//! assert!(n > 0 && n <= 250);
//!
//! // Bad input is refused before anything is sent, naming the field and its range.
//! let err = client.show_tts_job(ShowTtsJobRequest::new().limit(0)).await.unwrap_err();
//! assert!(err.to_string().contains("limit"), "{err}");
//! # Ok(()) }
//! ```
//!
//! # What the client does for you
//!
//! - **Validation** before anything is sent, naming every bad field ([`ErrorKind::Validation`]).
//! - **Retries** (3 attempts by default) with exponential backoff and full jitter, honouring
//!   `Retry-After`, each attempt re-signed. GET, PUT and DELETE retry on connection errors,
//!   timeouts, 408, 429, 500, 502, 503 and 504. POSTs that create work retry only when the
//!   request provably did nothing (connection refused, 429, 503); after any other failure a
//!   job create looks for the job it may have made and adopts it ([`adopt`]).
//! - **Clock skew**: when the gateway says the signature expired, the offset is learnt from
//!   the response's `Date` and every later signature uses it.
//! - **Pagination**: [`Client::paginate`] streams every record, fetching pages concurrently
//!   in bounded memory ([`paginate`]).
//! - **Waiters**: [`Client::wait_for_job`] and [`Client::wait_for_audition`] poll at the
//!   documented cadence ([`waiter`]).
//! - **Downloads**: [`Client::download`] writes atomically and resumes ([`download`]); result
//!   URLs never receive credentials.
//! - **Timeouts**: connect, read, per attempt and per operation ([`Timeouts`]).
//! - **Tracing**: a `ttsc.operation` span per call with the operation, attempts, status,
//!   request id and latency; never a secret, signature or token.

pub mod adopt;
mod authn;
mod builder;
mod client;
pub mod config;
pub mod download;
mod error;
mod http;
mod iam;
mod long;
mod ops;
pub mod paginate;
mod sniff;
pub mod split;
mod synth;
pub mod target;
pub mod text;
mod tls;
pub mod waiter;

pub use adopt::{CreateOptions, CreatedJob};
pub use builder::{ClientBuilder, DEFAULT_MAX_DOWNLOAD_BYTES, USER_AGENT};
pub use client::Client;
pub use config::{RetryConfig, Timeouts};
pub use download::Downloaded;
pub use error::{Error, ErrorKind, Result};
pub use long::{PartsProgress, PartsProgressFn, parts_journal_path};
pub use paginate::{Paginator, RecordId};
pub use synth::{
    DEFAULT_CONCURRENCY, JobCreatedFn, JobFile, Synthesis, SynthesizeRequest, audio_extension,
    is_file_id,
};
pub use target::Target;
pub use waiter::{WaitOptions, WaitProgress};

pub use ttsc_auth as auth;
pub use ttsc_models as models;
