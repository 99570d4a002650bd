//! Token sources: a user-supplied token used as is, and password login with a cache that
//! refreshes ahead of expiry and lets concurrent callers share one login.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{BoxFuture, IamError, IamRequest, IamTransport};
use crate::SecretString;
use crate::clock::Clock;
use crate::credentials::IamToken;

/// How long before expiry a token is refreshed by default: 40 minutes, the margin the
/// Python SDK uses for temporary credentials.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(40 * 60);

/// After a failed refresh, a still-valid token is used for this long before the next try.
const RETRY_AFTER_FAILED_REFRESH: Duration = Duration::from_secs(30);

/// The `Content-Type` of the login request.
const LOGIN_CONTENT_TYPE: &str = "application/json;charset=utf8";

/// A source of IAM tokens for token authentication (`X-Auth-Token`).
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A valid token.
    fn token(&self) -> BoxFuture<'_, Result<IamToken, IamError>>;

    /// Forgets any cached token, e.g. after the gateway answered `APIGW.0307` (the token
    /// must be renewed). The default does nothing.
    fn invalidate(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// A user-supplied token, used as is (never refreshed).
#[derive(Clone, Debug)]
pub struct StaticTokenSource {
    token: IamToken,
}

impl StaticTokenSource {
    /// A source that always yields `token`.
    pub fn new(token: IamToken) -> Self {
        Self { token }
    }
}

impl TokenSource for StaticTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<IamToken, IamError>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// An IAM user's login: user name, password and account (domain) name.
///
/// `Debug` masks the password.
#[derive(Clone, Debug)]
pub struct PasswordLogin {
    user_name: String,
    password: SecretString,
    domain_name: String,
}

impl PasswordLogin {
    /// The login of IAM user `user_name` of account `domain_name`.
    pub fn new(
        user_name: impl Into<String>,
        password: impl Into<SecretString>,
        domain_name: impl Into<String>,
    ) -> Self {
        Self {
            user_name: user_name.into(),
            password: password.into(),
            domain_name: domain_name.into(),
        }
    }

    /// The user name.
    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    /// The account (domain) name.
    pub fn domain_name(&self) -> &str {
        &self.domain_name
    }
}

/// The project a token is scoped to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenScope {
    /// A project id.
    ProjectId(String),
    /// A project name: the region id, e.g. `cn-north-4`.
    ProjectName(String),
}

#[derive(Serialize)]
struct LoginBody<'a> {
    auth: LoginAuth<'a>,
}

#[derive(Serialize)]
struct LoginAuth<'a> {
    identity: LoginIdentity<'a>,
    scope: LoginScope<'a>,
}

#[derive(Serialize)]
struct LoginIdentity<'a> {
    methods: [&'static str; 1],
    password: LoginPassword<'a>,
}

#[derive(Serialize)]
struct LoginPassword<'a> {
    user: LoginUser<'a>,
}

#[derive(Serialize)]
struct LoginUser<'a> {
    name: &'a str,
    password: &'a str,
    domain: LoginName<'a>,
}

#[derive(Serialize)]
struct LoginName<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct LoginScope<'a> {
    project: LoginProject<'a>,
}

#[derive(Serialize)]
struct LoginProject<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenResponse {
    token: TokenResponseBody,
}

#[derive(Deserialize)]
struct TokenResponseBody {
    expires_at: String,
}

/// A cached token and when to replace it.
#[derive(Clone)]
struct CachedToken {
    token: IamToken,
    expires_at: SystemTime,
    refresh_at: SystemTime,
}

