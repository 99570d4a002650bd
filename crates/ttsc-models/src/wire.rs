//! Wire helpers: percent-encoding of path segments and query values, RFC 3339 checks, and
//! [`WireRequest`], the received request that generated `from_wire` parsers read.

use std::borrow::Cow;
use std::str::FromStr;

use serde::de::DeserializeOwned;

use crate::validate::{Rule, Violation};

/// Whether `b` is an RFC 3986 unreserved character (`A-Z a-z 0-9 - _ . ~`).
#[inline]
pub const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `s` leaving only RFC 3986 unreserved characters as they are (space is
/// `%20`, `/` is `%2F`), the encoding Huawei's signer uses for path segments and query parts.
pub fn percent_encode(s: &str) -> Cow<'_, str> {
    if s.bytes().all(is_unreserved) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    push_percent_encoded(&mut out, s);
    Cow::Owned(out)
}

/// Appends `s` percent-encoded (see [`percent_encode`]) to `out`.
pub fn push_percent_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
/// `+` is left as is (it means space only in form encoding, which this API does not use).
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_val(*bytes.get(i + 1)?)?;
            let lo = hex_val(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits a raw query string (`a=1&b=x%20y`) into decoded pairs, in order. Pairs that do not
/// decode are returned raw.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(k).unwrap_or_else(|| k.to_owned()),
                percent_decode(v).unwrap_or_else(|| v.to_owned()),
            )
        })
        .collect()
}

