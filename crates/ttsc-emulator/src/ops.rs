//! The 21 operations (19 TTS, and the asset library's two), each parsed with the models' `from_wire`, validated with the
//! same generated code the client uses, then served from the emulator's state.

use std::sync::Arc;

use hyper::Response;
use ttsc_models::validate::Rule;
use ttsc_models::{
    AuditionFile, CheckVoiceAssetRequest, CreateAsyncTtsJobRequest, CreateAsyncTtsJobResponse,
    CreateTtsAuditionRequest, CreateTtsAuditionResponse, CreateTtsOnceCodeRequest,
    CreateTtsOnceCodeResponse, CreateTtscVocabularyConfigsRequest,
    CreateTtscVocabularyConfigsResponse, CreateTtscVocabularyGroupsRequest,
    CreateTtscVocabularyGroupsResponse, DeleteTtscVocabularyConfigsRequest,
    DeleteTtscVocabularyGroupsRequest, JobState, ListTtscVocabularyConfigsRequest,
    ListTtscVocabularyConfigsResponse, ListTtscVocabularyGroupsRequest,
    ListTtscVocabularyGroupsResponse, Operation, OperationId, SaveTtscTenantConfigsRequest,
    SaveTtscVocabularyConfigsRequest, SaveTtscVocabularyConfigsRequestBody,
    SaveTtscVocabularyConfigsResponse, SayAsValue, SetTtscGroupAssetsRequest,
    SetTtscGroupAssetsResponse, ShowAsyncTtsJobRequest, ShowAsyncTtsJobResponse,
    ShowTtsAuditionFileRequest, ShowTtsAuditionFileResponse, ShowTtsJobRequest, ShowTtsJobResponse,
    ShowTtsPhoneticSymbolRequest, ShowTtsPhoneticSymbolResponse,
    ShowVocabularySwitchConfigsRequest, ShowVocabularySwitchConfigsResponse,
    UpdateTtscVocabularyGroupsRequest, UpdateTtscVocabularyGroupsResponse, ValidationError,
    VocabularyType, WireRequest,
};

use crate::audio::{self, AudioFormat, SynthParams};
use crate::clock::parse_rfc3339_secs;
use crate::codes;
use crate::http::{self, ApiError, Body, quoted};
use crate::jobs::{
    Artefacts, Job, JobKind, JobSpec, PageItem, Phase, RecordFilter, job_duration_ms,
};
use crate::state::Shared;
use crate::subtitles::SrtOptions;
use crate::voices::{self, Voice};
use crate::{assets, phonetic, vocab};

/// Default page size of every list.
const DEFAULT_LIMIT: i32 = 10;
/// Default `silence_time_ms`.
const DEFAULT_SILENCE_MS: i32 = 2000;

/// Parses and validates a request like the service: malformed JSON is `MSS.10000002`,
/// any other violation `MSS.000000003`; the message is the models' `ValidationError`,
/// which names every offending field.
pub(crate) fn parse<T: Operation>(wire: &WireRequest<'_>) -> Result<T, ApiError> {
    let request = T::from_wire(wire).map_err(|e| validation_error(&e))?;
    request.validate().map_err(|e| validation_error(&e))?;
    Ok(request)
}

fn validation_error(e: &ValidationError) -> ApiError {
    let bad_json = e
        .violations()
        .iter()
        .any(|v| v.field() == "body" && matches!(v.rule(), Rule::Type(_)));
    let code = if bad_json {
        codes::BAD_JSON
    } else {
        codes::INVALID_PARAMETER
    };
    ApiError::new(400, code, e.to_string())
}

/// `offset` and `limit` of a list request, with the defaults filled in.
pub(crate) fn page_args(offset: Option<i32>, limit: Option<i32>) -> (usize, usize) {
    (
        usize::try_from(offset.unwrap_or(0)).unwrap_or(0),
        usize::try_from(limit.unwrap_or(DEFAULT_LIMIT)).unwrap_or(0),
    )
}

/// A list's `count` as on the wire.
pub(crate) fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn check_voice(field: &str, id: &str) -> Result<Voice, ApiError> {
    match voices::classify(id) {
        Voice::Unknown => Err(ApiError::invalid(format!(
            "{field} = {} is invalid (not a voice asset of this tenant: expected a 32-hex-digit voice asset ID)",
            quoted(id)
        ))),
        v => Ok(v),
    }
}

