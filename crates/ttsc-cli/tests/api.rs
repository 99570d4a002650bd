//! `ttsc api`: one request of any operation from SDK-shaped JSON, against the emulator.

mod support;

use support::{Sandbox, TestEmu, VOICE};

#[test]
fn an_operation_by_either_name_from_a_file_or_stdin() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("api-ok");
    let body = format!(
        r#"{{"x_app_user_id": "user-1", "body": {{"text": "Hello", "voice_asset_id": "{VOICE}", "speed": 120, "tts_text": null}}}}"#
    );
    s.write("create.json", &body);
    let created = s.run_at(
        &emu,
        &["api", "CreateAsyncTtsJob", "--input-json", "create.json"],
    );
    let job_id = created.job_id();

    let shown = s.run_with_input(
        &emu.args_with(&["api", "show_async_tts_job", "--input-json", "-"]),
        format!(r#"{{"job_id": "{job_id}"}}"#).as_bytes(),
    );
    shown.expect(0);
    assert!(shown.json()["state"].is_string(), "{}", shown.stdout);

    let listed = s.run_at(&emu, &["api", "--list"]);
    listed.expect(0);
    let ops = listed.json();
    assert_eq!(
        ops.as_array().unwrap().len(),
        ttsc_models::TTS_OPERATIONS.len()
    );
    assert_eq!(ops[0]["sdk_method"], "create_async_tts_job");
}

#[test]
fn bad_input_exits_2_naming_the_key_before_anything_is_sent() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("api-bad");
    s.write("typo.json", r#"{"limt": 5}"#);
    s.write("range.json", r#"{"limit": 0}"#);
    s.write(
        "body.json",
        &format!(r#"{{"body": {{"text": "x", "voice_asset_id": "{VOICE}", "sped": 1}}}}"#),
    );
    s.write("array.json", "[]");
    s.write(
        "typed.json",
        &format!(r#"{{"body": {{"text": "x", "voice_asset_id": "{VOICE}", "speed": "fast"}}}}"#),
    );
    s.write(
        "nested.json",
        &format!(
            r#"{{"body": {{"text": "x", "voice_asset_id": "{VOICE}", "callback_config": {{"callback_url": 1}}}}}}"#
        ),
    );
    let cases: [(&[&str], &str); 8] = [
        (
            &["api", "CreateAsyncTtsJob", "--input-json", "typed.json"],
            "body.speed: invalid type: string \"fast\", expected an integer",
        ),
        (
            &["api", "CreateAsyncTtsJob", "--input-json", "nested.json"],
            "body.callback_config.callback_url: invalid type: integer `1`, expected a string",
        ),
        (&["api", "ShowTtsJob", "--input-json", "typo.json"], "limt"),
        (
            &["api", "ShowTtsJob", "--input-json", "range.json"],
            "limit",
        ),
        (
            &["api", "CreateAsyncTtsJob", "--input-json", "body.json"],
            "body.sped",
        ),
        (
            &["api", "ShowTtsJob", "--input-json", "array.json"],
            "JSON object",
        ),
        (&["api", "ShowAsyncTtsJob"], "job_id is required"),
        (&["api", "NoSuchOperation"], "NoSuchOperation"),
    ];
    for (args, names) in cases {
        let run = s.run_at(&emu, args);
        run.expect(2);
        assert!(run.stderr.contains(names), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    // The typo's error lists the valid keys.
    let run = s.run_at(&emu, &["api", "ShowTtsJob", "--input-json", "typo.json"]);
    assert!(
        run.stderr.contains("valid keys: limit, offset"),
        "{}",
        run.stderr
    );
    assert!(emu.emu.requests().is_empty(), "{:?}", emu.emu.requests());
}
