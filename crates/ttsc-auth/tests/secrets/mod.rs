//! What the redaction tests share: known secret values, the check that none of them
//! shows, a fixed signing time and an in-process IAM.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ttsc_auth::iam::{BoxFuture, IamRequest, IamResponse, IamTransport, TransportError};

pub const SK: &str = "SecretKeyValue0123456789abcdefSECRET";
pub const SECURITY_TOKEN: &str = "SecurityTokenValue-0123456789-TOKEN";
pub const PASSWORD: &str = "IamPasswordValue-0123-PASSWORD";
pub const ISSUED_TOKEN: &str = "IssuedIamTokenValue-0123456789-X-SUBJECT";
pub const USER_TOKEN: &str = "UserSuppliedTokenValue-0123-USER";

pub fn assert_clean(what: &str, shown: &str) {
    for secret in [SK, SECURITY_TOKEN, PASSWORD, ISSUED_TOKEN, USER_TOKEN] {
        assert!(!shown.contains(secret), "{what} shows a secret: {shown}");
    }
}

pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_335_300)
}

/// An in-process IAM: issues `ISSUED_TOKEN` and one project, or fails once told to.
#[derive(Default)]
pub struct FakeIam {
    pub failing: AtomicBool,
}

impl IamTransport for FakeIam {
    fn send(&self, request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
        let failing = self.failing.load(Ordering::SeqCst);
        Box::pin(async move {
            if failing {
                return Ok(IamResponse::new(503));
            }
            let mut response = IamResponse::new(if request.method == "POST" { 201 } else { 200 });
            if request.url.contains("/v3/auth/tokens") {
                response
                    .headers
                    .push(("X-Subject-Token".into(), ISSUED_TOKEN.into()));
                response.body =
                    br#"{"token": {"expires_at": "2026-11-23T08:15:00.000000Z"}}"#.to_vec();
            } else {
                response.body = br#"{"projects": [{"id": "p-1", "name": "cn-north-4"}]}"#.to_vec();
            }
            Ok(response)
        })
    }
}
