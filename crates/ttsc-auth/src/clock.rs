//! Time sources: the `Clock` trait, the system clock, a clock corrected for the server's
//! skew, a manual clock for tests, and HTTP-date parsing.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time. Library code takes time from a `Clock` (or as a value)
/// instead of reading the system clock, so tests can inject it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that adds an offset, learnt from the server, to a base clock.
///
/// Huawei's gateway rejects an `X-Sdk-Date` more than 15 minutes from its own clock. A
/// client that gets such a rejection (or any response) can feed the response's `Date`
/// header to [`SkewAdjustedClock::update_from_date_header`]; later signatures then use the
/// server's time. Clones share the offset (an `Arc` around an atomic, in milliseconds),
/// so updating one updates all; reading it is a single atomic load.
#[derive(Clone)]
pub struct SkewAdjustedClock {
    base: Arc<dyn Clock>,
    offset_ms: Arc<AtomicI64>,
}

impl fmt::Debug for SkewAdjustedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SkewAdjustedClock")
            .field("base", &self.base)
            .field("offset_ms", &self.offset_ms())
            .finish()
    }
}

impl Default for SkewAdjustedClock {
    fn default() -> Self {
        Self::new()
    }
}

impl SkewAdjustedClock {
    /// The system clock with no offset.
    pub fn new() -> Self {
        Self::with_base(Arc::new(SystemClock))
    }

    /// `base` with no offset.
    pub fn with_base(base: Arc<dyn Clock>) -> Self {
        Self {
            base,
            offset_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The current offset in milliseconds (server time minus base time).
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Records that the server's clock read `server_time` now; returns the new offset in
    /// milliseconds.
    pub fn observe_server_time(&self, server_time: SystemTime) -> i64 {
        let offset = signed_millis(server_time) - signed_millis(self.base.now());
        self.offset_ms.store(offset, Ordering::Relaxed);
        offset
    }

    /// Parses a `Date` response header (any HTTP-date, see [`parse_http_date`]) and
    /// records the server's time; returns the new offset in milliseconds. The header has
    /// one-second resolution, which is plenty against a 15-minute window.
    ///
    /// # Errors
    ///
    /// [`DateError`] when the value is not an HTTP-date; the offset is then unchanged.
    pub fn update_from_date_header(&self, value: &str) -> Result<i64, DateError> {
        let server_time = parse_http_date(value)?;
        Ok(self.observe_server_time(server_time))
    }
}

impl Clock for SkewAdjustedClock {
    fn now(&self) -> SystemTime {
        add_millis(self.base.now(), self.offset_ms())
    }
}

/// A clock that only moves when told to, for tests. Clones share the time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            millis: Arc::new(AtomicI64::new(signed_millis(start))),
        }
    }

    /// Sets the time.
    pub fn set(&self, time: SystemTime) {
        self.millis.store(signed_millis(time), Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.millis.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        add_millis(UNIX_EPOCH, self.millis.load(Ordering::SeqCst))
    }
}

fn signed_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

fn add_millis(time: SystemTime, millis: i64) -> SystemTime {
    let magnitude = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        time.checked_add(magnitude).unwrap_or(time)
    } else {
        time.checked_sub(magnitude).unwrap_or(time)
    }
}

/// A date that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid HTTP date `{value}`: expected a date like `Sun, 06 Nov 1994 08:49:37 GMT` \
     (IMF-fixdate, RFC 850 or asctime)"
)]
pub struct DateError {
    value: String,
}

impl DateError {
    /// The value that failed to parse (at most 64 characters of it).
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Parses an HTTP-date in any of the three forms RFC 9110 requires recipients to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37
/// GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). Surrounding white space is ignored.
///
/// # Errors
///
/// [`DateError`] for anything else.
pub fn parse_http_date(value: &str) -> Result<SystemTime, DateError> {
    httpdate::parse_http_date(value.trim()).map_err(|_| DateError {
        value: value.chars().take(64).collect(),
    })
}

/// Formats `time` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), for a `Date`
/// header.
pub fn format_http_date(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_http_date_forms_and_formats_imf_fixdate() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            " Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(form), Ok(t), "{form}");
        }
        assert_eq!(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "",
        ] {
            let err = parse_http_date(bad).expect_err(bad);
            assert!(err.to_string().starts_with("invalid HTTP date"), "{err}");
        }
    }

    #[test]
    fn skew_adjusted_clock_follows_the_server_date() {
        let base = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_795_335_300));
        let clock = SkewAdjustedClock::with_base(Arc::new(base.clone()));
        let shared = clock.clone();
        assert_eq!(clock.now(), base.now());

        // The server is 20 minutes ahead.
        let offset = clock
            .update_from_date_header("Sun, 22 Nov 2026 08:35:00 GMT")
            .expect("valid");
        assert_eq!(offset, 20 * 60 * 1000);
        assert_eq!(shared.now(), base.now() + Duration::from_secs(20 * 60));

        base.advance(Duration::from_secs(5));
        assert_eq!(shared.now(), base.now() + Duration::from_secs(20 * 60));

        // Behind, and a bad header leaves the offset alone.
        clock.observe_server_time(base.now() - Duration::from_millis(1500));
        assert_eq!(shared.offset_ms(), -1500);
        assert!(clock.update_from_date_header("yesterday").is_err());
        assert_eq!(shared.offset_ms(), -1500);
        assert!(format!("{clock:?}").contains("offset_ms: -1500"));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(UNIX_EPOCH);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_millis(1500));
        clock.set(UNIX_EPOCH + Duration::from_secs(10));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(10));
    }
}
