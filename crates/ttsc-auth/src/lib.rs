//! Request signing for Huawei Cloud (draft).

pub mod clock;
mod credentials;
mod encoding;
pub mod iam;
pub mod provider;
mod secret;
mod sign;
pub mod verify;

pub use credentials::{
    AccessKeyCredentials, Credentials, IamToken, X_AUTH_TOKEN, X_SECURITY_TOKEN,
};
pub use secret::{MASK, SecretString};
pub use sign::{
    AUTHORIZATION, CanonicalRequest, DerivedScope, Payload, SignError, SignableRequest, Signer,
    SigningAlgorithm, SigningOutput, SigningSettings, StringToSign, UNSIGNED_PAYLOAD,
    X_SDK_CONTENT_SHA256, X_SDK_CONTENT_SM3, X_SDK_DATE, sign,
};
