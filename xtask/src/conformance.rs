//! `cargo xtask conformance`: drives the emulator with Huawei Cloud's official Python SDK,
//! unmodified, to show the SDK cannot tell it from the service.
//!
//! It installs the pinned SDK into `target/conformance-venv`, starts the emulator binary on
//! `127.0.0.1:0` with preloaded records and short jobs, and runs
//! `crates/ttsc-emulator/conformance/official_sdk.py` against it. Then `parity.py` has the SDK
//! and `ttsc api` send every operation, every field set, to a recording server and compares
//! the two requests. Needs `python3` and PyPI.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::{project_root, run, say};

/// The SDK packages, pinned: the version the API description was checked against.
const PACKAGES: [(&str, &str); 2] = [
    ("huaweicloudsdkcore", "3.1.219"),
    ("huaweicloudsdkmetastudio", "3.1.219"),
];
/// Synthetic records the emulator starts with, so the SDK pages through several pages.
const PRELOADED: u32 = 250;

/// Kills the emulator when dropped, whatever happens to the run.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The venv's interpreter, creating the venv and installing the SDK when needed.
fn python(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target").join("conformance-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        say(&format!("::: creating {}", venv.display()));
        run(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        )?;
    }
    // pip leaves requirements already installed at these versions alone, without PyPI.
    say("::: the official SDK in the venv");
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    for (name, version) in PACKAGES {
        pip.arg(format!("{name}=={version}"));
    }
    run(&mut pip, "pip install")?;
    Ok(python)
}

/// Builds binary `bin` of `package` and returns its path (from cargo's JSON messages).
fn build_binary(
    root: &Path,
    package: &str,
    bin: &str,
    features: Option<&str>,
) -> Result<PathBuf, String> {
    say(&format!("::: building {bin}"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["build", "-p", package, "--bin", bin])
        // The emulator's binary is behind its `cli` feature.
        .args(features.map(|f| ["--features", f]).into_iter().flatten())
        .arg("--message-format=json-render-diagnostics")
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo build -p {package} failed"));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["name"] == bin)
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo did not report the {bin} executable"))
}

/// Starts the emulator and reads what it prints: `listening on URL` (kept as `endpoint`),
/// then `name: value` lines up to `demo voice`.
fn start_emulator(binary: &Path) -> Result<(Running, BTreeMap<String, String>), String> {
    let mut child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--job-duration-ms",
            "300",
            "--seed",
            "7",
        ])
        .args(["--preload-jobs", &PRELOADED.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let running = Running(child);
    let mut printed = BTreeMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the emulator's output: {e}"))?;
        let (key, value) = match line.strip_prefix("listening on ") {
            Some(url) => ("endpoint", url),
            None => line.split_once(':').unwrap_or_default(),
        };
        printed.insert(key.to_owned(), value.trim().to_owned());
        if key == "demo voice" {
            return Ok((running, printed));
        }
    }
    Err("the emulator did not print its address and credentials".to_owned())
}

/// Runs the conformance check.
pub fn run_conformance() -> Result<(), String> {
    let root = project_root();
    let python = python(&root)?;
    let binary = build_binary(&root, "ttsc-emulator", "ttsc-emulator", Some("cli"))?;
    // The emulator stops at the end of this block, before the parity step.
    {
        let (_running, s) = start_emulator(&binary)?;
        let field = |key: &str| {
            s.get(key)
                .map(String::as_str)
                .ok_or(format!("the emulator did not print its {key}"))
        };
        say(&format!("::: official SDK against {}", field("endpoint")?));
        let script = root.join("crates/ttsc-emulator/conformance/official_sdk.py");
        run(
            Command::new(&python)
                .arg(script)
                .args(["--endpoint", field("endpoint")?])
                .args(["--ak", field("access key")?])
                .args(["--sk", field("secret key")?])
                .args(["--project-id", field("project id")?])
                .args(["--voice", field("demo voice")?])
                .args(["--preloaded", &PRELOADED.to_string()]),
            "the official SDK conformance script",
        )?;
    }
    parity(&root, &python)
}

/// The parity step: for every operation of `ttsc api --list`, the official SDK and ttsc send
/// the same request, every field set, to a recording server on loopback (and `ttsc synth`
/// and `ttsc audition create` with every flag, for their operations); any difference in
/// method, path, query, body (type-exact) or the compared headers fails.
fn parity(root: &Path, python: &Path) -> Result<(), String> {
    let ttsc = build_binary(root, "ttsc-cli", "ttsc", None)?;
    say("::: wire parity: the official SDK and ttsc, every operation, every field");
    run(
        Command::new(python)
            .arg(root.join("crates/ttsc-emulator/conformance/parity.py"))
            .arg("--ttsc")
            .arg(&ttsc)
            .arg("--api-dir")
            .arg(root.join("docs/api")),
        "the wire parity script",
    )
}
