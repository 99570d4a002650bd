//! Authentication like the gateway: the three signing algorithms, tampering, the
//! 15-minute window, lockout, temporary credentials, IAM tokens, project checks, and the
//! `Date` / `X-Request-Id` headers.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{Api, Req, start_emulator};
use serde_json::json;
use ttsc_auth::clock::{Clock, ManualClock, parse_http_date};
use ttsc_auth::{AccessKeyCredentials, SigningSettings};
use ttsc_emulator::Emulator;

async fn emulator() -> (Emulator, Api) {
    start_emulator(Emulator::builder()).await
}

fn list(api: &Api) -> Req {
    Req::new("GET", api.tts("tts-jobs")).query("limit", 10)
}

#[tokio::test]
async fn each_signing_algorithm_is_accepted() {
    let (_emu, mut api) = emulator().await;
    for settings in [
        SigningSettings::default(),
        SigningSettings::derived("cn-north-4", "metastudio"),
        SigningSettings::sm3(),
    ] {
        api.settings = settings.clone();
        let r = api.call(list(&api)).await;
        assert_eq!(
            r.status,
            200,
            "{settings:?}: {}",
            String::from_utf8_lossy(&r.body)
        );
        // A body is signed too.
        let r = api
            .call(Req::new("POST", api.tts("async-jobs")).json(&common::job_body("signed body")))
            .await;
        assert_eq!(r.status, 200, "{settings:?}");
    }
    // V11 scoped to another region is refused.
    api.settings = SigningSettings::derived("cn-east-3", "metastudio");
    let r = api.call(list(&api)).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
}