/// `s` as a time when it is an RFC 3339 date-time (`2026-11-01T08:43:17Z`, a fraction and an
/// offset allowed), for the `…_parsed()` accessors of the `date-time` fields of the models.
#[must_use]
pub fn parse_rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z`
/// or `±HH:MM`. Checks field ranges (month 1–12, day valid for the month, hour 0–23, minute
/// 0–59, second 0–60).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
        } else {
            None
        }
    };
    let check = || -> Option<()> {
        let year = num(0..4)?;
        (b.get(4)? == &b'-').then_some(())?;
        let month = num(5..7)?;
        (b.get(7)? == &b'-').then_some(())?;
        let day = num(8..10)?;
        matches!(b.get(10)?, b'T' | b't').then_some(())?;
        let hour = num(11..13)?;
        (b.get(13)? == &b':').then_some(())?;
        let minute = num(14..16)?;
        (b.get(16)? == &b':').then_some(())?;
        let second = num(17..19)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            (i > start).then_some(())?;
        }
        match b.get(i)? {
            b'Z' | b'z' => (i + 1 == b.len()).then_some(()),
            b'+' | b'-' => {
                let oh = num(i + 1..i + 3)?;
                (b.get(i + 3)? == &b':').then_some(())?;
                let om = num(i + 4..i + 6)?;
                (oh <= 23 && om <= 59 && i + 6 == b.len()).then_some(())
            }
            _ => None,
        }
    };
    check().is_some()
}

/// A request as received by a server, for the generated `from_wire` parsers.
#[derive(Debug, Clone, Copy)]
pub struct WireRequest<'a> {
    /// Decoded path parameters, from [`OperationInfo::match_path`](crate::OperationInfo::match_path).
    pub path_params: &'a [(&'static str, String)],
    /// Decoded query pairs (see [`parse_query`]).
    pub query: &'a [(String, String)],
    /// Header names and values.
    pub headers: &'a [(String, String)],
    /// The body bytes (empty when none).
    pub body: &'a [u8],
}

#[doc(hidden)]
impl WireRequest<'_> {
    /// A path parameter; a violation when missing.
    pub fn path_param(&self, name: &str, out: &mut Vec<Violation>) -> String {
        match self.path_params.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => v.clone(),
            None => {
                out.push(Violation::new(name, None, Rule::Required));
                String::new()
            }
        }
    }

    /// A query parameter parsed as `T`; the first occurrence wins.
    pub fn query_param<T: FromStr>(
        &self,
        name: &str,
        expected: &'static str,
        required: bool,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        match self.query.iter().find(|(k, _)| k == name) {
            Some((_, v)) => match v.parse::<T>() {
                Ok(t) => Some(t),
                Err(_) => {
                    out.push(Violation::new(
                        name,
                        Some(crate::validate::show_str(v)),
                        Rule::Type(expected),
                    ));
                    None
                }
            },
            None => {
                if required {
                    out.push(Violation::new(name, None, Rule::Required));
                }
                None
            }
        }
    }

    /// A list query parameter: every occurrence, each split at commas (the official SDK
    /// repeats the parameter per value; Huawei's reference writes the values comma-separated,
    /// so both arrive), each parsed as `T`. `None` when the parameter is absent.
    pub fn query_list<T: FromStr>(
        &self,
        name: &str,
        expected: &'static str,
        out: &mut Vec<Violation>,
    ) -> Option<Vec<T>> {
        let mut values = Vec::new();
        let mut present = false;
        for (_, raw) in self.query.iter().filter(|(k, _)| k == name) {
            present = true;
            for v in raw.split(',').filter(|v| !v.is_empty()) {
                match v.parse::<T>() {
                    Ok(t) => values.push(t),
                    Err(_) => out.push(Violation::new(
                        name,
                        Some(crate::validate::show_str(v)),
                        Rule::Type(expected),
                    )),
                }
            }
        }
        present.then_some(values)
    }

    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// The JSON body; a violation when required and empty, or when it does not parse.
    pub fn json_body<T: DeserializeOwned>(
        &self,
        required: bool,
        out: &mut Vec<Violation>,
    ) -> Option<T> {
        let body = self.body.trim_ascii();
        if body.is_empty() {
            if required {
                out.push(Violation::new("body", None, Rule::Required));
            }
            return None;
        }
        match serde_json::from_slice(body) {
            Ok(t) => Some(t),
            Err(e) => {
                out.push(Violation::new(
                    "body",
                    Some(e.to_string()),
                    Rule::Type("a JSON object of the documented shape"),
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The accessors of `date-time` fields give `None`, never an error, for a value that is
    /// not RFC 3339: responses are read leniently, and the string is still in the field.
    #[test]
    fn date_time_fields_parse_through_their_accessors() {
        use time::macros::datetime;
        let job: crate::TtsJobDetail =
            serde_json::from_str(r#"{"create_time": "2026-11-01T08:43:17Z"}"#).unwrap();
        assert_eq!(
            job.create_time_parsed(),
            Some(datetime!(2026-11-01 08:43:17 UTC))
        );
        // IAM's shape: fractional seconds.
        let token: crate::iam::TokenResult =
            serde_json::from_str(r#"{"expires_at": "2026-11-02T00:00:00.123000Z"}"#).unwrap();
        assert_eq!(
            token.expires_at_parsed(),
            Some(datetime!(2026-11-02 00:00:00.123 UTC))
        );
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-11-01T08:43:17",
            "yesterday",
            "",
        ] {
            let job = crate::TtsJobDetail::new().create_time(bad);
            assert_eq!(job.create_time_parsed(), None, "{bad:?}");
            assert_eq!(job.create_time.as_deref(), Some(bad));
        }
        assert_eq!(crate::TtsJobDetail::new().create_time_parsed(), None);
    }

    #[test]
    fn encodes_like_the_signer() {
        assert_eq!(percent_encode("abc-_.~"), "abc-_.~");
        assert_eq!(percent_encode("a b+c/d*e"), "a%20b%2Bc%2Fd%2Ae");
        assert_eq!(percent_encode("任"), "%E4%BB%BB");
    }

    #[test]
    fn decodes_and_rejects_bad_escapes() {
        assert_eq!(
            percent_decode("job%20with%20space").as_deref(),
            Some("job with space")
        );
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%E4%BB%BB").as_deref(), Some("任"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn parses_query_strings() {
        assert_eq!(
            parse_query("limit=10&word=hello%20world&flag&"),
            vec![
                ("limit".into(), "10".into()),
                ("word".into(), "hello world".into()),
                ("flag".into(), String::new()),
            ]
        );
    }

    #[test]
    fn rfc3339() {
        for ok in [
            "2026-11-01T00:00:00Z",
            "2026-11-01T23:59:60.123Z",
            "2024-02-29T12:00:00+08:00",
            "2026-11-01t00:00:00z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-01",
            "2026-11-01 00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-01T24:00:00Z",
            "2026-11-01T00:00:00",
            "2026-11-01T00:00:00.Z",
            "2026-11-01T00:00:00Zjunk",
            "yesterday",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
