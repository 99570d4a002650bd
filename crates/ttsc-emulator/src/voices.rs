//! The emulator's voices: a catalogue of system voices (and, on request, a few of the
//! tenant's own) that the asset library lists and synthesis accepts. Beyond the catalogue,
//! every 32-hex-digit id is still a usable voice with metadata derived from the id; the
//! all-zero id is a voice that fails; anything else is unknown.

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

/// A voice of the asset library.
#[derive(Debug)]
pub(crate) struct CatalogueVoice {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// Huawei's preset voice (`SYSTEM`) rather than the tenant's own (`CUSTOMIZATION`).
    pub(crate) system: bool,
    /// A voice clone (`CLONE`) rather than a general model (`COMMON`).
    pub(crate) clone: bool,
    /// `sex`, as on the wire.
    pub(crate) sex: &'static str,
    /// `languages`, as on the wire; the first is the voice's `language`.
    pub(crate) languages: &'static [&'static str],
    /// The third-party provider (`external_voice_meta.provider`); `None` for MetaStudio's
    /// own voices.
    pub(crate) provider: Option<&'static str>,
    pub(crate) realtime: bool,
    pub(crate) age: &'static str,
    pub(crate) style: &'static str,
    pub(crate) tags: &'static [&'static str],
    /// What the SAMPLE recording says.
    pub(crate) sample_text: &'static str,
    /// Days after 2025-01-01 the voice was created.
    pub(crate) created_day: i64,
}

impl CatalogueVoice {
    /// The voice's main language, as on the wire.
    pub(crate) fn language(&self) -> &'static str {
        self.languages[0]
    }

    /// Creation time, Unix seconds.
    pub(crate) fn created_secs(&self) -> i64 {
        1_735_689_600 + self.created_day * 86_400
    }

    /// Last update: a week after creation.
    pub(crate) fn updated_secs(&self) -> i64 {
        self.created_secs() + 7 * 86_400
    }
}

/// What the system voices share.
const SYSTEM: CatalogueVoice = CatalogueVoice {
    id: "",
    name: "",
    description: "",
    system: true,
    clone: false,
    sex: "UNKNOW",
    languages: &["UNKNOW"],
    provider: None,
    realtime: false,
    age: "young",
    style: "",
    tags: &[],
    sample_text: "",
    created_day: 0,
};

