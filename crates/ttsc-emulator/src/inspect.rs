//! The inspection API: what requests an emulator saw, for tests to assert on.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::faults::Fault;
use crate::request_log::AuthScheme;

/// One request the emulator answered (or dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeenRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The operation, e.g. `CreateAsyncTtsJob`, `KeystoneCreateUserTokenByPassword`, or
    /// `DownloadFile` for result files; `None` when no route matched.
    pub operation: Option<&'static str>,
    /// The status answered; 0 when the connection was closed without a response.
    pub status: u16,
    /// Whether any credential header (`Authorization`, `X-Auth-Token`,
    /// `X-Security-Token`) was present.
    pub credential_headers: bool,
    /// How the request authenticated, as far as the emulator could tell.
    pub auth_scheme: AuthScheme,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
}

/// Per-operation totals that survive the recent-request window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationStats {
    /// Requests routed to the operation.
    pub total: u64,
    /// Of those, answered with a 2xx status.
    pub succeeded: u64,
    /// Of those, answered with another status or dropped.
    pub failed: u64,
}

#[derive(Debug, Default)]
struct Inner {
    recent: VecDeque<SeenRequest>,
    stats: HashMap<&'static str, OperationStats>,
}

/// Records requests: a window of the most recent ones and per-operation totals.
#[derive(Debug)]
pub(crate) struct Inspector {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl Inspector {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn record(&self, seen: SeenRequest) {
        let mut inner = self.lock();
        if let Some(op) = seen.operation {
            let s = inner.stats.entry(op).or_default();
            s.total += 1;
            if (200..300).contains(&seen.status) {
                s.succeeded += 1;
            } else {
                s.failed += 1;
            }
        }
        if self.capacity == 0 {
            return;
        }
        if inner.recent.len() == self.capacity {
            inner.recent.pop_front();
        }
        inner.recent.push_back(seen);
    }

    pub(crate) fn recent(&self) -> Vec<SeenRequest> {
        self.lock().recent.iter().cloned().collect()
    }

    pub(crate) fn stats(&self, operation: &str) -> OperationStats {
        self.lock()
            .stats
            .get(operation)
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.recent.clear();
        inner.stats.clear();
    }
}
