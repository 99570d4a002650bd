//! The fault-injection plan: which API calls and downloads fail, and how.
//!
//! With `--fault-rate F`, each API call fails with probability `F`; with
//! `--download-fault-rate D`, each result-file download is cut short with probability
//! `D`. Both draw from a seeded [`Rng`], so a given seed and the same sequence of calls
//! give the same faults, run after run. The plan only *decides*; the server applies
//! the decision. Share one [`FaultPlan`] behind a mutex: the call sequence is then the
//! order in which requests take the lock.
//!
//! # Faults on the wire
//!
//! | fault | the server | the client sees | state changed? |
//! | --- | --- | --- | --- |
//! | [`Http503BeforeProcessing`](Fault::Http503BeforeProcessing) | answers `503 Service Unavailable` with the service's error body, code [`SERVICE_UNAVAILABLE_CODE`] | a 503 with `error_code`, `error_msg`, `request_id` and an `X-Request-Id` header | no |
//! | [`Http500BeforeProcessing`](Fault::Http500BeforeProcessing) | answers `500 Internal Server Error`, code [`INTERNAL_ERROR_CODE`] | a 500 error body | no |
//! | [`Http429 { retry_after_secs }`](Fault::Http429) | answers `429 Too Many Requests`, code `APIGW.0308` (the gateway's throttling code) and a `Retry-After: N` header with 1–3 s | a 429; whether the real gateway sends `Retry-After` is unknown, the emulator always does | no |
//! | [`ResetBeforeProcessing`](Fault::ResetBeforeProcessing) | reads the request, then closes the connection without writing a byte | a connection reset or an empty reply | no |
//! | [`ResetAfterProcessing`](Fault::ResetAfterProcessing) (POST only) | performs the operation (e.g. creates the job), then closes the connection without writing the response | a connection reset, although the work was done: a retried create makes a second job | **yes** |
//!
//! `ResetAfterProcessing` is drawn only for `POST`, the method of the creating
//! operations, because that is where a lost response hurts: the client cannot tell
//! whether its job exists. The other faults are meant to be injected before the request
//! is authenticated or validated, like a failing gateway or network.
//!
//! A download fault ([`FaultPlan::download_truncation`]) makes the server send the
//! normal status and headers, including the full `Content-Length` (of the whole file,
//! or of the requested range), then only the first `n` bytes of the body, `n` being
//! less than that length, and close the connection. Clients see an unexpected end of
//! body and must retry, ideally with a `Range` request for the rest.

use crate::rng::Rng;

/// The service's error code for an injected 500 (`MSS.000000002`, internal error).
pub const INTERNAL_ERROR_CODE: &str = "MSS.000000002";
/// The error code for an injected 503 (`MSS.000000002` too: the service documents no
/// dedicated code for unavailability).
pub const SERVICE_UNAVAILABLE_CODE: &str = "MSS.000000002";
/// The gateway's throttling code, sent with an injected 429.
pub const THROTTLED_CODE: &str = "APIGW.0308";
/// The command-line flag of the API fault rate, as named in errors.
pub const FAULT_RATE_FLAG: &str = "--fault-rate";
/// The command-line flag of the download fault rate, as named in errors.
pub const DOWNLOAD_FAULT_RATE_FLAG: &str = "--download-fault-rate";

/// An invalid fault rate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultConfigError {
    /// The rate is not a number in `[0, 1]`.
    #[error("{flag} must be a number between 0.0 and 1.0, got {value}")]
    RateOutOfRange {
        /// The flag that carried it, e.g. `--fault-rate`.
        flag: &'static str,
        /// The rejected value.
        value: f64,
    },
}

/// Validated fault rates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultConfig {
    fault_rate: f64,
    download_fault_rate: f64,
}

impl FaultConfig {
    /// Rates for API calls and for downloads, each in `[0, 1]`.
    ///
    /// # Errors
    ///
    /// [`FaultConfigError::RateOutOfRange`] naming the flag of the first bad rate
    /// (NaN included).
    pub fn new(fault_rate: f64, download_fault_rate: f64) -> Result<Self, FaultConfigError> {
        Ok(Self {
            fault_rate: validate_rate(FAULT_RATE_FLAG, fault_rate)?,
            download_fault_rate: validate_rate(DOWNLOAD_FAULT_RATE_FLAG, download_fault_rate)?,
        })
    }

    /// No faults at all.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }
}

/// Checks that `value` is in `[0, 1]`, naming `flag` otherwise.
///
/// # Errors
///
/// [`FaultConfigError::RateOutOfRange`] for values outside `[0, 1]` and NaN.
pub fn validate_rate(flag: &'static str, value: f64) -> Result<f64, FaultConfigError> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(FaultConfigError::RateOutOfRange { flag, value })
    }
}

/// A fault injected into one API call (the crate documentation's "Faults" section shows
/// each on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// Answer 503 without doing the work.
    Http503BeforeProcessing,
    /// Answer 500 without doing the work.
    Http500BeforeProcessing,
    /// Answer 429 with `Retry-After` without doing the work.
    Http429 {
        /// The `Retry-After` value, in seconds (1–3).
        retry_after_secs: u32,
    },
    /// Close the connection without a response, without doing the work.
    ResetBeforeProcessing,
    /// Do the work, then close the connection without a response (POST only).
    ResetAfterProcessing,
}

