//! Table and CSV columns of every listed record type.

use std::path::Path;

use serde::Serialize;
use ttsc_models::{
    DigitalAssetInfo, SaveTtscTenantConfigsRequestBody, TtsJobDetail, TtscGroupAssetsConfig,
    VocabularyConfig,
};

use crate::output::{Record, opt};

impl Record for TtsJobDetail {
    const COLUMNS: &'static [&'static str] = &[
        "job_id",
        "job_type",
        "job_state",
        "create_time",
        "asset_id",
        "text_length",
        "audio_format",
        "tts_service_enum",
        "fail_msg",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            opt(&self.job_id),
            opt(&self.job_type),
            opt(&self.job_state),
            opt(&self.create_time),
            opt(&self.asset_id),
            opt(&self.text_length),
            opt(&self.audio_format),
            opt(&self.tts_service_enum),
            opt(&self.fail_msg),
        ]
    }
}

impl Record for VocabularyConfig {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "type",
        "key",
        "value",
        "group_id",
        "create_time",
        "update_time",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            opt(&self.id),
            opt(&self.r#type),
            opt(&self.key),
            opt(&self.value),
            opt(&self.group_id),
            opt(&self.create_time),
            opt(&self.update_time),
        ]
    }
}

impl Record for TtscGroupAssetsConfig {
    const COLUMNS: &'static [&'static str] = &["group_id", "group_name", "asset_ids"];

    fn cells(&self) -> Vec<String> {
        vec![
            opt(&self.group_id),
            opt(&self.group_name),
            self.asset_ids
                .as_ref()
                .map(|a| a.join(";"))
                .unwrap_or_default(),
        ]
    }
}

impl Record for SaveTtscTenantConfigsRequestBody {
    const COLUMNS: &'static [&'static str] = &["id", "key", "value"];

    fn cells(&self) -> Vec<String> {
        vec![opt(&self.id), self.key.clone(), self.value.clone()]
    }
}

impl Record for DigitalAssetInfo {
    const COLUMNS: &'static [&'static str] =
        &["id", "name", "language", "sex", "provider", "realtime"];

    fn cells(&self) -> Vec<String> {
        let meta = self
            .asset_extra_meta
            .as_ref()
            .and_then(|m| m.voice_model_meta.as_ref());
        let languages = meta
            .and_then(|m| m.languages.as_ref())
            .filter(|l| !l.is_empty())
            .map(|l| l.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(","));
        let language = languages.or_else(|| {
            meta.and_then(|m| m.language.as_ref())
                .map(|l| l.to_string())
        });
        // A voice without a third-party provider is MetaStudio's own, as the
        // `voice_provider` filter calls it.
        let provider = meta.map(|m| {
            m.external_voice_meta
                .as_ref()
                .and_then(|e| e.provider.as_ref())
                .map_or_else(|| "HUAWEI_METASTUDIO".to_string(), |p| p.to_string())
        });
        vec![
            opt(&self.asset_id),
            opt(&self.asset_name),
            language.unwrap_or_default(),
            opt(&meta.and_then(|m| m.sex.clone())),
            provider.unwrap_or_default(),
            opt(&meta.and_then(|m| m.is_realtime_voice)),
        ]
    }
}

/// A file `ttsc` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    /// The job it came from.
    pub job_id: String,
    /// `audio`, `subtitles`, `timestamps` or `file`.
    pub kind: &'static str,
    /// Where it is.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl FileRow {
    /// A row for `path`.
    pub fn new(job_id: &str, kind: &'static str, path: &Path, bytes: u64) -> Self {
        FileRow {
            job_id: job_id.to_string(),
            kind,
            path: path.display().to_string(),
            bytes,
        }
    }
}

impl Record for FileRow {
    const COLUMNS: &'static [&'static str] = &["job_id", "kind", "path", "bytes"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.job_id.clone(),
            self.kind.to_string(),
            self.path.clone(),
            self.bytes.to_string(),
        ]
    }
}
