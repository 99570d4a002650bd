//! Credential providers against a temporary home directory and an injected environment
//! (the process environment is never touched).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ttsc_auth::provider::{
    CredentialSource, CredentialsChain, CredentialsError, CredentialsWarning, EnvProvider,
    ExplicitCredentials, ExplicitProvider, MAX_PROFILE_BYTES, ProfileProvider, ProvideCredentials,
    StaticEnv, vars,
};
use ttsc_auth::{Credentials, IamToken};

const SK: &str = "Profile5ecretKeyNeverShown0000000000001";
const ENV_SK: &str = "Env5ecretKeyNeverShown000000000000000002";
const TOKEN: &str = "SecurityTokenNeverShown0003";

/// A temporary directory removed on drop.
struct TempHome(PathBuf);

impl TempHome {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ttsc-auth-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("create temp home");
        Self(dir)
    }

    fn credentials_path(&self) -> PathBuf {
        self.0.join(".huaweicloud").join("credentials")
    }

    /// Writes `~/.huaweicloud/credentials` with mode 0600.
    fn write_credentials(&self, text: &str) -> PathBuf {
        let path = self.credentials_path();
        write_private(&path, text);
        path
    }

    fn env(&self) -> StaticEnv {
        StaticEnv::new().with_home(&self.0)
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    set_mode(path, 0o600);
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

fn basic_profile() -> String {
    format!(
        "[basic]\nak = PROFILEAK\nsk = {SK}\nproject_id = p-basic\niam_endpoint = https://iam.cn-north-4.myhuaweicloud.com\n\n\
         [work]\nak = WORKAK\nsk = {SK}\nsecurity_token = {TOKEN}\nregion = cn-east-3\n"
    )
}

fn assert_no_secrets(shown: &str) {
    for secret in [SK, ENV_SK, TOKEN] {
        assert!(!shown.contains(secret), "secret leaked in: {shown}");
    }
}

#[test]
fn environment_provider_reads_the_official_variables() {
    let env = StaticEnv::new()
        .with_var(vars::AK, "ENVAK")
        .with_var(vars::SK, ENV_SK)
        .with_var(vars::SECURITY_TOKEN, TOKEN)
        .with_var(vars::PROJECT_ID, "p-env")
        .with_var(vars::IAM_ENDPOINT, "https://iam.example");
    let provider = EnvProvider::new(Arc::new(env));
    let found = provider.resolve().expect("found");
    let creds = found.credentials.access_key().expect("AK/SK");
    assert_eq!(creds.access_key_id(), "ENVAK");
    assert_eq!(creds.secret_access_key().expose_secret(), ENV_SK);
    assert_eq!(
        creds.security_token().map(|t| t.expose_secret()),
        Some(TOKEN)
    );
    assert_eq!(found.project_id.as_deref(), Some("p-env"));
    assert_eq!(found.iam_endpoint.as_deref(), Some("https://iam.example"));
    assert_eq!(found.source, CredentialSource::Environment);
    assert_no_secrets(&format!("{found:?} {provider:?}"));
}

#[test]
fn environment_with_half_a_key_is_an_error_naming_variables_only() {
    let env = StaticEnv::new()
        .with_var(vars::AK, "ENVAK")
        .with_var(vars::SK, "");
    let err = EnvProvider::new(Arc::new(env))
        .resolve()
        .expect_err("incomplete");
    assert_eq!(
        err.to_string(),
        "incomplete credentials in environment: HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"
    );
    let env = StaticEnv::new().with_var(vars::SK, ENV_SK);
    let err = EnvProvider::new(Arc::new(env))
        .resolve()
        .expect_err("incomplete");
    assert!(
        err.to_string()
            .contains("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not")
    );
    assert_no_secrets(&format!("{err} {err:?}"));
}

#[test]
fn profile_file_in_temporary_home() {
    let home = TempHome::new();
    let path = home.write_credentials(&basic_profile());
    let env = Arc::new(home.env());

    let basic = ProfileProvider::new(env.clone()).resolve().expect("basic");
    let creds = basic.credentials.access_key().expect("AK/SK");
    assert_eq!(creds.access_key_id(), "PROFILEAK");
    assert!(!creds.is_temporary());
    assert_eq!(basic.project_id.as_deref(), Some("p-basic"));
    assert_eq!(
        basic.iam_endpoint.as_deref(),
        Some("https://iam.cn-north-4.myhuaweicloud.com")
    );
    assert_eq!(
        basic.source,
        CredentialSource::Profile {
            path: path.clone(),
            profile: "basic".into()
        }
    );
    assert!(basic.warnings.is_empty(), "{:?}", basic.warnings);

    let work = ProfileProvider::new(env.clone())
        .with_profile("work")
        .resolve()
        .expect("work");
    assert_eq!(work.credentials.kind(), "temporary AK/SK");
    assert_eq!(work.region.as_deref(), Some("cn-east-3"));
    assert_eq!(
        work.source.to_string(),
        format!("profile [work] in {}", path.display())
    );

    let err = ProfileProvider::new(env)
        .with_profile("missing")
        .resolve()
        .expect_err("missing");
    assert!(matches!(err, CredentialsError::ProfileNotFound { .. }));
    assert_eq!(
        err.to_string(),
        format!("profile [missing] not found in {}", path.display())
    );
}

#[test]
fn credentials_file_variable_overrides_the_home_directory() {
    let home = TempHome::new();
    home.write_credentials("[basic]\nak = HOMEAK\nsk = x\n");
    let other = home.0.join("elsewhere.ini");
    write_private(&other, &format!("[basic]\nak = FILEAK\nsk = {SK}\n"));
    let env = home
        .env()
        .with_var(vars::CREDENTIALS_FILE, other.to_string_lossy().into_owned());
    let found = ProfileProvider::new(Arc::new(env))
        .resolve()
        .expect("found");
    assert_eq!(
        found.credentials.access_key().map(|c| c.access_key_id()),
        Some("FILEAK")
    );
}

#[cfg(unix)]
#[test]
fn a_world_readable_profile_file_warns_as_data() {
    let home = TempHome::new();
    let path = home.write_credentials(&basic_profile());
    set_mode(&path, 0o644);
    let found = ProfileProvider::new(Arc::new(home.env()))
        .resolve()
        .expect("found");
    assert_eq!(
        found.warnings,
        [CredentialsWarning::ProfileReadableByOthers {
            path: path.clone(),
            mode: std::fs::metadata(&path)
                .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
                .expect("mode"),
        }]
    );
    let message = found.warnings[0].to_string();
    assert!(
        message.contains("readable by other users (mode 644)"),
        "{message}"
    );
    assert!(message.contains("chmod 600"), "{message}");
    assert_no_secrets(&message);

    set_mode(&path, 0o640);
    let found = ProfileProvider::new(Arc::new(home.env()))
        .resolve()
        .expect("found");
    assert_eq!(found.warnings.len(), 1, "group-readable also warns");
}

#[test]
fn broken_profile_files_are_errors_without_secrets() {
    let home = TempHome::new();
    let env = Arc::new(home.env());

    home.write_credentials(&format!("[basic]\nak = A\n{SK}\n"));
    let err = ProfileProvider::new(env.clone())
        .resolve()
        .expect_err("syntax");
    assert!(
        matches!(err, CredentialsError::ProfileSyntax { line: 3, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().ends_with("line 3: expected `key = value`"),
        "{err}"
    );
    assert_no_secrets(&format!("{err} {err:?}"));

    home.write_credentials("[basic]\nak = A\n");
    let err = ProfileProvider::new(env.clone())
        .resolve()
        .expect_err("no sk");
    assert!(
        err.to_string().ends_with("`ak` is set but `sk` is not"),
        "{err}"
    );

    // A directory where the file should be cannot be read.
    std::fs::remove_file(home.credentials_path()).expect("rm");
    std::fs::create_dir_all(home.credentials_path()).expect("mkdir");
    let err = ProfileProvider::new(env.clone())
        .resolve()
        .expect_err("unreadable");
    assert!(
        matches!(err, CredentialsError::ProfileUnreadable { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("cannot read credentials file"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());

    // A file over the cap is refused without reading it whole, naming the file and the cap.
    std::fs::remove_dir_all(home.credentials_path()).expect("rmdir");
    let mut big = basic_profile();
    big.push_str(&format!(
        "# {}\n",
        "x".repeat(usize::try_from(MAX_PROFILE_BYTES).unwrap())
    ));
    home.write_credentials(&big);
    let err = ProfileProvider::new(env.clone())
        .resolve()
        .expect_err("too large");
    assert!(
        matches!(err, CredentialsError::ProfileTooLarge { limit, .. } if limit == MAX_PROFILE_BYTES),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("is larger than 1 MiB (the limit)"),
        "{err}"
    );
    assert_no_secrets(&format!("{err} {err:?}"));
    // An endless file (a device) stops at the cap too.
    #[cfg(unix)]
    {
        std::fs::remove_file(home.credentials_path()).expect("rm");
        std::os::unix::fs::symlink("/dev/zero", home.credentials_path()).expect("link");
        let err = ProfileProvider::new(env).resolve().expect_err("endless");
        assert!(
            matches!(err, CredentialsError::ProfileTooLarge { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn default_chain_order_is_explicit_then_environment_then_profile() {
    let home = TempHome::new();
    home.write_credentials(&basic_profile());
    let with_env = home
        .env()
        .with_var(vars::AK, "ENVAK")
        .with_var(vars::SK, ENV_SK);
    let explicit = ExplicitCredentials::new()
        .with_access_key_id("EXPLICITAK")
        .with_secret_access_key("explicit-secret");

    let chain = CredentialsChain::default_chain(Arc::new(with_env.clone()), explicit, None);
    assert_eq!(
        chain.resolve().expect("explicit").source,
        CredentialSource::Explicit
    );

    let chain =
        CredentialsChain::default_chain(Arc::new(with_env), ExplicitCredentials::new(), None);
    assert_eq!(
        chain.resolve().expect("env").source,
        CredentialSource::Environment
    );

    let chain =
        CredentialsChain::default_chain(Arc::new(home.env()), ExplicitCredentials::new(), None);
    let found = chain.resolve().expect("profile");
    assert!(matches!(found.source, CredentialSource::Profile { .. }));
    assert_eq!(
        found.credentials.access_key().map(|c| c.access_key_id()),
        Some("PROFILEAK")
    );

    let chain = CredentialsChain::default_chain(
        Arc::new(home.env()),
        ExplicitCredentials::new(),
        Some("work"),
    );
    assert_eq!(
        chain.resolve().expect("work").region.as_deref(),
        Some("cn-east-3")
    );

    let token_chain = CredentialsChain::default_chain(
        Arc::new(home.env()),
        ExplicitCredentials::new().with_token(IamToken::new(TOKEN)),
        None,
    );
    let found = token_chain.resolve().expect("token");
    assert!(matches!(found.credentials, Credentials::Token(_)));
    assert_no_secrets(&format!("{found:?} {token_chain:?}"));
}

#[test]
fn when_nothing_is_found_the_error_lists_every_provider() {
    let home = TempHome::new();
    let chain =
        CredentialsChain::default_chain(Arc::new(home.env()), ExplicitCredentials::new(), None);
    let err = chain.resolve().expect_err("nothing");
    assert!(err.is_not_found());
    let providers: Vec<&str> = err.attempts().iter().map(|a| a.provider()).collect();
    assert_eq!(
        providers,
        ["explicit values", "environment", "profile file"]
    );
    assert_eq!(
        err.to_string(),
        format!(
            "no credentials found; tried explicit values: no access key id, secret key or token given; \
             environment: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set; \
             profile file: {} does not exist",
            home.credentials_path().display()
        )
    );

    // A file without [basic] is "not found" too, and says so.
    home.write_credentials(&format!("[other]\nak = A\nsk = {SK}\n"));
    let err = chain.resolve().expect_err("no basic");
    assert!(
        err.to_string().ends_with(&format!(
            "profile file: no [basic] section in {}",
            home.credentials_path().display()
        )),
        "{err}"
    );
    assert_no_secrets(&format!("{err} {err:?}"));

    // No home and no file variable.
    let chain = CredentialsChain::default_chain(
        Arc::new(StaticEnv::new()),
        ExplicitCredentials::new(),
        None,
    );
    let err = chain.resolve().expect_err("nothing");
    assert!(err.to_string().ends_with(
        "profile file: HUAWEICLOUD_SDK_CREDENTIALS_FILE is not set and the home directory is unknown"
    ));
}

#[test]
fn a_broken_source_stops_the_chain() {
    let home = TempHome::new();
    home.write_credentials(&basic_profile());
    let env = home.env().with_var(vars::AK, "ENVAK");
    let chain = CredentialsChain::default_chain(Arc::new(env), ExplicitCredentials::new(), None);
    let err = chain.resolve().expect_err("env is broken");
    assert!(
        matches!(err, CredentialsError::Incomplete { .. }),
        "{err:?}"
    );
}

#[test]
fn debug_output_of_providers_and_environments_hides_values() {
    let env = StaticEnv::new()
        .with_var(vars::SK, ENV_SK)
        .with_var(vars::SECURITY_TOKEN, TOKEN);
    let shown = format!("{env:?}");
    assert!(shown.contains(vars::SK), "{shown}");
    assert_no_secrets(&shown);
    let explicit = ExplicitProvider::new(
        ExplicitCredentials::new()
            .with_access_key_id("AK")
            .with_secret_access_key(SK)
            .with_security_token(TOKEN),
    );
    let chain = CredentialsChain::new(vec![
        Box::new(explicit),
        Box::new(EnvProvider::new(Arc::new(env))),
    ]);
    assert_no_secrets(&format!("{chain:?} {:?}", chain.resolve()));
    assert_eq!(chain.providers().len(), 2);
}
