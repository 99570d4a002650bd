//! IAM token sources and project discovery against a mock IAM (mockito), through a tiny
//! reqwest transport, with an injected clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mockito::Matcher;
use ttsc_auth::clock::ManualClock;
use ttsc_auth::iam::{
    BoxFuture, IamError, IamRequest, IamResponse, IamTransport, PasswordLogin, PasswordTokenSource,
    ProjectIdResolver, StaticTokenSource, TokenScope, TokenSource, TransportError,
};
use ttsc_auth::verify::{ReceivedRequest, VerificationKey, verify};
use ttsc_auth::{AccessKeyCredentials, IamToken, Signer, SigningSettings};

const PASSWORD: &str = "Iam-Pa55word-Never-Shown";
const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "Ex4mpleSecretKeyForTestVectorsOnly0000001";

/// 2026-11-22T08:15:00Z
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_335_300)
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// The transport ttsc-client will have, reduced to what the tests need.
struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            client: {
                // Under workspace feature unification reqwest may be built with
                // `rustls-no-provider`; give it one. A no-op when a provider is installed.
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::new()
            },
        })
    }
}

impl IamTransport for ReqwestTransport {
    fn send(&self, request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|e| TransportError::with_source("invalid method", e))?;
            let mut builder = self.client.request(method, &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let response = builder
                .body(request.body)
                .send()
                .await
                .map_err(|e| TransportError::with_source("request failed", e))?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response
                .bytes()
                .await
                .map_err(|e| TransportError::with_source("reading the body failed", e))?
                .to_vec();
            Ok(IamResponse {
                status,
                headers,
                body,
            })
        })
    }
}

fn login() -> PasswordLogin {
    PasswordLogin::new("alice", PASSWORD, "example-account")
}

fn expected_login_body(scope: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "password": PASSWORD, "domain": {"name": "example-account"}}}},
        "scope": {"project": scope}}})
}

/// A token endpoint that counts logins and issues `token-N` valid for `lifetime` from
/// the clock's time at the moment of the request.
async fn token_endpoint(
    server: &mut mockito::ServerGuard,
    clock: &ManualClock,
    lifetime: Duration,
    delay: Duration,
) -> (mockito::Mock, Arc<AtomicUsize>) {
    let logins = Arc::new(AtomicUsize::new(0));
    let (counter, body_clock) = (Arc::clone(&logins), clock.clone());
    let mock = server
        .mock("POST", "/v3/auth/tokens")
        .match_header("content-type", "application/json;charset=utf8")
        .match_header("x-auth-token", Matcher::Missing)
        .match_header("authorization", Matcher::Missing)
        .match_body(Matcher::Json(expected_login_body(
            &serde_json::json!({"id": "p1"}),
        )))
        .with_status(201)
        .with_header_from_request("X-Subject-Token", move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            // Keep the login in flight long enough for every caller to pile up.
            std::thread::sleep(delay);
            format!("token-{n}")
        })
        .with_body_from_request(move |_| {
            let expires = use_clock(&body_clock) + lifetime;
            format!(
                r#"{{"token": {{"expires_at": "{}", "methods": ["password"]}}}}"#,
                rfc3339(expires)
            )
            .into_bytes()
        })
        .expect_at_least(0)
        .create_async()
        .await;
    (mock, logins)
}

fn use_clock(clock: &ManualClock) -> SystemTime {
    use ttsc_auth::clock::Clock;
    clock.now()
}

fn password_source(server: &mockito::ServerGuard, clock: &ManualClock) -> PasswordTokenSource {
    PasswordTokenSource::new(
        ReqwestTransport::new(),
        server.url(),
        login(),
        TokenScope::ProjectId("p1".into()),
        Arc::new(clock.clone()),
    )
}

