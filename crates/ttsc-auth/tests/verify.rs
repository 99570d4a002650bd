//! The verifier against every signing vector, as received by a server, and with
//! tampered inputs.

mod common;

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use common::{Case, load, sign_case, signing_time, vector_files};
use ttsc_auth::verify::{
    ReceivedRequest, VerificationKey, VerifiedIdentity, Verifier, VerifyError, VerifyErrorKind,
    verify,
};
use ttsc_auth::{AccessKeyCredentials, SignableRequest, Signer, SigningOutput, SigningSettings};

/// What a server receives for a signed case.
struct Wire {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn from_case(case: &Case, out: &SigningOutput) -> Self {
        let (path, query) = out
            .request_uri()
            .split_once('?')
            .unwrap_or((out.request_uri(), ""));
        let mut headers: Vec<(String, String)> = case
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        headers.push(("Host".into(), case.host.clone()));
        headers.extend(out.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
        Self {
            method: case.method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: case.body.as_bytes().to_vec(),
        }
    }

    /// Hands the request, as the verifier receives it, to `check`.
    fn with_received<R>(&self, check: impl FnOnce(&ReceivedRequest<'_>) -> R) -> R {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        check(&ReceivedRequest::new(
            &self.method,
            &self.path,
            &self.query,
            &headers,
            &self.body,
        ))
    }

    fn verify_with(
        &self,
        keys: &HashMap<String, VerificationKey>,
        now: SystemTime,
    ) -> Result<VerifiedIdentity, VerifyError> {
        self.with_received(|request| verify(request, keys, now))
    }

    fn set_header(&mut self, name: &str, value: &str) {
        let slot = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no header {name}"));
        slot.1 = value.to_owned();
    }

    fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

fn keys_for(case: &Case) -> HashMap<String, VerificationKey> {
    let mut key = VerificationKey::new(case.sk.as_str());
    if let Some(region) = &case.region {
        key = key.with_region(region.clone());
    }
    HashMap::from([(case.ak.clone(), key)])
}

/// Percent-encodes the non-ASCII bytes of a path, as an HTTP client puts it on the wire.
fn encode_non_ascii(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Trims like Python's `str.strip()`, as the signer and the verifier trim header values.
fn python_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

fn all_cases() -> Vec<Case> {
    vector_files().iter().flat_map(|p| load(p)).collect()
}

#[test]
fn every_vector_verifies_as_received() {
    let mut checked = 0;
    for case in all_cases() {
        let out = sign_case(&case).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let now = signing_time(&case) + Duration::from_secs(60);
        let mut wire = Wire::from_case(&case, &out);
        let identity = wire
            .verify_with(&keys_for(&case), now)
            .unwrap_or_else(|e| panic!("{}: {e}\n{:?}", case.name, e.canonical_request()));
        assert_eq!(identity.access_key_id(), case.ak);
        assert_eq!(identity.algorithm().as_str(), case.algorithm);
        // A token that is white space only is no token, for the signer and the verifier.
        let token = case
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("X-Security-Token"));
        assert_eq!(
            identity.security_token_present(),
            token.is_some_and(|(_, value)| !python_trim(value).is_empty()),
            "{}",
            case.name
        );
        assert_eq!(identity.signed_at(), signing_time(&case));

        // The same request with the path percent-encoded by the HTTP client.
        wire.path = encode_non_ascii(&wire.path);
        wire.verify_with(&keys_for(&case), now)
            .unwrap_or_else(|e| panic!("{} (encoded path): {e}", case.name));
        checked += 1;
    }
    assert!(checked >= 49, "only {checked} cases");
}

/// Asserts that `wire` fails with `kind`.
fn assert_fails(case: &Case, wire: &Wire, kind: VerifyErrorKind, what: &str) -> VerifyError {
    let now = signing_time(case) + Duration::from_secs(60);
    let err = wire
        .verify_with(&keys_for(case), now)
        .map(|_| ())
        .expect_err(&format!("{}: {what} must fail", case.name));
    assert_eq!(err.kind(), kind, "{}: {what}: {err}", case.name);
    assert!(!err.to_string().ends_with('.'), "{err}");
    assert!(!err.to_string().contains(&case.sk), "{err}");
    err
}

#[test]
fn tampered_requests_fail_with_the_verifiers_canonical_request() {
    use VerifyErrorKind::*;
    for case in all_cases() {
        let out = sign_case(&case).expect("signs");
        let original = Wire::from_case(&case, &out);
        let unsigned_payload = out.canonical_request().payload_hash() == "UNSIGNED-PAYLOAD";

        let mut wire = Wire::from_case(&case, &out);
        wire.method = if wire.method == "GET" {
            "HEAD".into()
        } else {
            "GET".into()
        };
        assert_fails(&case, &wire, SignatureMismatch, "another method");

        let mut wire = Wire::from_case(&case, &out);
        wire.path.push('x');
        let err = assert_fails(&case, &wire, SignatureMismatch, "another path");
        let canonical = err.canonical_request().expect("carried");
        assert_ne!(canonical.as_str(), case.expected.canonical_request);

        let mut wire = Wire::from_case(&case, &out);
        wire.query = if wire.query.is_empty() {
            "extra=1".into()
        } else {
            format!("{}&extra=1", wire.query)
        };
        let err = assert_fails(&case, &wire, SignatureMismatch, "an extra query parameter");
        assert!(
            err.canonical_request()
                .expect("carried")
                .canonical_query_string()
                .contains("extra=1")
        );

        let mut wire = Wire::from_case(&case, &out);
        wire.set_header("Host", "evil.example.com");
        assert_fails(&case, &wire, SignatureMismatch, "another host");

        // The body counts unless the payload is unsigned or its hash came from the caller.
        let caller_hash = case
            .headers
            .keys()
            .any(|name| name.eq_ignore_ascii_case(out.algorithm().content_hash_header()));
        if !case.body.is_empty() && !unsigned_payload && !caller_hash {
            let mut wire = Wire::from_case(&case, &out);
            wire.body.push(b' ');
            assert_fails(&case, &wire, SignatureMismatch, "another body");
        }

        let mut wire = Wire::from_case(&case, &out);
        let date = signing_time(&case) + Duration::from_secs(1);
        let later = ttsc_auth::sign(
            &SignableRequest::new("GET", "h", "/"),
            &AccessKeyCredentials::new("a", "b"),
            &SigningSettings::default(),
            date,
        )
        .expect("signs");
        wire.set_header("X-Sdk-Date", later.x_sdk_date());
        // A V11 scope names the day, so a date on the next day is caught earlier.
        let next_day = later.x_sdk_date()[..8] != case.x_sdk_date[..8];
        let kind = if out.scope().is_some() && next_day {
            ScopeMismatch
        } else {
            SignatureMismatch
        };
        assert_fails(&case, &wire, kind, "another date within the window");

        let mut wire = Wire::from_case(&case, &out);
        let auth = out.authorization();
        let (head, last) = auth.split_at(auth.len() - 1);
        let flipped = format!("{head}{}", if last == "0" { '1' } else { '0' });
        wire.set_header("Authorization", &flipped);
        assert_fails(&case, &wire, SignatureMismatch, "another signature");

        let mut wire = Wire::from_case(&case, &out);
        wire.set_header("Authorization", &auth.replace(&case.ak, "AKUNKNOWN000"));
        let err = assert_fails(&case, &wire, UnknownAccessKey, "an unknown AK");
        assert_eq!(err.access_key_id(), Some("AKUNKNOWN000"));

        let mut wire = Wire::from_case(&case, &out);
        wire.remove_header("X-Sdk-Date");
        assert_fails(&case, &wire, MissingDate, "no X-Sdk-Date");

        let mut wire = Wire::from_case(&case, &out);
        wire.set_header("X-Sdk-Date", "2026-11-22T08:15:00Z");
        assert_fails(&case, &wire, MalformedDate, "a malformed X-Sdk-Date");

        let mut wire = Wire::from_case(&case, &out);
        wire.remove_header("Authorization");
        assert_fails(&case, &wire, MissingAuthorization, "no Authorization");

        // A signed header that did not arrive.
        let mut wire = Wire::from_case(&case, &out);
        wire.remove_header("Host");
        assert_fails(&case, &wire, MissingSignedHeader, "no Host");

        // The wrong secret key.
        let wrong = |_: &str| Some(VerificationKey::new("not-the-secret"));
        let err = original
            .with_received(|request| verify(request, &wrong, signing_time(&case)))
            .expect_err("wrong SK");
        assert_eq!(err.kind(), SignatureMismatch);

        // Unsigned headers may change: the verifier uses the declared list. Every header
        // the case did not sign gets another value, and a header it did not sign is added
        // (one of `signed.len() + 1` names is not among the signed ones).
        let signed: Vec<&str> = out
            .canonical_request()
            .signed_headers()
            .split(';')
            .collect();
        let is_signed = |name: &str| signed.iter().any(|s| s.eq_ignore_ascii_case(name));
        let mut wire = Wire::from_case(&case, &out);
        for (name, value) in &mut wire.headers {
            if !is_signed(name) && !name.eq_ignore_ascii_case("Authorization") {
                *value = "changed-by-the-transport".into();
            }
        }
        let added = ["User-Agent".to_owned()]
            .into_iter()
            .chain((0..signed.len()).map(|i| format!("X-Unsigned-{i}")))
            .find(|name| !is_signed(name))
            .expect("more candidates than signed headers");
        wire.headers.push((added, "added-by-the-transport".into()));
        wire.verify_with(&keys_for(&case), signing_time(&case))
            .unwrap_or_else(|e| panic!("{}: unsigned headers must not matter: {e}", case.name));
    }
}

#[test]
fn the_date_window_is_fifteen_minutes_either_way() {
    let case = load(&vector_files()[0]).remove(0);
    let out = sign_case(&case).expect("signs");
    let wire = Wire::from_case(&case, &out);
    let keys = keys_for(&case);
    let t = signing_time(&case);
    let fifteen = Duration::from_secs(15 * 60);
    assert!(wire.verify_with(&keys, t + fifteen).is_ok());
    assert!(wire.verify_with(&keys, t - fifteen).is_ok());
    let err = wire
        .verify_with(&keys, t + fifteen + Duration::from_secs(1))
        .expect_err("expired");
    assert_eq!(err.kind(), VerifyErrorKind::DateOutOfWindow);
    let err = wire
        .verify_with(&keys, t - fifteen - Duration::from_secs(1))
        .expect_err("too early");
    assert_eq!(err.kind(), VerifyErrorKind::DateOutOfWindow);

    let strict = Verifier::new().with_max_skew(Duration::from_secs(30));
    wire.with_received(|request| {
        assert!(
            strict
                .verify(request, &keys, t + Duration::from_secs(31))
                .is_err()
        );
        assert!(
            strict
                .verify(request, &keys, t + Duration::from_secs(30))
                .is_ok()
        );
    });
}

#[test]
fn a_client_that_does_not_sign_content_type_verifies() {
    // The Go SDK leaves Content-Type out of SignedHeaders: sign without it, then send it.
    let creds = AccessKeyCredentials::new("AKGO", "go-secret");
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_335_300);
    let signed_headers = [("X-Project-Id", "p1")];
    let out = Signer::new(&creds, SigningSettings::default())
        .expect("signer")
        .sign(
            &SignableRequest::new("POST", "127.0.0.1:18080", "/v1/p1/ttsc/async-jobs")
                .with_headers(&signed_headers)
                .with_body(b"{\"text\":\"hi\"}"),
            t,
        )
        .expect("signs");
    assert_eq!(
        out.canonical_request().signed_headers(),
        "host;x-project-id;x-sdk-date"
    );
    let mut headers = vec![
        ("Host", "127.0.0.1:18080"),
        ("X-Project-Id", "p1"),
        ("Content-Type", "application/json"),
    ];
    headers.extend(out.headers());
    let request = ReceivedRequest::new(
        "POST",
        "/v1/p1/ttsc/async-jobs",
        "",
        &headers,
        b"{\"text\":\"hi\"}",
    );
    let keys = |ak: &str| (ak == "AKGO").then(|| VerificationKey::new("go-secret"));
    let identity = verify(&request, &keys, t).expect("verifies");
    assert_eq!(identity.access_key_id(), "AKGO");

