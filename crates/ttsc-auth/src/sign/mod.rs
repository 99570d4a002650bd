//! The request signer: a pure function from a borrowed request description, credentials
//! and a signing time to the headers to add.

mod canonical;

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;
use zeroize::Zeroize;

use self::canonical::CanonicalWriter;
pub use self::canonical::{CanonicalRequest, StringToSign};
pub(crate) use self::canonical::{Scratch, assemble, cmp_lowercase, sort_small};
use crate::credentials::{AccessKeyCredentials, X_SECURITY_TOKEN};
pub(crate) use crate::encoding::is_token;
use crate::encoding::{
    SdkDate, ascii_str, classify_header_name, has_control, has_line_break_or_nul,
    has_space_or_control, hex32, is_plain_path, lowercase_prefix_key, prefix_key, python_trim,
};
use crate::secret::SecretString;

/// The header that carries the signing time.
pub const X_SDK_DATE: &str = "X-Sdk-Date";
/// The header that carries the signature.
pub const AUTHORIZATION: &str = "Authorization";
/// The payload-hash header of the SHA-256 algorithms.
pub const X_SDK_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";
/// The payload-hash header of `SDK-HMAC-SM3` (the official signer's name for it).
pub const X_SDK_CONTENT_SM3: &str = "X-Sdk-Content-Sm3";
/// The payload hash of a request whose body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

const HOST_KEY: u64 = prefix_key("host");
const X_SDK_DATE_KEY: u64 = prefix_key("x-sdk-date");
const X_SECURITY_TOKEN_KEY: u64 = prefix_key("x-security-token");
const AUTHORIZATION_KEY: u64 = prefix_key("authorization");
const CONTENT_TYPE_KEY: u64 = prefix_key("content-type");

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const EMPTY_SM3: &str = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b";

/// A signing algorithm of Huawei Cloud's API gateway.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// `SDK-HMAC-SHA256`: HMAC-SHA256 keyed with the secret key. The default.
    #[default]
    SdkHmacSha256,
    /// `V11-HMAC-SHA256`: HMAC-SHA256 keyed with a key derived from the secret key by
    /// HKDF-SHA256 over a daily, regional, per-service scope.
    V11HmacSha256,
    /// `SDK-HMAC-SM3`: HMAC with the Chinese SM3 hash.
    SdkHmacSm3,
}

impl SigningAlgorithm {
    /// Every algorithm, in declaration order.
    pub const ALL: [Self; 3] = [Self::SdkHmacSha256, Self::V11HmacSha256, Self::SdkHmacSm3];

    /// The name used on the wire, e.g. `SDK-HMAC-SHA256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SdkHmacSha256 => "SDK-HMAC-SHA256",
            Self::V11HmacSha256 => "V11-HMAC-SHA256",
            Self::SdkHmacSm3 => "SDK-HMAC-SM3",
        }
    }

    /// The header that can carry a precomputed payload hash or `UNSIGNED-PAYLOAD`.
    pub const fn content_hash_header(self) -> &'static str {
        match self {
            Self::SdkHmacSm3 => X_SDK_CONTENT_SM3,
            Self::SdkHmacSha256 | Self::V11HmacSha256 => X_SDK_CONTENT_SHA256,
        }
    }

    /// Lower-case hex hash of the empty body.
    pub(crate) const fn empty_hash(self) -> &'static str {
        match self {
            Self::SdkHmacSm3 => EMPTY_SM3,
            Self::SdkHmacSha256 | Self::V11HmacSha256 => EMPTY_SHA256,
        }
    }

    /// Lower-case hex hash of `data` with this algorithm's hash function.
    pub(crate) fn hash_hex(self, data: &[u8]) -> [u8; 64] {
        match self {
            Self::SdkHmacSm3 => hex32(&Sm3::digest(data)),
            Self::SdkHmacSha256 | Self::V11HmacSha256 => hex32(&Sha256::digest(data)),
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = SignError;

    /// Parses a wire name (`SDK-HMAC-SHA256`, `V11-HMAC-SHA256`, `SDK-HMAC-SM3`), ignoring
    /// ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|alg| alg.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| SignError::UnsupportedAlgorithm {
                name: s.chars().take(64).collect(),
            })
    }
}

