//! [`ClientBuilder`]: the client's configuration, checked once in
//! [`build`](ClientBuilder::build).

use std::fmt;
use std::sync::Arc;

use ttsc_auth::Credentials;
use ttsc_auth::clock::{Clock, SkewAdjustedClock};
use ttsc_auth::iam::ProjectIdResolver;

use crate::authn::{Auth, ProjectId};
use crate::client::{Client, Inner};
use crate::config::{
    GLOBAL_IAM_ENDPOINT, Random, RetryConfig, Sleep, SplitMix, Timeouts, TokioSleep,
    region_endpoint,
};
use crate::error::{Cause, Error, ErrorKind, Result};

/// The user agent sent on every call.
pub const USER_AGENT: &str = concat!("ttsc/", env!("CARGO_PKG_VERSION"));

/// The default of `ClientBuilder::max_download_bytes`: 2 GiB, twice the audio of the
/// longest text at the slowest speed in 48 kHz 16-bit stereo.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 2 << 30;

/// Redirects a download may follow (object storage may redirect to a regional host).
const MAX_DOWNLOAD_REDIRECTS: usize = 5;

/// Builds a [`Client`]. Setters never fail; the first problem is kept and reported by
/// [`build`](ClientBuilder::build).
#[must_use]
pub struct ClientBuilder {
    endpoint: Option<String>,
    region: Option<String>,
    iam_endpoint: Option<String>,
    credentials: Option<Credentials>,
    token_source: Option<Arc<dyn ttsc_auth::iam::TokenSource>>,
    password_login: Option<ttsc_auth::iam::PasswordLogin>,
    signing: ttsc_auth::SigningSettings,
    project_id: Option<String>,
    app_user_id: Option<String>,
    timeouts: Timeouts,
    retry: RetryConfig,
    extra_roots: Vec<Vec<u8>>,
    insecure: bool,
    clock: Option<Arc<dyn Clock>>,
    sleep: Arc<dyn Sleep>,
    random: Arc<dyn Random>,
    page_concurrency: usize,
    max_download_bytes: u64,
    error: Option<Error>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            endpoint: None,
            region: None,
            iam_endpoint: None,
            credentials: None,
            token_source: None,
            password_login: None,
            signing: ttsc_auth::SigningSettings::default(),
            project_id: None,
            app_user_id: None,
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            extra_roots: Vec::new(),
            insecure: false,
            clock: None,
            sleep: Arc::new(TokioSleep),
            random: Arc::new(SplitMix::from_entropy()),
            page_concurrency: 8,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            error: None,
        }
    }
}

