//! No secret reaches `Debug`, `Display` or error messages: every public type that holds or
//! handles one is formatted here with known secrets. What the crate logs is checked in
//! `redaction_logs.rs`, a binary of its own.

mod secrets;

use std::fmt::Write as _;
use std::sync::Arc;

use secrets::{FakeIam, ISSUED_TOKEN, PASSWORD, SECURITY_TOKEN, SK, USER_TOKEN, assert_clean, t0};
use ttsc_auth::clock::ManualClock;
use ttsc_auth::iam::{
    BoxFuture, IamError, IamRequest, IamResponse, IamTransport, PasswordLogin, PasswordTokenSource,
    StaticTokenSource, TokenScope, TokenSource, TransportError,
};
use ttsc_auth::provider::{
    CredentialsChain, EnvProvider, ExplicitCredentials, ExplicitProvider, ProvideCredentials,
    StaticEnv, vars,
};
use ttsc_auth::verify::{ReceivedRequest, VerificationKey, verify};
use ttsc_auth::{
    AccessKeyCredentials, Credentials, IamToken, MASK, SecretString, SignableRequest, Signer,
    SigningSettings,
};

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
        format!("{err} {err:?} {:?}", err.canonical_request()),
    ));

    for (what, text) in &shown {
        assert_clean(what, text);
    }
    assert!(shown.iter().any(|(_, text)| text.contains(MASK)));
}
