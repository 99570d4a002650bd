//! `ttsc batch` as a tool left running and run again: one run per output directory at a
//! time, edited lines synthesized again, a damaged journal still read, results streamed
//! as they finish, SIGTERM handled like Ctrl-C, files it did not write left alone.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{Sandbox, TestEmu, VOICE, batch_args, batch_journal};
use ttsc_emulator::Emulator;

/// Waits (at most 30 s) until the journal has `n` entries of `event`.
fn wait_for_journal(s: &Sandbox, child: &mut Child, event: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while batch_journal(s)
        .iter()
        .filter(|e| e["event"] == event)
        .count()
        < n
    {
        assert!(Instant::now() < deadline, "no {event} entries");
        assert!(child.try_wait().unwrap().is_none(), "ttsc ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn manifest(lines: &[(&str, &str)]) -> String {
    lines
        .iter()
        .map(|(id, text)| {
            format!(
                "{}\n",
                serde_json::json!({"id": id, "text": text, "voice": VOICE})
            )
        })
        .collect()
}

fn statuses(stdout: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = stdout
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn creates(emu: &TestEmu) -> u64 {
    emu.emu.operation_stats("CreateAsyncTtsJob").total
}

#[test]
fn a_second_run_is_refused_and_wait_lock_waits_then_skips_everything() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(3000));
    let s = Sandbox::with_demo_keys("lock");
    s.write(
        "m.jsonl",
        &manifest(&[("a", "First."), ("b", "Second."), ("c", "Third.")]),
    );
    let mut first = s
        .cmd(&batch_args(&emu, &[]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_journal(&s, &mut first, "created", 1);

    let refused = s.run(&batch_args(&emu, &[]));
    refused.expect_stderr(
        1,
        &["error: another `ttsc batch` is using out", "--wait-lock"],
    );
    assert_eq!(refused.stdout, "");

    let waiting = s
        .cmd(&batch_args(&emu, &["--wait-lock"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(first.wait().unwrap().success());
    let waited = support::Run::from(waiting.wait_with_output().unwrap());
    waited.expect_stderr(0, &["waiting for another `ttsc batch`"]);
    assert_eq!(
        statuses(&waited.stdout),
        pairs(&[("a", "skipped"), ("b", "skipped"), ("c", "skipped")])
    );
    assert_eq!(creates(&emu), 3, "one job per line across the three runs");
}

#[test]
fn an_edited_line_is_synthesized_again() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("edited");
    s.write(
        "m.jsonl",
        &manifest(&[("a", "First."), ("b", "Second."), ("c", "Third.")]),
    );
    s.run(&batch_args(&emu, &[])).expect(0);
    let before = std::fs::read(s.path("out/b.wav")).unwrap();
    // Same length, other text; and another speed.
    s.write(
        "m.jsonl",
        &(manifest(&[("a", "First."), ("b", "Secant.")])
            + &format!(
                "{}\n",
                serde_json::json!({"id": "c", "text": "Third.", "voice": VOICE, "speed": 120})
            )),
    );
    let again = s.run(&batch_args(&emu, &[]));
    again.expect(0);
    assert_eq!(
        statuses(&again.stdout),
        pairs(&[("a", "skipped"), ("b", "done"), ("c", "done")])
    );
    assert_eq!(creates(&emu), 5);
    assert_ne!(std::fs::read(s.path("out/b.wav")).unwrap(), before);
}

#[test]
fn a_journal_with_invalid_utf8_and_a_torn_character_still_loads() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("utf8");
    s.write("m.jsonl", &manifest(&[("a", "First."), ("b", "Second.")]));
    s.run(&batch_args(&emu, &[])).expect(0);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(s.path("out/.ttsc-batch.jsonl"))
        .unwrap();
    f.write_all(b"{\"event\":\"done\",\"id\":\"\xff\xfe\"}\n")
        .unwrap();
    // A crash in the middle of "é".
    f.write_all(b"{\"event\":\"failed\",\"id\":\"a\",\"reason\":\"caf\xc3")
        .unwrap();
    drop(f);
    let again = s.run(&batch_args(&emu, &[]));
    again.expect(0);
    assert_eq!(
        statuses(&again.stdout),
        pairs(&[("a", "skipped"), ("b", "skipped")])
    );
    assert_eq!(creates(&emu), 2);
}

#[test]
fn results_stream_as_lines_finish_and_sigterm_leaves_a_resumable_journal() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(300));
    let s = Sandbox::with_demo_keys("sigterm");
    // About 3 s each, against 0.3 s for the quick one.
    let slow: Vec<String> = (0..3)
        .map(|i| format!("{i} {}", "long ".repeat(1000)))
        .collect();
    s.write(
        "m.jsonl",
        &manifest(&[
            ("quick", "Quick."),
            ("slow-0", &slow[0]),
            ("slow-1", &slow[1]),
            ("slow-2", &slow[2]),
        ]),
    );
    let mut child = s
        .cmd(&batch_args(&emu, &[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["id"], "quick");
    assert_eq!(first["status"], "done");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first result arrives while the batch runs"
    );

    wait_for_journal(&s, &mut child, "created", 4);
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "SIGTERM is handled like Ctrl-C");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "no line finished after the quick one");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("error: interrupted"), "{stderr}");
    assert!(stderr.contains("run the same command again"), "{stderr}");

    // Resumed without slow-2, which left the manifest: its job is an orphan.
    let orphan = batch_journal(&s)
        .into_iter()
        .find(|e| e["event"] == "created" && e["id"] == "slow-2")
        .unwrap()["job_id"]
        .as_str()
        .unwrap()
        .to_string();
    s.write(
        "m.jsonl",
        &manifest(&[
            ("quick", "Quick."),
            ("slow-0", &slow[0]),
            ("slow-1", &slow[1]),
        ]),
    );
    let resumed = s.run(&batch_args(&emu, &[]));
    resumed.expect(0);
    assert_eq!(
        statuses(&resumed.stdout),
        pairs(&[("quick", "skipped"), ("slow-0", "done"), ("slow-1", "done")])
    );
    assert!(
        resumed.stderr.contains("2 jobs to re-attach"),
        "{}",
        resumed.stderr
    );
    assert!(
        resumed.stderr.contains("belong to no line") && resumed.stderr.contains(&orphan),
        "{}",
        resumed.stderr
    );
    assert_eq!(creates(&emu), 4, "the interrupted lines were re-attached");
}

