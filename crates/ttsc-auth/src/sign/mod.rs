//! The request signer: a pure function from a borrowed request description, credentials
//! and a signing time to the headers to add.

mod canonical;
mod output;
mod request;
mod settings;

use std::fmt;
use std::time::SystemTime;

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit};
use sha2::Sha256;
use sm3::Sm3;
use zeroize::Zeroizing;

pub use self::canonical::{CanonicalRequest, StringToSign};
pub use self::output::SigningOutput;
pub(crate) use self::request::MaskedHeaders;
pub use self::request::{Payload, SignableRequest};
pub use self::settings::{DerivedScope, SigningAlgorithm, SigningSettings};
use crate::SecretString;
use crate::credentials::{AccessKeyCredentials, X_SECURITY_TOKEN};
use crate::encoding::{format_sdk_date, hex, is_token, python_trim};

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

/// Key material prepared once per credentials. The HMAC states zeroize themselves on
/// drop (the `zeroize` features of `hmac`, `sha2` and `sm3`).
#[derive(Clone)]
enum SigningKey {
    /// HMAC-SHA256 with the key already absorbed.
    Sha256(Hmac<Sha256>),
    /// HMAC-SM3 with the key already absorbed.
    Sm3(Hmac<Sm3>),
    /// V11 derives a key per day and scope, so only the secret is kept.
    Derived(SecretString),
}

/// An HMAC keyed with `key`.
fn hmac_key<M: KeyInit>(key: &[u8]) -> Result<M, SignError> {
    // HMAC takes keys of any length, so this never fails.
    M::new_from_slice(key).map_err(|_| SignError::MissingSecretAccessKey)
}

