//! The verifier: checks a received request's AK/SK signature the way Huawei Cloud's API
//! gateway does, for a local emulator.
//!
//! It is pure like the signer: the request, the key lookup and `now` are passed in.
//!
//! ```
//! use std::collections::HashMap;
//! use std::time::{Duration, UNIX_EPOCH};
//! use ttsc_auth::verify::{self, ReceivedRequest, VerificationKey};
//! use ttsc_auth::{AccessKeyCredentials, SignableRequest, Signer, SigningSettings};
//!
//! let now = UNIX_EPOCH + Duration::from_secs(1_795_335_300);
//! let creds = AccessKeyCredentials::new("AK0001", "a-secret");
//! let signed = Signer::new(&creds, SigningSettings::default())?
//!     .sign(&SignableRequest::new("GET", "127.0.0.1:8080", "/v1/p/ttsc/tts-jobs"), now)?;
//!
//! // What the server receives: the signer's headers plus Host.
//! let mut headers = vec![("Host", "127.0.0.1:8080")];
//! headers.extend(signed.headers());
//! let received = ReceivedRequest::new("GET", "/v1/p/ttsc/tts-jobs", "", &headers, b"");
//! let keys = HashMap::from([("AK0001".to_owned(), VerificationKey::new("a-secret"))]);
//!
//! let identity = verify::verify(&received, &keys, now)?;
//! assert_eq!(identity.access_key_id(), "AK0001");
//!
//! // Twenty minutes later the same request is rejected.
//! let err = verify::verify(&received, &keys, now + Duration::from_secs(1200)).unwrap_err();
//! assert_eq!(err.kind(), verify::VerifyErrorKind::DateOutOfWindow);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sm3::Sm3;

use crate::SecretString;
use crate::encoding::{decode_hex32, decode_query, is_token, parse_sdk_date, python_trim};
use crate::sign::{
    CanonicalRequest, MaskedHeaders, SigningAlgorithm, StringToSign, derive_v11_key,
};

/// How far `X-Sdk-Date` may be from the server's clock: 15 minutes, like the gateway.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// A request as the server received it.
#[derive(Clone, Copy)]
pub struct ReceivedRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
}

impl<'a> ReceivedRequest<'a> {
    /// `path` is the request target's path exactly as received (it may be
    /// percent-encoded); `query` is the raw query string without `?` (empty for none);
    /// `headers` are all received headers as name/value pairs.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// The values of header `name` (ignoring case), in order.
    fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }
}

impl fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &MaskedHeaders(self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// What the verifier needs to know about an access key. `Debug` masks the secret key.
#[derive(Clone, Debug)]
pub struct VerificationKey {
    secret_access_key: SecretString,
    region: Option<String>,
}

impl VerificationKey {
    /// The secret access key of an AK.
    pub fn new(secret_access_key: impl Into<SecretString>) -> Self {
        Self {
            secret_access_key: secret_access_key.into(),
            region: None,
        }
    }

    /// Restricts `V11-HMAC-SHA256` signatures to scopes naming `region`.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &SecretString {
        &self.secret_access_key
    }

    /// The region V11 scopes must name, if restricted.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

/// Finds the key of an access key id.
pub trait KeyLookup {
    /// The key of `access_key_id`, or `None` when the AK is unknown.
    fn verification_key(&self, access_key_id: &str) -> Option<VerificationKey>;
}

impl<F> KeyLookup for F
where
    F: Fn(&str) -> Option<VerificationKey>,
{
    fn verification_key(&self, access_key_id: &str) -> Option<VerificationKey> {
        self(access_key_id)
    }
}

impl<S: std::hash::BuildHasher> KeyLookup for HashMap<String, VerificationKey, S> {
    fn verification_key(&self, access_key_id: &str) -> Option<VerificationKey> {
        self.get(access_key_id).cloned()
    }
}

/// Who signed a request that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    access_key_id: String,
    algorithm: SigningAlgorithm,
    security_token_present: bool,
    signed_at: SystemTime,
    scope: Option<String>,
}

impl VerifiedIdentity {
    /// The access key id that signed.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The algorithm used.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// Whether the request carried `X-Security-Token` (temporary credentials).
    pub fn security_token_present(&self) -> bool {
        self.security_token_present
    }

    /// The `X-Sdk-Date` of the request.
    pub fn signed_at(&self) -> SystemTime {
        self.signed_at
    }

