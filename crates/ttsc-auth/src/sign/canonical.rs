//! The intermediate stages of a signature, each its own `Display` type: the canonical
//! request and the string to sign.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;

use crate::encoding::{
    canonical_uri_into, is_plain_path, make_ascii_lowercase, percent_encode_into,
};
use crate::secret::MASK;
use crate::sign::SigningAlgorithm;

/// Header names whose values are masked when a canonical request is displayed.
const MASKED_HEADERS: [&str; 2] = ["x-security-token", "x-auth-token"];

/// The canonical request: method, canonical URI, canonical query string, canonical
/// headers, signed header list and payload hash, joined by newlines.
///
/// [`CanonicalRequest::as_str`] gives the exact bytes that are hashed. `Display` prints
/// the same text except that the value of a signed `x-security-token` header is replaced
/// by [`MASK`](crate::MASK), so the canonical request of temporary credentials can be
/// shown and logged.
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    query: Range<usize>,
    signed_headers: Range<usize>,
    payload_hash: Range<usize>,
    masked: Vec<Range<usize>>,
}

impl CanonicalRequest {
    /// The exact canonical request, as hashed. It contains the security token of
    /// temporary credentials in clear: prefer `Display` for anything shown to people.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The canonical query string (also the query the request must be sent with).
    pub fn canonical_query_string(&self) -> &str {
        &self.text[self.query.clone()]
    }

    /// The `;`-separated list of signed header names.
    pub fn signed_headers(&self) -> &str {
        &self.text[self.signed_headers.clone()]
    }

    /// The payload hash line: lower-case hex of the body hash, or `UNSIGNED-PAYLOAD`.
    pub fn payload_hash(&self) -> &str {
        &self.text[self.payload_hash.clone()]
    }

    /// The form Huawei's gateway quotes in a signature-mismatch message: newlines
    /// replaced by `|`, secret header values masked.
    pub fn to_gateway_form(&self) -> String {
        self.to_string().replace('\n', "|")
    }

    /// Writes the text with masked ranges replaced by [`MASK`].
    fn write_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut at = 0;
        for range in &self.masked {
            f.write_str(&self.text[at..range.start])?;
            f.write_str(MASK)?;
            at = range.end;
        }
        f.write_str(&self.text[at..])
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_masked(f)
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CanonicalRequest(\"{}\")",
            self.to_string().replace('\n', "\\n")
        )
    }
}

/// The string to sign: algorithm, `X-Sdk-Date`, the credential scope (V11 only) and the
/// hex hash of the canonical request, joined by newlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringToSign<'a> {
    pub(crate) algorithm: SigningAlgorithm,
    pub(crate) date: &'a str,
    pub(crate) scope: Option<&'a str>,
    pub(crate) canonical_request_hash: &'a str,
}

impl StringToSign<'_> {
    /// The signing algorithm named on the first line.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The `X-Sdk-Date` value on the second line.
    pub fn date(&self) -> &str {
        self.date
    }

    /// The credential scope (`YYYYMMDD/region/service`), for V11 only.
    pub fn scope(&self) -> Option<&str> {
        self.scope
    }

    /// Lower-case hex hash of the canonical request, the last line.
    pub fn canonical_request_hash(&self) -> &str {
        self.canonical_request_hash
    }
}

impl fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.algorithm.as_str())?;
        f.write_str("\n")?;
        f.write_str(self.date)?;
        f.write_str("\n")?;
        if let Some(scope) = self.scope {
            f.write_str(scope)?;
            f.write_str("\n")?;
        }
        f.write_str(self.canonical_request_hash)
    }
}

