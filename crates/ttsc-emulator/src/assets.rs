//! The asset library's voice subset: ListAssets and ShowAsset over the voice catalogue,
//! with the service's filters, and each voice's SAMPLE recording behind a download URL.

use std::sync::Arc;

use hyper::Response;
use ttsc_models::{
    AssetExtraMeta, AssetFileCategory, AssetFileInfo, AssetSortKey, AssetSource, AssetState,
    AssetType, AssetVoiceProvider, DigitalAssetInfo, ExternalVoiceAssetMeta, ListAssetsRequest,
    ListAssetsResponse, Sex, ShowAssetRequest, SortDir, VoiceCapability, VoiceLanguage,
    VoiceModelAssetMeta, VoiceModelType, VoiceProvider,
};

use crate::audio::{self, SynthParams};
use crate::clock::rfc3339_secs;
use crate::http::{self, ApiError, Body, quoted};
use crate::ops::{count, page_args, time_filter};
use crate::state::Shared;
use crate::voices::{self, CatalogueVoice};

/// The values `asset_type` documents for ListAssets.
const LISTED_TYPES: &[&str] = &[
    "VOICE_MODEL",
    "VIDEO",
    "IMAGE",
    "PPT",
    "MATERIAL",
    "HUMAN_MODEL_2D",
    "BUSINESS_CARD_TEMPLET",
    "MUSIC",
    "AUDIO",
];

/// A comma-separated filter: `None` when absent, else its values, each checked against
/// `allowed` (exact spelling, as the service documents them).
fn multi<'a>(
    field: &str,
    value: Option<&'a str>,
    allowed: &[&str],
) -> Result<Option<Vec<&'a str>>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let values: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(bad) = values.iter().find(|v| !allowed.contains(v)) {
        return Err(ApiError::invalid(format!(
            "{field} = {} is invalid (expected one or more of {}, comma-separated)",
            quoted(bad),
            allowed.join(", ")
        )));
    }
    Ok(Some(values))
}

/// The voices a ListAssets request selects, in its order.
fn select(req: &ListAssetsRequest, custom: bool) -> Result<Vec<&'static CatalogueVoice>, ApiError> {
    let types = multi("asset_type", req.asset_type.as_deref(), LISTED_TYPES)?;
    let states = multi(
        "asset_state",
        req.asset_state.as_deref(),
        AssetState::VALUES,
    )?;
    let sexes = multi("sex", req.sex.as_deref(), Sex::VALUES)?;
    let languages = multi("language", req.language.as_deref(), VoiceLanguage::VALUES)?;
    let since = time_filter("start_time", req.start_time.as_deref())?;
    let until = time_filter("end_time", req.end_time.as_deref())?;
    // `accurate_query_field=name` turns the fuzzy name match into an exact one.
    let exact_name = req
        .accurate_query_field
        .iter()
        .flatten()
        .any(|f| f == "name" || f == "asset_name");
    let name = req.name.as_deref().map(str::to_lowercase);
    let tag = req.tag.as_deref().map(str::to_lowercase);
    let (system, own) = match req.asset_source {
        Some(AssetSource::System) => (true, false),
        Some(AssetSource::All) => (true, true),
        // The service's default is the tenant's own assets.
        _ => (false, true),
    };
    let any = |filter: &Option<Vec<&str>>, f: &dyn Fn(&str) -> bool| {
        filter.as_ref().is_none_or(|vs| vs.iter().any(|v| f(v)))
    };
    // Every catalogue voice is an ACTIVED VOICE_MODEL; voices carry no styles, system
    // properties or sharing, so those filters select nothing.
    if !any(&types, &|t| t == "VOICE_MODEL")
        || !any(&states, &|s| s == "ACTIVED")
        || req.style_id.is_some()
        || req.system_property.is_some()
        || req.role.is_some()
    {
        return Ok(Vec::new());
    }
    let mut out: Vec<&'static CatalogueVoice> = voices::catalogue(custom)
        .filter(|v| if v.system { system } else { own })
        .filter(|v| any(&sexes, &|s| s == v.sex))
        .filter(|v| any(&languages, &|l| v.languages.contains(&l)))
        .filter(|v| match &name {
            None => true,
            Some(n) if exact_name => v.name.to_lowercase() == *n,
            Some(n) => v.name.to_lowercase().contains(n.as_str()),
        })
        .filter(|v| {
            tag.as_ref().is_none_or(|t| {
                v.tags
                    .iter()
                    .any(|vt| vt.to_lowercase().contains(t.as_str()))
            })
        })
        .filter(|v| {
            req.asset_id
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|id| id == v.id))
        })
        .filter(|v| match &req.voice_provider {
            None => true,
            Some(AssetVoiceProvider::HuaweiMetastudio) => v.provider.is_none(),
            Some(p) => v.provider == Some(p.as_str()),
        })
        .filter(|v| req.is_realtime_voice.is_none_or(|r| r == v.realtime))
        .filter(|v| since.is_none_or(|s| v.created_secs() >= s))
        .filter(|v| until.is_none_or(|u| v.created_secs() <= u))
        .collect();
    let order = |v: &CatalogueVoice| voices::catalogue(custom).position(|c| c.id == v.id);
    match req.sort_key {
        Some(AssetSortKey::CreateTime) => out.sort_by_key(|v| (v.created_secs(), order(v))),
        Some(AssetSortKey::UpdateTime) => out.sort_by_key(|v| (v.updated_secs(), order(v))),
        _ => {}
    }
    if req.sort_dir == Some(SortDir::Desc) {
        out.reverse();
    }
    Ok(out)
}

