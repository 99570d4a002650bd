//! IAM: password login for tokens, project id discovery, and the small transport trait
//! they go through, so this crate needs no HTTP client.
//!
//! [`IamTransport`] sends one [`IamRequest`] and returns an [`IamResponse`]; ttsc-client
//! implements it with its HTTP client, tests with anything. Requests that must be signed
//! (project discovery) are signed with [`IamRequest::sign`] before they are sent.

mod project;
mod token;

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

pub use self::project::ProjectIdResolver;
pub use self::token::{
    DEFAULT_REFRESH_MARGIN, PasswordLogin, PasswordTokenSource, StaticTokenSource, TokenScope,
    TokenSource,
};
use crate::encoding::decode_query;
use crate::sign::{MaskedHeaders, Payload, SignError, SignableRequest, Signer};

/// The global IAM endpoint, used when neither the caller nor the environment names one.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

/// An IAM endpoint without trailing slashes, ready to have a path appended.
fn endpoint_base(endpoint: impl Into<String>) -> String {
    endpoint.into().trim_end_matches('/').to_owned()
}

/// A boxed, `Send` future, so [`IamTransport`] and [`TokenSource`] stay object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP request to IAM.
///
/// `Debug` masks secret header values and prints only the body's length (a login body
/// holds the password).
#[derive(Clone, PartialEq, Eq)]
pub struct IamRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The absolute URL, e.g. `https://iam.myhuaweicloud.com/v3/auth/tokens`.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
}

impl IamRequest {
    /// A request with no headers and no body.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first value of header `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Signs the request with `signer` as of `time`: adds `X-Sdk-Date`, `Authorization`
    /// (and `X-Security-Token` for temporary credentials) and rewrites the URL's query into
    /// canonical form, exactly as it was signed. The `Host` signed is the URL's authority
    /// without a default port, which is what HTTP clients send.
    ///
    /// # Errors
    ///
    /// [`SignError::InvalidUrl`] when the URL is not `http(s)://host[:port]/path[?query]`,
    /// and the signer's errors.
    pub fn sign(&mut self, signer: &Signer, time: SystemTime) -> Result<(), SignError> {
        let parts = UrlParts::parse(&self.url)?;
        let decoded = decode_query(parts.query);
        let query: Vec<(&str, &str)> = decoded
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = SignableRequest::new(&self.method, parts.host, parts.path)
            .with_query(&query)
            .with_headers(&headers)
            .with_payload(Payload::Bytes(&self.body));
        let output = signer.sign(&request, time)?;
        let url = format!("{}{}", parts.origin, output.request_uri());
        let added: Vec<(String, String)> = output
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        self.url = url;
        self.headers.extend(added);
        Ok(())
    }
}

impl fmt::Debug for IamRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &MaskedHeaders(&self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// An HTTP response from IAM.
///
/// `Debug` masks `X-Subject-Token` (the issued token) and prints only the body's length.
#[derive(Clone, PartialEq, Eq)]
pub struct IamResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl IamResponse {
    /// A response with `status`, no headers and no body.
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The first value of header `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Debug for IamResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamResponse")
            .field("status", &self.status)
            .field("headers", &MaskedHeaders(&self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Sends requests to IAM. Implement it with any HTTP client.
///
/// ```
/// use ttsc_auth::iam::{BoxFuture, IamRequest, IamResponse, IamTransport, TransportError};
///
/// /// A transport that answers every request with 503, for illustration.
/// struct Unavailable;
///
/// impl IamTransport for Unavailable {
///     fn send(&self, _request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
///         Box::pin(async { Ok(IamResponse::new(503)) })
///     }
/// }
/// ```
pub trait IamTransport: Send + Sync {
    /// Sends `request` and returns the response, whatever its status. Fails only when no
    /// response was received (connection, timeout, protocol errors).
    fn send(&self, request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>>;
}

impl<T: IamTransport + ?Sized> IamTransport for std::sync::Arc<T> {
    fn send(&self, request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
        (**self).send(request)
    }
}

/// No response was received from IAM. Transports wrap their client's error in it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// An error described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error described by `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Why an IAM call failed. `Display` never shows a password or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IamError {
    /// No response was received.
    #[error("IAM {operation} request failed")]
    Transport {
        /// `token` or `project discovery`.
        operation: &'static str,
        /// The transport's error.
        #[source]
        source: TransportError,
    },
    /// IAM answered with an error status.
    #[error("IAM {operation} request answered HTTP {status}{}", describe_status(.code.as_deref(), .message.as_deref()))]
    Status {
        /// `token` or `project discovery`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The error code from the body (`error_code` or `error.code`), if any.
        code: Option<String>,
        /// The error message from the body (`error_msg` or `error.message`), if any.
        message: Option<String>,
        /// The request id (`request_id`, `X-Request-Id` or `X-IAM-Trace-Id`), if any.
        request_id: Option<String>,
    },
    /// The token response has no `X-Subject-Token` header.
    #[error("IAM token response has no X-Subject-Token header")]
    MissingSubjectToken,
    /// A response body is not what IAM sends.
    #[error("IAM {operation} response is invalid: {reason}")]
    InvalidResponse {
        /// `token` or `project discovery`.
        operation: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No project matches the region.
    #[error(
        "no IAM project named `{region}` in this account; check the region or set the project id"
    )]
    NoProject {
        /// The region looked up.
        region: String,
    },
    /// Several projects match the region.
    #[error("{} IAM projects are named `{region}` ({}); set the project id explicitly", .ids.len(), .ids.join(", "))]
    MultipleProjects {
        /// The region looked up.
        region: String,
        /// The matching project ids.
        ids: Vec<String>,
    },
    /// The request could not be signed.
    #[error("cannot sign the IAM {operation} request")]
    Sign {
        /// `project discovery`.
        operation: &'static str,
        /// The signer's error.
        #[source]
        source: SignError,
    },
}

impl IamError {
    /// The HTTP status, when IAM answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether IAM rejected the credentials (HTTP 401).
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// Whether no response was received.
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }

    /// Builds [`IamError::Status`] from an error response.
    pub(crate) fn from_response(operation: &'static str, response: &IamResponse) -> Self {
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let nested = &body["error"];
        let code = text(&body["error_code"]).or_else(|| text(&nested["code"]));
        let message = text(&body["error_msg"])
            .or_else(|| text(&nested["message"]))
            .map(|m| m.chars().take(200).collect());
        let request_id = text(&body["request_id"])
            .or_else(|| response.header("X-Request-Id").map(str::to_owned))
            .or_else(|| response.header("X-IAM-Trace-Id").map(str::to_owned));
        Self::Status {
            operation,
            status: response.status,
            code,
            message,
            request_id,
        }
    }
}

