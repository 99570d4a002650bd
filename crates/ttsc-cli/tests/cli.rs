//! End-to-end tests of every command: the built `ttsc` against an emulator the test starts
//! (or `--emulator`), snapshotting exit code, stdout and stderr.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use support::server::{self, closed_port_url};
use support::{Sandbox, TestEmu, VOICE, assert_snapshot, filter};
use ttsc_emulator::{DEMO_PROJECT_ID, Emulator};

fn is_wav(bytes: &[u8]) -> bool {
    bytes.len() > 44 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE"
}

#[test]
fn snapshot_filters_replace_volatile_values() {
    let text = "job 0123456789abcdef0123456789abcdef at 2026-11-23T16:39:07Z?expires=1795455550&sig=x; 1.6 s\n";
    assert_eq!(
        filter(text, &[]),
        "job [ID] at [TIME]?expires=[N]&sig=x; [ELAPSED]\n"
    );
}

#[test]
fn help_lists_commands_environment_and_exit_codes() {
    let s = Sandbox::new("help");
    let run = s.run(&["--help"]);
    run.expect(0);
    for var in [
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        "TTSC_AUTH_TOKEN",
        "TTSC_IAM_USER",
        "TTSC_IAM_PASSWORD",
        "TTSC_IAM_DOMAIN",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        assert!(run.stdout.contains(var), "{var} missing from --help");
    }
    assert_snapshot("help", &run, &[]);
    let version = s.run(&["--version"]);
    assert_snapshot("version", &version, &[]);
}

#[test]
fn command_help_lists_its_own_options_then_global_options_then_examples() {
    let s = Sandbox::new("help-layout");
    let run = s.run(&["synth", "--help"]);
    run.expect(0);
    let at = |needle: &str| {
        run.stdout
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from synth --help:\n{}", run.stdout))
    };
    // The command's own options first, then the global ones under their own heading.
    assert!(at("--voice <VOICE>") < at("Global options:"));
    // --voice says where voices are found.
    assert!(at("`ttsc voice list`") < at("Global options:"));
    assert!(at("--speed <N>") < at("Global options:"));
    assert!(at("Global options:") < at("--endpoint <URL>"));
    assert!(at("Global options:") < at("--output-format <FORMAT>"));
    assert!(at("--color <WHEN>") < at("Examples:"));
    assert!(run.stdout.contains("ttsc --emulator synth"));
    // batch lists the manifest fields.
    let batch = s.run(&["batch", "--help"]);
    batch.expect(0);
    assert!(batch.stdout.contains("Manifest fields"), "{}", batch.stdout);
    assert!(
        batch.stdout.contains("id, text, voice, format"),
        "{}",
        batch.stdout
    );
}

#[test]
fn an_environment_default_does_not_look_required_in_the_usage_line() {
    let mut s = Sandbox::new("usage-env");
    s.set_env("TTSC_ENDPOINT", "http://127.0.0.1:9");
    s.set_env("TTSC_REGION", "cn-north-4");
    let run = s.run(&["synth", "hello"]);
    run.expect(2);
    let usage = run
        .stderr
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_else(|| panic!("no usage line:\n{}", run.stderr));
    assert!(usage.contains("--voice <VOICE>"), "{usage}");
    assert!(!usage.contains("--endpoint"), "{usage}");
    assert!(!usage.contains("--region"), "{usage}");
}

#[test]
fn emulator_synth_writes_a_wav_on_a_fresh_machine() {
    let s = Sandbox::new("emu-synth");
    let run = s.run(&[
        "--emulator",
        "synth",
        "Hello from ttsc",
        "--voice",
        VOICE,
        "-o",
        "hello.wav",
    ]);
    assert_snapshot("emulator_synth", &run, &s.filters(None));
    let wav = std::fs::read(s.path("hello.wav")).expect("hello.wav");
    assert!(is_wav(&wav), "RIFF/WAVE header");
}