/// The region and service of a `V11-HMAC-SHA256` credential scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DerivedScope {
    region: String,
    service: String,
}

impl DerivedScope {
    /// A scope for a region id (e.g. `cn-north-4`) and a service name (e.g. `metastudio`).
    pub fn new(region: impl Into<String>, service: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            service: service.into(),
        }
    }

    /// The region id.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }
}

/// How to sign: the algorithm and, for `V11-HMAC-SHA256`, the credential scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SigningSettings {
    algorithm: SigningAlgorithm,
    derived_scope: Option<DerivedScope>,
}

impl SigningSettings {
    /// Settings for `algorithm`. `V11-HMAC-SHA256` also needs
    /// [`SigningSettings::with_derived_scope`]; prefer [`SigningSettings::derived`].
    pub fn new(algorithm: SigningAlgorithm) -> Self {
        Self {
            algorithm,
            derived_scope: None,
        }
    }

    /// `SDK-HMAC-SM3`.
    pub fn sm3() -> Self {
        Self::new(SigningAlgorithm::SdkHmacSm3)
    }

    /// `V11-HMAC-SHA256` with the scope `region`/`service`.
    pub fn derived(region: impl Into<String>, service: impl Into<String>) -> Self {
        Self::new(SigningAlgorithm::V11HmacSha256)
            .with_derived_scope(DerivedScope::new(region, service))
    }

    /// Sets the credential scope used by `V11-HMAC-SHA256` (ignored by the others).
    #[must_use]
    pub fn with_derived_scope(mut self, scope: DerivedScope) -> Self {
        self.derived_scope = Some(scope);
        self
    }

    /// The algorithm.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// The V11 credential scope, if set.
    pub fn derived_scope(&self) -> Option<&DerivedScope> {
        self.derived_scope.as_ref()
    }
}

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

/// Why a request could not be signed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The access key id is empty.
    #[error("access key id is empty")]
    MissingAccessKeyId,
    /// The secret access key is empty.
    #[error("secret access key is empty")]
    MissingSecretAccessKey,
    /// `V11-HMAC-SHA256` was chosen without a region and service.
    #[error("V11-HMAC-SHA256 needs a region and a service for its credential scope")]
    MissingDerivedScope,
    /// An algorithm name that is not one of the supported three.
    #[error("unsupported signing algorithm `{name}`")]
    UnsupportedAlgorithm {
        /// The name given (at most 64 characters of it).
        name: String,
    },
    /// The method is empty or not an HTTP token.
    #[error("invalid HTTP method `{method}`")]
    InvalidMethod {
        /// The method given.
        method: String,
    },
    /// The host is empty or contains white space or control characters.
    #[error("invalid host `{host}`")]
    InvalidHost {
        /// The host given.
        host: String,
    },
    /// The path does not start with `/` or contains control characters.
    #[error(
        "invalid resource path `{path}`: it must start with `/` and have no control characters"
    )]
    InvalidPath {
        /// The path given.
        path: String,
    },
    /// A header name is empty or not an HTTP token.
    #[error("invalid header name `{name}`")]
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// A header value contains CR, LF or NUL.
    #[error("value of header `{name}` contains CR, LF or NUL")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// Two headers have the same name (ignoring case).
    #[error("header `{name}` is given more than once")]
    DuplicateHeader {
        /// The header's name.
        name: String,
    },
    /// The caller set a header the signer owns (`Host`, `X-Sdk-Date`, `Authorization`, or
    /// `X-Security-Token` with temporary credentials).
    #[error("header `{name}` is set by the signer; remove it from the request")]
    ReservedHeader {
        /// The header's name.
        name: String,
    },
    /// The signing time is before 1970 or after year 9999.
    #[error("signing time is outside the years 1970 to 9999")]
    InvalidTime,
    /// A URL given for signing could not be split into host, path and query.
    #[error("cannot sign URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL given (query included; it never carries secrets in this crate).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Key material prepared once per credentials. The `hmac`, `sha2` and `sm3` states zeroize
