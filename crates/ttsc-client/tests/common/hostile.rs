//! A deliberately misbehaving HTTP/1.1 server on `127.0.0.1:0` for the client's hostile
//! tests: it records every request it receives (head and body, as bytes) and answers with
//! whatever the test's handler says, including bodies that never end.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Largest request head or body the server reads (a test request is far smaller).
const MAX_REQUEST: usize = 1 << 20;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request line (`GET /path HTTP/1.1`).
    pub line: String,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// The path and query of the request line.
    pub fn target(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or_default()
    }
}

/// What the server answers.
pub enum Reply {
    /// A complete response: status, extra headers and body (`Content-Length` is added).
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// A status and headers (the test writes any `Content-Length`), then `chunk` repeated,
    /// `pause` apart, until the client hangs up or `limit` bytes were written.
    Endless(u16, Vec<(String, String)>, Vec<u8>, usize, Duration),
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Full(
            status,
            vec![("Content-Type".into(), "application/json".into())],
            body.as_bytes().to_vec(),
        )
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full(
            status,
            vec![("Location".into(), location.into())],
            Vec::new(),
        )
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// A running hostile server; it stops when dropped.
pub struct Hostile {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    pub async fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, handler.clone(), log.clone()));
            }
        });
        Hostile {
            url,
            received,
            task,
        }
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Serves the requests of one connection (keep-alive), in order.
async fn serve(
    mut socket: tokio::net::TcpStream,
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<Received>>>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buf).await else {
            return;
        };
        log.lock().unwrap().push(request.clone());
        let (status, headers, body, endless) = match handler(&request) {
            Reply::Full(s, h, b) => (s, h, b, None),
            Reply::Endless(s, h, chunk, limit, pause) => (s, h, chunk, Some((limit, pause))),
        };
        let mut head = format!("HTTP/1.1 {status} Hostile\r\n");
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if endless.is_none() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        match endless {
            None => {
                if socket.write_all(&body).await.is_err() {
                    return;
                }
            }
            Some((limit, pause)) => {
                let mut sent = 0;
                while sent < limit {
                    if socket.write_all(&body).await.is_err() {
                        return;
                    }
                    sent += body.len().max(1);
                    tokio::time::sleep(pause).await;
                }
                return;
            }
        }
    }
}

/// Reads one request (head, then a `Content-Length` body); `None` at end of stream.
async fn read_request(socket: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_REQUEST {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST);
    buf.drain(..head_end + 4);
    while buf.len() < length {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.drain(..length).collect();
    Some(Received {
        line,
        headers,
        body,
    })
}
