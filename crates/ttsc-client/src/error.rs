//! The client's one error type: [`Error`], with a non-exhaustive [`ErrorKind`], context and
//! predicates. No reqwest or hyper type appears in it.

use std::fmt;
use std::time::Duration;

use ttsc_models::ValidationError;

use crate::text::sanitize;

/// What went wrong, broadly. Match on it to decide what to do; read the accessors of
/// [`Error`] for details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request broke a documented constraint; nothing was sent.
    Validation,
    /// The client is misconfigured (bad endpoint, region, TLS material, missing project id).
    Config,
    /// No usable credentials, or IAM refused them.
    Credentials,
    /// The connection could not be established; the request was not sent.
    Connect,
    /// An attempt or the whole operation ran out of time.
    Timeout,
    /// The connection failed after the request was sent.
    Transport,
    /// The service answered with an error status and body.
    Service,
    /// The response could not be decoded.
    Decode,
    /// A create may or may not have taken effect, and no unique job could be found to adopt.
    Ambiguous,
    /// An awaited job finished in `FAILED`.
    JobFailed,
    /// A local file operation failed (downloads).
    Io,
    /// A download's content did not match what the server announced.
    Download,
}

/// Details of a service error response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ServiceDetails {
    pub status: u16,
    pub error_code: Option<String>,
    pub error_msg: Option<String>,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    /// The response's `Date` header, for clock-skew correction.
    pub date: Option<String>,
}