/// An optional RFC 3339 filter in Unix seconds; an error names `field`.
pub(crate) fn time_filter(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|v| {
            parse_rfc3339_secs(v).ok_or_else(|| {
                ApiError::invalid(format!(
                    "{field} = {} is invalid (expected an RFC 3339 date-time such as 2026-11-01T00:00:00Z)",
                    quoted(v)
                ))
            })
        })
        .transpose()
}

fn u32_of(v: Option<i32>, default: u32) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(default)
}

/// Serves an operation of the TTS catalogue.
pub(crate) async fn dispatch(
    shared: &Arc<Shared>,
    id: OperationId,
    wire: &WireRequest<'_>,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    match id {
        OperationId::CreateAsyncTtsJob => create_async_job(shared, parse(wire)?),
        OperationId::ShowAsyncTtsJob => show_async_job(shared, parse(wire)?, base).await,
        OperationId::CreateTtsAudition => create_audition(shared, parse(wire)?),
        OperationId::ShowTtsAuditionFile => show_audition(shared, parse(wire)?, base).await,
        OperationId::ShowTtsJob => show_records(shared, parse(wire)?, base).await,
        OperationId::ShowTtsPhoneticSymbol => {
            let req: ShowTtsPhoneticSymbolRequest = parse(wire)?;
            let (offset, limit) = page_args(req.offset, req.limit);
            let symbols = phonetic::page(phonetic::lookup(&req.word), offset, limit);
            Ok(http::json(
                200,
                &ShowTtsPhoneticSymbolResponse::new().data(symbols.iter().copied()),
            ))
        }
        OperationId::CreateTtsOnceCode => {
            let _: CreateTtsOnceCodeRequest = parse(wire)?;
            Ok(http::json(
                200,
                &CreateTtsOnceCodeResponse::new().once_code(shared.resource_ids.next()),
            ))
        }
        OperationId::CheckVoiceAsset => {
            let req: CheckVoiceAssetRequest = parse(wire)?;
            let voice = check_voice("voice_asset_id", &req.voice_asset_id)?;
            Ok(http::json(
                200,
                &voices::check_response(&req.voice_asset_id, voice, shared.config.custom_voices),
            ))
        }
        OperationId::ListTtscVocabularyConfigs => {
            let req: ListTtscVocabularyConfigsRequest = parse(wire)?;
            let filter = vocab::EntryFilter {
                kind: req.r#type.clone(),
                group_id: req.group_id.clone(),
                asset_id: req.asset_id.clone(),
                start: time_filter("start_time", req.start_time.as_deref())?,
                end: time_filter("end_time", req.end_time.as_deref())?,
                search_key: req.search_key.clone().filter(|s| !s.is_empty()),
            };
            let (offset, limit) = page_args(req.offset, req.limit);
            let (n, data) = shared
                .read()
                .vocabulary
                .list_entries(&filter, offset, limit);
            Ok(http::json(
                200,
                &ListTtscVocabularyConfigsResponse::new()
                    .count(count(n))
                    .data(data),
            ))
        }
        OperationId::CreateTtscVocabularyConfigs => {
            let req: CreateTtscVocabularyConfigsRequest = parse(wire)?;
            let id = shared.resource_ids.next();
            let now = shared.clock.now_ms().div_euclid(1000);
            let mut store = shared.write();
            check_entry(&req.body, &store.vocabulary)?;
            store.vocabulary.create_entry(id.clone(), &req.body, now);
            Ok(http::json(
                200,
                &CreateTtscVocabularyConfigsResponse::new().id(id),
            ))
        }
        OperationId::SaveTtscVocabularyConfigs => {
            let req: SaveTtscVocabularyConfigsRequest = parse(wire)?;
            let now = shared.clock.now_ms().div_euclid(1000);
            let mut store = shared.write();
            check_entry(&req.body, &store.vocabulary)?;
            if !store
                .vocabulary
                .update_entry(&req.vocabulary_id, &req.body, now)
            {
                return Err(ApiError::not_found("vocabulary config", &req.vocabulary_id));
            }
            Ok(http::json(
                200,
                &SaveTtscVocabularyConfigsResponse::new().id(req.vocabulary_id),
            ))
        }
        OperationId::DeleteTtscVocabularyConfigs => {
            let req: DeleteTtscVocabularyConfigsRequest = parse(wire)?;
            let ids = req.body.id.unwrap_or_default();
            shared.write().vocabulary.delete_entries(&ids);
            Ok(http::empty_ok())
        }
        OperationId::ListTtscVocabularyGroups => {
            let req: ListTtscVocabularyGroupsRequest = parse(wire)?;
            let (offset, limit) = page_args(req.offset, req.limit);
            let (n, data) =
                shared
                    .read()
                    .vocabulary
                    .list_groups(req.group_id.as_deref(), offset, limit);
            Ok(http::json(
                200,
                &ListTtscVocabularyGroupsResponse::new()
                    .count(count(n))
                    .data(data),
            ))
        }
        OperationId::CreateTtscVocabularyGroups => {
            let req: CreateTtscVocabularyGroupsRequest = parse(wire)?;
            let id = shared.resource_ids.next();
            shared
                .write()
                .vocabulary
                .create_group(id.clone(), req.body.group_name);
            Ok(http::json(
                200,
                &CreateTtscVocabularyGroupsResponse::new().id(id),
            ))
        }
        OperationId::UpdateTtscVocabularyGroups => {
            let req: UpdateTtscVocabularyGroupsRequest = parse(wire)?;
            if !shared
                .write()
                .vocabulary
                .rename_group(&req.group_id, req.body.group_name)
            {
                return Err(ApiError::not_found("vocabulary group", &req.group_id));
            }
            Ok(http::json(
                200,
                &UpdateTtscVocabularyGroupsResponse::new().id(req.group_id),
            ))
        }
        OperationId::DeleteTtscVocabularyGroups => {
            let req: DeleteTtscVocabularyGroupsRequest = parse(wire)?;
            if !shared.write().vocabulary.delete_group(&req.group_id) {
                return Err(ApiError::not_found("vocabulary group", &req.group_id));
            }
            Ok(http::empty_ok())
        }
        OperationId::SetTtscGroupAssets => {
            let req: SetTtscGroupAssetsRequest = parse(wire)?;
            let assets = req.body.asset_ids.unwrap_or_default();
            for (i, a) in assets.iter().enumerate() {
                if voices::classify(a) != Voice::Usable {
                    return Err(ApiError::invalid(format!(
                        "asset_ids[{i}] = {} is invalid (not an active voice asset of this tenant)",
                        quoted(a)
                    )));
                }
            }
            if !shared.write().vocabulary.set_assets(&req.group_id, assets) {
                return Err(ApiError::not_found("vocabulary group", &req.group_id));
            }
            Ok(http::json(
                200,
                &SetTtscGroupAssetsResponse::new().id(req.group_id),
            ))
        }
        OperationId::ShowVocabularySwitchConfigs => {
            let req: ShowVocabularySwitchConfigsRequest = parse(wire)?;
            let (offset, limit) = page_args(req.offset, req.limit);
            let all = shared.read().vocabulary.tenant(req.key.as_deref());
            let page = phonetic::page(&all, offset, limit).to_vec();
            Ok(http::json(
                200,
                &ShowVocabularySwitchConfigsResponse::new()
                    .count(count(all.len()))
                    .data(page),
            ))
        }
        OperationId::SaveTtscTenantConfigs => {
            let req: SaveTtscTenantConfigsRequest = parse(wire)?;
            let body = req.body;
            if body.key != "vocabulary" {
                return Err(ApiError::invalid(format!(
                    "key = {} is invalid (expected one of vocabulary)",
                    quoted(&body.key)
                )));
            }
            if !matches!(body.value.as_str(), "true" | "false") {
                return Err(ApiError::invalid(format!(
                    "value = {} is invalid (expected \"true\" or \"false\")",
                    quoted(&body.value)
                )));
            }
            let id = body
                .id
                .clone()
                .unwrap_or_else(|| shared.resource_ids.next());
            shared
                .write()
                .vocabulary
                .save_tenant(id, &body.key, body.value);
            Ok(http::empty_ok())
        }
        OperationId::ListAssets => assets::list(shared, parse(wire)?, base).await,
        OperationId::ShowAsset => assets::show(shared, parse(wire)?, base).await,
        _ => Err(ApiError::api_not_found()),
    }
}

