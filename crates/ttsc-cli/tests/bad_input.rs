//! Invalid input is rejected with exit 2 and a message naming the parameter, before any
//! request is sent and before any output file is created.

mod support;

use support::{Sandbox, TestEmu, VOICE};

struct Case {
    /// The command line after the emulator options.
    args: Vec<String>,
    /// What stderr must name.
    names: &'static str,
    /// Files that must not exist afterwards.
    absent: &'static [&'static str],
}

fn case(args: &[&str], names: &'static str, absent: &'static [&'static str]) -> Case {
    Case {
        args: args.iter().map(|a| a.to_string()).collect(),
        names,
        absent,
    }
}

#[test]
fn every_bad_input_exits_2_naming_the_parameter_before_any_request() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("bad-input");
    std::fs::create_dir(s.path("a-directory")).unwrap();
    s.write("a-file", "x");
    s.write(
        "bad-range.jsonl",
        &format!(
            "{{\"id\": \"a\", \"text\": \"fine\", \"voice\": \"{VOICE}\"}}\n{{\"id\": \"b\", \"text\": \"too fast\", \"voice\": \"{VOICE}\", \"speed\": 500}}\n"
        ),
    );
    s.write(
        "duplicate.jsonl",
        &format!(
            "{{\"id\": \"a\", \"text\": \"one\", \"voice\": \"{VOICE}\"}}\n{{\"id\": \"a\", \"text\": \"two\", \"voice\": \"{VOICE}\"}}\n"
        ),
    );
    s.write("no-voice.csv", "id,text\na,hello\n");
    s.write("broken.jsonl", "{\"id\": \"a\", \n");
    s.write(
        "bad-id.jsonl",
        &format!("{{\"id\": \"../escape\", \"text\": \"x\", \"voice\": \"{VOICE}\"}}\n"),
    );
    s.write(
        "bad-format.csv",
        &format!("id,text,voice,format\na,hi,{VOICE},ogg\n"),
    );
    s.write("empty.jsonl", "\n");
    s.write(
        "dup-column.csv",
        &format!("id,text,voice,text\na,one,{VOICE},two\n"),
    );
    s.write(
        "dup-key.jsonl",
        &format!(
            "{{\"id\": \"a\", \"text\": \"one\", \"voice\": \"{VOICE}\", \"text\": \"two\"}}\n"
        ),
    );
    s.write(
        "after-quote.csv",
        &format!("id,text,voice\na,\"a\"x,{VOICE}\n"),
    );

    fn synth<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["synth", "Hello", "--voice", VOICE, "-o", "out.wav"];
        a.extend(extra);
        a
    }
    // Every batch case writes to `out`, which must not be created.
    fn batch(manifest: &str, extra: &[&str], names: &'static str) -> Case {
        let mut a = vec!["batch", manifest, "--out-dir", "out"];
        a.extend(extra);
        case(&a, names, &["out"])
    }
    fn sign<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["sign", "--method", "GET", "--url", "https://example.com/"];
        a.extend(extra);
        a
    }
    let cases = vec![
        case(&synth(&["--speed", "500"]), "--speed", &["out.wav"]),
        case(&synth(&["--speed", "-5"]), "--speed", &["out.wav"]),
        case(&synth(&["--pitch", "10"]), "--pitch", &["out.wav"]),
        case(&synth(&["--volume", "999"]), "--volume", &["out.wav"]),
        case(&synth(&["--channels", "3"]), "--channels", &["out.wav"]),
        case(&synth(&["--speed", "fast"]), "--speed", &["out.wav"]),
        case(&synth(&["--format", "ogg"]), "--format", &["out.wav"]),
        case(&synth(&["--srt", "out.wav"]), "--srt", &["out.wav"]),
        case(
            &["synth", "", "--voice", VOICE, "-o", "out.wav"],
            "TEXT",
            &["out.wav"],
        ),
        case(
            &["synth", "Hello", "--voice", "", "-o", "out.wav"],
            "--voice",
            &["out.wav"],
        ),
        case(
            &["synth", "Hello", "-o", "out.wav"],
            "--voice",
            &["out.wav"],
        ),
        case(
            &[
                "synth",
                "--text-file",
                "missing.txt",
                "--voice",
                VOICE,
                "-o",
                "out.wav",
            ],
            "--text-file",
            &["out.wav"],
        ),
        case(
            &["synth", "Hello", "--voice", VOICE, "-o", "a-directory"],
            "--output",
            &[],
        ),
        case(
            &[
                "synth", "Hello", "--voice", VOICE, "-o", "out.wav", "--sped", "100",
            ],
            "--sped",
            &["out.wav"],
        ),
        case(&["--timeout", "0", "jobs", "list"], "--timeout", &[]),
        case(
            &["--poll-interval", "soon", "jobs", "list"],
            "--poll-interval",
            &[],
        ),
        case(
            &["--output-format", "xml", "jobs", "list"],
            "--output-format",
            &[],
        ),
        case(&["--color", "sometimes", "jobs", "list"], "--color", &[]),
        case(
            &["--region", "not a region", "jobs", "list"],
            "--region",
            &[],
        ),
        case(&["jobs", "list", "--since", "yesterday"], "--since", &[]),
        case(&["jobs", "list", "--until", "2026-13-01"], "--until", &[]),
        case(&["jobs", "list", "--limit", "0"], "--limit", &[]),
        case(&["jobs", "list", "--limit", "101"], "--limit", &[]),
        case(&["jobs", "list", "--offset", "-1"], "--offset", &[]),
        case(
            &["jobs", "download", "j1", "--out-dir", "a-file"],
            "--out-dir",
            &[],
        ),
        case(&["jobs", "get", ""], "ID", &[]),
        case(&["audition", "create", "", "--voice", VOICE], "TEXT", &[]),
        case(
            &[
                "audition", "create", "Hi", "--voice", VOICE, "--volume", "50",
            ],
            "--volume",
            &[],
        ),
        case(
            &["audition", "download", "j1", "--out-dir", "a-file"],
            "--out-dir",
            &[],
        ),
        case(&["vocab", "list", "--limit", "1000"], "--limit", &[]),
        case(&["vocab-group", "list", "--offset", "-3"], "--offset", &[]),
        case(&["vocab", "delete"], "<ID>", &[]),
        case(&["phonetic", ""], "WORD", &[]),
        batch("bad-range.jsonl", &[], "line 2"),
        batch("duplicate.jsonl", &[], "duplicate id"),
        batch("no-voice.csv", &[], "voice is required"),
        batch("broken.jsonl", &[], "line 1"),
        batch("bad-id.jsonl", &[], "for id"),
        batch("bad-format.csv", &[], "for format"),
        batch("empty.jsonl", &[], "no lines"),
        batch("missing.jsonl", &[], "missing.jsonl"),
        batch("bad-range.jsonl", &["--concurrency", "0"], "--concurrency"),
        batch("bad-range.jsonl", &["--retries", "99"], "--retries"),
        case(
            &["sign", "--method", "GET", "--url", "ftp://example.com/"],
            "--url",
            &[],
        ),
        case(
            &["sign", "--method", "GET", "--url", "not a url"],
            "--url",
            &[],
        ),
        case(
            &["sign", "--method", "G E T", "--url", "https://example.com/"],
            "--method",
            &[],
        ),
        case(&sign(&["--date", "2026-11-22"]), "--date", &[]),
        case(&sign(&["-H", "no-colon"]), "--header", &[]),
        case(&sign(&["--algorithm", "MD5"]), "--algorithm", &[]),
        case(&["completions", "tcsh"], "SHELL", &[]),
        // Reads of user files are capped: an endless file stops at the cap.
        case(
            &[
                "synth",
                "--text-file",
                "/dev/urandom",
                "--voice",
                VOICE,
                "-o",
                "out.wav",
            ],
            "--text-file /dev/urandom is larger than 8 MiB",
            &["out.wav"],
        ),
        case(
            &sign(&["--data", "@/dev/zero"]),
            "--data file /dev/zero is larger than 12 MiB",
            &[],
        ),
        // Nothing ambiguous is resolved silently.
        batch(
            "dup-column.csv",
            &[],
            "line 1: duplicate column \"text\" (columns 2 and 4)",
        ),
        batch("dup-key.jsonl", &[], "line 1: duplicate key \"text\""),
        batch(
            "after-quote.csv",
            &[],
            "line 2, column 6: text after the closing quote",
        ),
        batch(
            "/dev/zero",
            &[],
            "the manifest /dev/zero is larger than 64 MiB",
        ),
        // Date arithmetic is checked.
        case(
            &["jobs", "list", "--since", "99999999999999d"],
            "at most 18250d",
            &[],
        ),
        case(
            &["jobs", "list", "--until", "18446744073709551615s"],
            "--until",
            &[],
        ),
        // Output names say what they hold.
        case(
            &["synth", "Hello", "--voice", VOICE, "-o", "out.ogg"],
            ".wav, .mp3, .pcm or .raw",
            &["out.ogg"],
        ),
        case(&synth(&["--format", "mp3"]), "--format mp3", &["out.wav"]),
        // A newline in a URL would write a second key into the credentials file.
        case(
            &[
                "--iam-endpoint",
                "http://iam.example\n[basic]\nak = injected",
                "configure",
                "--access-key-id",
                "AK",
            ],
            "--iam-endpoint",
            &[".huaweicloud"],
        ),
    ];
    let mut failures = Vec::new();
    for c in &cases {
        let run = s.run_at(&emu, &c.args);
        let seen = emu.emu.requests();
        let mut problems = Vec::new();
        if run.code != 2 {
            problems.push(format!("exit {} instead of 2", run.code));
        }
        if !run.stderr.contains(c.names) {
            problems.push(format!("stderr does not name {}", c.names));
        }
        if !run.stderr.starts_with("error:") {
            problems.push("stderr does not start with `error:`".to_string());
        }
        if run.stderr.contains("Some(") || run.stderr.contains("None") {
            problems.push("stderr shows a Rust Option".to_string());
        }
        if !run.stdout.is_empty() {
            problems.push(format!("stdout is not empty: {}", run.stdout));
        }
        if !seen.is_empty() {
            problems.push(format!("{} requests reached the emulator", seen.len()));
            emu.emu.clear_requests();
        }
        for f in c.absent {
            if s.path(f).exists() {
                problems.push(format!("{f} was created"));
                let _ = std::fs::remove_file(s.path(f));
                let _ = std::fs::remove_dir_all(s.path(f));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "ttsc {}: {}\n  stderr: {}",
                c.args.join(" "),
                problems.join("; "),
                run.stderr.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn manifest_problems_are_all_reported_with_their_lines() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("manifest-problems");
    s.write(
        "m.jsonl",
        &format!(
            "# a comment\n{{\"id\": \"a\", \"text\": \"ok\", \"voice\": \"{VOICE}\"}}\n{{\"id\": \"b\", \"text\": \"\", \"voice\": \"{VOICE}\", \"pitch\": 10, \"colour\": \"red\"}}\n{{\"id\": \"c\", \"text\": \"ok\", \"voice\": \"{VOICE}\", \"srt\": \"maybe\"}}\n"
        ),
    );
    let run = s.run_at(&emu, &["batch", "m.jsonl", "--out-dir", "out"]);
    support::assert_snapshot("batch_manifest_problems", &run, &s.filters(Some(&emu)));
    assert!(emu.emu.requests().is_empty());
}
