//! The environment abstraction providers read through, and the environment provider.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::{
    CredentialSource, CredentialsError, ProvideCredentials, Provided, ProviderAttempt,
    ResolvedCredentials,
};
use crate::SecretString;
use crate::credentials::{AccessKeyCredentials, Credentials};

/// Every environment variable this crate reads, in one place.
pub mod vars {
    /// Access key id (AK).
    pub const AK: &str = "HUAWEICLOUD_SDK_AK";
    /// Secret access key (SK).
    pub const SK: &str = "HUAWEICLOUD_SDK_SK";
    /// Security token of temporary AK/SK.
    pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
    /// Project id of the region.
    pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
    /// IAM endpoint, e.g. `https://iam.cn-north-4.myhuaweicloud.com`.
    pub const IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
    /// Path of the profile file (default `~/.huaweicloud/credentials`).
    pub const CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
    /// Home directory on Unix.
    pub const HOME: &str = "HOME";
    /// Home directory on Windows.
    pub const USERPROFILE: &str = "USERPROFILE";
}

/// Where providers read environment variables and the home directory from.
///
/// Library code never reads the process environment directly: it takes an `Env`, so
/// tests can use a [`StaticEnv`] with a temporary home directory instead of mutating the
/// process environment.
pub trait Env: Send + Sync + fmt::Debug {
    /// The value of variable `name`, if set and valid Unicode.
    fn var(&self, name: &str) -> Option<String>;

    /// The user's home directory. By default `HOME`, then `USERPROFILE`, read through
    /// [`Env::var`].
    fn home_dir(&self) -> Option<PathBuf> {
        self.var(vars::HOME)
            .or_else(|| self.var(vars::USERPROFILE))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    }
}

impl<E: Env + ?Sized> Env for Arc<E> {
    fn var(&self, name: &str) -> Option<String> {
        (**self).var(name)
    }

    fn home_dir(&self) -> Option<PathBuf> {
        (**self).home_dir()
    }
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::home_dir()
    }
}

/// A fixed environment, for tests and for callers that gather variables themselves.
///
/// Values are kept as secrets: `Debug` masks them.
#[derive(Clone, Debug, Default)]
pub struct StaticEnv {
    vars: BTreeMap<String, SecretString>,
    home: Option<PathBuf>,
}

impl StaticEnv {
    /// An empty environment with no home directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets variable `name`.
    #[must_use]
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Sets the home directory.
    #[must_use]
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
}

impl Env for StaticEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).map(|v| v.expose_secret().to_owned())
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }
}

/// Reads credentials from `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`,
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_PROJECT_ID` and
/// `HUAWEICLOUD_SDK_IAM_ENDPOINT`, like the official SDKs. Empty values count as unset.
#[derive(Clone, Debug)]
pub struct EnvProvider {
    env: Arc<dyn Env>,
}

impl EnvProvider {
    /// A provider reading `env`.
    pub fn new(env: Arc<dyn Env>) -> Self {
        Self { env }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.env.var(name).filter(|v| !v.is_empty())
    }
}

impl ProvideCredentials for EnvProvider {
    fn name(&self) -> &'static str {
        "environment"
    }

    fn provide(&self) -> Result<Provided, CredentialsError> {
        let ak = self.get(vars::AK);
        let sk = self.get(vars::SK).map(SecretString::from);
        let token = self.get(vars::SECURITY_TOKEN).map(SecretString::from);
        let credentials = match (ak, sk) {
            (Some(ak), Some(sk)) => {
                let mut creds = AccessKeyCredentials::new(ak, sk);
                if let Some(token) = token {
                    creds = creds.with_security_token(token);
                }
                creds
            }
            (None, None) => {
                return Ok(Provided::NotFound(vec![ProviderAttempt::new(
                    self.name(),
                    format!("{} and {} are not set", vars::AK, vars::SK),
                )]));
            }
            (Some(_), None) => {
                return Err(CredentialsError::incomplete(
                    self.name(),
                    format!("{} is set but {} is not", vars::AK, vars::SK),
                ));
            }
            (None, Some(_)) => {
                return Err(CredentialsError::incomplete(
                    self.name(),
                    format!("{} is set but {} is not", vars::SK, vars::AK),
                ));
            }
        };
        Ok(Provided::Found(ResolvedCredentials {
            credentials: Credentials::AccessKey(credentials),
            project_id: self.get(vars::PROJECT_ID),
            iam_endpoint: self.get(vars::IAM_ENDPOINT),
            region: None,
            source: CredentialSource::Environment,
            warnings: Vec::new(),
        }))
    }
}
