//! Every request field the task commands have a flag for goes out on the wire as the
//! service's model has it: each command runs against a one-request server on loopback that
//! records the request, and the JSON body is compared type-exactly (`"3"` is not `3`).

mod support;

use serde_json::json;
use support::server::{self, Recorded};
use support::{Sandbox, VOICE};

/// Runs `ttsc ARGS` against a one-request server answering `response`.
fn send(s: &Sandbox, response: &'static str, args: &[&str]) -> Recorded {
    let (url, server) = server::one_request(200, response);
    let run = s.run(&server::args(
        &url,
        &[&["--output-format", "json"][..], args].concat(),
    ));
    let recorded = server.join().expect("server");
    run.expect(0);
    recorded
}

#[test]
fn synth_sends_every_field_it_has_a_flag_for() {
    let s = Sandbox::new("synth-fields");
    s.write("ssml.xml", "<speak>Hello <break time=\"1s\"/></speak>");
    let got = send(
        &s,
        r#"{"job_id": "j1"}"#,
        &[
            "synth",
            "Hello",
            "--voice",
            VOICE,
            "-o",
            "out.mp3",
            "--no-wait",
            "--ssml",
            "ssml.xml",
            "--speed",
            "110",
            "--pitch",
            "90",
            "--volume",
            "150",
            "--channels",
            "2",
            "--gen-srt",
            "--need-timestamp",
            "--srt-len",
            "20",
            "--srt-line-limit",
            "2",
            "--silence-ms",
            "300",
            "--callback-url",
            "https://example.com/cb",
            "--priority",
            "0",
            "--slice-segments",
            "--concurrent-resource",
            "--no-vocabulary",
            "--output-external-url",
            "https://example.com/a",
            "--srt-output-external-url",
            "https://example.com/s",
            "--action-output-external-url",
            "https://example.com/x",
        ],
    );
    assert_eq!(got.line(), "post /v1/p1/ttsc/async-jobs");
    assert_eq!(
        got.json(),
        json!({
            "text": "Hello",
            "tts_text": "<speak>Hello <break time=\"1s\"/></speak>",
            "voice_asset_id": VOICE,
            "speed": 110,
            "pitch": 90,
            "volume": 150,
            "audio_format": "MP3",
            "need_timestamp": true,
            "silence_flag": true,
            "silence_time_ms": 300,
            "callback_config": {"callback_url": "https://example.com/cb"},
            "gen_srt": true,
            "srt_len": 20,
            "srt_line_limit": 2,
            "slice_segments": true,
            "channels": 2,
            "output_external_url": "https://example.com/a",
            "srt_output_external_url": "https://example.com/s",
            "action_output_external_url": "https://example.com/x",
            "is_vocabulary_config_enable": false,
            "is_concurrent_resource": true,
            "priority": 0
        })
    );
}

#[test]
fn synth_input_json_is_the_body_and_flags_win() {
    let s = Sandbox::new("synth-input");
    s.write(
        "body.json",
        &json!({
            "text": "From JSON",
            "voice_asset_id": VOICE,
            "speed": 80,
            "priority": 9,
            "silence_flag": false,
            "is_vocabulary_config_enable": true,
            "callback_config": {"callback_url": "https://example.com/json"}
        })
        .to_string(),
    );
    let got = send(
        &s,
        r#"{"job_id": "j1"}"#,
        &[
            "synth",
            "--input-json",
            "body.json",
            "-o",
            "out.wav",
            "--no-wait",
            "--speed",
            "120",
            "--no-vocabulary",
        ],
    );
    assert_eq!(
        got.json(),
        json!({
            "text": "From JSON",
            "voice_asset_id": VOICE,
            "speed": 120,
            "audio_format": "WAV",
            "silence_flag": false,
            "callback_config": {"callback_url": "https://example.com/json"},
            "is_vocabulary_config_enable": false,
            "priority": 9
        })
    );
}

#[test]
fn audition_create_sends_every_field_it_has_a_flag_for() {
    let s = Sandbox::new("audition-fields");
    s.write("ssml.xml", "<speak>Hi</speak>");
    let got = send(
        &s,
        r#"{"job_id": "a1"}"#,
        &[
            "audition",
            "create",
            "Hi",
            "--voice",
            VOICE,
            "--ssml",
            "ssml.xml",
            "--speed",
            "100",
            "--pitch",
            "100",
            "--volume",
            "140",
            "--business-type",
            "demo",
            "--style",
            "cheerful",
            "--channels",
            "1",
            "--vocabulary",
        ],
    );
    assert_eq!(got.line(), "post /v1/p1/ttsc/audition");
    assert_eq!(
        got.json(),
        json!({
            "text": "Hi",
            "tts_text": "<speak>Hi</speak>",
            "emotion": VOICE,
            "speed": 100,
            "pitch": 100,
            "volume": 140,
            "business_type": "demo",
            "style": "cheerful",
            "channels": 1,
            "is_vocabulary_config_enable": true
        })
    );
}

