//! Reads of user files, each capped at a documented size (docs/limits.md): a file that is
//! larger, or endless (`/dev/urandom`), is an error naming the file and the cap, and never
//! grows memory past the cap.

use std::io::Read;
use std::path::Path;

use crate::error::{CliError, CliResult};

/// `--text-file` (and standard input with `-`).
pub const MAX_TEXT_BYTES: u64 = 8 << 20;
/// A `batch` manifest.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;
/// The credentials file `configure` rewrites: the same cap as when it is read for
/// credentials.
pub const MAX_CREDENTIALS_BYTES: u64 = ttsc_auth::provider::MAX_PROFILE_BYTES;
/// `sign --data @FILE`: the gateway's limit of a signed body.
pub const MAX_SIGN_DATA_BYTES: u64 = 12 << 20;

/// At most `cap` bytes of `path` (`-` is standard input). `what` names the file in errors,
/// e.g. `--text-file`. Errors are usage errors (exit 2).
pub fn bytes(path: &Path, cap: u64, what: &str) -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().lock().take(cap + 1).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(cap + 1).read_to_end(&mut buf))
    };
    read.map_err(|e| {
        CliError::usage(format!("cannot read {what} {}", path.display())).cause(e.to_string())
    })?;
    if buf.len() as u64 > cap {
        return Err(CliError::usage(format!(
            "{what} {} is larger than {} (the limit)",
            path.display(),
            human(cap)
        )));
    }
    Ok(buf)
}

/// [`bytes`] as UTF-8 text.
pub fn text(path: &Path, cap: u64, what: &str) -> CliResult<String> {
    String::from_utf8(bytes(path, cap, what)?).map_err(|e| {
        CliError::usage(format!("{what} {} is not UTF-8 text", path.display()))
            .cause(e.utf8_error().to_string())
    })
}

/// `8 MiB`.
fn human(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}
