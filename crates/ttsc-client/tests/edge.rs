//! HTTP edge cases the emulator does not produce, against mockito: malformed JSON, a proxy's
//! HTML page, empty and huge bodies, `Retry-After`, repeated records across pages, and creates
//! that must not be retried.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::InstantSleep;
use futures_util::StreamExt;
use mockito::Matcher;
use ttsc_client::config::{Sleep, SleepFuture, SplitMix};
use ttsc_client::{Client, ErrorKind};
use ttsc_models::*;

const PROJECT: &str = "p1";
const JOBS: &str = "/v1/p1/ttsc/tts-jobs";

fn client(server: &mockito::Server, sleep: Arc<InstantSleep>) -> Client {
    Client::builder()
        .endpoint(server.url())
        .credentials(ttsc_auth::AccessKeyCredentials::new(
            "AK",
            "SK-for-mock-tests",
        ))
        .project_id(PROJECT)
        .sleep(sleep)
        .random(Arc::new(SplitMix::seeded(9)))
        .build()
        .unwrap()
}

/// A mock of the job-records listing, any query, answering `status`.
fn jobs_mock(server: &mut mockito::Server, status: usize) -> mockito::Mock {
    server
        .mock("GET", JOBS)
        .match_query(Matcher::Any)
        .with_status(status)
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_an_excerpt() {
    let mut server = mockito::Server::new_async().await;
    let m = jobs_mock(&mut server, 200)
        .with_body("{\"count\": 1, \"data\": [")
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("{\"count\": 1"), "{err}");
    m.assert_async().await;
}

#[tokio::test]
async fn a_proxy_html_page_is_sanitised_and_retried() {
    let mut server = mockito::Server::new_async().await;
    let m = jobs_mock(&mut server, 502)
        .with_header("content-type", "text/html")
        .with_body("<html><body>\x1b[31mBad Gateway\x1b[0m</body></html>")
        .expect(3)
        .create_async()
        .await;
    let sleep = Arc::new(InstantSleep::default());
    let err = client(&server, sleep.clone())
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.kind(), ErrorKind::Service);
    let text = err.to_string();
    assert!(
        text.contains("Bad Gateway") && !text.contains('\x1b'),
        "{text}"
    );
    assert_eq!(
        sleep.0.lock().unwrap().len(),
        2,
        "two pauses between three attempts"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn an_empty_error_body_still_gives_a_useful_error() {
    let mut server = mockito::Server::new_async().await;
    jobs_mock(&mut server, 400)
        .with_header("x-request-id", "req-42")
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.request_id(), Some("req-42"));
    assert!(err.to_string().contains("empty body"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_empty_success_body_reads_as_an_empty_object() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("PUT", "/v1/p1/ttsc/tenant-configs")
        .with_status(200)
        .create_async()
        .await;
    client(&server, Arc::default())
        .save_ttsc_tenant_configs(SaveTtscTenantConfigsRequest::new(
            SaveTtscTenantConfigsRequestBody::new("vocabulary", "true"),
        ))
        .await
        .expect("empty 200 is success");
}

#[tokio::test]
async fn a_wrong_content_type_with_html_is_a_decode_error() {
    let mut server = mockito::Server::new_async().await;
    jobs_mock(&mut server, 200)
        .with_header("content-type", "text/html")
        .with_body("<!doctype html><title>Login</title>")
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("<!doctype html>"), "{err}");
}

#[tokio::test]
async fn a_huge_body_is_refused_without_reading_it_all() {
    let mut server = mockito::Server::new_async().await;
    jobs_mock(&mut server, 200)
        .with_body(vec![b' '; 17 << 20])
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("larger than"), "{err}");
}

/// Records a pause, then waits until the test opens the gate.
#[derive(Debug, Default)]
struct GateSleep {
    pauses: Mutex<Vec<Duration>>,
    gate: Arc<tokio::sync::Notify>,
}

