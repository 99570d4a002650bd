//! Signing benchmarks: `cargo bench -p ttsc-auth --bench signing`.
//!
//! `sign/list_jobs_*` signs the GET tts-jobs request with four query parameters of the
//! vector `list_jobs_paged_filtered`; `sign/create_async_job_json_post` a JSON POST;
//! `floor/list_jobs_hash_and_hmac` only hashes that request's canonical request and
//! computes the HMAC of its string to sign with a precomputed key: the floor no signer
//! can beat.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{Case, bundled, signing_time};
use criterion::Criterion;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use ttsc_auth::verify::{ReceivedRequest, VerificationKey, Verifier};
use ttsc_auth::{SignableRequest, Signer, SigningSettings, sign};

const HEX: &[u8; 16] = b"0123456789abcdef";

fn bench_case(c: &mut Criterion, bench: &str, case: &Case, settings: &SigningSettings) {
    let signer = Signer::new(&case.credentials(), settings.clone()).expect("signer");
    let query = case.query_pairs();
    let headers = case.header_pairs();
    let at = signing_time(case);
    let request = SignableRequest::new(&case.method, &case.host, &case.path)
        .with_query(&query)
        .with_headers(&headers)
        .with_body(case.body.as_bytes());
    c.bench_function(bench, |b| {
        b.iter(|| {
            signer
                .sign(black_box(&request), black_box(at))
                .expect("signs")
        })
    });
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();

    let list_jobs = bundled("list_jobs_paged_filtered");
    let json_post = bundled("create_async_job_json_body");
    let at = signing_time(&list_jobs);
    let sha256 = SigningSettings::default();

    bench_case(&mut c, "sign/list_jobs_paged_filtered", &list_jobs, &sha256);
    bench_case(
        &mut c,
        "sign/create_async_job_json_post",
        &json_post,
        &sha256,
    );
    bench_case(
        &mut c,
        "sign/list_jobs_paged_filtered_v11",
        &list_jobs,
        &SigningSettings::derived("cn-north-4", "metastudio"),
    );
    bench_case(
        &mut c,
        "sign/list_jobs_paged_filtered_sm3",
        &list_jobs,
        &SigningSettings::sm3(),
    );

    // The one-shot function: builds the HMAC key state on every call.
    {
        let creds = list_jobs.credentials();
        let query = list_jobs.query_pairs();
        let headers = list_jobs.header_pairs();
        let request = SignableRequest::new(&list_jobs.method, &list_jobs.host, &list_jobs.path)
            .with_query(&query)
            .with_headers(&headers);
        c.bench_function("sign/list_jobs_paged_filtered_one_shot", |b| {
            b.iter(|| sign(black_box(&request), &creds, &sha256, black_box(at)).expect("signs"))
        });
    }

    // The floor: hash the canonical request, HMAC the string to sign (its first lines,
    // then the hex hash).
    {
        let key = Hmac::<Sha256>::new_from_slice(list_jobs.sk.as_bytes()).expect("key");
        let canonical = list_jobs.expected.canonical_request.as_bytes();
        let prefix = list_jobs
            .expected
            .string_to_sign
            .rsplit_once('\n')
            .map(|(head, _)| format!("{head}\n"))
            .expect("three lines");
        c.bench_function("floor/list_jobs_hash_and_hmac", |b| {
            b.iter(|| {
                let hash = Sha256::digest(black_box(canonical));
                let mut hex = [0u8; 64];
                for (i, byte) in hash.iter().enumerate() {
                    hex[2 * i] = HEX[usize::from(byte >> 4)];
                    hex[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
                }
                let mut mac = key.clone();
                mac.update(prefix.as_bytes());
                mac.update(&hex);
                black_box(mac.finalize().into_bytes())
            })
        });
    }

    // The emulator's side: verifying the same request.
    {
        let signer = Signer::new(&list_jobs.credentials(), sha256.clone()).expect("signer");
        let query = list_jobs.query_pairs();
        let mut headers = list_jobs.header_pairs();
        let out = signer
            .sign(
                &SignableRequest::new(&list_jobs.method, &list_jobs.host, &list_jobs.path)
                    .with_query(&query)
                    .with_headers(&headers),
                at,
            )
            .expect("signs");
        headers.push(("Host", &list_jobs.host));
        headers.extend(out.headers());
        let (path, raw_query) = out.request_uri().split_once('?').expect("has a query");
        let received = ReceivedRequest::new("GET", path, raw_query, &headers, b"");
        let keys = |_: &str| Some(VerificationKey::new(list_jobs.sk.as_str()));
        let verifier = Verifier::new();
        c.bench_function("verify/list_jobs_paged_filtered", |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(&received), &keys, at)
                    .expect("verifies")
            })
        });
    }

    c.final_summary();
}
