//! The request pipeline, in the order the real gateway and service apply it: request id,
//! latency, injected faults, routing, body limit, authentication, project check, then the
//! operation; and on the way out the `Date` and `X-Request-Id` headers, the request log
//! and the inspection record.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, HeaderValue, RANGE,
};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode};
use ttsc_auth::SigningAlgorithm;
use ttsc_auth::verify::{ReceivedRequest, VerifyErrorKind};
use ttsc_models::{
    IAM_OPERATIONS, Method, OperationId, OperationInfo, TTS_OPERATIONS, WireRequest,
};

use crate::codes;
use crate::faults::Fault;
use crate::files::{self, REFUSAL_CONTENT_TYPE, Refusal};
use crate::http::{ApiError, Body};
use crate::inspect::SeenRequest;
use crate::request_log::{AuthScheme, RequestRecord};
use crate::state::Shared;
use crate::{http, iam, ops, range};

/// Signals hyper to close the connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped (fault injected by the emulator)")]
pub(crate) struct Dropped;

/// The largest body the gateway accepts (12 MB).
const MAX_BODY: usize = 12 * 1024 * 1024;
/// How long a client may take to send a whole request body.
pub(crate) const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The pseudo-operation name of result-file downloads.
pub(crate) const DOWNLOAD_OPERATION: &str = "DownloadFile";

/// What the pipeline learnt about a request, for the log and the inspection API.
#[derive(Debug, Default)]
struct Note {
    operation: Option<&'static str>,
    fault: Option<Fault>,
}

/// Serves one request.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let started = Instant::now();
    let arrived = shared.clock.now();
    let (parts, body) = req.into_parts();
    let request_id = match header(&parts.headers, "x-request-id") {
        Some(id) if is_request_id(id) => id.to_owned(),
        _ => shared.request_ids.next(),
    };
    let mut note = Note::default();
    let path = parts.uri.path();
    let outcome = if path.starts_with(files::PATH_PREFIX) {
        Some(download(&shared, &parts, &request_id, &mut note))
    } else {
        api(&shared, &parts, body, &request_id, &mut note).await
    };

    let status = outcome.as_ref().map_or(0, |r| r.status().as_u16());
    let credential_headers = ["authorization", "x-auth-token", "x-security-token"]
        .iter()
        .any(|h| parts.headers.contains_key(*h));
    let auth_scheme = auth_scheme(&parts.headers);
    if let Some(log) = &shared.log {
        let mut record = RequestRecord::new(
            time::OffsetDateTime::from(arrived),
            parts.method.as_str(),
            path,
            status,
        );
        record.query = parts.uri.query();
        record.operation = note.operation;
        record.auth_scheme = auth_scheme;
        record.credential_headers = credential_headers;
        record.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Err(e) = log.append(&record) {
            tracing::warn!(error = %e, "cannot write the request log");
        }
    }
    shared.inspector.record(SeenRequest {
        method: parts.method.as_str().to_owned(),
        path: path.to_owned(),
        operation: note.operation,
        status,
        credential_headers,
        auth_scheme,
        fault: note.fault,
    });

    match outcome {
        Some(mut resp) => {
            let h = resp.headers_mut();
            let date = ttsc_auth::clock::format_http_date(shared.clock.now());
            if let Ok(v) = HeaderValue::from_str(&date) {
                h.insert(hyper::header::DATE, v);
            }
            if let Ok(v) = HeaderValue::from_str(&request_id) {
                h.insert("x-request-id", v);
            }
            Ok(resp)
        }
        None => {
            reset.store(true, Ordering::Relaxed);
            Err(Dropped)
        }
    }
}

/// A request id a client may choose: 1 to 128 visible ASCII characters.
fn is_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(value_text)
}

/// A header value as the text of the bytes received. The gateway canonicalizes the bytes a
/// client signed, so a UTF-8 value (`X-App-UserId: café`) is kept as it came, not dropped
/// like a value that is not visible ASCII would be by `HeaderValue::to_str`.
fn value_text(v: &HeaderValue) -> Option<&str> {
    std::str::from_utf8(v.as_bytes()).ok()
}

