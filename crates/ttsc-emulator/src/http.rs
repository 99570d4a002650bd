//! HTTP plumbing: the response body type, Huawei-style error answers and JSON answers.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Response, StatusCode};
use serde::Serialize;

use crate::codes;

/// A response body: all at once, or cut short after some bytes (an injected download
/// fault), which makes hyper abort the connection.
#[derive(Debug)]
pub(crate) enum Body {
    Full(Option<Bytes>),
    Truncated {
        data: Option<Bytes>,
        declared: u64,
        /// Whether the body already paused once after its data, so hyper flushed it.
        paused: bool,
    },
}

impl Body {
    pub(crate) fn empty() -> Self {
        Self::Full(None)
    }

    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        if bytes.is_empty() {
            Self::Full(None)
        } else {
            Self::Full(Some(bytes))
        }
    }
}

/// The error ending a truncated body.
#[derive(Debug, thiserror::Error)]
#[error("download cut short (fault injected by the emulator)")]
pub(crate) struct Truncated;

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        match self.get_mut() {
            Self::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Self::Truncated { data, paused, .. } => match data.take() {
                Some(d) if !d.is_empty() => Poll::Ready(Some(Ok(Frame::data(d)))),
                // Pause once so hyper flushes the headers and the bytes sent so far, then
                // fail, which makes hyper close the connection mid-body.
                _ if !*paused => {
                    *paused = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                _ => Poll::Ready(Some(Err(Truncated))),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Self::Truncated { declared, .. } => SizeHint::with_exact(*declared),
        }
    }
}

/// An error answer: status, Huawei error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) msg: String,
    pub(crate) retry_after: Option<u32>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, msg: impl Into<String>) -> Self {
        Self {
            status,
            code,
            msg: msg.into(),
            retry_after: None,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::new(400, codes::INVALID_PARAMETER, msg)
    }

    /// No API at this path (the gateway's `404 APIGW.0101`).
    pub(crate) fn api_not_found() -> Self {
        Self::new(
            404,
            codes::API_NOT_FOUND,
            "The API does not exist or has not been published in the environment",
        )
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            404,
            codes::NOT_FOUND,
            format!("{what} {} does not exist", quoted(id)),
        )
    }

    pub(crate) fn auth(msg: impl AsRef<str>) -> Self {
        Self::new(
            401,
            codes::AUTH_FAILED,
            format!("Incorrect IAM authentication information: {}", msg.as_ref()),
        )
    }

    /// The error as a response with Huawei's body.
    pub(crate) fn into_response(self, request_id: &str) -> Response<Body> {
        #[derive(Serialize)]
        struct ErrorBody<'a> {
            error_code: &'a str,
            error_msg: &'a str,
            request_id: &'a str,
        }
        let body = serde_json::to_vec(&ErrorBody {
            error_code: self.code,
            error_msg: &self.msg,
            request_id,
        })
        .unwrap_or_default();
        let mut resp = json_bytes(self.status, body);
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// `"value"`, at most 64 characters of it, for messages.
pub(crate) fn quoted(value: &str) -> String {
    let short: String = value.chars().take(64).collect();
    format!("{short:?}")
}

/// A response with a whole body of `content_type`.
pub(crate) fn bytes_response(
    status: u16,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let body = body.into();
    let len = body.len();
    let mut resp = Response::new(Body::full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A JSON response from serialized bytes.
pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> Response<Body> {
    bytes_response(status, "application/json", body)
}

/// A JSON response.
pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, body),
        Err(e) => json_bytes(
            500,
            format!(
                "{{\"error_code\":\"{}\",\"error_msg\":\"cannot serialize the response: {}\"}}",
                codes::INTERNAL_ERROR,
                e.to_string().replace('"', "'")
            )
            .into_bytes(),
        ),
    }
}

/// A 200 with an empty body (operations documented to answer without one).
pub(crate) fn empty_ok() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    resp.headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}
