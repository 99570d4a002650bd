//! Byte-level helpers shared by the signer and the verifier: hex, percent-encoding,
//! Python-compatible trimming and the `X-Sdk-Date` format.

use std::borrow::Cow;
use std::ops::{BitAnd, BitAndAssign};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 unreserved characters (`A-Z a-z 0-9 - _ . ~`), the only bytes Python's
/// `quote(s, safe='~')` leaves as they are.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        i += 1;
    }
    table
};

/// [`UNRESERVED`] plus `/`: a path made of these needs no encoding.
const UNRESERVED_OR_SLASH: [bool; 256] = {
    let mut table = UNRESERVED;
    table[b'/' as usize] = true;
    table
};

/// HTTP token characters (RFC 9110 `tchar`), for methods and header names.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    table
};

/// Header name classes: bit 0 for [`TCHAR`], bit 1 for [`TCHAR`] except `_`.
const HEADER_NAME_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        if TCHAR[i] {
            table[i] = if i == b'_' as usize { 1 } else { 3 };
        }
        i += 1;
    }
    table
};

// The validation helpers below look at eight bytes at a time (SWAR: SIMD within a
// register) or fold over every byte instead of stopping at the first hit: the inputs are
// short and valid in the common case, and branch-free loops are several times faster.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is below `n` (`n` at most 128).
const fn any_byte_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(ONES * n as u64) & !word & HIGHS != 0
}

/// Whether any byte of `word` equals `byte`.
const fn any_byte_is(word: u64, byte: u8) -> bool {
    any_byte_below(word ^ (ONES * byte as u64), 1)
}

/// Whether any byte of `s` satisfies `word_test` (on eight-byte words) or `byte_test`
/// (on the remaining bytes).
fn any_byte(s: &str, word_test: impl Fn(u64) -> bool, byte_test: impl Fn(u8) -> bool) -> bool {
    let mut chunks = s.as_bytes().chunks_exact(8);
    let mut found = false;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        found |= word_test(u64::from_le_bytes(word));
    }
    found || chunks.remainder().iter().any(|&b| byte_test(b))
}

/// `init` and-ed with `table`'s entry for every byte of `bytes`, eight table lookups per
/// step and no early exit.
#[inline]
fn and_all<T: Copy + BitAnd<Output = T> + BitAndAssign>(
    bytes: &[u8],
    table: &[T; 256],
    init: T,
) -> T {
    let mut chunks = bytes.chunks_exact(8);
    let mut acc = init;
    for c in &mut chunks {
        acc &= table[usize::from(c[0])]
            & table[usize::from(c[1])]
            & table[usize::from(c[2])]
            & table[usize::from(c[3])]
            & table[usize::from(c[4])]
            & table[usize::from(c[5])]
            & table[usize::from(c[6])]
            & table[usize::from(c[7])];
    }
    chunks
        .remainder()
        .iter()
        .fold(acc, |acc, &b| acc & table[usize::from(b)])
}

/// Whether every byte of `bytes` is in `table`.
#[inline]
fn all_in(bytes: &[u8], table: &[bool; 256]) -> bool {
    and_all(bytes, table, true)
}

/// Whether `s` is a non-empty HTTP token (a valid method or header name).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && all_in(s.as_bytes(), &TCHAR)
}

/// Whether `s` contains CR, LF or NUL (not allowed in a header value).
pub(crate) fn has_line_break_or_nul(s: &str) -> bool {
    any_byte(
        s,
        |w| any_byte_is(w, b'\r') | any_byte_is(w, b'\n') | any_byte_is(w, 0),
        |b| matches!(b, b'\r' | b'\n' | 0),
    )
}

/// Whether `s` contains ASCII white space or control characters.
pub(crate) fn has_space_or_control(s: &str) -> bool {
    any_byte(
        s,
        |w| any_byte_below(w, b' ' + 1) | any_byte_is(w, 0x7f),
        |b| b <= b' ' || b == 0x7f,
    )
}

/// Whether `s` contains a control character (C0, DEL or C1).
pub(crate) fn has_control(s: &str) -> bool {
    let ascii_control = any_byte(
        s,
        |w| any_byte_below(w, b' ') | any_byte_is(w, 0x7f),
        |b| b < b' ' || b == 0x7f,
    );
    ascii_control || (!s.is_ascii() && s.chars().any(char::is_control))
}

