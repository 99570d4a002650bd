//! `ttsc emulator`: the local emulator in the foreground, with the flags and the first line
//! of the `ttsc-emulator` binary; Ctrl-C stops it (exit 0).

use std::io::Write;

use crate::cli::EmulatorCmd;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;

/// Runs `ttsc emulator`.
pub async fn run(ctx: Ctx, cmd: EmulatorCmd) -> CliResult<ExitCode> {
    let emulator = cmd.args.start().await.map_err(|e| {
        let mut err = CliError::usage("cannot start the emulator").caused_by(&e);
        if e.flag().is_none() {
            err.code = ExitCode::Failure;
        }
        err
    })?;
    let c = emulator.credentials();
    let text = format!(
        "listening on {}\nproject id:  {}\nregion:      {}\naccess key:  {}\nsecret key:  {}\nIAM user:    {} / {} (account {})\ndemo voice:  {}\n",
        emulator.base_url(),
        c.project_id(),
        c.region(),
        c.access_key_id(),
        c.secret_access_key(),
        c.user(),
        c.password(),
        c.domain(),
        ttsc_emulator::DEMO_VOICE
    );
    // Written and flushed at once: scripts read the first line to find the address.
    let mut stdout = std::io::stdout();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    ctx.ui.note("press Ctrl-C to stop");
    if tokio::signal::ctrl_c().await.is_err() {
        ctx.ui.warn("cannot listen for Ctrl-C; stopping");
    }
    emulator.shutdown().await;
    Ok(ExitCode::Success)
}
