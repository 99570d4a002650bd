//! Output files are files we own, or we write through: a device or FIFO is written in
//! place, a symbolic link is followed, and two outputs naming one file are refused.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

mod support;

use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use support::{Sandbox, TestEmu, VOICE};

fn synth_to<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["synth", "Hello there", "--voice", VOICE, "-o", out];
    a.extend(extra);
    a
}

/// No hidden `.part`/`.tmp` file is left in `dir`.
fn assert_no_leftovers(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "left behind: {name}");
    }
}

#[test]
fn a_character_device_is_written_through_not_replaced() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-device");
    // The same device numbers as /dev/null, on a node of our own (never the real one).
    let made = std::process::Command::new("mknod")
        .arg(s.path("null"))
        .args(["c", "1", "3"])
        .status()
        .expect("run mknod");
    if !made.success() {
        eprintln!("mknod failed (not root?): skipping the device case");
        return;
    }
    s.run_at(&emu, &synth_to("null", &[])).expect(0);
    s.run_at(&emu, &synth_to("null", &["--format", "pcm"]))
        .expect(0);
    let kind = std::fs::symlink_metadata(s.path("null"))
        .unwrap()
        .file_type();
    assert!(kind.is_char_device(), "the device was replaced: {kind:?}");
    assert_no_leftovers(&s.dir);
}

#[test]
fn a_fifo_is_written_through() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-fifo");
    let fifo = s.path("pipe.wav");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).expect("read the FIFO"))
    };
    let run = s.run_at(&emu, &synth_to("pipe.wav", &[]));
    // If ttsc never opened the FIFO the reader is still waiting for a writer: opening it
    // read-write (which never blocks on Linux) and closing it ends that wait.
    drop(
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo),
    );
    let got = reader.join().unwrap();
    run.expect(0);
    assert!(got.starts_with(b"RIFF"), "{} bytes came through", got.len());
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_no_leftovers(&s.dir);
}

#[test]
fn a_symlink_is_followed_and_stays_a_link() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-link");
    std::fs::create_dir(s.path("real")).unwrap();
    std::fs::write(s.path("real/target.wav"), b"old").unwrap();
    std::os::unix::fs::symlink("real/target.wav", s.path("link.wav")).unwrap();
    // A dangling link is followed too: the file appears where it points.
    std::os::unix::fs::symlink("real/new.srt", s.path("subs.srt")).unwrap();
    s.run_at(&emu, &synth_to("link.wav", &["--srt", "subs.srt"]))
        .expect(0);
    for link in ["link.wav", "subs.srt"] {
        assert!(
            std::fs::symlink_metadata(s.path(link))
                .unwrap()
                .file_type()
                .is_symlink(),
            "{link} was replaced"
        );
    }
    assert!(
        std::fs::read(s.path("real/target.wav"))
            .unwrap()
            .starts_with(b"RIFF")
    );
    assert!(s.path("real/new.srt").is_file());
    assert_no_leftovers(&s.dir);
    assert_no_leftovers(&s.path("real"));
}

#[test]
fn two_outputs_that_resolve_to_one_file_exit_2() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-same");
    std::fs::create_dir(s.path("sub")).unwrap();
    std::os::unix::fs::symlink("x.wav", s.path("alias.srt")).unwrap();
    for extra in [
        ["--srt", "./x.wav"],
        ["--srt", "sub/../x.wav"],
        ["--timestamps", "alias.srt"],
    ] {
        let run = s.run_at(&emu, &synth_to("x.wav", &extra));
        run.expect_stderr(2, &["name the same file", extra[0]]);
    }
    assert!(emu.emu.requests().is_empty());
    assert!(!s.path("x.wav").exists());
}

