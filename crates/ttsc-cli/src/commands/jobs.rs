//! `ttsc jobs …` and `ttsc audition …`.

use std::path::Path;

use futures_util::StreamExt;
use serde::Serialize;
use ttsc_client::download::url_extension;
use ttsc_client::{Client, WaitOptions};
use ttsc_models::{
    CreateTtsAuditionRequest, CreateTtsAuditionRequestBody, JobType, Operation,
    ShowAsyncTtsJobRequest, ShowTtsAuditionFileRequest, ShowTtsJobRequest, TtsServiceEnum,
};

use super::records::FileRow;
use crate::cli::{
    AuditionCommand, AuditionCreateArgs, DownloadArgs, JobsCommand, JobsListArgs, PageArgs,
};
use crate::context::Ctx;
use crate::error::{self, CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::output::Record;

/// How paging fields are called on the command line.
pub const PAGE_FLAGS: error::FlagNames<'static> = &[("limit", "--limit"), ("offset", "--offset")];

/// Validates `request`, naming the command-line options in `flags` (and the paging ones).
pub fn validate<O: Operation>(request: &O, flags: error::FlagNames<'_>) -> CliResult {
    request.validate().map_err(|e| {
        let all: Vec<(&str, &str)> = flags.iter().chain(PAGE_FLAGS).copied().collect();
        error::validation(&e, &all)
    })
}

/// How job and preview ids are called on the command line.
const ID: error::FlagNames<'static> = &[("job_id", "ID")];

/// Validates `request` and sends it. Only for operations that are a plain
/// [`Client::send`]: job and preview creates have their own client methods (adoption).
pub async fn call<O: Operation>(
    ctx: &mut Ctx,
    request: &O,
    flags: error::FlagNames<'_>,
) -> CliResult<O::Response> {
    validate(request, flags)?;
    let client = ctx.client().await?;
    client.send(request).await.map_err(|e| ctx.client_error(&e))
}

/// [`call`], then prints the response.
pub async fn call_and_print<O: Operation>(
    ctx: &mut Ctx,
    request: O,
    flags: error::FlagNames<'_>,
) -> CliResult<ExitCode> {
    let response = call(ctx, &request, flags).await?;
    ctx.print_object(&response)
}

/// Waits for job (or, with `audition`, preview) `id` with a spinner, then prints it.
async fn wait_and_print<T: Serialize>(
    ctx: &mut Ctx,
    id: &str,
    audition: bool,
    poll: impl AsyncFnOnce(&Client, &WaitOptions) -> ttsc_client::Result<T>,
) -> CliResult<ExitCode> {
    let client = ctx.client().await?;
    let noun = if audition { "preview" } else { "job" };
    let spinner = ctx.ui.spinner(format!("waiting for {noun} {id}"));
    let wait = ctx.wait_options_shown(&spinner, audition);
    let result = poll(&client, &wait).await;
    spinner.finish_and_clear();
    let value = result.map_err(|e| ctx.client_error(&e))?;
    ctx.print_object(&value)
}

/// Runs `ttsc jobs …`.
pub async fn jobs(ctx: &mut Ctx, cmd: JobsCommand) -> CliResult<ExitCode> {
    let id = match &cmd {
        JobsCommand::Get(a) | JobsCommand::Wait(a) => Some(a.id.clone()),
        JobsCommand::Download(a) => Some(a.id.clone()),
        JobsCommand::List(_) => None,
    };
    let result = jobs_command(ctx, cmd).await;
    match (result, id) {
        (Err(e), Some(id)) if e.message.contains("error 404 ") => {
            Err(explain_preview_id(ctx, &id, e).await)
        }
        (result, _) => result,
    }
}

/// `jobs get|wait|download` of a preview's id fails with 404, since previews are another
/// kind of job: when a preview has that id, the error says which command to use.
async fn explain_preview_id(ctx: &mut Ctx, id: &str, e: CliError) -> CliError {
    let Ok(client) = ctx.client().await else {
        return e;
    };
    match client
        .show_tts_audition_file(ShowTtsAuditionFileRequest::new(id))
        .await
    {
        Ok(_) => e.hint(format!(
            "{id} is a preview (audition), not an asynchronous job: use `ttsc audition get {id}` or `ttsc audition download {id} --out-dir DIR`"
        )),
        Err(_) => e,
    }
}

async fn jobs_command(ctx: &mut Ctx, cmd: JobsCommand) -> CliResult<ExitCode> {
    match cmd {
        JobsCommand::List(args) => list(ctx, args).await,
        JobsCommand::Get(id) => call_and_print(ctx, ShowAsyncTtsJobRequest::new(id.id), ID).await,
        JobsCommand::Wait(id) => {
            validate(&ShowAsyncTtsJobRequest::new(id.id.clone()), ID)?;
            wait_and_print(ctx, &id.id, false, async |c: &Client, w: &WaitOptions| {
                c.wait_for_job(&id.id, w).await
            })
            .await
        }
        JobsCommand::Download(args) => download(ctx, args).await,
    }
}

/// Paged or streamed listing of any paginated operation.
pub async fn list_records<O>(ctx: &mut Ctx, request: O, page: &PageArgs) -> CliResult<ExitCode>
where
    O: ttsc_models::Paginated + Clone,
    O::Item: Record + ttsc_client::RecordId + 'static,
{
    ctx.check_columns::<O::Item>()?;
    let client = ctx.client().await?;
    if page.all {
        let mut out = ctx.output();
        let mut items = client.paginate(request).items();
        let mut list = out.list::<O::Item>()?;
        let mut failure = None;
        while let Some(item) = items.next().await {
            match item {
                Ok(item) => list.push(&item)?,
                Err(e) => {
                    failure = Some(ctx.client_error(&e));
                    break;
                }
            }
        }
        // Close the JSON array even after a failure, so what was written stays valid.
        list.finish()?;
        out.flush()?;
        return match failure {
            Some(e) => Err(e),
            None => Ok(ExitCode::Success),
        };
    }
    let response = client
        .send(&request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    let total = O::total(&response);
    let items = O::into_items(response);
    ctx.print_records(&items)?;
    if let Some(total) = total {
        let shown = items.len() as i64 + i64::from(page.offset.unwrap_or(0));
        if shown < total {
            ctx.ui.note(&format!(
                "{} of {total} records shown; --all lists every one",
                items.len()
            ));
        }
    }
    Ok(ExitCode::Success)
}

async fn list(ctx: &mut Ctx, args: JobsListArgs) -> CliResult<ExitCode> {
    let mut request = ShowTtsJobRequest::new();
    request.limit = args.page.limit;
    request.offset = args.page.offset;
    request.create_since = args.since;
    request.create_until = args.until;
    request.job_id = args.job_id;
    request.job_type = args.job_type.map(JobType::from);
    request.tts_service_enum = args.service.map(TtsServiceEnum::from);
    request.business_type = args.business_type;
    validate(
        &request,
        &[
            ("create_since", "--since"),
            ("create_until", "--until"),
            ("job_type", "--type"),
            ("tts_service_enum", "--service"),
        ],
    )?;
    list_records(ctx, request, &args.page).await
}

/// The out dir must not be an existing file.
pub fn check_out_dir(dir: &Path) -> CliResult {
    if dir.as_os_str().is_empty() || dir.is_file() {
        return Err(CliError::usage(format!(
            "invalid value {} for --out-dir (name a directory)",
            dir.display()
        )));
    }
    Ok(())
}

async fn download(ctx: &mut Ctx, args: DownloadArgs) -> CliResult<ExitCode> {
    validate(&ShowAsyncTtsJobRequest::new(args.id.clone()), ID)?;
    check_out_dir(&args.out_dir)?;
    let client = ctx.client().await?;
    let spinner = ctx.ui.spinner(format!("downloading job {}", args.id));
    let result = client.download_job(&args.id, &args.out_dir).await;
    spinner.finish_and_clear();
    let files = result.map_err(|e| ctx.client_error(&e))?;
    let rows: Vec<FileRow> = files
        .iter()
        .map(|(file, d)| FileRow::new(&args.id, file.name(), &d.path, d.bytes))
        .collect();
    ctx.print_records(&rows)
}

/// Runs `ttsc audition …`.
pub async fn audition(ctx: &mut Ctx, cmd: AuditionCommand) -> CliResult<ExitCode> {
    match cmd {
        AuditionCommand::Create(args) => create_audition(ctx, args).await,
        AuditionCommand::Get(id) => {
            call_and_print(ctx, ShowTtsAuditionFileRequest::new(id.id), ID).await
        }
        AuditionCommand::Wait(id) => {
            validate(&ShowTtsAuditionFileRequest::new(id.id.clone()), ID)?;
            wait_and_print(ctx, &id.id, true, async |c: &Client, w: &WaitOptions| {
                c.wait_for_audition(&id.id, w).await
            })
            .await
        }
        AuditionCommand::Download(args) => download_audition(ctx, args).await,
    }
}

async fn create_audition(ctx: &mut Ctx, args: AuditionCreateArgs) -> CliResult<ExitCode> {
    let mut body = CreateTtsAuditionRequestBody::new(args.text, args.voice);
    body.speed = args.speed;
    body.pitch = args.pitch;
    body.volume = args.volume;
    body.business_type = args.business_type;
    let request = CreateTtsAuditionRequest::new(body);
    validate(
        &request,
        &[
            ("text", "TEXT"),
            ("emotion", "--voice"),
            ("speed", "--speed"),
            ("pitch", "--pitch"),
            ("volume", "--volume"),
        ],
    )?;
    let client = ctx.client().await?;
    let r = client
        .create_tts_audition(request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    ctx.print_object(&r)
}

async fn download_audition(ctx: &mut Ctx, args: DownloadArgs) -> CliResult<ExitCode> {
    let request = ShowTtsAuditionFileRequest::new(args.id.clone());
    validate(&request, ID)?;
    check_out_dir(&args.out_dir)?;
    let client = ctx.client().await?;
    let r = client
        .show_tts_audition_file(request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    if r.is_file_complete != Some(true) {
        return Err(
            CliError::failure(format!("preview {} is not ready yet", args.id))
                .hint(format!("`ttsc audition wait {}` waits for it", args.id)),
        );
    }
    let urls: Vec<String> = r
        .files
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.download_url)
        .filter(|u| !u.is_empty())
        .collect();
    let mut rows = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let ext = url_extension(url).unwrap_or("wav");
        let name = if urls.len() == 1 {
            format!("{}.{ext}", args.id)
        } else {
            format!("{}-{}.{ext}", args.id, i + 1)
        };
        let d = client
            .download(url, &args.out_dir.join(name))
            .await
            .map_err(|e| ctx.client_error(&e))?;
        rows.push(FileRow::new(&args.id, "audio", &d.path, d.bytes));
    }
    ctx.print_records(&rows)
}