impl ClientBuilder {
    fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    /// The region (`cn-north-4`, `cn-east-3`, `ap-southeast-3`): the endpoint becomes
    /// `https://metastudio.{region}.myhuaweicloud.com` unless [`endpoint`](Self::endpoint)
    /// is set, and IAM project discovery looks up this region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        let region = region.into();
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            self.fail(Error::new(
                ErrorKind::Config,
                format!("invalid region {region:?}: expected a region id such as cn-north-4"),
            ));
        }
        self.region = Some(region);
        self
    }

    /// An explicit endpoint (`http://127.0.0.1:8080` for the emulator).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The IAM endpoint for token login and project discovery (default: the global
    /// `https://iam.myhuaweicloud.com`).
    pub fn iam_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.iam_endpoint = Some(endpoint.into());
        self
    }

    /// Explicit credentials: AK/SK (signed requests) or a fixed IAM token.
    pub fn credentials(mut self, credentials: impl Into<Credentials>) -> Self {
        self.credentials = Some(credentials.into());
        self
    }

    /// A token source (for example IAM password login): every call carries its current
    /// token in `X-Auth-Token`.
    pub fn token_source(mut self, source: Arc<dyn ttsc_auth::iam::TokenSource>) -> Self {
        self.token_source = Some(source);
        self
    }

    /// Token authentication by IAM password login: the client logs in (scoped to the
    /// project id, else to the region), caches the token, refreshes it ahead of expiry, and
    /// lets concurrent calls share one login.
    pub fn password_login(
        mut self,
        user: impl Into<String>,
        password: impl Into<ttsc_auth::SecretString>,
        domain: impl Into<String>,
    ) -> Self {
        self.password_login = Some(ttsc_auth::iam::PasswordLogin::new(user, password, domain));
        self
    }

    /// Credentials from the default chain: the environment (`HUAWEICLOUD_SDK_AK`, …), then
    /// the profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`,
    /// section `profile` or `[basic]`). Settings already given win over the ones found.
    pub fn from_default_chain(self) -> Self {
        self.from_chain(Arc::new(ttsc_auth::provider::ProcessEnv), None)
    }

    /// Credentials from the default chain read through `env`, with a named profile.
    pub fn from_chain(
        mut self,
        env: Arc<dyn ttsc_auth::provider::Env>,
        profile: Option<&str>,
    ) -> Self {
        use ttsc_auth::provider::{CredentialsChain, ExplicitCredentials, ProvideCredentials};
        let chain = CredentialsChain::default_chain(env, ExplicitCredentials::new(), profile);
        match chain.resolve() {
            Ok(found) => {
                for w in &found.warnings {
                    tracing::warn!(warning = %w, "credentials");
                }
                if self.credentials.is_none() {
                    self.credentials = Some(found.credentials);
                }
                if self.project_id.is_none() {
                    self.project_id = found.project_id;
                }
                if self.iam_endpoint.is_none() {
                    self.iam_endpoint = found.iam_endpoint;
                }
                if self.region.is_none() {
                    self.region = found.region;
                }
            }
            Err(e) => self
                .fail(Error::new(ErrorKind::Credentials, "no usable credentials").with_source(e)),
        }
        self
    }

    /// Signing algorithm settings (default `SDK-HMAC-SHA256`).
    pub fn signing(mut self, settings: ttsc_auth::SigningSettings) -> Self {
        self.signing = settings;
        self
    }

    /// The project id. Without one, the credentials' project id is used, or the id is
    /// discovered through IAM for the region (once, then cached).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The default `X-App-UserId` (third-party user id) for operations that take it.
    pub fn app_user_id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if id.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            self.fail(Error::new(
                ErrorKind::Config,
                "X-App-UserId must not contain Chinese characters",
            ));
        }
        self.app_user_id = Some(id);
        self
    }

    /// All four timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Trusts an extra CA certificate (PEM or DER) besides the system roots.
    pub fn add_root_certificate(mut self, pem_or_der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(pem_or_der.into());
        self
    }

    /// Accepts any TLS certificate. Dangerous: only for test endpoints you control.
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.insecure = yes;
        self
    }

    /// The clock used for signing (default: the system clock); the client corrects it for
    /// server skew.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How the client pauses between attempts and polls (tests inject an instant one).
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = sleep;
        self
    }

    /// The randomness behind jitter (tests inject a seeded one).
    pub fn random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// How many pages a listing fetches at once after the first (default 8).
    pub fn page_concurrency(mut self, n: usize) -> Self {
        self.page_concurrency = n.max(1);
        self
    }

    /// The largest file a download accepts, whatever it is (default 2 GiB); audio from
    /// [`Client::synthesize`] is further bounded by the length of its text.
    pub fn max_download_bytes(mut self, n: u64) -> Self {
        self.max_download_bytes = n;
        self
    }

    /// Builds the client, reporting the first configuration problem.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let endpoint = match (&self.endpoint, &self.region) {
            (Some(e), _) => e.trim_end_matches('/').to_string(),
            (None, Some(r)) => {
                crate::config::check_region(r)?;
                region_endpoint(r)
            }
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Config,
                    "no endpoint: set a region (e.g. cn-north-4) or an explicit endpoint",
                ));
            }
        };
        let host = host_header(&endpoint)?;
        let iam_endpoint = self
            .iam_endpoint
            .clone()
            .unwrap_or_else(|| GLOBAL_IAM_ENDPOINT.to_string())
            .trim_end_matches('/')
            .to_string();
        host_header(&iam_endpoint)?;

        let tls = crate::tls::config(&self.extra_roots, self.insecure)?;
        let http_client = |redirects: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .connect_timeout(self.timeouts.connect)
                .read_timeout(self.timeouts.read)
                .user_agent(USER_AGENT)
                .redirect(redirects)
                .tls_backend_preconfigured(tls.clone())
                .build()
                .map_err(|e| {
                    Error::new(ErrorKind::Config, "cannot build the HTTP client")
                        .with_source(Cause(e.to_string()))
                })
        };
        // The API and IAM never redirect; following one would carry the credentials (and on
        // a 307, the IAM password) to wherever it points.
        let http = http_client(reqwest::redirect::Policy::none())?;
        let downloads = http_client(reqwest::redirect::Policy::limited(MAX_DOWNLOAD_REDIRECTS))?;
        let clock = match self.clock {
            Some(base) => SkewAdjustedClock::with_base(base),
            None => SkewAdjustedClock::new(),
        };
        let auth = match (self.token_source, self.password_login, self.credentials) {
            (Some(source), _, _) => Auth::TokenSource(source),
            (None, Some(login), _) => {
                let scope = match (&self.project_id, &self.region) {
                    (Some(p), _) => ttsc_auth::iam::TokenScope::ProjectId(p.clone()),
                    (None, Some(r)) => ttsc_auth::iam::TokenScope::ProjectName(r.clone()),
                    (None, None) => {
                        return Err(Error::new(
                            ErrorKind::Config,
                            "password login needs a project id or a region to scope the token",
                        ));
                    }
                };
                let transport = crate::iam::ReqwestTransport::new(http.clone(), &self.timeouts);
                Auth::TokenSource(Arc::new(ttsc_auth::iam::PasswordTokenSource::new(
                    Arc::new(transport),
                    iam_endpoint.clone(),
                    login,
                    scope,
                    Arc::new(clock.clone()),
                )))
            }
            (None, None, Some(Credentials::Token(token))) => Auth::Token(token),
            (None, None, Some(Credentials::AccessKey(ak))) => Auth::signer(&ak, self.signing)?,
            (None, None, Some(other)) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("unsupported kind of credentials: {}", other.kind()),
                ));
            }
            (None, None, None) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    "no credentials: pass them to ClientBuilder::credentials, \
                     ClientBuilder::password_login, or use ClientBuilder::from_default_chain",
                ));
            }
        };
        let discovery = match &auth {
            Auth::Signer(signer) if self.project_id.is_none() => {
                let transport = crate::iam::ReqwestTransport::new(http.clone(), &self.timeouts);
                let resolver = ProjectIdResolver::new(
                    Arc::new(transport),
                    iam_endpoint,
                    Arc::new(clock.clone()),
                );
                Some((resolver, Arc::clone(signer)))
            }
            _ => None,
        };
        let project = ProjectId::new(self.project_id, self.region.clone(), discovery);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                downloads,
                endpoint,
                host,
                region: self.region,
                auth,
                project,
                app_user_id: self.app_user_id,
                timeouts: self.timeouts,
                retry: self.retry,
                clock,
                sleep: self.sleep,
                random: self.random,
                page_concurrency: self.page_concurrency,
                max_download_bytes: self.max_download_bytes,
            }),
        })
    }
}