/// `ttsc` with `emu`'s options first, stdout kept as bytes; `TMPDIR` is the sandbox's
/// `tmp`, so scratch files can be looked for.
fn run_raw(s: &Sandbox, emu: &TestEmu, args: &[&str]) -> std::process::Output {
    let tmp = s.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    s.cmd_at(emu, args).env("TMPDIR", &tmp).output().unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn dash_writes_the_audio_to_stdout_and_nothing_else() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-stdout");
    let wav = run_raw(&s, &emu, &synth_to("-", &["--srt", "a.srt"]));
    assert_eq!(wav.status.code(), Some(0), "{}", stderr_of(&wav));
    assert_eq!(&wav.stdout[..4], b"RIFF", "stdout is the WAV and only it");
    assert_eq!(&wav.stdout[8..12], b"WAVE");
    let note = stderr_of(&wav);
    assert!(
        note.contains(&format!(
            "{} bytes of audio written to standard output",
            wav.stdout.len()
        )),
        "{note}"
    );
    assert!(
        s.path("a.srt").is_file(),
        "the subtitles still go to their file"
    );

    let pcm = run_raw(&s, &emu, &synth_to("-", &["--format", "pcm"]));
    assert_eq!(pcm.status.code(), Some(0), "{}", stderr_of(&pcm));
    assert_eq!(
        pcm.stdout.len(),
        wav.stdout.len() - 44,
        "the samples, no header"
    );
    let mp3 = run_raw(&s, &emu, &synth_to("-", &["--format", "mp3"]));
    assert_eq!(mp3.status.code(), Some(0), "{}", stderr_of(&mp3));
    assert!(
        mp3.stdout.starts_with(b"ID3") || mp3.stdout[0] == 0xff,
        "not MP3: {:?}",
        &mp3.stdout[..4]
    );
    let quiet = run_raw(
        &s,
        &emu,
        &["-q", "synth", "Hi", "--voice", VOICE, "-o", "-"],
    );
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty(), "{}", stderr_of(&quiet));

    // No scratch file outlives a run.
    assert_eq!(std::fs::read_dir(s.path("tmp")).unwrap().count(), 0);
    assert!(!s.path("-").exists());
}

#[test]
fn dash_for_two_outputs_or_a_long_text_exits_2_before_anything_is_sent() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-stdout-bad");
    let long = "Sentence number one. ".repeat(30);
    for (args, says) in [
        (
            synth_to("-", &["--srt", "-"]),
            "--output - and --srt - both write to standard output",
        ),
        (
            synth_to("-", &["--timestamps", "-"]),
            "--output - and --timestamps - both",
        ),
        (
            synth_to("a.wav", &["--srt", "-"]),
            "--srt - would write to standard output",
        ),
        (
            vec![
                "synth",
                &long,
                "--voice",
                VOICE,
                "-o",
                "-",
                "--max-part-chars",
                "100",
            ],
            "--output - takes a text of at most 100 characters",
        ),
    ] {
        let out = run_raw(&s, &emu, &args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    assert!(emu.emu.requests().is_empty(), "nothing was sent");
    assert!(!s.path("a.wav").exists() && !s.path("-").exists());
}

#[test]
fn dash_on_a_terminal_exits_2() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-stdout-tty");
    // `script` runs ttsc with a terminal as its standard output.
    let mut line = format!("'{}'", env!("CARGO_BIN_EXE_ttsc"));
    for a in emu
        .args()
        .iter()
        .map(String::as_str)
        .chain(synth_to("-", &[]))
    {
        line.push_str(&format!(" '{a}'"));
    }
    let Ok(out) = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .current_dir(&s.dir)
        .env_clear()
        .env("HOME", &s.dir)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HUAWEICLOUD_SDK_AK", ttsc_emulator::DEMO_AK)
        .env("HUAWEICLOUD_SDK_SK", ttsc_emulator::DEMO_SK)
        .stdin(std::process::Stdio::null())
        .output()
    else {
        eprintln!("no `script` (util-linux): skipping the terminal case");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("--output - writes binary audio to standard output, which is a terminal"),
        "{text}"
    );
    assert!(emu.emu.requests().is_empty());
}

