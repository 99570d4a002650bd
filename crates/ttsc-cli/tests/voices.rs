//! Finding a voice: `ttsc voice list/show/sample`, and `--voice NAME` on synth, audition
//! and batch, against an emulator the test starts (or `--emulator`).

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{Sandbox, TestEmu, VOICE};
use ttsc_emulator::Emulator;

/// The voices an ndjson listing printed.
fn ndjson(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn ids(voices: &[Value]) -> Vec<String> {
    voices
        .iter()
        .map(|v| v["asset_id"].as_str().expect("asset_id").to_owned())
        .collect()
}

fn meta(v: &Value) -> &Value {
    &v["asset_extra_meta"]["voice_model_meta"]
}

/// `voice list ARGS --all --output-format ndjson`.
fn list_all(s: &Sandbox, emu: &TestEmu, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["voice", "list", "--all", "--output-format", "ndjson"];
    all.extend_from_slice(args);
    let run = s.run_at(emu, &all);
    run.expect(0);
    ndjson(&run.stdout)
}

#[test]
fn voice_list_pages_through_every_system_voice_and_filters_like_the_service() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("voice-list");
    let all = list_all(&s, &emu, &[]);
    let every = ids(&all);
    assert!(every.len() >= 12, "{} voices", every.len());
    assert!(every.contains(&VOICE.to_string()));
    assert_eq!(every.iter().collect::<BTreeSet<_>>().len(), every.len());

    // The same ids, page by page.
    let mut paged = Vec::new();
    for offset in (0..every.len()).step_by(4) {
        let run = s.run_at(
            &emu,
            &[
                "voice",
                "list",
                "--limit",
                "4",
                "--offset",
                &offset.to_string(),
                "--output-format",
                "ndjson",
            ],
        );
        run.expect(0);
        paged.extend(ids(&ndjson(&run.stdout)));
    }
    assert_eq!(paged, every);

    // --language and --sex select what the service's filters select: every voice of one of
    // the languages (among its languages) and of the sex. Values are matched ignoring case.
    let filtered = list_all(&s, &emu, &["--language", "cn,jpn", "--sex", "female"]);
    let expected: Vec<String> = all
        .iter()
        .filter(|v| {
            let m = meta(v);
            m["sex"] == "FEMALE"
                && m["languages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l == "CN" || l == "JPN")
        })
        .map(|v| v["asset_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&filtered), expected);
    let men = list_all(&s, &emu, &["--sex", "MALE", "--language", "YY"]);
    assert!(!men.is_empty());
    assert!(
        men.iter()
            .all(|v| meta(v)["sex"] == "MALE" && meta(v)["language"] == "YY")
    );

    let realtime = list_all(&s, &emu, &["--realtime", "--name", "a"]);
    assert!(!realtime.is_empty());
    for v in &realtime {
        assert_eq!(meta(v)["is_realtime_voice"], true);
        let name = v["asset_name"].as_str().unwrap().to_lowercase();
        assert!(name.contains('a'), "{name}");
    }
    let mobvoi = list_all(&s, &emu, &["--provider", "mobvoi"]);
    assert_eq!(mobvoi.len(), 1);
    assert_eq!(
        meta(&mobvoi[0])["external_voice_meta"]["provider"],
        "MOBVOI"
    );

    // The table: the columns a person picks a voice by.
    let table = s.run_at(
        &emu,
        &[
            "--output-format",
            "table",
            "voice",
            "list",
            "--language",
            "YY",
        ],
    );
    table.expect(0);
    let mut lines = table.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["ID", "NAME", "LANGUAGE", "SEX", "PROVIDER", "REALTIME"]
    );
    assert!(lines.all(|l| l.contains("  YY  ") && l.contains("HUAWEI_METASTUDIO")));
}

#[test]
fn bad_filters_exit_2_before_anything_is_sent() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("voice-bad");
    for (args, flag) in [
        (&["--language", "Klingon"][..], "--language"),
        (&["--sex", "woman"][..], "--sex"),
        (&["--provider", "ACME"][..], "--provider"),
        (&["--limit", "0"][..], "--limit"),
        (&["--source", "mine"][..], "--source"),
    ] {
        let mut all = vec!["voice", "list"];
        all.extend_from_slice(args);
        let run = s.run_at(&emu, &all);
        run.expect(2);
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
    assert_eq!(emu.emu.operation_stats("ListAssets").total, 0);
}

#[test]
fn sources_system_by_default_custom_and_all() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(100).custom_voices(true));
    let s = Sandbox::with_demo_keys("voice-sources");
    let system = ids(&list_all(&s, &emu, &[]));
    let custom = ids(&list_all(&s, &emu, &["--source", "custom"]));
    let all = ids(&list_all(&s, &emu, &["--source", "all"]));
    assert_eq!(custom.len(), 3);
    assert!(custom.iter().all(|c| !system.contains(c)));
    assert_eq!(all.len(), system.len() + custom.len());
}

