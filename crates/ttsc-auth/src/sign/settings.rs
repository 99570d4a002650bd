//! How to sign: the algorithm and, for `V11-HMAC-SHA256`, the credential scope.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use sm3::Sm3;

use super::{SignError, X_SDK_CONTENT_SHA256, X_SDK_CONTENT_SM3};
use crate::encoding::hex;

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
    pub(crate) fn hash_hex(self, data: &[u8]) -> String {
        match self {
            Self::SdkHmacSm3 => hex(&Sm3::digest(data)),
            Self::SdkHmacSha256 | Self::V11HmacSha256 => hex(&Sha256::digest(data)),
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