#[test]
fn files_the_journal_did_not_write_are_kept_unless_force() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("not-ours");
    s.write("m.jsonl", &manifest(&[("a", "First."), ("b", "Second.")]));
    std::fs::create_dir(s.path("out")).unwrap();
    s.write("out/b.wav", "my own recording");
    let refused = s.run(&batch_args(&emu, &[]));
    refused.expect(2);
    assert!(
        refused.stderr.contains("b.wav") && refused.stderr.contains("--force"),
        "{}",
        refused.stderr
    );
    assert_eq!(creates(&emu), 0, "nothing sent");
    assert_eq!(
        std::fs::read_to_string(s.path("out/b.wav")).unwrap(),
        "my own recording"
    );
    assert!(
        !s.path("out/.ttsc-batch.jsonl").exists(),
        "nothing left behind"
    );

    s.run(&batch_args(&emu, &["--force"])).expect(0);
    assert!(
        std::fs::read(s.path("out/b.wav"))
            .unwrap()
            .starts_with(b"RIFF")
    );
    // Now the journal's: an edited line may replace it without --force.
    s.write("m.jsonl", &manifest(&[("a", "First."), ("b", "Changed.")]));
    s.run(&batch_args(&emu, &[])).expect(0);
    assert_eq!(creates(&emu), 3);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_stops_the_batch_naming_the_file() {
    // `/dev/full` answers every write with "No space left on device": an output linked
    // to it is written through (a device is never replaced), like a file on a full disk.
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("disk-full");
    s.write("m.jsonl", &manifest(&[("a", "First.")]));
    std::fs::create_dir(s.path("out")).unwrap();
    std::os::unix::fs::symlink("/dev/full", s.path("out/a.wav")).unwrap();
    let run = s.run(&batch_args(&emu, &["--force", "--retries", "0"]));
    run.expect(1);
    let out_a = std::path::Path::new("out").join("a.wav");
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot write {}: the disk is full",
            out_a.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );
    assert!(
        !batch_journal(&s).iter().any(|e| e["event"] == "done"),
        "nothing marked done"
    );
}

#[test]
fn a_bad_out_dir_is_refused_before_anything_is_sent() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("batch-bad-out-dir");
    s.write("m.jsonl", &manifest(&[("a", "Hello there")]));
    s.write("file", "not a directory");
    // An existing file, and a directory that cannot be created under a file.
    for dir in ["file", "file/out"] {
        let mut args = emu.args_with(&["batch", "m.jsonl", "--out-dir"]);
        args.push(dir.into());
        let run = s.run(&args);
        run.expect_stderr(2, &["--out-dir"]);
    }
    // A directory that takes no new files (unless root, who writes anyway).
    let ro = s.path("ro");
    std::fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), b"").is_err() {
            let run = s.run(&emu.args_with(&["batch", "m.jsonl", "--out-dir", "ro/out"]));
            run.expect_stderr(2, &["cannot write to --out-dir ro/out"]);
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert!(emu.emu.requests().is_empty(), "nothing is sent");
}
