//! The borrowed description of a request to sign, and `Debug` that masks secret headers.

use std::fmt;

/// The body of a request to sign.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The body bytes (empty for no body). They are hashed unless the content type is
    /// neither `application/json…` nor `application/bson…`, in which case the signer adds
    /// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, like the official SDKs.
    Bytes(&'a [u8]),
    /// A body that is not signed (a stream the caller does not hold in memory): the
    /// signer adds `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`.
    Unsigned,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(body) => write!(f, "Bytes(<{} bytes>)", body.len()),
            Self::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// A borrowed description of the request to sign.
///
/// `path` is the resource path as the caller gives it (it may contain percent-escapes
/// and raw non-ASCII characters); `query` holds raw, unencoded pairs in any order (keys
/// may repeat); `headers` are the headers the caller sends, without `Host`,
/// `X-Sdk-Date` and `Authorization`, which the signer owns. Header names with `_` are
/// sent but not signed.
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request with no query, no headers and an empty body. `host` is the `Host`
    /// header value the transport sends (with the port when it is not the default).
    pub fn new(method: &'a str, host: &'a str, path: &'a str) -> Self {
        Self {
            method,
            host,
            path,
            query: &[],
            headers: &[],
            payload: Payload::Bytes(&[]),
        }
    }

    /// Sets the query pairs (raw, not percent-encoded).
    #[must_use]
    pub fn with_query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// Sets the headers the caller sends.
    #[must_use]
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the body bytes.
    #[must_use]
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.payload = Payload::Bytes(body);
        self
    }

    /// Sets the payload.
    #[must_use]
    pub fn with_payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = payload;
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The `Host` header value.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The resource path as given.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query pairs.
    pub fn query(&self) -> &'a [(&'a str, &'a str)] {
        self.query
    }

    /// The caller's headers.
    pub fn headers(&self) -> &'a [(&'a str, &'a str)] {
        self.headers
    }

    /// The payload.
    pub fn payload(&self) -> Payload<'a> {
        self.payload
    }
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &MaskedHeaders(self.headers))
            .field("payload", &self.payload)
            .finish()
    }
}

/// Whether a header's value is a secret that `Debug` output must mask.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    [
        "x-security-token",
        "x-auth-token",
        "x-subject-token",
        "authorization",
    ]
    .iter()
    .any(|s| s.eq_ignore_ascii_case(name))
}

/// A header list whose `Debug` masks the values of [`is_sensitive_header`] names.
pub(crate) struct MaskedHeaders<'h, N, V>(pub(crate) &'h [(N, V)]);

impl<N: AsRef<str>, V: AsRef<str>> fmt::Debug for MaskedHeaders<'_, N, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, value)| {
                let name = name.as_ref();
                if is_sensitive_header(name) {
                    (name, crate::MASK)
                } else {
                    (name, value.as_ref())
                }
            }))
            .finish()
    }
}
