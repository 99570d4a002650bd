//! What the client's test binaries share.

use std::sync::Mutex;
use std::time::Duration;

use ttsc_client::config::{Sleep, SleepFuture};

/// Records pauses and returns at once, so retries run instantly.
#[derive(Debug, Default)]
pub struct InstantSleep(pub Mutex<Vec<Duration>>);

impl Sleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}
