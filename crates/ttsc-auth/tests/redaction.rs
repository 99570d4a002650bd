//! No secret reaches `Debug`, `Display`, error messages or logs: every public type that
//! holds or handles one is formatted here with known secrets, and the crate's `tracing`
//! output is captured while it logs in, discovers a project and reads a profile file.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ttsc_auth::clock::ManualClock;
use ttsc_auth::iam::{
    BoxFuture, IamError, IamRequest, IamResponse, IamTransport, PasswordLogin, PasswordTokenSource,
    ProjectIdResolver, StaticTokenSource, TokenScope, TokenSource, TransportError,
};
use ttsc_auth::provider::{
    CredentialsChain, EnvProvider, ExplicitCredentials, ExplicitProvider, ProfileProvider,
    ProvideCredentials, StaticEnv, vars,
};
use ttsc_auth::verify::{ReceivedRequest, VerificationKey, verify};
use ttsc_auth::{
    AccessKeyCredentials, Credentials, IamToken, MASK, SecretString, SignableRequest, Signer,
    SigningSettings,
};

const SK: &str = "SecretKeyValue0123456789abcdefSECRET";
const SECURITY_TOKEN: &str = "SecurityTokenValue-0123456789-TOKEN";
const PASSWORD: &str = "IamPasswordValue-0123-PASSWORD";
const ISSUED_TOKEN: &str = "IssuedIamTokenValue-0123456789-X-SUBJECT";
const USER_TOKEN: &str = "UserSuppliedTokenValue-0123-USER";

fn assert_clean(what: &str, shown: &str) {
    for secret in [SK, SECURITY_TOKEN, PASSWORD, ISSUED_TOKEN, USER_TOKEN] {
        assert!(!shown.contains(secret), "{what} shows a secret: {shown}");
    }
}

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_335_300)
}

/// An in-process IAM: issues `ISSUED_TOKEN` and one project, or fails once told to.
#[derive(Default)]
struct FakeIam {
    failing: AtomicBool,
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

/// A transport whose every call fails with a message and a source.
struct Broken;

impl IamTransport for Broken {
    fn send(&self, _request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
        Box::pin(async {
            Err(TransportError::with_source(
                "connection refused",
                std::io::Error::other("refused"),
            ))
        })
    }
}

#[test]
fn secret_types_print_the_fixed_mask() {
    assert_eq!(MASK, "<redacted>");
    assert_eq!(format!("{}", SecretString::new(SK)), MASK);
    assert_eq!(format!("{:?}", SecretString::new(SK)), MASK);
    assert_eq!(format!("{}", IamToken::new(USER_TOKEN)), MASK);
    assert_eq!(
        format!("{:?}", IamToken::new(USER_TOKEN)),
        "IamToken(<redacted>)"
    );
    let creds = AccessKeyCredentials::new("AKID", SK).with_security_token(SECURITY_TOKEN);
    assert_eq!(
        format!("{creds:?}"),
        "AccessKeyCredentials { access_key_id: \"AKID\", secret_access_key: <redacted>, security_token: Some(<redacted>) }"
    );
}

#[tokio::test]
async fn every_type_that_touches_a_secret_is_redacted() {
    let creds = AccessKeyCredentials::new("AKID", SK).with_security_token(SECURITY_TOKEN);
    let signer = Signer::new(&creds, SigningSettings::default()).expect("signer");
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Auth-Token", USER_TOKEN),
    ];
    let request = SignableRequest::new("GET", "h", "/v1/p").with_headers(&headers);
    let signed = signer.sign(&request, t0()).expect("signed");

    let mut shown = Vec::new();
    shown.push((
        "credentials",
        format!("{creds:?} {:?}", Credentials::from(creds.clone())),
    ));
    shown.push((
        "token credentials",
        format!("{:?}", Credentials::from(IamToken::new(USER_TOKEN))),
    ));
    shown.push(("signer", format!("{signer:?} {signer:#?}")));
    shown.push(("signable request", format!("{request:?}")));
    shown.push(("signing output", format!("{signed:?} {signed:#?}")));
    shown.push((
        "canonical request",
        format!(
            "{} {:?} {}",
            signed.canonical_request(),
            signed.canonical_request(),
            signed.canonical_request().to_gateway_form()
        ),
    ));

    // Providers, environments, resolved credentials and errors.
    let env = StaticEnv::new()
        .with_var(vars::AK, "AKID")
        .with_var(vars::SK, SK)
        .with_var(vars::SECURITY_TOKEN, SECURITY_TOKEN);
    let env_provider = EnvProvider::new(Arc::new(env.clone()));
    shown.push(("static env", format!("{env:?}")));
    shown.push((
        "env provider",
        format!("{env_provider:?} {:?}", env_provider.resolve()),
    ));
    let explicit = ExplicitCredentials::new()
        .with_access_key_id("AKID")
        .with_secret_access_key(SK)
        .with_security_token(SECURITY_TOKEN);
    shown.push((
        "explicit values",
        format!(
            "{explicit:?} {:?}",
            ExplicitProvider::new(explicit.clone()).resolve()
        ),
    ));
    let broken = ExplicitProvider::new(ExplicitCredentials::new().with_secret_access_key(SK));
    let err = broken.resolve().expect_err("incomplete");
    shown.push(("credentials error", format!("{err} {err:?}")));
    let chain = CredentialsChain::default_chain(
        Arc::new(StaticEnv::new().with_var(vars::SK, SK)),
        ExplicitCredentials::new().with_token(IamToken::new(USER_TOKEN)),
        None,
    );
    shown.push(("chain", format!("{chain:?} {:?}", chain.resolve())));

