//! One module per command; [`run`] dispatches and turns Ctrl-C and SIGTERM into exit 130.

pub mod api;
mod batch;
mod configure;
mod emulator;
pub mod jobs;
mod misc;
mod records;
mod recover;
mod sign;
pub mod synth;
mod vocab;
mod voice;

use std::future::Future;

use crate::cli::Command;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;

/// Runs `command`.
pub async fn run(ctx: Ctx, command: Command) -> CliResult<ExitCode> {
    match command {
        // These handle Ctrl-C themselves: batch prints its summary, the emulator stops
        // cleanly, synth names the job it created.
        Command::Batch(args) => batch::run(ctx, args).await,
        Command::Emulator(args) => emulator::run(ctx, args).await,
        // Synth names its job when stopped after creating it.
        Command::Synth(args) => synth::run(ctx, args).await,
        other => interruptible(dispatch(ctx, other)).await,
    }
}

async fn dispatch(mut ctx: Ctx, command: Command) -> CliResult<ExitCode> {
    match command {
        Command::Jobs(cmd) => jobs::jobs(&mut ctx, cmd).await,
        Command::Audition(cmd) => jobs::audition(&mut ctx, cmd).await,
        Command::Vocab(cmd) => vocab::vocab(&mut ctx, cmd).await,
        Command::VocabGroup(cmd) => vocab::group(&mut ctx, cmd).await,
        Command::TenantConfig(cmd) => vocab::tenant(&mut ctx, cmd).await,
        Command::Phonetic(args) => misc::phonetic(&mut ctx, args).await,
        Command::OnceCode => misc::once_code(&mut ctx).await,
        Command::Voice(cmd) => voice::voice(&mut ctx, cmd).await,
        Command::Configure(args) => configure::configure(&mut ctx, args),
        Command::Config(cmd) => configure::config(&mut ctx, &cmd),
        Command::Sign(args) => sign::run(&mut ctx, &args),
        Command::Api(args) => api::run(&mut ctx, args).await,
        Command::Batch(_) | Command::Emulator(_) | Command::Synth(_) | Command::Completions(_) => {
            unreachable!("handled by the caller")
        }
    }
}

/// Runs `f` until it ends or Ctrl-C or SIGTERM arrives.
async fn interruptible(f: impl Future<Output = CliResult<ExitCode>>) -> CliResult<ExitCode> {
    let stop = shutdown_signal();
    tokio::select! {
        r = f => r,
        () = stop => Err(CliError::interrupted()),
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is called,
/// not when first polled, so a signal arriving in between is not lost.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = signal(SignalKind::interrupt())
            .and_then(|int| Ok((int, signal(SignalKind::terminate())?)));
        async move {
            match streams {
                Ok((mut int, mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "cannot handle SIGTERM; Ctrl-C only");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
