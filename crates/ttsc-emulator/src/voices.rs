//! The emulator's voices: every 32-hex-digit id is a voice with metadata derived from the
//! id, the all-zero id is a voice that fails, anything else is unknown.

use ttsc_models::{
    AssetFileCategory, AssetFileState, AssetState, AssetType, CheckVoiceAssetResponse, Sex,
    TtsServiceEnum, TtscAssetExtraMeta, TtscAssetFileInfo, TtscExternalVoiceAssetMeta,
    TtscVoiceModelAssetMeta, VoiceLanguage, VoiceProvider,
};

use crate::audio::voice_seed;
use crate::clock::rfc3339_secs;
use crate::config::FAILING_VOICE;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Voice {
    /// A usable voice.
    Usable,
    /// The all-zero voice: jobs fail.
    Failing,
    /// Not a voice of this tenant.
    Unknown,
}

/// Classifies a voice asset id.
pub(crate) fn classify(id: &str) -> Voice {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Voice::Unknown
    } else if id == FAILING_VOICE {
        Voice::Failing
    } else {
        Voice::Usable
    }
}

/// The message of a job on the failing voice.
pub(crate) const FAILING_VOICE_MESSAGE: &str = "TTS synthesis failed: the voice model is blocked and cannot be used (emulator's failing voice)";

/// The engines voices (and preloaded records) are spread over.
pub(crate) const SERVICES: [TtsServiceEnum; 6] = [
    TtsServiceEnum::TtsLlm,
    TtsServiceEnum::TtsLlmVc,
    TtsServiceEnum::TtsLab,
    TtsServiceEnum::TtsLabGpu,
    TtsServiceEnum::GpuClone,
    TtsServiceEnum::TtsLlmVq,
];

/// The engine a voice runs on, derived from its id.
pub(crate) fn service_of(id: &str) -> &'static TtsServiceEnum {
    &SERVICES[(voice_seed(id) % SERVICES.len() as u64) as usize]
}

/// The `CheckVoiceAsset` answer for a known (usable or failing) voice.
pub(crate) fn check_response(id: &str, voice: Voice) -> CheckVoiceAssetResponse {
    let seed = voice_seed(id);
    let sex = if seed & 1 == 0 {
        Sex::Female
    } else {
        Sex::Male
    };
    let language = if seed & 2 == 0 {
        VoiceLanguage::Cn
    } else {
        VoiceLanguage::En
    };
    // Created some day in 2025, updated a week later, both derived from the id.
    let created = 1_735_689_600 + i64::try_from((seed >> 8) % (365 * 86_400)).unwrap_or(0);
    let updated = created + 7 * 86_400;
    let short = id.get(..8).unwrap_or(id);
    let meta = TtscVoiceModelAssetMeta::new()
        .sex(sex)
        .language(language)
        .speed_ratio(1.0)
        .volume_ratio(1.0)
        .external_voice_meta(TtscExternalVoiceAssetMeta::new().provider(VoiceProvider::HuaweiEi));
    let (state, file_state, reason) = match voice {
        Voice::Failing => (
            AssetState::Block,
            AssetFileState::Failed,
            Some("The voice model failed review and is blocked (emulator's failing voice)"),
        ),
        _ => (AssetState::Actived, AssetFileState::Created, None),
    };
    let mut file = TtscAssetFileInfo::new()
        .file_id(format!("{short}0000000000000000000000f1"))
        .file_name(format!("voice-{short}.model"))
        .file_size(i64::try_from(1_048_576 + (seed >> 16) % 4_194_304).unwrap_or(1_048_576))
        .file_type("model")
        .asset_file_category(AssetFileCategory::Main)
        .state(file_state);
    if let Some(reason) = reason {
        file = file.reason(reason);
    }
    CheckVoiceAssetResponse::new()
        .asset_id(id)
        .asset_name(format!("Emulator voice {short}"))
        .asset_type(AssetType::VoiceModel)
        .asset_state(state)
        .create_time(rfc3339_secs(created))
        .update_time(rfc3339_secs(updated))
        .asset_extra_meta(TtscAssetExtraMeta::new().voice_model_meta(meta))
        .files(vec![file])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids() {
        assert_eq!(classify(crate::config::DEMO_VOICE), Voice::Usable);
        assert_eq!(classify("ABCDEF0123456789abcdef0123456789"), Voice::Usable);
        assert_eq!(classify(FAILING_VOICE), Voice::Failing);
        assert_eq!(classify("nope"), Voice::Unknown);
        assert_eq!(classify("g000000000000000000000000000000z"), Voice::Unknown);
    }

    #[test]
    fn metadata_is_deterministic() {
        let a = check_response(crate::config::DEMO_VOICE, Voice::Usable);
        let b = check_response(crate::config::DEMO_VOICE, Voice::Usable);
        assert_eq!(a, b);
        assert_eq!(a.asset_state, Some(AssetState::Actived));
        let f = check_response(FAILING_VOICE, Voice::Failing);
        assert_eq!(f.asset_state, Some(AssetState::Block));
    }
}
