//! A load generator: N keep-alive connections on loopback sending signed
//! `GET /v1/{project}/ttsc/tts-jobs?limit=10`, bounded in count and time; prints the rate.
//!
//! ```sh
//! cargo run --release -p ttsc-emulator --example load -- [--connections 16] [--seconds 5]
//!     [--requests 1000000] [--preload 10000] [--endpoint http://127.0.0.1:PORT]
//! ```
//!
//! Without `--endpoint` it starts an emulator in-process (its own runtime, demo
//! credentials, `--preload` records); with it, it loads that emulator (loopback only),
//! signing with the demo credentials.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use ttsc_auth::{AccessKeyCredentials, SignableRequest, Signer, SigningSettings};

struct Options {
    connections: usize,
    seconds: u64,
    requests: u64,
    preload: usize,
    endpoint: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        connections: 16,
        seconds: 5,
        requests: 1_000_000,
        preload: 10_000,
        endpoint: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--connections" => o.connections = number()?.clamp(1, 1024) as usize,
            "--seconds" => o.seconds = number()?.clamp(1, 120),
            "--requests" => o.requests = number()?.max(1),
            "--preload" => o.preload = number()? as usize,
            "--endpoint" => o.endpoint = Some(value.clone()),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(o)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options()?;
    // The emulator gets its own runtime, so its threads are the server's.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (addr, _emulator) = match &o.endpoint {
        Some(url) => {
            let host = url.trim_start_matches("http://").trim_end_matches('/');
            let addr: SocketAddr = host.parse()?;
            if !addr.ip().is_loopback() {
                return Err("the load generator only targets loopback addresses".into());
            }
            (addr, None)
        }
        None => {
            let emu = server_rt.block_on(
                ttsc_emulator::Emulator::builder()
                    .preload_jobs(o.preload)
                    .start(),
            )?;
            (emu.addr(), Some(emu))
        }
    };
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (done, elapsed, errors) = client_rt.block_on(load(&o, addr))?;
    let rate = done as f64 / elapsed.as_secs_f64();
    println!(
        "{done} signed list requests in {:.2} s over {} connections: {rate:.0} requests/s ({errors} errors)",
        elapsed.as_secs_f64(),
        o.connections
    );
    Ok(())
}

async fn load(o: &Options, addr: SocketAddr) -> Result<(u64, Duration, u64), String> {
    let creds = AccessKeyCredentials::new(ttsc_emulator::DEMO_AK, ttsc_emulator::DEMO_SK);
    let signer =
        Arc::new(Signer::new(&creds, SigningSettings::default()).map_err(|e| e.to_string())?);
    let host = addr.to_string();
    let path = format!("/v1/{}/ttsc/tts-jobs", ttsc_emulator::DEMO_PROJECT_ID);
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..o.connections {
        let (signer, host, path) = (Arc::clone(&signer), host.clone(), path.clone());
        let (done, errors, max) = (Arc::clone(&done), Arc::clone(&errors), o.requests);
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            let query = [("limit", "10")];
            let headers = [
                ("Content-Type", "application/json"),
                ("X-Project-Id", ttsc_emulator::DEMO_PROJECT_ID),
            ];
            while Instant::now() < deadline && done.load(Ordering::Relaxed) < max {
                let signable = SignableRequest::new("GET", &host, &path)
                    .with_query(&query)
                    .with_headers(&headers);
                let signed = signer
                    .sign(&signable, SystemTime::now())
                    .map_err(|e| e.to_string())?;
                let mut req = Request::builder()
                    .method("GET")
                    .uri(signed.request_uri())
                    .header("Host", &host);
                for (k, v) in headers.iter().copied().chain(signed.headers()) {
                    req = req.header(k, v);
                }
                let req = req.body(Empty::<Bytes>::new()).map_err(|e| e.to_string())?;
                let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
                let ok = resp.status() == 200;
                resp.into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?;
                if ok {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok((
        done.load(Ordering::Relaxed),
        started.elapsed(),
        errors.load(Ordering::Relaxed),
    ))
}
