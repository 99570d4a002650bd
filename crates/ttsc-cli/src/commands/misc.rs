//! `ttsc phonetic`, `ttsc once-code` and `ttsc voice check`.

use ttsc_models::{CheckVoiceAssetRequest, CreateTtsOnceCodeRequest, ShowTtsPhoneticSymbolRequest};

use super::jobs::call_and_print;
use crate::cli::{PhoneticArgs, VoiceCommand};
use crate::context::Ctx;
use crate::error::CliResult;
use crate::exit_codes::ExitCode;

/// Runs `ttsc phonetic WORD`.
pub async fn phonetic(ctx: &mut Ctx, args: PhoneticArgs) -> CliResult<ExitCode> {
    let request = ShowTtsPhoneticSymbolRequest::new(args.word);
    call_and_print(ctx, request, &[("word", "WORD")]).await
}

/// Runs `ttsc once-code`.
pub async fn once_code(ctx: &mut Ctx) -> CliResult<ExitCode> {
    call_and_print(ctx, CreateTtsOnceCodeRequest::new(), &[]).await
}

/// Runs `ttsc voice …`.
pub async fn voice(ctx: &mut Ctx, cmd: VoiceCommand) -> CliResult<ExitCode> {
    match cmd {
        VoiceCommand::Check(args) => {
            let request = CheckVoiceAssetRequest::new(args.id);
            call_and_print(ctx, request, &[("voice_asset_id", "ID")]).await
        }
    }
}
