//! `synth` stopped after its job exists (a write error, Ctrl-C, SIGTERM) names the job
//! and the exact command that fetches its files to the paths asked for, or for a long
//! text the journal that makes the same command resume; and that command works.

#![allow(clippy::print_stderr, reason = "a skipped case says so")]

mod support;

use std::process::{Child, Stdio};

use support::{Run, Sandbox, TestEmu, VOICE};
use ttsc_emulator::{DEMO_PROJECT_ID, Emulator};

/// The command the hint gives, between backticks, as words (the paths here need no
/// quoting).
fn hinted_command(stderr: &str) -> Vec<String> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("hint: job ") || l.contains(" created; `ttsc "))
        .unwrap_or_else(|| panic!("no hint naming the job:\n{stderr}"));
    let command = line.split('`').nth(1).expect("a command in backticks");
    let words: Vec<String> = command.split(' ').map(String::from).collect();
    assert_eq!(words[0], "ttsc");
    words[1..].to_vec()
}

/// Waits (bounded) until `ttsc` has polled a job, so it holds the job's id, then sends
/// `signal` and collects the outcome.
fn stop_after_first_poll(emu: &TestEmu, mut child: Child, signal: &str) -> Run {
    let mut polled = false;
    for _ in 0..6000 {
        if !emu.emu.requests_for("ShowAsyncTtsJob").is_empty() {
            polled = true;
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "ttsc ended early");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(polled, "ttsc never polled its job");
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    Run::from(child.wait_with_output().unwrap())
}

fn spawn(s: &Sandbox, emu: &TestEmu, args: &[&str]) -> Child {
    s.cmd_at(emu, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_full_disk_after_the_job_exists_names_the_download_command() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("no /dev/full: skipping");
        return;
    }
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("stopped-full");
    // /dev/full opens for writing (the pre-check passes) and every write fails ENOSPC.
    let run = s.run_at(
        &emu,
        &[
            "synth",
            "Hello there",
            "--voice",
            VOICE,
            "-o",
            "/dev/full",
            "--srt",
            "a.srt",
        ],
    );
    run.expect_stderr(1, &["No space left on device"]);
    let created = emu.emu.requests_for("CreateAsyncTtsJob");
    assert_eq!(created.len(), 1);
    let listed = s.run_at(&emu, &["--output-format", "json", "jobs", "list"]);
    let id = listed.json()[0]["job_id"].as_str().unwrap().to_string();
    let url = emu.url();
    let expected = format!(
        "`ttsc --endpoint {url} --iam-endpoint {url} --project-id {DEMO_PROJECT_ID} jobs download {id} --output /dev/full --srt a.srt`"
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);

    // The command is exact: run with a file in place of the full disk, it fetches both.
    let mut words = hinted_command(&run.stderr);
    for w in &mut words {
        if w == "/dev/full" {
            *w = "a.wav".into();
        }
    }
    s.run(&words).expect(0);
    assert!(std::fs::read(s.path("a.wav")).unwrap().starts_with(b"RIFF"));
    assert!(
        std::fs::read_to_string(s.path("a.srt"))
            .unwrap()
            .contains("-->")
    );
}

#[test]
fn ctrl_c_while_waiting_names_the_job_and_its_download_waits_for_it() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(3000));
    let s = Sandbox::with_demo_keys("stopped-int");
    let child = spawn(
        &s,
        &emu,
        &[
            "synth",
            "Hello there",
            "--voice",
            VOICE,
            "--format",
            "pcm",
            "-o",
            "take",
        ],
    );
    let stopped = stop_after_first_poll(&emu, child, "-INT");
    assert_eq!(stopped.code, 130, "{}", stopped.stderr);
    assert!(
        stopped.stderr.starts_with("error: interrupted"),
        "{}",
        stopped.stderr
    );
    let words = hinted_command(&stopped.stderr);
    // The name does not say PCM: the command does.
    assert!(
        words.ends_with(&["--output".into(), "take".into(), "--pcm".into()]),
        "{words:?}"
    );
    assert!(!s.path("take").exists());

    // The job is still running: the download waits for it, then writes the samples.
    let fetched = s.run(&words);
    fetched.expect(0);
    let pcm = std::fs::read(s.path("take")).unwrap();
    assert!(!pcm.is_empty() && !pcm.starts_with(b"RIFF"), "raw samples");
    assert_eq!(emu.emu.requests_for("CreateAsyncTtsJob").len(), 1);
}

#[test]
fn no_wait_needs_no_output_and_names_the_download_command() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("no-wait");
    // Without --no-wait, --output is required (before anything is sent).
    let run = s.run_at(&emu, &["synth", "Hello there", "--voice", VOICE]);
    run.expect_stderr(2, &["--output <FILE>"]);
    assert!(emu.emu.requests_for("CreateAsyncTtsJob").is_empty());

    // Without --output the command names a file after the job, in the format asked for.
    let run = s.run_at(
        &emu,
        &["synth", "Hello there", "--voice", VOICE, "--no-wait"],
    );
    run.expect(0);
    let id = run.job_id();
    let words = hinted_command(&run.stderr);
    let file = format!("{id}.wav");
    assert!(
        words.ends_with(&[
            "jobs".into(),
            "download".into(),
            id,
            "--output".into(),
            file.clone()
        ]),
        "{words:?}"
    );
    assert!(!s.path(&file).exists(), "--no-wait writes nothing");
    s.run(&words).expect(0);
    assert!(std::fs::read(s.path(&file)).unwrap().starts_with(b"RIFF"));

    // A PCM output whose name does not say so gets --pcm.
    let run = s.run_at(
        &emu,
        &[
            "synth",
            "Hello there",
            "--voice",
            VOICE,
            "--no-wait",
            "--format",
            "pcm",
            "-o",
            "take",
        ],
    );
    run.expect(0);
    let words = hinted_command(&run.stderr);
    assert!(
        words.ends_with(&["--output".into(), "take".into(), "--pcm".into()]),
        "{words:?}"
    );
    s.run(&words).expect(0);
    let pcm = std::fs::read(s.path("take")).unwrap();
    assert!(!pcm.is_empty() && !pcm.starts_with(b"RIFF"), "raw samples");

    // --pcm refuses a name that says another format.
    let run = s.run(&[
        "jobs",
        "download",
        &run.job_id(),
        "--output",
        "take.wav",
        "--pcm",
    ]);
    run.expect_stderr(2, &["--pcm does not match"]);
}

#[test]
fn sigterm_in_a_long_text_names_the_journal_and_the_same_command_resumes() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(1500));
    let s = Sandbox::with_demo_keys("stopped-long");
    let text = "Sentence number one. ".repeat(30);
    let args = [
        "synth",
        text.as_str(),
        "--voice",
        VOICE,
        "-o",
        "book.wav",
        "--max-part-chars",
        "100",
    ];
    let stopped = stop_after_first_poll(&emu, spawn(&s, &emu, &args), "-TERM");
    assert_eq!(stopped.code, 130, "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains(".book.wav.ttsc-parts.json: running the same command again resumes them"),
        "{}",
        stopped.stderr
    );
    assert!(s.path(".book.wav.ttsc-parts.json").is_file());

    s.run_at(&emu, &args).expect(0);
    let parts = ttsc_client::split::split_text(&text, 100).len();
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total as usize,
        parts,
        "no part was created twice"
    );
    assert!(
        std::fs::read(s.path("book.wav"))
            .unwrap()
            .starts_with(b"RIFF")
    );
}