#[test]
fn synth_writes_audio_subtitles_timestamps_and_pcm() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("synth");
    // Output directories are not created: a missing one is exit 2 before any job.
    std::fs::create_dir(s.path("out")).unwrap();
    s.snapshot_at(
        &emu,
        "synth_table",
        &[
            "--output-format",
            "table",
            "synth",
            "Subtitles and timestamps, please.",
            "--voice",
            VOICE,
            "-o",
            "out/speech.mp3",
            "--srt",
            "out/speech.srt",
            "--timestamps",
            "out/speech.json",
            "--speed",
            "120",
            "--channels",
            "2",
        ],
    );
    let mp3 = std::fs::read(s.path("out/speech.mp3")).unwrap();
    assert!(mp3.starts_with(b"ID3") || mp3[0] == 0xff, "MP3 frames");
    let srt = std::fs::read_to_string(s.path("out/speech.srt")).unwrap();
    assert!(srt.starts_with("1\n00:00:00,000 --> "), "{srt}");
    let ts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path("out/speech.json")).unwrap()).unwrap();
    assert!(ts.is_object());

    // PCM: WAV from the service, header removed locally.
    let wav_run = s.run_at(
        &emu,
        &["synth", "Same text", "--voice", VOICE, "-o", "a.wav"],
    );
    wav_run.expect(0);
    let pcm_run = s.run_at(
        &emu,
        &["synth", "Same text", "--voice", VOICE, "-o", "a.pcm"],
    );
    pcm_run.expect(0);
    let wav = std::fs::read(s.path("a.wav")).unwrap();
    let pcm = std::fs::read(s.path("a.pcm")).unwrap();
    assert!(is_wav(&wav));
    assert_eq!(pcm.len(), wav.len() - 44);
    assert_eq!(&wav[44..], &pcm[..]);
    assert_eq!(pcm_run.json()["files"][0]["bytes"], pcm.len());
    // A partial file left by an interrupted run is another job's: it is not resumed.
    s.write(".b.wav.part", &"x".repeat(5000));
    s.run_at(
        &emu,
        &["synth", "Same text", "--voice", VOICE, "-o", "b.wav"],
    )
    .expect(0);
    assert_eq!(std::fs::read(s.path("b.wav")).unwrap(), wav);
    let leftovers: Vec<_> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Text from a file, and --no-wait.
    s.write("script.txt", "Read from a file.\n");
    s.snapshot_at(
        &emu,
        "synth_no_wait",
        &[
            "synth",
            "--text-file",
            "script.txt",
            "--voice",
            VOICE,
            "-o",
            "later.wav",
            "--no-wait",
        ],
    );
    assert!(!s.path("later.wav").exists());
}