fn auth_scheme(headers: &HeaderMap) -> AuthScheme {
    if let Some(auth) = header(headers, "authorization") {
        let alg = auth.trim().split(' ').next().unwrap_or("");
        match alg.parse() {
            Ok(SigningAlgorithm::SdkHmacSha256) => AuthScheme::AkSkHmacSha256,
            Ok(SigningAlgorithm::V11HmacSha256) => AuthScheme::AkSkV11HmacSha256,
            Ok(SigningAlgorithm::SdkHmacSm3) => AuthScheme::AkSkHmacSm3,
            _ => AuthScheme::Unknown,
        }
    } else if headers.contains_key("x-auth-token") {
        AuthScheme::Token
    } else {
        AuthScheme::None
    }
}

/// The scheme and host result-file URLs are built on: the request's `Host` when it is
/// a plausible `host[:port]`, else the listening address.
fn base_url(shared: &Shared, headers: &HeaderMap) -> String {
    match header(headers, "host") {
        Some(h)
            if !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)) =>
        {
            format!("http://{h}")
        }
        _ => format!("http://{}", shared.config.listen),
    }
}

enum Route {
    Op(&'static OperationInfo, Vec<(&'static str, String)>),
    MethodNotAllowed,
    NotFound,
}

fn route(method: &hyper::Method, path: &str) -> Route {
    let method = match *method {
        hyper::Method::GET => Some(Method::Get),
        hyper::Method::POST => Some(Method::Post),
        hyper::Method::PUT => Some(Method::Put),
        hyper::Method::DELETE => Some(Method::Delete),
        _ => None,
    };
    let all = || TTS_OPERATIONS.iter().chain(IAM_OPERATIONS.iter()).copied();
    if let Some(m) = method {
        for info in all() {
            if let Some(params) = info.match_path(m, path) {
                return Route::Op(info, params);
            }
        }
    }
    if all().any(|info| info.match_path(info.method, path).is_some()) {
        Route::MethodNotAllowed
    } else {
        Route::NotFound
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        413,
        codes::BODY_TOO_LARGE,
        "The request body is larger than 12 MB",
    )
}

/// What the gateway checks before it reads a body: its announced size, and (except for the
/// password login, whose credentials are the body) the credentials that do not depend on
/// it, so that nobody unauthenticated gets to send 12 MB.
fn admit(shared: &Shared, parts: &Parts, info: &OperationInfo) -> Result<(), ApiError> {
    let announced = header(&parts.headers, "content-length").and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    if info.id == OperationId::KeystoneCreateUserTokenByPassword {
        return Ok(());
    }
    let now_ms = shared.clock.now_ms();
    if let Some(authorization) = header(&parts.headers, "authorization") {
        let claimed = claimed_access_key(authorization).unwrap_or("");
        if !shared.keys.contains_key(claimed) {
            return Err(ApiError::auth(
                "get secret key fail, the access key does not exist",
            ));
        }
        if is_locked(shared, claimed, now_ms) {
            return Err(locked());
        }
        return Ok(());
    }
    if let Some(token) = header(&parts.headers, "x-auth-token") {
        return token_principal(shared, token, now_ms).map(drop);
    }
    Err(no_credentials())
}

/// The gateway's answer to a locked access key, word for word ("AK access failed to reach
/// the limit,forbidden."); how long and after how many failures is in the emulator's docs.
fn locked() -> ApiError {
    ApiError::auth("AK access failed to reach the limit,forbidden.")
}

fn no_credentials() -> ApiError {
    ApiError::auth("neither an Authorization header (AK/SK) nor X-Auth-Token was sent")
}

/// Reads a body of at most 12 MB within [`BODY_READ_TIMEOUT`].
async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    let collected = tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, MAX_BODY).collect())
        .await
        .map_err(|_| {
            ApiError::new(
                408,
                codes::BAD_JSON,
                "The request body did not arrive in time",
            )
        })?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(ApiError::new(
            400,
            codes::BAD_JSON,
            "The request body could not be read",
        )),
    }
}