/// Logs in to IAM with a user's password (`POST {iam}/v3/auth/tokens`), caches the token
/// and refreshes it ahead of expiry.
///
/// The token comes from the `X-Subject-Token` response header and its expiry from the
/// body's `token.expires_at`. It is refreshed once less than the refresh margin (default
/// [`DEFAULT_REFRESH_MARGIN`]) remains, or half-way through its life if it is shorter
/// than that. Concurrent callers that need a login share one: the first logs in, the
/// others wait for its result; while a still-valid token is being refreshed, other
/// callers keep using it. Time comes from the injected [`Clock`].
///
/// `Debug` masks the password and the cached token.
pub struct PasswordTokenSource {
    transport: Arc<dyn IamTransport>,
    clock: Arc<dyn Clock>,
    endpoint: String,
    login: PasswordLogin,
    scope: TokenScope,
    refresh_margin: Duration,
    cache: Mutex<Option<CachedToken>>,
    login_lock: tokio::sync::Mutex<()>,
}

impl fmt::Debug for PasswordTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordTokenSource")
            .field("endpoint", &self.endpoint)
            .field("login", &self.login)
            .field("scope", &self.scope)
            .field("refresh_margin", &self.refresh_margin)
            .field("cached_token_expires_at", &self.cached_expiry())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl PasswordTokenSource {
    /// A source that logs in at `iam_endpoint` (e.g. `https://iam.myhuaweicloud.com`)
    /// through `transport`, reading time from `clock`.
    pub fn new(
        transport: Arc<dyn IamTransport>,
        iam_endpoint: impl Into<String>,
        login: PasswordLogin,
        scope: TokenScope,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            transport,
            clock,
            endpoint: super::endpoint_base(iam_endpoint),
            login,
            scope,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            cache: Mutex::new(None),
            login_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets how long before expiry the token is refreshed.
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// When the cached token expires, if one is cached.
    pub fn cached_expiry(&self) -> Option<SystemTime> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|c| c.expires_at)
    }

    fn cached(&self) -> Option<CachedToken> {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, token: Option<CachedToken>) {
        *self.cache.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// A valid token, logging in when none is cached or the cached one is due for
    /// refresh.
    ///
    /// # Errors
    ///
    /// An [`IamError`] when the login fails and no still-valid token is cached.
    pub async fn token(&self) -> Result<IamToken, IamError> {
        let now = self.clock.now();
        let valid = match self.cached() {
            Some(cached) if now < cached.refresh_at => return Ok(cached.token),
            Some(cached) if now < cached.expires_at => Some(cached),
            _ => None,
        };
        let _guard = match valid {
            // Due for refresh but still valid: refresh unless another caller already is.
            Some(cached) => match self.login_lock.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(cached.token),
            },
            None => self.login_lock.lock().await,
        };
        // Another caller may have logged in while this one waited.
        let now = self.clock.now();
        let current = self.cached();
        if let Some(cached) = &current
            && now < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        match self.login().await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                self.store(Some(fresh));
                Ok(token)
            }
            Err(err) => match current {
                Some(mut cached) if now < cached.expires_at => {
                    tracing::warn!(error = %err, "IAM token refresh failed; using the current token until it expires");
                    cached.refresh_at = (now + RETRY_AFTER_FAILED_REFRESH).min(cached.expires_at);
                    let token = cached.token.clone();
                    self.store(Some(cached));
                    Ok(token)
                }
                _ => Err(err),
            },
        }
    }

    /// Forgets the cached token: the next call logs in.
    pub fn clear(&self) {
        self.store(None);
    }

    /// The login request: `POST {iam}/v3/auth/tokens` with the password body.
    fn login_request(&self) -> Result<IamRequest, IamError> {
        let project = match &self.scope {
            TokenScope::ProjectId(id) => LoginProject {
                id: Some(id),
                name: None,
            },
            TokenScope::ProjectName(name) => LoginProject {
                id: None,
                name: Some(name),
            },
        };
        let body = LoginBody {
            auth: LoginAuth {
                identity: LoginIdentity {
                    methods: ["password"],
                    password: LoginPassword {
                        user: LoginUser {
                            name: &self.login.user_name,
                            password: self.login.password.expose_secret(),
                            domain: LoginName {
                                name: &self.login.domain_name,
                            },
                        },
                    },
                },
                scope: LoginScope { project },
            },
        };
        let body = serde_json::to_vec(&body).map_err(|e| IamError::InvalidResponse {
            operation: "token",
            reason: format!("cannot encode the login body: {e}"),
        })?;
        Ok(
            IamRequest::new("POST", format!("{}/v3/auth/tokens", self.endpoint))
                .with_header("Content-Type", LOGIN_CONTENT_TYPE)
                .with_body(body),
        )
    }

    async fn login(&self) -> Result<CachedToken, IamError> {
        let request = self.login_request()?;
        let obtained_at = self.clock.now();
        tracing::debug!(user = %self.login.user_name, endpoint = %self.endpoint, "logging in to IAM");
        let response =
            self.transport
                .send(request)
                .await
                .map_err(|source| IamError::Transport {
                    operation: "token",
                    source,
                })?;
        if !response.is_success() {
            return Err(IamError::from_response("token", &response));
        }
        let token = response
            .header("X-Subject-Token")
            .filter(|t| !t.trim().is_empty())
            .ok_or(IamError::MissingSubjectToken)?;
        let invalid = |reason: String| IamError::InvalidResponse {
            operation: "token",
            reason,
        };
        let body: TokenResponse = serde_json::from_slice(&response.body)
            .map_err(|e| invalid(format!("no token.expires_at: {e}")))?;
        let expires_at = OffsetDateTime::parse(&body.token.expires_at, &Rfc3339)
            .map(SystemTime::from)
            .map_err(|_| {
                invalid(format!(
                    "token.expires_at `{}` is not RFC 3339",
                    body.token.expires_at
                ))
            })?;
        let lifetime = expires_at
            .duration_since(obtained_at)
            .unwrap_or(Duration::ZERO);
        let refresh_at = if lifetime > self.refresh_margin {
            expires_at - self.refresh_margin
        } else {
            obtained_at + lifetime / 2
        };
        tracing::debug!(user = %self.login.user_name, expires_at = %body.token.expires_at, "obtained IAM token");
        Ok(CachedToken {
            token: IamToken::new(token.trim()),
            expires_at,
            refresh_at,
        })
    }
}

