//! `ttsc voice …` (list, show, sample, check), and the resolution of a voice *name* given
//! to `--voice` or a batch manifest into its asset id.

use serde::Serialize;
use ttsc_client::download::Expect;
use ttsc_client::text::sanitize;
use ttsc_models::{
    AssetFileCategory, AssetSource, AssetVoiceProvider, CheckVoiceAssetRequest, DigitalAssetInfo,
    ListAssetsRequest, Sex, ShowAssetRequest, VoiceLanguage,
};

use super::jobs::{call, call_and_print, list_records, validate};
use crate::cli::{VoiceCommand, VoiceListArgs, VoiceSampleArgs, VoiceSource};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::manifest::Item;

/// The asset type of voices in the asset library.
const VOICE_MODEL: &str = "VOICE_MODEL";

/// How a voice is called on the command line.
const VOICE: &[(&str, &str)] = &[("asset_id", "VOICE"), ("voice_asset_id", "ID")];

/// A sample recording is a few seconds of speech; anything past this is not one.
const MAX_SAMPLE_BYTES: u64 = 64 << 20;

/// Runs `ttsc voice …`.
pub async fn voice(ctx: &mut Ctx, cmd: VoiceCommand) -> CliResult<ExitCode> {
    match cmd {
        VoiceCommand::List(args) => list(ctx, args).await,
        VoiceCommand::Show(args) => show(ctx, &args.voice).await,
        VoiceCommand::Sample(args) => sample(ctx, args).await,
        VoiceCommand::Check(args) => {
            call_and_print(ctx, CheckVoiceAssetRequest::new(args.id), VOICE).await
        }
    }
}

/// `values` (comma-separated) spelled as the service spells them, matched ignoring case;
/// an unknown value is a usage error naming `flag` and the allowed values.
fn canonical(flag: &str, values: &str, allowed: &[&'static str]) -> CliResult<String> {
    values
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(v))
                .copied()
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "invalid value {v:?} for {flag} (allowed: {})",
                        allowed.join(", ")
                    ))
                })
        })
        .collect::<CliResult<Vec<_>>>()
        .map(|v| v.join(","))
}

async fn list(ctx: &mut Ctx, args: VoiceListArgs) -> CliResult<ExitCode> {
    let mut request = ListAssetsRequest::new()
        .asset_type(VOICE_MODEL)
        .asset_source(match args.source {
            VoiceSource::System => AssetSource::System,
            VoiceSource::Custom => AssetSource::Customization,
            VoiceSource::All => AssetSource::All,
        });
    request.limit = args.page.limit;
    request.offset = args.page.offset;
    request.name = args.name;
    if let Some(l) = &args.language {
        request.language = Some(canonical("--language", l, VoiceLanguage::VALUES)?);
    }
    if let Some(s) = &args.sex {
        request.sex = Some(canonical("--sex", s, &["FEMALE", "MALE"])?);
    }
    if let Some(p) = &args.provider {
        request.voice_provider = Some(AssetVoiceProvider::from(
            canonical("--provider", p, AssetVoiceProvider::VALUES)?.as_str(),
        ));
    }
    if args.realtime {
        request.is_realtime_voice = Some(true);
    }
    validate(&ctx.ui, &request, &[("name", "--name")])?;
    list_records(ctx, request, &args.page).await
}

/// What `voice show` prints: the record, then its sample's URL on its own.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    asset: &'a DigitalAssetInfo,
    sample_url: Option<&'a str>,
}

/// The download URL of a voice's `SAMPLE` file.
fn sample_url(asset: &DigitalAssetInfo) -> Option<&str> {
    asset
        .files
        .iter()
        .flatten()
        .find(|f| f.asset_file_category == Some(AssetFileCategory::Sample))
        .and_then(|f| f.download_url.as_deref())
}

/// The voice `value` names (an id or an exact name), read with ShowAsset. An unknown id
/// says where the ids are.
async fn show_asset(ctx: &mut Ctx, value: &str) -> CliResult<DigitalAssetInfo> {
    validate(&ctx.ui, &ShowAssetRequest::new(value), VOICE)?;
    let id = resolve_voice(ctx, value, "voice").await?;
    call(ctx, &ShowAssetRequest::new(id), VOICE)
        .await
        .map_err(|mut e| {
            if e.is_not_found() {
                e.hints = vec!["`ttsc voice list` shows the voices and their ids".into()];
            }
            e
        })
}

async fn show(ctx: &mut Ctx, value: &str) -> CliResult<ExitCode> {
    let asset = show_asset(ctx, value).await?;
    ctx.print_object(&Shown {
        sample_url: sample_url(&asset),
        asset: &asset,
    })
}

/// What `voice sample` prints.
#[derive(Serialize)]
struct SampleWritten {
    asset_id: String,
    path: String,
    bytes: u64,
}