    // Declaring a list without x-sdk-date is refused even with a valid signature format.
    let auth = out
        .authorization()
        .replace("host;x-project-id;x-sdk-date", "host;x-project-id");
    let mut headers: Vec<(&str, &str)> = headers
        .into_iter()
        .filter(|(n, _)| *n != "Authorization")
        .collect();
    headers.push(("Authorization", &auth));
    let request = ReceivedRequest::new(
        "POST",
        "/v1/p1/ttsc/async-jobs",
        "",
        &headers,
        b"{\"text\":\"hi\"}",
    );
    let err = verify(&request, &keys, t).expect_err("x-sdk-date unsigned");
    assert_eq!(err.kind(), VerifyErrorKind::MissingDate);
}

#[test]
fn v11_scope_must_match_the_date_and_the_keys_region() {
    let cases = all_cases();
    let case = cases
        .iter()
        .find(|c| c.algorithm == "V11-HMAC-SHA256")
        .expect("a V11 case");
    let out = sign_case(case).expect("signs");
    let wire = Wire::from_case(case, &out);
    let t = signing_time(case);
    let other_region = HashMap::from([(
        case.ak.clone(),
        VerificationKey::new(case.sk.as_str()).with_region("eu-west-0"),
    )]);
    let err = wire.verify_with(&other_region, t).expect_err("region");
    assert_eq!(err.kind(), VerifyErrorKind::ScopeMismatch);

    let mut wire = Wire::from_case(case, &out);
    let scope = out.scope().expect("scope");
    let day = &scope[..8];
    let other_day = if day == "20000101" {
        "20000102"
    } else {
        "20000101"
    };
    wire.set_header(
        "Authorization",
        &out.authorization().replace(day, other_day),
    );
    let err = wire.verify_with(&keys_for(case), t).expect_err("day");
    assert_eq!(err.kind(), VerifyErrorKind::ScopeMismatch);
}

