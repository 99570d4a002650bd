//! [`Client`]: the one generic send path with retries, clock-skew correction and tracing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;
use ttsc_auth::clock::{Clock, SkewAdjustedClock};
use ttsc_models::{Method, Operation};

use crate::authn::{Auth, ProjectId};
use crate::builder::ClientBuilder;
use crate::config::{Random, RetryConfig, Sleep, Timeouts};
use crate::error::{Cause, Error, ErrorKind, Result, ServiceDetails};
use crate::http::{read_body, redirect_refused, transport_error};
use crate::text::sanitize;

/// Largest error or response body the client reads into memory (16 MiB; AK/SK bodies are
/// limited to 12 MB by the gateway).
const MAX_BODY: usize = 16 << 20;

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
    pub(crate) max_download_bytes: u64,
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
        self.inner.project.resolve().await
    }

    /// Sends any operation: validates, signs, retries as the operation allows, decodes.
    ///
    /// A value outside a documented enumeration (an `Unknown` variant) is not refused: it is
    /// sent as is, for the service to judge.
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
        // Values outside a documented enumeration go out as they are: the service may know
        // them (see `ValidationError::without_unknown_values`).
        if let Some(e) = request
            .validate()
            .err()
            .and_then(|e| e.without_unknown_values())
        {
            return Err(Error::validation(e));
        }
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
        // A POST, PUT or DELETE without a body says `Content-Length: 0`, as the official SDK
        // (through `requests`) does: hyper would send no length at all, which gateways may
        // answer with 411 Length Required. Not signed, as the SDK does not sign it.
        if body.is_empty() && method != Method::Get {
            map.insert(
                reqwest::header::CONTENT_LENGTH,
                HeaderValue::from_static("0"),
            );
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

/// Decodes a success body; an empty body reads as `{}`. A body that is not a JSON object is
/// a decode error, and an object that carries only `error_code`/`error_msg` (and
/// `request_id`) is the service's error even under a 2xx status.
fn decode<T: serde::de::DeserializeOwned>(a: &Attempt) -> Result<T> {
    let body: &[u8] = if a.body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &a.body
    };
    let failed = |why: String| {
        let text = String::from_utf8_lossy(&a.body[..a.body.len().min(200)]).into_owned();
        Error::new(
            ErrorKind::Decode,
            format!(
                "cannot decode the {} response ({why}); body starts: {}",
                a.status,
                sanitize(&text, 120)
            ),
        )
    };
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).map_err(|e| failed(e.to_string()))?;
    let is_error = |k: &str| matches!(k, "error_code" | "error_msg");
    let says_error = object
        .iter()
        .any(|(k, v)| is_error(k) && v.as_str().is_some_and(|v| !v.is_empty()));
    let only_error = says_error && object.keys().all(|k| is_error(k) || k == "request_id");
    if only_error {
        return Err(service_error(a));
    }
    serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| failed(e.to_string()))
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
        // …and from the server's Date when it has one, whatever the local clock says. Both
        // may come in any of the three HTTP-date forms (RFC 850 and asctime here).
        assert_eq!(
            parse_retry_after(
                "Monday, 23-Nov-26 10:31:05 GMT",
                Some("Mon Nov 23 10:31:00 2026"),
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