#[tokio::test]
async fn wrong_keys_and_tampering_are_refused_like_the_gateway() {
    let (emu, mut api) = emulator().await;
    let good = api.creds.clone();
    api.creds = AccessKeyCredentials::new(emu.credentials().access_key_id(), "wrong-secret");
    let r = api.call(list(&api)).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
    let msg = r.error_msg();
    assert!(
        msg.starts_with("Incorrect IAM authentication information: verify aksk signature fail, SignedHeaders:content-type;host;x-project-id;x-sdk-date, CanonicalRequest:GET|/v1/"),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    api.creds = AccessKeyCredentials::new("UNKNOWNAK", "x");
    assert_eq!(api.call(list(&api)).await.status, 401);
    api.creds = good;

    let now = SystemTime::now();
    // Path: signed for one job, sent to another.
    let (target, headers) = api.sign(&Req::new("GET", api.tts("async-jobs/aaa")), now);
    let r = api
        .send_raw("GET", &target.replace("/aaa", "/bbb"), &headers, vec![])
        .await;
    assert_eq!(r.status, 401, "tampered path");
    assert!(r.error_msg().contains("verify aksk signature fail"));
    // Query.
    let (target, headers) = api.sign(&list(&api), now);
    let r = api
        .send_raw(
            "GET",
            &target.replace("limit=10", "limit=11"),
            &headers,
            vec![],
        )
        .await;
    assert_eq!(r.status, 401, "tampered query");
    // A signed header.
    let (target, mut headers) = api.sign(&list(&api), now);
    for (k, v) in &mut headers {
        if k == "Content-Type" {
            *v = "text/plain".into();
        }
    }
    assert_eq!(
        api.send_raw("GET", &target, &headers, vec![]).await.status,
        401
    );
    // A body.
    let req = Req::new("POST", api.tts("async-jobs")).json(&common::job_body("original"));
    let (target, headers) = api.sign(&req, now);
    let body = serde_json::to_vec(&common::job_body("tampered")).unwrap();
    assert_eq!(
        api.send_raw("POST", &target, &headers, body).await.status,
        401
    );
    // x-sdk-date left out of SignedHeaders.
    let (target, mut headers) = api.sign(&list(&api), now);
    for (k, v) in &mut headers {
        if k == "Authorization" {
            *v = v.replace(";x-sdk-date", "");
        }
    }
    let r = api.send_raw("GET", &target, &headers, vec![]).await;
    assert_eq!(r.status, 401);
    assert!(r.error_msg().contains("x-sdk-date"), "{}", r.error_msg());
    // No credentials at all.
    let r = api.send_raw("GET", &api.tts("tts-jobs"), &[], vec![]).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
    // The untampered request still works.
    let (target, headers) = api.sign(&list(&api), now);
    assert_eq!(
        api.send_raw("GET", &target, &headers, vec![]).await.status,
        200
    );
}

#[tokio::test]
async fn the_fifteen_minute_window_follows_the_emulator_clock() {
    for (offset, accepted) in [(-1200_i64, false), (-600, true), (600, true), (1200, false)] {
        let (_emu, api) = start_emulator(Emulator::builder().clock_offset_secs(offset)).await;
        let r = api.call(list(&api)).await;
        let date = parse_http_date(r.header("date").expect("Date header")).unwrap();
        let skew = match date.duration_since(SystemTime::now()) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        assert!(
            (skew - offset).abs() <= 2,
            "Date shows the shifted clock: {skew} vs {offset}"
        );
        if accepted {
            assert_eq!(r.status, 200, "offset {offset}");
        } else {
            assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
            assert_eq!(
                r.error_msg(),
                "Incorrect IAM authentication information: calc ak sk signature fail:signature expired"
            );
            // Signing with the server's time (as a skew-correcting client does) works.
            let r = api.call_at(list(&api), date).await;
            assert_eq!(r.status, 200, "corrected for offset {offset}");
        }
    }
}

#[tokio::test]
async fn an_access_key_failing_more_than_five_times_is_locked_for_five_minutes() {
    let clock = ManualClock::new(SystemTime::now());
    let (emu, mut api) = start_emulator(Emulator::builder().clock(Arc::new(clock.clone()))).await;
    let good = api.creds.clone();
    let bad = AccessKeyCredentials::new(emu.credentials().access_key_id(), "wrong");
    // Five failures, then a success: the run is broken, nothing is locked.
    api.creds = bad.clone();
    for _ in 0..5 {
        assert_eq!(api.call_at(list(&api), clock.now()).await.status, 401);
    }
    api.creds = good.clone();
    assert_eq!(api.call_at(list(&api), clock.now()).await.status, 200);
    // Six in a row lock the key, even for correct signatures.
    api.creds = bad;
    for _ in 0..6 {
        assert_eq!(api.call_at(list(&api), clock.now()).await.status, 401);
    }
    api.creds = good;
    let r = api.call_at(list(&api), clock.now()).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
    assert_eq!(
        r.error_msg(),
        "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden."
    );
    clock.advance(Duration::from_secs(299));
    assert_eq!(api.call_at(list(&api), clock.now()).await.status, 401);
    clock.advance(Duration::from_secs(2));
    assert_eq!(api.call_at(list(&api), clock.now()).await.status, 200);
}

#[tokio::test]
async fn temporary_credentials_need_their_security_token() {
    let (emu, mut api) = start_emulator(Emulator::builder().temporary_access_key(
        "TMPAK0000000000001",
        "tmp-secret",
        Some("sts-token".into()),
    ))
    .await;
    api.creds = AccessKeyCredentials::new("TMPAK0000000000001", "tmp-secret")
        .with_security_token("sts-token");
    assert_eq!(api.call(list(&api)).await.status, 200);
    api.creds = AccessKeyCredentials::new("TMPAK0000000000001", "tmp-secret")
        .with_security_token("another-token");
    let r = api.call(list(&api)).await;
    assert!(r.status == 401 && r.error_msg().contains("security token"));
    api.creds = AccessKeyCredentials::new("TMPAK0000000000001", "tmp-secret");
    assert_eq!(api.call(list(&api)).await.status, 401);
    // A permanent key with a security token is refused too.
    api.creds = emu
        .credentials()
        .access_key_credentials()
        .with_security_token("sts-token");
    assert_eq!(api.call(list(&api)).await.status, 401);
}

#[tokio::test]
async fn iam_tokens_are_issued_used_and_expire() {
    let clock = ManualClock::new(SystemTime::now());
    let (emu, api) = start_emulator(
        Emulator::builder()
            .clock(Arc::new(clock.clone()))
            .iam_user("alice", "s3cret")
            .domain("acme"),
    )
    .await;
    let login = |password: &str, scope: serde_json::Value| {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "alice", "password": password, "domain": {"name": "acme"}}}},
            "scope": scope}});
        let headers = vec![(
            "Content-Type".to_owned(),
            "application/json;charset=utf8".to_owned(),
        )];
        let api = &api;
        async move {
            api.send_raw(
                "POST",
                "/v3/auth/tokens",
                &headers,
                serde_json::to_vec(&body).unwrap(),
            )
            .await
        }
    };
    let r = login("wrong", json!({"project": {"name": "cn-north-4"}})).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], 401);
    let r = login("s3cret", json!({"project": {"name": "cn-east-3"}})).await;
    assert_eq!(r.status, 400);

    let r = login("s3cret", json!({"project": {"name": "cn-north-4"}})).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let token = r
        .header("x-subject-token")
        .expect("X-Subject-Token")
        .to_owned();
    let v = r.json();
    assert_eq!(v["token"]["project"]["id"], emu.credentials().project_id());
    let expires = time::OffsetDateTime::parse(
        v["token"]["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = time::OffsetDateTime::from(clock.now());
    assert!(((expires - now).whole_seconds() - 86_400).abs() <= 1);

    let with_token = |t: &str, path: String| {
        let headers = vec![("X-Auth-Token".to_owned(), t.to_owned())];
        let api = &api;
        async move { api.send_raw("GET", &path, &headers, vec![]).await }
    };
    assert_eq!(with_token(&token, api.tts("tts-jobs")).await.status, 200);
    let r = with_token(&token, "/v3/projects?name=cn-north-4".into()).await;
    assert_eq!(
        r.json()["projects"][0]["id"],
        emu.credentials().project_id()
    );
    let r = with_token("MIIEnotatoken", api.tts("tts-jobs")).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0301"));
    assert!(r.error_msg().contains("decrypt token fail"));
    let r = with_token(&token, "/v1/other-project/ttsc/tts-jobs".into()).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "MSS.00010009"));

    // Scoped by project id works too.
    let pid = emu.credentials().project_id().to_owned();
    assert_eq!(
        login("s3cret", json!({"project": {"id": pid}}))
            .await
            .status,
        201
    );

    clock.advance(Duration::from_secs(24 * 3600 + 1));
    let r = with_token(&token, api.tts("tts-jobs")).await;
    assert_eq!((r.status, r.error_code().as_str()), (401, "APIGW.0307"));
}

