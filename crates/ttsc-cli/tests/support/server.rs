//! Servers on 127.0.0.1:0 that are not the emulator: one that answers a single request as
//! told and records it, one that answers by the request's path, one that never answers, and
//! a port nothing listens on.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
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

/// Reads one request from `conn` (a head of at most 64 KiB, a body of at most 1 MiB, 30 s
/// to send them): the head as sent, and the body.
fn read_request(conn: &mut TcpStream) -> (String, Vec<u8>) {
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
    let head = String::from_utf8_lossy(&head).into_owned();
    let length: usize = head
        .to_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("content-length:").map(str::to_owned))
        .map_or(0, |v| v.trim().parse().expect("a length"));
    let mut body = vec![0u8; length.min(1 << 20)];
    conn.read_exact(&mut body).expect("the body");
    (head, body)
}

/// Answers `status` with `body` of `content_type` and the `extra` header lines (each ending
/// in `\r\n`), and closes the connection.
fn respond(mut conn: TcpStream, status: u16, content_type: &str, extra: &str, body: &[u8]) {
    let _ = write!(
        conn,
        "HTTP/1.1 {status} X\r\n{extra}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(body);
}

/// Serves one request, answering `status` with the JSON `body`; the handle returns what it
/// received.
pub fn one_request(status: u16, body: impl Into<String>) -> (String, JoinHandle<Recorded>) {
    one_request_with(status, "", body)
}

/// [`one_request`], with the `extra` header lines (each ending in `\r\n`) in the answer.
pub fn one_request_with(
    status: u16,
    extra: &'static str,
    body: impl Into<String>,
) -> (String, JoinHandle<Recorded>) {
    let body = body.into();
    let (listener, url) = listen();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let (head, received) = read_request(&mut conn);
        respond(conn, status, "application/json", extra, body.as_bytes());
        Recorded {
            head: head.to_lowercase(),
            body: received,
        }
    });
    (url, server)
}

/// Serves `max` requests, one a connection, then stops: each is answered 200 with the
/// content type and body `answer(server URL, request target)` gives.
pub fn routes(
    max: usize,
    answer: impl Fn(&str, &str) -> (&'static str, Vec<u8>) + Send + 'static,
) -> (String, JoinHandle<()>) {
    let (listener, url) = listen();
    let base = url.clone();
    let server = std::thread::spawn(move || {
        for _ in 0..max {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let (head, _) = read_request(&mut conn);
            let target = head.split(' ').nth(1).unwrap_or_default();
            let (content_type, body) = answer(&base, target);
            respond(conn, 200, content_type, "", &body);
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
