//! Every TTS operation over real HTTP: jobs and their files, auditions, records,
//! phonetic symbols, once codes, voices, vocabulary, tenant switches, routing and
//! validation.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{Api, Req, start_emulator};
use serde_json::{Value, json};
use ttsc_auth::clock::{Clock, ManualClock};
use ttsc_emulator::{DEMO_VOICE, Emulator, FAILING_VOICE};

async fn quick() -> (Emulator, Api) {
    start_emulator(Emulator::builder().job_duration_ms(0)).await
}

async fn create_job(api: &Api, body: Value) -> String {
    let r = api
        .call(Req::new("POST", api.tts("async-jobs")).json(&body))
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["job_id"].as_str().expect("job_id").to_owned()
}

#[tokio::test]
async fn async_job_goes_waiting_processing_succeed_with_real_files() {
    let start = SystemTime::now();
    let clock = ManualClock::new(start);
    let (_emu, api) = start_emulator(
        Emulator::builder()
            .clock(Arc::new(clock.clone()))
            .job_duration_ms(1000),
    )
    .await;
    let body = json!({
        "text": "Hello world. This is the emulator speaking!",
        "voice_asset_id": DEMO_VOICE,
        "gen_srt": true, "srt_len": 12, "need_timestamp": true, "speed": 150, "channels": 2
    });
    let r = api
        .call_at(Req::new("POST", api.tts("async-jobs")).json(&body), start)
        .await;
    assert_eq!(r.status, 200);
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    let show = |t: SystemTime| {
        let api = &api;
        let path = api.tts(&format!("async-jobs/{id}"));
        async move { api.call_at(Req::new("GET", path), t).await.json() }
    };
    assert_eq!(show(clock.now()).await["state"], "WAITING");
    clock.advance(Duration::from_millis(500));
    let v = show(clock.now()).await;
    assert_eq!(v["state"], "PROCESSING");
    assert!(v.get("audio_file_url").is_none());
    clock.advance(Duration::from_millis(600));
    let v = show(clock.now()).await;
    assert_eq!(v["state"], "SUCCEED", "{v}");
    assert_eq!(
        (v["code"].as_str(), v["message"].as_str()),
        (Some("0"), Some(""))
    );

    let wav = api
        .get_url(v["audio_file_url"].as_str().unwrap(), &[])
        .await;
    assert_eq!(wav.status, 200);
    assert_eq!(wav.header("content-type"), Some("audio/wav"));
    assert_eq!(&wav.body[..4], b"RIFF");
    assert_eq!(
        u16::from_le_bytes([wav.body[22], wav.body[23]]),
        2,
        "stereo"
    );
    let srt = api
        .get_url(v["audio_srt_file_url"].as_str().unwrap(), &[])
        .await;
    let srt = String::from_utf8(srt.body.to_vec()).unwrap();
    assert!(srt.starts_with("1\n00:00:00,000 --> "), "{srt}");
    for cue in srt.trim().split("\n\n") {
        let text: Vec<&str> = cue.lines().skip(2).collect();
        assert!(
            text.join("").chars().count() <= 12,
            "srt_len honoured: {cue:?}"
        );
    }
    let info = api
        .get_url(v["audio_info_file_url"].as_str().unwrap(), &[])
        .await;
    let info: Value = serde_json::from_slice(&info.body).unwrap();
    assert_eq!(info["words"][0]["text"], "Hello");
    let action = api
        .get_url(v["audio_action_file_url"].as_str().unwrap(), &[])
        .await;
    let action: Value = serde_json::from_slice(&action.body).unwrap();
    assert_eq!(action["version"], 1);

    // The record shows the same job with its files.
    let r = api
        .call_at(
            Req::new("GET", api.tts("tts-jobs")).query("job_id", &id),
            clock.now(),
        )
        .await
        .json();
    assert_eq!(r["count"], 1);
    let rec = &r["data"][0];
    assert_eq!(rec["job_type"], "ASYNC_JOB");
    assert_eq!(rec["job_state"], "SUCCEED");
    assert_eq!(rec["asset_id"], DEMO_VOICE);
    assert_eq!(rec["text_length"], 43);
    assert!(rec["files"][0]["audio_file_url"].is_string());
}

#[tokio::test]
async fn mp3_jobs_are_real_mpeg_audio() {
    let (_emu, api) = quick().await;
    let id = create_job(
        &api,
        json!({"text": "MP3 please", "voice_asset_id": DEMO_VOICE, "audio_format": "MP3"}),
    )
    .await;
    let v = api
        .call(Req::new("GET", api.tts(&format!("async-jobs/{id}"))))
        .await
        .json();
    assert_eq!(v["state"], "SUCCEED");
    let mp3 = api
        .get_url(v["audio_file_url"].as_str().unwrap(), &[])
        .await;
    assert_eq!(mp3.header("content-type"), Some("audio/mpeg"));
    assert!(mp3.body[0] == 0xFF || &mp3.body[..3] == b"ID3");
}