    /// The V11 credential scope.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

/// What went wrong, for matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// No `Authorization` header.
    MissingAuthorization,
    /// The `Authorization` header is not `ALGORITHM Access=…, SignedHeaders=…,
    /// Signature=…` (or `Credential=AK/scope` for V11).
    MalformedAuthorization,
    /// An algorithm other than the three supported ones.
    UnsupportedAlgorithm,
    /// The access key id is not known.
    UnknownAccessKey,
    /// No `X-Sdk-Date` header, or it is not among the signed headers.
    MissingDate,
    /// `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    MalformedDate,
    /// `X-Sdk-Date` is further from the server's clock than allowed.
    DateOutOfWindow,
    /// A header named in `SignedHeaders` was not received.
    MissingSignedHeader,
    /// The V11 scope names another day than `X-Sdk-Date` or another region than the key's.
    ScopeMismatch,
    /// The signature does not match the canonical request the verifier built.
    SignatureMismatch,
}

/// Why a request failed verification.
///
/// `Display` is one short sentence without secrets. A signature mismatch also carries
/// the canonical request the verifier built, which a gateway quotes
/// ([`CanonicalRequest::to_gateway_form`]).
#[derive(Clone, Debug)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: String,
    access_key_id: Option<String>,
    canonical_request: Option<Box<CanonicalRequest>>,
}

impl VerifyError {
    fn new(kind: VerifyErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            access_key_id: None,
            canonical_request: None,
        }
    }

    fn with_access_key_id(mut self, access_key_id: &str) -> Self {
        self.access_key_id = Some(access_key_id.to_owned());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The access key id the request claimed, once parsed.
    pub fn access_key_id(&self) -> Option<&str> {
        self.access_key_id.as_deref()
    }

    /// The canonical request the verifier built (signature mismatches only).
    pub fn canonical_request(&self) -> Option<&CanonicalRequest> {
        self.canonical_request.as_deref()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerifyError {}

/// A parsed `Authorization` header.
struct Authorization<'a> {
    algorithm: SigningAlgorithm,
    access_key_id: &'a str,
    scope: Option<&'a str>,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn malformed(message: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyErrorKind::MalformedAuthorization, message)
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, VerifyError> {
    let value = value.trim();
    let (name, rest) = value
        .split_once(' ')
        .ok_or_else(|| malformed("Authorization header has no algorithm and parameters"))?;
    let algorithm: SigningAlgorithm = name.parse().map_err(|_| {
        VerifyError::new(
            VerifyErrorKind::UnsupportedAlgorithm,
            format!(
                "unsupported signing algorithm `{}`",
                name.chars().take(64).collect::<String>()
            ),
        )
    })?;
    let (mut access, mut credential, mut signed, mut signature) = (None, None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("Authorization parameter without `=`"))?;
        let slot = match key {
            "Access" => &mut access,
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("unknown Authorization parameter")),
        };
        if slot.replace(val.trim()).is_some() {
            return Err(malformed(format!(
                "Authorization parameter `{key}` given twice"
            )));
        }
    }
    let (access_key_id, scope) = match (algorithm, access, credential) {
        (SigningAlgorithm::V11HmacSha256, None, Some(credential)) => {
            let (ak, scope) = credential
                .split_once('/')
                .ok_or_else(|| malformed("Credential must be AK/YYYYMMDD/region/service"))?;
            if scope.split('/').count() != 3 || scope.split('/').any(str::is_empty) {
                return Err(malformed("Credential must be AK/YYYYMMDD/region/service"));
            }
            (ak, Some(scope))
        }
        (SigningAlgorithm::V11HmacSha256, _, _) => {
            return Err(malformed("V11-HMAC-SHA256 needs Credential=AK/scope"));
        }
        (_, Some(ak), None) => (ak, None),
        (_, _, _) => {
            return Err(malformed(format!("{algorithm} needs Access=AK")));
        }
    };
    if access_key_id.is_empty() {
        return Err(malformed("empty access key id"));
    }
    let signed = signed.ok_or_else(|| malformed("Authorization has no SignedHeaders"))?;
    let signature = signature.ok_or_else(|| malformed("Authorization has no Signature"))?;
    let signed_headers: Vec<&str> = signed.split(';').collect();
    if signed_headers.iter().any(|h| !is_token(h)) {
        return Err(malformed(
            "SignedHeaders is not a `;`-separated list of header names",
        ));
    }
    for (i, name) in signed_headers.iter().enumerate() {
        if signed_headers[..i]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(malformed(format!("SignedHeaders lists `{name}` twice")));
        }
    }
    Ok(Authorization {
        algorithm,
        access_key_id,
        scope,
        signed_headers,
        signature,
    })
}

