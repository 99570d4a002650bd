//! [`Client`] and [`ClientBuilder`]: configuration, the one generic send path with retries,
//! clock-skew correction and tracing, and one method per operation.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;
use ttsc_auth::Credentials;
use ttsc_auth::clock::{Clock, SkewAdjustedClock};
use ttsc_models::{Method, Operation};

use crate::authn::{Auth, ProjectId};
use crate::config::{
    GLOBAL_IAM_ENDPOINT, Random, RetryConfig, Sleep, SplitMix, Timeouts, TokioSleep,
    region_endpoint,
};
use crate::error::{Cause, Error, ErrorKind, Result, ServiceDetails, sanitize};

/// The user agent sent on every call.
pub const USER_AGENT: &str = concat!("ttsc/", env!("CARGO_PKG_VERSION"));

/// Largest error or response body the client reads into memory (16 MiB; AK/SK bodies are
/// limited to 12 MB by the gateway).
const MAX_BODY: usize = 16 << 20;

/// Redirects a download may follow (object storage may redirect to a regional host).
const MAX_DOWNLOAD_REDIRECTS: usize = 5;

/// The async client for MetaStudio's TTS API.
///
/// Cheap to clone (an `Arc`), `Send + Sync`: build one and share it.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// For the API and IAM: never follows a redirect (they carry credentials).
    pub(crate) http: reqwest::Client,
    /// For pre-signed download URLs: follows redirects; its requests carry no credentials.
    pub(crate) downloads: reqwest::Client,
    /// Base URL without a trailing slash (`https://metastudio.cn-north-4.myhuaweicloud.com`).
    pub(crate) endpoint: String,
    /// The `Host` header value that is signed (with the port when not the default).
    pub(crate) host: String,
    pub(crate) iam_endpoint: String,
    pub(crate) region: Option<String>,
    pub(crate) auth: Auth,
    pub(crate) project: ProjectId,
    pub(crate) app_user_id: Option<String>,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryConfig,
    pub(crate) clock: SkewAdjustedClock,
    pub(crate) sleep: Arc<dyn Sleep>,
    pub(crate) random: Arc<dyn Random>,
    pub(crate) page_concurrency: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("region", &self.inner.region)
            .field("auth", &self.inner.auth)
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

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
            Err(e) => self.fail(
                Error::new(ErrorKind::Credentials, e.to_string()).with_source(Cause(e.to_string())),
            ),
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

    /// Builds the client, reporting the first configuration problem.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let endpoint = match (&self.endpoint, &self.region) {
            (Some(e), _) => e.trim_end_matches('/').to_string(),
            (None, Some(r)) => region_endpoint(r),
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
        let project = ProjectId::new(self.project_id, self.region.clone());
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                downloads,
                endpoint,
                host,
                iam_endpoint,
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

/// The parts of one request, shared by every attempt.
#[derive(Clone, Copy)]
struct Parts<'a> {
    method: Method,
    idempotent: bool,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    /// Every header but authentication (`Content-Type`, `X-Project-Id`, the request's own).
    headers: &'a [(&'a str, &'a str)],
    body: &'a bytes::Bytes,
}

/// The outcome of one attempt, before retry classification.
struct Attempt {
    status: u16,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL calls go to.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// The clock offset (server minus local, in milliseconds) the client has learnt from
    /// signature-expired rejections.
    pub fn clock_skew_ms(&self) -> i64 {
        self.inner.clock.offset_ms()
    }

    /// The project id calls use, discovering it through IAM when it was not configured.
    pub async fn project_id(&self) -> Result<String> {
        self.inner.project.resolve(self).await
    }

