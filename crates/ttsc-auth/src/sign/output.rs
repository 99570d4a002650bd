//! What signing produced: the headers to add, the request URI and every stage.

use std::fmt;

use super::{
    AUTHORIZATION, CanonicalRequest, SigningAlgorithm, StringToSign, UNSIGNED_PAYLOAD, X_SDK_DATE,
};
use crate::SecretString;
use crate::credentials::X_SECURITY_TOKEN;

/// What signing produced: the headers to add, the request URI to send, and every
/// intermediate stage for debugging.
///
/// `Debug` masks the security token.
#[derive(Clone)]
pub struct SigningOutput {
    pub(super) algorithm: SigningAlgorithm,
    pub(super) date: String,
    pub(super) scope: Option<String>,
    pub(super) canonical_request: CanonicalRequest,
    pub(super) canonical_hash: String,
    pub(super) request_uri: String,
    pub(super) authorization: String,
    pub(super) content_header: Option<&'static str>,
    pub(super) security_token: Option<SecretString>,
}

impl SigningOutput {
    /// The headers to add to the request, in this order: `X-Sdk-Date`,
    /// `X-Sdk-Content-Sha256` (or `X-Sdk-Content-Sm3`) when the payload is unsigned,
    /// `X-Security-Token` for temporary credentials, and `Authorization`.
    ///
    /// The transport must also send `Host` with the value that was signed.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        [
            Some((X_SDK_DATE, self.date.as_str())),
            self.content_header.map(|name| (name, UNSIGNED_PAYLOAD)),
            self.security_token
                .as_ref()
                .map(|token| (X_SECURITY_TOKEN, token.expose_secret())),
            Some((AUTHORIZATION, self.authorization())),
        ]
        .into_iter()
        .flatten()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `X-Sdk-Date` header value.
    pub fn x_sdk_date(&self) -> &str {
        &self.date
    }

    /// The lower-case hex signature.
    pub fn signature(&self) -> &str {
        // The `Authorization` value ends with the 64 hex digits of the signature.
        &self.authorization[self.authorization.len() - 64..]
    }

    /// The path and canonical query string to send (`path?query`, or the path alone),
    /// as the official SDKs send it. The path is the one given to the signer; the query
    /// is percent-encoded and in canonical order.
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// The algorithm used.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The credential scope (`YYYYMMDD/region/service`), for V11 only.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The canonical request (first stage).
    pub fn canonical_request(&self) -> &CanonicalRequest {
        &self.canonical_request
    }

    /// The string to sign (second stage).
    pub fn string_to_sign(&self) -> StringToSign<'_> {
        StringToSign {
            algorithm: self.algorithm,
            date: &self.date,
            scope: self.scope.as_deref(),
            canonical_request_hash: &self.canonical_hash,
        }
    }
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOutput")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign().to_string())
            .field("authorization", &self.authorization())
            .field("x_sdk_date", &self.date)
            .field("content_header", &self.content_header)
            .field("security_token", &self.security_token)
            .field("request_uri", &self.request_uri())
            .finish()
    }
}
