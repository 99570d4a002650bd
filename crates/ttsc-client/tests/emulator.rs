//! The client against the real emulator over HTTP: every operation, waiters, downloads,
//! pagination, faults and retries, clock skew, IAM tokens and URL expiry.

mod common;
#[path = "common/emulator.rs"]
mod emulator;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::InstantSleep;
use futures_util::StreamExt;
use ttsc_auth::clock::ManualClock;
use ttsc_client::config::SplitMix;
use ttsc_client::{Client, ClientBuilder, ErrorKind, RetryConfig, SynthesizeRequest, WaitOptions};
use ttsc_emulator::{DEMO_DOMAIN, DEMO_PASSWORD, DEMO_USER, DEMO_VOICE, Emulator, EmulatorBuilder};
use ttsc_models::*;

const FAILING_VOICE: &str = "00000000000000000000000000000000";

fn client_for(emu: &Emulator) -> ClientBuilder {
    emulator::client_at(emu)
        .iam_endpoint(emu.base_url())
        .random(Arc::new(SplitMix::seeded(1)))
}

async fn start(b: EmulatorBuilder) -> (Emulator, Client) {
    let emu = b.start().await.expect("emulator starts");
    let client = client_for(&emu).build().expect("client builds");
    (emu, client)
}

fn fast_wait() -> WaitOptions {
    WaitOptions::for_jobs()
        .interval(Duration::from_millis(40))
        .max_wait(Duration::from_secs(30))
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ttsc-client-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn every_operation_works_against_the_emulator() {
    let (emu, c) = start(Emulator::builder().job_duration_ms(100)).await;

    // Async job: create, wait, download.
    let body = CreateAsyncTtsJobRequestBody::new("Hello from ttsc.", DEMO_VOICE).gen_srt(true);
    let job = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(body))
        .await
        .unwrap();
    let job_id = job.job_id.unwrap();
    let done = c.wait_for_job(&job_id, &fast_wait()).await.unwrap();
    assert_eq!(done.state, Some(JobState::Succeed));
    let shown = c
        .show_async_tts_job(ShowAsyncTtsJobRequest::new(job_id.clone()))
        .await
        .unwrap();
    assert!(shown.audio_file_url.is_some());
    let dir = tempdir("ops");
    let files = c.download_job(&job_id, &dir).await.unwrap();
    assert!(
        files
            .iter()
            .any(|(_, f)| f.path.extension().is_some_and(|e| e == "srt"))
    );

    // Preview.
    let audition = c
        .create_tts_audition(CreateTtsAuditionRequest::new(
            CreateTtsAuditionRequestBody::new("Preview", DEMO_VOICE),
        ))
        .await
        .unwrap();
    let preview_id = audition.job_id.unwrap();
    let preview = c
        .wait_for_audition(&preview_id, &fast_wait())
        .await
        .unwrap();
    assert_eq!(preview.is_file_complete, Some(true));
    let shown = c
        .show_tts_audition_file(ShowTtsAuditionFileRequest::new(preview_id))
        .await
        .unwrap();
    assert!(!shown.files.unwrap().is_empty());

    // Records.
    let records = c
        .show_tts_job(ShowTtsJobRequest::new().limit(10))
        .await
        .unwrap();
    assert_eq!(records.count, Some(2));

    // Phonetic symbols, once code, voice check.
    let p = c
        .show_tts_phonetic_symbol(ShowTtsPhoneticSymbolRequest::new("hello"))
        .await
        .unwrap();
    assert!(!p.data.unwrap_or_default().is_empty());
    let code = c
        .create_tts_once_code(CreateTtsOnceCodeRequest::new())
        .await
        .unwrap();
    assert!(code.once_code.is_some_and(|c| !c.is_empty()));
    let voice = c
        .check_voice_asset(CheckVoiceAssetRequest::new(DEMO_VOICE))
        .await
        .unwrap();
    assert_eq!(voice.asset_id.as_deref(), Some(DEMO_VOICE));

    // Vocabulary groups and configs.
    let group = c
        .create_ttsc_vocabulary_groups(CreateTtscVocabularyGroupsRequest::new(
            SaveTtscVocabularyGroupsRequestBody::new().group_name("names"),
        ))
        .await
        .unwrap()
        .id
        .unwrap();
    c.update_ttsc_vocabulary_groups(UpdateTtscVocabularyGroupsRequest::new(
        group.clone(),
        SaveTtscVocabularyGroupsRequestBody::new().group_name("people"),
    ))
    .await
    .unwrap();
    c.set_ttsc_group_assets(SetTtscGroupAssetsRequest::new(
        group.clone(),
        SetTtscGroupAssetsRequestBody::new().asset_ids([DEMO_VOICE]),
    ))
    .await
    .unwrap();
    let groups = c
        .list_ttsc_vocabulary_groups(ListTtscVocabularyGroupsRequest::new())
        .await
        .unwrap();
    assert_eq!(
        groups.data.unwrap()[0].group_name.as_deref(),
        Some("people")
    );

    let config = SaveTtscVocabularyConfigsRequestBody::new(VocabularyType::Alias)
        .key("ttsc")
        .value("T T S C")
        .group_id(group.clone());
    let id = c
        .create_ttsc_vocabulary_configs(CreateTtscVocabularyConfigsRequest::new(config.clone()))
        .await
        .unwrap()
        .id
        .unwrap();
    c.save_ttsc_vocabulary_configs(SaveTtscVocabularyConfigsRequest::new(
        id.clone(),
        config.value("tee tee ess see"),
    ))
    .await
    .unwrap();
    let listed = c
        .list_ttsc_vocabulary_configs(ListTtscVocabularyConfigsRequest::new().search_key("ttsc"))
        .await
        .unwrap();
    assert_eq!(listed.count, Some(1));
    assert_eq!(
        listed.data.unwrap()[0].value.as_deref(),
        Some("tee tee ess see")
    );
    c.delete_ttsc_vocabulary_configs(DeleteTtscVocabularyConfigsRequest::new(
        DeleteTtscVocabularyConfigsRequestBody::new().id([id]),
    ))
    .await
    .unwrap();
    c.delete_ttsc_vocabulary_groups(DeleteTtscVocabularyGroupsRequest::new(group))
        .await
        .unwrap();
    let listed = c
        .list_ttsc_vocabulary_configs(ListTtscVocabularyConfigsRequest::new())
        .await
        .unwrap();
    assert_eq!(listed.count, Some(0));

    // Tenant switches.
    c.save_ttsc_tenant_configs(SaveTtscTenantConfigsRequest::new(
        SaveTtscTenantConfigsRequestBody::new("vocabulary", "true"),
    ))
    .await
    .unwrap();
    let switches = c
        .show_vocabulary_switch_configs(ShowVocabularySwitchConfigsRequest::new())
        .await
        .unwrap();
    assert_eq!(switches.data.unwrap()[0].value, "true");

    // The asset library: Huawei's voices, one page, and one voice.
    let voices = c
        .list_assets(
            ListAssetsRequest::new()
                .asset_type("VOICE_MODEL")
                .asset_source(AssetSource::System)
                .limit(3),
        )
        .await
        .unwrap();
    assert_eq!(voices.assets.unwrap().len(), 3);
    let voice = c
        .show_asset(ShowAssetRequest::new(DEMO_VOICE))
        .await
        .unwrap();
    assert_eq!(voice.asset_id.as_deref(), Some(DEMO_VOICE));

    // All 21 operations reached the emulator.
    let seen: HashSet<&str> = emu.requests().iter().filter_map(|r| r.operation).collect();
    for info in TTS_OPERATIONS {
        assert!(seen.contains(info.name), "{} was not exercised", info.name);
    }
}