#[test]
fn jobs_list_get_wait_download() {
    let emu = TestEmu::start(
        Emulator::builder()
            .job_duration_ms(100)
            .preload_jobs(250)
            .seed(7),
    );
    let s = Sandbox::with_demo_keys("jobs");
    let created = s.run_at(
        &emu,
        &[
            "synth",
            "A job to find.",
            "--voice",
            VOICE,
            "-o",
            "x.wav",
            "--no-wait",
        ],
    );
    let id = created.job_id();

    s.snapshot_at(&emu, "jobs_wait", &["jobs", "wait", &id]);
    s.snapshot_at(
        &emu,
        "jobs_get_table",
        &["--output-format", "table", "jobs", "get", &id],
    );
    s.snapshot_at(
        &emu,
        "jobs_download",
        &["jobs", "download", &id, "--out-dir", "dl"],
    );
    assert!(is_wav(
        &std::fs::read(s.path(&format!("dl/{id}.wav"))).unwrap()
    ));

    // One page, in every format.
    s.snapshot_at(
        &emu,
        "jobs_list_table",
        &["--output-format", "table", "jobs", "list", "--limit", "3"],
    );
    s.snapshot_at(
        &emu,
        "jobs_list_json",
        &["jobs", "list", "--limit", "3", "--job-id", &id],
    );
    s.snapshot_at(
        &emu,
        "jobs_list_csv",
        &[
            "--output-format",
            "csv",
            "-q",
            "jobs",
            "list",
            "--limit",
            "2",
        ],
    );

    // Every record, streamed: 250 preloaded and the one created.
    let ndjson = s.run_at(
        &emu,
        &["--output-format", "ndjson", "jobs", "list", "--all"],
    );
    ndjson.expect(0);
    let lines: Vec<serde_json::Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 251);
    let ids: std::collections::HashSet<&str> = lines
        .iter()
        .map(|l| l["job_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 251, "no record twice");
    let all_json = s.run_at(
        &emu,
        &[
            "jobs",
            "list",
            "--all",
            "--type",
            "ASYNC_JOB",
            "--since",
            "30d",
        ],
    );
    all_json.expect(0);
    let arr = all_json.json();
    assert!(
        arr.as_array()
            .unwrap()
            .iter()
            .all(|j| j["job_type"] == "ASYNC_JOB")
    );
    let table = s.run_at(&emu, &["--output-format", "table", "jobs", "list", "--all"]);
    table.expect(0);
    assert_eq!(table.stdout.lines().count(), 252, "header and 251 rows");
    for line in table.stdout.lines() {
        assert_eq!(&line[32..34], "  ", "fixed column positions: {line}");
    }

    // Narrow terminals get cut cells.
    let mut narrow = s.cmd_at(
        &emu,
        &["--output-format", "table", "jobs", "list", "--limit", "2"],
    );
    let narrow = support::Run::from(narrow.env("COLUMNS", "60").output().unwrap());
    narrow.expect(0);
    assert!(
        narrow.stdout.lines().all(|l| l.chars().count() <= 60),
        "{}",
        narrow.stdout
    );
    assert!(
        narrow
            .stdout
            .lines()
            .skip(1)
            .all(|l| l.split_whitespace().next().is_some_and(|id| id.len() == 32)),
        "whole job ids: {}",
        narrow.stdout
    );

    // An unknown job.
    s.snapshot_at(
        &emu,
        "jobs_get_unknown",
        &["jobs", "get", "00000000000000000000000000000001"],
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let emu = TestEmu::start(Emulator::builder().preload_jobs(3000));
    let s = Sandbox::with_demo_keys("pipe");
    let mut child = s
        .cmd_at(
            &emu,
            &["--output-format", "ndjson", "jobs", "list", "--all"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone: ttsc gets EPIPE on its next write.
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(first.starts_with('{'));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn auditions() {
    // Long enough that the early download below surely comes before the preview is ready.
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(2000));
    let s = Sandbox::with_demo_keys("audition");
    let created = s.snapshot_at(
        &emu,
        "audition_create",
        &[
            "audition",
            "create",
            "A preview.",
            "--voice",
            VOICE,
            "--speed",
            "110",
        ],
    );
    let id = created.job_id();
    s.snapshot_at(
        &emu,
        "audition_download_early",
        &["audition", "download", &id, "--out-dir", "pre"],
    );
    s.snapshot_at(&emu, "audition_wait", &["audition", "wait", &id]);
    s.snapshot_at(
        &emu,
        "audition_get",
        &["--output-format", "ndjson", "audition", "get", &id],
    );
    s.snapshot_at(
        &emu,
        "audition_download",
        &["audition", "download", &id, "--out-dir", "pre"],
    );
    assert!(is_wav(
        &std::fs::read(s.path(&format!("pre/{id}.wav"))).unwrap()
    ));
    // A preview's id given to `jobs get` is a 404 that says which command to use.
    let wrong = s.run_at(&emu, &["jobs", "get", &id]);
    wrong.expect_stderr(1, &[&format!("hint: {id} is a preview")]);
}

#[test]
fn vocabularies_groups_and_tenant_switches() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("vocab");
    let f = s.filters(Some(&emu));
    let group = s.run_at(&emu, &["vocab-group", "create", "Brand names"]);
    assert_snapshot("vocab_group_create", &group, &f);
    let gid = group.json()["id"].as_str().unwrap().to_string();
    let renamed = s.run_at(&emu, &["vocab-group", "update", &gid, "Brands"]);
    renamed.expect(0);
    let assets = s.run_at(&emu, &["vocab-group", "set-assets", &gid, VOICE]);
    assets.expect(0);
    let groups = s.run_at(
        &emu,
        &["--output-format", "table", "vocab-group", "list", "--all"],
    );
    assert_snapshot("vocab_group_list", &groups, &f);

    let entry = s.run_at(
        &emu,
        &[
            "vocab",
            "create",
            "--type",
            "ALIAS",
            "--key",
            "ttsc",
            "--value",
            "T T S C",
            "--group-id",
            &gid,
        ],
    );
    entry.expect(0);
    let eid = entry.json()["id"].as_str().unwrap().to_string();
    let updated = s.run_at(
        &emu,
        &[
            "vocab",
            "update",
            &eid,
            "--type",
            "ALIAS",
            "--key",
            "ttsc",
            "--value",
            "tee tee ess see",
        ],
    );
    updated.expect(0);
    let list = s.run_at(
        &emu,
        &[
            "--output-format",
            "table",
            "vocab",
            "list",
            "--search",
            "ttsc",
        ],
    );
    assert_snapshot("vocab_list", &list, &f);
    let csv = s.run_at(
        &emu,
        &[
            "--output-format",
            "csv",
            "vocab",
            "list",
            "--all",
            "--type",
            "ALIAS",
        ],
    );
    assert_snapshot("vocab_list_csv", &csv, &f);
    let deleted = s.run_at(&emu, &["vocab", "delete", &eid]);
    assert_snapshot("vocab_delete", &deleted, &f);
    let empty = s.run_at(&emu, &["vocab", "list"]);
    assert_eq!(empty.stdout, "[]\n");
    let gone = s.run_at(&emu, &["vocab-group", "delete", &gid]);
    gone.expect(0);

    // A value the emulator does not know is sent anyway, after a warning: only the service
    // can tell whether it knows it.
    let unknown = s.run_at(&emu, &["vocab", "list", "--type", "SHOUT"]);
    assert!(
        unknown
            .stderr
            .contains("warning: unknown value \"SHOUT\" for --type"),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("MSS."), "{}", unknown.stderr);
    assert_eq!(
        emu.emu
            .requests_for("ListTtscVocabularyConfigs")
            .last()
            .map(|r| r.status),
        Some(400)
    );

    let set = s.run_at(&emu, &["tenant-config", "set", "vocabulary", "true"]);
    assert_snapshot("tenant_config_set", &set, &f);
    let get = s.run_at(&emu, &["--output-format", "table", "tenant-config", "get"]);
    assert_snapshot("tenant_config_get", &get, &f);
}

#[test]
fn phonetic_once_code_and_voice_check() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("misc");
    let f = s.filters(Some(&emu));
    assert_snapshot("phonetic", &s.run_at(&emu, &["phonetic", "hello"]), &f);
    assert_snapshot("once_code", &s.run_at(&emu, &["once-code"]), &f);
    assert_snapshot(
        "voice_check",
        &s.run_at(&emu, &["--output-format", "table", "voice", "check", VOICE]),
        &f,
    );
    let blocked = s.run_at(
        &emu,
        &["voice", "check", "00000000000000000000000000000000"],
    );
    blocked.expect(0);
    assert_eq!(blocked.json()["asset_state"], "BLOCK");
}

#[test]
fn configure_writes_a_private_profile_and_config_show_masks_secrets() {
    let s = Sandbox::new("configure");
    let run = s.run_with_input(
        &[
            "configure",
            "--region",
            "cn-north-4",
            "--project-id",
            DEMO_PROJECT_ID,
        ],
        b"HPUAEXAMPLEAK0000001\nthe-secret-key-0001\n",
    );
    assert_snapshot("configure", &run, &s.filters(None));
    assert!(!run.stdout.contains("the-secret-key") && !run.stderr.contains("the-secret-key"));
    let path = s.path(".huaweicloud/credentials");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!(
            "[basic]\nak = HPUAEXAMPLEAK0000001\nsk = the-secret-key-0001\nproject_id = {DEMO_PROJECT_ID}\nregion = cn-north-4\n"
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A second profile keeps the first.
    s.run_with_input(
        &["configure", "--profile", "work", "--access-key-id", "AK2"],
        b"sk2\n",
    )
    .expect(0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("[basic]\n") && text.ends_with("[work]\nak = AK2\nsk = sk2\n"),
        "{text}"
    );

    let show = s.run(&["--output-format", "json", "config", "show"]);
    assert_snapshot("config_show", &show, &s.filters(None));
    assert!(!show.stdout.contains("the-secret-key"));
    let no_sk = s.run(&["configure", "--access-key-id", "AK3"]);
    assert_snapshot("configure_without_sk", &no_sk, &s.filters(None));

    // Like `aws configure`: Enter keeps the current AK and SK.
    s.run_with_input(&["configure", "--profile", "work"], b"\n\n")
        .expect(0);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text, "Enter keeps every value");
}

#[test]
fn config_show_from_the_environment() {
    let mut s = Sandbox::with_demo_keys("config-env");
    s.set_env("TTSC_REGION", "cn-east-3");
    s.set_env("HUAWEICLOUD_SDK_PROJECT_ID", DEMO_PROJECT_ID);
    let show = s.run(&[
        "config",
        "show",
        "--timeout",
        "30",
        "--listing-deadline",
        "90",
        "--max-download-bytes",
        "500M",
    ]);
    assert_snapshot("config_show_env", &show, &s.filters(None));
}

#[test]
fn sign_shows_every_stage_and_a_curl_command() {
    let s = Sandbox::with_demo_keys("sign");
    let url = format!(
        "https://metastudio.cn-north-4.myhuaweicloud.com/v1/{DEMO_PROJECT_ID}/ttsc/tts-jobs?offset=0&limit=10"
    );
    let args = [
        "sign",
        "--method",
        "GET",
        "--url",
        &url,
        "-H",
        "Content-Type: application/json",
        "--date",
        "20261122T081500Z",
    ];
    let mut text = vec!["--output-format", "table"];
    text.extend(args);
    assert_snapshot("sign_text", &s.run(&text), &[]);
    assert_snapshot("sign_json", &s.run(&args), &[]);
    let mut curl = args.to_vec();
    curl.push("--curl");
    assert_snapshot("sign_curl", &s.run(&curl), &[]);
}

#[test]
fn sign_curl_is_accepted_by_the_emulator() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("sign-emu");
    let url = format!("{}/v1/{DEMO_PROJECT_ID}/ttsc/tts-jobs?limit=1", emu.url());
    let run = s.run(&[
        "sign",
        "--method",
        "GET",
        "--url",
        &url,
        "-H",
        "Content-Type: application/json",
        "--algorithm",
        "SDK-HMAC-SM3",
    ]);
    run.expect(0);
    // Send exactly what was signed, with the headers shown.
    let v = run.json();
    let headers: Vec<(String, String)> = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let status = raw_get(emu.emu.addr(), v["url"].as_str().unwrap(), &headers);
    assert_eq!(status, 200);
}

/// A minimal HTTP/1.1 GET over a TCP socket; returns the status.
fn raw_get(addr: std::net::SocketAddr, url: &str, headers: &[(String, String)]) -> u16 {
    use std::io::Write;
    let path = &url[url.find("/v1/").unwrap()..];
    let mut req = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    sock.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    sock.read_to_string(&mut resp).unwrap();
    resp[9..12].parse().unwrap()
}

#[test]
fn emulator_command_prints_its_address_first_and_serves() {
    let s = Sandbox::new("emulator-cmd");
    let mut child = s
        .cmd(&[
            "emulator",
            "--job-duration-ms",
            "100",
            "--preload-jobs",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    let s2 = Sandbox::with_demo_keys("emulator-cmd-client");
    let run = s2.run(&[
        "--endpoint",
        &url,
        "--iam-endpoint",
        &url,
        "--project-id",
        DEMO_PROJECT_ID,
        "--output-format",
        "ndjson",
        "jobs",
        "list",
        "--all",
    ]);
    run.expect(0);
    assert_eq!(run.stdout.lines().count(), 5);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn completions_for_every_shell() {
    let s = Sandbox::new("completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = s.run(&["completions", shell]);
        run.expect(0);
        assert!(
            run.stdout.contains("ttsc") && run.stdout.contains("synth"),
            "{shell}"
        );
    }
}

#[test]
fn authentication_and_configuration_errors_exit_3_with_hints() {
    let emu = TestEmu::new();
    let none = Sandbox::new("no-creds");
    assert_snapshot(
        "error_no_credentials",
        &none.run_at(&emu, &["jobs", "list"]),
        &none.filters(Some(&emu)),
    );
    let mut wrong = Sandbox::new("wrong-sk");
    wrong.set_env("HUAWEICLOUD_SDK_AK", ttsc_emulator::DEMO_AK);
    wrong.set_env("HUAWEICLOUD_SDK_SK", "not-the-secret");
    let run = wrong.run_at(&emu, &["jobs", "list"]);
    run.expect_stderr(3, &["APIGW.0301"]);
    assert!(
        run.stderr
            .contains("hint: the signature did not match: check the secret key")
    );
    // After more failures than the gateway allows, the key is locked: its own hint.
    let locking =
        TestEmu::start(Emulator::builder().lockout(1, std::time::Duration::from_secs(300)));
    wrong.run_at(&locking, &["jobs", "list"]).expect(3);
    wrong.run_at(&locking, &["jobs", "list"]).expect(3);
    let locked = wrong.run_at(&locking, &["jobs", "list"]);
    locked.expect(3);
    assert!(
        locked
            .stderr
            .contains("AK access failed to reach the limit")
            && locked.stderr.contains("hint: the access key is locked")
            && !locked.stderr.contains("the signature did not match"),
        "{}",
        locked.stderr
    );
    let no_endpoint = Sandbox::with_demo_keys("no-endpoint");
    assert_snapshot(
        "error_no_endpoint",
        &no_endpoint.run(&["jobs", "list"]),
        &[],
    );

    // A token from the emulator's IAM works; a made-up one is refused with exit 3.
    let mut token = Sandbox::new("token");
    token.set_env("TTSC_AUTH_TOKEN", "not-a-token");
    let refused = token.run_at(&emu, &["jobs", "list"]);
    refused.expect_stderr(3, &["hint:"]);
    let mut login = Sandbox::new("password");
    login.set_env("TTSC_IAM_USER", ttsc_emulator::DEMO_USER);
    login.set_env("TTSC_IAM_PASSWORD", ttsc_emulator::DEMO_PASSWORD);
    login.run_at(&emu, &["jobs", "list"]).expect(0);
    let mut half = Sandbox::new("password-half");
    half.set_env("TTSC_IAM_USER", "someone");
    assert_snapshot(
        "error_password_half",
        &half.run_at(&emu, &["jobs", "list"]),
        &half.filters(Some(&emu)),
    );
}

#[test]
fn batch_synthesizes_a_manifest_and_skips_finished_lines() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("batch");
    s.write(
        "lines.csv",
        &format!(
            "id,text,voice,format,srt\nintro,\"Welcome, listener.\",{VOICE},wav,true\noutro,Goodbye.,{VOICE},mp3,\nfails,This fails.,00000000000000000000000000000000,,\n"
        ),
    );
    s.snapshot_at(
        &emu,
        "batch_first",
        &[
            "--output-format",
            "table",
            "batch",
            "lines.csv",
            "--out-dir",
            "out",
            "--retries",
            "1",
            // One line at a time: the table's rows in manifest order.
            "--concurrency",
            "1",
        ],
    );
    let mut names: Vec<String> = std::fs::read_dir(s.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".ttsc-batch.jsonl", "intro.srt", "intro.wav", "outro.mp3"]
    );
    let creates = emu.emu.operation_stats("CreateAsyncTtsJob").total;
    assert_eq!(
        creates, 3,
        "one job per line: a job that failed is not created again"
    );

    s.snapshot_at(
        &emu,
        "batch_again",
        &[
            "--output-format",
            "ndjson",
            "batch",
            "lines.csv",
            "--out-dir",
            "out",
            "--retries",
            "0",
        ],
    );
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total,
        3,
        "a line that failed for good is not created again"
    );
    let retried = s.run_at(
        &emu,
        &[
            "--output-format",
            "ndjson",
            "batch",
            "lines.csv",
            "--out-dir",
            "out",
            "--retry-failed",
        ],
    );
    retried.expect(4);
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total,
        4,
        "--retry-failed creates the failed line once more"
    );
}