/// An API call (TTS or IAM). `None` drops the connection.
async fn api(
    shared: &Arc<Shared>,
    parts: &Parts,
    body: Incoming,
    request_id: &str,
    note: &mut Note,
) -> Option<Response<Body>> {
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let fault = match &shared.faults {
        Some(plan) if shared.config.fault_rate > 0.0 => plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .decide(parts.method.as_str()),
        _ => None,
    };
    note.fault = fault;
    let route = route(&parts.method, parts.uri.path());
    if let Route::Op(info, _) = &route {
        note.operation = Some(info.name);
    }
    if let Some(f) = fault.filter(|f| !f.processes_request()) {
        if f.resets_connection() {
            // Read the request, then close without a byte, like a dying gateway.
            let _ = read_body(body).await;
            return None;
        }
        let mut e = ApiError::new(
            f.status().unwrap_or(503),
            f.error_code().unwrap_or(codes::INTERNAL_ERROR),
            f.error_msg().unwrap_or("fault injected by the emulator"),
        );
        e.retry_after = f.retry_after_secs();
        return Some(e.into_response(request_id));
    }
    let response = match route {
        Route::NotFound => ApiError::api_not_found().into_response(request_id),
        Route::MethodNotAllowed => ApiError::new(
            405,
            codes::METHOD_NOT_ALLOWED,
            format!("Method {} is not allowed on this path", parts.method),
        )
        .into_response(request_id),
        Route::Op(info, params) => match admit(shared, parts, info) {
            Err(e) => e.into_response(request_id),
            Ok(()) => match read_body(body).await {
                Err(e) => e.into_response(request_id),
                Ok(bytes) => match operation(shared, parts, info, &params, &bytes).await {
                    Ok(resp) => resp,
                    Err(e) => e.into_response(request_id),
                },
            },
        },
    };
    if fault.is_some_and(Fault::processes_request) {
        return None;
    }
    Some(response)
}

async fn operation(
    shared: &Arc<Shared>,
    parts: &Parts,
    info: &'static OperationInfo,
    params: &[(&'static str, String)],
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), value_text(v)?.to_owned())))
        .collect();
    let query = ttsc_models::wire::parse_query(parts.uri.query().unwrap_or(""));
    let wire = WireRequest {
        path_params: params,
        query: &query,
        headers: &headers,
        body,
    };
    match info.id {
        OperationId::KeystoneCreateUserTokenByPassword => iam::create_token(shared, &wire),
        OperationId::KeystoneListProjects => {
            authenticate(shared, parts, body)?;
            iam::list_projects(shared, &wire)
        }
        id => {
            let principal = authenticate(shared, parts, body)?;
            let path_project = params
                .iter()
                .find(|(k, _)| *k == "project_id")
                .map_or("", |(_, v)| v.as_str());
            check_project(shared, &principal, parts, path_project)?;
            let base = base_url(shared, &parts.headers);
            ops::dispatch(shared, id, &wire, &base).await
        }
    }
}

/// Who made a request.
#[derive(Debug)]
pub(crate) enum Principal {
    AccessKey,
    Token { project_id: Option<String> },
}

fn check_project(
    shared: &Shared,
    principal: &Principal,
    parts: &Parts,
    path_project: &str,
) -> Result<(), ApiError> {
    let matches_credential = match principal {
        Principal::AccessKey => {
            header(&parts.headers, "x-project-id").is_none_or(|p| p == path_project)
        }
        Principal::Token { project_id } => project_id.as_deref() == Some(path_project),
    };
    if !matches_credential || path_project != shared.config.credentials.project_id {
        return Err(ApiError::new(
            403,
            codes::PROJECT_MISMATCH,
            format!(
                "The project ID in the URL ({}) is not the project of the credentials",
                http::quoted(path_project)
            ),
        ));
    }
    Ok(())
}

/// The access key id an `Authorization` header claims (`Access=AK` or
/// `Credential=AK/scope`), without verifying anything.
fn claimed_access_key(authorization: &str) -> Option<&str> {
    let (_, params) = authorization.trim().split_once(' ')?;
    params.split(',').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        match k {
            "Access" => Some(v.trim()),
            "Credential" => v.trim().split('/').next(),
            _ => None,
        }
    })
}

