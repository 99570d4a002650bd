//! Nothing `ttsc-auth` logs contains a secret: its `tracing` output is captured while it
//! logs in, refreshes a token, discovers a project and reads a profile file.
//!
//! This test is alone in its binary on purpose. `tracing` caches each call site's interest
//! when the site first fires; a test on another thread of the same binary that reaches a
//! call site while this test installs its subscriber can leave the site cached as
//! "never", and the event is then missing from the capture (seen in CI as a missing
//! "obtained IAM token"). A binary of one test has no other thread to race with.

mod secrets;

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrets::{FakeIam, ISSUED_TOKEN, PASSWORD, SECURITY_TOKEN, SK, assert_clean, t0};
use ttsc_auth::clock::ManualClock;
use ttsc_auth::iam::{PasswordLogin, PasswordTokenSource, ProjectIdResolver, TokenScope};
use ttsc_auth::provider::{
    CredentialsChain, ExplicitCredentials, ProfileProvider, ProvideCredentials, StaticEnv,
};
use ttsc_auth::{AccessKeyCredentials, Signer, SigningSettings};

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
