//! Reqwest helpers shared by the API and IAM transports and downloads: bounded body reads,
//! refused redirects, and transport errors that do not expose reqwest.

use reqwest::header::HeaderMap;

use crate::error::{Cause, Error, ErrorKind, Result};
use crate::text::sanitize;

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
