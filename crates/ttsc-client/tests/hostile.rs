//! The client against a deliberately hostile server on loopback: redirects that would carry
//! credentials away, listings that never end, bodies that never end, successes that are
//! errors, downloads that are not audio.

#[path = "common/hostile.rs"]
mod hostile;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hostile::{Hostile, Received, Reply};
use ttsc_auth::{AccessKeyCredentials, Credentials, IamToken};
use ttsc_client::config::SplitMix;
use ttsc_client::{Client, ClientBuilder, ErrorKind, JobFile, RetryConfig, Timeouts};
use ttsc_models::*;

const SK: &str = "SK-hostile-secret";
const SECURITY_TOKEN: &str = "security-token-hostile-secret";
const TOKEN: &str = "iam-token-hostile-secret";
const PASSWORD: &str = "Pw-hostile-secret";

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .endpoint(endpoint)
        .iam_endpoint(endpoint)
        .project_id("p1")
        .random(Arc::new(SplitMix::seeded(3)))
}

/// Whether a received request carries any credential: a credential header, or a secret
/// anywhere in its head or body.
fn carries_credentials(r: &Received) -> bool {
    let secret_headers = [
        "authorization",
        "x-auth-token",
        "x-security-token",
        "x-subject-token",
    ];
    let text = format!("{:?} {}", r.headers, String::from_utf8_lossy(&r.body));
    r.headers
        .iter()
        .any(|(k, _)| secret_headers.contains(&k.as_str()))
        || [SK, SECURITY_TOKEN, TOKEN, PASSWORD]
            .iter()
            .any(|s| text.contains(s))
}

/// A target that answers every request with `{}` and records what reached it.
async fn target() -> Hostile {
    Hostile::start(|_| Reply::json(200, "{}")).await
}

/// A server that redirects every request to `to` with `status`.
async fn redirector(status: u16, to: &str) -> Hostile {
    let to = to.to_string();
    Hostile::start(move |r| Reply::redirect(status, &format!("{to}{}", r.target()))).await
}

#[tokio::test]
async fn api_redirects_are_not_followed_and_no_credential_leaves() {
    let clients: Vec<(&str, Credentials)> = vec![
        (
            "temporary AK/SK",
            AccessKeyCredentials::new("AK", SK)
                .with_security_token(SECURITY_TOKEN)
                .into(),
        ),
        ("IAM token", IamToken::new(TOKEN).into()),
    ];
    for status in [301, 302, 303, 307, 308] {
        for (what, credentials) in &clients {
            let target = target().await;
            let api = redirector(status, &target.url).await;
            let client = builder(&api.url)
                .credentials(credentials.clone())
                .build()
                .unwrap();
            let err = client
                .show_tts_job(ShowTtsJobRequest::new())
                .await
                .expect_err("a redirect from the API is an error");
            assert_eq!(err.kind(), ErrorKind::Config, "{status} {what}: {err}");
            assert!(!err.is_retryable(), "{status} {what}");
            assert!(
                err.to_string().contains(&target.url),
                "{status} {what}: the error names the target: {err}"
            );
            assert_eq!(api.received().len(), 1, "{status} {what}: not retried");
            assert!(
                target.received().is_empty(),
                "{status} {what}: the redirect was followed: {:?}",
                target.received()
            );
        }
    }
}

#[tokio::test]
async fn iam_redirects_are_not_followed_and_the_password_stays_home() {
    for status in [302, 307, 308] {
        let target = target().await;
        let iam = redirector(status, &target.url).await;
        let client = builder(&iam.url)
            .password_login("user", PASSWORD, "domain")
            .build()
            .unwrap();
        let err = client
            .show_tts_job(ShowTtsJobRequest::new())
            .await
            .expect_err("a redirect from IAM is an error");
        let chain = error_chain(&err);
        assert!(chain.contains(&target.url), "{status}: {chain}");
        assert!(!chain.contains(PASSWORD), "{status}: {chain}");
        assert!(
            target.received().is_empty(),
            "{status}: the login was repeated at the target: {:?}",
            target.received()
        );
        assert!(
            iam.received()
                .iter()
                .all(|r| r.target().starts_with("/v3/auth/tokens")),
            "{status}: only the login reached IAM"
        );
    }
}

#[tokio::test]
async fn downloads_follow_redirects_without_credentials() {
    let store = Hostile::start(|_| {
        Reply::Full(
            200,
            vec![("Content-Type".into(), "audio/wav".into())],
            wav(64),
        )
    })
    .await;
    let bucket = redirector(302, &store.url).await;
    let client = builder(&bucket.url)
        .credentials(AccessKeyCredentials::new("AK", SK).with_security_token(SECURITY_TOKEN))
        .build()
        .unwrap();
    let dir = tempdir("redirected-download");
    let dest = dir.join("a.wav");
    let done = client
        .download(&format!("{}/a.wav?sig=1", bucket.url), &dest)
        .await
        .expect("the redirected download succeeds");
    assert_eq!(done.bytes, wav(64).len() as u64);
    let all: Vec<Received> = bucket
        .received()
        .into_iter()
        .chain(store.received())
        .collect();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|r| !carries_credentials(r)), "{all:?}");
}

