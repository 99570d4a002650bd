//! Credential providers: explicit values, the environment, the profile file, and the
//! default chain that tries them in that order.
//!
//! Every provider works alone ([`ProvideCredentials::resolve`]) and in a
//! [`CredentialsChain`]. A provider that finds nothing says what it looked for; when the
//! whole chain finds nothing, [`CredentialsError::NotFound`] lists every provider and what
//! it looked for, without values. A provider that finds something broken (an AK without an
//! SK, an unreadable or malformed profile file) stops the chain with an error instead of
//! silently falling through to other credentials.
//!
//! ```
//! use std::sync::Arc;
//! use ttsc_auth::provider::{CredentialsChain, ExplicitCredentials, ProvideCredentials, StaticEnv};
//!
//! let env = StaticEnv::new()
//!     .with_var("HUAWEICLOUD_SDK_AK", "HPUAEXAMPLEAK0000001")
//!     .with_var("HUAWEICLOUD_SDK_SK", "a-secret")
//!     .with_var("HUAWEICLOUD_SDK_PROJECT_ID", "3f0924078d1b471c884a5383d4dec9fa");
//! let chain = CredentialsChain::default_chain(Arc::new(env), ExplicitCredentials::default(), None);
//! let resolved = chain.resolve()?;
//! assert_eq!(resolved.source.to_string(), "environment");
//! assert_eq!(resolved.project_id.as_deref(), Some("3f0924078d1b471c884a5383d4dec9fa"));
//! # Ok::<(), ttsc_auth::provider::CredentialsError>(())
//! ```

mod env;
mod ini;
mod profile;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use self::env::{Env, EnvProvider, ProcessEnv, StaticEnv, vars};
pub use self::profile::{DEFAULT_PROFILE, MAX_PROFILE_BYTES, ProfileProvider};
use crate::SecretString;
use crate::credentials::{AccessKeyCredentials, Credentials, IamToken};

/// Credentials found by a provider, with the settings found next to them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResolvedCredentials {
    /// The credentials.
    pub credentials: Credentials,
    /// The project id, when the source names one (otherwise discover it, see
    /// [`ProjectIdResolver`](crate::iam::ProjectIdResolver)).
    pub project_id: Option<String>,
    /// The IAM endpoint, when the source names one.
    pub iam_endpoint: Option<String>,
    /// The region, when the source names one (ttsc profiles only).
    pub region: Option<String>,
    /// Where the credentials came from.
    pub source: CredentialSource,
    /// Problems worth showing that did not stop resolution.
    pub warnings: Vec<CredentialsWarning>,
}

/// Where credentials came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Values given explicitly (e.g. command-line options).
    Explicit,
    /// Environment variables.
    Environment,
    /// A section of a profile file.
    Profile {
        /// The file.
        path: PathBuf,
        /// The section (`basic` for the official SDKs' profile).
        profile: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("explicit values"),
            Self::Environment => f.write_str("environment"),
            Self::Profile { path, profile } => {
                write!(f, "profile [{profile}] in {}", path.display())
            }
        }
    }
}

/// A problem that did not stop resolution but should be shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsWarning {
    /// The profile file can be read by users other than its owner.
    ProfileReadableByOthers {
        /// The file.
        path: PathBuf,
        /// Its permission bits (e.g. `0o644`).
        mode: u32,
    },
}

impl fmt::Display for CredentialsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProfileReadableByOthers { path, mode } => write!(
                f,
                "credentials file {} is readable by other users (mode {:o}); restrict it with `chmod 600 {}`",
                path.display(),
                mode & 0o7777,
                path.display()
            ),
        }
    }
}

/// What one provider looked for and did not find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderAttempt {
    provider: String,
    looked_for: String,
}

impl ProviderAttempt {
    /// `provider` looked for `looked_for` (a description without values).
    pub fn new(provider: impl Into<String>, looked_for: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            looked_for: looked_for.into(),
        }
    }

    /// The provider's name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// What it looked for.
    pub fn looked_for(&self) -> &str {
        &self.looked_for
    }
}

impl fmt::Display for ProviderAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider, self.looked_for)
    }
}

/// The outcome of one provider.
#[derive(Clone, Debug)]
pub enum Provided {
    /// Credentials were found.
    Found(ResolvedCredentials),
    /// Nothing was found; what was looked for.
    NotFound(Vec<ProviderAttempt>),
}

