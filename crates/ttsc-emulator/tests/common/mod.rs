//! Test support: a small signed HTTP client for the emulator (hyper-util's client, never
//! ttsc-client) and a raw TCP client for connection-level checks.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ttsc_auth::{AccessKeyCredentials, SignableRequest, Signer, SigningSettings};
use ttsc_emulator::{Emulator, EmulatorBuilder};

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> String {
        self.json()["error_code"].as_str().unwrap_or("").to_owned()
    }

    pub fn error_msg(&self) -> String {
        self.json()["error_msg"].as_str().unwrap_or("").to_owned()
    }
}

/// A request to send: method, path, raw query pairs, extra headers, body.
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            path: path.into(),
            ..Self::default()
        }
    }

    pub fn query(mut self, k: &str, v: impl std::fmt::Display) -> Self {
        self.query.push((k.to_owned(), v.to_string()));
        self
    }

    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn json(mut self, v: &Value) -> Self {
        self.body = serde_json::to_vec(v).expect("json");
        self
    }
}

/// Talks to one emulator.
pub struct Api {
    pub base: String,
    pub host: String,
    pub project: String,
    pub creds: AccessKeyCredentials,
    pub settings: SigningSettings,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Api {
    pub fn new(emu: &Emulator) -> Self {
        Self {
            base: emu.base_url().to_owned(),
            host: emu.addr().to_string(),
            project: emu.credentials().project_id().to_owned(),
            creds: emu.credentials().access_key_credentials(),
            settings: SigningSettings::default(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// `/v1/{project}/ttsc/{rest}`.
    pub fn tts(&self, rest: &str) -> String {
        format!("/v1/{}/ttsc/{rest}", self.project)
    }

    /// Signs `req` as of `time` (adding Content-Type and X-Project-Id like the SDKs) and
    /// returns the request target and every header to send.
    pub fn sign(&self, req: &Req, time: SystemTime) -> (String, Vec<(String, String)>) {
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Project-Id".into(), self.project.clone()),
        ];
        headers.extend(req.headers.iter().cloned());
        let hv: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let q: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let signable = SignableRequest::new(&req.method, &self.host, &req.path)
            .with_query(&q)
            .with_headers(&hv)
            .with_body(&req.body);
        let signed = Signer::new(&self.creds, self.settings.clone())
            .expect("signer")
            .sign(&signable, time)
            .expect("sign");
        let mut all = headers.clone();
        all.extend(signed.headers().map(|(k, v)| (k.to_owned(), v.to_owned())));
        (signed.request_uri().to_owned(), all)
    }

    /// Sends `req` signed now.
    pub async fn call(&self, req: Req) -> Resp {
        self.call_at(req, SystemTime::now()).await
    }

    /// Sends `req` signed as of `time`.
    pub async fn call_at(&self, req: Req, time: SystemTime) -> Resp {
        let (target, headers) = self.sign(&req, time);
        self.send_raw(&req.method, &target, &headers, req.body)
            .await
    }

    /// Sends exactly what it is given.
    pub async fn send_raw(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Resp {
        self.try_send_raw(method, target, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {target}: {e}"))
    }

    pub async fn try_send_raw(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Resp, String> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{target}", self.base));
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("host") {
                b = b.header(k.as_str(), v.as_str());
            }
        }
        let req = b.body(Full::new(Bytes::from(body))).expect("request");
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {e:?}"))?
            .to_bytes();
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    /// GET of an absolute URL (a download), with extra headers and no credentials.
    pub async fn get_url(&self, url: &str, headers: &[(&str, &str)]) -> Resp {
        let target = url.strip_prefix(&self.base).unwrap_or(url);
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.send_raw("GET", target, &headers, Vec::new()).await
    }
}

/// Starts the emulator `builder` describes and a client for it.
pub async fn start_emulator(builder: EmulatorBuilder) -> (Emulator, Api) {
    let emu = builder.start().await.expect("start");
    let api = Api::new(&emu);
    (emu, api)
}

/// Sends raw bytes on a fresh connection and returns everything read until the server
/// closes it (or an error, e.g. a reset).
pub async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(request).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    Ok(out)
}

/// A minimal valid async-job body.
pub fn job_body(text: &str) -> Value {
    serde_json::json!({"text": text, "voice_asset_id": ttsc_emulator::DEMO_VOICE})
}