    /// Sends any operation: validates, signs, retries as the operation allows, decodes.
    pub async fn send<O: Operation>(&self, request: &O) -> Result<O::Response> {
        let info = O::INFO;
        let span = tracing::info_span!(
            "ttsc.operation",
            operation = info.name,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.send_inner(request).instrument(span.clone()).await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        result.map_err(|e| e.with_operation(info.name))
    }

    async fn send_inner<O: Operation>(&self, request: &O) -> Result<O::Response> {
        let info = O::INFO;
        request.validate().map_err(Error::validation)?;
        let project_id = self.project_id().await?;
        let path = request.path(&project_id);
        let query = request.query();
        let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let own_headers = request.headers();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(own_headers.len() + 3);
        headers.push(("Content-Type", "application/json"));
        if self.inner.auth.is_signed() && !project_id.is_empty() {
            headers.push(("X-Project-Id", &project_id));
        }
        headers.extend(own_headers.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(app) = &self.inner.app_user_id
            && info.accepts_header("X-App-UserId")
            && !own_headers.iter().any(|(k, _)| *k == "X-App-UserId")
        {
            headers.push(("X-App-UserId", app));
        }
        // Encoded once; every attempt shares the bytes.
        let body = match request.body() {
            Some(b) => serde_json::to_vec(b)
                .map_err(|e| {
                    Error::new(ErrorKind::Validation, "cannot encode the request body")
                        .with_source(Cause(e.to_string()))
                })?
                .into(),
            None => bytes::Bytes::new(),
        };
        let parts = Parts {
            method: info.method,
            idempotent: info.idempotent,
            path: &path,
            query: &query,
            headers: &headers,
            body: &body,
        };
        let attempt = self.execute(&parts).await?;
        decode::<O::Response>(&attempt)
    }

    /// Runs attempts until success, a non-retryable failure, or the budget is spent.
    async fn execute(&self, parts: &Parts<'_>) -> Result<Attempt> {
        let inner = &self.inner;
        let deadline = Instant::now() + inner.timeouts.operation;
        let mut attempt_no = 0u32;
        let mut skew_corrected = false;
        let mut token_refreshed = false;
        loop {
            attempt_no += 1;
            tracing::Span::current().record("attempts", attempt_no);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the operation timed out after {:?} ({} attempts)",
                        inner.timeouts.operation,
                        attempt_no - 1
                    ),
                ));
            }
            let budget = remaining.min(inner.timeouts.attempt);
            let outcome = tokio::time::timeout(budget, self.attempt(parts))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Timeout,
                        format!("the attempt timed out after {budget:?}"),
                    ))
                });
            let err = match outcome {
                Ok(a) if (200..300).contains(&a.status) => {
                    record_response(&a);
                    return Ok(a);
                }
                Ok(a) => {
                    record_response(&a);
                    service_error(&a)
                }
                Err(e) => e,
            };

            // Signature expired: the local clock is off. Learn the offset from the
            // response's Date header and retry once, whatever the method (no work was done).
            if !skew_corrected && is_signature_expired(&err) {
                skew_corrected = true;
                if let Some(date) = err.server_date()
                    && let Ok(offset) = inner.clock.update_from_date_header(date)
                {
                    tracing::warn!(
                        skew_ms = offset,
                        "clock skew detected; correcting signatures"
                    );
                    attempt_no -= 1;
                    continue;
                }
            }
            // Token expired or revoked: fetch a new one and retry once.
            if !token_refreshed
                && err.error_code() == Some("APIGW.0307")
                && inner.auth.can_refresh()
            {
                token_refreshed = true;
                inner.auth.invalidate().await;
                attempt_no -= 1;
                continue;
            }
            let may_retry = if parts.idempotent {
                err.is_retryable()
            } else {
                // A create is retried only when it provably did no work.
                err.kind() == ErrorKind::Connect || matches!(err.status(), Some(429 | 503))
            };
            if !may_retry || attempt_no >= inner.retry.max_attempts {
                return Err(err);
            }
            let pause = inner
                .retry
                .backoff(attempt_no, inner.random.next_f64(), err.retry_after());
            if Instant::now() + pause >= deadline {
                return Err(err);
            }
            tracing::debug!(attempt = attempt_no, ?pause, error = %err, "retrying");
            inner.sleep.sleep(pause).await;
        }
    }

    /// One signed request and its whole response body.
    async fn attempt(&self, parts: &Parts<'_>) -> Result<Attempt> {
        let Parts {
            method,
            path,
            query,
            headers,
            body,
            ..
        } = *parts;
        let inner = &self.inner;
        let prepared = inner
            .auth
            .prepare(
                method.as_str(),
                &inner.host,
                path,
                query,
                headers,
                body,
                inner.clock.now(),
            )
            .await?;
        let url = format!("{}{}", inner.endpoint, prepared.request_uri);
        let mut map = HeaderMap::with_capacity(headers.len() + prepared.headers.len());
        for (k, v) in headers.iter().copied().chain(
            prepared
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        ) {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
                Error::new(ErrorKind::Validation, format!("invalid header name {k:?}"))
            })?;
            let value = HeaderValue::from_str(v).map_err(|_| {
                Error::new(
                    ErrorKind::Validation,
                    format!("invalid value for header {k}"),
                )
            })?;
            map.append(name, value);
        }
        let method =
            reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = inner.http.request(method, &url).headers(map);
        if !body.is_empty() {
            builder = builder.body(body.clone());
        }
        let mut response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            return Err(redirect_refused("the API endpoint", response.headers()));
        }
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(response, MAX_BODY).await?;
        Ok(Attempt {
            status,
            headers,
            body,
        })
    }
}

