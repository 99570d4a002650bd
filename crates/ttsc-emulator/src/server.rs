//! The running emulator: the listening socket, one hyper HTTP/1.1 connection task per
//! client, graceful shutdown, and the [`Emulator`] handle.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::config::{Config, EmulatorBuilder, EmulatorCredentials, EmulatorError};
use crate::inspect::{OperationStats, SeenRequest};
use crate::request_log::RequestLog;
use crate::state::Shared;

/// How long a client may take to send a request's headers (a slowloris connection is
/// closed after it), and to start the next request on a kept-alive connection.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for open connections to finish their requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running emulator. Dropping it stops the server (in the background); call
/// [`shutdown`](Self::shutdown) to wait until it has stopped.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// A builder with the default settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::new()
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`: the endpoint of both the TTS API and IAM.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials and identity the emulator accepts.
    pub fn credentials(&self) -> &EmulatorCredentials {
        &self.shared.config.credentials
    }

    /// The most recent requests, oldest first (at most the inspection capacity).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.inspector.recent()
    }

    /// The most recent requests routed to `operation` (e.g. `CreateAsyncTtsJob`,
    /// `DownloadFile`), oldest first.
    pub fn requests_for(&self, operation: &str) -> Vec<SeenRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation == Some(operation))
            .collect()
    }

    /// Totals for `operation` since start (or the last [`clear_requests`](Self::clear_requests)).
    pub fn operation_stats(&self, operation: &str) -> OperationStats {
        self.shared.inspector.stats(operation)
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        self.shared.inspector.clear();
    }

    /// The number of job records (live and preloaded).
    pub fn record_count(&self) -> usize {
        self.shared.read().records.len()
    }

    /// The number of result files held and their total size in bytes. Files are freed
    /// once every URL signed for them has expired (on the next request that touches
    /// the store).
    pub fn stored_files(&self) -> (usize, u64) {
        let files = self
            .shared
            .files
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (files.len(), files.total_bytes())
    }

    /// Stops accepting connections, lets open requests finish (up to 5 seconds), and
    /// returns when the server has stopped.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Binds the socket and spawns the accept loop.
pub(crate) async fn start(mut config: Config) -> Result<Emulator, EmulatorError> {
    let log = config
        .request_log
        .as_ref()
        .map(|path| {
            RequestLog::open(path).map_err(|source| EmulatorError::RequestLog {
                path: path.clone(),
                source,
            })
        })
        .transpose()?;
    let bind_error = |source| EmulatorError::Bind {
        addr: config.listen,
        source,
    };
    let listener = TcpListener::bind(config.listen).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    config.listen = addr;
    let shared = Arc::new(Shared::new(config, log));
    let (shutdown, rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), rx));
    tracing::info!(%addr, "emulator listening");
    Ok(Emulator {
        addr,
        base_url: format!("http://{addr}"),
        shared,
        shutdown,
        task: Some(task),
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, Arc::clone(&shared), stop.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        connections.abort_all();
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResetOnDrop {
        stream,
        reset: Arc::clone(&reset),
    });
    let service =
        service_fn(move |req| crate::gateway::serve(Arc::clone(&shared), Arc::clone(&reset), req));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// The client socket; when a fault dropped the connection, it closes with a TCP reset
/// (`SO_LINGER` 0) rather than an orderly FIN.
struct ResetOnDrop {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // A zero linger makes close() send RST at once; it never blocks.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetOnDrop {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetOnDrop {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
