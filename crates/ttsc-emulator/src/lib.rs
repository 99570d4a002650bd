//! A faithful local MetaStudio TTS service.
//!
//! `ttsc-emulator` plays Huawei Cloud MetaStudio's text-to-speech API (all 19 operations
//! of `/v1/{project_id}/ttsc/…`, and the asset library's ListAssets and ShowAsset over a
//! catalogue of voices) and the two IAM calls SDKs need, on `127.0.0.1`, so that
//! the SDK, the CLI and their users can be tested without a cloud account. It is
//! `ttsc --emulator`'s engine, the ground truth of ttsc's integration tests, and answers
//! Huawei's own Python SDK unmodified.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn demo() -> Result<(), ttsc_emulator::EmulatorError> {
//! use ttsc_emulator::Emulator;
//!
//! let emulator = Emulator::builder().job_duration_ms(200).start().await?;
//! let endpoint = emulator.base_url(); // http://127.0.0.1:PORT, also the IAM endpoint
//! let creds = emulator.credentials(); // the demo AK/SK and project id
//! # let _ = (endpoint, creds);
//! // … point a client at `endpoint`, sign with `creds.access_key_credentials()` …
//! assert!(emulator.operation_stats("CreateAsyncTtsJob").total <= 1);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The binary `ttsc-emulator` (feature `cli`, off by default) takes the same settings as
//! flags (`EmulatorArgs`), prints `listening on http://ADDR` as its first line, then the
//! credentials in use.
//!
//! # Demo credentials
//!
//! Without configuration the emulator accepts AK [`DEMO_AK`] with SK [`DEMO_SK`], project
//! [`DEMO_PROJECT_ID`] in region `cn-north-4`, and IAM password login as [`DEMO_USER`] /
//! [`DEMO_PASSWORD`] in account [`DEMO_DOMAIN`]. These are public test values, not
//! secrets. [`DEMO_VOICE`] is a voice id to use in examples; any 32-hex-digit id works.
//!
//! # Behaviour
//!
//! - **Routing** follows the models' operation catalogue ([`ttsc_models::TTS_OPERATIONS`]):
//!   an unknown path is `404 APIGW.0101`, a known path with another method `405`. Every
//!   request is parsed with the generated `from_wire` and checked with the generated
//!   `validate()`, so the emulator rejects exactly what the client's validation rejects,
//!   with the same message naming each field. It rejects a few more things the service
//!   documents but the models cannot express: an unknown voice, `audio_format` `PCM` on
//!   CreateAsyncTtsJob (records only), a `SAY_AS` value outside the documented set, a
//!   tenant switch other than `vocabulary` or a non-boolean switch value.
//! - **Voices**: a catalogue of 15 system voices (Mandarin, English, Japanese,
//!   Cantonese, Sichuan, Korean, Spanish, Taiwanese-accented Mandarin; both sexes;
//!   [`DEMO_VOICE`] first) that ListAssets lists with `asset_source` `SYSTEM` or `ALL`
//!   and ShowAsset shows, each with capabilities and a `SAMPLE` file whose download URL
//!   serves a short WAV in that voice. ListAssets filters as the service documents:
//!   `asset_source` defaults to the tenant's own voices (none, unless
//!   [`EmulatorBuilder::custom_voices`] adds three); `asset_type`, `sex`, `language` and
//!   `asset_state` take comma-separated values (each checked against the documented
//!   set); `name` matches any part of the name, ignoring case (exactly with
//!   `accurate_query_field=name`); `tag`, `asset_id`, `voice_provider`,
//!   `is_realtime_voice`, `start_time`/`end_time` and `sort_key`/`sort_dir` work;
//!   `style_id`, `system_property` and `role` select nothing (voices have none); the
//!   digital-human filters are ignored. An unknown `asset_id` is `404 MSS.10001001`.
//!   Beyond the catalogue, any 32-hex-digit id is a usable voice whose metadata (name,
//!   sex, language, engine) is derived from the id; [`FAILING_VOICE`] (all zeros) is a voice
//!   whose jobs end `FAILED` and which CheckVoiceAsset reports `BLOCK`; anything else is
//!   answered `400 MSS.000000003` naming `voice_asset_id` (or `emotion`).
//! - **Jobs** have no timers: their state is computed from their creation time and the
//!   emulator's clock. A job of up to 100 characters takes `--job-duration-ms` (default
//!   1500 ms), plus the same again per 500 further characters; it is `WAITING` for the
//!   first fifth of that, then `PROCESSING`, then `SUCCEED` (or `FAILED`, `code`
//!   `MSS.000000001`, with a message; with `silence_flag` the audio URL then serves
//!   `silence_time_ms` of silence). Audition jobs behave the same way and flip
//!   `is_file_complete`. The files (WAV or MP3 honouring speed, pitch, volume and
//!   channels; SRT when `gen_srt`, honouring `srt_len` and `srt_line_limit`; the
//!   timestamp file when `need_timestamp`; the action file) are synthesised on a blocking
//!   thread the first time the finished job is read. Their URLs are signed afresh on
//!   every read, so asking for the job again refreshes an expired URL.
//! - **Records** (ShowTtsJob) list every job plus `--preload-jobs` synthetic historical
//!   records (mixed types including `WEBSOCKET` and `PRELOAD`, states, formats and
//!   engines, created over the past 28 days, deterministic from the seed; they list no
//!   files), newest first by `create_time` (whole seconds, UTC), ties by job id, with
//!   every documented filter and an exact `count`. `create_since`, `create_until`,
//!   `start_time` and `end_time` take RFC 3339. `business_type` filters on the audition's
//!   `business_type` (preloaded audition and preload records carry one).
//! - **Vocabulary**: entries and groups live in memory, listed newest first. The
//!   `tts_service_name` and `is_vocabulary_config_enable` filters are accepted and do not
//!   narrow the list (entries are not tied to an engine); `asset_id` lists the entries of
//!   groups applied to that asset; `search_key` matches key or value, ignoring case.
//!   Deleting a group keeps its entries, without a group. Tenant switches are listed only
//!   once saved.
//! - **Callbacks** (`callback_config`) and external upload targets are accepted and
//!   ignored: the emulator delivers nothing.
//!
//! # Authentication
//!
//! Like the gateway: `SDK-HMAC-SHA256`, `V11-HMAC-SHA256` (scope region must be the
//! emulator's) and `SDK-HMAC-SM3` signatures are verified over the request as received
//! ([`ttsc_auth::verify`]), using the `SignedHeaders` the client declares, which must
//! include `x-sdk-date`. An `X-Sdk-Date` more than 15 minutes from the emulator's clock
//! (shifted by `--clock-offset-secs`) is `401 APIGW.0301` `Incorrect IAM authentication
//! information: calc ak sk signature fail:signature expired`; a mismatch quotes the
//! emulator's canonical request with `|` for newlines. An access key that fails more
//! than 5 times in a row is locked for 5 minutes. Temporary credentials configured with
//! [`EmulatorBuilder::temporary_access_key`] must send a signed `X-Security-Token` (the
//! configured one, or any non-empty one when none is configured); permanent keys must
//! not send one. `X-Auth-Token` accepts tokens from the emulator's own
//! `POST /v3/auth/tokens` (valid 24 hours of emulator time; expired: `APIGW.0307`,
//! unknown: `APIGW.0301` `decrypt token fail`). `GET /v3/projects?name=REGION` answers
//! the one project. A path project other than the credential's is `403 MSS.00010009`.
//! Every response carries `Date` (from the emulator's clock) and `X-Request-Id` (the
//! request's, or a new 32-hex-digit id).
//!
//! # Error codes
//!
//! `APIGW.0301`/`APIGW.0307` (401), `APIGW.0308` (429), `APIGW.0101`
//! (404, unknown API), `APIGW.0201` (413), `MSS.00010004` (405), `MSS.00010009` (403),
//! `MSS.10000002` (400, malformed JSON), `MSS.000000003` (400, invalid parameter: the
//! message names the field), `MSS.10001001` (404, no such job, entry or group),
//! `MSS.000000002` (500 and injected 503). IAM login failures use Keystone's body
//! `{"error": {"code", "message", "title"}}`.
//!
//! # Faults
//!
//! With `--fault-rate F` each API call (TTS or IAM; never a download) fails with
//! probability `F`, decided before it is authenticated, from a stream seeded by
//! `--seed` ([`SeenRequest::fault`] tells which [`Fault`] a request drew):
//!
//! | fault | on the wire |
//! | --- | --- |
//! | 503 | `503` with `MSS.000000002`, nothing done |
//! | 500 | `500` with `MSS.000000002`, nothing done |
//! | 429 | `429` with `APIGW.0308` and `Retry-After: 1..3`, nothing done |
//! | reset before | the request is read, then the connection is closed with a TCP reset and no response |
//! | reset after (POST only) | the operation is performed (the job exists), then the connection is reset without a response |
//!
//! With `--download-fault-rate D` a download sends its status and full
//! `Content-Length`, then fewer bytes, and closes the connection.
//!
//! # Synthetic audio
//!
//! [`audio`] is the deterministic synthetic speech the result files are made of, public so
//! that tests can build the audio they expect:
//!
//! ```
//! use ttsc_emulator::audio;
//!
//! let speech = audio::synthesize("Hello, world.", &audio::SynthParams::default())?;
//! assert_eq!(&speech.to_wav()[..4], b"RIFF");
//! assert!(speech.duration_ms() > 0);
//! # Ok::<(), audio::AudioError>(())
//! ```

mod assets;
pub mod audio;
#[cfg(feature = "cli")]
mod cli;
mod clock;
mod codes;
mod config;
mod faults;
mod files;
mod gateway;
mod http;
mod iam;
mod inspect;
mod jobs;
mod mp3;
mod ops;
mod phonetic;
mod range;
mod request_log;
mod rng;
mod server;
mod state;
mod subtitles;
mod timestamps;
mod vocab;
mod voices;

#[cfg(feature = "cli")]
pub use cli::EmulatorArgs;
pub use config::{
    DEFAULT_REGION, DEMO_AK, DEMO_DOMAIN, DEMO_PASSWORD, DEMO_PROJECT_ID, DEMO_SK, DEMO_USER,
    DEMO_VOICE, EmulatorBuilder, EmulatorCredentials, EmulatorError, FAILING_VOICE,
};
pub use faults::Fault;
pub use inspect::{OperationStats, SeenRequest};
pub use request_log::AuthScheme;
pub use server::Emulator;

/// The pseudo-operation name under which downloads of result files are counted.
pub const DOWNLOAD_OPERATION: &str = gateway::DOWNLOAD_OPERATION;
