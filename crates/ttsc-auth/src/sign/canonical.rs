//! The intermediate stages of a signature, each its own `Display` type: the canonical
//! request and the string to sign.

use std::fmt;
use std::ops::Range;

use hmac::Mac;

use crate::MASK;
use crate::encoding::{canonical_uri_into, hex_into, percent_encode_into};
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

    /// Writes the canonical request: the method upper-cased, the canonical URI, the query
    /// pairs (raw, already in canonical order) percent-encoded, the headers in the order
    /// given (names lower-cased, values as given), the signed header list and the payload
    /// hash.
    pub(crate) fn build<'q>(
        method: &str,
        path: &str,
        query: impl IntoIterator<Item = (&'q str, &'q str)>,
        headers: &[(&str, &str)],
        payload_hash: &str,
    ) -> Self {
        let mut text = String::with_capacity(256 + 3 * path.len());
        text.push_str(method);
        text.make_ascii_uppercase();
        text.push('\n');
        canonical_uri_into(&mut text, path);
        text.push('\n');

        let query_start = text.len();
        for (i, (key, value)) in query.into_iter().enumerate() {
            if i > 0 {
                text.push('&');
            }
            percent_encode_into(&mut text, key);
            text.push('=');
            percent_encode_into(&mut text, value);
        }
        let query = query_start..text.len();
        text.push('\n');

        let mut masked = Vec::new();
        for (name, value) in headers {
            let name_start = text.len();
            text.push_str(name);
            text[name_start..].make_ascii_lowercase();
            if MASKED_HEADERS.contains(&&text[name_start..]) {
                masked.push(text.len() + 1..text.len() + 1 + value.len());
            }
            text.push(':');
            text.push_str(value);
            text.push('\n');
        }
        text.push('\n');

        let signed_start = text.len();
        for (i, (name, _)) in headers.iter().enumerate() {
            if i > 0 {
                text.push(';');
            }
            let name_start = text.len();
            text.push_str(name);
            text[name_start..].make_ascii_lowercase();
        }
        let signed_headers = signed_start..text.len();
        text.push('\n');

        let hash_start = text.len();
        text.push_str(payload_hash);
        Self {
            payload_hash: hash_start..text.len(),
            text,
            query,
            signed_headers,
            masked,
        }
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
    /// The text in pieces: what `Display` writes and the MAC is computed over.
    fn pieces(&self) -> impl Iterator<Item = &str> {
        [
            Some(self.algorithm.as_str()),
            Some("\n"),
            Some(self.date),
            Some("\n"),
            self.scope,
            self.scope.map(|_| "\n"),
            Some(self.canonical_request_hash),
        ]
        .into_iter()
        .flatten()
    }

    /// Feeds the string to sign to `mac`.
    pub(crate) fn update_mac(&self, mac: &mut impl Mac) {
        for piece in self.pieces() {
            mac.update(piece.as_bytes());
        }
    }

    /// Appends the lower-case hex of the MAC of the string to sign to `out`.
    pub(crate) fn mac_hex_into(&self, mut mac: impl Mac, out: &mut String) {
        self.update_mac(&mut mac);
        hex_into(out, &mac.finalize().into_bytes());
    }

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
        self.pieces().try_for_each(|piece| f.write_str(piece))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_masks_security_token_but_as_str_is_exact() {
        let canonical = CanonicalRequest::build(
            "get",
            "/a",
            [("b", "2"), ("a", "1")],
            &[("Host", "h"), ("X-Security-Token", "tok")],
            "UNSIGNED-PAYLOAD",
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