/// A mock IAM serving [`token_endpoint`], and a password source logging in to it: the
/// server, the endpoint's mock, its login counter and the source.
async fn token_iam(
    clock: &ManualClock,
    lifetime: Duration,
    delay: Duration,
) -> (
    mockito::ServerGuard,
    mockito::Mock,
    Arc<AtomicUsize>,
    PasswordTokenSource,
) {
    let mut server = mockito::Server::new_async().await;
    let (mock, logins) = token_endpoint(&mut server, clock, lifetime, delay).await;
    let source = password_source(&server, clock);
    (server, mock, logins, source)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_trigger_one_login() {
    let clock = ManualClock::new(t0());
    let (_server, _mock, logins, source) = token_iam(
        &clock,
        Duration::from_secs(24 * 3600),
        Duration::from_millis(300),
    )
    .await;
    let source = Arc::new(source);

    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (source, barrier) = (Arc::clone(&source), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                source.token().await
            })
        })
        .collect();
    for task in tasks {
        let token = task.await.expect("joined").expect("token");
        assert_eq!(token.expose_secret(), "token-1");
    }
    assert_eq!(
        logins.load(Ordering::SeqCst),
        1,
        "16 concurrent callers, one login"
    );

    // Through the object-safe trait too.
    let dynamic: Arc<dyn TokenSource> = source;
    assert_eq!(
        dynamic.token().await.expect("cached").header(),
        ("X-Auth-Token", "token-1")
    );
    assert_eq!(logins.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_token_is_refreshed_before_it_expires() {
    let clock = ManualClock::new(t0());
    let (_server, _mock, logins, source) =
        token_iam(&clock, Duration::from_secs(24 * 3600), Duration::ZERO).await;

    assert_eq!(
        source.token().await.expect("login").expose_secret(),
        "token-1"
    );
    assert_eq!(
        source.cached_expiry(),
        Some(t0() + Duration::from_secs(24 * 3600))
    );

    // 23 hours in: more than 40 minutes left, the cached token is used.
    clock.advance(Duration::from_secs(23 * 3600));
    assert_eq!(
        source.token().await.expect("cached").expose_secret(),
        "token-1"
    );
    assert_eq!(logins.load(Ordering::SeqCst), 1);

    // 39 minutes before expiry: refreshed ahead of time, with the default 40-minute margin.
    clock.advance(Duration::from_secs(21 * 60));
    assert_eq!(
        source.token().await.expect("refreshed").expose_secret(),
        "token-2"
    );
    assert_eq!(logins.load(Ordering::SeqCst), 2);
    assert_eq!(
        source.token().await.expect("cached").expose_secret(),
        "token-2"
    );
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_refresh_margin_is_configurable_and_short_tokens_refresh_half_way() {
    let clock = ManualClock::new(t0());
    let (_server, _mock, logins, source) =
        token_iam(&clock, Duration::from_secs(3600), Duration::ZERO).await;
    let source = source.with_refresh_margin(Duration::from_secs(10 * 60));

    source.token().await.expect("login");
    clock.advance(Duration::from_secs(49 * 60));
    source.token().await.expect("cached");
    assert_eq!(logins.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(2 * 60));
    assert_eq!(
        source.token().await.expect("refreshed").expose_secret(),
        "token-2"
    );

    // A one-hour token with the default 40-minute margin... and a 20-minute token, whose
    // whole life is inside the margin, is refreshed half-way instead of on every call.
    let (_server, _mock, logins, source) =
        token_iam(&clock, Duration::from_secs(20 * 60), Duration::ZERO).await;
    source.token().await.expect("login");
    clock.advance(Duration::from_secs(9 * 60));
    source.token().await.expect("cached");
    assert_eq!(logins.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(2 * 60));
    source.token().await.expect("refreshed");
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn invalidate_forces_a_new_login() {
    let clock = ManualClock::new(t0());
    let (_server, _mock, logins, source) =
        token_iam(&clock, Duration::from_secs(24 * 3600), Duration::ZERO).await;
    source.token().await.expect("login");
    TokenSource::invalidate(&source).await;
    assert_eq!(source.cached_expiry(), None);
    assert_eq!(
        source.token().await.expect("login").expose_secret(),
        "token-2"
    );
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_valid_token_and_a_failed_login_is_an_error() {
    let clock = ManualClock::new(t0());
    let (mut server, ok, _, source) =
        token_iam(&clock, Duration::from_secs(3600), Duration::ZERO).await;
    source.token().await.expect("login");
    ok.remove_async().await;

    let failing = server
        .mock("POST", "/v3/auth/tokens")
        .with_status(401)
        .with_header("X-IAM-Trace-Id", "trace-42")
        .with_body(r#"{"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}"#)
        .expect(2)
        .create_async()
        .await;

    // Inside the refresh window the old token is still valid: keep it, retry later.
    clock.advance(Duration::from_secs(45 * 60));
    assert_eq!(
        source.token().await.expect("still valid").expose_secret(),
        "token-1"
    );
    assert_eq!(
        source.token().await.expect("no retry yet").expose_secret(),
        "token-1"
    );

    // Once expired, the failure surfaces, without the password.
    clock.advance(Duration::from_secs(20 * 60));
    let err = source.token().await.expect_err("expired and login fails");
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "IAM token request answered HTTP 401: 401 The username or password is wrong."
    );
    assert!(matches!(&err, IamError::Status { request_id: Some(id), .. } if id == "trace-42"));
    for shown in [format!("{err}"), format!("{err:?}"), format!("{source:?}")] {
        assert!(!shown.contains(PASSWORD), "{shown}");
        assert!(!shown.contains("token-1"), "{shown}");
    }
    failing.assert_async().await;
}

#[tokio::test]
async fn a_response_without_a_subject_token_or_expiry_is_rejected() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::new(t0());
    let no_header = server
        .mock("POST", "/v3/auth/tokens")
        .with_status(201)
        .with_body(r#"{"token": {"expires_at": "2026-11-23T08:15:00.000000Z"}}"#)
        .create_async()
        .await;
    let err = password_source(&server, &clock)
        .token()
        .await
        .expect_err("no header");
    assert!(matches!(err, IamError::MissingSubjectToken), "{err:?}");
    no_header.remove_async().await;

    server
        .mock("POST", "/v3/auth/tokens")
        .with_status(201)
        .with_header("X-Subject-Token", "token-x")
        .with_body(r#"{"token": {"expires_at": "tomorrow"}}"#)
        .create_async()
        .await;
    let err = password_source(&server, &clock)
        .token()
        .await
        .expect_err("bad expiry");
    assert!(matches!(err, IamError::InvalidResponse { .. }), "{err:?}");
    assert!(!err.to_string().contains("token-x"), "{err}");
}

#[tokio::test]
async fn login_scoped_by_region_name_and_a_fractional_expiry() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::new(t0());
    let mock = server
        .mock("POST", "/v3/auth/tokens")
        .match_body(Matcher::Json(expected_login_body(
            &serde_json::json!({"name": "cn-north-4"}),
        )))
        .with_status(201)
        .with_header("X-Subject-Token", "region-token")
        .with_body(r#"{"token": {"expires_at": "2026-11-23T08:15:00.123000Z"}}"#)
        .expect(1)
        .create_async()
        .await;
    let source = PasswordTokenSource::new(
        ReqwestTransport::new(),
        format!("{}/", server.url()),
        login(),
        TokenScope::ProjectName("cn-north-4".into()),
        Arc::new(clock.clone()),
    );
    assert_eq!(
        source.token().await.expect("token").expose_secret(),
        "region-token"
    );
    assert_eq!(
        source.cached_expiry(),
        Some(t0() + Duration::from_secs(24 * 3600) + Duration::from_millis(123))
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn a_user_supplied_token_is_used_as_is() {
    let source: Arc<dyn TokenSource> =
        Arc::new(StaticTokenSource::new(IamToken::new("user-token-secret")));
    assert_eq!(
        source.token().await.expect("token").expose_secret(),
        "user-token-secret"
    );
    source.invalidate().await;
    assert_eq!(
        source.token().await.expect("token").expose_secret(),
        "user-token-secret"
    );
    assert!(!format!("{source:?}").contains("user-token-secret"));
}

#[tokio::test]
async fn transport_failures_are_typed_errors() {
    let clock = ManualClock::new(t0());
    let source = PasswordTokenSource::new(
        ReqwestTransport::new(),
        "http://127.0.0.1:1",
        login(),
        TokenScope::ProjectId("p1".into()),
        Arc::new(clock),
    );
    let err = source.token().await.expect_err("nothing listens on port 1");
    assert!(err.is_transport(), "{err:?}");
    assert_eq!(err.to_string(), "IAM token request failed");
    assert!(std::error::Error::source(&err).is_some());
}

/// A project-discovery endpoint that only answers requests our verifier accepts.
async fn projects_endpoint(
    server: &mut mockito::ServerGuard,
    region: &str,
    body: &str,
    hits: usize,
) -> mockito::Mock {
    server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::UrlEncoded("name".into(), region.into()))
        .match_request(|request| {
            let headers: Vec<(String, String)> = request
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_owned(),
                        v.to_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let (path, query) = request
                .path_and_query()
                .split_once('?')
                .unwrap_or((request.path_and_query(), ""));
            let received = ReceivedRequest::new(request.method(), path, query, &headers, b"");
            let keys = |ak: &str| (ak == AK).then(|| VerificationKey::new(SK));
            verify(&received, &keys, t0()).is_ok()
        })
        .with_status(200)
        .with_body(body)
        .expect(hits)
        .create_async()
        .await
}

fn new_resolver(server: &mockito::ServerGuard) -> ProjectIdResolver {
    ProjectIdResolver::new(
        ReqwestTransport::new(),
        server.url(),
        Arc::new(ManualClock::new(t0())),
    )
}

fn signer() -> Signer {
    Signer::new(
        &AccessKeyCredentials::new(AK, SK),
        SigningSettings::default(),
    )
    .expect("signer")
}

#[tokio::test]
async fn project_discovery_is_signed_and_cached_per_key_and_region() {
    let mut server = mockito::Server::new_async().await;
    let north = projects_endpoint(
        &mut server,
        "cn-north-4",
        r#"{"projects": [{"id": "3f0924078d1b471c884a5383d4dec9fa", "name": "cn-north-4"}], "links": {}}"#,
        1,
    )
    .await;
    let east = projects_endpoint(
        &mut server,
        "cn-east-3",
        r#"{"projects": [{"id": "east-id", "name": "cn-east-3"}]}"#,
        1,
    )
    .await;
    let resolver = new_resolver(&server);
    let signer = signer();
    assert_eq!(resolver.cached(AK, "cn-north-4"), None);
    for _ in 0..3 {
        assert_eq!(
            resolver
                .project_id(&signer, "cn-north-4")
                .await
                .expect("found"),
            "3f0924078d1b471c884a5383d4dec9fa"
        );
    }
    assert_eq!(
        resolver
            .project_id(&signer, "cn-east-3")
            .await
            .expect("found"),
        "east-id"
    );
    assert_eq!(resolver.cached(AK, "cn-east-3").as_deref(), Some("east-id"));
    north.assert_async().await;
    east.assert_async().await;

    // Temporary credentials: the security token is sent and signed.
    let temp = Signer::new(
        &AccessKeyCredentials::new(AK, SK).with_security_token("temporary-security-token"),
        SigningSettings::default(),
    )
    .expect("signer");
    let with_token = server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::UrlEncoded("name".into(), "ap-southeast-3".into()))
        .match_header("x-security-token", "temporary-security-token")
        .match_header(
            "authorization",
            Matcher::Regex("SignedHeaders=host;x-sdk-date;x-security-token,".into()),
        )
        .with_body(r#"{"projects": [{"id": "sg-id"}]}"#)
        .expect(1)
        .create_async()
        .await;
    assert_eq!(
        resolver
            .project_id(&temp, "ap-southeast-3")
            .await
            .expect("found"),
        "sg-id"
    );
    with_token.assert_async().await;
    assert!(!format!("{resolver:?} {temp:?}").contains("temporary-security-token"));
}

#[tokio::test]
async fn project_discovery_fails_clearly_on_zero_or_several_matches() {
    let mut server = mockito::Server::new_async().await;
    projects_endpoint(&mut server, "cn-north-4", r#"{"projects": []}"#, 1).await;
    projects_endpoint(
        &mut server,
        "cn-east-3",
        r#"{"projects": [{"id": "a"}, {"id": "b"}]}"#,
        2,
    )
    .await;
    let resolver = new_resolver(&server);
    let signer = signer();

    let err = resolver
        .project_id(&signer, "cn-north-4")
        .await
        .expect_err("none");
    assert!(matches!(err, IamError::NoProject { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "no IAM project named `cn-north-4` in this account; check the region or set the project id"
    );

    let err = resolver
        .project_id(&signer, "cn-east-3")
        .await
        .expect_err("several");
    assert_eq!(
        err.to_string(),
        "2 IAM projects are named `cn-east-3` (a, b); set the project id explicitly"
    );
    // Failures are not cached.
    assert!(resolver.project_id(&signer, "cn-east-3").await.is_err());

    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_body(r#"{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail", "request_id": "r-1"}"#)
        .create_async()
        .await;
    let err = new_resolver(&server)
        .project_id(&signer, "cn-north-4")
        .await
        .expect_err("401");
    assert_eq!(
        err.to_string(),
        "IAM project discovery request answered HTTP 401: APIGW.0301 Incorrect IAM authentication information: verify aksk signature fail"
    );
    assert!(!format!("{err:?}").contains(SK));
}