/// A WAV file of `samples` 16-bit mono samples.
fn wav(samples: usize) -> Vec<u8> {
    let data = samples * 2;
    let mut out = Vec::with_capacity(44 + data);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&16_000u32.to_le_bytes());
    out.extend_from_slice(&32_000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data as u32).to_le_bytes());
    out.resize(44 + data, 0);
    out
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ttsc-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_success_status_with_an_error_body_is_an_error() {
    let server = Hostile::start(|_| {
        Reply::json(
            200,
            r#"{"error_code":"MSS.00000003","error_msg":"quota exceeded","request_id":"r-9"}"#,
        )
    })
    .await;
    let client = builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .build()
        .unwrap();
    let err = client
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .expect_err("an error body under 200 is an error");
    assert_eq!(err.kind(), ErrorKind::Service, "{err}");
    assert_eq!(err.error_code(), Some("MSS.00000003"));
    assert_eq!(err.request_id(), Some("r-9"));
    assert!(!err.is_retryable());
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_success_body_of_the_wrong_shape_is_a_decode_error() {
    for body in ["[]", "[{\"count\":1}]", "\"ok\"", "42", "null"] {
        let server = Hostile::start(move |_| Reply::json(200, body)).await;
        let client = builder(&server.url)
            .credentials(AccessKeyCredentials::new("AK", SK))
            .build()
            .unwrap();
        let err = client
            .show_tts_job(ShowTtsJobRequest::new())
            .await
            .expect_err(body);
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}: {err}");
    }
}

#[tokio::test]
async fn a_success_with_result_fields_and_an_error_code_is_a_success() {
    // Job details carry `error_code`/`error_msg` of their own beside result fields.
    let server = Hostile::start(|_| {
        Reply::json(
            200,
            r#"{"job_id":"j1","state":"FAILED","error_code":"MSS.1","error_msg":"bad text"}"#,
        )
    })
    .await;
    let client = builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .build()
        .unwrap();
    client
        .show_async_tts_job(ShowAsyncTtsJobRequest::new("j1"))
        .await
        .expect("a job that failed is still a successful read");
}

/// A client for downloads from `server`, with a small download limit.
fn download_client(server: &Hostile, limit: u64, timeouts: Timeouts) -> Client {
    builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .max_download_bytes(limit)
        .timeouts(timeouts)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
}

/// Whether `dir` holds no file at all (neither the target nor a partial file).
fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

#[tokio::test]
async fn an_endless_download_body_stops_at_the_size_limit() {
    let server = Hostile::start(|_| {
        Reply::Endless(200, vec![], vec![0x55; 64 << 10], 256 << 20, Duration::ZERO)
    })
    .await;
    let client = download_client(&server, 1 << 20, Timeouts::default());
    let dir = tempdir("endless");
    let err = client
        .download(&format!("{}/a.wav", server.url), &dir.join("a.wav"))
        .await
        .expect_err("an endless body is refused");
    assert_eq!(err.kind(), ErrorKind::Download, "{err}");
    assert!(err.to_string().contains("1048576 bytes"), "{err}");
    assert!(is_empty_dir(&dir), "nothing is left behind");
}

#[tokio::test]
async fn a_download_announcing_more_than_the_limit_is_refused_unread() {
    let server = Hostile::start(|_| {
        Reply::Endless(
            200,
            vec![("Content-Length".into(), "10000000000".into())],
            vec![0x55; 64 << 10],
            256 << 20,
            Duration::ZERO,
        )
    })
    .await;
    let client = download_client(&server, 1 << 20, Timeouts::default());
    let dir = tempdir("announced-too-big");
    let err = client
        .download(&format!("{}/a.wav", server.url), &dir.join("a.wav"))
        .await
        .expect_err("an announced 10 GB body is refused");
    assert!(err.to_string().contains("10000000000"), "{err}");
    assert!(is_empty_dir(&dir));
}

#[tokio::test]
async fn a_dripping_download_stops_at_the_operation_deadline() {
    let server = Hostile::start(|_| {
        Reply::Endless(
            200,
            vec![],
            vec![0x55; 16],
            1 << 20,
            Duration::from_millis(20),
        )
    })
    .await;
    let timeouts = Timeouts::default().operation(Duration::from_millis(300));
    let client = download_client(&server, 1 << 30, timeouts);
    let dir = tempdir("dripping");
    let err = client
        .download(&format!("{}/a.wav", server.url), &dir.join("a.wav"))
        .await
        .expect_err("a body that never ends is cut by the deadline");
    assert!(err.is_timeout(), "{err}");
    assert!(!dir.join("a.wav").exists());
}