impl Sleep for GateSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.pauses.lock().unwrap().push(duration);
        let gate = Arc::clone(&self.gate);
        Box::pin(async move { gate.notified().await })
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let mut server = mockito::Server::new_async().await;
    let throttled = jobs_mock(&mut server, 429)
        .with_header("retry-after", "3")
        .with_body(r#"{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"r"}"#)
        .create_async()
        .await;
    let gate = Arc::new(GateSleep::default());
    let c = Client::builder()
        .endpoint(server.url())
        .credentials(ttsc_auth::AccessKeyCredentials::new(
            "AK",
            "SK-for-mock-tests",
        ))
        .project_id(PROJECT)
        .sleep(gate.clone())
        .build()
        .unwrap();
    let call = tokio::spawn(async move { c.show_tts_job(ShowTtsJobRequest::new()).await });
    // Once the client pauses after the 429, swap the throttle for success and let it go on.
    while gate.pauses.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    throttled.remove_async().await;
    jobs_mock(&mut server, 200)
        .with_body(r#"{"count":0,"data":[]}"#)
        .create_async()
        .await;
    gate.gate.notify_one();
    call.await.unwrap().unwrap();
    assert_eq!(
        gate.pauses.lock().unwrap().as_slice(),
        [Duration::from_secs(3)]
    );
}

#[tokio::test]
async fn creates_are_tried_once_more_and_no_further_after_ambiguous_failures() {
    let mut server = mockito::Server::new_async().await;
    let create = server
        .mock("POST", "/v1/p1/ttsc/async-jobs")
        .with_status(500)
        .with_body(r#"{"error_code":"MSS.000000002","error_msg":"internal","request_id":"r"}"#)
        .expect(2)
        .create_async()
        .await;
    // The job search finds nothing: the job is created anew, once, and when that fails as
    // ambiguously the failure stays ambiguous.
    let search = server
        .mock("GET", JOBS)
        .match_query(Matcher::AllOf(vec![Matcher::UrlEncoded(
            "job_type".into(),
            "ASYNC_JOB".into(),
        )]))
        .with_status(200)
        .with_body(r#"{"count":0,"data":[]}"#)
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("hi", "v"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Ambiguous);
    assert!(
        std::error::Error::source(&err).is_some(),
        "carries the original failure"
    );
    create.assert_async().await;
    search.assert_async().await;
}

#[tokio::test]
async fn creates_are_retried_when_the_service_provably_did_nothing() {
    let mut server = mockito::Server::new_async().await;
    let busy = server
        .mock("POST", "/v1/p1/ttsc/async-jobs")
        .with_status(503)
        .with_body(r#"{"error_code":"MSS.000000002","error_msg":"busy","request_id":"r"}"#)
        .expect(3)
        .create_async()
        .await;
    let err = client(&server, Arc::default())
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("hi", "v"),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    busy.assert_async().await;
}

#[tokio::test]
async fn records_repeated_across_pages_are_yielded_once_and_late_records_are_fetched() {
    let mut server = mockito::Server::new_async().await;
    let page = |ids: std::ops::Range<u32>, count: u32| {
        let data: Vec<String> = ids.map(|i| format!(r#"{{"job_id":"j{i:03}"}}"#)).collect();
        format!(r#"{{"count":{count},"data":[{}]}}"#, data.join(","))
    };
    let at = |offset: &str| {
        Matcher::AllOf(vec![
            Matcher::UrlEncoded("offset".into(), offset.into()),
            Matcher::UrlEncoded("limit".into(), "10".into()),
        ])
    };
    // 20 records when listing starts; a new one arrives after the first page, shifting the
    // rest by one: the second page repeats j009 and the count becomes 21.
    for (offset, ids, count) in [("0", 0..10, 20), ("10", 9..19, 21), ("20", 19..20, 21)] {
        server
            .mock("GET", JOBS)
            .match_query(at(offset))
            .with_body(page(ids, count))
            .create_async()
            .await;
    }
    let items: Vec<String> = client(&server, Arc::default())
        .paginate(ShowTtsJobRequest::new())
        .page_size(10)
        .items()
        .map(|r| r.unwrap().job_id.unwrap())
        .collect()
        .await;
    let want: Vec<String> = (0..20).map(|i| format!("j{i:03}")).collect();
    assert_eq!(items, want);
}

#[tokio::test]
async fn a_listing_error_ends_the_stream() {
    let mut server = mockito::Server::new_async().await;
    jobs_mock(&mut server, 400)
        .with_body(r#"{"error_code":"MSS.000000003","error_msg":"bad"}"#)
        .create_async()
        .await;
    let results: Vec<_> = client(&server, Arc::default())
        .paginate(ShowTtsJobRequest::new())
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 1, "{results:?}");
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.error_code(), Some("MSS.000000003"), "{err:?}");
}

#[tokio::test]
async fn requests_are_signed_with_the_documented_headers() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", JOBS)
        .match_header("x-project-id", PROJECT)
        .match_header("content-type", "application/json")
        .match_header("x-sdk-date", Matcher::Regex(r"^\d{8}T\d{6}Z$".into()))
        .match_header(
            "authorization",
            Matcher::Regex(r"^SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$".into()),
        )
        .match_header("user-agent", ttsc_client::USER_AGENT)
        .match_query(Matcher::UrlEncoded("limit".into(), "5".into()))
        .with_body(r#"{"count":0,"data":[]}"#)
        .create_async().await;
    client(&server, Arc::default())
        .show_tts_job(ShowTtsJobRequest::new().limit(5))
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn bodiless_posts_puts_and_deletes_say_content_length_zero() {
    // The official SDK sends `Content-Length: 0` on these; without it a gateway may answer
    // 411 Length Required. A GET carries no length at all.
    let mut server = mockito::Server::new_async().await;
    let once = server
        .mock("POST", "/v1/p1/ttsc/once-code")
        .match_header("content-length", "0")
        .with_body(r#"{"once_code": "c"}"#)
        .create_async()
        .await;
    let delete = server
        .mock("DELETE", "/v1/p1/ttsc/vocabulary-groups/g1")
        .match_header("content-length", "0")
        .create_async()
        .await;
    let list = jobs_mock(&mut server, 200)
        .match_header("content-length", Matcher::Missing)
        .with_body("{}")
        .create_async()
        .await;
    let c = client(&server, Arc::default());
    c.create_tts_once_code(CreateTtsOnceCodeRequest::new())
        .await
        .unwrap();
    c.delete_ttsc_vocabulary_groups(DeleteTtscVocabularyGroupsRequest::new("g1"))
        .await
        .unwrap();
    c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap();
    once.assert_async().await;
    delete.assert_async().await;
    list.assert_async().await;
}