async fn sample(ctx: &mut Ctx, args: VoiceSampleArgs) -> CliResult<ExitCode> {
    validate(&ctx.ui, &ShowAssetRequest::new(args.voice.as_str()), VOICE)?;
    crate::dest::check_outputs(&ctx.ui, &[("--output", args.output.as_path())])?;
    let asset = show_asset(ctx, &args.voice).await?;
    let id = asset.asset_id.clone().unwrap_or(args.voice);
    let url = sample_url(&asset).ok_or_else(|| {
        CliError::failure(format!("voice {id} has no sample recording")).hint(format!(
            "`ttsc audition create TEXT --voice {id}` previews it"
        ))
    })?;
    let dest = crate::dest::Dest::new(&args.output, "tmp")?;
    let client = ctx.client().await?;
    let spinner = ctx.ui.spinner(format!("downloading the sample of {id}"));
    let expect = Expect::audio(None).max_bytes(MAX_SAMPLE_BYTES);
    let result = client
        .download_with_refresh(url, dest.path(), &expect, None)
        .await;
    spinner.finish_and_clear();
    let done = result.map_err(|e| ctx.client_error(&e))?;
    if let Some(bytes) = dest.finish()? {
        ctx.ui.note(&format!(
            "voice {id}: {bytes} bytes of its sample written to standard output"
        ));
        return Ok(ExitCode::Success);
    }
    ctx.print_object(&SampleWritten {
        asset_id: id,
        path: done.path.display().to_string(),
        bytes: done.bytes,
    })
}

/// Whether `value` is a voice asset id (32 hexadecimal digits) rather than a name.
fn is_voice_id(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One voice as a candidate line: `ID  NAME  LANGUAGE  SEX  MODEL_TYPE`.
fn candidate(v: &DigitalAssetInfo) -> String {
    let meta = v
        .asset_extra_meta
        .as_ref()
        .and_then(|m| m.voice_model_meta.as_ref());
    let field = |f: Option<&str>| sanitize(f.unwrap_or("-"), 60);
    format!(
        "{}  {}  {}  {}  {}",
        field(v.asset_id.as_deref()),
        field(v.asset_name.as_deref()),
        field(
            meta.and_then(|m| m.language.as_ref())
                .map(VoiceLanguage::as_str)
        ),
        field(meta.and_then(|m| m.sex.as_ref()).map(Sex::as_str)),
        field(meta.and_then(|m| m.model_type.as_ref()).map(|t| t.as_str())),
    )
}

/// The voice `value` names: an id as given (nothing is sent); otherwise the one voice,
/// among Huawei's and the account's own, whose name is exactly `value`. No such voice, or
/// several, is a usage error (exit 2) that says how to find one; several list their ids.
/// `what` names the input in messages (`--voice`, `line 3: voice`).
pub async fn resolve_voice(ctx: &mut Ctx, value: &str, what: &str) -> CliResult<String> {
    if is_voice_id(value) {
        return Ok(value.to_owned());
    }
    let client = ctx.client().await?;
    // The service's `name` filter matches any part of the name; the match must be exact.
    let request = ListAssetsRequest::new()
        .asset_type(VOICE_MODEL)
        .asset_source(AssetSource::All)
        .name(value)
        .limit(100);
    let found = ctx
        .paginate(&client, request)
        .collect_all()
        .await
        .map_err(|e| ctx.client_error(&e))?;
    let exact: Vec<&DigitalAssetInfo> = found
        .iter()
        .filter(|v| v.asset_name.as_deref() == Some(value))
        .collect();
    let shown = sanitize(value, 100);
    match exact.as_slice() {
        [one] => one.asset_id.clone().ok_or_else(|| {
            CliError::failure(format!("the service listed voice {shown:?} without an id"))
        }),
        [] => {
            let mut e = CliError::usage(format!(
                "{what} {shown:?} is neither a voice id nor the name of a voice"
            ));
            if !found.is_empty() {
                e.details.push("voices whose name contains it:".into());
                e.details.extend(found.iter().take(10).map(candidate));
            }
            Err(e.hint(format!(
                "`ttsc voice list --source all --name {shown:?}` finds voices by name; give an id or a name exactly as listed"
            )))
        }
        many => {
            let mut e = CliError::usage(format!(
                "{what} {shown:?} is the name of {} voices",
                many.len()
            ));
            e.details.extend(many.iter().map(|v| candidate(v)));
            Err(e.hint("use one of these ids instead of the name"))
        }
    }
}

/// Resolves the voice of every manifest line that names one (each name once), so that a
/// batch sends ids. Errors name the first line with that voice.
pub async fn resolve_manifest_voices(ctx: &mut Ctx, items: &mut [Item]) -> CliResult {
    let mut resolved: Vec<(String, String)> = Vec::new();
    for item in items.iter_mut() {
        let value = &item.body.voice_asset_id;
        if is_voice_id(value) {
            continue;
        }
        let id = match resolved.iter().find(|(name, _)| name == value) {
            Some((_, id)) => id.clone(),
            None => {
                let what = format!("line {}: voice", item.line);
                let id = resolve_voice(ctx, value, &what).await?;
                resolved.push((value.clone(), id.clone()));
                id
            }
        };
        item.body.voice_asset_id = id;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits() {
        assert!(is_voice_id("4f2d0b7e8f6a4b0c9d1e2f3a4b5c6d7e"));
        assert!(!is_voice_id("Xiaoyan"));
        assert!(!is_voice_id("4f2d0b7e8f6a4b0c9d1e2f3a4b5c6d7"));
    }

    #[test]
    fn filter_values_take_the_services_spelling() {
        assert_eq!(
            canonical("--language", "cn, jpn,kr", VoiceLanguage::VALUES).unwrap(),
            "CN,JPN,Kr"
        );
        let e = canonical("--sex", "woman", &["FEMALE", "MALE"]).unwrap_err();
        assert_eq!(e.code, ExitCode::Usage);
        assert!(e.message.contains("--sex") && e.message.contains("FEMALE, MALE"));
    }
}