fn signed_headers_include(authorization: &str, name: &str) -> bool {
    authorization.split(',').any(|p| {
        p.trim()
            .split_once("SignedHeaders=")
            .is_some_and(|(_, list)| list.split(';').any(|h| h.trim().eq_ignore_ascii_case(name)))
    })
}

/// Authenticates with AK/SK or an IAM token, like the gateway.
pub(crate) fn authenticate(
    shared: &Shared,
    parts: &Parts,
    body: &[u8],
) -> Result<Principal, ApiError> {
    let now_ms = shared.clock.now_ms();
    if let Some(authorization) = header(&parts.headers, "authorization") {
        let claimed = claimed_access_key(authorization).unwrap_or("");
        if is_locked(shared, claimed, now_ms) {
            return Err(locked());
        }
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), value_text(v)?)))
            .collect();
        let received = ReceivedRequest::new(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query().unwrap_or(""),
            &headers,
            body,
        );
        return match ttsc_auth::verify::verify(&received, &shared.keys, shared.clock.now()) {
            Ok(identity) => {
                note_success(shared, identity.access_key_id());
                check_temporary(
                    shared,
                    authorization,
                    &parts.headers,
                    identity.access_key_id(),
                )?;
                Ok(Principal::AccessKey)
            }
            Err(e) => {
                if e.kind() == VerifyErrorKind::SignatureMismatch
                    && let Some(ak) = e.access_key_id()
                {
                    note_failure(shared, ak, now_ms);
                }
                Err(match e.kind() {
                    VerifyErrorKind::DateOutOfWindow => {
                        ApiError::auth("calc ak sk signature fail:signature expired")
                    }
                    VerifyErrorKind::SignatureMismatch => match e.canonical_request() {
                        Some(c) => ApiError::auth(format!(
                            "verify aksk signature fail, SignedHeaders:{}, CanonicalRequest:{}",
                            c.signed_headers(),
                            c.to_gateway_form()
                        )),
                        None => ApiError::auth("verify aksk signature fail"),
                    },
                    VerifyErrorKind::UnknownAccessKey => {
                        ApiError::auth("get secret key fail, the access key does not exist")
                    }
                    _ => ApiError::auth(e.to_string()),
                })
            }
        };
    }
    if let Some(token) = header(&parts.headers, "x-auth-token") {
        return token_principal(shared, token, now_ms);
    }
    Err(no_credentials())
}

/// The principal of an `X-Auth-Token`.
fn token_principal(shared: &Shared, token: &str, now_ms: i64) -> Result<Principal, ApiError> {
    let tokens = shared
        .tokens
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match tokens.get(token.trim()) {
        None => Err(ApiError::auth("decrypt token fail")),
        Some(info) if info.expires_ms <= now_ms => Err(ApiError::new(
            401,
            codes::TOKEN_EXPIRED,
            "The token must be updated: it has expired",
        )),
        Some(info) => Ok(Principal::Token {
            project_id: info.project_id.clone(),
        }),
    }
}

/// Temporary credentials must carry their (signed) security token; permanent ones none.
fn check_temporary(
    shared: &Shared,
    authorization: &str,
    headers: &HeaderMap,
    ak: &str,
) -> Result<(), ApiError> {
    let token = header(headers, "x-security-token")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match &shared.config.temporary {
        Some(t) if t.access_key_id == ak => {
            let Some(token) = token else {
                return Err(ApiError::auth(
                    "temporary access keys must send X-Security-Token",
                ));
            };
            if !signed_headers_include(authorization, "x-security-token") {
                return Err(ApiError::auth("X-Security-Token must be a signed header"));
            }
            if t.security_token
                .as_ref()
                .is_some_and(|want| want.expose_secret() != token)
            {
                return Err(ApiError::auth("the security token is invalid or expired"));
            }
            Ok(())
        }
        _ if token.is_some() => Err(ApiError::auth(
            "the security token does not belong to this access key",
        )),
        _ => Ok(()),
    }
}