/// Huawei's preset voices, in display order (`asset_order` is the position, from 1). The
/// first is [`DEMO_VOICE`](crate::DEMO_VOICE).
pub(crate) static SYSTEM_VOICES: [CatalogueVoice; 15] = [
    CatalogueVoice {
        id: crate::config::DEMO_VOICE,
        name: "Xiaoyan",
        description: "Warm young female Mandarin voice for news and narration.",
        sex: "FEMALE",
        languages: &["CN", "EN"],
        realtime: true,
        age: "young",
        style: "news",
        tags: &["NEWS", "NARRATION"],
        sample_text: "你好，我是晓燕。",
        created_day: 12,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "87751d4ca8501e2c44dcda6a797d76de",
        name: "Yunfeng",
        description: "Steady middle-aged male Mandarin voice for documentaries.",
        sex: "MALE",
        languages: &["CN"],
        realtime: true,
        age: "middle-aged",
        style: "documentary",
        tags: &["NARRATION"],
        sample_text: "你好，我是云峰，很高兴认识你。",
        created_day: 12,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "61b339ff248174e5598b88dbaa99e079",
        name: "Xiaomei",
        description: "Bright young female Mandarin voice for customer service.",
        sex: "FEMALE",
        languages: &["CN"],
        realtime: false,
        age: "young",
        style: "customer-service",
        tags: &["E-COMMERCE"],
        sample_text: "您好，我是小美，请问有什么可以帮您？",
        created_day: 40,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "7b87a9e25fefe911ff22a27b02c7bff2",
        name: "Lao Zhang",
        description: "Unhurried older male Mandarin storyteller.",
        sex: "MALE",
        languages: &["CN"],
        realtime: false,
        age: "old",
        style: "storytelling",
        tags: &["KNOWLEDGE"],
        sample_text: "从前有座山，山里有座庙。",
        created_day: 75,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "75d0dd66cf72f858a4b66f8c462804db",
        name: "Emma",
        description: "Clear young female American English voice.",
        sex: "FEMALE",
        languages: &["EN"],
        realtime: true,
        age: "young",
        style: "conversational",
        tags: &["EDUCATION"],
        sample_text: "Hi, I'm Emma. Nice to meet you.",
        created_day: 20,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "3a46e6b099f916b1dd45af1cb0caae1c",
        name: "James",
        description: "Confident middle-aged male British English voice for presentations.",
        sex: "MALE",
        languages: &["EN"],
        realtime: true,
        age: "middle-aged",
        style: "business",
        tags: &["BUSINESS"],
        sample_text: "Good morning, this is James.",
        created_day: 20,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "9fcdb9e1a94c56b9006d2cc78ee58b06",
        name: "Olivia",
        description: "Gentle young female English voice for audiobooks (Mobvoi).",
        sex: "FEMALE",
        languages: &["EN"],
        realtime: false,
        age: "young",
        style: "audiobook",
        tags: &["NARRATION"],
        sample_text: "Once upon a time, there was a quiet town.",
        created_day: 96,
        provider: Some("MOBVOI"),
        ..SYSTEM
    },
    CatalogueVoice {
        id: "5e1ea97870a76e49fa60dbd625329041",
        name: "Sakura",
        description: "Cheerful young female Japanese voice.",
        sex: "FEMALE",
        languages: &["JPN"],
        realtime: true,
        age: "young",
        style: "conversational",
        tags: &["MARKETING"],
        sample_text: "こんにちは、さくらです。",
        created_day: 55,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "35d30d74e7edd86756f547ab298a59f8",
        name: "Haruto",
        description: "Calm young male Japanese voice for announcements.",
        sex: "MALE",
        languages: &["JPN"],
        realtime: false,
        age: "young",
        style: "announcement",
        tags: &["NEWS"],
        sample_text: "はじめまして、はるとです。",
        created_day: 55,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "331b2fb3d19e32249382cc710f0f1c69",
        name: "Ka Yan",
        description: "Friendly young female Cantonese voice.",
        sex: "FEMALE",
        languages: &["YY"],
        realtime: true,
        age: "young",
        style: "conversational",
        tags: &["MARKETING"],
        sample_text: "你好，我係嘉欣。",
        created_day: 130,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "d1ba5c0fafdba91d8376099813199de0",
        name: "Chi Ming",
        description: "Lively middle-aged male Cantonese voice for sports.",
        sex: "MALE",
        languages: &["YY"],
        realtime: false,
        age: "middle-aged",
        style: "sports",
        tags: &["SPORTS"],
        sample_text: "各位觀眾，歡迎收睇。",
        created_day: 130,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "cc419a5e6794cd2eae729aff56459afe",
        name: "Xiaochuan",
        description: "Humorous young male Sichuan-dialect voice.",
        sex: "MALE",
        languages: &["SCH", "CN"],
        realtime: false,
        age: "young",
        style: "comedy",
        tags: &["MARKETING"],
        sample_text: "巴适得板，欢迎来四川耍。",
        created_day: 160,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "eb3d787304c3405b165c982bd7a7bf5e",
        name: "Minjun",
        description: "Soft young male Korean voice.",
        sex: "MALE",
        languages: &["Kr"],
        realtime: true,
        age: "young",
        style: "conversational",
        tags: &["E-COMMERCE"],
        sample_text: "안녕하세요, 민준입니다.",
        created_day: 190,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "a97bcc25ea3fa51cd1d4d2b30f8f95ef",
        name: "Sofia",
        description: "Expressive young female Spanish voice.",
        sex: "FEMALE",
        languages: &["ESP", "EN"],
        realtime: false,
        age: "young",
        style: "advertising",
        tags: &["MARKETING"],
        sample_text: "Hola, soy Sofía. ¡Encantada!",
        created_day: 220,
        ..SYSTEM
    },
    CatalogueVoice {
        id: "fd4cb8b3174a554f3926847b8248f803",
        name: "Wanqing",
        description: "Gentle middle-aged female Mandarin voice with a Taiwanese accent.",
        sex: "FEMALE",
        languages: &["GT", "CN"],
        realtime: true,
        age: "middle-aged",
        style: "conversational",
        tags: &["EDUCATION"],
        sample_text: "大家好，我是婉晴。",
        created_day: 250,
        ..SYSTEM
    },
];

