//! Client benchmarks against the in-process emulator (loopback only, bounded):
//!
//! - `listing/…`: stream 10,000 job records with 20 ms of service latency (and none), with
//!   the client's concurrent paging against the same listing done sequentially;
//! - `request/…`: one signed `GET …/tts-jobs?limit=10` through `Client` against a bare
//!   reqwest loop that signs with `ttsc-auth` and decodes the same typed response, on the same
//!   emulator.
//!
//! Run: `cargo bench -p ttsc-client --bench client`.

#[path = "../tests/common/emulator.rs"]
mod emulator;

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use ttsc_auth::{SignableRequest, Signer, SigningSettings};
use ttsc_client::Client;
use ttsc_emulator::Emulator;
use ttsc_models::ShowTtsJobRequest;

const RECORDS: usize = 10_000;

/// The emulator on its own runtime, so its work is not scheduled on the client's.
struct Served {
    _rt: tokio::runtime::Runtime,
    emu: Emulator,
}

fn serve(latency_ms: u64) -> Served {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let emu = rt
        .block_on(
            Emulator::builder()
                .preload_jobs(RECORDS)
                .latency_ms(latency_ms)
                .start(),
        )
        .expect("emulator");
    Served { _rt: rt, emu }
}

fn client(emu: &Emulator, concurrency: usize) -> Client {
    emulator::client_at(emu)
        .page_concurrency(concurrency)
        .build()
        .expect("client")
}

fn listing(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for latency in [20, 0] {
        let served = serve(latency);
        let mut group = c.benchmark_group(format!("listing/{RECORDS}_records/{latency}ms"));
        group.sample_size(10);
        if latency > 0 {
            group.measurement_time(Duration::from_secs(25));
        }
        for (name, concurrency) in [
            ("sequential", 1),
            ("concurrent_8", 8),
            ("concurrent_16", 16),
        ] {
            let client = client(&served.emu, concurrency);
            group.bench_function(name, |b| {
                b.iter(|| {
                    rt.block_on(async {
                        let n = client
                            .paginate(ShowTtsJobRequest::new())
                            .items()
                            .count()
                            .await;
                        assert_eq!(n, RECORDS);
                        black_box(n)
                    })
                })
            });
        }
        group.finish();
    }
}

fn per_request(c: &mut Criterion) {
    let served = serve(0);
    let emu = &served.emu;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("request/list_jobs_limit_10");
    group.measurement_time(Duration::from_secs(8));

    let client = client(emu, 1);
    let request = ShowTtsJobRequest::new().limit(10);
    group.bench_function("ttsc_client", |b| {
        b.iter(|| {
            rt.block_on(async { black_box(client.show_tts_job(request.clone()).await.unwrap()) })
        })
    });

    // The floor: reqwest, signing every request with the same signer, decoding the body into
    // the same typed response.
    let creds = emu.credentials();
    let signer = Signer::new(&creds.access_key_credentials(), SigningSettings::default()).unwrap();
    // Plain HTTP, but reqwest is built with `rustls-no-provider`: give it a provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bare = reqwest::Client::builder().build().unwrap();
    let host = emu.base_url().trim_start_matches("http://").to_string();
    let path = format!("/v1/{}/ttsc/tts-jobs", creds.project_id());
    let project = creds.project_id().to_string();
    group.bench_function("bare_reqwest", |b| {
        b.iter(|| {
            rt.block_on(async {
                let headers = [
                    ("Content-Type", "application/json"),
                    ("X-Project-Id", project.as_str()),
                ];
                let query = [("limit", "10")];
                let req = SignableRequest::new("GET", &host, &path)
                    .with_query(&query)
                    .with_headers(&headers);
                let out = signer.sign(&req, SystemTime::now()).unwrap();
                let mut r = bare.get(format!("{}{}", emu.base_url(), out.request_uri()));
                for (k, v) in headers.iter().copied().chain(out.headers()) {
                    r = r.header(k, v);
                }
                let resp = r.send().await.unwrap();
                assert_eq!(resp.status(), 200);
                let body = resp.bytes().await.unwrap();
                black_box(serde_json::from_slice::<ttsc_models::ShowTtsJobResponse>(&body).unwrap())
            })
        })
    });
    group.finish();
}

criterion_group!(benches, listing, per_request);
criterion_main!(benches);