/// An error from a ttsc-client call.
///
/// `Display` prints this layer only (no trailing period); [`std::error::Error::source`] gives
/// the cause. Service errors expose the HTTP status, `error_code`, `error_msg` and
/// `request_id`.
pub struct Error {
    kind: ErrorKind,
    operation: Option<&'static str>,
    message: String,
    service: Option<Box<ServiceDetails>>,
    /// The failure code of a job that ended in `FAILED`.
    job_code: Option<String>,
    validation: Option<Box<ValidationError>>,
    /// A [`ErrorKind::Config`] error for want of a project id.
    no_project_id: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            operation: None,
            message: message.into(),
            service: None,
            job_code: None,
            validation: None,
            no_project_id: false,
            source: None,
        }
    }

    /// A local file operation's failure: `what` was being done, `e` is why.
    pub(crate) fn io(what: impl Into<String>, e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, what).with_source(e)
    }

    /// A configuration error for want of a project id ([`Error::is_missing_project_id`]).
    pub(crate) fn no_project_id(message: &str) -> Self {
        let mut err = Error::new(ErrorKind::Config, format!("no project id: {message}"));
        err.no_project_id = true;
        err
    }

    pub(crate) fn with_code(mut self, code: Option<String>) -> Self {
        self.job_code = code;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_operation(mut self, operation: &'static str) -> Self {
        self.operation.get_or_insert(operation);
        self
    }

    pub(crate) fn validation(e: ValidationError) -> Self {
        let mut err = Error::new(ErrorKind::Validation, e.to_string());
        err.operation = Some(e.operation());
        err.validation = Some(Box::new(e));
        err
    }

    pub(crate) fn service(details: ServiceDetails) -> Self {
        let mut message = format!("service error {}", details.status);
        if let Some(code) = &details.error_code {
            message.push(' ');
            message.push_str(code);
        }
        if let Some(msg) = &details.error_msg {
            message.push_str(": ");
            message.push_str(&sanitize(msg, 300));
        }
        let mut err = Error::new(ErrorKind::Service, message);
        err.service = Some(Box::new(details));
        err
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The operation that failed (`ShowTtsJob`, …), when known.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<u16> {
        self.service.as_ref().map(|s| s.status)
    }

    /// The service's `error_code` (`APIGW.0301`, `MSS.00000003`, …), or for
    /// [`ErrorKind::JobFailed`] the failure code the service gave the job.
    pub fn error_code(&self) -> Option<&str> {
        match &self.service {
            Some(s) => s.error_code.as_deref(),
            None => self.job_code.as_deref(),
        }
    }

    /// The service's `error_msg`, as received.
    pub fn error_msg(&self) -> Option<&str> {
        self.service.as_ref()?.error_msg.as_deref()
    }

    /// The request id of the failed call (body `request_id` or `X-Request-Id` header).
    pub fn request_id(&self) -> Option<&str> {
        self.service.as_ref()?.request_id.as_deref()
    }

    /// The `Date` header of the error response, when the service sent one (with the local
    /// clock it tells the skew behind a `signature expired` rejection).
    pub fn server_date(&self) -> Option<&str> {
        self.service.as_ref()?.date.as_deref()
    }

    /// The pause the service asked for with `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        self.service.as_ref()?.retry_after
    }

    /// The validation problems, for [`ErrorKind::Validation`].
    pub fn validation_error(&self) -> Option<&ValidationError> {
        self.validation.as_deref()
    }

    /// Whether the call was throttled (HTTP 429, `APIGW.0308`).
    pub fn is_throttled(&self) -> bool {
        self.status() == Some(429) || self.error_code() == Some("APIGW.0308")
    }

    /// Whether an attempt or the whole operation timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }

    /// Whether retrying the same call later may succeed: connection failures, timeouts,
    /// throttling and 5xx errors (500, 502, 503, 504), and 408.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Service => matches!(self.status(), Some(408 | 429 | 500 | 502 | 503 | 504)),
            _ => false,
        }
    }

    /// Whether a local file operation failed because the disk (or the user's quota) is
    /// full: `ENOSPC` or `EDQUOT`, "No space left on device".
    pub fn is_disk_full(&self) -> bool {
        self.kind == ErrorKind::Io
            && self
                .source
                .as_deref()
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .is_some_and(|e| {
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
                    )
                })
    }

    /// Whether the client has no project id to put in the request's path: none was set and
    /// it cannot be discovered (no region, or token authentication).
    pub fn is_missing_project_id(&self) -> bool {
        self.no_project_id
    }

    /// Whether the gateway rejected the signature or token (`APIGW.0301`, `APIGW.0307`).
    pub fn is_auth_rejected(&self) -> bool {
        self.status() == Some(401) || matches!(self.error_code(), Some("APIGW.0301" | "APIGW.0307"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation {
            Some(op) if self.kind != ErrorKind::Validation => write!(f, "{op}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind)
            .field("operation", &self.operation)
            .field("message", &self.message);
        if let Some(s) = &self.service {
            d.field("status", &s.status)
                .field("error_code", &s.error_code)
                .field("request_id", &s.request_id);
        }
        if let Some(s) = &self.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // A validation error's message is already this error's (see `validation_error()`),
        // so it is not repeated as the source.
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// A foreign error turned into plain text, so no dependency's type leaks through `source()`.
#[derive(Debug)]
pub(crate) struct Cause(pub String);

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

impl Cause {
    /// A foreign error and every source below it, as one line (`a: b: c`).
    pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> Cause {
        let mut text = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        Cause(text)
    }
}

/// `Result` with the client's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_expose_details_and_predicates() {
        let e = Error::service(ServiceDetails {
            status: 429,
            error_code: Some("APIGW.0308".into()),
            error_msg: Some("throttled".into()),
            request_id: Some("r-1".into()),
            retry_after: Some(Duration::from_secs(2)),
            date: None,
        })
        .with_operation("ShowTtsJob");
        assert!(e.is_throttled() && e.is_retryable() && !e.is_timeout());
        assert_eq!(e.status(), Some(429));
        assert_eq!(e.error_code(), Some("APIGW.0308"));
        assert_eq!(e.request_id(), Some("r-1"));
        assert_eq!(
            e.to_string(),
            "ShowTtsJob: service error 429 APIGW.0308: throttled"
        );
    }
}