/// What the tenant's cloned voices share.
const CUSTOM: CatalogueVoice = CatalogueVoice {
    system: false,
    clone: true,
    age: "middle-aged",
    style: "clone",
    ..SYSTEM
};

/// The tenant's own voices, listed only with `--custom-voices`. "Emma" shares its name
/// with a system voice, as a clone often does.
pub(crate) static CUSTOM_VOICES: [CatalogueVoice; 3] = [
    CatalogueVoice {
        id: "71992790f25bc8cf6c7ec515fcb4d02b",
        name: "My Narrator",
        description: "The tenant's cloned narrator voice.",
        sex: "MALE",
        languages: &["CN"],
        sample_text: "这是我的专属旁白声音。",
        created_day: 300,
        ..CUSTOM
    },
    CatalogueVoice {
        id: "f8a885186c5744bca92e6b951cce9c77",
        name: "Emma",
        description: "The tenant's clone of its spokesperson, Emma.",
        sex: "FEMALE",
        languages: &["EN"],
        sample_text: "Hello, this is the other Emma.",
        created_day: 310,
        ..CUSTOM
    },
    CatalogueVoice {
        id: "e1cca7b05002aab48a1c0f222293ea28",
        name: "Podcast Host",
        description: "The tenant's cloned podcast voice.",
        sex: "FEMALE",
        languages: &["CN", "EN"],
        sample_text: "欢迎收听本期节目。",
        created_day: 320,
        ..CUSTOM
    },
];

/// The catalogue voice with this id (custom voices only when `custom` is on).
pub(crate) fn lookup(id: &str, custom: bool) -> Option<&'static CatalogueVoice> {
    catalogue(custom).find(|v| v.id == id)
}

/// Every catalogue voice, system voices first (custom voices only when `custom` is on).
pub(crate) fn catalogue(custom: bool) -> impl Iterator<Item = &'static CatalogueVoice> {
    let custom_voices: &'static [CatalogueVoice] = if custom { &CUSTOM_VOICES } else { &[] };
    SYSTEM_VOICES.iter().chain(custom_voices)
}

