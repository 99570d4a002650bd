//! The test harness: a temporary directory that is also `HOME`, the built `ttsc` run in it
//! with a clean environment, an emulator started by the test, and snapshots of exit code,
//! stdout and stderr with volatile values filtered out.
//!
//! Snapshots live in `tests/snapshots/NAME.snap`; `TTSC_UPDATE_SNAPSHOTS=1 cargo test -p
//! ttsc-cli` rewrites them.

#![allow(dead_code, reason = "each test binary uses part of the harness")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ttsc_emulator::{DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_VOICE, Emulator, EmulatorBuilder};

pub mod server;

/// The voice every test uses.
pub const VOICE: &str = DEMO_VOICE;

/// An emulator running on its own runtime, so tests can block on `ttsc`.
pub struct TestEmu {
    pub emu: Emulator,
    rt: tokio::runtime::Runtime,
}

impl TestEmu {
    /// Starts `builder` (defaults: 100 ms jobs).
    pub fn start(builder: EmulatorBuilder) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt.block_on(builder.start()).expect("emulator starts");
        TestEmu { emu, rt }
    }

    /// An emulator with 100 ms jobs.
    pub fn new() -> Self {
        Self::start(Emulator::builder().job_duration_ms(100))
    }

    pub fn url(&self) -> &str {
        self.emu.base_url()
    }

    /// The options that point `ttsc` at this emulator.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--endpoint".into(),
            self.url().into(),
            "--iam-endpoint".into(),
            self.url().into(),
            "--project-id".into(),
            DEMO_PROJECT_ID.into(),
            "--poll-interval".into(),
            "0.05".into(),
        ]
    }

    /// [`TestEmu::args`] followed by `extra`.
    pub fn args_with<S: AsRef<str>>(&self, extra: &[S]) -> Vec<String> {
        let mut all = self.args();
        all.extend(extra.iter().map(|a| a.as_ref().to_string()));
        all
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory used as working directory and `HOME`.
pub struct Sandbox {
    pub dir: PathBuf,
    /// Extra environment variables ([`Sandbox::set_env`]).
    env: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "ttsc-cli-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create sandbox");
        Sandbox {
            dir,
            env: Vec::new(),
        }
    }

    /// A sandbox whose environment holds the emulator's demo AK/SK.
    pub fn with_demo_keys(name: &str) -> Self {
        let mut s = Self::new(name);
        s.set_env("HUAWEICLOUD_SDK_AK", DEMO_AK);
        s.set_env("HUAWEICLOUD_SDK_SK", DEMO_SK);
        s
    }

    /// Sets environment variable `key` for every later run.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.into(), value.into()));
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// `ttsc ARGS…` in the sandbox with a clean environment.
    pub fn cmd<S: AsRef<str>>(&self, args: &[S]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ttsc"));
        c.args(args.iter().map(AsRef::as_ref))
            .current_dir(&self.dir)
            .env_clear()
            .env("HOME", &self.dir)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs `ttsc ARGS…` to completion.
    pub fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        let out = self.cmd(args).output().expect("run ttsc");
        Run::from(out)
    }

    /// Runs `ttsc ARGS…` to completion with `input` on stdin.
    pub fn run_with_input<S: AsRef<str>>(&self, args: &[S], input: &[u8]) -> Run {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ttsc");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("run ttsc"))
    }

    /// `ttsc` with `emu`'s options first, in the sandbox with a clean environment.
    pub fn cmd_at<S: AsRef<str>>(&self, emu: &TestEmu, args: &[S]) -> Command {
        self.cmd(&emu.args_with(args))
    }

    /// Runs `ttsc` with `emu`'s options first.
    pub fn run_at<S: AsRef<str>>(&self, emu: &TestEmu, args: &[S]) -> Run {
        self.run(&emu.args_with(args))
    }

    /// Runs `ttsc` with `emu`'s options first and checks the run against snapshot `name`.
    pub fn snapshot_at<S: AsRef<str>>(&self, emu: &TestEmu, name: &str, args: &[S]) -> Run {
        let run = self.run_at(emu, args);
        assert_snapshot(name, &run, &self.filters(Some(emu)));
        run
    }

    /// Filters for snapshots: the sandbox path and the emulator URL.
    pub fn filters(&self, emu: Option<&TestEmu>) -> Vec<(String, String)> {
        let mut f = vec![(self.dir.display().to_string(), "[TMP]".to_string())];
        if let Some(e) = emu {
            f.push((e.url().to_string(), "[EMULATOR]".to_string()));
        }
        f
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sandbox {
    /// The names in directory `rel` (`""`: the sandbox), sorted.
    pub fn names(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(rel))
            .expect("read the directory")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Starts `ttsc ARGS…` (output discarded), waits until `ready()` (polled every 10 ms,
    /// for at most two minutes, the command still running) and kills it with SIGKILL: no
    /// cleanup at all, as a crash or an OOM kill would leave it.
    pub fn kill_when<S: AsRef<str>>(&self, args: &[S], mut ready: impl FnMut() -> bool) {
        let mut child = self
            .cmd(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ttsc");
        let deadline = Instant::now() + Duration::from_secs(120);
        while !ready() {
            assert!(Instant::now() < deadline, "no progress");
            assert!(
                child.try_wait().expect("poll ttsc").is_none(),
                "ttsc ended early"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().expect("kill ttsc");
        child.wait().expect("reap ttsc");
    }
}

/// How many parts of a long synthesis have a job, from its journal at `path`
/// (`.AUDIO.ttsc-parts.json` beside the audio); 0 while there is none.
pub fn parts_with_jobs(path: &Path) -> usize {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map_or(0, |j| {
            j["parts"]
                .as_array()
                .map_or(0, |p| p.iter().filter(|p| p["job_id"].is_string()).count())
        })
}

/// `ttsc batch m.jsonl --out-dir out` with ndjson output, `emu`'s options first and
/// `extra` last.
pub fn batch_args(emu: &TestEmu, extra: &[&str]) -> Vec<String> {
    let base = [
        "--output-format",
        "ndjson",
        "batch",
        "m.jsonl",
        "--out-dir",
        "out",
    ];
    emu.args_with(&[&base[..], extra].concat())
}

/// The entries of the batch journal `out/.ttsc-batch.jsonl` (lines that do not parse
/// skipped; none while there is no journal).
pub fn batch_journal(s: &Sandbox) -> Vec<serde_json::Value> {
    std::fs::read(s.path("out/.ttsc-batch.jsonl"))
        .unwrap_or_default()
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

/// The result of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing both streams on failure.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts the exit code (as [`Run::expect`]) and that stderr contains each of
    /// `needles`, showing stderr on failure.
    #[track_caller]
    pub fn expect_stderr(&self, code: i32, needles: &[&str]) -> &Self {
        self.expect(code);
        for needle in needles {
            assert!(self.stderr.contains(needle), "{}", self.stderr);
        }
        self
    }

    /// stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The `job_id` of a run that created a job (exit 0, stdout JSON).
    pub fn job_id(&self) -> String {
        self.expect(0).json()["job_id"]
            .as_str()
            .expect("a job_id")
            .to_string()
    }
}

/// Replaces volatile values: ids (32 hex digits), hashes and signatures (64), RFC 3339
/// times, `expires=` stamps, `X-Sdk-Date` values, elapsed seconds, and the given literals.
pub fn filter(text: &str, literals: &[(String, String)]) -> String {
    let mut t = text.to_string();
    for (from, to) in literals {
        t = t.replace(from.as_str(), to);
    }
    t = t
        .replace(VOICE, "[VOICE]")
        .replace(DEMO_PROJECT_ID, "[PROJECT]")
        .replace(
            concat!("ttsc ", env!("CARGO_PKG_VERSION")),
            "ttsc [VERSION]",
        );
    let t = replace_tokens(&t, |tok| {
        let hex = tok
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        match tok.len() {
            32 if hex => Some("[ID]".into()),
            64 if hex => Some("[HASH]".into()),
            16 if hex => Some("[FP]".into()),
            _ => None,
        }
    });
    let t = replace_pattern(&t, "dddd-dd-ddTdd:dd:ddZ", "[TIME]");
    let t = replace_pattern(&t, "ddddddddTddddddZ", "[SDKDATE]");
    let t = replace_after(&t, "expires=", "[N]");
    replace_elapsed(&t)
}

/// Replaces maximal alphanumeric tokens for which `f` returns a replacement.
fn replace_tokens(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        match f(token) {
            Some(r) => out.push_str(&r),
            None => out.push_str(token),
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Replaces every match of `pattern` (`d` is any digit, other characters literal).
fn replace_pattern(text: &str, pattern: &str, with: &str) -> String {
    let p: Vec<char> = pattern.chars().collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let matches = i + p.len() <= chars.len()
            && p.iter().zip(&chars[i..]).all(|(pc, c)| {
                if *pc == 'd' {
                    c.is_ascii_digit()
                } else {
                    pc == c
                }
            });
        if matches {
            out.push_str(with);
            i += p.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Replaces the digits after each `marker`.
fn replace_after(text: &str, marker: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str(with);
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// `; 1.6 s` (elapsed time) → `; [ELAPSED]`.
fn replace_elapsed(text: &str) -> String {
    text.lines()
        .map(|l| match l.rfind("; ") {
            Some(at) if l.ends_with(" s") && l[at + 2..l.len() - 2].parse::<f64>().is_ok() => {
                format!("{}; [ELAPSED]", &l[..at])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// Compares `run` (filtered) with `tests/snapshots/NAME.snap`; `TTSC_UPDATE_SNAPSHOTS=1`
/// writes it instead.
pub fn assert_snapshot(name: &str, run: &Run, literals: &[(String, String)]) {
    let actual = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code,
        filter(&run.stdout, literals),
        filter(&run.stderr, literals)
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.snap"));
    if std::env::var_os("TTSC_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with TTSC_UPDATE_SNAPSHOTS=1 to create it. Actual:\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "snapshot {name} differs (TTSC_UPDATE_SNAPSHOTS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}
