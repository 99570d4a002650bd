//! `ttsc phonetic`, `ttsc once-code` and `ttsc voice check`.

use ttsc_models::{CheckVoiceAssetRequest, CreateTtsOnceCodeRequest, ShowTtsPhoneticSymbolRequest};

use super::jobs::validate;
use crate::cli::{PhoneticArgs, VoiceCommand};
use crate::context::Ctx;
use crate::error::CliResult;
use crate::exit_codes::ExitCode;

/// Runs `ttsc phonetic WORD`.
pub async fn phonetic(ctx: &mut Ctx, args: PhoneticArgs) -> CliResult<ExitCode> {
    let request = ShowTtsPhoneticSymbolRequest::new(args.word);
    validate(&request, &[("word", "WORD")])?;
    let client = ctx.client().await?;
    let r = client
        .show_tts_phonetic_symbol(request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    ctx.print_object(&r)
}

/// Runs `ttsc once-code`.
pub async fn once_code(ctx: &mut Ctx) -> CliResult<ExitCode> {
    let client = ctx.client().await?;
    let r = client
        .create_tts_once_code(CreateTtsOnceCodeRequest::new())
        .await
        .map_err(|e| ctx.client_error(&e))?;
    ctx.print_object(&r)
}

/// Runs `ttsc voice …`.
pub async fn voice(ctx: &mut Ctx, cmd: VoiceCommand) -> CliResult<ExitCode> {
    match cmd {
        VoiceCommand::Check(args) => {
            let request = CheckVoiceAssetRequest::new(args.id);
            validate(&request, &[("voice_asset_id", "ID")])?;
            let client = ctx.client().await?;
            let r = client
                .check_voice_asset(request)
                .await
                .map_err(|e| ctx.client_error(&e))?;
            ctx.print_object(&r)
        }
    }
}