    // Token sources, IAM requests and responses, IAM errors.
    let clock = ManualClock::new(t0());
    let source = PasswordTokenSource::new(
        Arc::new(FakeIam::default()),
        "https://iam.example",
        PasswordLogin::new("alice", PASSWORD, "acct"),
        TokenScope::ProjectId("p-1".into()),
        Arc::new(clock.clone()),
    );
    let token = source.token().await.expect("token");
    assert_eq!(token.expose_secret(), ISSUED_TOKEN);
    shown.push((
        "password token source with a cached token",
        format!("{source:?} {source:#?}"),
    ));
    shown.push(("issued token", format!("{token} {token:?}")));
    shown.push((
        "password login",
        format!("{:?}", PasswordLogin::new("alice", PASSWORD, "acct")),
    ));
    let static_source: Arc<dyn TokenSource> =
        Arc::new(StaticTokenSource::new(IamToken::new(USER_TOKEN)));
    shown.push(("static token source", format!("{static_source:?}")));
    let login = IamRequest::new("POST", "https://iam.example/v3/auth/tokens")
        .with_header("X-Auth-Token", USER_TOKEN)
        .with_body(format!(r#"{{"password": "{PASSWORD}"}}"#));
    shown.push(("IAM request", format!("{login:?}")));
    let mut response = IamResponse::new(201);
    response
        .headers
        .push(("X-Subject-Token".into(), ISSUED_TOKEN.into()));
    response.body = ISSUED_TOKEN.as_bytes().to_vec();
    shown.push(("IAM response", format!("{response:?}")));
    let failing = PasswordTokenSource::new(
        Arc::new(Broken),
        "https://iam.example",
        PasswordLogin::new("alice", PASSWORD, "acct"),
        TokenScope::ProjectName("cn-north-4".into()),
        Arc::new(clock.clone()),
    );
    let err: IamError = failing.token().await.expect_err("broken transport");
    let mut chain_text = String::new();
    let mut cause: Option<&dyn std::error::Error> = Some(&err);
    while let Some(e) = cause {
        let _ = write!(chain_text, "{e}: ");
        cause = e.source();
    }
    shown.push(("IAM error chain", format!("{chain_text} {err:?}")));

    // The verifier's key and errors.
    let key = VerificationKey::new(SK);
    shown.push(("verification key", format!("{key:?}")));
    let mut received_headers = vec![
        ("Host", "h"),
        ("Content-Type", "application/json"),
        ("X-Auth-Token", USER_TOKEN),
    ];
    received_headers.extend(signed.headers());
    let received = ReceivedRequest::new("GET", "/v1/tampered", "", &received_headers, b"");
    let err =
        verify(&received, &|_: &str| Some(VerificationKey::new(SK)), t0()).expect_err("tampered");
    shown.push(("received request", format!("{received:?}")));
    shown.push((
        "verify error",
        format!("{err} {err:?} {}", err.gateway_message()),
    ));

    for (what, text) in &shown {
        assert_clean(what, text);
    }
    assert!(shown.iter().any(|(_, text)| text.contains(MASK)));
}

/// A `tracing` subscriber that writes every event's fields to a string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = self.0.lock().expect("not poisoned");
        let _ = write!(text, "{} ", event.metadata().level());
        event.record(&mut Fields(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn nothing_the_crate_logs_contains_a_secret() {
    let capture = Capture::default();
    let logs = Arc::clone(&capture.0);
    tracing::subscriber::with_default(capture, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let clock = ManualClock::new(t0());
            let iam: Arc<FakeIam> = Arc::default();
            let source = PasswordTokenSource::new(
                iam.clone(),
                "https://iam.example",
                PasswordLogin::new("alice", PASSWORD, "acct"),
                TokenScope::ProjectId("p-1".into()),
                Arc::new(clock.clone()),
            );
            source.token().await.expect("login");
            // A failed refresh while the token is still valid logs a warning.
            iam.failing.store(true, Ordering::SeqCst);
            clock.advance(Duration::from_secs(23 * 3600 + 30 * 60));
            assert_eq!(
                source.token().await.expect("still valid").expose_secret(),
                ISSUED_TOKEN
            );
            iam.failing.store(false, Ordering::SeqCst);

            let signer = Signer::new(
                &AccessKeyCredentials::new("AKID", SK).with_security_token(SECURITY_TOKEN),
                SigningSettings::default(),
            )
            .expect("signer");
            let resolver =
                ProjectIdResolver::new(iam.clone(), "https://iam.example", Arc::new(clock.clone()));
            assert_eq!(
                resolver
                    .project_id(&signer, "cn-north-4")
                    .await
                    .expect("project"),
                "p-1"
            );
        });

        // A world-readable profile file warns; the chain logs where credentials came from.
        let dir = std::env::temp_dir().join(format!("ttsc-auth-redaction-{}", std::process::id()));
        let path = dir.join(".huaweicloud").join("credentials");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &path,
            format!("[basic]\nak = AKID\nsk = {SK}\nsecurity_token = {SECURITY_TOKEN}\n"),
        )
        .expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        let env = Arc::new(StaticEnv::new().with_home(&dir));
        ProfileProvider::new(env.clone())
            .resolve()
            .expect("profile");
        CredentialsChain::default_chain(env, ExplicitCredentials::new(), None)
            .resolve()
            .expect("chain");
        let _ = std::fs::remove_dir_all(&dir);
    });
    let logs = logs.lock().expect("not poisoned").clone();
    assert!(logs.contains("obtained IAM token"), "{logs}");
    assert!(logs.contains("discovered project id"), "{logs}");
    assert!(logs.contains("token refresh failed"), "{logs}");
    #[cfg(unix)]
    assert!(logs.contains("readable by other users"), "{logs}");
    assert_clean("tracing output", &logs);
}