#[test]
fn colours_follow_color_and_no_color() {
    let s = Sandbox::new("colour");
    let plain = s.run(&["jobs", "list"]);
    assert!(plain.stderr.starts_with("error: "), "{}", plain.stderr);
    let always = s.run(&["--color", "always", "jobs", "list"]);
    assert!(
        always.stderr.starts_with("\x1b[1m\x1b[31merror:\x1b[0m "),
        "{:?}",
        always.stderr
    );
    let mut no_color = Sandbox::new("no-colour");
    no_color.set_env("NO_COLOR", "1");
    let auto = no_color.run(&["jobs", "list"]);
    assert!(!auto.stderr.contains('\x1b'));
}

#[test]
fn quiet_and_verbose() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("verbosity");
    let quiet = s.run_at(&emu, &["-q", "jobs", "list", "--limit", "1"]);
    quiet.expect(0);
    assert_eq!(quiet.stderr, "", "-q prints no notes");
    let verbose = s.run_at(&emu, &["-vv", "jobs", "list", "--limit", "1"]);
    verbose.expect_stderr(0, &["ShowTtsJob"]);
    // Logs never carry the secret key.
    assert!(!verbose.stderr.contains(ttsc_emulator::DEMO_SK));
}

#[test]
fn a_network_failure_is_reported_as_one_with_the_host_and_exit_1() {
    let mut s = Sandbox::new("net-fail");
    s.set_env("HUAWEICLOUD_SDK_AK", "AKAKAKAKAKAKAKAKAKAK");
    s.set_env("HUAWEICLOUD_SDK_SK", "not-a-real-secret");
    let dead = closed_port_url();
    // The project id must be discovered through an IAM endpoint that is down: a network
    // failure, not a credentials problem.
    let run = s.run(&[
        "--region",
        "cn-north-4",
        "--endpoint",
        dead.as_str(),
        "--iam-endpoint",
        dead.as_str(),
        "jobs",
        "list",
    ]);
    run.expect_stderr(1, &["cannot reach IAM at 127.0.0.1", "--iam-endpoint"]);
    assert!(!run.stderr.contains("ttsc configure"), "{}", run.stderr);
    // The API itself is down.
    let run = s.run(&[
        "--endpoint",
        dead.as_str(),
        "--project-id",
        "p1",
        "jobs",
        "list",
    ]);
    run.expect_stderr(1, &["cannot connect"]);
    assert!(!run.stderr.contains("ttsc configure"), "{}", run.stderr);
}