/// Downloads the audio of a job whose audio URL is `server`'s `/audio.wav`.
async fn download_job_audio(server: &Hostile, dir: &Path) -> ttsc_client::Result<()> {
    let client = download_client(server, 1 << 20, Timeouts::default());
    let job = ShowAsyncTtsJobResponse::new()
        .state(JobState::Succeed)
        .audio_file_url(format!("{}/audio.wav", server.url));
    client
        .download_job_file("j1", &job, JobFile::Audio, dir.join("j1.wav"))
        .await
        .map(drop)
}

#[tokio::test]
async fn a_download_that_is_not_the_announced_audio_leaves_no_file() {
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "html",
            "text/html",
            b"<!DOCTYPE html><title>Sign in</title>".to_vec(),
        ),
        ("empty", "audio/wav", Vec::new()),
        (
            "mp3 as wav",
            "audio/wav",
            b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec(),
        ),
        ("wav as mp3", "audio/mpeg", wav(8)),
    ];
    for (what, content_type, body) in cases {
        let server = Hostile::start(move |_| {
            Reply::Full(
                200,
                vec![("Content-Type".into(), content_type.into())],
                body.clone(),
            )
        })
        .await;
        let dir = tempdir(&what.replace(' ', "-"));
        let err = download_job_audio(&server, &dir).await.expect_err(what);
        assert_eq!(err.kind(), ErrorKind::Download, "{what}: {err}");
        assert!(is_empty_dir(&dir), "{what}: no audio file is left");
    }
    let server = Hostile::start(|_| {
        Reply::Full(
            200,
            vec![("Content-Type".into(), "audio/wav".into())],
            wav(8),
        )
    })
    .await;
    let dir = tempdir("real-wav");
    download_job_audio(&server, &dir)
        .await
        .expect("a real WAV downloads");
    assert!(dir.join("j1.wav").exists());
}

