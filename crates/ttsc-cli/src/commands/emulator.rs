//! `ttsc emulator`: the local emulator in the foreground, with the flags and the first line
//! of the `ttsc-emulator` binary; Ctrl-C stops it (exit 0).

use std::io::Write;

use crate::cli::EmulatorCmd;
use crate::context::Ctx;
use crate::env_vars;
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
    // Secrets given on the command line are not echoed; the public demo values are.
    let (sk, sk_export) = if c.secret_access_key() == ttsc_emulator::DEMO_SK {
        (c.secret_access_key(), c.secret_access_key())
    } else {
        ("(the one given)", "YOUR_SK")
    };
    let password = if c.password() == ttsc_emulator::DEMO_PASSWORD {
        c.password()
    } else {
        "(the one given)"
    };
    let text = format!(
        "listening on {url}\nproject id:  {project}\nregion:      {region}\naccess key:  {ak}\nsecret key:  {sk}\nIAM user:    {user} / {password} (account {domain})\ndemo voice:  {voice}\n\n\
         to use it from another shell:\n  \
         export {endpoint_var}={url} {region_var}={region}\n  \
         export {ak_var}={ak} {sk_var}={sk_export} {project_var}={project}\n",
        url = emulator.base_url(),
        project = c.project_id(),
        region = c.region(),
        ak = c.access_key_id(),
        user = c.user(),
        domain = c.domain(),
        voice = ttsc_emulator::DEMO_VOICE,
        endpoint_var = env_vars::TTSC_ENDPOINT,
        region_var = env_vars::TTSC_REGION,
        ak_var = env_vars::HUAWEICLOUD_SDK_AK,
        sk_var = env_vars::HUAWEICLOUD_SDK_SK,
        project_var = env_vars::HUAWEICLOUD_SDK_PROJECT_ID,
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