/// themselves on drop (their `zeroize` features); `Derived` holds a [`SecretString`].
#[derive(Clone)]
enum SigningKey {
    /// HMAC-SHA256 with the key already absorbed.
    Sha256(Hmac<Sha256>),
    /// HMAC-SM3 with the key already absorbed.
    Sm3(Hmac<Sm3>),
    /// V11 derives a key per day and scope, so only the secret is kept.
    Derived(SecretString),
}

/// A signer for one set of AK/SK credentials and one algorithm.
///
/// Building it validates the credentials and precomputes the HMAC key state, so
/// [`Signer::sign`] only hashes. Signing is pure: no clock reads, no I/O; the same inputs
/// always give the same output. `Debug` masks the key material.
#[derive(Clone)]
pub struct Signer {
    access_key_id: String,
    key: SigningKey,
    security_token: Option<SecretString>,
    settings: SigningSettings,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &crate::MASK)
            .field("security_token", &self.security_token)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Signer {
    /// A signer for `credentials` with `settings`.
    ///
    /// # Errors
    ///
    /// [`SignError::MissingAccessKeyId`] or [`SignError::MissingSecretAccessKey`] for
    /// empty credentials, [`SignError::MissingDerivedScope`] for `V11-HMAC-SHA256`
    /// without a scope.
    pub fn new(
        credentials: &AccessKeyCredentials,
        settings: SigningSettings,
    ) -> Result<Self, SignError> {
        if credentials.access_key_id().is_empty() {
            return Err(SignError::MissingAccessKeyId);
        }
        let secret = credentials.secret_access_key();
        if secret.is_empty() {
            return Err(SignError::MissingSecretAccessKey);
        }
        let sk = secret.expose_secret().as_bytes();
        let key = match settings.algorithm {
            // HMAC accepts keys of any length, so these constructors cannot fail.
            SigningAlgorithm::SdkHmacSha256 => SigningKey::Sha256(
                Hmac::<Sha256>::new_from_slice(sk)
                    .map_err(|_| SignError::MissingSecretAccessKey)?,
            ),
            SigningAlgorithm::SdkHmacSm3 => SigningKey::Sm3(
                Hmac::<Sm3>::new_from_slice(sk).map_err(|_| SignError::MissingSecretAccessKey)?,
            ),
            SigningAlgorithm::V11HmacSha256 => {
                if settings.derived_scope.is_none() {
                    return Err(SignError::MissingDerivedScope);
                }
                SigningKey::Derived(secret.clone())
            }
        };
        Ok(Self {
            access_key_id: credentials.access_key_id().to_owned(),
            key,
            security_token: credentials.security_token().cloned(),
            settings,
        })
    }

    /// The access key id requests are signed with.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.settings
    }

    /// Whether the credentials are temporary (the signer adds `X-Security-Token`).
    pub fn is_temporary(&self) -> bool {
        self.security_token.is_some()
    }

    /// Signs `request` as of `time`.
    ///
    /// # Errors
    ///
    /// A [`SignError`] when the request is malformed (see its variants) or `time` is
    /// outside the years 1970 to 9999.
    pub fn sign(
        &self,
        request: &SignableRequest<'_>,
        time: SystemTime,
    ) -> Result<SigningOutput, SignError> {
        let algorithm = self.settings.algorithm;
        let token = self
            .security_token
            .as_ref()
            .map(SecretString::expose_secret);
        let Canonical {
            request: canonical_request,
            content_header,
            hash: canonical_hash,
            date,
        } = build_canonical(request, algorithm, time, token)?;
        let date_str = date.as_str();
        let scope = match (&self.key, &self.settings.derived_scope) {
            (SigningKey::Derived(_), Some(scope)) => {
                Some(format!("{}/{}/{}", date.day(), scope.region, scope.service))
            }
            _ => None,
        };

        // The request URI and the `Authorization` value share one allocation. Everything
        // but the signature is written before the MAC is computed: this work does not
        // depend on the hashing, so the processor can run it while the last block of the
        // canonical request is still being hashed.
        let signed_headers = canonical_request.signed_headers();
        let query = canonical_request.canonical_query_string();
        let mut text = String::with_capacity(
            request.path.len()
                + query.len()
                + 1
                + algorithm.as_str().len()
                + self.access_key_id.len()
                + scope.as_ref().map_or(0, |s| s.len() + 1)
                + signed_headers.len()
                + 112,
        );
        text.push_str(request.path);
        if !query.is_empty() {
            text.push('?');
            text.push_str(query);
        }
        let authorization_start = text.len();
        text.push_str(algorithm.as_str());
        match &scope {
            Some(scope) => {
                text.push_str(" Credential=");
                text.push_str(&self.access_key_id);
                text.push('/');
                text.push_str(scope);
            }
            None => {
                text.push_str(" Access=");
                text.push_str(&self.access_key_id);
            }
        }
        text.push_str(", SignedHeaders=");
        text.push_str(signed_headers);
        text.push_str(", Signature=");

        let sts = StringToSignBytes {
            algorithm,
            date: date_str,
            scope: scope.as_deref(),
            canonical_request_hash: &canonical_hash,
        };
        let signature = match &self.key {
            SigningKey::Sha256(key) => sts.mac(key.clone()),
            SigningKey::Sm3(key) => sts.mac(key.clone()),
            SigningKey::Derived(secret) => {
                let mut derived =
                    derive_v11_key(&self.access_key_id, secret, scope.as_deref().unwrap_or(""));
                let key = Hmac::<Sha256>::new_from_slice(&derived);
                derived.zeroize();
                // HMAC accepts keys of any length.
                sts.mac(key.map_err(|_| SignError::MissingSecretAccessKey)?)
            }
        };
        text.push_str(ascii_str(&signature));

        Ok(SigningOutput {
            algorithm,
            date,
            scope,
            canonical_request,
            canonical_hash,
            text,
            authorization_start,
            content_header,
            security_token: self.security_token.clone(),
        })
    }
}

