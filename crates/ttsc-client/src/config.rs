//! Client configuration: regions and endpoints, the four named timeouts, retry settings, and
//! the injectable sleep and randomness used by retries and waiters.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The regions MetaStudio's TTS API is offered in.
pub const REGIONS: &[(&str, &str)] = &[
    ("cn-north-4", "CN North-Beijing4 (commercial)"),
    (
        "cn-east-3",
        "CN East-Shanghai1 (test environment, opened by ticket)",
    ),
    ("ap-southeast-3", "AP-Singapore (public beta)"),
];

/// Refuses a region that is not in [`REGIONS`], suggesting the closest known one: a typo
/// would otherwise surface much later as a DNS failure. A region ttsc does not know yet
/// works with an explicit endpoint.
pub(crate) fn check_region(region: &str) -> crate::Result<()> {
    if REGIONS.iter().any(|(known, _)| *known == region) {
        return Ok(());
    }
    let closest = REGIONS
        .iter()
        .map(|(known, _)| (strsim::levenshtein(region, known), *known))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let known: Vec<&str> = REGIONS.iter().map(|(r, _)| *r).collect();
    let mut message = format!("unknown region {region:?}");
    if let Some((_, suggestion)) = closest {
        message.push_str(&format!("; did you mean {suggestion}?"));
    }
    message.push_str(&format!(
        " (known: {}; another region needs an explicit endpoint)",
        known.join(", ")
    ));
    Err(crate::Error::new(crate::ErrorKind::Config, message))
}

/// The API endpoint of a region: `https://metastudio.{region}.myhuaweicloud.com`.
pub fn region_endpoint(region: &str) -> String {
    format!("https://metastudio.{region}.myhuaweicloud.com")
}

/// The global IAM endpoint (`https://iam.myhuaweicloud.com`), the one `ttsc-auth` uses
/// when none is named.
pub const GLOBAL_IAM_ENDPOINT: &str = ttsc_auth::iam::DEFAULT_IAM_ENDPOINT;

/// The four named timeouts. Defaults: connect 10 s, read 60 s, attempt 120 s, operation
/// 300 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a TCP (and TLS) connection.
    pub connect: Duration,
    /// Between two reads of the response (an idle connection).
    pub read: Duration,
    /// One attempt: sending the request and reading the whole response.
    pub attempt: Duration,
    /// The whole operation, every retry and pause included.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
            attempt: Duration::from_secs(120),
            operation: Duration::from_secs(300),
        }
    }
}

impl Timeouts {
    /// Sets the connect timeout.
    pub fn connect(mut self, d: Duration) -> Self {
        self.connect = d;
        self
    }
    /// Sets the read (idle) timeout.
    pub fn read(mut self, d: Duration) -> Self {
        self.read = d;
        self
    }
    /// Sets the per-attempt timeout.
    pub fn attempt(mut self, d: Duration) -> Self {
        self.attempt = d;
        self
    }
    /// Sets the whole-operation timeout.
    pub fn operation(mut self, d: Duration) -> Self {
        self.operation = d;
        self
    }
}

/// Retry settings. Defaults: 3 attempts, backoff starting at 200 ms, doubling, capped at
/// 20 s, with full jitter; `Retry-After` is honoured up to `max_backoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry.
    pub initial_backoff: Duration,
    /// The largest pause between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// No retries: one attempt.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }
    /// Sets the number of attempts (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Sets the first backoff ceiling.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Sets the largest pause.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The pause before retry number `retry` (1 for the first retry): full jitter over an
    /// exponential ceiling, or the server's `Retry-After` when it asked for longer (capped at
    /// `max_backoff`). `random` is in `[0, 1)`.
    pub fn backoff(&self, retry: u32, random: f64, retry_after: Option<Duration>) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let jittered = ceiling.mul_f64(random.clamp(0.0, 1.0));
        match retry_after {
            Some(ra) => ra.min(self.max_backoff).max(jittered),
            None => jittered,
        }
    }
}

/// A boxed future of a pause.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the client pauses between attempts and polls. Replace it in tests to run retries and
/// waiters instantly and record the pauses.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// Pauses with `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A source of uniform random numbers in `[0, 1)` for jitter. Replace it in tests for
/// deterministic pauses.
pub trait Random: Send + Sync + fmt::Debug {
    /// The next number in `[0, 1)`.
    fn next_f64(&self) -> f64;
}

/// A small splitmix64 generator; the default seed mixes the time and the process id.
#[derive(Debug)]
pub struct SplitMix(Mutex<u64>);

impl SplitMix {
    /// A generator with a fixed seed (deterministic).
    pub fn seeded(seed: u64) -> Self {
        SplitMix(Mutex::new(seed))
    }

    /// A generator seeded from the clock and process id.
    pub fn from_entropy() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self::seeded(nanos ^ (u64::from(std::process::id()) << 32))
    }
}

impl Random for SplitMix {
    fn next_f64(&self) -> f64 {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_over_an_exponential_ceiling() {
        let r = RetryConfig::default();
        assert_eq!(r.backoff(1, 0.0, None), Duration::ZERO);
        assert_eq!(r.backoff(1, 0.5, None), Duration::from_millis(100));
        assert_eq!(r.backoff(3, 0.5, None), Duration::from_millis(400));
        assert_eq!(r.backoff(40, 1.0, None), Duration::from_secs(20));
        // Retry-After wins when longer, and is capped.
        assert_eq!(
            r.backoff(1, 0.5, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            r.backoff(1, 0.5, Some(Duration::from_secs(600))),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn splitmix_is_deterministic_and_in_range() {
        let a = SplitMix::seeded(7);
        let b = SplitMix::seeded(7);
        for _ in 0..1000 {
            let x = a.next_f64();
            assert_eq!(x, b.next_f64());
            assert!((0.0..1.0).contains(&x));
        }
    }
}