#[tokio::test]
async fn invalid_requests_are_rejected_before_anything_is_sent() {
    let (emu, c) = start(Emulator::builder()).await;
    let err = c
        .show_tts_job(ShowTtsJobRequest::new().limit(0).offset(-1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.validation_error().unwrap().violations().len(), 2);
    assert!(err.to_string().contains("limit"), "{err}");
    let err = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("", DEMO_VOICE).speed(10),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(emu.requests().is_empty(), "nothing reached the service");
}

#[tokio::test]
async fn synthesize_writes_audio_and_subtitles_atomically() {
    let (emu, c) = start(Emulator::builder().job_duration_ms(100)).await;
    let dir = tempdir("synth");
    let body =
        CreateAsyncTtsJobRequestBody::new("Text to speech, done right. Twice over.", DEMO_VOICE);
    let out = c
        .synthesize(
            SynthesizeRequest::new(body, dir.join("out.wav"))
                .subtitles(dir.join("out.srt"))
                .timestamps(dir.join("out.json"))
                .wait(fast_wait()),
        )
        .await
        .unwrap();
    let wav = std::fs::read(dir.join("out.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    assert_eq!(out.audio.bytes, wav.len() as u64);
    let srt = std::fs::read_to_string(dir.join("out.srt")).unwrap();
    assert!(srt.starts_with("1\n00:00:00,"), "{srt}");
    let ts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out.json")).unwrap()).unwrap();
    assert!(ts.is_object());
    // No partial files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
    // Download URLs never received credentials.
    let downloads = emu.requests_for(ttsc_emulator::DOWNLOAD_OPERATION);
    assert_eq!(downloads.len(), 3);
    assert!(downloads.iter().all(|r| !r.credential_headers));
}

#[tokio::test]
async fn a_failed_job_is_a_typed_failure() {
    let (_emu, c) = start(Emulator::builder().job_duration_ms(50)).await;
    let job = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("doomed", FAILING_VOICE),
        ))
        .await
        .unwrap();
    let err = c
        .wait_for_job(&job.job_id.unwrap(), &fast_wait())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::JobFailed);

    // A failed preview is reported complete with a failure code: still a failure.
    let preview = c
        .create_tts_audition(CreateTtsAuditionRequest::new(
            CreateTtsAuditionRequestBody::new("doomed", FAILING_VOICE),
        ))
        .await
        .unwrap();
    let err = c
        .wait_for_audition(&preview.job_id.unwrap(), &fast_wait())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::JobFailed);
    assert!(err.to_string().contains("MSS.000000001"), "{err}");
}