/// The `CheckVoiceAsset` answer for a known (usable or failing) voice: the catalogue's
/// record when the voice is listed, otherwise metadata derived from the id.
pub(crate) fn check_response(id: &str, voice: Voice, custom: bool) -> CheckVoiceAssetResponse {
    let seed = voice_seed(id);
    let short = id.get(..8).unwrap_or(id);
    let listed = lookup(id, custom);
    let (name, sex, language, provider, created) = match listed {
        Some(v) => (
            v.name.to_owned(),
            Sex::from(v.sex),
            VoiceLanguage::from(v.language()),
            v.provider.map(VoiceProvider::from),
            v.created_secs(),
        ),
        None => (
            format!("Emulator voice {short}"),
            if seed & 1 == 0 {
                Sex::Female
            } else {
                Sex::Male
            },
            if seed & 2 == 0 {
                VoiceLanguage::Cn
            } else {
                VoiceLanguage::En
            },
            Some(VoiceProvider::HuaweiEi),
            // Created some day in 2025, derived from the id.
            1_735_689_600 + i64::try_from((seed >> 8) % (365 * 86_400)).unwrap_or(0),
        ),
    };
    let updated = created + 7 * 86_400;
    let mut meta = TtscVoiceModelAssetMeta::new()
        .sex(sex)
        .language(language)
        .speed_ratio(1.0)
        .volume_ratio(1.0);
    if let Some(p) = provider {
        meta = meta.external_voice_meta(TtscExternalVoiceAssetMeta::new().provider(p));
    }
    let (state, file_state, reason) = match voice {
        Voice::Failing => (
            AssetState::Block,
            AssetFileState::Failed,
            Some("The voice model failed review and is blocked (emulator's failing voice)"),
        ),
        _ => (AssetState::Actived, AssetFileState::Created, None),
    };
    let mut file = TtscAssetFileInfo::new()
        .file_id(main_file_id(id))
        .file_name(format!("voice-{short}.model"))
        .file_size(main_file_size(id))
        .file_type("model")
        .asset_file_category(AssetFileCategory::Main)
        .state(file_state);
    if let Some(reason) = reason {
        file = file.reason(reason);
    }
    CheckVoiceAssetResponse::new()
        .asset_id(id)
        .asset_name(name)
        .asset_type(AssetType::VoiceModel)
        .asset_state(state)
        .create_time(rfc3339_secs(created))
        .update_time(rfc3339_secs(updated))
        .asset_extra_meta(TtscAssetExtraMeta::new().voice_model_meta(meta))
        .files(vec![file])
}

/// The id of a voice's MAIN (model) file.
pub(crate) fn main_file_id(id: &str) -> String {
    format!("{}0000000000000000000000f1", id.get(..8).unwrap_or(id))
}

/// The size of a voice's MAIN (model) file, 1 to 5 MiB, derived from the id.
pub(crate) fn main_file_size(id: &str) -> i64 {
    i64::try_from(1_048_576 + (voice_seed(id) >> 16) % 4_194_304).unwrap_or(1_048_576)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

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
        let a = check_response(crate::config::DEMO_VOICE, Voice::Usable, false);
        let b = check_response(crate::config::DEMO_VOICE, Voice::Usable, false);
        assert_eq!(a, b);
        assert_eq!(a.asset_state, Some(AssetState::Actived));
        assert_eq!(a.asset_name.as_deref(), Some("Xiaoyan"));
        let f = check_response(FAILING_VOICE, Voice::Failing, false);
        assert_eq!(f.asset_state, Some(AssetState::Block));
    }

    #[test]
    fn the_catalogue_is_usable_and_varied() {
        let ids: BTreeSet<&str> = catalogue(true).map(|v| v.id).collect();
        assert_eq!(ids.len(), SYSTEM_VOICES.len() + CUSTOM_VOICES.len());
        assert!(catalogue(true).all(|v| classify(v.id) == Voice::Usable));
        assert_eq!(SYSTEM_VOICES[0].id, crate::config::DEMO_VOICE);
        let system_names: BTreeSet<&str> = SYSTEM_VOICES.iter().map(|v| v.name).collect();
        assert_eq!(
            system_names.len(),
            SYSTEM_VOICES.len(),
            "system names are unique"
        );
        for lang in ["CN", "EN", "JPN", "YY"] {
            for sex in ["FEMALE", "MALE"] {
                assert!(
                    SYSTEM_VOICES
                        .iter()
                        .any(|v| v.language() == lang && v.sex == sex),
                    "{lang} {sex}"
                );
            }
        }
        for v in catalogue(true) {
            assert!(Sex::VALUES.contains(&v.sex), "{}", v.name);
            assert!(
                v.languages
                    .iter()
                    .all(|l| VoiceLanguage::VALUES.contains(l)),
                "{}",
                v.name
            );
        }
        assert!(lookup(CUSTOM_VOICES[0].id, false).is_none());
        assert!(lookup(CUSTOM_VOICES[0].id, true).is_some());
    }
}
