//! A faithful local MetaStudio TTS service.
//!
//! `ttsc-emulator` plays the part of Huawei Cloud MetaStudio's text-to-speech API on
//! `127.0.0.1`, so that the SDK, the CLI and their users can be tested without a cloud
//! account. This first layer holds the model-independent building blocks the server is
//! made of; the HTTP server, routing and operation handlers are built on top of them.
//!
//! | module | job |
//! | --- | --- |
//! | [`audio`] | deterministic synthetic speech (PCM, WAV) and its per-character timing |
//! | [`mp3`] | MP3 encoding with a real encoder, or a typed error when built without one |
//! | [`subtitles`] | SRT subtitles cut from the audio timing |
//! | [`timestamps`] | the timestamp ("audio info") file and the action file, as JSON |
//! | [`phonetic`] | a built-in English phonetic-symbol dictionary and offset/limit paging |
//! | [`files`] | result files behind signed, expiring download URLs |
//! | [`range`] | HTTP `Range` handling for those downloads |
//! | [`faults`] | the fault-injection plan (5xx, 429, connection resets, truncated downloads) |
//! | [`rng`] | a small seeded PRNG with independent streams |
//! | [`request_log`] | the JSON Lines request log, which never holds a credential |
//!
//! # Invariants
//!
//! - Every module is pure and deterministic: there is no global state, and the current
//!   time and the random generator are always passed in. The same inputs give the same
//!   bytes, so emulator-backed tests are reproducible.
//! - Nothing here depends on `ttsc-models` or `ttsc-auth`: these blocks know bytes, text
//!   and numbers, not the API's request types.
//! - Where the real service's behaviour is not public (file formats, fault shapes), the
//!   module documentation says what the emulator does instead.
//!
//! # Example
//!
//! ```
//! use ttsc_emulator::{audio, subtitles, timestamps};
//!
//! let params = audio::SynthParams::default();
//! let speech = audio::synthesize("Hello, world.", &params)?;
//! let wav = speech.to_wav();
//! assert_eq!(&wav[..4], b"RIFF");
//!
//! let srt = subtitles::srt(speech.timeline(), &subtitles::SrtOptions::default());
//! assert!(srt.starts_with("1\n00:00:00,000 --> "));
//!
//! let info = timestamps::TimestampFile::from_timeline(speech.timeline());
//! assert_eq!(info.duration_ms, speech.duration_ms());
//! # Ok::<(), audio::AudioError>(())
//! ```

pub mod audio;
pub mod faults;
pub mod files;
pub mod mp3;
pub mod phonetic;
pub mod range;
pub mod request_log;
pub mod rng;
pub mod subtitles;
pub mod timestamps;
