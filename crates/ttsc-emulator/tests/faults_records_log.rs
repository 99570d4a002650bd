//! Injected faults and latency, preloaded job records, the request log, the inspection
//! API and shutdown.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use common::{Api, Req, job_body, raw_exchange, start_emulator};
use serde_json::Value;
use ttsc_emulator::{Emulator, Fault};

/// The bytes of a signed request on a fresh `Connection: close` connection.
fn raw_request(api: &Api, req: &Req) -> Vec<u8> {
    let (target, headers) = api.sign(req, SystemTime::now());
    let mut out = format!("{} {target} HTTP/1.1\r\nHost: {}\r\n", req.method, api.host);
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&req.body);
    bytes
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum Seen {
    Status(u16),
    NoResponse,
}

async fn exchange(emu: &Emulator, api: &Api, req: &Req) -> (Seen, String) {
    match raw_exchange(emu.addr(), &raw_request(api, req)).await {
        Ok(bytes) if bytes.is_empty() => (Seen::NoResponse, String::new()),
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let status = text
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (Seen::Status(status), text)
        }
        Err(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
            (Seen::NoResponse, String::new())
        }
    }
}

#[tokio::test]
async fn every_fault_kind_looks_right_on_the_wire() {
    let (emu, api) = start_emulator(
        Emulator::builder()
            .fault_rate(0.6)
            .seed(42)
            .job_duration_ms(0),
    )
    .await;
    let create = Req::new("POST", api.tts("async-jobs")).json(&job_body("fault me"));
    let mut kinds = HashSet::new();
    let mut created = 0;
    for _ in 0..200 {
        let before = emu.requests().len();
        let (seen, text) = exchange(&emu, &api, &create).await;
        let fault = emu.requests()[before].fault;
        match (fault, &seen) {
            (None, Seen::Status(200)) => created += 1,
            (Some(Fault::Http503BeforeProcessing), Seen::Status(503))
            | (Some(Fault::Http500BeforeProcessing), Seen::Status(500)) => {
                assert!(text.contains("MSS.000000002"), "{text}");
            }
            (Some(Fault::Http429 { retry_after_secs }), Seen::Status(429)) => {
                assert!(text.contains("APIGW.0308"));
                assert!(
                    text.to_ascii_lowercase()
                        .contains(&format!("retry-after: {retry_after_secs}"))
                );
            }
            (Some(Fault::ResetBeforeProcessing), Seen::NoResponse) => {}
            (Some(Fault::ResetAfterProcessing), Seen::NoResponse) => created += 1,
            other => panic!("unexpected {other:?}: {text}"),
        }
        if let Some(f) = fault {
            kinds.insert(std::mem::discriminant(&f));
        }
        if kinds.len() == 5 && created >= 3 {
            break;
        }
    }
    assert_eq!(kinds.len(), 5, "all five fault kinds were drawn");
    assert!(
        emu.requests()
            .iter()
            .all(|r| r.fault.is_none() || !matches!(r.status, 200..=299))
    );
    // The jobs whose responses were lost exist: the records count them.
    let listing = Req::new("GET", api.tts("tts-jobs")).query("limit", 100);
    for _ in 0..50 {
        if let (Seen::Status(200), text) = exchange(&emu, &api, &listing).await {
            let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["count"], created);
            return;
        }
    }
    panic!("no listing got through");
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    async fn run() -> Vec<Option<Fault>> {
        let (emu, api) = start_emulator(Emulator::builder().fault_rate(0.5).seed(9)).await;
        let list = Req::new("GET", api.tts("tts-jobs"));
        for _ in 0..20 {
            let _ = exchange(&emu, &api, &list).await;
        }
        emu.requests().iter().map(|r| r.fault).collect()
    }
    let a = run().await;
    assert_eq!(a, run().await);
    assert!(a.iter().any(Option::is_some) && a.iter().any(Option::is_none));
}