/// The `Host` header of a base URL: host, plus the port when it is not the scheme's default.
fn host_header(endpoint: &str) -> Result<String> {
    let url = reqwest::Url::parse(endpoint).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("invalid endpoint {endpoint:?}: {e}"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorKind::Config,
            format!("invalid endpoint {endpoint:?}: the scheme must be http or https"),
        ));
    }
    let host = url.host_str().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            format!("invalid endpoint {endpoint:?}: no host"),
        )
    })?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttsc_auth::provider::{CredentialsError, StaticEnv};

    /// A failed credentials chain is a typed source, and no layer repeats another.
    #[test]
    fn credentials_errors_compose() {
        let env = StaticEnv::new().with_var("HUAWEICLOUD_SDK_AK", "AKONLY");
        let err = Client::builder()
            .region("cn-north-4")
            .from_chain(Arc::new(env), None)
            .build()
            .expect_err("half a key");
        assert_eq!(err.kind(), ErrorKind::Credentials);
        let source = std::error::Error::source(&err).expect("a source");
        assert!(
            source.downcast_ref::<CredentialsError>().is_some(),
            "{source:?}"
        );
        let mut layers = vec![err.to_string()];
        let mut next = Some(source);
        while let Some(e) = next {
            layers.push(e.to_string());
            next = e.source();
        }
        for (i, layer) in layers.iter().enumerate() {
            for below in &layers[i + 1..] {
                assert!(!layer.contains(below.as_str()), "{layers:?}");
            }
        }
    }
}