fn describe_status(code: Option<&str>, message: Option<&str>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!(": {code} {message}"),
        (Some(one), None) | (None, Some(one)) => format!(": {one}"),
        (None, None) => String::new(),
    }
}

/// An absolute URL split for signing.
struct UrlParts<'u> {
    /// `scheme://authority` as given.
    origin: &'u str,
    /// The `Host` header value: the authority without a default port.
    host: &'u str,
    path: &'u str,
    query: &'u str,
}

impl<'u> UrlParts<'u> {
    fn parse(url: &'u str) -> Result<Self, SignError> {
        let invalid = |reason| SignError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("no scheme"))?;
        let default_port = match scheme {
            "https" => ":443",
            "http" => ":80",
            _ => return Err(invalid("the scheme is not http or https")),
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.is_empty() {
            return Err(invalid("no host"));
        }
        if authority.contains('@') {
            return Err(invalid("user information in URLs is not supported"));
        }
        let origin = &url[..scheme.len() + 3 + authority_end];
        let host = authority.strip_suffix(default_port).unwrap_or(authority);
        let rest = &rest[authority_end..];
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Ok(Self {
            origin,
            host,
            path: if path.is_empty() { "/" } else { path },
            query,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::{AccessKeyCredentials, SigningSettings};

    #[test]
    fn urls_split_for_signing() {
        let p =
            UrlParts::parse("https://iam.myhuaweicloud.com:443/v3/projects?name=cn-north-4#frag")
                .map_err(|e| e.to_string())
                .expect("valid");
        assert_eq!(
            (p.origin, p.host, p.path, p.query),
            (
                "https://iam.myhuaweicloud.com:443",
                "iam.myhuaweicloud.com",
                "/v3/projects",
                "name=cn-north-4"
            )
        );
        let p = UrlParts::parse("http://127.0.0.1:8080")
            .map_err(|e| e.to_string())
            .expect("valid");
        assert_eq!((p.host, p.path, p.query), ("127.0.0.1:8080", "/", ""));
        for bad in [
            "iam.myhuaweicloud.com/v3",
            "ftp://x/",
            "https:///v3",
            "https://u:p@host/",
        ] {
            assert!(
                matches!(UrlParts::parse(bad), Err(SignError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn signing_an_iam_request_matches_the_project_discovery_vector() {
        // Case `project_discovery_get` of tests/data/signing-extra.json.
        let creds = AccessKeyCredentials::new(
            "HPUAEXAMPLEAK0000001",
            "Ex4mpleSecretKeyForTestVectorsOnly0000001",
        );
        let signer = Signer::new(&creds, SigningSettings::default()).expect("signer");
        let mut request = IamRequest::new(
            "GET",
            "https://iam.myhuaweicloud.com/v3/projects?name=cn-north-4",
        );
        request
            .sign(&signer, UNIX_EPOCH + Duration::from_secs(1_795_335_300))
            .expect("signed");
        assert_eq!(
            request.url,
            "https://iam.myhuaweicloud.com/v3/projects?name=cn-north-4"
        );
        assert_eq!(request.header("X-Sdk-Date"), Some("20261122T081500Z"));
        let auth = request.header("Authorization").expect("signed");
        assert!(auth.starts_with(
            "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=host;x-sdk-date, "
        ));
        assert!(!format!("{request:?}").contains(auth));
    }

    #[test]
    fn status_errors_read_both_body_shapes() {
        let mut response = IamResponse::new(401);
        response.body = br#"{"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}"#.to_vec();
        response
            .headers
            .push(("X-IAM-Trace-Id".into(), "trace-1".into()));
        let err = IamError::from_response("token", &response);
        assert!(err.is_unauthorized());
        assert_eq!(
            err.to_string(),
            "IAM token request answered HTTP 401: 401 The username or password is wrong."
        );
        assert!(matches!(&err, IamError::Status { request_id: Some(id), .. } if id == "trace-1"));

        let mut response = IamResponse::new(403);
        response.body = br#"{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "request_id": "r1"}"#.to_vec();
        let err = IamError::from_response("project discovery", &response);
        assert_eq!(
            err.to_string(),
            "IAM project discovery request answered HTTP 403: APIGW.0301 Incorrect IAM authentication information"
        );
        let err = IamError::from_response("token", &IamResponse::new(500));
        assert_eq!(err.to_string(), "IAM token request answered HTTP 500");
    }
}