#[tokio::test]
async fn latency_delays_api_calls() {
    let (_emu, api) = start_emulator(Emulator::builder().latency_ms(150)).await;
    let started = Instant::now();
    assert_eq!(
        api.call(Req::new("GET", api.tts("tts-jobs"))).await.status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
}

async fn all_records(api: &Api, filter: &[(&str, &str)]) -> (i64, Vec<Value>) {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut count = None;
    loop {
        let mut req = Req::new("GET", api.tts("tts-jobs"))
            .query("limit", 100)
            .query("offset", offset);
        for (k, v) in filter {
            req = req.query(k, v);
        }
        let v = api.call(req).await.json();
        let c = v["count"].as_i64().unwrap();
        assert_eq!(*count.get_or_insert(c), c, "count is stable");
        let data = v["data"].as_array().unwrap().clone();
        offset += data.len();
        let done = data.is_empty();
        out.extend(data);
        if done || offset as i64 >= c {
            return (c, out);
        }
    }
}

#[tokio::test]
async fn preloaded_records_page_exactly_newest_first_with_every_filter() {
    let (_emu, api) = start_emulator(Emulator::builder().preload_jobs(1500).seed(3)).await;
    let (count, all) = all_records(&api, &[]).await;
    assert_eq!(count, 1500);
    assert_eq!(all.len(), 1500);
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|r| {
            (
                r["create_time"].as_str().unwrap().to_owned(),
                r["job_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "newest first, ties by id, no repeats"
    );
    let types: HashSet<&str> = all
        .iter()
        .map(|r| r["job_type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 4, "{types:?}");
    assert!(all.iter().any(|r| r["websocket_job_id"].is_string()));

    for (field, value) in [
        ("job_type", "WEBSOCKET"),
        ("job_type", "PRELOAD"),
        ("tts_service_enum", "TTS_LAB"),
        ("business_type", "VOICE_ASSET"),
    ] {
        let (n, rows) = all_records(&api, &[(field, value)]).await;
        let expected = if field == "business_type" {
            // Not shown in records: only check the filter narrows to auditions/preloads.
            assert!(
                rows.iter()
                    .all(|r| ["AUDITION", "PRELOAD"].contains(&r["job_type"].as_str().unwrap()))
            );
            n
        } else {
            all.iter().filter(|r| r[field] == value).count() as i64
        };
        assert!(n > 0 && n < 1500, "{field}={value}: {n}");
        assert_eq!(n, expected, "{field}={value}");
        assert_eq!(rows.len() as i64, n);
    }
    let since = keys[900].0.clone();
    let until = keys[300].0.clone();
    let (n, rows) = all_records(&api, &[("create_since", &since), ("create_until", &until)]).await;
    let expected = keys
        .iter()
        .filter(|(t, _)| *t >= since && *t <= until)
        .count();
    assert_eq!(n as usize, expected);
    assert_eq!(rows.len(), expected);
    let (n, _) = all_records(&api, &[("job_id", &keys[7].1)]).await;
    assert_eq!(n, 1);

    // The same seed gives the same records.
    let again = Emulator::builder()
        .preload_jobs(1500)
        .seed(3)
        .start()
        .await
        .unwrap();
    let (_, again_rows) = all_records(&Api::new(&again), &[]).await;
    let ids = |rows: &[Value]| rows.iter().map(|r| r["job_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again_rows), ids(&all));
}

#[tokio::test]
async fn ten_thousand_records_list_quickly() {
    let (emu, api) = start_emulator(Emulator::builder().preload_jobs(10_000)).await;
    let v = api
        .call(
            Req::new("GET", api.tts("tts-jobs"))
                .query("limit", 10)
                .query("offset", 9995),
        )
        .await
        .json();
    assert_eq!(v["count"], 10_000);
    assert_eq!(v["data"].as_array().unwrap().len(), 5);
    assert_eq!(emu.record_count(), 10_000);
}

#[tokio::test]
async fn the_request_log_never_holds_a_secret() {
    let path = std::env::temp_dir().join(format!(
        "ttsc-emulator-log-{}-{}.jsonl",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let (emu, api) =
        start_emulator(Emulator::builder().job_duration_ms(0).request_log(&path)).await;
    let create = Req::new("POST", api.tts("async-jobs")).json(&job_body("log me"));
    let (target, headers) = api.sign(&create, SystemTime::now());
    let signature = headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .and_then(|(_, v)| v.split("Signature=").nth(1))
        .unwrap()
        .to_owned();
    let r = api
        .send_raw("POST", &target, &headers, create.body.clone())
        .await;
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    let v = api
        .call(Req::new("GET", api.tts(&format!("async-jobs/{id}"))))
        .await
        .json();
    let url = v["audio_file_url"].as_str().unwrap();
    let url_sig = url.split("sig=").nth(1).unwrap().to_owned();
    assert_eq!(api.get_url(url, &[]).await.status, 200);
    let login = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": ttsc_emulator::DEMO_USER, "password": ttsc_emulator::DEMO_PASSWORD,
        "domain": {"name": ttsc_emulator::DEMO_DOMAIN}}}}, "scope": {"project": {"name": "cn-north-4"}}}});
    let r = api
        .send_raw(
            "POST",
            "/v3/auth/tokens",
            &[],
            serde_json::to_vec(&login).unwrap(),
        )
        .await;
    let token = r.header("x-subject-token").unwrap().to_owned();
    let r = api
        .send_raw(
            "GET",
            &format!(
                "{}?limit=5&X-Auth-Token=leak&access_key=x",
                api.tts("tts-jobs")
            ),
            &[("X-Auth-Token".into(), token.clone())],
            vec![],
        )
        .await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;

    let log = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{log}");
    for secret in [
        ttsc_emulator::DEMO_SK,
        ttsc_emulator::DEMO_PASSWORD,
        &signature,
        &url_sig,
        &token,
        "leak",
    ] {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
    assert_eq!(lines[0]["operation"], "CreateAsyncTtsJob");
    assert_eq!(lines[0]["auth_scheme"], "aksk:SDK-HMAC-SHA256");
    assert_eq!(lines[0]["credential_headers"], true);
    assert_eq!(lines[2]["operation"], "DownloadFile");
    assert_eq!(lines[2]["credential_headers"], false);
    assert_eq!(lines[4]["auth_scheme"], "token");
    assert_eq!(lines[4]["query"], "limit=5");
}

#[tokio::test]
async fn inspection_counts_requests_per_operation() {
    let (emu, api) = start_emulator(Emulator::builder().job_duration_ms(0)).await;
    api.call(Req::new("POST", api.tts("async-jobs")).json(&job_body("one")))
        .await;
    api.call(Req::new("POST", api.tts("async-jobs")).json(&serde_json::json!({})))
        .await;
    api.send_raw("GET", &api.tts("tts-jobs"), &[], vec![]).await;
    let creates = emu.requests_for("CreateAsyncTtsJob");
    assert_eq!(creates.len(), 2);
    assert_eq!((creates[0].status, creates[1].status), (200, 400));
    assert!(creates.iter().all(|r| r.credential_headers));
    let list = emu.requests_for("ShowTtsJob");
    assert_eq!((list[0].status, list[0].credential_headers), (401, false));
    let stats = emu.operation_stats("CreateAsyncTtsJob");
    assert_eq!((stats.total, stats.succeeded, stats.failed), (2, 1, 1));
    emu.clear_requests();
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let emu = Emulator::builder().start().await.unwrap();
    let addr = emu.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let emu = Emulator::builder().start().await.unwrap();
    let addr = emu.addr();
    drop(emu);
    let mut closed = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(closed, "dropping the handle stops the server");
}