#[tokio::test]
async fn the_failing_voice_fails_with_a_message_and_optional_silence() {
    let (_emu, api) = quick().await;
    let id = create_job(
        &api,
        json!({"text": "x", "voice_asset_id": FAILING_VOICE, "silence_flag": true, "silence_time_ms": 500}),
    )
    .await;
    let v = api
        .call(Req::new("GET", api.tts(&format!("async-jobs/{id}"))))
        .await
        .json();
    assert_eq!(v["state"], "FAILED");
    assert_eq!(v["code"], "MSS.000000001");
    assert!(v["message"].as_str().unwrap().contains("voice"));
    let wav = api
        .get_url(v["audio_file_url"].as_str().unwrap(), &[])
        .await;
    // 500 ms of 16 kHz mono 16-bit silence after the 44-byte header.
    assert_eq!(wav.body.len(), 44 + 16_000);
    assert!(wav.body[44..].iter().all(|b| *b == 0));
    let rec = api
        .call(Req::new("GET", api.tts("tts-jobs")).query("job_id", &id))
        .await
        .json();
    assert_eq!(rec["data"][0]["job_state"], "FAILED");
    assert!(rec["data"][0]["fail_msg"].is_string());
}

#[tokio::test]
async fn invalid_requests_are_400_naming_the_field() {
    let (_emu, api) = quick().await;
    let post = |body: Value| api.call(Req::new("POST", api.tts("async-jobs")).json(&body));
    let r = post(json!({"text": "hi", "voice_asset_id": "not-a-voice"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "MSS.000000003"));
    assert!(
        r.error_msg().contains("voice_asset_id"),
        "{}",
        r.error_msg()
    );
    let r =
        post(json!({"text": "hi", "voice_asset_id": DEMO_VOICE, "speed": 500, "volume": 10})).await;
    assert_eq!(r.status, 400);
    let msg = r.error_msg();
    assert!(
        msg.contains("speed = 500") && msg.contains("volume = 10"),
        "{msg}"
    );
    let r = post(json!({"voice_asset_id": DEMO_VOICE})).await;
    assert_eq!(r.status, 400);
    assert!(r.error_msg().contains("body"), "{}", r.error_msg());
    let r = post(json!({"text": "hi", "voice_asset_id": DEMO_VOICE, "audio_format": "PCM"})).await;
    assert!(r.status == 400 && r.error_msg().contains("audio_format"));
    let r = post(json!({"text": "", "voice_asset_id": DEMO_VOICE})).await;
    assert!(r.status == 400 && r.error_msg().contains("text"));
    let r = api
        .call(Req {
            body: b"{not json".to_vec(),
            ..Req::new("POST", api.tts("async-jobs"))
        })
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (400, "MSS.10000002"));
    assert_eq!(r.json()["request_id"].as_str(), r.header("x-request-id"));
    for limit in ["0", "101", "ten"] {
        let r = api
            .call(Req::new("GET", api.tts("tts-jobs")).query("limit", limit))
            .await;
        assert_eq!(r.status, 400, "limit={limit}");
        assert!(r.error_msg().contains("limit"));
    }
    let r = api
        .call(Req::new("GET", api.tts("tts-jobs")).query("create_since", "yesterday"))
        .await;
    assert!(r.status == 400 && r.error_msg().contains("create_since"));
    let r = api
        .call(Req::new("GET", api.tts("tts-jobs")).query("job_type", "NOPE"))
        .await;
    assert!(r.status == 400 && r.error_msg().contains("job_type"));
}

#[tokio::test]
async fn unknown_paths_methods_and_jobs() {
    let (_emu, api) = quick().await;
    let r = api.call(Req::new("GET", api.tts("nothing-here"))).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "APIGW.0101"));
    let r = api.call(Req::new("DELETE", api.tts("tts-jobs"))).await;
    assert_eq!(r.status, 405);
    let r = api.call(Req::new("GET", api.tts("async-jobs/nope"))).await;
    assert_eq!((r.status, r.error_code().as_str()), (404, "MSS.10001001"));
    let r = api
        .call(Req::new("GET", api.tts("audition-file/nope")))
        .await;
    assert_eq!(r.status, 404);
    assert!(r.header("date").is_some() && r.header("x-request-id").is_some());
}

