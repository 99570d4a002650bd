//! The emulator's clock: an injected base clock shifted by a fixed offset, and the time
//! formats the API uses.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ttsc_auth::clock::Clock;

/// The base clock plus `--clock-offset-secs`: the time every part of the emulator uses
/// (signature windows, job progress, URL expiry, token lifetimes, the `Date` header).
#[derive(Clone)]
pub(crate) struct EmuClock {
    base: Arc<dyn Clock>,
    offset_ms: i64,
}

impl fmt::Debug for EmuClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmuClock")
            .field("base", &self.base)
            .field("offset_ms", &self.offset_ms)
            .finish()
    }
}

impl EmuClock {
    pub(crate) fn new(base: Arc<dyn Clock>, offset_secs: i64) -> Self {
        Self {
            base,
            offset_ms: offset_secs.saturating_mul(1000),
        }
    }

    /// The emulator's current time.
    pub(crate) fn now(&self) -> SystemTime {
        let base = self.base.now();
        let magnitude = Duration::from_millis(self.offset_ms.unsigned_abs());
        if self.offset_ms >= 0 {
            base.checked_add(magnitude).unwrap_or(base)
        } else {
            base.checked_sub(magnitude).unwrap_or(base)
        }
    }

    /// The current time in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        unix_ms(self.now())
    }
}

/// Unix milliseconds of `t` (negative before 1970).
pub(crate) fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// `2026-11-01T08:15:00Z` for Unix seconds `secs` (UTC, whole seconds).
pub(crate) fn rfc3339_secs(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.replace_nanosecond(0).ok()?.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// `2026-11-01T08:15:00.000000Z` (microseconds, the form IAM writes `expires_at` in).
pub(crate) fn rfc3339_micros(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let base = rfc3339_secs(secs);
    let stem = base.strip_suffix('Z').unwrap_or(&base);
    format!("{stem}.{millis:03}000Z")
}

/// Parses an RFC 3339 date-time into Unix seconds (fractions are dropped).
pub(crate) fn parse_rfc3339_secs(value: &str) -> Option<i64> {
    OffsetDateTime::parse(value, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttsc_auth::clock::ManualClock;

    #[test]
    fn offsets_shift_the_base_clock() {
        let base = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_000_000));
        let ahead = EmuClock::new(Arc::new(base.clone()), 60);
        let behind = EmuClock::new(Arc::new(base), -60);
        assert_eq!(ahead.now_ms(), 1_000_060_000);
        assert_eq!(behind.now_ms(), 999_940_000);
    }

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339_secs(1_795_335_300), "2026-11-22T08:15:00Z");
        assert_eq!(
            rfc3339_micros(1_795_335_300_123),
            "2026-11-22T08:15:00.123000Z"
        );
        assert_eq!(
            parse_rfc3339_secs("2026-11-22T08:15:00Z"),
            Some(1_795_335_300)
        );
        assert_eq!(
            parse_rfc3339_secs("2026-11-22T16:15:00.5+08:00"),
            Some(1_795_335_300)
        );
        assert_eq!(parse_rfc3339_secs("yesterday"), None);
    }
}