/// Compares header names case-insensitively (the canonical order of lower-cased names).
pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// Builds a canonical request from parts that are already validated and sorted.
///
/// `query` yields raw (decoded) pairs in canonical order; `headers` holds
/// `(name, trimmed value)` pairs sorted by lower-cased name.
/// `capacity` is an upper bound of the length, so the text is built without regrowing.
pub(crate) fn assemble<'q, 'h>(
    method: &str,
    path: &str,
    query: impl Iterator<Item = (&'q str, &'q str)>,
    headers: impl Iterator<Item = (&'h str, &'h str)> + Clone,
    payload_hash: &str,
    capacity: usize,
) -> CanonicalRequest {
    CanonicalWriter::start(method, path, is_plain_path(path), query, capacity)
        .finish(headers, payload_hash)
}

/// A canonical request written in two steps: the method, URI and query, then the
/// headers and payload hash.
pub(crate) struct CanonicalWriter {
    /// Built as bytes (header names are lower-cased eight bytes at a time, escapes are
    /// pushed as bytes) and checked as UTF-8 once at the end.
    text: Vec<u8>,
    query: Range<usize>,
}

impl CanonicalWriter {
    /// Writes the method, canonical URI and canonical query string. `plain_path` is
    /// [`is_plain_path`] of `path`.
    pub(crate) fn start<'q>(
        method: &str,
        path: &str,
        plain_path: bool,
        query: impl Iterator<Item = (&'q str, &'q str)>,
        capacity: usize,
    ) -> Self {
        let mut text: Vec<u8> = Vec::with_capacity(capacity);
        text.extend_from_slice(method.as_bytes());
        text.make_ascii_uppercase();
        text.push(b'\n');
        canonical_uri_into(&mut text, path, plain_path);
        text.push(b'\n');

        let query_start = text.len();
        let mut writer = Self {
            text,
            query: query_start..query_start,
        };
        for (i, (key, value)) in query.enumerate() {
            let text = &mut writer.text;
            if i > 0 {
                text.push(b'&');
            }
            percent_encode_into(text, key);
            text.push(b'=');
            percent_encode_into(text, value);
        }
        writer.query.end = writer.text.len();
        writer.text.push(b'\n');
        writer
    }

    /// Writes the headers, the signed header list and the payload hash.
    pub(crate) fn finish<'h>(
        mut self,
        headers: impl Iterator<Item = (&'h str, &'h str)> + Clone,
        payload_hash: &str,
    ) -> CanonicalRequest {
        // Each name is lower-cased once, in its header line; the signed header list
        // copies the lower-cased names from there.
        let headers_start = self.text.len();
        let mut masked = Vec::new();
        for (name, value) in headers.clone() {
            let text = &mut self.text;
            let name_start = text.len();
            text.extend_from_slice(name.as_bytes());
            let lower = &mut text[name_start..];
            make_ascii_lowercase(lower);
            let is_masked = MASKED_HEADERS.iter().any(|m| m.as_bytes() == lower);
            text.push(b':');
            let value_start = text.len();
            text.extend_from_slice(value.as_bytes());
            if is_masked {
                masked.push(value_start..text.len());
            }
            text.push(b'\n');
        }
        let mut text = self.text;
        text.push(b'\n');

        let signed_start = text.len();
        let mut line = headers_start;
        for (i, (name, value)) in headers.enumerate() {
            if i > 0 {
                text.push(b';');
            }
            text.extend_from_within(line..line + name.len());
            line += name.len() + value.len() + 2;
        }
        let signed_headers = signed_start..text.len();
        text.push(b'\n');

        let hash_start = text.len();
        text.extend_from_slice(payload_hash.as_bytes());
        let payload_hash = hash_start..text.len();

        CanonicalRequest {
            // Every byte is from a `&str` or ASCII, and lower-casing keeps UTF-8 valid, so
            // the fallback is never taken.
            text: String::from_utf8(text)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            query: self.query,
            signed_headers,
            payload_hash,
            masked,
        }
    }
}

