//! How each request is authenticated (AK/SK signature, fixed token, or a token source), and
//! where the project id comes from.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::OnceCell;
use ttsc_auth::iam::ProjectIdResolver;
use ttsc_auth::{AccessKeyCredentials, IamToken, SignableRequest, Signer, SigningSettings};

use crate::error::{Error, ErrorKind, Result};
use crate::iam::iam_error;

/// The authentication of every API call.
pub(crate) enum Auth {
    /// AK/SK: the request is signed.
    Signer(Arc<Signer>),
    /// A fixed token in `X-Auth-Token`.
    Token(IamToken),
    /// A token from a source that logs in and refreshes.
    TokenSource(Arc<dyn ttsc_auth::iam::TokenSource>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Signer(s) => write!(
                f,
                "AkSk({}, {:?})",
                s.access_key_id(),
                s.settings().algorithm()
            ),
            Auth::Token(token) => write!(f, "Token({token})"),
            Auth::TokenSource(s) => write!(f, "TokenSource({s:?})"),
        }
    }
}

/// What the transport adds to a request.
pub(crate) struct Prepared {
    /// Path plus the query string, encoded as signed.
    pub request_uri: String,
    /// Headers to add (`X-Sdk-Date`, `Authorization`, `X-Auth-Token`, …).
    pub headers: Vec<(String, String)>,
}

impl Auth {
    pub(crate) fn signer(ak: &AccessKeyCredentials, settings: SigningSettings) -> Result<Auth> {
        let signer = Signer::new(ak, settings).map_err(|e| {
            Error::new(ErrorKind::Credentials, "unusable AK/SK credentials").with_source(e)
        })?;
        Ok(Auth::Signer(Arc::new(signer)))
    }

    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Auth::TokenSource(_))
    }

    pub(crate) async fn invalidate(&self) {
        if let Auth::TokenSource(s) = self {
            s.invalidate().await;
        }
    }

    /// Whether calls are AK/SK-signed (they then carry `X-Project-Id`, as the official SDKs
    /// send it).
    pub(crate) fn is_signed(&self) -> bool {
        matches!(self, Auth::Signer(_))
    }

    /// Authenticates one attempt.
    #[allow(clippy::too_many_arguments, reason = "the parts of one request")]
    pub(crate) async fn prepare(
        &self,
        method: &str,
        host: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
        now: SystemTime,
    ) -> Result<Prepared> {
        match self {
            Auth::Signer(signer) => {
                let request = SignableRequest::new(method, host, path)
                    .with_query(query)
                    .with_headers(headers)
                    .with_body(body);
                let out = signer.sign(&request, now).map_err(|e| {
                    Error::new(ErrorKind::Credentials, "cannot sign the request").with_source(e)
                })?;
                Ok(Prepared {
                    request_uri: out.request_uri().to_string(),
                    headers: out
                        .headers()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                })
            }
            Auth::Token(token) => Ok(token_prepared(path, query, token.expose_secret())),
            Auth::TokenSource(source) => {
                let token = source
                    .token()
                    .await
                    .map_err(|e| iam_error(e, "cannot get an IAM token".into()))?;
                Ok(token_prepared(path, query, token.expose_secret()))
            }
        }
    }
}

fn token_prepared(path: &str, query: &[(&str, &str)], token: &str) -> Prepared {
    Prepared {
        request_uri: request_uri(path, query),
        headers: vec![(ttsc_auth::X_AUTH_TOKEN.to_string(), token.to_string())],
    }
}

/// `path?k=v&…` with the query encoded like the signer encodes it.
pub(crate) fn request_uri(path: &str, query: &[(&str, &str)]) -> String {
    let mut uri = String::with_capacity(path.len() + 64);
    uri.push_str(path);
    for (i, (k, v)) in query.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        ttsc_models::wire::push_percent_encoded(&mut uri, k);
        uri.push('=');
        ttsc_models::wire::push_percent_encoded(&mut uri, v);
    }
    uri
}

/// Where the project id comes from: configured, or discovered once through IAM.
pub(crate) struct ProjectId {
    configured: Option<String>,
    region: Option<String>,
    /// With AK/SK credentials: the resolver, built once, and the signer its calls use.
    discovery: Option<(ProjectIdResolver, Arc<Signer>)>,
    discovered: OnceCell<String>,
}

impl ProjectId {
    pub(crate) fn new(
        configured: Option<String>,
        region: Option<String>,
        discovery: Option<(ProjectIdResolver, Arc<Signer>)>,
    ) -> Self {
        ProjectId {
            configured,
            region,
            discovery,
            discovered: OnceCell::new(),
        }
    }

    pub(crate) async fn resolve(&self) -> Result<String> {
        if let Some(p) = &self.configured {
            return Ok(p.clone());
        }
        let region = self.region.as_deref().ok_or_else(|| {
            Error::no_project_id("set one, or set a region so it can be discovered through IAM")
        })?;
        let Some((resolver, signer)) = &self.discovery else {
            return Err(Error::no_project_id(
                "with token authentication (a fixed token or password login), set the project id explicitly",
            ));
        };
        let discover = || async {
            resolver
                .project_id(signer, region)
                .await
                .map_err(|e| iam_error(e, format!("cannot discover the project id of {region}")))
        };
        self.discovered.get_or_try_init(discover).await.cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without discovery (token authentication) or a region, the error says what to set.
    #[tokio::test]
    async fn project_id_without_discovery_says_what_to_set() {
        let configured = ProjectId::new(Some("p1".into()), None, None);
        assert_eq!(configured.resolve().await.unwrap(), "p1");
        let no_region = ProjectId::new(None, None, None)
            .resolve()
            .await
            .unwrap_err();
        assert_eq!(no_region.kind(), ErrorKind::Config);
        assert!(
            no_region.to_string().contains("set a region"),
            "{no_region}"
        );
        let token = ProjectId::new(None, Some("cn-north-4".into()), None);
        let err = token.resolve().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("token authentication"), "{err}");
        assert!(no_region.is_missing_project_id() && err.is_missing_project_id());
        // Another configuration error saying the same words is not one.
        let look_alike = Error::new(ErrorKind::Config, "invalid endpoint \"no project id: x\"");
        assert!(!look_alike.is_missing_project_id());
    }
}