fn lock_failures(
    shared: &Shared,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, crate::state::Failures>> {
    shared
        .failures
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn is_locked(shared: &Shared, ak: &str, now_ms: i64) -> bool {
    if !shared.any_failures.load(Ordering::Relaxed) {
        return false;
    }
    let mut failures = lock_failures(shared);
    match failures.get(ak).and_then(|f| f.locked_until_ms) {
        Some(until) if now_ms < until => true,
        Some(_) => {
            failures.remove(ak);
            false
        }
        None => false,
    }
}

fn note_failure(shared: &Shared, ak: &str, now_ms: i64) {
    if !shared.keys.contains_key(ak) {
        return;
    }
    let mut failures = lock_failures(shared);
    shared.any_failures.store(true, Ordering::Relaxed);
    let f = failures.entry(ak.to_owned()).or_default();
    f.count += 1;
    if f.count > shared.config.lockout_failures {
        let lock_ms = i64::try_from(shared.config.lockout.as_millis()).unwrap_or(i64::MAX);
        f.locked_until_ms = Some(now_ms.saturating_add(lock_ms));
        f.count = 0;
    }
}

fn note_success(shared: &Shared, ak: &str) {
    if !shared.any_failures.load(Ordering::Relaxed) {
        return;
    }
    let mut failures = lock_failures(shared);
    failures.remove(ak);
    if failures.is_empty() {
        shared.any_failures.store(false, Ordering::Relaxed);
    }
}

/// A result-file download: no credentials, signed URL, `Range`, download faults.
fn download(shared: &Shared, parts: &Parts, request_id: &str, note: &mut Note) -> Response<Body> {
    note.operation = Some(DOWNLOAD_OPERATION);
    let head = parts.method == hyper::Method::HEAD;
    let found = if parts.method == hyper::Method::GET || head {
        shared
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(parts.uri.path(), parts.uri.query(), shared.now_secs())
    } else {
        Err(Refusal::MethodNotAllowed)
    };
    let file = match found {
        Ok(file) => file,
        Err(refusal) => {
            return http::bytes_response(
                refusal.status(),
                REFUSAL_CONTENT_TYPE,
                refusal.xml_body(request_id),
            );
        }
    };
    let len = file.bytes.len() as u64;
    let ranged = range::resolve(header(&parts.headers, RANGE.as_str()), len);
    let slice = ranged.slice(&file.bytes);
    let declared = slice.len() as u64;
    let truncate = match &shared.faults {
        Some(plan) if !head && shared.config.download_fault_rate > 0.0 => plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .download_truncation(declared),
        _ => None,
    };
    let body = if head {
        Body::empty()
    } else if let Some(n) = truncate {
        Body::Truncated {
            data: Some(slice.slice(..usize::try_from(n).unwrap_or(0))),
            declared,
            paused: false,
        }
    } else {
        Body::full(slice)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(ranged.status).unwrap_or(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(declared));
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    if let Some(cr) = ranged
        .content_range
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        h.insert(CONTENT_RANGE, cr);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_access_keys_of_both_forms() {
        assert_eq!(
            claimed_access_key(
                "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=00"
            ),
            Some("AK1")
        );
        assert_eq!(
            claimed_access_key(
                "V11-HMAC-SHA256 Credential=AK2/20261122/cn-north-4/metastudio, SignedHeaders=a, Signature=00"
            ),
            Some("AK2")
        );
        assert_eq!(claimed_access_key("garbage"), None);
        assert!(signed_headers_include(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date;x-security-token, Signature=00",
            "x-security-token"
        ));
    }

    #[test]
    fn routes_known_paths_methods_and_unknown_paths() {
        assert!(matches!(
            route(&hyper::Method::GET, "/v1/p/ttsc/tts-jobs"),
            Route::Op(info, _) if info.name == "ShowTtsJob"
        ));
        assert!(matches!(
            route(&hyper::Method::PATCH, "/v1/p/ttsc/tts-jobs"),
            Route::MethodNotAllowed
        ));
        assert!(matches!(
            route(&hyper::Method::DELETE, "/v1/p/ttsc/tts-jobs"),
            Route::MethodNotAllowed
        ));
        assert!(matches!(
            route(&hyper::Method::GET, "/v1/p/nope"),
            Route::NotFound
        ));
        assert!(matches!(
            route(&hyper::Method::POST, "/v3/auth/tokens"),
            Route::Op(info, _) if info.name == "KeystoneCreateUserTokenByPassword"
        ));
    }
}