impl Fault {
    /// The HTTP status to answer with, or `None` for a connection reset.
    #[must_use]
    pub const fn status(self) -> Option<u16> {
        match self {
            Self::Http503BeforeProcessing => Some(503),
            Self::Http500BeforeProcessing => Some(500),
            Self::Http429 { .. } => Some(429),
            Self::ResetBeforeProcessing | Self::ResetAfterProcessing => None,
        }
    }

    /// The `error_code` of the error body, or `None` for a connection reset.
    #[must_use]
    pub const fn error_code(self) -> Option<&'static str> {
        match self {
            Self::Http503BeforeProcessing => Some(SERVICE_UNAVAILABLE_CODE),
            Self::Http500BeforeProcessing => Some(INTERNAL_ERROR_CODE),
            Self::Http429 { .. } => Some(THROTTLED_CODE),
            Self::ResetBeforeProcessing | Self::ResetAfterProcessing => None,
        }
    }

    /// The `error_msg` of the error body, or `None` for a connection reset.
    #[must_use]
    pub const fn error_msg(self) -> Option<&'static str> {
        match self {
            Self::Http503BeforeProcessing => {
                Some("Service temporarily unavailable (fault injected by the emulator)")
            }
            Self::Http500BeforeProcessing => {
                Some("Internal error (fault injected by the emulator)")
            }
            Self::Http429 { .. } => {
                Some("The throttling threshold has been reached (fault injected by the emulator)")
            }
            Self::ResetBeforeProcessing | Self::ResetAfterProcessing => None,
        }
    }

    /// The `Retry-After` header value, in seconds, if the answer carries one.
    #[must_use]
    pub const fn retry_after_secs(self) -> Option<u32> {
        match self {
            Self::Http429 { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        }
    }

    /// Whether the operation must be performed (its effects committed) before the
    /// fault is applied.
    #[must_use]
    pub const fn processes_request(self) -> bool {
        matches!(self, Self::ResetAfterProcessing)
    }

    /// Whether the connection is closed without a response.
    #[must_use]
    pub const fn resets_connection(self) -> bool {
        matches!(
            self,
            Self::ResetBeforeProcessing | Self::ResetAfterProcessing
        )
    }
}

/// The stream ids [`FaultPlan`] forks its generators with.
const API_STREAM: u64 = 0x4150_4946_4155_4C54; // "APIFAULT"
const DOWNLOAD_STREAM: u64 = 0x444F_574E_4C4F_4144; // "DOWNLOAD"

/// Decides, call by call, which faults to inject.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    config: FaultConfig,
    api: Rng,
    downloads: Rng,
}

impl FaultPlan {
    /// A plan for `config`, drawing from streams forked off `rng` (API calls and
    /// downloads have independent streams, so downloads never shift API faults).
    #[must_use]
    pub fn new(config: FaultConfig, rng: &Rng) -> Self {
        Self {
            config,
            api: rng.fork(API_STREAM),
            downloads: rng.fork(DOWNLOAD_STREAM),
        }
    }

    /// Decides the fault for the next API call, made with HTTP `method`
    /// (case-insensitive; `ResetAfterProcessing` only for `POST`).
    ///
    /// Draws the same amount of randomness for every call, whether it faults or not.
    pub fn decide(&mut self, method: &str) -> Option<Fault> {
        let roll = self.api.next_f64();
        let kind = self.api.below(100);
        let retry_after_secs = 1 + self.api.below(3) as u32;
        if roll >= self.config.fault_rate {
            return None;
        }
        let is_post = method.eq_ignore_ascii_case("POST");
        // Mix (percent): POST 30/20/20/15/15, other methods 35/25/25/15.
        let fault = match (is_post, kind) {
            (true, 0..30) | (false, 0..35) => Fault::Http503BeforeProcessing,
            (true, 30..50) | (false, 35..60) => Fault::Http500BeforeProcessing,
            (true, 50..70) | (false, 60..85) => Fault::Http429 { retry_after_secs },
            (true, 70..85) | (false, _) => Fault::ResetBeforeProcessing,
            (true, _) => Fault::ResetAfterProcessing,
        };
        Some(fault)
    }