/// Parses a raw query string into decoded pairs sorted the canonical way.
fn canonical_query(raw: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let mut pairs = decode_query(raw);
    pairs.sort_unstable();
    pairs
}

/// Checks signatures with a configurable date window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verifier {
    max_skew: Duration,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A verifier with the gateway's 15-minute window.
    pub fn new() -> Self {
        Self {
            max_skew: DEFAULT_MAX_SKEW,
        }
    }

    /// Sets how far `X-Sdk-Date` may be from `now`, either way.
    #[must_use]
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Verifies `request` against the keys in `keys` as of `now`.
    ///
    /// The canonical request is rebuilt from the `SignedHeaders` the client declares (in
    /// its order), which must include `x-sdk-date`.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`]; see [`VerifyErrorKind`] for the cases.
    pub fn verify(
        &self,
        request: &ReceivedRequest<'_>,
        keys: &(impl KeyLookup + ?Sized),
        now: SystemTime,
    ) -> Result<VerifiedIdentity, VerifyError> {
        let header = request.header("authorization").ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::MissingAuthorization,
                "no Authorization header",
            )
        })?;
        let auth = parse_authorization(header)?;
        let ak = auth.access_key_id;
        let with_ak = |e: VerifyError| e.with_access_key_id(ak);

        let date_value = request.header("x-sdk-date").ok_or_else(|| {
            with_ak(VerifyError::new(
                VerifyErrorKind::MissingDate,
                "no X-Sdk-Date header",
            ))
        })?;
        if !auth
            .signed_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("x-sdk-date"))
        {
            return Err(with_ak(VerifyError::new(
                VerifyErrorKind::MissingDate,
                "x-sdk-date is not among the signed headers",
            )));
        }
        let date = python_trim(date_value);
        let signed_at = parse_sdk_date(date).ok_or_else(|| {
            with_ak(VerifyError::new(
                VerifyErrorKind::MalformedDate,
                "X-Sdk-Date is not YYYYMMDDTHHMMSSZ",
            ))
        })?;
        let skew = now
            .duration_since(signed_at)
            .unwrap_or_else(|e| e.duration());
        if skew > self.max_skew {
            return Err(with_ak(VerifyError::new(
                VerifyErrorKind::DateOutOfWindow,
                format!(
                    "X-Sdk-Date {} is {}s from the server's clock, more than the allowed {}s",
                    date,
                    skew.as_secs(),
                    self.max_skew.as_secs()
                ),
            )));
        }

        let key = keys.verification_key(ak).ok_or_else(|| {
            with_ak(VerifyError::new(
                VerifyErrorKind::UnknownAccessKey,
                format!(
                    "unknown access key id `{}`",
                    ak.chars().take(64).collect::<String>()
                ),
            ))
        })?;
        if let Some(scope) = auth.scope {
            let mut parts = scope.split('/');
            let (day, region) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if day != &date[..8] {
                return Err(with_ak(VerifyError::new(
                    VerifyErrorKind::ScopeMismatch,
                    "credential scope date differs from X-Sdk-Date",
                )));
            }
            if key.region().is_some_and(|r| r != region) {
                return Err(with_ak(VerifyError::new(
                    VerifyErrorKind::ScopeMismatch,
                    format!("credential scope region `{region}` is not this key's region"),
                )));
            }
        }

        // Repeated headers are joined with `,`, as HTTP folds them.
        let mut values: Vec<Cow<'_, str>> = Vec::with_capacity(auth.signed_headers.len());
        for name in &auth.signed_headers {
            let mut received = request.header_values(name).map(python_trim);
            let first = received.next().ok_or_else(|| {
                with_ak(VerifyError::new(
                    VerifyErrorKind::MissingSignedHeader,
                    format!("signed header `{name}` is missing"),
                ))
            })?;
            let mut value = Cow::Borrowed(first);
            for more in received {
                let joined = value.to_mut();
                joined.push(',');
                joined.push_str(more);
            }
            values.push(value);
        }
        let headers: Vec<(&str, &str)> = auth
            .signed_headers
            .iter()
            .copied()
            .zip(values.iter().map(AsRef::as_ref))
            .collect();

        let algorithm = auth.algorithm;
        let body_hash;
        let payload_hash: &str = if request.body.is_empty() {
            algorithm.empty_hash()
        } else if let Some(v) = request.header(algorithm.content_hash_header()) {
            python_trim(v)
        } else {
            body_hash = algorithm.hash_hex(request.body);
            &body_hash
        };

        let query = canonical_query(request.query);
        let canonical = CanonicalRequest::build(
            request.method,
            request.path,
            query.iter().map(|(k, v)| (k.as_ref(), v.as_ref())),
            &headers,
            payload_hash,
        );
        let canonical_hash = algorithm.hash_hex(canonical.as_str().as_bytes());
        let sts = StringToSign {
            algorithm,
            date,
            scope: auth.scope,
            canonical_request_hash: &canonical_hash,
        };

        let secret = key.secret_access_key();
        let sk = secret.expose_secret().as_bytes();
        let matches = decode_hex32(auth.signature).is_some_and(|claimed| match algorithm {
            SigningAlgorithm::SdkHmacSm3 => check::<Hmac<Sm3>>(sk, &sts, &claimed),
            SigningAlgorithm::V11HmacSha256 => {
                let derived = derive_v11_key(ak, secret, auth.scope.unwrap_or(""));
                check::<Hmac<Sha256>>(derived.as_bytes(), &sts, &claimed)
            }
            _ => check::<Hmac<Sha256>>(sk, &sts, &claimed),
        });
        if !matches {
            let mut err = with_ak(VerifyError::new(
                VerifyErrorKind::SignatureMismatch,
                "signature does not match the canonical request",
            ));
            err.canonical_request = Some(Box::new(canonical));
            return Err(err);
        }

        Ok(VerifiedIdentity {
            access_key_id: ak.to_owned(),
            algorithm,
            security_token_present: request
                .header("x-security-token")
                .is_some_and(|t| !python_trim(t).is_empty()),
            signed_at,
            scope: auth.scope.map(str::to_owned),
        })
    }
}

