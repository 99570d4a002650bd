//! `ttsc phonetic` and `ttsc once-code`.

use ttsc_models::{CreateTtsOnceCodeRequest, ShowTtsPhoneticSymbolRequest};

use super::jobs::call_and_print;
use crate::cli::PhoneticArgs;
use crate::context::Ctx;
use crate::error::CliResult;
use crate::exit_codes::ExitCode;

/// Runs `ttsc phonetic WORD`.
pub async fn phonetic(ctx: &mut Ctx, args: PhoneticArgs) -> CliResult<ExitCode> {
    let mut request = ShowTtsPhoneticSymbolRequest::new(args.word);
    request.limit = args.page.limit;
    request.offset = args.page.offset;
    call_and_print(ctx, request, &[("word", "WORD")]).await
}

/// Runs `ttsc once-code`.
pub async fn once_code(ctx: &mut Ctx) -> CliResult<ExitCode> {
    call_and_print(ctx, CreateTtsOnceCodeRequest::new(), &[]).await
}
