//! HTTP `Range` handling for result-file downloads (RFC 9110 §14).
//!
//! [`resolve`] turns a request's `Range` header and the file length into the status,
//! the `Content-Range` header and the bytes to send:
//!
//! | `Range` | status | `Content-Range` | body |
//! | --- | --- | --- | --- |
//! | absent | 200 | – | the whole file |
//! | `bytes=a-b` with `a < len` | 206 | `bytes a-min(b, len−1)/len` | those bytes |
//! | `bytes=a-` with `a < len` | 206 | `bytes a-(len−1)/len` | from `a` to the end |
//! | `bytes=-n`, `n > 0`, `len > 0` | 206 | the last `min(n, len)` bytes | those bytes |
//! | `bytes=a-b` / `bytes=a-` with `a ≥ len`, `bytes=-0`, or any range of an empty file | 416 | `bytes */len` | nothing |
//! | several ranges, e.g. `bytes=0-1,5-9` | 200 | – | the whole file |
//! | malformed (`bytes=5-1`, `bytes=x`, another unit, …) | 200 | – | the whole file |
//!
//! Two documented choices: a request for **several ranges** is answered with the whole
//! file (RFC 9110 lets a server ignore `Range`; the emulator does not produce
//! `multipart/byteranges`), and a **malformed** header is ignored the same way, as the
//! RFC recommends. `If-Range` is not consulted: a stored file never changes, so every
//! validator would match. Servers should send `Accept-Ranges: bytes` on every download.

use std::ops::Range;

use bytes::Bytes;

/// How to answer a download: status, `Content-Range` and the bytes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RangeResponse {
    /// 200 (whole file), 206 (one range) or 416 (range not satisfiable).
    pub status: u16,
    /// The `Content-Range` header value, for 206 and 416.
    pub content_range: Option<String>,
    /// The bytes of the file to send (empty for 416).
    pub range: Range<u64>,
}

impl RangeResponse {
    fn full(len: u64) -> Self {
        Self {
            status: 200,
            content_range: None,
            range: 0..len,
        }
    }

    fn partial(first: u64, last: u64, len: u64) -> Self {
        Self {
            status: 206,
            content_range: Some(format!("bytes {first}-{last}/{len}")),
            range: first..last + 1,
        }
    }

    fn unsatisfiable(len: u64) -> Self {
        Self {
            status: 416,
            content_range: Some(format!("bytes */{len}")),
            range: 0..0,
        }
    }

    /// The part of `body` to send (a cheap reference-counted slice).
    ///
    /// # Panics
    ///
    /// If `body` is shorter than the length given to [`resolve`].
    #[must_use]
    pub fn slice(&self, body: &Bytes) -> Bytes {
        body.slice(self.range.start as usize..self.range.end as usize)
    }
}

/// One `range-spec` of a `bytes` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// `a-b` or `a-` (`last` is `None`).
    FromTo { first: u64, last: Option<u64> },
    /// `-n`: the last `n` bytes.
    Suffix(u64),
}

/// Parses a run of ASCII digits; values past `u64::MAX` saturate (they are past any
/// file end anyway).
fn parse_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let (first, last) = spec.split_once('-')?;
    if first.is_empty() {
        return parse_number(last).map(Spec::Suffix);
    }
    let first = parse_number(first)?;
    if last.is_empty() {
        return Some(Spec::FromTo { first, last: None });
    }
    let last = parse_number(last)?;
    (first <= last).then_some(Spec::FromTo {
        first,
        last: Some(last),
    })
}

/// The specs of a `bytes=` header, or `None` when the header is to be ignored.
fn parse_header(header: &str) -> Option<Vec<Spec>> {
    let (unit, set) = header.split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let specs = set
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_spec)
        .collect::<Option<Vec<_>>>()?;
    (!specs.is_empty()).then_some(specs)
}