#[test]
fn a_mistyped_region_gets_a_suggestion_and_an_unknown_one_needs_an_endpoint() {
    let mut s = Sandbox::new("region");
    s.set_env("TTSC_AUTH_TOKEN", "token");
    let run = s.run(&[
        "--region",
        "cn-nort-4",
        "--project-id",
        "p1",
        "jobs",
        "list",
    ]);
    run.expect_stderr(3, &["did you mean cn-north-4?"]);
    let run = s.run(&[
        "--region",
        "eu-west-101",
        "--project-id",
        "p1",
        "jobs",
        "list",
    ]);
    run.expect_stderr(3, &["explicit endpoint"]);
    // With an endpoint, a region ttsc does not know is only the name of the project's region.
    let dead = closed_port_url();
    let run = s.run(&[
        "--region",
        "eu-west-101",
        "--endpoint",
        dead.as_str(),
        "--project-id",
        "p1",
        "jobs",
        "list",
    ]);
    run.expect_stderr(1, &["cannot connect"]);
}

#[test]
fn jobs_get_of_a_preview_id_points_to_audition_get() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("preview-id");
    let created = s.run_at(
        &emu,
        &[
            "--output-format",
            "json",
            "audition",
            "create",
            "Hello",
            "--voice",
            VOICE,
        ],
    );
    let id = created.job_id();
    for args in [
        vec!["jobs", "get", id.as_str()],
        vec!["jobs", "download", id.as_str(), "--out-dir", "d"],
    ] {
        let run = s.run_at(&emu, &args);
        run.expect_stderr(1, &[&format!("use `ttsc audition get {id}`")]);
    }
    // An id that is neither gets no such hint.
    let run = s.run_at(&emu, &["jobs", "get", "0123456789abcdef0123456789abcdef"]);
    run.expect(1);
    assert!(!run.stderr.contains("audition"), "{}", run.stderr);
}

