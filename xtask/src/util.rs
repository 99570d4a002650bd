//! Small helpers shared by xtask commands: paths, output, formatting, file reads and writes,
//! and `cargo metadata`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The workspace root (the parent of `xtask/`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Prints a line to stdout (xtask is a command; printing is its job).
pub fn say(s: &str) {
    println!("{s}");
}

/// Prints a line to stderr.
pub fn say_err(s: &str) {
    eprintln!("{s}");
}

/// Formats Rust source with the workspace's rustfmt settings (edition 2024).
pub fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(project_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run rustfmt ({e}); install it with `rustup component add rustfmt`")
        })?;
    child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(source.as_bytes())
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected generated code:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}

/// Runs `cmd` with the terminal attached; the error names `what`.
pub fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    (status.success())
        .then_some(())
        .ok_or_else(|| format!("{what} failed ({status})"))
}

/// Reads the file at `rel` (relative to `root`); the error names `rel`.
pub fn read(root: &Path, rel: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| format!("reading {rel}: {e}"))
}

/// Whether a file write changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The file already had these contents.
    Fresh,
    /// The file differed (or was missing) and was written, or would be in check mode.
    Stale,
}

/// Writes `contents` to `path` unless it already holds them; in `check` mode never writes.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<Outcome, String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(Outcome::Fresh);
    }
    if !check {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        std::fs::write(path, contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(Outcome::Stale)
}

/// Runs `cargo metadata --format-version 1 --no-deps` in `root` (no dependency resolution,
/// so no registry access either).
pub fn cargo_metadata(root: &Path) -> Result<Value, String> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed ({})", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata output: {e}"))
}