#[test]
fn out_of_range_values_name_the_flag_or_the_input_key_and_nothing_is_sent() {
    let s = Sandbox::new("synth-ranges");
    s.write(
        "body.json",
        &json!({"text": "x", "voice_asset_id": VOICE, "srt_line_limit": -1}).to_string(),
    );
    s.write("typed.json", r#"{"text": "x", "priority": "high"}"#);
    s.write("ssml.xml", "<speak>Hello there, world</speak>");
    // A port nothing listens on: a request sent would fail with exit 1, not 2.
    let dead = server::closed_port_url();
    for (args, want) in [
        (
            &[
                "synth",
                "x",
                "--voice",
                VOICE,
                "-o",
                "a.wav",
                "--priority",
                "11",
            ][..],
            "invalid value 11 for --priority (allowed: 0 to 10)",
        ),
        (
            &[
                "synth",
                "x",
                "--voice",
                VOICE,
                "-o",
                "a.wav",
                "--silence-ms",
                "5001",
            ],
            "invalid value 5001 for --silence-ms (allowed: 0 to 5000)",
        ),
        (
            &[
                "synth",
                "x",
                "--voice",
                VOICE,
                "-o",
                "a.wav",
                "--srt-len",
                "-1",
            ],
            "invalid value -1 for --srt-len (allowed: at least 0)",
        ),
        (
            &["synth", "--input-json", "body.json", "-o", "a.wav"],
            "invalid value -1 for srt_line_limit in --input-json (allowed: at least 0)",
        ),
        (
            &[
                "synth",
                "--input-json",
                "typed.json",
                "--voice",
                VOICE,
                "-o",
                "a.wav",
            ],
            "priority: invalid type: string \"high\", expected an integer",
        ),
        (
            &[
                "synth",
                "Hello there, world",
                "--voice",
                VOICE,
                "-o",
                "a.wav",
                "--ssml",
                "ssml.xml",
                "--max-part-chars",
                "6",
            ],
            "--ssml takes a text of at most 6 characters (--max-part-chars); this one is 18 and runs as",
        ),
        (
            &[
                "audition",
                "create",
                "x",
                "--voice",
                VOICE,
                "--channels",
                "3",
            ],
            "invalid value 3 for --channels (allowed: 1 to 2)",
        ),
    ] {
        let run = s.run(&server::args(&dead, args));
        run.expect(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn query_parameters_go_out_only_when_given() {
    let s = Sandbox::new("query-fields");
    // (args, response, the request line the server must see)
    let cases: [(&[&str], &'static str, &str); 8] = [
        (
            &["vocab", "delete", "e1", "--limit", "5", "--offset", "2"],
            "{}",
            "delete /v1/p1/ttsc/vocabulary-configs?offset=2&limit=5",
        ),
        (
            &["vocab", "delete", "e1"],
            "{}",
            "delete /v1/p1/ttsc/vocabulary-configs",
        ),
        (
            &[
                "vocab-group",
                "delete",
                "g1",
                "--limit",
                "1000",
                "--offset",
                "0",
            ],
            "{}",
            "delete /v1/p1/ttsc/vocabulary-groups/g1?offset=0&limit=1000",
        ),
        (
            &["vocab-group", "delete", "g1"],
            "{}",
            "delete /v1/p1/ttsc/vocabulary-groups/g1",
        ),
        (
            &["phonetic", "tomato", "--limit", "3", "--offset", "1"],
            "{}",
            "get /v1/p1/ttsc/phonetic-symbol?offset=1&limit=3&word=tomato",
        ),
        (
            &["phonetic", "tomato"],
            "{}",
            "get /v1/p1/ttsc/phonetic-symbol?word=tomato",
        ),
        (
            &[
                "vocab",
                "list",
                "--service",
                "model-a",
                "--vocabulary-enable",
                "true",
                "--since",
                "2026-11-01",
                "--until",
                "2026-11-02T00:00:00Z",
            ],
            r#"{"count": 0, "data": []}"#,
            "get /v1/p1/ttsc/vocabulary-configs?tts_service_name=model-a&is_vocabulary_config_enable=true&start_time=2026-11-01t00%3a00%3a00z&end_time=2026-11-02t00%3a00%3a00z",
        ),
        (
            &["tenant-config", "get"],
            r#"{"count": 0, "data": []}"#,
            "get /v1/p1/ttsc/tenant-configs",
        ),
    ];
    for (args, response, want) in cases {
        let got = send(&s, response, args);
        assert_eq!(got.line(), want, "{args:?}");
    }
}