#[test]
fn a_rejected_signature_shows_the_gateways_canonical_request_whole_at_v() {
    let emu = TestEmu::new();
    let mut s = Sandbox::new("canonical-v");
    s.set_env("HUAWEICLOUD_SDK_AK", ttsc_emulator::DEMO_AK);
    s.set_env("HUAWEICLOUD_SDK_SK", "a-wrong-secret-key");
    let quiet = s.run_at(&emu, &["jobs", "list", "--limit", "2"]);
    quiet.expect(3);
    assert!(
        !quiet
            .stderr
            .contains("canonical request the gateway computed"),
        "{}",
        quiet.stderr
    );
    let run = s.run_at(&emu, &["-v", "jobs", "list", "--limit", "2"]);
    run.expect_stderr(3, &["canonical request the gateway computed"]);
    // Every line of the canonical request, the last (the body hash) included.
    assert!(run.stderr.contains("\n    limit=2\n"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("\n    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_in_process_emulator_explains_itself() {
    let s = Sandbox::new("emu-demo");
    // Its own endpoints: another one on the command line is a mistake.
    let run = s.run(&[
        "--emulator",
        "--endpoint",
        "http://127.0.0.1:9",
        "jobs",
        "list",
    ]);
    run.expect_stderr(2, &["--emulator and --endpoint cannot be used together"]);
    // An id from an earlier command: it cannot know it, and says why.
    let run = s.run(&[
        "--emulator",
        "jobs",
        "get",
        "0123456789abcdef0123456789abcdef",
    ]);
    run.expect_stderr(
        1,
        &["new, empty emulator for each command", "ttsc emulator"],
    );
}

#[test]
fn the_emulator_banner_prints_exports_but_no_secret_it_was_given() {
    let s = Sandbox::new("emu-banner");
    let secret = "a-secret-given-on-the-command-line";
    let mut child = s
        .cmd(&[
            "emulator",
            "--ak",
            "MYAK",
            "--sk",
            secret,
            "--user",
            "me",
            "--password",
            "pw-given-too",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ttsc emulator");
    let mut banner = String::new();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for line in lines.by_ref().take(12) {
        let line = line.expect("banner line");
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("HUAWEICLOUD_SDK_AK") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        banner.contains("export TTSC_ENDPOINT=http://127.0.0.1:"),
        "{banner}"
    );
    assert!(banner.contains("HUAWEICLOUD_SDK_AK=MYAK"), "{banner}");
    assert!(!banner.contains(secret), "{banner}");
    assert!(!banner.contains("pw-given-too"), "{banner}");
}

#[test]
fn tables_fit_60_columns_with_whole_ids_and_listings_pick_columns() {
    let emu = TestEmu::start(Emulator::builder().preload_jobs(30));
    let mut s = Sandbox::with_demo_keys("narrow");
    s.set_env("COLUMNS", "60");
    let run = s.run_at(
        &emu,
        &["--output-format", "table", "jobs", "list", "--limit", "20"],
    );
    run.expect(0);
    let mut lines = run.stdout.lines();
    assert!(
        lines.next().unwrap().starts_with("JOB_ID"),
        "{}",
        run.stdout
    );
    for line in lines {
        assert!(line.chars().count() <= 60, "{line:?} is wider than 60");
        let id = line.split_whitespace().next().unwrap();
        assert_eq!(id.len(), 32, "the job id is whole: {line:?}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{line:?}");
    }
    // --columns picks and orders columns, in tables and CSV.
    let run = s.run_at(
        &emu,
        &[
            "--output-format",
            "csv",
            "--columns",
            "job_state,job_id",
            "jobs",
            "list",
            "--limit",
            "2",
        ],
    );
    run.expect(0);
    assert_eq!(
        run.stdout.lines().next(),
        Some("job_state,job_id"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    // An unknown column is refused before anything is sent.
    let before = emu.emu.requests().len();
    let run = s.run_at(&emu, &["--columns", "nope", "jobs", "list"]);
    run.expect_stderr(2, &["job_id, job_type"]);
    assert_eq!(emu.emu.requests().len(), before, "nothing was sent");
}

#[test]
fn an_empty_listing_prints_its_header_or_an_empty_array() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("empty-list");
    let run = s.run_at(&emu, &["--output-format", "table", "jobs", "list"]);
    run.expect(0);
    assert!(run.stdout.starts_with("JOB_ID"), "{:?}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 1, "{:?}", run.stdout);
    let run = s.run_at(&emu, &["--output-format", "csv", "jobs", "list"]);
    run.expect(0);
    assert_eq!(run.stdout.lines().count(), 1, "{:?}", run.stdout);
    assert!(run.stdout.starts_with("job_id,"), "{:?}", run.stdout);
    let run = s.run_at(&emu, &["--output-format", "json", "jobs", "list"]);
    run.expect(0);
    assert_eq!(run.stdout.trim(), "[]");
}

#[test]
fn app_user_id_goes_out_as_x_app_userid() {
    let (url, server) = server::one_request(200, "{}");
    let mut s = Sandbox::new("app-user-id");
    s.set_env("TTSC_APP_USER_ID", "alice-app");
    let run = s.run(&server::args(
        &url,
        &["--output-format", "json", "once-code"],
    ));
    let head = server.join().expect("server").head;
    run.expect(0);
    assert!(head.contains("\r\nx-app-userid: alice-app\r\n"), "{head}");
}