/// Why credentials could not be resolved. `Display` never shows secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// No provider found credentials.
    #[error("no credentials found; tried {}", list_attempts(.attempts))]
    NotFound {
        /// Every provider tried, with what it looked for.
        attempts: Vec<ProviderAttempt>,
    },
    /// A source has part of a credential (e.g. an AK without an SK).
    #[error("incomplete credentials in {source_name}: {reason}")]
    Incomplete {
        /// The source, e.g. `environment` or `profile [basic] in /home/u/.huaweicloud/credentials`.
        source_name: String,
        /// What is missing or conflicting.
        reason: String,
    },
    /// The profile file exists but cannot be read.
    #[error("cannot read credentials file {}", path.display())]
    ProfileUnreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The profile file is larger than [`MAX_PROFILE_BYTES`] (or endless, like a device).
    #[error(
        "credentials file {} is larger than {} MiB (the limit)",
        path.display(),
        .limit >> 20
    )]
    ProfileTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The profile file is not valid INI.
    #[error("credentials file {} line {line}: {reason}", path.display())]
    ProfileSyntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong (never the line's content, which may hold a secret).
        reason: String,
    },
    /// A named profile was asked for and the file has no such section.
    #[error("profile [{profile}] not found in {}", path.display())]
    ProfileNotFound {
        /// The file.
        path: PathBuf,
        /// The profile asked for.
        profile: String,
    },
}

fn list_attempts(attempts: &[ProviderAttempt]) -> String {
    if attempts.is_empty() {
        return "no providers".to_owned();
    }
    attempts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl CredentialsError {
    pub(crate) fn incomplete(source: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Incomplete {
            source_name: source.into(),
            reason: reason.into(),
        }
    }

    /// Whether no provider found credentials (as opposed to finding broken ones).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// The providers tried, for [`CredentialsError::NotFound`].
    pub fn attempts(&self) -> &[ProviderAttempt] {
        match self {
            Self::NotFound { attempts } => attempts,
            _ => &[],
        }
    }
}

/// A source of credentials.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// A short name for messages, e.g. `environment`.
    fn name(&self) -> &'static str;

    /// Looks for credentials.
    ///
    /// # Errors
    ///
    /// A [`CredentialsError`] when the source holds broken credentials; finding nothing
    /// is [`Provided::NotFound`], not an error.
    fn provide(&self) -> Result<Provided, CredentialsError>;

    /// Looks for credentials and turns "nothing found" into
    /// [`CredentialsError::NotFound`].
    ///
    /// # Errors
    ///
    /// See [`ProvideCredentials::provide`].
    fn resolve(&self) -> Result<ResolvedCredentials, CredentialsError> {
        match self.provide()? {
            Provided::Found(found) => Ok(found),
            Provided::NotFound(attempts) => Err(CredentialsError::NotFound { attempts }),
        }
    }
}

/// Credentials given explicitly, e.g. from command-line options. Every field is optional;
/// an empty set provides nothing.
///
/// `Debug` masks the secret key, the security token and the token.
#[derive(Clone, Debug, Default)]
pub struct ExplicitCredentials {
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    security_token: Option<SecretString>,
    token: Option<IamToken>,
    project_id: Option<String>,
    iam_endpoint: Option<String>,
    region: Option<String>,
}

impl ExplicitCredentials {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// From complete AK/SK credentials.
    pub fn from_access_key(credentials: &AccessKeyCredentials) -> Self {
        Self {
            access_key_id: Some(credentials.access_key_id().to_owned()),
            secret_access_key: Some(credentials.secret_access_key().clone()),
            security_token: credentials.security_token().cloned(),
            ..Self::default()
        }
    }

    /// Sets the access key id.
    #[must_use]
    pub fn with_access_key_id(mut self, ak: impl Into<String>) -> Self {
        self.access_key_id = Some(ak.into());
        self
    }

    /// Sets the secret access key.
    #[must_use]
    pub fn with_secret_access_key(mut self, sk: impl Into<SecretString>) -> Self {
        self.secret_access_key = Some(sk.into());
        self
    }

    /// Sets the security token (temporary credentials).
    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<SecretString>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Sets an IAM token to use as is (instead of AK/SK).
    #[must_use]
    pub fn with_token(mut self, token: IamToken) -> Self {
        self.token = Some(token);
        self
    }

    /// Sets the project id.
    #[must_use]
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Sets the IAM endpoint.
    #[must_use]
    pub fn with_iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Sets the region.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

/// Provides [`ExplicitCredentials`].
#[derive(Clone, Debug, Default)]
pub struct ExplicitProvider {
    values: ExplicitCredentials,
}

impl ExplicitProvider {
    /// A provider of `values`.
    pub fn new(values: ExplicitCredentials) -> Self {
        Self { values }
    }
}

impl ProvideCredentials for ExplicitProvider {
    fn name(&self) -> &'static str {
        "explicit values"
    }