#[tokio::test]
async fn waiting_reports_progress_and_times_out() {
    let (_emu, c) = start(Emulator::builder().job_duration_ms(60_000)).await;
    let job = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("slow", DEMO_VOICE),
        ))
        .await
        .unwrap();
    let polls = Arc::new(Mutex::new(Vec::new()));
    let seen = polls.clone();
    let opts = WaitOptions::for_jobs()
        .interval(Duration::from_millis(20))
        .max_wait(Duration::from_millis(200))
        .progress(move |p| seen.lock().unwrap().push(p.state.clone()));
    let err = c
        .wait_for_job(&job.job_id.unwrap(), &opts)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let polls = polls.lock().unwrap();
    assert!(polls.len() >= 2);
    assert!(
        polls.iter().all(|s| s == "WAITING" || s == "PROCESSING"),
        "{polls:?}"
    );
}

#[tokio::test]
async fn paginating_streams_every_record_once_in_order() {
    let (emu, c) = start(Emulator::builder().preload_jobs(2_345).latency_ms(2)).await;
    let records: Vec<TtsJobDetail> = c
        .paginate(ShowTtsJobRequest::new())
        .items()
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert_eq!(records.len(), emu.record_count());
    let ids: HashSet<&str> = records.iter().filter_map(|r| r.job_id.as_deref()).collect();
    assert_eq!(ids.len(), records.len(), "no repeats");
    let times: Vec<&str> = records
        .iter()
        .filter_map(|r| r.create_time.as_deref())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // 24 pages of 100: one first page, then the rest concurrently.
    assert_eq!(emu.requests_for("ShowTtsJob").len(), 24);

    // Filters and an explicit page size.
    let async_only: Vec<_> = c
        .paginate(ShowTtsJobRequest::new().job_type(JobType::AsyncJob))
        .page_size(37)
        .items()
        .collect()
        .await;
    assert!(!async_only.is_empty());
    assert!(
        async_only
            .iter()
            .all(|r| r.as_ref().unwrap().job_type == Some(JobType::AsyncJob))
    );
}