/// The string to sign with the canonical request hash as hex bytes: what the signer and
/// the verifier feed to the MAC.
pub(crate) struct StringToSignBytes<'a> {
    pub(crate) algorithm: SigningAlgorithm,
    pub(crate) date: &'a str,
    pub(crate) scope: Option<&'a str>,
    pub(crate) canonical_request_hash: &'a [u8; 64],
}

impl StringToSignBytes<'_> {
    /// Feeds the string to sign to `mac`.
    pub(crate) fn update(&self, mac: &mut impl Mac) {
        mac.update(self.algorithm.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(self.date.as_bytes());
        mac.update(b"\n");
        if let Some(scope) = self.scope {
            mac.update(scope.as_bytes());
            mac.update(b"\n");
        }
        mac.update(self.canonical_request_hash);
    }

    /// Lower-case hex of the MAC of the string to sign.
    fn mac(&self, mut mac: impl Mac) -> [u8; 64] {
        self.update(&mut mac);
        hex32(&mac.finalize().into_bytes())
    }
}

/// Signs `request` with `credentials` as of `time`: the pure-function form of
/// [`Signer::new`] followed by [`Signer::sign`]. Build a [`Signer`] once instead when
/// signing many requests with the same credentials.
///
/// # Errors
///
/// See [`Signer::new`] and [`Signer::sign`].
pub fn sign(
    request: &SignableRequest<'_>,
    credentials: &AccessKeyCredentials,
    settings: &SigningSettings,
    time: SystemTime,
) -> Result<SigningOutput, SignError> {
    Signer::new(credentials, settings.clone())?.sign(request, time)
}

/// The V11 signing key: lower-case hex of HKDF-SHA256(salt = AK, ikm = SK, info = scope,
/// 32 bytes). The hex text itself is the HMAC key.
pub(crate) fn derive_v11_key(access_key_id: &str, secret: &SecretString, scope: &str) -> [u8; 64] {
    let hkdf = Hkdf::<Sha256>::new(
        Some(access_key_id.as_bytes()),
        secret.expose_secret().as_bytes(),
    );
    let mut okm = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
    let _ = hkdf.expand(scope.as_bytes(), &mut okm);
    let hex = hex32(&okm);
    okm.zeroize();
    hex
}

