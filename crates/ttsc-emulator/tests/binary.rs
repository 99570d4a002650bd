//! The `ttsc-emulator` binary: its first line, the credentials it prints, and flag errors
//! that name the flag.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ttsc-emulator");

#[test]
fn prints_its_address_first_then_the_credentials() {
    let all = banner(
        &["--ak", "MYAK", "--sk", "MYSK", "--project-id", "p1"],
        &[],
        7,
    );
    let addr = all
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("listening on http://127.0.0.1:"))
        .expect("first line");
    assert!(addr.parse::<u16>().is_ok_and(|p| p > 0), "{all}");
    assert!(
        !all.contains("MYSK"),
        "a secret it was given is never printed: {all}"
    );
    for expected in ["MYAK", "p1", "cn-north-4", ttsc_emulator::DEMO_VOICE] {
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

/// The first `n` lines the binary prints with `args` and `env`, joined by newlines.
fn banner(args: &[&str], env: &[(&str, &str)], n: usize) -> String {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("TTSC_EMULATOR_SK")
        .env_remove("TTSC_EMULATOR_PASSWORD")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(n)
        .map(|l| l.expect("line"))
        .collect();
    child.kill().expect("kill");
    let _ = child.wait();
    lines.join("\n")
}

#[test]
fn secrets_come_from_files_or_the_environment_and_are_never_printed() {
    let dir = std::env::temp_dir().join(format!("ttsc-emulator-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sk_file = dir.join("sk");
    let pw_file = dir.join("pw");
    std::fs::write(&sk_file, "SK-FROM-FILE\n").unwrap();
    std::fs::write(&pw_file, "PW-FROM-FILE\n").unwrap();
    let from_files = banner(
        &[
            "--ak",
            "MYAK",
            "--sk-file",
            sk_file.to_str().unwrap(),
            "--user",
            "me",
            "--password-file",
            pw_file.to_str().unwrap(),
        ],
        &[],
        6,
    );
    let from_env = banner(
        &["--ak", "MYAK", "--user", "me"],
        &[
            ("TTSC_EMULATOR_SK", "SK-FROM-ENV"),
            ("TTSC_EMULATOR_PASSWORD", "PW-FROM-ENV"),
        ],
        6,
    );
    for out in [&from_files, &from_env] {
        assert!(out.contains("MYAK") && out.contains("me /"), "{out}");
        assert!(!out.contains("FROM-"), "a secret was printed: {out}");
    }
    let help = Command::new(BIN)
        .arg("--help")
        .env("TTSC_EMULATOR_SK", "SK-FROM-ENV")
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("TTSC_EMULATOR_SK") && !help.contains("SK-FROM-ENV"),
        "{help}"
    );
    // The demo values are public and shown.
    let demo = banner(&[], &[], 6);
    assert!(demo.contains(ttsc_emulator::DEMO_SK), "{demo}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unreadable_secret_file_names_the_flag_not_the_secret() {
    let out = Command::new(BIN)
        .args(["--ak", "A", "--sk-file", "/nonexistent/ttsc-sk"])
        .env_remove("TTSC_EMULATOR_SK")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--sk-file"), "{stderr}");
}