#[tokio::test]
async fn faults_are_retried_and_lost_creates_are_adopted_not_duplicated() {
    let emu = Emulator::builder()
        .fault_rate(0.4)
        .seed(7)
        .job_duration_ms(50)
        .start()
        .await
        .unwrap();
    let sleep = Arc::new(InstantSleep::default());
    let c = client_for(&emu)
        .retry(RetryConfig::default().max_attempts(10))
        .sleep(sleep.clone())
        .build()
        .unwrap();
    let mut created = Vec::new();
    for i in 0..12 {
        let text = format!("job number {i} {}", "x".repeat(i));
        let r = c
            .create_async_tts_job(CreateAsyncTtsJobRequest::new(
                CreateAsyncTtsJobRequestBody::new(text, DEMO_VOICE),
            ))
            .await;
        match r {
            Ok(r) => created.push(r.job_id.unwrap()),
            Err(e) => assert_eq!(
                e.kind(),
                ErrorKind::Ambiguous,
                "only ambiguity may remain: {e:?}"
            ),
        }
        c.show_tts_job(ShowTtsJobRequest::new())
            .await
            .expect("reads are retried through faults");
    }
    let faults: Vec<_> = emu.requests().into_iter().filter_map(|r| r.fault).collect();
    assert!(faults.len() >= 5, "the seed injects faults: {faults:?}");
    assert!(!sleep.0.lock().unwrap().is_empty(), "retries paused");
    // Every job created exactly once: no duplicates of any text.
    let emu_free = client_for(&emu)
        .retry(RetryConfig::default().max_attempts(20))
        .sleep(sleep.clone())
        .build()
        .unwrap();
    let records: Vec<TtsJobDetail> = emu_free
        .paginate(ShowTtsJobRequest::new().job_type(JobType::AsyncJob))
        .items()
        .map(|r| r.unwrap())
        .collect()
        .await;
    let lengths: Vec<i32> = records.iter().filter_map(|r| r.text_length).collect();
    let unique: HashSet<i32> = lengths.iter().copied().collect();
    assert_eq!(
        unique.len(),
        lengths.len(),
        "a create was duplicated: {lengths:?}"
    );
    for id in &created {
        assert!(
            records.iter().any(|r| r.job_id.as_ref() == Some(id)),
            "adopted id {id} exists"
        );
    }
}

#[tokio::test]
async fn clock_skew_of_half_an_hour_is_corrected() {
    for offset in [1800i64, -1800] {
        let (emu, c) = start(Emulator::builder().clock_offset_secs(offset)).await;
        c.show_tts_job(ShowTtsJobRequest::new())
            .await
            .expect("corrected and retried");
        let skew = c.clock_skew_ms();
        assert!(
            (skew - offset * 1000).abs() < 5_000,
            "offset {offset}: learnt {skew} ms"
        );
        let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [401, 200]);
        c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap();
        assert_eq!(
            emu.requests().len(),
            3,
            "later calls sign with the corrected clock"
        );
    }
}

