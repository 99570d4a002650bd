//! Request signing bit-exact with Huawei Cloud's SDKs, credentials, and IAM tokens, with no
//! HTTP client.
//!
//! Huawei Cloud's API gateway accepts a request signed with an access key (AK/SK), or a
//! request carrying an IAM token. A signature that differs by one byte is rejected
//! (`APIGW.0301`), so this crate reproduces the official signer byte for byte and proves it
//! against every test vector computed with Huawei's own Python SDK.
//!
//! # Signing a request
//!
//! The signer is a pure function: it takes a borrowed description of the request, the
//! credentials and the signing time, and returns the headers to add. It reads no clock,
//! does no I/O and allocates only its output.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use ttsc_auth::{AccessKeyCredentials, SignableRequest, Signer, SigningSettings};
//!
//! let creds = AccessKeyCredentials::new("HPUAEXAMPLEAK0000001", "Ex4mpleSecretKeyForTestVectorsOnly0000001");
//! // Build once per credentials: this validates them and precomputes the HMAC key.
//! let signer = Signer::new(&creds, SigningSettings::default())?;
//!
//! let query = [("limit", "100"), ("offset", "200")];
//! let headers = [("Content-Type", "application/json"), ("X-Project-Id", "3f0924078d1b471c884a5383d4dec9fa")];
//! let request = SignableRequest::new(
//!     "GET",
//!     "metastudio.cn-north-4.myhuaweicloud.com",
//!     "/v1/3f0924078d1b471c884a5383d4dec9fa/ttsc/tts-jobs",
//! )
//! .with_query(&query)
//! .with_headers(&headers);
//!
//! // The time comes from the caller (see `clock` for a skew-corrected source).
//! let now = UNIX_EPOCH + Duration::from_secs(1_795_335_300); // 2026-11-22T08:15:00Z
//! let signed = signer.sign(&request, now)?;
//!
//! // Send the request to `request_uri` (path and canonical query) with these headers.
//! assert_eq!(signed.request_uri(), "/v1/3f0924078d1b471c884a5383d4dec9fa/ttsc/tts-jobs?limit=100&offset=200");
//! let added: Vec<_> = signed.headers().collect();
//! assert_eq!(added[0], ("X-Sdk-Date", "20261122T081500Z"));
//! assert!(added[1].1.starts_with("SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature="));
//!
//! // Every stage is a `Display` type, for tests and for debugging a rejected signature.
//! println!("{}\n\n{}", signed.canonical_request(), signed.string_to_sign());
//! # Ok::<(), ttsc_auth::SignError>(())
//! ```
//!
//! The three algorithms are chosen with [`SigningSettings`]: `SDK-HMAC-SHA256` (the
//! default), `V11-HMAC-SHA256` ([`SigningSettings::derived`], a daily key derived with
//! HKDF-SHA256 for a region and service) and `SDK-HMAC-SM3` ([`SigningSettings::sm3`]).
//! Temporary credentials ([`AccessKeyCredentials::with_security_token`]) add and sign
//! `X-Security-Token`. A body that is not JSON or BSON, or [`Payload::Unsigned`], is sent
//! with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, as the official SDKs do.
//!
//! # Token authentication
//!
//! A request authenticated with an IAM token carries `X-Auth-Token` and no
//! `Authorization` ([`IamToken::header`]). Tokens come from a [`iam::TokenSource`]: a
//! user-supplied token ([`iam::StaticTokenSource`]) or a password login
//! ([`iam::PasswordTokenSource`]) that caches the token, refreshes it ahead of expiry and
//! lets concurrent callers share one login. IAM is reached through the small
//! [`iam::IamTransport`] trait, which the HTTP client crate implements; project ids are
//! discovered with [`iam::ProjectIdResolver`].
//!
//! # Credentials
//!
//! [`provider::CredentialsChain::default_chain`] looks, in order, at explicit values, the
//! environment (`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, …) and the profile file the
//! official SDKs use (`~/.huaweicloud/credentials`, section `[basic]`, or a named ttsc
//! profile). The environment and home directory are injected ([`provider::Env`]), so tests
//! never touch the process environment. When nothing is found, the error lists what each
//! provider looked for.
//!
//! # Secrets
//!
//! Secret keys, security tokens, passwords and tokens live in [`SecretString`] (the one
//! secret type of every ttsc crate, from `ttsc-secret`) or types built on it: `Debug` and
//! `Display` print [`MASK`], and the memory is zeroized on drop.
//! Request and response types mask secret header values in `Debug`, and the canonical
//! request masks `x-security-token` in `Display`. Nothing in this crate logs a secret.
//!
//! # Verifying
//!
//! [`verify`] checks a received request the way the gateway does: it rebuilds the
//! canonical request from the `SignedHeaders` the client declares, recomputes the signature
//! in constant time and checks `X-Sdk-Date` against a 15-minute window. The local emulator
//! uses it.
//!
//! # Time
//!
//! Signing takes the time as a value. [`clock::SkewAdjustedClock`] is a cheap-to-share
//! clock that the client corrects from a server's `Date` header, so signatures survive a
//! wrong local clock; [`clock::ManualClock`] is for tests.

pub mod clock;
mod credentials;
mod encoding;
pub mod iam;
pub mod provider;
mod sign;
pub mod verify;

pub use credentials::{
    AccessKeyCredentials, Credentials, IamToken, X_AUTH_TOKEN, X_SECURITY_TOKEN,
};
pub use sign::{
    AUTHORIZATION, CanonicalRequest, DerivedScope, Payload, SignError, SignableRequest, Signer,
    SigningAlgorithm, SigningOutput, SigningSettings, StringToSign, UNSIGNED_PAYLOAD,
    X_SDK_CONTENT_SHA256, X_SDK_CONTENT_SM3, X_SDK_DATE, sign,
};
pub use ttsc_secret::{MASK, SecretString};