/// Every byte's two lower-case hex digits, so hex encoding is one lookup per byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX_LOWER[i >> 4], HEX_LOWER[i & 0x0f]];
        i += 1;
    }
    table
};

/// Lower-case hex of a 32-byte digest, as ASCII bytes.
pub(crate) fn hex32(bytes: &[u8]) -> [u8; 64] {
    debug_assert_eq!(bytes.len(), 32);
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
    out
}

/// Views hex produced by [`hex32`] as a string.
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    // Only ever called on bytes this module produced from ASCII tables.
    std::str::from_utf8(bytes).unwrap_or("")
}

/// Decodes hex (either case) into `out`; `false` when `s` is not exactly `2 * out.len()`
/// hex digits.
pub(crate) fn decode_hex(s: &str, out: &mut [u8]) -> bool {
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return false;
    }
    for (i, pair) in s.chunks_exact(2).enumerate() {
        match (hex_value(pair[0]), hex_value(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi << 4) | lo,
            _ => return false,
        }
    }
    true
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `s` percent-encoded the way the official signer encodes path segments and
/// query keys and values: unreserved characters as they are, every other UTF-8 byte as
/// `%XX` (upper-case hex).
#[inline]
pub(crate) fn percent_encode_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if all_in(bytes, &UNRESERVED) {
        out.extend_from_slice(bytes);
    } else {
        percent_encode_escaping(out, bytes);
    }
}

/// [`percent_encode_into`] for input with at least one byte to escape: copies runs of
/// unreserved bytes whole and writes each escape as one three-byte append.
#[inline(never)]
fn percent_encode_escaping(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 3);
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !UNRESERVED[usize::from(b)] {
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0x0f)],
            ]);
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `s` percent-encoded (see [`percent_encode_into`]).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    percent_encode_into(&mut out, s);
    // Only ASCII was added to `out`.
    String::from_utf8(out).unwrap_or_default()
}

/// Percent-decodes `s` like Python's `urllib.parse.unquote`: `%XX` with two hex digits
/// becomes that byte, anything else stays, and byte sequences that are not UTF-8 become
/// U+FFFD.
pub(crate) fn percent_decode(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push((hi << 4) | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(decoded) => Cow::Owned(decoded),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// The pairs of a raw query string, percent-decoded (see [`percent_decode`]) and in the
/// order given: split on `&`, empty pieces skipped, a piece without `=` is a key with an
/// empty value.
pub(crate) fn decode_query(raw: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Whether Python's `str.isspace()` holds for `c` (Rust's `char::is_whitespace` plus the
/// information separators U+001C..U+001F).
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Trims `s` like Python's `str.strip()`, which the official signer applies to header
/// values.
pub(crate) fn python_trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        return s;
    }
    s.trim_matches(is_python_space)
}

/// Whether `path` needs no decoding or encoding: only unreserved characters and `/`
/// (so, also, no control characters).
pub(crate) fn is_plain_path(path: &str) -> bool {
    all_in(path.as_bytes(), &UNRESERVED_OR_SLASH)
}

/// Appends the canonical URI of `path`: percent-decoded, split on `/`, each segment
/// encoded, always ending in `/`. `plain` is [`is_plain_path`] of `path`.
pub(crate) fn canonical_uri_into(out: &mut Vec<u8>, path: &str, plain: bool) {
    if plain {
        out.extend_from_slice(path.as_bytes());
    } else {
        let decoded = percent_decode(path);
        for (i, segment) in decoded.split('/').enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            percent_encode_into(out, segment);
        }
    }
    if out.last() != Some(&b'/') {
        out.push(b'/');
    }
}

/// ASCII-lower-cases `bytes` in place, eight at a time; other bytes are left alone.
#[inline]
pub(crate) fn make_ascii_lowercase(bytes: &mut [u8]) {
    fn lower(chunk: &mut [u8; 8]) {
        *chunk = lowercase_word(u64::from_le_bytes(*chunk)).to_le_bytes();
    }
    let Some(last) = bytes.last_chunk_mut::<8>() else {
        bytes.make_ascii_lowercase();
        return;
    };
    // The last eight bytes, then the whole words before them (lower-casing twice is
    // harmless, so the words may overlap).
    lower(last);
    let whole = (bytes.len() - 1) / 8;
    let (words, _) = bytes.as_chunks_mut::<8>();
    for word in words.iter_mut().take(whole) {
        lower(word);
    }
}