#[tokio::test]
async fn iam_password_login_is_single_flight_and_refreshed_before_expiry() {
    let clock = ManualClock::new(SystemTime::now());
    let emu = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let c = Client::builder()
        .endpoint(emu.base_url())
        .iam_endpoint(emu.base_url())
        .password_login(DEMO_USER, DEMO_PASSWORD, DEMO_DOMAIN)
        .project_id(emu.credentials().project_id())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let calls = (0..10).map(|_| {
        let c = c.clone();
        async move { c.show_tts_job(ShowTtsJobRequest::new()).await }
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    let logins = || emu.requests_for("KeystoneCreateUserTokenByPassword").len();
    assert_eq!(logins(), 1, "ten concurrent calls, one login");
    // 23.5 hours later the 24-hour token is within the refresh margin: one new login.
    clock.advance(Duration::from_secs(23 * 3600 + 1800));
    c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap();
    assert_eq!(logins(), 2);
    assert!(
        emu.requests_for("ShowTtsJob")
            .iter()
            .all(|r| r.status == 200)
    );

    // A wrong password is a credentials error.
    let bad = Client::builder()
        .endpoint(emu.base_url())
        .iam_endpoint(emu.base_url())
        .password_login(DEMO_USER, "Zq81-not-the-password", DEMO_DOMAIN)
        .project_id(emu.credentials().project_id())
        .build()
        .unwrap();
    let err = bad
        .show_tts_job(ShowTtsJobRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    let shown = format!("{err:?}{err}");
    assert!(!shown.contains("Zq81"), "the password never shows: {shown}");
    assert!(shown.contains("401"), "{shown}");
}

#[tokio::test]
async fn project_id_is_discovered_through_iam() {
    let emu = Emulator::builder().start().await.unwrap();
    let c = Client::builder()
        .endpoint(emu.base_url())
        .iam_endpoint(emu.base_url())
        .region(emu.credentials().region())
        .credentials(emu.credentials().access_key_credentials())
        .build()
        .unwrap();
    assert_eq!(
        c.project_id().await.unwrap(),
        emu.credentials().project_id()
    );
    c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap();
    c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap();
    assert_eq!(
        emu.requests_for("KeystoneListProjects").len(),
        1,
        "discovered once, cached"
    );
}

#[tokio::test]
async fn expired_download_urls_are_refreshed_from_the_job() {
    let clock = ManualClock::new(SystemTime::now());
    let emu = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .url_ttl_secs(60)
        .job_duration_ms(100)
        .start()
        .await
        .unwrap();
    let c = client_for(&emu)
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let job = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("expiring", DEMO_VOICE),
        ))
        .await
        .unwrap();
    let id = job.job_id.unwrap();
    clock.advance(Duration::from_secs(5));
    let done = c
        .show_async_tts_job(ShowAsyncTtsJobRequest::new(id.clone()))
        .await
        .unwrap();
    assert_eq!(done.state, Some(JobState::Succeed));
    let stale = done.audio_file_url.unwrap();
    clock.advance(Duration::from_secs(3600));
    let dir = tempdir("expiry");
    // Without a refresher the expired URL is refused.
    let err = c.download(&stale, &dir.join("a.wav")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Download);
    // Through the job, a fresh URL is fetched and the download completes.
    let files = c.download_job(&id, &dir).await.unwrap();
    assert!(files[0].1.bytes > 44);
}

#[tokio::test]
async fn interrupted_downloads_resume_with_range() {
    let (clean_emu, clean) = start(Emulator::builder().job_duration_ms(50).seed(3)).await;
    let body = CreateAsyncTtsJobRequestBody::new(
        "A somewhat longer text, so the file is worth resuming.",
        DEMO_VOICE,
    );
    let dir = tempdir("resume");
    let want = clean
        .synthesize(SynthesizeRequest::new(body.clone(), dir.join("clean.wav")).wait(fast_wait()))
        .await
        .unwrap();
    drop(clean_emu);

    let emu = Emulator::builder()
        .job_duration_ms(50)
        .seed(3)
        .download_fault_rate(0.8)
        .start()
        .await
        .unwrap();
    let c = client_for(&emu)
        .sleep(Arc::new(InstantSleep::default()))
        .retry(RetryConfig::default().max_attempts(10))
        .build()
        .unwrap();
    let got = c
        .synthesize(SynthesizeRequest::new(body, dir.join("faulty.wav")).wait(fast_wait()))
        .await
        .unwrap();
    assert!(
        got.audio.resumes > 0,
        "the seed truncates at least one transfer"
    );
    assert_eq!(
        std::fs::read(dir.join("faulty.wav")).unwrap(),
        std::fs::read(dir.join("clean.wav")).unwrap(),
        "resumed bytes reassemble the same file"
    );
    assert_eq!(got.audio.bytes, want.audio.bytes);
}

#[tokio::test]
async fn timeouts_are_typed() {
    let emu = Emulator::builder().latency_ms(300).start().await.unwrap();
    let c = client_for(&emu)
        .timeouts(
            ttsc_client::Timeouts::default()
                .attempt(Duration::from_millis(50))
                .operation(Duration::from_millis(400)),
        )
        .sleep(Arc::new(InstantSleep::default()))
        .build()
        .unwrap();
    let err = c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_wrong_secret_key_is_an_auth_rejection_and_never_leaks() {
    let emu = Emulator::builder().start().await.unwrap();
    let creds = emu.credentials();
    let c = Client::builder()
        .endpoint(emu.base_url())
        .credentials(ttsc_auth::AccessKeyCredentials::new(
            creds.access_key_id(),
            "not-the-secret-key-0123456789",
        ))
        .project_id(creds.project_id())
        .build()
        .unwrap();
    let err = c.show_tts_job(ShowTtsJobRequest::new()).await.unwrap_err();
    assert_eq!(err.error_code(), Some("APIGW.0301"));
    assert!(err.is_auth_rejected());
    assert!(!err.is_retryable());
    let shown = format!("{err} {err:?} {c:?}");
    assert!(!shown.contains("not-the-secret-key"), "{shown}");
}

#[tokio::test]
async fn the_paginator_lists_every_voice_and_the_samples_download() {
    let (emu, c) = start(Emulator::builder().custom_voices(true)).await;
    let system = || {
        ListAssetsRequest::new()
            .asset_type("VOICE_MODEL")
            .asset_source(AssetSource::System)
    };
    let all = c
        .paginate(system())
        .page_size(4)
        .collect_all()
        .await
        .unwrap();
    let first = c.list_assets(system()).await.unwrap();
    assert_eq!(all.len(), usize::try_from(first.count.unwrap()).unwrap());
    assert!(all.len() >= 12, "{} voices", all.len());
    let ids: HashSet<&str> = all.iter().filter_map(|v| v.asset_id.as_deref()).collect();
    assert_eq!(ids.len(), all.len(), "no voice twice");
    assert!(ids.contains(DEMO_VOICE));

    // The default source is the tenant's own voices; ALL is both.
    let own = c
        .paginate(ListAssetsRequest::new().asset_type("VOICE_MODEL"))
        .collect_all()
        .await
        .unwrap();
    assert!(
        !own.is_empty()
            && own
                .iter()
                .all(|v| !ids.contains(v.asset_id.as_deref().unwrap()))
    );
    let both = c
        .paginate(ListAssetsRequest::new().asset_source(AssetSource::All))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(both.len(), all.len() + own.len());

    // Every listed voice synthesises, and its sample is a WAV.
    let voice = &all[all.len() - 1];
    let id = voice.asset_id.clone().unwrap();
    let job = c
        .create_async_tts_job(CreateAsyncTtsJobRequest::new(
            CreateAsyncTtsJobRequestBody::new("A listed voice.", id.clone()),
        ))
        .await
        .unwrap();
    assert!(job.job_id.is_some());
    let sample = voice
        .files
        .iter()
        .flatten()
        .find(|f| f.asset_file_category == Some(AssetFileCategory::Sample))
        .and_then(|f| f.download_url.clone())
        .expect("a sample URL");
    let dir = tempdir("sample");
    let out = dir.join("sample.wav");
    c.download(&sample, &out).await.unwrap();
    let wav = std::fs::read(&out).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    let _ = std::fs::remove_dir_all(&dir);

    let err = c
        .show_asset(ShowAssetRequest::new("no-such-voice"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    drop(emu);
}

#[tokio::test]
async fn preloaded_async_job_records_are_jobs_like_created_ones() {
    let (_emu, c) = start(Emulator::builder().preload_jobs(200)).await;
    let records: Vec<TtsJobDetail> = c
        .paginate(ShowTtsJobRequest::new().job_type(JobType::AsyncJob))
        .items()
        .map(|r| r.unwrap())
        .collect()
        .await;
    let with_state = |state: JobState| {
        records
            .iter()
            .find(|r| r.job_state == Some(state.clone()))
            .and_then(|r| r.job_id.clone())
            .unwrap_or_else(|| panic!("a preloaded {state:?} record"))
    };
    // A finished record has its files, which download.
    let done = with_state(JobState::Succeed);
    let job = c
        .show_async_tts_job(ShowAsyncTtsJobRequest::new(done.clone()))
        .await
        .unwrap();
    assert_eq!(job.state, Some(JobState::Succeed));
    let dir = tempdir("preloaded");
    let files = c.download_job(&done, &dir).await.unwrap();
    assert!(!files.is_empty());
    // A failed one fails with the message its record lists.
    let failed = records
        .iter()
        .find(|r| r.job_state == Some(JobState::Failed))
        .expect("a preloaded failed record");
    let job = c
        .show_async_tts_job(ShowAsyncTtsJobRequest::new(failed.job_id.clone().unwrap()))
        .await
        .unwrap();
    assert_eq!(job.state, Some(JobState::Failed));
    assert_eq!(job.message, failed.fail_msg);
    // Records of other types are not asynchronous jobs.
    let audition: Vec<TtsJobDetail> = c
        .paginate(ShowTtsJobRequest::new().job_type(JobType::Audition))
        .items()
        .map(|r| r.unwrap())
        .collect()
        .await;
    let other = audition[0].job_id.clone().unwrap();
    let err = c
        .show_async_tts_job(ShowAsyncTtsJobRequest::new(other))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}