/// The `offset` query parameter of a listing request.
fn offset_of(r: &Received) -> u64 {
    r.target()
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("offset="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A page of job records with these ids and this count.
fn job_page(ids: impl Iterator<Item = u64>, count: u64) -> Reply {
    let data: Vec<String> = ids.map(|i| format!(r#"{{"job_id":"j{i}"}}"#)).collect();
    Reply::json(
        200,
        &format!(r#"{{"count":{count},"data":[{}]}}"#, data.join(",")),
    )
}

/// Lists every job record from `server` in pages of 10, returning the records and the
/// error that ended the listing, if any.
async fn list_all(server: &Hostile) -> (usize, Option<ttsc_client::Error>) {
    use futures_util::StreamExt;
    let client = builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .build()
        .unwrap();
    let mut items = client
        .paginate(ShowTtsJobRequest::new())
        .page_size(10)
        .items();
    let mut n = 0;
    // Bounded: a listing that does not stop by itself fails the assertions below.
    while let Some(item) = items.next().await {
        match item {
            Ok(_) => n += 1,
            Err(e) => return (n, Some(e)),
        }
        assert!(n <= 100_000, "the listing does not stop");
    }
    (n, None)
}

#[tokio::test]
async fn a_listing_whose_count_keeps_growing_stops_at_the_first_count_plus_a_margin() {
    // Every page has fresh records and says there are 1000 more than its offset.
    let server =
        Hostile::start(|r| job_page(offset_of(r)..offset_of(r) + 10, offset_of(r) + 1000)).await;
    let (n, err) = list_all(&server).await;
    assert!(err.is_none(), "{err:?}");
    // The first count (1000) is 100 pages; two more are allowed.
    assert_eq!(server.received().len(), 102);
    assert_eq!(n, 1020);
}

#[tokio::test]
async fn a_listing_that_repeats_the_same_page_stops() {
    let server = Hostile::start(|_| job_page(0..10, 1_000_000)).await;
    let (n, err) = list_all(&server).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(n, 10);
    // The first page, and the concurrent pages fetched before the repeat was seen.
    assert!(server.received().len() <= 10, "{}", server.received().len());
}

#[tokio::test]
async fn empty_pages_under_a_huge_count_end_the_listing() {
    let server = Hostile::start(|r| {
        if offset_of(r) == 0 {
            job_page(0..10, 2_000_000_000)
        } else {
            job_page(0..0, 2_000_000_000)
        }
    })
    .await;
    let (n, err) = list_all(&server).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(n, 10);
    assert!(server.received().len() <= 10, "{}", server.received().len());
}

#[tokio::test]
async fn a_whole_listing_has_a_deadline() {
    use futures_util::StreamExt;
    let server =
        Hostile::start(|r| job_page(offset_of(r)..offset_of(r) + 10, offset_of(r) + 1000)).await;
    let client = builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .build()
        .unwrap();
    let results: Vec<_> = client
        .paginate(ShowTtsJobRequest::new())
        .deadline(Duration::ZERO)
        .pages()
        .collect()
        .await;
    // The timer's millisecond resolution may let the first page through on loopback; the
    // next one cannot be.
    assert!(results.len() <= 2, "{}", results.len());
    let err = results
        .last()
        .unwrap()
        .as_ref()
        .expect_err("the deadline passed");
    assert!(err.is_timeout(), "{err}");
}

/// A job record as the service lists it, created `ago` before now.
fn record(id: &str, voice: &str, text_length: usize, format: &str, ago: Duration) -> String {
    let created = time::OffsetDateTime::now_utc() - ago;
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    format!(
        r#"{{"job_id":"{id}","asset_id":"{voice}","text_length":{text_length},"audio_format":"{format}","job_type":"ASYNC_JOB","create_time":"{}"}}"#,
        created.format(&f).unwrap()
    )
}

/// A service whose first create answers 500 (having made the job or not), whose later
/// creates answer `new-job`, and whose job listing holds `records`.
async fn flaky_creates(records: Vec<String>) -> Hostile {
    let creates = std::sync::atomic::AtomicUsize::new(0);
    let listing = format!(
        r#"{{"count":{},"data":[{}]}}"#,
        records.len(),
        records.join(",")
    );
    Hostile::start(move |r| {
        if r.line.starts_with("POST") {
            if creates.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Reply::json(
                    500,
                    r#"{"error_code":"MSS.00000002","error_msg":"internal"}"#,
                )
            } else {
                Reply::json(200, r#"{"job_id":"new-job"}"#)
            }
        } else if offset_of(r) == 0 {
            Reply::json(200, &listing)
        } else {
            job_page(0..0, 0)
        }
    })
    .await
}

async fn create_after_a_500(
    records: Vec<String>,
    known: &[&str],
) -> (ttsc_client::CreatedJob, usize) {
    let server = flaky_creates(records).await;
    let client = builder(&server.url)
        .credentials(AccessKeyCredentials::new("AK", SK))
        .build()
        .unwrap();
    let request =
        CreateAsyncTtsJobRequest::new(CreateAsyncTtsJobRequestBody::new("twelve chars", "voice-a"));
    let created = client
        .create_async_tts_job_with(
            request,
            &ttsc_client::CreateOptions::default().known_jobs(known.iter().copied()),
        )
        .await
        .expect("a create never fails for fear of a duplicate");
    let creates = server
        .received()
        .iter()
        .filter(|r| r.line.starts_with("POST"))
        .count();
    (created, creates)
}

#[tokio::test]
async fn a_failed_create_adopts_the_one_matching_job_nobody_holds() {
    let now = Duration::ZERO;
    let records = vec![
        record("held-1", "voice-a", 12, "WAV", now),
        record("held-2", "voice-a", 12, "WAV", now),
        record("lost", "voice-a", 12, "WAV", now),
    ];
    let (created, creates) = create_after_a_500(records, &["held-1", "held-2"]).await;
    assert_eq!(created.job_id, "lost");
    assert!(created.adopted && !created.possible_duplicate);
    assert_eq!(creates, 1, "adopted, not created again");
}

#[tokio::test]
async fn a_failed_create_never_adopts_an_unrelated_job_of_the_same_voice_and_length() {
    let records = vec![
        // Same voice and length, but from ten minutes ago.
        record("old", "voice-a", 12, "WAV", Duration::from_secs(600)),
        // Same voice and length, but another format.
        record("mp3", "voice-a", 12, "MP3", Duration::ZERO),
        // Another voice.
        record("other", "voice-b", 12, "WAV", Duration::ZERO),
    ];
    let (created, creates) = create_after_a_500(records, &[]).await;
    assert_eq!(created.job_id, "new-job");
    assert!(!created.adopted && created.possible_duplicate);
    assert_eq!(creates, 2);
}

#[tokio::test]
async fn many_matching_jobs_mean_a_new_job_and_a_possible_duplicate_not_a_failure() {
    let records: Vec<String> = (0..11)
        .map(|i| record(&format!("j{i}"), "voice-a", 12, "WAV", Duration::ZERO))
        .collect();
    let (created, creates) = create_after_a_500(records, &[]).await;
    assert_eq!(created.job_id, "new-job");
    assert!(created.possible_duplicate);
    assert_eq!(creates, 2);
}
