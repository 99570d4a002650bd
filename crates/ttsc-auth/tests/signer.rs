//! The signer through its public API: headers it adds, what it rejects, and how it treats
//! security tokens (the stages themselves are checked against the vectors in `vectors.rs`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ttsc_auth::{
    AccessKeyCredentials, Payload, SignError, SignableRequest, Signer, SigningAlgorithm,
    SigningSettings, UNSIGNED_PAYLOAD, X_SECURITY_TOKEN,
};

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
fn a_security_token_is_trimmed_and_a_blank_one_is_none() {
    let sign = |token: &str| {
        let signer = Signer::new(
            &creds().with_security_token(token),
            SigningSettings::default(),
        )
        .expect("signer");
        let out = signer
            .sign(&SignableRequest::new("GET", "h", "/p"), time())
            .expect("signed");
        (signer.is_temporary(), out)
    };
    let (temporary, out) = sign(" \t ");
    assert!(!temporary);
    assert!(out.headers().all(|(name, _)| name != X_SECURITY_TOKEN));
    let (temporary, out) = sign(" tok\t");
    assert!(temporary);
    assert!(
        out.headers()
            .any(|header| header == (X_SECURITY_TOKEN, "tok"))
    );
    assert!(
        out.canonical_request()
            .as_str()
            .contains("\nx-security-token:tok\n")
    );
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
    for (ak, sk, settings, expected) in [
        (
            "",
            SK,
            SigningSettings::default(),
            SignError::MissingAccessKeyId,
        ),
        (
            "AK",
            "",
            SigningSettings::default(),
            SignError::MissingSecretAccessKey,
        ),
        (
            "AK",
            SK,
            SigningSettings::new(SigningAlgorithm::V11HmacSha256),
            SignError::MissingDerivedScope,
        ),
    ] {
        let signer = Signer::new(&AccessKeyCredentials::new(ak, sk), settings);
        assert_eq!(signer.map(|_| ()), Err(expected));
    }
}