/// ASCII-lower-cases the eight bytes of `word` (any byte order).
#[inline]
const fn lowercase_word(word: u64) -> u64 {
    // With the high bits cleared, adding 0x3f sets a byte's high bit from 'A' up and
    // adding 0x25 from '[' up, without carries between bytes; upper-case ASCII letters
    // have the first, not the second, and get 0x20 added. Non-ASCII bytes are masked out.
    let ascii = !word & HIGHS;
    let low = word & !HIGHS;
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let after_z = low + 0x2525_2525_2525_2525;
    let upper = from_a & !after_z & ascii;
    word | (upper >> 2)
}

/// The first eight bytes of `s`, big-endian and zero-padded: comparing two such keys
/// orders the strings like comparing their bytes, except that equal keys need a full
/// comparison. Sorting by it avoids a `memcmp` call per comparison.
#[inline]
pub(crate) const fn prefix_key(s: &str) -> u64 {
    let bytes = s.as_bytes();
    if let Some(first8) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*first8);
    }
    // Shorter than eight bytes: shift them in (a variable-length copy into a word would
    // cost a `memcpy` call and a store-forwarding stall).
    let mut key = 0u64;
    let mut i = 0;
    while i < 8 {
        let byte = if i < bytes.len() { bytes[i] } else { 0 };
        key = (key << 8) | byte as u64;
        i += 1;
    }
    key
}

/// [`prefix_key`] of the ASCII-lower-cased string (for header names, which are ASCII).
pub(crate) fn lowercase_prefix_key(s: &str) -> u64 {
    lowercase_word(prefix_key(s))
}

/// Header name validity and whether the name has `_` (sent but not signed), in one pass.
/// `None` when the name is not an HTTP token.
pub(crate) fn classify_header_name(name: &str) -> Option<bool> {
    let class = and_all(name.as_bytes(), &HEADER_NAME_CLASS, 3);
    (!name.is_empty() && class & 1 != 0).then_some(class & 2 == 0)
}

/// The `X-Sdk-Date` value for a point in time: `YYYYMMDDTHHMMSSZ` in UTC.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct SdkDate([u8; 16]);

impl SdkDate {
    /// `None` before 1970 or after 9999.
    pub(crate) fn from_system_time(time: SystemTime) -> Option<Self> {
        // The civil date of the last day converted: `days << 32 | year << 9 | month << 5
        // | day`. Signing times are mostly "now", so this spares the calendar arithmetic;
        // the value carries its own key, so a race only costs a recomputation.
        static LAST_DAY: AtomicU64 = AtomicU64::new(u64::MAX);
        let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
        let days = secs / 86_400;
        // 10000-01-01 and later (the cache's key must stay below 2^32).
        if days >= 2_932_897 {
            return None;
        }
        let rem = secs % 86_400;
        let cached = LAST_DAY.load(Ordering::Relaxed);
        let (year, month, day) = if cached >> 32 == days {
            (cached >> 9 & 0x7fff, cached >> 5 & 0xf, cached & 0x1f)
        } else {
            let (year, month, day) = civil_from_days(i64::try_from(days).ok()?);
            let (year, month, day) = (u64::try_from(year).ok()?, u64::from(month), u64::from(day));
            LAST_DAY.store(days << 32 | year << 9 | month << 5 | day, Ordering::Relaxed);
            (year, month, day)
        };
        let mut out = *b"00000000T000000Z";
        write2(&mut out[0..2], year / 100);
        write2(&mut out[2..4], year);
        write2(&mut out[4..6], month);
        write2(&mut out[6..8], day);
        write2(&mut out[9..11], rem / 3600);
        write2(&mut out[11..13], rem / 60 % 60);
        write2(&mut out[13..15], rem % 60);
        Some(Self(out))
    }