#[tokio::test]
async fn audition_jobs_flip_is_file_complete() {
    let start = SystemTime::now();
    let clock = ManualClock::new(start);
    let (_emu, api) = start_emulator(
        Emulator::builder()
            .clock(Arc::new(clock.clone()))
            .job_duration_ms(1000),
    )
    .await;
    let r = api
        .call_at(
            Req::new("POST", api.tts("audition")).json(
                &json!({"text": "Preview me", "emotion": DEMO_VOICE, "business_type": "SHOWCASE"}),
            ),
            start,
        )
        .await;
    assert_eq!(r.status, 200);
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    let path = api.tts(&format!("audition-file/{id}"));
    let v = api
        .call_at(Req::new("GET", &path), clock.now())
        .await
        .json();
    assert_eq!(v["is_file_complete"], false);
    clock.advance(Duration::from_secs(2));
    let v = api
        .call_at(Req::new("GET", &path), clock.now())
        .await
        .json();
    assert_eq!(v["is_file_complete"], true);
    assert_eq!(v["code"], "0");
    let url = v["files"][0]["download_url"].as_str().unwrap();
    let wav = api.get_url(url, &[]).await;
    assert_eq!(&wav.body[..4], b"RIFF");
    let r = api
        .call_at(
            Req::new("GET", api.tts("tts-jobs")).query("business_type", "SHOWCASE"),
            clock.now(),
        )
        .await
        .json();
    assert_eq!(r["count"], 1);
    assert_eq!(r["data"][0]["job_type"], "AUDITION");
    let r = api
        .call_at(
            Req::new("POST", api.tts("audition")).json(&json!({"text": "x", "emotion": "bad"})),
            clock.now(),
        )
        .await;
    assert!(r.status == 400 && r.error_msg().contains("emotion"));
}

#[tokio::test]
async fn phonetic_symbols_once_codes_and_voices() {
    let (_emu, api) = quick().await;
    let get = |word: &str, offset: u32, limit: u32| {
        api.call(
            Req::new("GET", api.tts("phonetic-symbol"))
                .query("word", word)
                .query("offset", offset)
                .query("limit", limit),
        )
    };
    let v = get("Hello", 0, 10).await.json();
    assert_eq!(v["data"], json!(["həˈləʊ", "hɛˈloʊ"]));
    assert_eq!(get("xylophonist", 0, 10).await.json()["data"], json!([]));
    assert_eq!(get("hello", 99, 1).await.json()["data"], json!(["hɛˈloʊ"]));
    let r = api.call(Req::new("GET", api.tts("phonetic-symbol"))).await;
    assert!(r.status == 400 && r.error_msg().contains("word"));

    let a = api
        .call(Req::new("POST", api.tts("once-code")))
        .await
        .json();
    let b = api
        .call(Req::new("POST", api.tts("once-code")))
        .await
        .json();
    assert!(a["once_code"].is_string() && a["once_code"] != b["once_code"]);

    let v = api
        .call(Req::new(
            "POST",
            api.tts(&format!("check-voice-asset/{DEMO_VOICE}")),
        ))
        .await
        .json();
    assert_eq!(v["asset_id"], DEMO_VOICE);
    assert_eq!(v["asset_type"], "VOICE_MODEL");
    assert_eq!(v["asset_state"], "ACTIVED");
    assert!(v["asset_extra_meta"]["voice_model_meta"]["sex"].is_string());
    let v = api
        .call(Req::new(
            "POST",
            api.tts(&format!("check-voice-asset/{FAILING_VOICE}")),
        ))
        .await
        .json();
    assert_eq!(v["asset_state"], "BLOCK");
    let r = api
        .call(Req::new("POST", api.tts("check-voice-asset/abc")))
        .await;
    assert!(r.status == 400 && r.error_msg().contains("voice_asset_id"));
}