/// Resolves a `Range` header against a file of `len` bytes; see the
/// [module documentation](self) for every case.
#[must_use]
pub fn resolve(range_header: Option<&str>, len: u64) -> RangeResponse {
    let Some(specs) = range_header.and_then(parse_header) else {
        return RangeResponse::full(len);
    };
    let [spec] = specs.as_slice() else {
        return RangeResponse::full(len);
    };
    match *spec {
        _ if len == 0 => RangeResponse::unsatisfiable(len),
        Spec::FromTo { first, .. } if first >= len => RangeResponse::unsatisfiable(len),
        Spec::FromTo { first, last } => {
            let last = last.map_or(len - 1, |last| last.min(len - 1));
            RangeResponse::partial(first, last, len)
        }
        Spec::Suffix(0) => RangeResponse::unsatisfiable(len),
        Spec::Suffix(n) => RangeResponse::partial(len - n.min(len), len - 1, len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header: Option<&str>, len: u64) -> (u16, Option<String>, Range<u64>) {
        let r = resolve(header, len);
        assert!(r.range.end <= len);
        (r.status, r.content_range, r.range)
    }

    fn partial(cr: &str, range: Range<u64>) -> (u16, Option<String>, Range<u64>) {
        (206, Some(cr.to_owned()), range)
    }

    fn full(len: u64) -> (u16, Option<String>, Range<u64>) {
        (200, None, 0..len)
    }

    fn unsatisfiable(len: u64) -> (u16, Option<String>, Range<u64>) {
        (416, Some(format!("bytes */{len}")), 0..0)
    }

    #[test]
    fn no_header_is_the_whole_file() {
        assert_eq!(check(None, 10), full(10));
        assert_eq!(check(None, 0), full(0));
    }

    #[test]
    fn closed_ranges() {
        assert_eq!(check(Some("bytes=0-0"), 10), partial("bytes 0-0/10", 0..1));
        assert_eq!(check(Some("bytes=2-5"), 10), partial("bytes 2-5/10", 2..6));
        assert_eq!(check(Some("bytes=0-9"), 10), partial("bytes 0-9/10", 0..10));
        // The last position is clamped to the end of the file.
        assert_eq!(
            check(Some("bytes=5-100"), 10),
            partial("bytes 5-9/10", 5..10)
        );
        assert_eq!(check(Some("bytes=9-9"), 10), partial("bytes 9-9/10", 9..10));
        assert_eq!(check(Some("bytes=10-20"), 10), unsatisfiable(10));
    }

    #[test]
    fn open_ranges() {
        assert_eq!(check(Some("bytes=0-"), 10), partial("bytes 0-9/10", 0..10));
        assert_eq!(check(Some("bytes=7-"), 10), partial("bytes 7-9/10", 7..10));
        assert_eq!(check(Some("bytes=10-"), 10), unsatisfiable(10));
    }

    #[test]
    fn suffix_ranges() {
        assert_eq!(check(Some("bytes=-3"), 10), partial("bytes 7-9/10", 7..10));
        assert_eq!(check(Some("bytes=-10"), 10), partial("bytes 0-9/10", 0..10));
        // Longer than the file: the whole file, still as a 206.
        assert_eq!(check(Some("bytes=-50"), 10), partial("bytes 0-9/10", 0..10));
        assert_eq!(check(Some("bytes=-0"), 10), unsatisfiable(10));
    }

    #[test]
    fn empty_files_satisfy_no_range() {
        for header in ["bytes=0-", "bytes=0-0", "bytes=-5"] {
            assert_eq!(check(Some(header), 0), unsatisfiable(0), "{header}");
        }
    }

    #[test]
    fn multiple_ranges_get_the_whole_file() {
        assert_eq!(check(Some("bytes=0-1,5-9"), 10), full(10));
        assert_eq!(check(Some("bytes=0-1, -2"), 10), full(10));
        assert_eq!(check(Some("bytes=50-60,70-80"), 10), full(10));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        for header in [
            "bytes=5-1",
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=1-2-3",
            "bytes=+1-2",
            "bytes=0x1-2",
            "bytes=1 - 2",
            "items=0-1",
            "0-1",
            "",
            "bytes=0-1,x",
        ] {
            assert_eq!(check(Some(header), 10), full(10), "{header:?}");
        }
    }

    #[test]
    fn tolerant_spelling() {
        assert_eq!(check(Some("Bytes=2-3"), 10), partial("bytes 2-3/10", 2..4));
        assert_eq!(
            check(Some(" bytes = 2-3 "), 10),
            partial("bytes 2-3/10", 2..4)
        );
        // An empty list element is allowed by the list syntax.
        assert_eq!(check(Some("bytes=2-3,"), 10), partial("bytes 2-3/10", 2..4));
    }

    #[test]
    fn huge_numbers_saturate() {
        let huge = "99999999999999999999999999";
        assert_eq!(
            check(Some(&format!("bytes=0-{huge}")), 10),
            partial("bytes 0-9/10", 0..10)
        );
        assert_eq!(
            check(Some(&format!("bytes={huge}-")), 10),
            unsatisfiable(10)
        );
        assert_eq!(
            check(Some(&format!("bytes=-{huge}")), 10),
            partial("bytes 0-9/10", 0..10)
        );
    }

    #[test]
    fn slice_cuts_the_body() {
        let body = Bytes::from_static(b"0123456789");
        assert_eq!(resolve(Some("bytes=2-4"), 10).slice(&body), "234");
        assert_eq!(resolve(None, 10).slice(&body), body);
        assert!(resolve(Some("bytes=20-"), 10).slice(&body).is_empty());
    }
}
