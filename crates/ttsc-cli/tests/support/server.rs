//! Servers on 127.0.0.1:0 that are not the emulator: one that answers a single request as
//! told and records it, one that never answers, and a port nothing listens on.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

/// What a [`one_request`] server received: the request line and headers (lower-cased), and
/// the body.
pub struct Recorded {
    pub head: String,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The request line: `METHOD TARGET`.
    pub fn line(&self) -> &str {
        let first = self.head.lines().next().unwrap_or_default();
        first.rsplit_once(' ').map_or(first, |(l, _)| l)
    }
}

fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, url)
}

/// Serves one request (a head of at most 64 KiB, a body of at most 1 MiB, 30 s to send
/// them), answering `status` with the JSON `body`; the handle returns what it received.
pub fn one_request(status: u16, body: impl Into<String>) -> (String, JoinHandle<Recorded>) {
    let body = body.into();
    let (listener, url) = listen();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
            match conn.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let head = String::from_utf8_lossy(&head).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().expect("a length"));
        let mut received = vec![0u8; length.min(1 << 20)];
        conn.read_exact(&mut received).expect("the body");
        let _ = write!(
            conn,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        Recorded {
            head,
            body: received,
        }
    });
    (url, server)
}

/// Accepts one connection and never answers: reads until the client hangs up (or 30 s
/// pass).
pub fn never_answers() -> (String, JoinHandle<()>) {
    let (listener, url) = listen();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut buf = [0u8; 4096];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
    });
    (url, server)
}

/// A loopback URL nothing listens on: a request sent there fails to connect.
pub fn closed_port_url() -> String {
    listen().1
}

/// The options that point `ttsc` at `url` with a token (no keys, no IAM) and project `p1`,
/// followed by `extra`.
pub fn args<S: AsRef<str>>(url: &str, extra: &[S]) -> Vec<String> {
    [
        "--endpoint",
        url,
        "--auth-token",
        "a-token",
        "--project-id",
        "p1",
    ]
    .iter()
    .copied()
    .chain(extra.iter().map(AsRef::as_ref))
    .map(String::from)
    .collect()
}