/// The canonical request with what the signer needs besides it.
struct Canonical {
    request: CanonicalRequest,
    /// The name of the payload-hash header the signer added, if any.
    content_header: Option<&'static str>,
    /// Lower-case hex hash of the canonical request.
    hash: [u8; 64],
    date: SdkDate,
}

/// Validates `request`, adds the signer's headers and builds and hashes the canonical
/// request.
fn build_canonical(
    request: &SignableRequest<'_>,
    algorithm: SigningAlgorithm,
    time: SystemTime,
    security_token: Option<&str>,
) -> Result<Canonical, SignError> {
    let date = SdkDate::from_system_time(time).ok_or(SignError::InvalidTime)?;
    if !is_token(request.method) {
        return Err(SignError::InvalidMethod {
            method: request.method.to_owned(),
        });
    }
    let host = python_trim(request.host);
    if host.is_empty() || has_space_or_control(host) {
        return Err(SignError::InvalidHost {
            host: request.host.to_owned(),
        });
    }
    let plain_path = is_plain_path(request.path);
    if !request.path.starts_with('/') || (!plain_path && has_control(request.path)) {
        return Err(SignError::InvalidPath {
            path: request.path.to_owned(),
        });
    }

    // The method, URI and query come first in the canonical request: they are written,
    // and SHA-256 starts hashing them, before the headers are validated and sorted. The
    // hash is a chain of slow instructions, which the processor runs alongside that
    // independent work (measured: about 40 ns less per signature than hashing at the end).
    //
    // An upper bound of the canonical request's length, so it is built without regrowing.
    let mut capacity = request.method.len()
        + request.path.len() * 3
        + 2 * host.len()
        + 192
        + security_token.map_or(0, str::len);
    for &(name, value) in request.headers {
        capacity += 2 * name.len() + value.len() + 2;
    }
    let mut query: Scratch<(u64, u32), 16> = Scratch::new();
    for (i, &(key, value)) in request.query.iter().enumerate() {
        capacity += (key.len() + value.len()) * 3 + 2;
        query.push((prefix_key(key), index(i)));
    }
    let pair = |i: u32| request.query[i as usize];
    let query = query.as_mut_slice();
    sort_small(query, |a, b| {
        a.0 < b.0 || (a.0 == b.0 && pair(a.1) < pair(b.1))
    });
    let writer = CanonicalWriter::start(
        request.method,
        request.path,
        plain_path,
        query.iter().map(|&(_, i)| pair(i)),
        capacity,
    );

    let content_header = algorithm.content_hash_header();
    let content_key = lowercase_prefix_key(content_header);
    let mut caller_content_hash = None;
    let mut content_type = None;
    // Entries are a sort key (see `prefix_key`) and an index: below `request.headers`'
    // length into the caller's headers, from there into `own` (the signer's headers).
    // They are plain integers, so the stack buffer is cheap to set up and to sort.
    let mut headers: Scratch<(u64, u32), 16> = Scratch::new();
    for (i, &(name, value)) in request.headers.iter().enumerate() {
        let Some(unsigned_name) = classify_header_name(name) else {
            return Err(SignError::InvalidHeaderName {
                name: name.to_owned(),
            });
        };
        if has_line_break_or_nul(value) {
            return Err(SignError::InvalidHeaderValue {
                name: name.to_owned(),
            });
        }
        // Equal keys are necessary for names equal ignoring case, so the full
        // comparisons only run for names that start like the ones looked for.
        let key = lowercase_prefix_key(name);
        let reserved = (key == HOST_KEY && name.eq_ignore_ascii_case("host"))
            || (key == X_SDK_DATE_KEY && name.eq_ignore_ascii_case(X_SDK_DATE))
            || (key == AUTHORIZATION_KEY && name.eq_ignore_ascii_case(AUTHORIZATION))
            || (key == X_SECURITY_TOKEN_KEY
                && security_token.is_some()
                && name.eq_ignore_ascii_case(X_SECURITY_TOKEN));
        if reserved {
            return Err(SignError::ReservedHeader {
                name: name.to_owned(),
            });
        }
        if key == content_key && name.eq_ignore_ascii_case(content_header) {
            caller_content_hash = Some(python_trim(value));
        } else if key == CONTENT_TYPE_KEY && name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value);
        }
        if unsigned_name {
            continue;
        }
        headers.push((key, index(i)));
    }

    // The official signer marks every body it is not told is JSON or BSON as unsigned,
    // whether or not the body is empty, and hashes an empty body all the same.
    let add_unsigned = caller_content_hash.is_none()
        && match request.payload {
            Payload::Unsigned => true,
            Payload::Bytes(_) => content_type.is_some_and(|ct| {
                !ct.starts_with("application/json") && !ct.starts_with("application/bson")
            }),
        };
    let body_hash;
    let payload_hash = match request.payload {
        Payload::Bytes([]) => algorithm.empty_hash(),
        Payload::Unsigned => caller_content_hash.unwrap_or(UNSIGNED_PAYLOAD),
        Payload::Bytes(body) => match caller_content_hash {
            Some(hash) => hash,
            None if add_unsigned => UNSIGNED_PAYLOAD,
            None => {
                body_hash = algorithm.hash_hex(body);
                ascii_str(&body_hash)
            }
        },
    };

    let caller = request.headers.len();
    let own: [(&str, &str); 4] = [
        ("host", host),
        ("x-sdk-date", date.as_str()),
        (content_header, UNSIGNED_PAYLOAD),
        ("x-security-token", security_token.unwrap_or("")),
    ];
    headers.push((HOST_KEY, index(caller)));
    headers.push((X_SDK_DATE_KEY, index(caller + 1)));
    if add_unsigned {
        headers.push((content_key, index(caller + 2)));
    }
    if security_token.is_some() {
        headers.push((X_SECURITY_TOKEN_KEY, index(caller + 3)));
    }
    let header = |i: u32| -> (&str, &str) {
        let i = i as usize;
        match request.headers.get(i) {
            Some(&(name, value)) => (name, python_trim(value)),
            None => own[i - caller],
        }
    };
    let headers = headers.as_mut_slice();
    sort_small(headers, |a, b| {
        a.0 < b.0
            || (a.0 == b.0
                && cmp_lowercase(header(a.1).0, header(b.1).0) == std::cmp::Ordering::Less)
    });
    if let Some(pair) = headers
        .windows(2)
        .find(|w| w[0].0 == w[1].0 && header(w[0].1).0.eq_ignore_ascii_case(header(w[1].1).0))
    {
        return Err(SignError::DuplicateHeader {
            name: header(pair[1].1).0.to_owned(),
        });
    }

    let canonical = writer.finish(headers.iter().map(|&(_, i)| header(i)), payload_hash);
    let hash = algorithm.hash_hex(canonical.as_str().as_bytes());
    Ok(Canonical {
        request: canonical,
        content_header: add_unsigned.then_some(content_header),
        hash,
        date,
    })
}