impl TokenSource for PasswordTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<IamToken, IamError>> {
        Box::pin(PasswordTokenSource::token(self))
    }

    fn invalidate(&self) -> BoxFuture<'_, ()> {
        self.clear();
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::iam::{IamResponse, TransportError};

    #[derive(Debug)]
    struct Never;

    impl IamTransport for Never {
        fn send(&self, _request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
            Box::pin(async { Err(TransportError::new("unreachable")) })
        }
    }

    fn source(scope: TokenScope) -> PasswordTokenSource {
        PasswordTokenSource::new(
            Arc::new(Never),
            "https://iam.myhuaweicloud.com/",
            PasswordLogin::new("alice", "pa55word-secret", "example-account"),
            scope,
            Arc::new(SystemClock),
        )
    }

    #[test]
    fn login_body_is_exactly_the_documented_shape() {
        let request = source(TokenScope::ProjectId("p1".into()))
            .login_request()
            .map_err(|e| e.to_string())
            .expect("request");
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://iam.myhuaweicloud.com/v3/auth/tokens");
        assert_eq!(
            request.headers,
            [(
                "Content-Type".to_owned(),
                "application/json;charset=utf8".to_owned()
            )]
        );
        assert_eq!(
            String::from_utf8(request.body.clone()).expect("utf-8"),
            r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","password":"pa55word-secret","domain":{"name":"example-account"}}}},"scope":{"project":{"id":"p1"}}}}"#
        );
        assert!(!format!("{request:?}").contains("pa55word-secret"));

        let request = source(TokenScope::ProjectName("cn-north-4".into()))
            .login_request()
            .map_err(|e| e.to_string())
            .expect("request");
        assert!(
            String::from_utf8(request.body)
                .expect("utf-8")
                .ends_with(r#""scope":{"project":{"name":"cn-north-4"}}}}"#)
        );
    }
}