#[tokio::test]
async fn vocabulary_configs_groups_and_tenant_switches() {
    let (_emu, api) = quick().await;
    let create =
        |body: Value| api.call(Req::new("POST", api.tts("vocabulary-configs")).json(&body));
    let list = |q: &[(&str, &str)]| {
        let mut req = Req::new("GET", api.tts("vocabulary-configs"));
        for (k, v) in q {
            req = req.query(k, v);
        }
        async { api.call(req).await.json() }
    };
    let g = api
        .call(Req::new("POST", api.tts("vocabulary-groups")).json(&json!({"group_name": "brands"})))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = create(
        json!({"type": "ALIAS", "key": "WHO", "value": "World Health Organization", "group_id": g}),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = create(json!({"type": "SAY_AS", "key": "110", "value": "telephone"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = create(json!({"type": "SAY_AS", "key": "1", "value": "shout"})).await;
    assert!(
        r.status == 400 && r.error_msg().contains("value"),
        "{}",
        r.error_msg()
    );
    let r = create(json!({"type": "NOPE", "key": "1"})).await;
    assert!(r.status == 400 && r.error_msg().contains("type"));
    let r = create(json!({"type": "ALIAS", "key": "k", "group_id": "missing"})).await;
    assert!(r.status == 400 && r.error_msg().contains("group_id"));

    let v = list(&[]).await;
    assert_eq!(v["count"], 2);
    assert_eq!(
        v["data"][0]["id"].as_str(),
        Some(b.as_str()),
        "newest first"
    );
    assert_eq!(list(&[("type", "ALIAS")]).await["count"], 1);
    assert_eq!(
        list(&[("group_id", &g)]).await["data"][0]["id"].as_str(),
        Some(a.as_str())
    );
    assert_eq!(list(&[("search_key", "health")]).await["count"], 1);
    assert_eq!(list(&[("asset_id", DEMO_VOICE)]).await["count"], 0);
    assert_eq!(
        list(&[("start_time", "2999-01-01T00:00:00Z")]).await["count"],
        0
    );
    assert_eq!(
        list(&[("end_time", "2999-01-01T00:00:00Z")]).await["count"],
        2
    );
    assert_eq!(
        list(&[("limit", "1"), ("offset", "1")]).await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = api
        .call(
            Req::new("PUT", api.tts(&format!("group-assets/{g}")))
                .json(&json!({"asset_ids": [DEMO_VOICE]})),
        )
        .await;
    assert_eq!(r.json()["id"].as_str(), Some(g.as_str()));
    assert_eq!(list(&[("asset_id", DEMO_VOICE)]).await["count"], 1);
    let r = api
        .call(
            Req::new("PUT", api.tts(&format!("group-assets/{g}")))
                .json(&json!({"asset_ids": ["bad"]})),
        )
        .await;
    assert!(r.status == 400 && r.error_msg().contains("asset_ids[0]"));

    let r = api
        .call(
            Req::new("PUT", api.tts(&format!("vocabulary-configs/{a}")))
                .json(&json!({"type": "ALIAS", "key": "WHO", "value": "W H O"})),
        )
        .await;
    assert_eq!(r.json()["id"].as_str(), Some(a.as_str()));
    let r = api
        .call(Req::new("PUT", api.tts("vocabulary-configs/nope")).json(&json!({"type": "ALIAS"})))
        .await;
    assert_eq!(r.status, 404);

    let r = api
        .call(
            Req::new("PUT", api.tts(&format!("vocabulary-groups/{g}")))
                .json(&json!({"group_name": "renamed"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let groups = api
        .call(Req::new("GET", api.tts("vocabulary-groups")))
        .await
        .json();
    assert_eq!(groups["count"], 1);
    assert_eq!(groups["data"][0]["group_name"], "renamed");
    assert_eq!(groups["data"][0]["asset_ids"], json!([DEMO_VOICE]));

    let r = api
        .call(Req::new("DELETE", api.tts("vocabulary-configs")).json(&json!({"id": [a]})))
        .await;
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(list(&[]).await["count"], 1);
    let r = api
        .call(Req::new(
            "DELETE",
            api.tts(&format!("vocabulary-groups/{g}")),
        ))
        .await;
    assert_eq!(r.status, 200);
    let r = api
        .call(Req::new(
            "DELETE",
            api.tts(&format!("vocabulary-groups/{g}")),
        ))
        .await;
    assert_eq!(r.status, 404);

    // Tenant switches: the value is a string, as the official SDK sends it.
    let show = || api.call(Req::new("GET", api.tts("tenant-configs")));
    assert_eq!(show().await.json()["count"], 0);
    let save = |v: Value| api.call(Req::new("PUT", api.tts("tenant-configs")).json(&v));
    assert_eq!(
        save(json!({"key": "vocabulary", "value": "true"}))
            .await
            .status,
        200
    );
    let v = show().await.json();
    assert_eq!(
        (v["count"].as_i64(), &v["data"][0]["value"]),
        (Some(1), &json!("true"))
    );
    let r = save(json!({"key": "vocabulary", "value": true})).await;
    assert!(r.status == 400 && r.error_msg().contains("body"));
    assert_eq!(
        save(json!({"key": "vocabulary", "value": "false"}))
            .await
            .status,
        200
    );
    let v = api
        .call(
            Req::new("GET", api.tts("tenant-configs"))
                .query("key", "vocabulary")
                .query("offset", 5),
        )
        .await
        .json();
    assert_eq!(
        (v["count"].as_i64(), &v["data"][0]["value"]),
        (Some(1), &json!("false"))
    );
    let r = save(json!({"key": "other", "value": "true"})).await;
    assert!(r.status == 400 && r.error_msg().contains("key"));
    let r = save(json!({"key": "vocabulary", "value": "maybe"})).await;
    assert!(r.status == 400 && r.error_msg().contains("value"));
}