#[test]
fn voice_show_and_sample() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("voice-show");
    let run = s.run_at(&emu, &["voice", "show", VOICE, "--output-format", "json"]);
    run.expect(0);
    let v = run.json();
    assert_eq!(v["asset_id"], VOICE);
    assert_eq!(v["asset_type"], "VOICE_MODEL");
    assert!(meta(&v)["voice_capability"].is_object());
    let url = v["sample_url"].as_str().expect("sample_url");
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["asset_file_category"] == "SAMPLE" && f["download_url"] == url)
    );

    // By name, too.
    let by_name = s.run_at(
        &emu,
        &["voice", "show", "Xiaoyan", "--output-format", "json"],
    );
    by_name.expect(0);
    assert_eq!(by_name.json()["asset_id"], VOICE);

    let run = s.run_at(
        &emu,
        &[
            "voice",
            "sample",
            VOICE,
            "-o",
            "s.wav",
            "--output-format",
            "json",
        ],
    );
    run.expect(0);
    let wav = std::fs::read(s.path("s.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    assert_eq!(run.json()["bytes"].as_u64(), Some(wav.len() as u64));

    let unknown = s.run_at(&emu, &["voice", "show", "ffffffffffffffffffffffffffffffff"]);
    unknown.expect_stderr(1, &["ttsc voice list"]);
    let dir = s.run_at(&emu, &["voice", "sample", VOICE, "-o", "."]);
    dir.expect(2);
}

#[test]
fn emulator_synth_takes_a_listed_voices_name() {
    let s = Sandbox::new("voice-synth-name");
    let run = s.run(&[
        "--emulator",
        "synth",
        "你好，世界。",
        "--voice",
        "Sakura",
        "-o",
        "a.wav",
        "--output-format",
        "json",
    ]);
    run.expect(0);
    let wav = std::fs::read(s.path("a.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
}

#[test]
fn a_name_must_match_exactly_one_voice() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(100).custom_voices(true));
    let s = Sandbox::with_demo_keys("voice-ambiguous");

    // "Emma" is a system voice and the account's clone: exit 2, both ids listed.
    let run = s.run_at(&emu, &["synth", "Hi", "--voice", "Emma", "-o", "e.wav"]);
    run.expect(2);
    let emmas = list_all(&s, &emu, &["--source", "all", "--name", "Emma"]);
    assert_eq!(emmas.len(), 2);
    for id in ids(&emmas) {
        assert!(run.stderr.contains(&id), "{id} missing:\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("is the name of 2 voices"),
        "{}",
        run.stderr
    );
    assert!(!s.path("e.wav").exists());

    let run = s.run_at(&emu, &["audition", "create", "Hi", "--voice", "Emma"]);
    run.expect(2);

    // Not a name at all (names are exact: case counts), with the near misses shown.
    let run = s.run_at(
        &emu,
        &["synth", "Hi", "--voice", "podcast host", "-o", "p.wav"],
    );
    run.expect_stderr(2, &["Podcast Host", "ttsc voice list"]);
    assert_eq!(emu.emu.operation_stats("CreateAsyncTtsJob").total, 0);
    assert_eq!(emu.emu.operation_stats("CreateTtsAudition").total, 0);

    // A unique name works for a preview and in a batch manifest.
    let run = s.run_at(
        &emu,
        &["audition", "create", "Hi", "--voice", "Podcast Host"],
    );
    run.expect(0);
    s.write(
        "m.csv",
        "id,text,voice\na,One,My Narrator\nb,Two,My Narrator\nc,Three,Emma\n",
    );
    let run = s.run_at(&emu, &["batch", "m.csv", "--out-dir", "out"]);
    run.expect_stderr(2, &["line 4: voice"]);
    s.write(
        "m.csv",
        "id,text,voice\na,One,My Narrator\nb,Two,My Narrator\n",
    );
    let run = s.run_at(&emu, &["batch", "m.csv", "--out-dir", "out"]);
    run.expect(0);
    assert!(s.path("out/a.wav").is_file() && s.path("out/b.wav").is_file());
}
