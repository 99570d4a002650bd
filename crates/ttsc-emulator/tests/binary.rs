//! The `ttsc-emulator` binary: its first line, the credentials it prints, and flag errors
//! that name the flag.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ttsc-emulator");

#[test]
fn prints_its_address_first_then_the_credentials() {
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--ak",
            "MYAK",
            "--sk",
            "MYSK",
            "--project-id",
            "p1",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(7)
        .map(|l| l.expect("line"))
        .collect();
    child.kill().expect("kill");
    let _ = child.wait();
    let addr = lines[0]
        .strip_prefix("listening on http://127.0.0.1:")
        .expect("first line");
    assert!(addr.parse::<u16>().is_ok_and(|p| p > 0), "{lines:?}");
    let all = lines.join("\n");
    for expected in [
        "MYAK",
        "MYSK",
        "p1",
        "cn-north-4",
        ttsc_emulator::DEMO_VOICE,
    ] {
        assert!(all.contains(expected), "{expected} missing from {all}");
    }
}

#[test]
fn invalid_flags_name_the_flag_and_exit_2() {
    for (args, flag) in [
        (&["--fault-rate", "2"][..], "--fault-rate"),
        (
            &["--download-fault-rate", "-1"][..],
            "--download-fault-rate",
        ),
        (&["--job-duration-ms", "99999999"][..], "--job-duration-ms"),
        (&["--region", "Not A Region"][..], "--region"),
    ] {
        let out = Command::new(BIN).args(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}
