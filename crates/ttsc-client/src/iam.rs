//! IAM over reqwest: the [`IamTransport`] `ttsc-auth` needs for token login and project
//! discovery, and how IAM failures become client errors.

use std::time::Duration;

use ttsc_auth::iam::{BoxFuture, IamError, IamRequest, IamResponse, IamTransport, TransportError};

use crate::config::Timeouts;
use crate::error::{Error, ErrorKind};
use crate::http::{read_body, redirect_refused, transport_error};

/// Sends IAM requests with the client's reqwest client.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestTransport {
    http: reqwest::Client,
    timeout: Duration,
}

impl ReqwestTransport {
    /// IAM requests over `http`, each limited like one API attempt.
    pub(crate) fn new(http: reqwest::Client, timeouts: &Timeouts) -> Self {
        ReqwestTransport {
            http,
            timeout: timeouts.attempt,
        }
    }
}

impl IamTransport for ReqwestTransport {
    fn send(&self, request: IamRequest) -> BoxFuture<'_, Result<IamResponse, TransportError>> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_bytes())
                .map_err(|_| TransportError::new(format!("invalid method {:?}", request.method)))?;
            let mut builder = self
                .http
                .request(method, &request.url)
                .timeout(self.timeout);
            for (k, v) in &request.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            let response = builder.body(request.body).send().await.map_err(|e| {
                let host = e
                    .url()
                    .and_then(|u| u.host_str())
                    .unwrap_or("IAM")
                    .to_owned();
                TransportError::with_source(
                    format!("cannot reach IAM at {host}"),
                    transport_error(e),
                )
            })?;
            if response.status().is_redirection() {
                let e = redirect_refused("the IAM endpoint", response.headers());
                return Err(TransportError::new(e.to_string()));
            }
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let body = read_body(response, 4 << 20)
                .await
                .map_err(|e| TransportError::new(e.to_string()))?;
            let mut out = IamResponse::new(status);
            out.headers = headers;
            out.body = body.to_vec();
            Ok(out)
        })
    }
}

/// An IAM failure as a client error. A network failure stays what it is (`Connect`,
/// `Timeout`, `Transport`) and names the host; only what IAM answered is a credentials
/// problem. Telling the two apart is what keeps "check your network" from reading as "run
/// `ttsc configure`".
pub(crate) fn iam_error(e: IamError, what: String) -> Error {
    let mut kind = ErrorKind::Credentials;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = cause {
        if let Some(net) = c.downcast_ref::<Error>() {
            kind = net.kind();
            break;
        }
        cause = c.source();
    }
    Error::new(kind, what).with_source(e)
}