#[tokio::test]
async fn projects_are_discovered_with_a_signature() {
    let (emu, api) = emulator().await;
    let r = api
        .call(Req::new("GET", "/v3/projects").query("name", "cn-north-4"))
        .await;
    assert_eq!(r.status, 200);
    let projects = r.json()["projects"].as_array().unwrap().clone();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], emu.credentials().project_id());
    assert_eq!(projects[0]["name"], "cn-north-4");
    let r = api
        .call(Req::new("GET", "/v3/projects").query("name", "ap-southeast-3"))
        .await;
    assert_eq!(r.json()["projects"], json!([]));
    let r = api
        .send_raw("GET", "/v3/projects?name=cn-north-4", &[], vec![])
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn a_foreign_project_id_is_forbidden() {
    let (_emu, mut api) = emulator().await;
    let r = api
        .call(Req::new("GET", "/v1/someone-else/ttsc/tts-jobs"))
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "MSS.00010009"));
    let r = api
        .call(list(&api).header("X-Project-Id-Override", "x"))
        .await;
    assert_eq!(r.status, 200);
    // X-Project-Id naming another project than the path.
    let path = api.tts("tts-jobs");
    api.project = "someone-else".into();
    let (target, headers) = api.sign(&Req::new("GET", path), SystemTime::now());
    let r = api.send_raw("GET", &target, &headers, vec![]).await;
    assert_eq!((r.status, r.error_code().as_str()), (403, "MSS.00010009"));
}

#[tokio::test]
async fn every_response_has_date_and_request_id() {
    let (_emu, api) = emulator().await;
    let r = api
        .call(list(&api).header("X-Request-Id", "my-trace-1"))
        .await;
    assert_eq!(r.header("x-request-id"), Some("my-trace-1"));
    let r = api.call(list(&api)).await;
    let id = r.header("x-request-id").unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let r = api.send_raw("GET", "/nowhere", &[], vec![]).await;
    assert_eq!(r.status, 404);
    assert!(r.header("date").is_some());
    assert_eq!(r.json()["request_id"].as_str(), r.header("x-request-id"));
}

#[tokio::test]
async fn a_signed_utf8_header_value_is_verified_as_the_bytes_received() {
    let (_emu, api) = emulator().await;
    let r = api
        .call(
            Req::new("POST", api.tts("async-jobs"))
                .header("X-App-UserId", "café")
                .json(&common::job_body("a user id with an accent")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}