/// A header or query index as stored in the sort buffers. Requests have far fewer than
/// 2^32 headers or query pairs (such a slice alone would take 128 GiB).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// What signing produced: the headers to add, the request URI to send, and every
/// intermediate stage for debugging.
///
/// `Debug` masks the security token.
#[derive(Clone)]
pub struct SigningOutput {
    algorithm: SigningAlgorithm,
    date: SdkDate,
    scope: Option<String>,
    canonical_request: CanonicalRequest,
    canonical_hash: [u8; 64],
    /// The request URI followed by the `Authorization` value, which ends with the
    /// signature.
    text: String,
    authorization_start: usize,
    content_header: Option<&'static str>,
    security_token: Option<SecretString>,
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
        &self.text[self.authorization_start..]
    }

    /// The `X-Sdk-Date` header value.
    pub fn x_sdk_date(&self) -> &str {
        self.date.as_str()
    }

    /// The lower-case hex signature.
    pub fn signature(&self) -> &str {
        // The `Authorization` value ends with the 64 hex digits of the signature.
        &self.text[self.text.len() - 64..]
    }

    /// The path and canonical query string to send (`path?query`, or the path alone),
    /// as the official SDKs send it. The path is the one given to the signer; the query
    /// is percent-encoded and in canonical order.
    pub fn request_uri(&self) -> &str {
        &self.text[..self.authorization_start]
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
            date: self.date.as_str(),
            scope: self.scope.as_deref(),
            canonical_request_hash: ascii_str(&self.canonical_hash),
        }
    }
}

