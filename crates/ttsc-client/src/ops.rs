//! One method per operation, each a thin call of [`Client::send`] (creates of jobs add
//! adoption, see [`Client::create_async_tts_job`]).

use ttsc_models::*;

use crate::Client;
use crate::error::Result;

macro_rules! operations {
    ($($(#[$doc:meta])* $method:ident => $request:ty;)*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub async fn $method(&self, request: $request) -> Result<<$request as Operation>::Response> {
                    self.send(&request).await
                }
            )*
        }
    };
}

operations! {
    /// `GET …/ttsc/async-jobs/{job_id}`: the state and result URLs of an async job.
    show_async_tts_job => ShowAsyncTtsJobRequest;
    /// `GET …/ttsc/audition-file/{job_id}`: the files of a preview.
    show_tts_audition_file => ShowTtsAuditionFileRequest;
    /// `GET …/ttsc/tts-jobs`: one page of job records (see [`Client::paginate`] for all).
    show_tts_job => ShowTtsJobRequest;
    /// `GET …/ttsc/phonetic-symbol`: phonetic symbols of an English word.
    show_tts_phonetic_symbol => ShowTtsPhoneticSymbolRequest;
    /// `POST …/ttsc/once-code`: a one-time tenant code. Not retried after an ambiguous failure.
    create_tts_once_code => CreateTtsOnceCodeRequest;
    /// `POST …/ttsc/check-voice-asset/{voice_asset_id}`: whether a voice is usable.
    check_voice_asset => CheckVoiceAssetRequest;
    /// `POST …/ttsc/vocabulary-configs`: a custom pronunciation. Not retried after an
    /// ambiguous failure.
    create_ttsc_vocabulary_configs => CreateTtscVocabularyConfigsRequest;
    /// `PUT …/ttsc/vocabulary-configs/{vocabulary_id}`: updates a custom pronunciation.
    save_ttsc_vocabulary_configs => SaveTtscVocabularyConfigsRequest;
    /// `GET …/ttsc/vocabulary-configs`: one page of custom pronunciations.
    list_ttsc_vocabulary_configs => ListTtscVocabularyConfigsRequest;
    /// `DELETE …/ttsc/vocabulary-configs`: deletes custom pronunciations by id.
    delete_ttsc_vocabulary_configs => DeleteTtscVocabularyConfigsRequest;
    /// `POST …/ttsc/vocabulary-groups`: a vocabulary group. Not retried after an ambiguous
    /// failure.
    create_ttsc_vocabulary_groups => CreateTtscVocabularyGroupsRequest;
    /// `PUT …/ttsc/vocabulary-groups/{group_id}`: renames a vocabulary group.
    update_ttsc_vocabulary_groups => UpdateTtscVocabularyGroupsRequest;
    /// `GET …/ttsc/vocabulary-groups`: one page of vocabulary groups.
    list_ttsc_vocabulary_groups => ListTtscVocabularyGroupsRequest;
    /// `DELETE …/ttsc/vocabulary-groups/{group_id}`: deletes a vocabulary group.
    delete_ttsc_vocabulary_groups => DeleteTtscVocabularyGroupsRequest;
    /// `PUT …/ttsc/group-assets/{group_id}`: the voices a vocabulary group applies to.
    set_ttsc_group_assets => SetTtscGroupAssetsRequest;
    /// `PUT …/ttsc/tenant-configs`: a tenant-level switch.
    save_ttsc_tenant_configs => SaveTtscTenantConfigsRequest;
    /// `GET …/ttsc/tenant-configs`: tenant-level switches.
    show_vocabulary_switch_configs => ShowVocabularySwitchConfigsRequest;
    /// `GET …/digital-assets`: one page of the asset library, such as the voices (see
    /// [`Client::paginate`] for all). Without `asset_source` the service lists only the
    /// tenant's own assets; Huawei's preset voices need [`AssetSource::System`].
    list_assets => ListAssetsRequest;
    /// `GET …/digital-assets/{asset_id}`: one asset, such as a voice with its sample's URL.
    show_asset => ShowAssetRequest;
}