    /// Parses `YYYYMMDDTHHMMSSZ`; `None` when malformed.
    pub(crate) fn parse(s: &str) -> Option<(Self, SystemTime)> {
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| parse_digits(&b[range]);
        let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
        let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || year < 1970
        {
            return None;
        }
        let time = utc_time(year, month, day, hour, minute, second)?;
        let mut raw = [0u8; 16];
        raw.copy_from_slice(b);
        Some((Self(raw), time))
    }

    pub(crate) fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// `YYYYMMDD`, the date part used in the V11 credential scope.
    pub(crate) fn day(&self) -> &str {
        ascii_str(&self.0[..8])
    }
}

/// "00" to "99", so a two-digit field is one lookup.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// Writes `value % 100` as two digits.
fn write2(out: &mut [u8], value: u64) {
    // `value % 100` is below 100, so it indexes the table.
    out.copy_from_slice(&DIGIT_PAIRS[(value % 100) as usize]);
}

/// The value of the ASCII decimal digits `digits`; `None` when a byte is not a digit.
pub(crate) fn parse_digits(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// The time of a UTC date and time of day whose fields are already checked; `None` before
/// 1970.
pub(crate) fn utc_time(
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<SystemTime> {
    let days = u64::try_from(days_from_civil(i64::from(year), month, day)).ok()?;
    let secs = days * 86_400 + u64::from(hour) * 3600 + u64::from(minute) * 60 + u64::from(second);
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(s: &str) -> String {
        percent_encode(s)
    }

    #[test]
    fn prefix_keys_order_like_bytes() {
        let words = [
            "",
            "a",
            "A",
            "a\0",
            "ab",
            "abcdefgh",
            "abcdefgh0",
            "abcdefgi",
            "b",
            "Content-Type",
            "content-type",
            "host",
            "X-Project-Id",
            "x-sdk-date",
            "x-security-token",
            "~",
            "_",
            "%",
            "\u{4e2d}",
        ];
        for a in words {
            for b in words {
                let by_key = prefix_key(a).cmp(&prefix_key(b));
                if by_key != std::cmp::Ordering::Equal {
                    assert_eq!(by_key, a.cmp(b), "{a:?} {b:?}");
                }
                let (la, lb) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                assert_eq!(lowercase_prefix_key(a), prefix_key(&la), "{a:?}");
                let by_key = lowercase_prefix_key(a).cmp(&lowercase_prefix_key(b));
                if by_key != std::cmp::Ordering::Equal {
                    assert_eq!(by_key, la.cmp(&lb), "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn swar_lowercasing_changes_only_ascii_capitals() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for start in 0..16 {
            for len in 0..40 {
                let mut ours = all[start..start + len].to_vec();
                let mut std = ours.clone();
                make_ascii_lowercase(&mut ours);
                std.make_ascii_lowercase();
                assert_eq!(ours, std, "{start} {len}");
            }
        }
        let mut bytes = all.clone();
        make_ascii_lowercase(&mut bytes);
        assert_eq!(bytes, all.to_ascii_lowercase());
    }

    #[test]
    fn header_names_are_classified_in_one_pass() {
        assert_eq!(classify_header_name("Content-Type"), Some(false));
        assert_eq!(classify_header_name("X_Custom_Trace"), Some(true));
        assert_eq!(classify_header_name(""), None);
        assert_eq!(classify_header_name("Bad Name"), None);
        assert_eq!(classify_header_name("caf\u{e9}"), None);
    }

    #[test]
    fn percent_encoding_matches_python_quote_with_tilde_safe() {
        assert_eq!(encode(""), "");
        assert_eq!(encode("abc-_.~XYZ019"), "abc-_.~XYZ019");
        assert_eq!(encode("a b+c/d*e=f&g"), "a%20b%2Bc%2Fd%2Ae%3Df%26g");
        assert_eq!(encode("你好 wörld"), "%E4%BD%A0%E5%A5%BD%20w%C3%B6rld");
        assert_eq!(encode("ö"), "%C3%B6");
        assert_eq!(encode("öa"), "%C3%B6a");
        assert_eq!(encode("aö"), "a%C3%B6");
    }

    #[test]
    fn percent_decoding_matches_python_unquote() {
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("a%20b%2fc%2F"), "a b/c/");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("x%41"), "xA");
        assert_eq!(percent_decode("bad%E4%BB-"), "bad\u{fffd}-");
        assert_eq!(percent_decode("%E4%BB%BB"), "任");
    }

    #[test]
    fn canonical_uri_always_ends_in_slash() {
        let uri = |p: &str| {
            let mut out = Vec::new();
            canonical_uri_into(&mut out, p, is_plain_path(p));
            String::from_utf8(out).expect("UTF-8")
        };
        assert_eq!(uri("/v1/x"), "/v1/x/");
        assert_eq!(uri("/v1/x/"), "/v1/x/");
        assert_eq!(uri("/"), "/");
        assert_eq!(uri(""), "/");
        assert_eq!(uri("/a%2Fb"), "/a/b/");
        assert_eq!(uri("/任务-1"), "/%E4%BB%BB%E5%8A%A1-1/");
    }

    #[test]
    fn python_trim_strips_information_separators_too() {
        assert_eq!(python_trim("  a b \t"), "a b");
        assert_eq!(python_trim("\u{1c}x\u{1f}"), "x");
        assert_eq!(python_trim("\u{3000}x\u{a0}"), "x");
    }

    #[test]
    fn sdk_date_round_trips() {
        let (date, time) = SdkDate::parse("20261122T081500Z").expect("valid");
        assert_eq!(date.as_str(), "20261122T081500Z");
        assert_eq!(date.day(), "20261122");
        assert_eq!(SdkDate::from_system_time(time).map(|d| d.0), Some(date.0));
        assert_eq!(
            SdkDate::from_system_time(UNIX_EPOCH)
                .expect("epoch")
                .as_str(),
            "19700101T000000Z"
        );
        let last = UNIX_EPOCH + Duration::from_secs(253_402_300_799); // 9999-12-31T23:59:59Z
        assert_eq!(
            SdkDate::from_system_time(last).expect("9999").as_str(),
            "99991231T235959Z"
        );
        assert!(SdkDate::from_system_time(last + Duration::from_secs(1)).is_none());
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(
            SdkDate::from_system_time(leap).expect("leap").as_str(),
            "20000229T000000Z"
        );
        for bad in [
            "20261322T081500Z",
            "20260230T081500Z",
            "20261122T241500Z",
            "20261122 081500Z",
            "2026112T081500Z",
            "2026112aT081500Z",
        ] {
            assert!(SdkDate::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn civil_conversion_round_trips_over_four_centuries() {
        for days in (-1000..200_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn validators_agree_with_byte_by_byte_checks() {
        let samples = [
            "",
            "a",
            "abcdefgh",
            "abcdefghi",
            "application/json",
            "x\r",
            "0123456789abcde\n",
            "0123456789abcdef\0",
            "host:8080",
            "two words",
            "tab\there",
            "del\u{7f}",
            "café",
            "c1\u{85}control",
            "~!#$%&'*+-.^_`|",
            "Content-Type",
            "X_Under_Score",
            "a;b",
        ];
        for s in samples {
            let bytes = s.as_bytes();
            assert_eq!(
                has_line_break_or_nul(s),
                bytes.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)),
                "{s:?}"
            );
            assert_eq!(
                has_space_or_control(s),
                bytes.iter().any(|&b| b <= b' ' || b == 0x7f),
                "{s:?}"
            );
            assert_eq!(has_control(s), s.chars().any(char::is_control), "{s:?}");
            assert_eq!(
                is_token(s),
                !s.is_empty()
                    && bytes
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
                "{s:?}"
            );
        }
        for byte in 0..=255u8 {
            let word = u64::from_le_bytes([b'a', b'b', byte, b'c', b'd', b'e', b'f', b'g']);
            assert_eq!(any_byte_below(word, 0x21), byte < 0x21, "{byte}");
            assert_eq!(any_byte_is(word, 0x7f), byte == 0x7f, "{byte}");
        }
    }

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..32).map(|i| i * 8).collect();
        let hex = hex32(&bytes);
        let mut back = [0u8; 32];
        assert!(decode_hex(ascii_str(&hex), &mut back));
        assert_eq!(back.as_slice(), bytes.as_slice());
        assert!(!decode_hex("zz", &mut [0u8; 1]));
        assert!(!decode_hex("abc", &mut [0u8; 1]));
        assert!(decode_hex("AB", &mut [0u8; 1]));
    }
}
