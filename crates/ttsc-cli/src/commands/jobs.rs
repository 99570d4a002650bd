//! `ttsc jobs …` and `ttsc audition …`.

use std::path::Path;

use futures_util::StreamExt;
use serde::Serialize;
use ttsc_client::target;
use ttsc_client::text::sanitize;
use ttsc_client::{Client, JobFile, WaitOptions};
use ttsc_models::{
    CreateTtsAuditionRequest, CreateTtsAuditionRequestBody, JobType, Operation,
    ShowAsyncTtsJobRequest, ShowTtsAuditionFileRequest, ShowTtsJobRequest, TtsServiceEnum,
};

use super::records::FileRow;
use super::synth::{scratch_wav, wav_to_pcm};
use super::voice::resolve_voice;
use crate::cli::{
    AuditionCommand, AuditionCreateArgs, DownloadArgs, JobsCommand, JobsDownloadArgs, JobsListArgs,
    PageArgs,
};
use crate::context::Ctx;
use crate::dest::Dest;
use crate::error::{self, CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::input_json;
use crate::output::Record;
use crate::ui::Ui;

/// How paging fields are called on the command line.
pub const PAGE_FLAGS: error::FlagNames<'static> = &[("limit", "--limit"), ("offset", "--offset")];

/// Validates `request`, naming the command-line options in `flags` (and the paging ones).
///
/// A value outside a documented enumeration is a warning, not an error: it is sent as is, so
/// a value the service adds after this version can still be used.
pub fn validate<O: Operation>(ui: &Ui, request: &O, flags: error::FlagNames<'_>) -> CliResult {
    let Err(e) = request.validate() else {
        return Ok(());
    };
    let all: Vec<(&str, &str)> = flags.iter().chain(PAGE_FLAGS).copied().collect();
    match e.without_unknown_values() {
        Some(rest) => Err(error::validation(&rest, &all)),
        None => {
            for v in e.violations() {
                ui.warn(&format!(
                    "{}; sending it as is",
                    error::describe_violation(v, &all).replacen(
                        "invalid value",
                        "unknown value",
                        1
                    )
                ));
            }
            Ok(())
        }
    }
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
    validate(&ctx.ui, request, flags)?;
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
        JobsCommand::Download(a) => Some(a.files.id.clone()),
        JobsCommand::List(_) => None,
    };
    let result = jobs_command(ctx, cmd).await;
    match (result, id) {
        (Err(e), Some(id)) if e.is_not_found() => Err(explain_preview_id(ctx, &id, e).await),
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
            validate(&ctx.ui, &ShowAsyncTtsJobRequest::new(id.id.clone()), ID)?;
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
        let mut items = ctx.paginate(&client, request).items();
        let mut list = out.list::<O::Item>()?;
        let mut failure = None;
        while let Some(item) = items.next().await {
            match item {
                Ok(item) => list.push(&item)?,
                Err(e) => {
                    let mut err = ctx.client_error(&e);
                    if e.kind() == ttsc_client::ErrorKind::Timeout {
                        err = err.hint(
                            "a whole listing may take --listing-deadline (1800 s by default); each call --timeout",
                        );
                    }
                    failure = Some(err);
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
        &ctx.ui,
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

/// The out dir must be a directory that takes new files, or one that can be created (its
/// nearest existing ancestor is a directory that takes new files): checked before anything
/// is sent, so a bad `--out-dir` costs nothing ([`target::check_writable`] decides).
pub fn check_out_dir(dir: &Path) -> CliResult {
    let invalid = |reason: &str| {
        CliError::usage(format!(
            "invalid value {} for --out-dir ({reason})",
            dir.display()
        ))
    };
    if dir.as_os_str().is_empty() {
        return Err(invalid("name a directory"));
    }
    // The directory, or the nearest ancestor that exists: the rest is created.
    let mut existing = dir;
    while std::fs::metadata(existing).is_err() {
        match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => existing = p,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    if !existing.is_dir() {
        return Err(if existing == dir {
            invalid("it is a file; name a directory")
        } else {
            invalid(&format!(
                "{} is not a directory, so it cannot be created",
                existing.display()
            ))
        });
    }
    target::check_writable(&existing.join(".ttsc-out-dir")).map_err(|e| {
        CliError::usage(format!("cannot write to --out-dir {}", dir.display())).cause(e.to_string())
    })
}

/// An id that names files must be a plain name, never a path.
fn check_file_id(id: &str) -> CliResult {
    if ttsc_client::is_file_id(id) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "invalid value \"{}\" for ID (1 to 128 letters, digits, - and _: it names the files)",
        sanitize(id, 80)
    )))
}

async fn download(ctx: &mut Ctx, args: JobsDownloadArgs) -> CliResult<ExitCode> {
    let JobsDownloadArgs {
        files: args,
        srt,
        timestamps,
        pcm,
    } = args;
    validate(&ctx.ui, &ShowAsyncTtsJobRequest::new(args.id.clone()), ID)?;
    check_file_id(&args.id)?;
    if let Some(dir) = &args.out_dir {
        check_out_dir(dir)?;
    }
    if let Some(file) = &args.output {
        let mut outputs = vec![("--output", file.as_path())];
        outputs.extend(srt.as_deref().map(|p| ("--srt", p)));
        outputs.extend(timestamps.as_deref().map(|p| ("--timestamps", p)));
        crate::dest::check_outputs(&ctx.ui, &outputs)?;
    }
    if pcm && let Some(file) = &args.output {
        check_pcm_name(file)?;
    }
    let pcm = pcm || args.output.as_deref().is_some_and(is_pcm_name);
    let dest = args
        .output
        .as_deref()
        .map(|file| Dest::new(file, if pcm { "pcm" } else { "tmp" }))
        .transpose()?;
    let client = ctx.client().await?;
    let spinner = ctx.ui.spinner(format!("waiting for job {}", args.id));
    let wait = ctx.wait_options_shown(&spinner, false);
    let result = async {
        // A job still running is waited for: its files are what was asked for.
        let job = client.wait_for_job(&args.id, &wait).await?;
        spinner.set_message(format!("downloading job {}", args.id));
        let Some(dest) = &dest else {
            return match &args.out_dir {
                Some(dir) => client.download_job(&args.id, dir).await,
                // clap requires one of the two.
                None => Ok(Vec::new()),
            };
        };
        let audio = if pcm {
            scratch_wav(dest.path())
        } else {
            dest.path().to_path_buf()
        };
        let mut files = Vec::new();
        for (file, path) in [
            (JobFile::Audio, Some(audio)),
            (JobFile::Subtitles, srt.clone()),
            (JobFile::Timestamps, timestamps.clone()),
        ] {
            if let Some(path) = path {
                let d = client.download_job_file(&args.id, &job, file, path).await?;
                files.push((file, d));
            }
        }
        Ok(files)
    }
    .await;
    spinner.finish_and_clear();
    let files = result.map_err(|e| ctx.client_error(&e))?;
    let mut rows: Vec<FileRow> = files
        .iter()
        .map(|(file, d)| FileRow::new(&args.id, file.name(), &d.path, d.bytes))
        .collect();
    if let Some(dest) = &dest {
        if pcm {
            let wav = scratch_wav(dest.path());
            rows[0].bytes = wav_to_pcm(&wav, dest.path())?;
        }
        if dest.is_stdout() {
            dest.finish()?;
            ctx.ui.note(&format!(
                "job {}: {} bytes of audio written to standard output",
                args.id, rows[0].bytes
            ));
            return Ok(ExitCode::Success);
        }
        rows[0].path = dest.path().display().to_string();
    }
    ctx.print_records(&rows)
}

/// Whether `path` names raw PCM (`.pcm`, `.raw`): the samples of the job's WAV are
/// written, without the header.
pub fn is_pcm_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pcm") || e.eq_ignore_ascii_case("raw"))
}

/// `--pcm` takes any name but one that says WAV or MP3.
fn check_pcm_name(path: &Path) -> CliResult {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("wav") || ext.eq_ignore_ascii_case("mp3") {
        return Err(CliError::usage(format!(
            "--pcm does not match the extension of --output {}",
            path.display()
        ))
        .hint("name the file .pcm or .raw, or drop --pcm"));
    }
    Ok(())
}

/// Runs `ttsc audition …`.
pub async fn audition(ctx: &mut Ctx, cmd: AuditionCommand) -> CliResult<ExitCode> {
    match cmd {
        AuditionCommand::Create(args) => create_audition(ctx, args).await,
        AuditionCommand::Get(id) => {
            call_and_print(ctx, ShowTtsAuditionFileRequest::new(id.id), ID).await
        }
        AuditionCommand::Wait(id) => {
            validate(&ctx.ui, &ShowTtsAuditionFileRequest::new(id.id.clone()), ID)?;
            wait_and_print(ctx, &id.id, true, async |c: &Client, w: &WaitOptions| {
                c.wait_for_audition(&id.id, w).await
            })
            .await
        }
        AuditionCommand::Download(args) => download_audition(ctx, args).await,
    }
}

/// How the preview body's fields are called on the command line.
pub const AUDITION_FLAGS: error::FlagNames<'static> = &[
    ("text", "TEXT"),
    ("tts_text", "--ssml"),
    ("emotion", "--voice"),
    ("speed", "--speed"),
    ("pitch", "--pitch"),
    ("volume", "--volume"),
    ("business_type", "--business-type"),
    ("style", "--style"),
    ("channels", "--channels"),
    ("is_vocabulary_config_enable", "--vocabulary"),
];

async fn create_audition(ctx: &mut Ctx, args: AuditionCreateArgs) -> CliResult<ExitCode> {
    super::synth::one_stdin(&[
        ("--ssml", args.engine.ssml.as_deref()),
        ("--input-json", args.input_json.as_deref()),
    ])?;
    let input: Option<CreateTtsAuditionRequestBody> = args
        .input_json
        .as_deref()
        .map(|path| input_json::body(path, &["text", "emotion"], CreateTtsAuditionRequest::INFO))
        .transpose()?;
    let from_input = input.is_some();
    let mut body = input.unwrap_or_default();
    let mut by_flag: Vec<&str> = Vec::new();
    if let Some(t) = &args.text {
        body.text.clone_from(t);
        by_flag.push("text");
    } else if body.text.is_empty() {
        return Err(CliError::usage("give TEXT, or `text` in --input-json"));
    }
    if let Some(v) = &args.voice {
        body.emotion.clone_from(v);
        by_flag.push("emotion");
    } else if body.emotion.is_empty() {
        return Err(CliError::usage(
            "give --voice, or `emotion` in --input-json",
        ));
    }
    if let Some(path) = &args.engine.ssml {
        body.tts_text = Some(crate::read::text(
            path,
            crate::read::MAX_TEXT_BYTES,
            "--ssml",
        )?);
        by_flag.push("tts_text");
    }
    for (wire, value, field) in [
        ("speed", args.speed, &mut body.speed),
        ("pitch", args.pitch, &mut body.pitch),
        ("volume", args.volume, &mut body.volume),
        ("channels", args.channels, &mut body.channels),
    ] {
        if value.is_some() {
            *field = value;
            by_flag.push(wire);
        }
    }
    for (wire, value, field) in [
        (
            "business_type",
            &args.business_type,
            &mut body.business_type,
        ),
        ("style", &args.style, &mut body.style),
    ] {
        if value.is_some() {
            field.clone_from(value);
            by_flag.push(wire);
        }
    }
    if let Some(v) = args.engine.vocabulary() {
        body.is_vocabulary_config_enable = Some(v);
        by_flag.push("is_vocabulary_config_enable");
    }
    let names = super::synth::field_names(AUDITION_FLAGS, &by_flag, from_input, false);
    let names: Vec<(&str, &str)> = names.iter().map(|(w, n)| (*w, n.as_str())).collect();
    let mut request = CreateTtsAuditionRequest::new(body);
    validate(&ctx.ui, &request, &names)?;
    let voice = request.body.emotion.clone();
    let voice_flag = names
        .iter()
        .find(|(w, _)| *w == "emotion")
        .map_or("--voice", |n| n.1);
    request.body.emotion = resolve_voice(ctx, &voice, voice_flag).await?;
    let client = ctx.client().await?;
    let r = client
        .create_tts_audition(request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    ctx.print_object(&r)
}

async fn download_audition(ctx: &mut Ctx, args: DownloadArgs) -> CliResult<ExitCode> {
    let request = ShowTtsAuditionFileRequest::new(args.id.clone());
    validate(&ctx.ui, &request, ID)?;
    check_file_id(&args.id)?;
    if let Some(dir) = &args.out_dir {
        check_out_dir(dir)?;
    }
    if let Some(file) = &args.output {
        crate::dest::check_outputs(&ctx.ui, &[("--output", file)])?;
    }
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
    if args.output.is_some() && urls.len() > 1 {
        return Err(CliError::usage(format!(
            "preview {} has {} files; --output takes one (use --out-dir)",
            args.id,
            urls.len()
        )));
    }
    let pcm = args.output.as_deref().is_some_and(is_pcm_name);
    let stdout = args
        .output
        .as_deref()
        .map(|file| Dest::new(file, if pcm { "pcm" } else { "wav" }))
        .transpose()?;
    let mut rows = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        // Previews are WAV (the service offers no other format for them); the name never
        // comes from the URL.
        let dest = match (&stdout, &args.out_dir) {
            (Some(file), _) if pcm => scratch_wav(file.path()),
            (Some(file), _) => file.path().to_path_buf(),
            (None, Some(dir)) if urls.len() == 1 => dir.join(format!("{}.wav", args.id)),
            (None, Some(dir)) => dir.join(format!("{}-{}.wav", args.id, i + 1)),
            (None, None) => break,
        };
        // Checked like a job's audio: never empty or an HTML page, the format's header.
        let d = client
            .download_with_refresh(url, &dest, &JobFile::Audio.expect(), None)
            .await
            .map_err(|e| ctx.client_error(&e))?;
        rows.push(FileRow::new(&args.id, "audio", &d.path, d.bytes));
    }
    if let (Some(file), true) = (&stdout, pcm) {
        let samples = wav_to_pcm(&scratch_wav(file.path()), file.path())?;
        rows = vec![FileRow::new(&args.id, "audio", file.path(), samples)];
    }
    if let Some(bytes) = stdout.as_ref().map(Dest::finish).transpose()?.flatten() {
        ctx.ui.note(&format!(
            "preview {}: {bytes} bytes of audio written to standard output",
            args.id
        ));
        return Ok(ExitCode::Success);
    }
    ctx.print_records(&rows)
}