#[test]
fn repeated_header_values_are_joined_with_commas() {
    let creds = AccessKeyCredentials::new("AK", "SK");
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_335_300);
    let out = Signer::new(&creds, SigningSettings::default())
        .expect("signer")
        .sign(
            &SignableRequest::new("GET", "h", "/").with_headers(&[("X-Multi", "a,b")]),
            t,
        )
        .expect("signs");
    let mut headers = vec![("Host", "h"), ("X-Multi", "a"), ("X-Multi", " b ")];
    headers.extend(out.headers());
    let request = ReceivedRequest::new("GET", "/", "", &headers, b"");
    let keys = |_: &str| Some(VerificationKey::new("SK"));
    verify(&request, &keys, t).expect("joined values verify");
}

#[test]
fn errors_and_keys_never_show_secrets() {
    let key = VerificationKey::new("super-secret-key");
    assert!(!format!("{key:?}").contains("super-secret-key"));
    let token = "security-token-value";
    let creds = AccessKeyCredentials::new("AK", "super-secret-key").with_security_token(token);
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_335_300);
    let out = Signer::new(&creds, SigningSettings::default())
        .expect("signer")
        .sign(&SignableRequest::new("GET", "h", "/"), t)
        .expect("signs");
    let mut headers = vec![("Host", "h")];
    headers.extend(out.headers());
    let request = ReceivedRequest::new("GET", "/tampered", "", &headers, b"");
    let keys = |_: &str| Some(VerificationKey::new("super-secret-key"));
    let err = verify(&request, &keys, t).expect_err("tampered");
    for shown in [
        format!("{err}"),
        format!("{err:?}"),
        err.canonical_request().expect("carried").to_gateway_form(),
        format!("{request:?}"),
    ] {
        assert!(!shown.contains("super-secret-key"), "{shown}");
        assert!(!shown.contains(token), "{shown}");
    }
    assert!(
        err.canonical_request()
            .expect("carried")
            .to_gateway_form()
            .contains("x-security-token:<redacted>")
    );

    // Untampered it verifies and reports the token.
    let request = ReceivedRequest::new("GET", "/", "", &headers, b"");
    assert!(
        verify(&request, &keys, t)
            .expect("verifies")
            .security_token_present()
    );
}