    fn provide(&self) -> Result<Provided, CredentialsError> {
        let v = &self.values;
        let ak = v.access_key_id.clone().filter(|s| !s.is_empty());
        let sk = v.secret_access_key.clone().filter(|s| !s.is_empty());
        let credentials = match (ak, sk, &v.token) {
            (None, None, None) => {
                if v.security_token.is_some() {
                    return Err(CredentialsError::incomplete(
                        self.name(),
                        "a security token was given without an access key id and secret key",
                    ));
                }
                return Ok(Provided::NotFound(vec![ProviderAttempt::new(
                    self.name(),
                    "no access key id, secret key or token given",
                )]));
            }
            (None, None, Some(token)) => Credentials::Token(token.clone()),
            (Some(_), Some(_), Some(_)) => {
                return Err(CredentialsError::incomplete(
                    self.name(),
                    "both AK/SK and a token were given; give one",
                ));
            }
            (Some(ak), Some(sk), None) => {
                let mut creds = AccessKeyCredentials::new(ak, sk);
                if let Some(token) = &v.security_token {
                    creds = creds.with_security_token(token.clone());
                }
                Credentials::AccessKey(creds)
            }
            (Some(_), None, _) => {
                return Err(CredentialsError::incomplete(
                    self.name(),
                    "an access key id was given without a secret key",
                ));
            }
            (None, Some(_), _) => {
                return Err(CredentialsError::incomplete(
                    self.name(),
                    "a secret key was given without an access key id",
                ));
            }
        };
        Ok(Provided::Found(ResolvedCredentials {
            credentials,
            project_id: v.project_id.clone(),
            iam_endpoint: v.iam_endpoint.clone(),
            region: v.region.clone(),
            source: CredentialSource::Explicit,
            warnings: Vec::new(),
        }))
    }
}

/// Providers tried in order; the first that finds credentials wins.
#[derive(Debug)]
pub struct CredentialsChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
}

impl CredentialsChain {
    /// A chain of `providers`, tried in order.
    pub fn new(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        Self { providers }
    }

    /// The default chain: `explicit` values, then the environment, then the profile file
    /// (section `profile`, or `[basic]` when `None`), all read through `env`.
    pub fn default_chain(
        env: Arc<dyn Env>,
        explicit: ExplicitCredentials,
        profile: Option<&str>,
    ) -> Self {
        let mut profile_provider = ProfileProvider::new(Arc::clone(&env));
        if let Some(profile) = profile {
            profile_provider = profile_provider.with_profile(profile);
        }
        Self::new(vec![
            Box::new(ExplicitProvider::new(explicit)),
            Box::new(EnvProvider::new(env)),
            Box::new(profile_provider),
        ])
    }

    /// The providers, in order.
    pub fn providers(&self) -> &[Box<dyn ProvideCredentials>] {
        &self.providers
    }
}

impl ProvideCredentials for CredentialsChain {
    fn name(&self) -> &'static str {
        "default chain"
    }

    fn provide(&self) -> Result<Provided, CredentialsError> {
        let mut attempts = Vec::new();
        for provider in &self.providers {
            match provider.provide()? {
                Provided::Found(found) => {
                    tracing::debug!(source = %found.source, kind = found.credentials.kind(), "credentials resolved");
                    return Ok(Provided::Found(found));
                }
                Provided::NotFound(tried) => attempts.extend(tried),
            }
        }
        Ok(Provided::NotFound(attempts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_provider_rules() {
        let found = |v: ExplicitCredentials| ExplicitProvider::new(v).resolve();
        let err = found(ExplicitCredentials::new()).expect_err("empty");
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            "no credentials found; tried explicit values: no access key id, secret key or token given"
        );
        let creds = found(
            ExplicitCredentials::new()
                .with_access_key_id("AK")
                .with_secret_access_key("SK")
                .with_security_token("ST")
                .with_project_id("p"),
        )
        .expect("found");
        assert_eq!(creds.credentials.kind(), "temporary AK/SK");
        assert_eq!(creds.project_id.as_deref(), Some("p"));
        assert_eq!(creds.source, CredentialSource::Explicit);
        let token =
            found(ExplicitCredentials::new().with_token(IamToken::new("T"))).expect("token");
        assert_eq!(token.credentials.kind(), "IAM token");
        for (values, reason) in [
            (
                ExplicitCredentials::new().with_access_key_id("AK"),
                "an access key id was given without a secret key",
            ),
            (
                ExplicitCredentials::new().with_secret_access_key("SK"),
                "a secret key was given without an access key id",
            ),
            (
                ExplicitCredentials::new().with_security_token("ST"),
                "a security token was given without an access key id and secret key",
            ),
            (
                ExplicitCredentials::new()
                    .with_access_key_id("AK")
                    .with_secret_access_key("SK")
                    .with_token(IamToken::new("T")),
                "both AK/SK and a token were given; give one",
            ),
        ] {
            let err = found(values).expect_err(reason);
            assert_eq!(
                err.to_string(),
                format!("incomplete credentials in explicit values: {reason}")
            );
        }
    }
}
