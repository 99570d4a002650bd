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
        run.expect(2);
        assert!(run.stderr.contains("name the same file"), "{}", run.stderr);
        assert!(run.stderr.contains(extra[0]), "{}", run.stderr);
    }
    assert!(emu.emu.requests().is_empty());
    assert!(!s.path("x.wav").exists());
}