/// Whether the MAC `M` of the string to sign under `key` is `claimed`, compared in
/// constant time.
fn check<M: Mac + KeyInit>(key: &[u8], sts: &StringToSign<'_>, claimed: &[u8; 32]) -> bool {
    let Ok(mut mac) = M::new_from_slice(key) else {
        return false;
    };
    sts.update_mac(&mut mac);
    mac.verify_slice(claimed).is_ok()
}

/// Verifies `request` with the default 15-minute window. See [`Verifier::verify`].
///
/// # Errors
///
/// A [`VerifyError`]; see [`VerifyErrorKind`] for the cases.
pub fn verify(
    request: &ReceivedRequest<'_>,
    keys: &(impl KeyLookup + ?Sized),
    now: SystemTime,
) -> Result<VerifiedIdentity, VerifyError> {
    Verifier::new().verify(request, keys, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_authorization() {
        for (value, kind) in [
            ("SDK-HMAC-SHA256", VerifyErrorKind::MalformedAuthorization),
            (
                "HMAC-MD5 Access=AK, SignedHeaders=x-sdk-date, Signature=ab",
                VerifyErrorKind::UnsupportedAlgorithm,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Credential=AK/a/b/c, SignedHeaders=x-sdk-date, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "V11-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "V11-HMAC-SHA256 Credential=AK/20261122, SignedHeaders=x-sdk-date, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=x-sdk-date, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;;b, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;A, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a, Signature=ab, Extra=1",
                VerifyErrorKind::MalformedAuthorization,
            ),
            (
                "SDK-HMAC-SHA256 Access=, SignedHeaders=a, Signature=ab",
                VerifyErrorKind::MalformedAuthorization,
            ),
        ] {
            let err = parse_authorization(value).map(|_| ()).expect_err(value);
            assert_eq!(err.kind(), kind, "{value}: {err}");
            assert!(!err.to_string().ends_with('.'), "{err}");
        }
    }

    #[test]
    fn query_is_decoded_then_sorted() {
        let q = canonical_query("b=2&a=%20x&&flag&a=%41");
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        assert_eq!(q, [("a", " x"), ("a", "A"), ("b", "2"), ("flag", "")]);
    }
}