#[test]
fn downloads_and_samples_take_dash() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-stdout-dl");
    let id = s
        .run_at(&emu, &synth_to("a.wav", &["--output-format", "json"]))
        .job_id();
    let job = run_raw(&s, &emu, &["jobs", "download", &id, "--output", "-"]);
    assert_eq!(job.status.code(), Some(0), "{}", stderr_of(&job));
    assert_eq!(job.stdout, std::fs::read(s.path("a.wav")).unwrap());

    let pid = s
        .run_at(
            &emu,
            &[
                "--output-format",
                "json",
                "audition",
                "create",
                "Hi",
                "--voice",
                VOICE,
            ],
        )
        .job_id();
    s.run_at(&emu, &["audition", "wait", &pid]).expect(0);
    let pre = run_raw(&s, &emu, &["audition", "download", &pid, "--output", "-"]);
    assert_eq!(pre.status.code(), Some(0), "{}", stderr_of(&pre));
    assert_eq!(&pre.stdout[..4], b"RIFF");

    // Raw PCM is the samples of a WAV job; an MP3 job's audio has none.
    let mp3_id = s
        .run_at(&emu, &synth_to("b.mp3", &["--output-format", "json"]))
        .job_id();
    let pcm = s.run_at(&emu, &["jobs", "download", &mp3_id, "--output", "b.pcm"]);
    pcm.expect_stderr(1, &["not a WAV file"]);
    assert!(!s.path("b.pcm").exists());
    assert_no_leftovers(&s.dir);
    let pcm = s.run_at(&emu, &["jobs", "download", &id, "--output", "a.pcm"]);
    pcm.expect(0);
    assert_eq!(
        std::fs::read(s.path("a.pcm")).unwrap().len() + 44,
        std::fs::read(s.path("a.wav")).unwrap().len()
    );

    let sample = run_raw(&s, &emu, &["voice", "sample", VOICE, "-o", "-"]);
    assert_eq!(sample.status.code(), Some(0), "{}", stderr_of(&sample));
    assert_eq!(&sample.stdout[..4], b"RIFF");
    assert_eq!(std::fs::read_dir(s.path("tmp")).unwrap().count(), 0);
}

#[test]
fn an_output_that_cannot_be_written_costs_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("out-unwritable");
    s.write("file", "");
    std::fs::create_dir(s.path("ro")).unwrap();
    std::fs::set_permissions(s.path("ro"), std::fs::Permissions::from_mode(0o500)).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(s.path("sock")).unwrap();
    let long = "x".repeat(250);
    let mut cases = vec![
        ("missing/a.wav", "the directory missing does not exist"),
        ("file/a.wav", "file/a.wav for"),
        ("sock", "cannot write sock for"),
        (&long, "cannot write"),
    ];
    // Root writes into a read-only directory anyway: that case needs another user.
    let root = std::fs::write(s.path("ro/probe"), b"").is_ok();
    if !root {
        cases.push(("ro/a.wav", "Permission denied"));
    }
    for (out, says) in cases {
        for args in [
            synth_to(out, &[]),
            synth_to("a.wav", &["--srt", out]),
            vec!["jobs", "download", "job1", "--output", out],
            vec!["voice", "sample", VOICE, "-o", out],
        ] {
            let run = s.run_at(&emu, &args);
            run.expect(2);
            assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        }
    }
    assert!(emu.emu.requests().is_empty(), "no request, so no job");
    let listed = s.run_at(&emu, &["--output-format", "json", "jobs", "list"]);
    assert_eq!(listed.json(), serde_json::json!([]));
    std::fs::set_permissions(s.path("ro"), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(
        std::fs::read_dir(s.path("ro")).unwrap().count(),
        usize::from(root)
    );
    assert!(!s.path("a.wav").exists());
}