/// What the models cannot check about a vocabulary entry: `SAY_AS` values and the group.
fn check_entry(
    body: &SaveTtscVocabularyConfigsRequestBody,
    vocabulary: &vocab::Vocabulary,
) -> Result<(), ApiError> {
    if body.r#type == VocabularyType::SayAs {
        let value = body.value.as_deref().unwrap_or("");
        if !SayAsValue::VALUES.contains(&value) {
            return Err(ApiError::invalid(format!(
                "value = {} is invalid (expected one of {})",
                quoted(value),
                SayAsValue::VALUES.join(", ")
            )));
        }
    }
    if let Some(g) = body.group_id.as_deref()
        && !vocabulary.has_group(g)
    {
        return Err(ApiError::invalid(format!(
            "group_id = {} is invalid (no such vocabulary group)",
            quoted(g)
        )));
    }
    Ok(())
}

/// The synthesis settings of a create request (absent or negative values: the defaults).
fn synth_params(
    speed: Option<i32>,
    pitch: Option<i32>,
    volume: Option<i32>,
    channels: Option<i32>,
    voice: &str,
) -> SynthParams {
    SynthParams::default()
        .with_speed(u32_of(speed, audio::DEFAULT_SPEED))
        .with_pitch(u32_of(pitch, audio::DEFAULT_PITCH))
        .with_volume(u32_of(volume, audio::DEFAULT_VOLUME))
        .with_channels(u16::try_from(u32_of(channels, 1)).unwrap_or(1))
        .with_voice_id(voice)
}