/// What a voice supports, from its languages and whether it is real-time.
fn capability(v: &CatalogueVoice) -> VoiceCapability {
    let chinese = v.languages.iter().any(|l| ["CN", "GT", "SCH"].contains(l));
    VoiceCapability::new()
        .is_support_phoneme(chinese)
        .is_support_phoneme_en(v.languages.contains(&"EN"))
        .is_support_break_time(true)
        .is_support_break_strength(!v.clone)
        .is_support_speed(true)
        .is_support_prosody(!v.clone)
        .is_support_ssml_say_as(chinese)
        .is_support_ssml_sub(true)
        .is_support_word(chinese)
        .is_support_voice_cache(v.realtime)
        .conversion_rate(if v.realtime { 25.0 } else { 10.0 })
        .conversion_rate_en(if v.languages.contains(&"EN") {
            20.0
        } else {
            0.0
        })
        .is_support_srt(true)
}

/// The token of a voice's SAMPLE recording, synthesising it the first time and again
/// after the file store freed it.
async fn sample_token(shared: &Arc<Shared>, v: &'static CatalogueVoice) -> Option<String> {
    let stored = shared.read().samples.get(v.id).cloned();
    if let Some(t) = stored.filter(|t| shared.file_url("", t).is_some()) {
        return Some(t);
    }
    let work = tokio::task::spawn_blocking(move || {
        audio::synthesize(v.sample_text, &SynthParams::default().with_voice_id(v.id))
            .map(|s| s.to_wav())
    });
    let wav = work.await.ok()?.ok()?;
    let mut store = shared.write();
    // A concurrent request may have stored it first; keep that one.
    if let Some(t) = store
        .samples
        .get(v.id)
        .filter(|t| shared.file_url("", t).is_some())
    {
        return Some(t.clone());
    }
    let token = shared
        .files
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .put(
            wav,
            "audio/wav",
            &format!("sample-{}.wav", v.id),
            shared.now_secs(),
        )
        .token;
    store.samples.insert(v.id, token.clone());
    Some(token)
}

/// A voice as the asset library describes it, with a fresh SAMPLE download URL.
async fn record(shared: &Arc<Shared>, v: &'static CatalogueVoice, base: &str) -> DigitalAssetInfo {
    let order = voices::catalogue(true)
        .position(|c| c.id == v.id)
        .and_then(|i| i32::try_from(i + 1).ok());
    let mut meta = VoiceModelAssetMeta::new()
        .model_type(if v.clone {
            VoiceModelType::Clone
        } else {
            VoiceModelType::Common
        })
        .sex(v.sex)
        .language(v.language())
        .languages(v.languages.iter().copied())
        .speed_ratio(1.0)
        .volume_ratio(1.0)
        .is_realtime_voice(v.realtime)
        .style(v.style)
        .voice_capability(capability(v))
        .age(v.age);
    if let Some(order) = order {
        meta = meta.order(order);
    }
    if let Some(p) = v.provider {
        meta = meta
            .external_voice_meta(ExternalVoiceAssetMeta::new().provider(VoiceProvider::from(p)));
    }
    let main = AssetFileInfo::new()
        .file_id(voices::main_file_id(v.id))
        .file_name(format!("voice-{}.model", &v.id[..8]))
        .file_size(voices::main_file_size(v.id))
        .file_type("model")
        .asset_file_category(AssetFileCategory::Main)
        .state(ttsc_models::AssetFileState::Created);
    let mut files = vec![main];
    if let Some(token) = sample_token(shared, v).await {
        let size = shared
            .files
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .file(&token)
            .map(|f| f.bytes.len());
        let mut sample = AssetFileInfo::new()
            .file_id(format!("{}0000000000000000000000f2", &v.id[..8]))
            .file_name(format!("sample-{}.wav", &v.id[..8]))
            .file_type("wav")
            .asset_file_category(AssetFileCategory::Sample)
            .state(ttsc_models::AssetFileState::Created);
        if let Some(size) = size.and_then(|s| i64::try_from(s).ok()) {
            sample = sample.file_size(size);
        }
        sample.download_url = shared.file_url(base, &token);
        files.push(sample);
    }
    let mut info = DigitalAssetInfo::new()
        .project_id(shared.config.credentials.project_id.clone())
        .asset_id(v.id)
        .asset_name(v.name)
        .asset_description(v.description)
        .create_time(rfc3339_secs(v.created_secs()))
        .update_time(rfc3339_secs(v.updated_secs()))
        .asset_type(AssetType::VoiceModel)
        .asset_state(AssetState::Actived)
        .tags(v.tags.iter().copied())
        .asset_extra_meta(AssetExtraMeta::new().voice_model_meta(meta))
        .files(files);
    if let Some(order) = order {
        info = info.asset_order(order);
    }
    info
}

/// ListAssets: the selected voices, one page of them.
pub(crate) async fn list(
    shared: &Arc<Shared>,
    req: ListAssetsRequest,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    let selected = select(&req, shared.config.custom_voices)?;
    let (offset, limit) = page_args(req.offset, req.limit);
    let mut assets = Vec::new();
    for v in selected.iter().skip(offset).take(limit) {
        assets.push(record(shared, v, base).await);
    }
    Ok(http::json(
        200,
        &ListAssetsResponse::new()
            .count(count(selected.len()))
            .assets(assets),
    ))
}

/// ShowAsset: one catalogue voice; anything else is `404`.
pub(crate) async fn show(
    shared: &Arc<Shared>,
    req: ShowAssetRequest,
    base: &str,
) -> Result<Response<Body>, ApiError> {
    match voices::lookup(&req.asset_id, shared.config.custom_voices) {
        Some(v) => Ok(http::json(200, &record(shared, v, base).await)),
        None => Err(ApiError::not_found("asset", &req.asset_id)),
    }
}