/// The security token the signer sends and signs: trimmed like every header value; one
/// that is empty once trimmed is no token (the verifier does not count it either).
fn signed_security_token(token: &SecretString) -> Option<SecretString> {
    let trimmed = python_trim(token.expose_secret());
    (!trimmed.is_empty()).then(|| SecretString::new(trimmed))
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
        let key = match settings.algorithm() {
            SigningAlgorithm::SdkHmacSha256 => SigningKey::Sha256(hmac_key(sk)?),
            SigningAlgorithm::SdkHmacSm3 => SigningKey::Sm3(hmac_key(sk)?),
            SigningAlgorithm::V11HmacSha256 => {
                if settings.derived_scope().is_none() {
                    return Err(SignError::MissingDerivedScope);
                }
                SigningKey::Derived(secret.clone())
            }
        };
        Ok(Self {
            access_key_id: credentials.access_key_id().to_owned(),
            key,
            security_token: credentials.security_token().and_then(signed_security_token),
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

    /// Whether the credentials are temporary (the signer adds `X-Security-Token`). A
    /// security token that is empty or white space only counts as none.
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
        let algorithm = self.settings.algorithm();
        let date = format_sdk_date(time).ok_or(SignError::InvalidTime)?;
        let token = self
            .security_token
            .as_ref()
            .map(SecretString::expose_secret);
        let (canonical_request, content_header) =
            canonical_request(request, algorithm, &date, token)?;
        let canonical_hash = algorithm.hash_hex(canonical_request.as_str().as_bytes());
        let scope = match (&self.key, self.settings.derived_scope()) {
            (SigningKey::Derived(_), Some(scope)) => Some(format!(
                "{}/{}/{}",
                &date[..8],
                scope.region(),
                scope.service()
            )),
            _ => None,
        };
        let string_to_sign = StringToSign {
            algorithm,
            date: &date,
            scope: scope.as_deref(),
            canonical_request_hash: &canonical_hash,
        };
        let mut authorization = String::with_capacity(256);
        authorization.push_str(algorithm.as_str());
        match &scope {
            Some(scope) => {
                authorization.push_str(" Credential=");
                authorization.push_str(&self.access_key_id);
                authorization.push('/');
                authorization.push_str(scope);
            }
            None => {
                authorization.push_str(" Access=");
                authorization.push_str(&self.access_key_id);
            }
        }
        authorization.push_str(", SignedHeaders=");
        authorization.push_str(canonical_request.signed_headers());
        authorization.push_str(", Signature=");
        match &self.key {
            SigningKey::Sha256(key) => string_to_sign.mac_hex_into(key.clone(), &mut authorization),
            SigningKey::Sm3(key) => string_to_sign.mac_hex_into(key.clone(), &mut authorization),
            SigningKey::Derived(secret) => {
                let derived =
                    derive_v11_key(&self.access_key_id, secret, scope.as_deref().unwrap_or(""));
                let key = hmac_key::<Hmac<Sha256>>(derived.as_bytes())?;
                string_to_sign.mac_hex_into(key, &mut authorization);
            }
        }
        let query = canonical_request.canonical_query_string();
        let mut request_uri = String::with_capacity(request.path().len() + 1 + query.len());
        request_uri.push_str(request.path());
        if !query.is_empty() {
            request_uri.push('?');
            request_uri.push_str(query);
        }
        Ok(SigningOutput {
            algorithm,
            date,
            scope,
            canonical_request,
            canonical_hash,
            request_uri,
            authorization,
            content_header,
            security_token: self.security_token.clone(),
        })
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
pub(crate) fn derive_v11_key(
    access_key_id: &str,
    secret: &SecretString,
    scope: &str,
) -> Zeroizing<String> {
    let hkdf = Hkdf::<Sha256>::new(
        Some(access_key_id.as_bytes()),
        secret.expose_secret().as_bytes(),
    );
    let mut okm = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
    let _ = hkdf.expand(scope.as_bytes(), okm.as_mut_slice());
    Zeroizing::new(hex(okm.as_slice()))
}

/// Validates `request` and writes its canonical request, with the signer's headers
/// (`Host`, `X-Sdk-Date`, the unsigned-payload marker, the security token) added. Also
/// returns the name of the payload-hash header the signer adds, if any.
fn canonical_request(
    request: &SignableRequest<'_>,
    algorithm: SigningAlgorithm,
    date: &str,
    security_token: Option<&str>,
) -> Result<(CanonicalRequest, Option<&'static str>), SignError> {
    if !is_token(request.method()) {
        return Err(SignError::InvalidMethod {
            method: request.method().to_owned(),
        });
    }
    let host = python_trim(request.host());
    if host.is_empty() || host.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(SignError::InvalidHost {
            host: request.host().to_owned(),
        });
    }
    if !request.path().starts_with('/') || request.path().chars().any(char::is_control) {
        return Err(SignError::InvalidPath {
            path: request.path().to_owned(),
        });
    }

    let content_header = algorithm.content_hash_header();
    let mut caller_content_hash = None;
    let mut content_type = None;
    let mut headers = Vec::with_capacity(request.headers().len() + 4);
    for &(name, value) in request.headers() {
        if !is_token(name) {
            return Err(SignError::InvalidHeaderName {
                name: name.to_owned(),
            });
        }
        if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(SignError::InvalidHeaderValue {
                name: name.to_owned(),
            });
        }
        let reserved = ["host", X_SDK_DATE, AUTHORIZATION]
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
            || (security_token.is_some() && name.eq_ignore_ascii_case(X_SECURITY_TOKEN));
        if reserved {
            return Err(SignError::ReservedHeader {
                name: name.to_owned(),
            });
        }
        if name.eq_ignore_ascii_case(content_header) {
            caller_content_hash = Some(python_trim(value));
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value);
        }
        // Huawei's signers send names with `_` but leave them out of the signature.
        if !name.contains('_') {
            headers.push((name, python_trim(value)));
        }
    }

    // The official signer marks every body it is not told is JSON or BSON as unsigned,
    // whether or not the body is empty, and hashes an empty body all the same.
    let add_unsigned = caller_content_hash.is_none()
        && match request.payload() {
            Payload::Unsigned => true,
            Payload::Bytes(_) => content_type.is_some_and(|ct| {
                !ct.starts_with("application/json") && !ct.starts_with("application/bson")
            }),
        };
    let body_hash;
    let payload_hash: &str = match request.payload() {
        Payload::Bytes([]) => algorithm.empty_hash(),
        Payload::Unsigned => caller_content_hash.unwrap_or(UNSIGNED_PAYLOAD),
        Payload::Bytes(body) => match caller_content_hash {
            Some(hash) => hash,
            None if add_unsigned => UNSIGNED_PAYLOAD,
            None => {
                body_hash = algorithm.hash_hex(body);
                &body_hash
            }
        },
    };

    headers.push(("host", host));
    headers.push(("x-sdk-date", date));
    if add_unsigned {
        headers.push((content_header, UNSIGNED_PAYLOAD));
    }
    if let Some(token) = security_token {
        headers.push(("x-security-token", token));
    }
    // Canonical order: by lower-cased name. The sort is stable, so of two names that are
    // equal ignoring case, the later one is reported.
    headers.sort_by(|a, b| {
        let (a, b) = (a.0.bytes(), b.0.bytes());
        a.map(|c| c.to_ascii_lowercase())
            .cmp(b.map(|c| c.to_ascii_lowercase()))
    });
    if let Some(pair) = headers
        .windows(2)
        .find(|pair| pair[0].0.eq_ignore_ascii_case(pair[1].0))
    {
        return Err(SignError::DuplicateHeader {
            name: pair[1].0.to_owned(),
        });
    }

    // Query pairs in canonical order: by raw key, then raw value.
    let mut query = request.query().to_vec();
    query.sort();
    let canonical = CanonicalRequest::build(
        request.method(),
        request.path(),
        query,
        &headers,
        payload_hash,
    );
    Ok((canonical, add_unsigned.then_some(content_header)))
}