fn create_async_job(
    shared: &Shared,
    req: CreateAsyncTtsJobRequest,
) -> Result<Response<Body>, ApiError> {
    let b = req.body;
    check_voice("voice_asset_id", &b.voice_asset_id)?;
    let format = match b.audio_format.as_ref().map(|f| f.as_str()) {
        None | Some("WAV") => AudioFormat::Wav,
        Some("MP3") => AudioFormat::Mp3,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "audio_format = {} is invalid (expected one of WAV, MP3)",
                quoted(other)
            )));
        }
    };
    let spec = JobSpec {
        params: synth_params(b.speed, b.pitch, b.volume, b.channels, &b.voice_asset_id),
        format,
        need_timestamp: b.need_timestamp.unwrap_or(false),
        gen_srt: b.gen_srt.unwrap_or(false),
        srt: SrtOptions::new(
            b.srt_len.and_then(|v| u32::try_from(v).ok()),
            b.srt_line_limit.and_then(|v| u32::try_from(v).ok()),
        ),
        action: true,
        silence_flag: b.silence_flag.unwrap_or(false),
        silence_time_ms: u64::from(u32_of(b.silence_time_ms, DEFAULT_SILENCE_MS as u32)),
        text: b.text,
        voice: b.voice_asset_id,
    };
    let id = new_job(shared, JobKind::Async, spec, None);
    Ok(http::json(
        200,
        &CreateAsyncTtsJobResponse::new().job_id(id),
    ))
}

fn create_audition(
    shared: &Shared,
    req: CreateTtsAuditionRequest,
) -> Result<Response<Body>, ApiError> {
    let b = req.body;
    check_voice("emotion", &b.emotion)?;
    let spec = JobSpec {
        params: synth_params(b.speed, b.pitch, b.volume, b.channels, &b.emotion),
        format: AudioFormat::Wav,
        need_timestamp: false,
        gen_srt: false,
        srt: SrtOptions::default(),
        action: false,
        silence_flag: false,
        silence_time_ms: 0,
        text: b.text,
        voice: b.emotion,
    };
    let id = new_job(shared, JobKind::Audition, spec, b.business_type);
    Ok(http::json(
        200,
        &CreateTtsAuditionResponse::new().job_id(id),
    ))
}

fn new_job(shared: &Shared, kind: JobKind, spec: JobSpec, business_type: Option<String>) -> String {
    let id = shared.job_ids.next();
    let duration = job_duration_ms(shared.config.job_duration_ms, spec.text.chars().count());
    let job = Arc::new(Job::new(
        id.clone(),
        kind,
        shared.clock.now_ms(),
        duration,
        spec,
        business_type,
    ));
    let mut store = shared.write();
    match kind {
        JobKind::Async => store.jobs.insert(id.clone(), Arc::clone(&job)),
        JobKind::Audition => store.auditions.insert(id.clone(), Arc::clone(&job)),
    };
    store.records.add_job(&job);
    id
}

/// A preloaded ASYNC_JOB record made a job on first request, so it can be fetched like a
/// created one (and keeps its files from then on).
fn preloaded_job(shared: &Shared, job_id: &str, now_ms: i64) -> Option<Arc<Job>> {
    let mut store = shared.write();
    if let Some(job) = store.jobs.get(job_id) {
        return Some(Arc::clone(job));
    }
    let (record, create_secs) = store.records.preloaded(job_id)?;
    let job = Arc::new(record.to_job(job_id, create_secs, now_ms)?);
    store.jobs.insert(job_id.to_owned(), Arc::clone(&job));
    Some(job)
}