/// Reads a response body, refusing more than `max` bytes.
pub(crate) async fn read_body(mut response: reqwest::Response, max: usize) -> Result<bytes::Bytes> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(Error::new(
            ErrorKind::Decode,
            format!("the response body is larger than {max} bytes"),
        ));
    }
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if buf.len() + chunk.len() > max {
            return Err(Error::new(
                ErrorKind::Decode,
                format!("the response body is larger than {max} bytes"),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The error for a redirect from the API or IAM, which never redirect: not followed, not
/// retried, naming where it pointed (scheme, host and path; a query may carry secrets).
pub(crate) fn redirect_refused(from: &str, headers: &HeaderMap) -> Error {
    let target = headers
        .get(reqwest::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map_or_else(
            || "(no Location)".to_string(),
            |l| sanitize(l.split(['?', '#']).next().unwrap_or_default(), 200),
        );
    Error::new(
        ErrorKind::Config,
        format!(
            "{from} answered with a redirect to {target}; it never redirects, so the request \
             was not repeated there (check the endpoint)"
        ),
    )
}

/// Classifies a reqwest failure without exposing reqwest's type.
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    let kind = if e.is_connect() {
        ErrorKind::Connect
    } else if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    let message = match kind {
        ErrorKind::Connect => "cannot connect",
        ErrorKind::Timeout => "timed out waiting for the response",
        _ => "the connection failed",
    };
    // The full chain, without the URL (it may carry a pre-signed download signature).
    Error::new(kind, message).with_source(Cause::chain(&e.without_url()))
}

fn record_response(a: &Attempt) {
    let span = tracing::Span::current();
    span.record("status", a.status);
    if let Some(id) = a.headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        span.record("request_id", id);
    }
}

/// The error body every MetaStudio error carries.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error_code: Option<String>,
    error_msg: Option<String>,
    request_id: Option<String>,
}

fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn service_error(a: &Attempt) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(&a.body).ok();
    let date = header_str(&a.headers, "date");
    let mut details = ServiceDetails {
        status: a.status,
        retry_after: header_str(&a.headers, "retry-after")
            .and_then(|v| parse_retry_after(&v, date.as_deref(), SystemTime::now())),
        date,
        ..ServiceDetails::default()
    };
    match parsed {
        Some(b) if b.error_code.is_some() || b.error_msg.is_some() => {
            details.error_code = b.error_code;
            details.error_msg = b.error_msg;
            details.request_id = b.request_id;
        }
        _ => {
            // Not the documented error body (a proxy's HTML page, an empty body, …): keep a
            // short, sanitised excerpt.
            let text = String::from_utf8_lossy(&a.body[..a.body.len().min(512)]).into_owned();
            details.error_msg = Some(if text.trim().is_empty() {
                "(empty body)".to_string()
            } else {
                format!("unexpected error body: {}", sanitize(&text, 200))
            });
        }
    }
    if details.request_id.is_none() {
        details.request_id = header_str(&a.headers, "x-request-id");
    }
    Error::service(details)
}

/// `Retry-After` as delta-seconds or as an HTTP date (RFC 9110 §10.2.3). A date is measured
/// against the response's own `Date` when it has one, so a skewed local clock does not
/// stretch or cut the pause; a date in the past means "now". Anything else is ignored.
fn parse_retry_after(v: &str, date: Option<&str>, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let until = ttsc_auth::clock::parse_http_date(v).ok()?;
    let from = date
        .and_then(|d| ttsc_auth::clock::parse_http_date(d).ok())
        .unwrap_or(now);
    Some(until.duration_since(from).unwrap_or(Duration::ZERO))
}

fn is_signature_expired(e: &Error) -> bool {
    e.status() == Some(401)
        && e.error_msg()
            .is_some_and(|m| m.to_ascii_lowercase().contains("expired") && !m.contains("token"))
}

/// Decodes a success body; an empty body reads as `{}`.
fn decode<T: serde::de::DeserializeOwned>(a: &Attempt) -> Result<T> {
    let body: &[u8] = if a.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &a.body
    };
    serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(&a.body[..a.body.len().min(200)]).into_owned();
        Error::new(
            ErrorKind::Decode,
            format!(
                "cannot decode the {} response ({e}); body starts: {}",
                a.status,
                sanitize(&text, 120)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> SystemTime {
        ttsc_auth::clock::parse_http_date(date).unwrap()
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = at("Mon, 23 Nov 2026 10:00:00 GMT");
        assert_eq!(
            parse_retry_after(" 7 ", None, now),
            Some(Duration::from_secs(7))
        );
        // A date is measured from the local clock when the response has no Date…
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 10:00:30 GMT", None, now),
            Some(Duration::from_secs(30))
        );
        // …and from the server's Date when it has one, whatever the local clock says.
        assert_eq!(
            parse_retry_after(
                "Mon, 23 Nov 2026 10:31:05 GMT",
                Some("Mon, 23 Nov 2026 10:31:00 GMT"),
                now,
            ),
            Some(Duration::from_secs(5))
        );
        // A date already past means "now".
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", None, now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-3", None, now), None);
        assert_eq!(parse_retry_after("soon", None, now), None);
    }
}