/// Sorts a short slice (headers, query pairs) by insertion; falls back to the standard
/// sort for long ones. For a handful of items this is several times cheaper than
/// `sort_unstable_by`, whose setup dominates at that size.
#[inline(always)]
pub(crate) fn sort_small<T: Copy>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    if items.len() > 16 {
        items.sort_unstable_by(|a, b| {
            if less(a, b) {
                Ordering::Less
            } else if less(b, a) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        });
        return;
    }
    for i in 1..items.len() {
        let item = items[i];
        let mut j = i;
        while j > 0 && less(&item, &items[j - 1]) {
            items[j] = items[j - 1];
            j -= 1;
        }
        items[j] = item;
    }
}

/// A vector that keeps up to `N` items on the stack, so the common case of signing
/// allocates nothing for sorting.
pub(crate) struct Scratch<T: Copy + Default, const N: usize> {
    inline: [T; N],
    len: usize,
    heap: Vec<T>,
}

impl<T: Copy + Default, const N: usize> Scratch<T, N> {
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            inline: [T::default(); N],
            len: 0,
            heap: Vec::new(),
        }
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, item: T) {
        if !self.heap.is_empty() {
            self.heap.push(item);
        } else if self.len < N {
            self.inline[self.len] = item;
            self.len += 1;
        } else {
            self.heap.reserve(N * 2);
            self.heap.extend_from_slice(&self.inline[..self.len]);
            self.heap.push(item);
        }
    }

    #[inline]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        if self.heap.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }

    #[cfg(test)]
    pub(crate) fn as_slice(&self) -> &[T] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_signed_header_lists_fall_back_correctly() {
        for count in [1, 3, 20, 40] {
            let names: Vec<String> = (0..count)
                .map(|i| format!("X-Long-Header-Name-{i:03}"))
                .collect();
            let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
            let canonical = assemble(
                "GET",
                "/",
                std::iter::empty(),
                headers.iter().copied(),
                "h",
                0,
            );
            let expected: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
            assert_eq!(canonical.signed_headers(), expected.join(";"), "{count}");
        }
    }

    #[test]
    fn sort_small_sorts_short_and_long_slices() {
        for len in [0, 1, 2, 5, 16, 17, 40] {
            let mut items: Vec<u32> = (0..len).map(|i| (i * 7919) % 31).collect();
            let mut expected = items.clone();
            expected.sort_unstable();
            sort_small(&mut items, |a, b| a < b);
            assert_eq!(items, expected, "{len}");
        }
    }

    #[test]
    fn scratch_spills_to_the_heap() {
        let mut s: Scratch<u32, 2> = Scratch::new();
        for i in 0..5 {
            s.push(i);
        }
        assert_eq!(s.as_slice(), &[0, 1, 2, 3, 4]);
        s.as_mut_slice().reverse();
        assert_eq!(s.as_slice(), &[4, 3, 2, 1, 0]);
    }

    #[test]
    fn display_masks_security_token_but_as_str_is_exact() {
        let canonical = assemble(
            "get",
            "/a",
            [("b", "2"), ("a", "1")].into_iter(),
            [("Host", "h"), ("X-Security-Token", "tok")].into_iter(),
            "UNSIGNED-PAYLOAD",
            0,
        );
        assert_eq!(
            canonical.as_str(),
            "GET\n/a/\nb=2&a=1\nhost:h\nx-security-token:tok\n\nhost;x-security-token\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            canonical.to_string(),
            "GET\n/a/\nb=2&a=1\nhost:h\nx-security-token:<redacted>\n\nhost;x-security-token\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            canonical.to_gateway_form(),
            "GET|/a/|b=2&a=1|host:h|x-security-token:<redacted>||host;x-security-token|UNSIGNED-PAYLOAD"
        );
        assert!(!format!("{canonical:?}").contains("tok\\n"));
        assert_eq!(canonical.canonical_query_string(), "b=2&a=1");
        assert_eq!(canonical.signed_headers(), "host;x-security-token");
        assert_eq!(canonical.payload_hash(), "UNSIGNED-PAYLOAD");
    }
}