/// A job's artefacts once it is done (synthesised the first time), `None` before.
async fn finished_artefacts(
    shared: &Shared,
    job: &Arc<Job>,
    now_ms: i64,
) -> Option<Arc<Artefacts>> {
    match job.phase(now_ms) {
        Phase::Done => Some(job.artefacts(&shared.files, shared.now_secs()).await),
        _ => None,
    }
}

async fn show_async_job(
    shared: &Arc<Shared>,
    req: ShowAsyncTtsJobRequest,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    let now_ms = shared.clock.now_ms();
    let job = shared.read().jobs.get(&req.job_id).cloned();
    let job = match job {
        Some(job) => job,
        None => preloaded_job(shared, &req.job_id, now_ms)
            .ok_or_else(|| ApiError::not_found("job", &req.job_id))?,
    };
    let artefacts = finished_artefacts(shared, &job, now_ms).await;
    let (state, failure) = job.state(now_ms, artefacts.as_deref());
    let url = |token: &Option<String>| token.as_deref().and_then(|t| shared.file_url(base, t));
    let mut resp = ShowAsyncTtsJobResponse::new().state(state.clone());
    if let Some(a) = &artefacts {
        match failure {
            Some(msg) => {
                resp = resp.code(codes::JOB_FAILED).message(msg);
                resp.audio_file_url = url(&a.audio);
            }
            None => {
                resp = resp.code("0").message("");
                resp.audio_file_url = url(&a.audio);
                resp.audio_info_file_url = url(&a.info);
                resp.audio_srt_file_url = url(&a.srt);
                resp.audio_action_file_url = url(&a.action);
            }
        }
    }
    debug_assert!(artefacts.is_some() || state != JobState::Succeed);
    Ok(http::json(200, &resp))
}

async fn show_audition(
    shared: &Arc<Shared>,
    req: ShowTtsAuditionFileRequest,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    let job = shared.read().auditions.get(&req.job_id).cloned();
    let job = job.ok_or_else(|| ApiError::not_found("audition job", &req.job_id))?;
    let now_ms = shared.clock.now_ms();
    let Some(a) = finished_artefacts(shared, &job, now_ms).await else {
        return Ok(http::json(
            200,
            &ShowTtsAuditionFileResponse::new().is_file_complete(false),
        ));
    };
    let resp = match job.state(now_ms, Some(&a)) {
        (_, Some(msg)) => ShowTtsAuditionFileResponse::new()
            .is_file_complete(true)
            .code(codes::JOB_FAILED)
            .message(msg)
            .files(Vec::<AuditionFile>::new()),
        _ => {
            let files: Vec<AuditionFile> = a
                .audio
                .as_deref()
                .and_then(|t| shared.file_url(base, t))
                .map(|u| AuditionFile::new().download_url(u))
                .into_iter()
                .collect();
            ShowTtsAuditionFileResponse::new()
                .is_file_complete(true)
                .code("0")
                .message("")
                .files(files)
        }
    };
    Ok(http::json(200, &resp))
}

async fn show_records(
    shared: &Arc<Shared>,
    req: ShowTtsJobRequest,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    let filter = RecordFilter {
        since: time_filter("create_since", req.create_since.as_deref())?,
        until: time_filter("create_until", req.create_until.as_deref())?,
        job_id: req.job_id.clone(),
        job_type: req.job_type.as_ref().map(|t| t.as_str().to_owned()),
        service: req.tts_service_enum.as_ref().map(|s| s.as_str().to_owned()),
        business_type: req.business_type.clone(),
    };
    let (offset, limit) = page_args(req.offset, req.limit);
    let (n, page) = shared.read().records.page_rendered(&filter, offset, limit);
    let now_ms = shared.clock.now_ms();
    let mut data = Vec::with_capacity(page.len());
    for item in page {
        match item {
            PageItem::Ready(detail) => data.push(*detail),
            PageItem::Live(job) => {
                let artefacts = finished_artefacts(shared, &job, now_ms).await;
                let url = |t: &str| shared.file_url(base, t);
                data.push(job.detail(now_ms, artefacts.as_deref(), &url));
            }
        }
    }
    Ok(http::json(
        200,
        &ShowTtsJobResponse::new().count(count(n)).data(data),
    ))
}