impl fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningOutput")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign().to_string())
            .field("authorization", &self.authorization())
            .field("x_sdk_date", &self.date.as_str())
            .field("content_header", &self.content_header)
            .field("security_token", &self.security_token)
            .field("request_uri", &self.request_uri())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const SK: &str = "Ex4mpleSecretKeyForTestVectorsOnly0000001";
    const TOKEN: &str = "gQpjbi1ub3J0aC00joSpsRGK4OWR8";

    fn time() -> SystemTime {
        // 2026-11-22T08:15:00Z
        UNIX_EPOCH + Duration::from_secs(1_795_335_300)
    }

    fn creds() -> AccessKeyCredentials {
        AccessKeyCredentials::new("HPUAEXAMPLEAK0000001", SK)
    }

    #[test]
    fn algorithm_names_round_trip() {
        for alg in SigningAlgorithm::ALL {
            assert_eq!(alg.as_str().parse::<SigningAlgorithm>(), Ok(alg));
            assert_eq!(alg.to_string(), alg.as_str());
        }
        assert_eq!(
            "sdk-hmac-sm3".parse::<SigningAlgorithm>(),
            Ok(SigningAlgorithm::SdkHmacSm3)
        );
        assert!(matches!(
            "SDK-ECDSA-P256-SHA256".parse::<SigningAlgorithm>(),
            Err(SignError::UnsupportedAlgorithm { .. })
        ));
    }

    #[test]
    fn temporary_credentials_add_and_sign_the_security_token() {
        let signer = Signer::new(
            &creds().with_security_token(TOKEN),
            SigningSettings::default(),
        )
        .expect("signer");
        let headers = [("Content-Type", "application/json")];
        let out = signer
            .sign(
                &SignableRequest::new("GET", "h", "/p").with_headers(&headers),
                time(),
            )
            .expect("signed");
        let names: Vec<_> = out.headers().map(|(n, _)| n).collect();
        assert_eq!(names, ["X-Sdk-Date", "X-Security-Token", "Authorization"]);
        assert!(
            out.canonical_request()
                .as_str()
                .contains("x-security-token:gQpj")
        );
        assert!(out.authorization().contains("x-sdk-date;x-security-token"));
        for shown in [
            format!("{out:?}"),
            format!("{signer:?}"),
            out.canonical_request().to_string(),
            format!(
                "{:?}",
                SignableRequest::new("GET", "h", "/p").with_headers(&[(X_SECURITY_TOKEN, TOKEN)])
            ),
        ] {
            assert!(!shown.contains(TOKEN), "{shown}");
            assert!(!shown.contains(SK), "{shown}");
        }

        // Equivalent to the caller sending the token header with permanent credentials.
        let with_header = [
            ("Content-Type", "application/json"),
            (X_SECURITY_TOKEN, TOKEN),
        ];
        let plain = Signer::new(&creds(), SigningSettings::default())
            .expect("signer")
            .sign(
                &SignableRequest::new("GET", "h", "/p").with_headers(&with_header),
                time(),
            )
            .expect("signed");
        assert_eq!(plain.authorization(), out.authorization());
    }

    #[test]
    fn unsigned_payload_marker_adds_the_header() {
        let signer = Signer::new(&creds(), SigningSettings::sm3()).expect("signer");
        let out = signer
            .sign(
                &SignableRequest::new("PUT", "h", "/p").with_payload(Payload::Unsigned),
                time(),
            )
            .expect("signed");
        assert_eq!(out.canonical_request().payload_hash(), UNSIGNED_PAYLOAD);
        let names: Vec<_> = out.headers().map(|(n, _)| n).collect();
        assert_eq!(names, ["X-Sdk-Date", "X-Sdk-Content-Sm3", "Authorization"]);
        assert!(
            out.canonical_request()
                .signed_headers()
                .contains("x-sdk-content-sm3")
        );
    }

    #[test]
    fn rejects_malformed_requests() {
        let signer = Signer::new(&creds(), SigningSettings::default()).expect("signer");
        let sign = |req: SignableRequest<'_>| signer.sign(&req, time()).map(|_| ());
        assert!(matches!(
            sign(SignableRequest::new("G ET", "h", "/")),
            Err(SignError::InvalidMethod { .. })
        ));
        assert!(matches!(
            sign(SignableRequest::new("GET", "", "/")),
            Err(SignError::InvalidHost { .. })
        ));
        assert!(matches!(
            sign(SignableRequest::new("GET", "h", "p")),
            Err(SignError::InvalidPath { .. })
        ));
        assert!(matches!(
            sign(SignableRequest::new("GET", "h", "/a\nb")),
            Err(SignError::InvalidPath { .. })
        ));
        for (headers, expected) in [
            (&[("Bad Name", "v")][..], "invalid header name `Bad Name`"),
            (
                &[("X-A", "a\r\nb")][..],
                "value of header `X-A` contains CR, LF or NUL",
            ),
            (
                &[("X-A", "1"), ("x-a", "2")][..],
                "header `x-a` is given more than once",
            ),
            (
                &[("Host", "h")][..],
                "header `Host` is set by the signer; remove it from the request",
            ),
            (
                &[("x-sdk-date", "d")][..],
                "header `x-sdk-date` is set by the signer; remove it from the request",
            ),
            (
                &[("Authorization", "a")][..],
                "header `Authorization` is set by the signer; remove it from the request",
            ),
        ] {
            let err = sign(SignableRequest::new("GET", "h", "/").with_headers(headers))
                .expect_err("rejected");
            assert_eq!(err.to_string(), expected);
        }
        assert!(matches!(
            signer.sign(
                &SignableRequest::new("GET", "h", "/"),
                UNIX_EPOCH - Duration::from_secs(1)
            ),
            Err(SignError::InvalidTime)
        ));
    }

    #[test]
    fn rejects_incomplete_credentials() {
        assert_eq!(
            Signer::new(
                &AccessKeyCredentials::new("", SK),
                SigningSettings::default()
            )
            .map(|_| ()),
            Err(SignError::MissingAccessKeyId)
        );
        assert_eq!(
            Signer::new(
                &AccessKeyCredentials::new("AK", ""),
                SigningSettings::default()
            )
            .map(|_| ()),
            Err(SignError::MissingSecretAccessKey)
        );
        assert_eq!(
            Signer::new(
                &creds(),
                SigningSettings::new(SigningAlgorithm::V11HmacSha256)
            )
            .map(|_| ()),
            Err(SignError::MissingDerivedScope)
        );
    }

    #[test]
    fn free_function_equals_signer() {
        let req = SignableRequest::new("GET", "h", "/p");
        let a = sign(
            &req,
            &creds(),
            &SigningSettings::derived("cn-north-4", "metastudio"),
            time(),
        )
        .expect("signed");
        let b = Signer::new(
            &creds(),
            SigningSettings::derived("cn-north-4", "metastudio"),
        )
        .expect("signer")
        .sign(&req, time())
        .expect("signed");
        assert_eq!(a.authorization(), b.authorization());
        assert_eq!(a.scope(), Some("20261122/cn-north-4/metastudio"));
        assert_eq!(a.string_to_sign().scope(), a.scope());
    }

    #[test]
    fn many_headers_and_query_pairs_spill_to_the_heap() {
        let names: Vec<String> = (0..40).map(|i| format!("X-H{i:02}")).collect();
        let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
        let query: Vec<(&str, &str)> = names.iter().rev().map(|n| (n.as_str(), "q")).collect();
        let out = Signer::new(&creds(), SigningSettings::default())
            .expect("signer")
            .sign(
                &SignableRequest::new("GET", "h", "/")
                    .with_headers(&headers)
                    .with_query(&query),
                time(),
            )
            .expect("signed");
        assert!(
            out.canonical_request()
                .canonical_query_string()
                .starts_with("X-H00=q&X-H01=q")
        );
        assert!(
            out.canonical_request()
                .signed_headers()
                .starts_with("host;x-h00;x-h01")
        );
    }
}