    /// Decides whether the next download, of `body_len` bytes, is truncated: `Some(n)`
    /// means send only the first `n` bytes (`n < body_len`) and close the connection.
    ///
    /// Empty bodies are never truncated. Draws the same amount of randomness for every
    /// download.
    pub fn download_truncation(&mut self, body_len: u64) -> Option<u64> {
        let roll = self.downloads.next_f64();
        let fraction = self.downloads.next_f64();
        if roll >= self.config.download_fault_rate || body_len == 0 {
            return None;
        }
        Some(((body_len as f64 * fraction) as u64).min(body_len - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(fault_rate: f64, download_fault_rate: f64, seed: u64) -> FaultPlan {
        let config = FaultConfig::new(fault_rate, download_fault_rate).unwrap();
        FaultPlan::new(config, &Rng::new(seed))
    }

    #[test]
    fn rates_are_validated_with_the_flag_name() {
        assert!(FaultConfig::new(0.0, 1.0).is_ok());
        assert!(FaultConfig::new(1.0, 0.0).is_ok());
        let err = FaultConfig::new(1.5, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--fault-rate must be a number between 0.0 and 1.0, got 1.5"
        );
        let err = FaultConfig::new(0.5, -0.1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--download-fault-rate must be a number between 0.0 and 1.0, got -0.1"
        );
        assert!(FaultConfig::new(f64::NAN, 0.0).is_err());
        assert!(FaultConfig::new(0.0, f64::INFINITY).is_err());
        assert_eq!(FaultConfig::none(), FaultConfig::new(0.0, 0.0).unwrap());
    }

    #[test]
    fn zero_rate_never_faults_and_full_rate_always_does() {
        let mut never = plan(0.0, 0.0, 1);
        assert!((0..1000).all(|_| never.decide("POST").is_none()));
        assert!((0..1000).all(|_| never.download_truncation(100).is_none()));
        let mut always = plan(1.0, 1.0, 1);
        assert!((0..1000).all(|_| always.decide("GET").is_some()));
        assert!((0..1000).all(|_| always.download_truncation(100).is_some()));
    }

    #[test]
    fn same_seed_same_faults_different_seed_different_faults() {
        let run = |seed| {
            let mut p = plan(0.5, 0.5, seed);
            (0..200)
                .map(|i| {
                    let method = if i % 3 == 0 { "POST" } else { "GET" };
                    (p.decide(method), p.download_truncation(1000))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn downloads_do_not_shift_api_faults() {
        let mut with_downloads = plan(0.3, 0.3, 7);
        let mut without = plan(0.3, 0.3, 7);
        for _ in 0..100 {
            with_downloads.download_truncation(500);
            assert_eq!(with_downloads.decide("GET"), without.decide("GET"));
        }
    }

    #[test]
    fn fault_rate_is_respected_and_all_kinds_occur() {
        let mut p = plan(0.2, 0.0, 3);
        let mut post_faults = Vec::new();
        let n = 20_000;
        for _ in 0..n {
            post_faults.extend(p.decide("post"));
        }
        let rate = post_faults.len() as f64 / f64::from(n);
        assert!((0.18..0.22).contains(&rate), "{rate}");
        let count = |f: fn(&Fault) -> bool| post_faults.iter().filter(|x| f(x)).count();
        assert!(count(|f| *f == Fault::Http503BeforeProcessing) > 0);
        assert!(count(|f| *f == Fault::Http500BeforeProcessing) > 0);
        assert!(count(|f| matches!(f, Fault::Http429 { .. })) > 0);
        assert!(count(|f| *f == Fault::ResetBeforeProcessing) > 0);
        assert!(count(|f| *f == Fault::ResetAfterProcessing) > 0);
        for fault in &post_faults {
            if let Fault::Http429 { retry_after_secs } = fault {
                assert!((1..=3).contains(retry_after_secs));
            }
        }
    }

    #[test]
    fn reset_after_processing_is_for_post_only() {
        let mut p = plan(1.0, 0.0, 11);
        for method in ["GET", "PUT", "DELETE", "get", "PATCH"] {
            for _ in 0..2000 {
                assert_ne!(p.decide(method), Some(Fault::ResetAfterProcessing));
            }
        }
    }

    #[test]
    fn fault_descriptions_are_consistent() {
        let all = [
            Fault::Http503BeforeProcessing,
            Fault::Http500BeforeProcessing,
            Fault::Http429 {
                retry_after_secs: 2,
            },
            Fault::ResetBeforeProcessing,
            Fault::ResetAfterProcessing,
        ];
        for fault in all {
            assert_eq!(fault.status().is_none(), fault.resets_connection());
            assert_eq!(fault.error_code().is_none(), fault.resets_connection());
            assert_eq!(fault.error_msg().is_none(), fault.resets_connection());
        }
        assert_eq!(all[0].status(), Some(503));
        assert_eq!(all[1].error_code(), Some("MSS.000000002"));
        assert_eq!(all[2].error_code(), Some("APIGW.0308"));
        assert_eq!(all[2].retry_after_secs(), Some(2));
        assert_eq!(all[0].retry_after_secs(), None);
        assert!(all[4].processes_request());
        assert!(!all[3].processes_request());
    }

    #[test]
    fn truncation_points_are_inside_the_body() {
        let mut p = plan(0.0, 1.0, 5);
        let mut saw_zero_or_small = false;
        for len in 1..2000u64 {
            let cut = p.download_truncation(len).unwrap();
            assert!(cut < len);
            saw_zero_or_small |= cut < len / 4;
        }
        assert!(saw_zero_or_small);
        assert_eq!(p.download_truncation(0), None);
        assert_eq!(p.download_truncation(1), Some(0));
    }
}
