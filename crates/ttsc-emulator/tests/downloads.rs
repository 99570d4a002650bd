//! Result files: signed URLs that expire and refuse tampering, `Range` (206, 416,
//! resumable), and truncated downloads.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{Api, Req, job_body, raw_exchange, start_emulator};
use ttsc_auth::clock::{Clock, ManualClock};
use ttsc_emulator::Emulator;

/// Creates a finished job and returns its audio URL.
async fn audio_url(api: &Api, at: SystemTime) -> String {
    let r = api
        .call_at(
            Req::new("POST", api.tts("async-jobs"))
                .json(&job_body("A file to download, in pieces.")),
            at,
        )
        .await;
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    let v = api
        .call_at(Req::new("GET", api.tts(&format!("async-jobs/{id}"))), at)
        .await
        .json();
    assert_eq!(v["state"], "SUCCEED");
    v["audio_file_url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn urls_expire_and_polling_the_job_refreshes_them() {
    let clock = ManualClock::new(SystemTime::now());
    let (_emu, api) = start_emulator(
        Emulator::builder()
            .clock(Arc::new(clock.clone()))
            .job_duration_ms(0)
            .url_ttl_secs(60),
    )
    .await;
    let r = api
        .call_at(
            Req::new("POST", api.tts("async-jobs")).json(&job_body("Expiring")),
            clock.now(),
        )
        .await;
    let id = r.json()["job_id"].as_str().unwrap().to_owned();
    let show = Req::new("GET", api.tts(&format!("async-jobs/{id}")));
    let url = api.call_at(show.clone(), clock.now()).await.json()["audio_file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.get_url(&url, &[]).await.status, 200);
    clock.advance(Duration::from_secs(61));
    let r = api.get_url(&url, &[]).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("content-type"), Some("application/xml"));
    let body = String::from_utf8(r.body.to_vec()).unwrap();
    assert!(
        body.contains("<Code>AccessDenied</Code>") && body.contains("expired"),
        "{body}"
    );
    assert!(r.header("x-request-id").is_some() && r.header("date").is_some());
    let fresh = api.call_at(show, clock.now()).await.json()["audio_file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, url);
    assert_eq!(api.get_url(&fresh, &[]).await.status, 200);
}

#[tokio::test]
async fn files_are_freed_when_their_urls_expire_and_regenerated_on_demand() {
    let clock = ManualClock::new(SystemTime::now());
    let (emu, api) = start_emulator(
        Emulator::builder()
            .clock(Arc::new(clock.clone()))
            .job_duration_ms(0)
            .url_ttl_secs(60),
    )
    .await;
    let first = audio_url(&api, clock.now()).await;
    let (per_job, job_bytes) = emu.stored_files();
    assert!(per_job > 0 && job_bytes > 0);
    for _ in 0..4 {
        clock.advance(Duration::from_secs(20));
        audio_url(&api, clock.now()).await;
    }
    // Five jobs, 20 s apart, with 60 s URLs: the first job's files were freed when the
    // fifth was made, so the files of four are held.
    assert_eq!(emu.stored_files().0, 4 * per_job);
    clock.advance(Duration::from_secs(61));
    let r = api.get_url(&first, &[]).await;
    assert_eq!(r.status, 403, "an expired URL answers as expired");
    assert!(String::from_utf8_lossy(&r.body).contains("expired"));
    assert_eq!(
        emu.stored_files(),
        (0, 0),
        "every URL expired: nothing held"
    );
    // Polling a job whose files were freed synthesises them again.
    let fresh = audio_url(&api, clock.now()).await;
    assert_eq!(api.get_url(&fresh, &[]).await.status, 200);
}

#[tokio::test]
async fn tampered_urls_are_refused() {
    let (_emu, api) = start_emulator(Emulator::builder().job_duration_ms(0)).await;
    let url = audio_url(&api, SystemTime::now()).await;
    let (path, query) = url.split_once('?').unwrap();
    let sig = query.split("sig=").nth(1).unwrap();
    let flipped = format!(
        "{path}?{}",
        query.replace(sig, &sig.chars().rev().collect::<String>())
    );
    let code = |r: &common::Resp| String::from_utf8_lossy(&r.body).into_owned();
    let r = api.get_url(&flipped, &[]).await;
    assert!(r.status == 403 && code(&r).contains("SignatureDoesNotMatch"));
    let later = url.replace("expires=", "expires=9");
    assert_eq!(api.get_url(&later, &[]).await.status, 403);
    let renamed = url.replace(".wav?", ".mp3?");
    assert_eq!(api.get_url(&renamed, &[]).await.status, 403);
    let r = api.get_url(path, &[]).await;
    assert!(r.status == 403 && code(&r).contains("AccessDenied"));
    let r = api.get_url("/emulator-files/nothing", &[]).await;
    assert!(r.status == 404 && code(&r).contains("NoSuchKey"));
    // Only GET and HEAD; the refusal is the same XML, the request id escaped.
    let target = url.split_once("/emulator-files/").map(|(_, t)| t).unwrap();
    let headers = [("X-Request-Id".to_owned(), "a<b&c".to_owned())];
    let r = api
        .send_raw(
            "DELETE",
            &format!("/emulator-files/{target}"),
            &headers,
            Vec::new(),
        )
        .await;
    assert!(
        r.status == 405
            && code(&r).contains("<Code>MethodNotAllowed</Code>")
            && code(&r).contains("<RequestId>a&lt;b&amp;c</RequestId>"),
        "{}",
        code(&r)
    );
    // Downloads need no credentials, and API credentials are not asked for.
    assert_eq!(api.get_url(&url, &[]).await.status, 200);
}

#[tokio::test]
async fn ranges_resume_to_the_whole_file() {
    let (_emu, api) = start_emulator(Emulator::builder().job_duration_ms(0)).await;
    let url = audio_url(&api, SystemTime::now()).await;
    let full = api.get_url(&url, &[]).await;
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    let len = full.body.len();
    assert!(len > 10_000);

    let r = api.get_url(&url, &[("Range", "bytes=0-99")]).await;
    assert_eq!(r.status, 206);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 0-99/{len}").as_str())
    );
    assert_eq!(r.body, full.body.slice(..100));
    let r = api
        .get_url(&url, &[("Range", &format!("bytes={len}-"))])
        .await;
    assert_eq!(r.status, 416);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
    let r = api.get_url(&url, &[("Range", "bytes=-10")]).await;
    assert_eq!(r.body, full.body.slice(len - 10..));

    let mut assembled = Vec::new();
    while assembled.len() < len {
        let from = assembled.len();
        let range = format!("bytes={from}-{}", from + 4095);
        let r = api.get_url(&url, &[("Range", &range)]).await;
        assert_eq!(r.status, 206);
        assembled.extend_from_slice(&r.body);
    }
    assert_eq!(assembled, full.body);

    // HEAD tells the length without a body.
    let target = url.strip_prefix(&api.base).unwrap();
    let r = api.send_raw("HEAD", target, &[], vec![]).await;
    assert_eq!(r.header("content-length"), Some(len.to_string().as_str()));
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn download_faults_cut_the_body_short_and_range_recovers() {
    let (emu, api) = start_emulator(
        Emulator::builder()
            .job_duration_ms(0)
            .download_fault_rate(0.7)
            .seed(11),
    )
    .await;
    // API calls are never faulted by the download rate.
    let url = audio_url(&api, SystemTime::now()).await;
    let target = url.strip_prefix(&api.base).unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        api.host
    );
    // Downloads until one is cut short (70 % are).
    let mut cut = None;
    for _ in 0..50 {
        let raw = raw_exchange(emu.addr(), request.as_bytes())
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let head_end = text.find("\r\n\r\n").expect("headers were sent") + 4;
        assert!(text.starts_with("HTTP/1.1 200"), "{}", &text[..head_end]);
        let declared: usize = text[..head_end]
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_owned)
            })
            .and_then(|v| v.trim().parse().ok())
            .expect("content-length");
        if raw.len() - head_end < declared {
            cut = Some((raw, head_end, declared));
            break;
        }
    }
    let (raw, head_end, declared) = cut.expect("a download was cut short");

    // Resuming with Range from what arrived gets the whole file.
    let mut assembled = raw[head_end..].to_vec();
    for _ in 0..500 {
        if assembled.len() == declared {
            break;
        }
        let request = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nRange: bytes={}-\r\nConnection: close\r\n\r\n",
            api.host,
            assembled.len()
        );
        let raw = raw_exchange(emu.addr(), request.as_bytes())
            .await
            .unwrap_or_default();
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            assert!(raw.starts_with(b"HTTP/1.1 206"));
            assembled.extend_from_slice(&raw[end + 4..]);
        }
    }
    assert_eq!(assembled.len(), declared);
    assert_eq!(&assembled[..4], b"RIFF");
    let data_len = u32::from_le_bytes([assembled[40], assembled[41], assembled[42], assembled[43]]);
    assert_eq!(data_len as usize + 44, declared);
}
