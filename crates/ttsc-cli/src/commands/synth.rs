//! `ttsc synth`: text in, audio (and subtitles, timestamps) on disk.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ttsc_client::download::part_path;
use ttsc_client::split::split_text;
use ttsc_client::target::{self, Target};
use ttsc_client::{PartsProgress, SynthesizeRequest};
use ttsc_models::{
    AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, Operation,
    TtsCallBackConfig,
};

use super::jobs::{is_pcm_name, validate};
use super::records::FileRow;
use super::recover::Recovery;
use super::voice::resolve_voice;
use crate::cli::{OutputFormat, SynthArgs, SynthFormat};
use crate::context::Ctx;
use crate::dest::{Dest, is_stdout};
use crate::error::{self, CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::input_json;

/// How the job body's fields are called on the command line.
pub const FLAGS: error::FlagNames<'static> = &[
    ("text", "TEXT"),
    ("tts_text", "--ssml"),
    ("voice_asset_id", "--voice"),
    ("speed", "--speed"),
    ("pitch", "--pitch"),
    ("volume", "--volume"),
    ("audio_format", "--format"),
    ("need_timestamp", "--need-timestamp"),
    ("silence_flag", "--silence-ms"),
    ("silence_time_ms", "--silence-ms"),
    ("callback_config.callback_url", "--callback-url"),
    ("gen_srt", "--gen-srt"),
    ("srt_len", "--srt-len"),
    ("srt_line_limit", "--srt-line-limit"),
    ("slice_segments", "--slice-segments"),
    ("channels", "--channels"),
    ("output_external_url", "--output-external-url"),
    ("srt_output_external_url", "--srt-output-external-url"),
    ("action_output_external_url", "--action-output-external-url"),
    ("is_vocabulary_config_enable", "--vocabulary"),
    ("is_concurrent_resource", "--concurrent-resource"),
    ("priority", "--priority"),
];

/// What `synth` prints: the job and the files written.
#[derive(Debug, Serialize)]
struct SynthOutput {
    /// The job, or the first part's for a long text.
    job_id: String,
    /// Every part's job, in text order (only for a text of several parts).
    #[serde(skip_serializing_if = "is_one_job")]
    job_ids: Vec<String>,
    files: Vec<FileRow>,
}

fn is_one_job(ids: &[String]) -> bool {
    ids.len() <= 1
}

/// Reads `--text-file` (`-` is standard input).
fn read_text_file(path: &Path) -> CliResult<String> {
    let text = crate::read::text(path, crate::read::MAX_TEXT_BYTES, "--text-file")?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// The format asked for (`--format`, else `audio_format` of --input-json), else the one the
/// output's extension names, else WAV. An extension no format matches, or one that names
/// another format than the one asked for, is a usage error.
fn format_of(
    args: &SynthArgs,
    input: Option<&CreateAsyncTtsJobRequestBody>,
) -> CliResult<SynthFormat> {
    let (asked, by) = match (args.format, input.and_then(|b| b.audio_format.as_ref())) {
        (Some(f), _) => (Some(f), "--format"),
        (None, Some(AudioFormat::Wav)) => (Some(SynthFormat::Wav), "audio_format in --input-json"),
        (None, Some(AudioFormat::Mp3)) => (Some(SynthFormat::Mp3), "audio_format in --input-json"),
        (None, Some(other)) => {
            return Err(CliError::usage(format!(
                "invalid value {:?} for audio_format in --input-json (synth writes WAV or MP3)",
                other.as_str()
            )));
        }
        (None, None) => (None, "--format"),
    };
    // No --output (--no-wait) names no format.
    let output = args.output.as_deref().unwrap_or(Path::new(""));
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let named = match ext.as_deref() {
        None => None,
        Some("wav") => Some(SynthFormat::Wav),
        Some("mp3") => Some(SynthFormat::Mp3),
        Some("pcm" | "raw") => Some(SynthFormat::Pcm),
        Some(other) => {
            return Err(CliError::usage(format!(
                "invalid value {} for --output (the extension .{other} is no audio format ttsc writes; use .wav, .mp3, .pcm or .raw)",
                output.display()
            )));
        }
    };
    match (asked, named) {
        (Some(asked), Some(named)) if asked != named => Err(CliError::usage(format!(
            "{by} {} does not match the extension of --output {}",
            format_name(asked),
            output.display()
        ))
        .hint(format!(
            "name the file .{} or drop {by}",
            format_name(asked)
        ))),
        (Some(asked), _) => Ok(asked),
        (None, named) => Ok(named.unwrap_or(SynthFormat::Wav)),
    }
}

/// `wav`, `mp3` or `pcm`.
fn format_name(format: SynthFormat) -> &'static str {
    match format {
        SynthFormat::Wav => "wav",
        SynthFormat::Mp3 => "mp3",
        SynthFormat::Pcm => "pcm",
    }
}

/// Only one of the options may read standard input.
pub fn one_stdin(paths: &[(&str, Option<&Path>)]) -> CliResult {
    let readers: Vec<&str> = paths
        .iter()
        .filter(|(_, p)| *p == Some(Path::new("-")))
        .map(|(flag, _)| *flag)
        .collect();
    if readers.len() > 1 {
        return Err(CliError::usage(format!(
            "{} all read standard input; give at most one of them `-`",
            readers.join(" and ")
        )));
    }
    Ok(())
}

/// Builds and validates the job from the options: `--input-json`'s body with every flag
/// given on top, and the number of jobs its text runs as; nothing is sent or written.
fn build(
    ui: &crate::ui::Ui,
    args: &SynthArgs,
    input: Option<CreateAsyncTtsJobRequestBody>,
    format: SynthFormat,
) -> CliResult<(CreateAsyncTtsJobRequest, usize)> {
    let from_input = input.is_some();
    let mut body = input.unwrap_or_default();
    // The wire fields the flags set: they are named by their flag in messages.
    let mut by_flag: Vec<&str> = vec!["audio_format"];
    let mut flag = |wire: &'static str, given: bool| {
        if given {
            by_flag.push(wire);
        }
        given
    };
    match (&args.text, &args.text_file) {
        (Some(t), _) => body.text.clone_from(t),
        (None, Some(path)) => body.text = read_text_file(path)?,
        (None, None) if body.text.is_empty() => {
            return Err(CliError::usage(
                "give TEXT, --text-file, or `text` in --input-json",
            ));
        }
        (None, None) => {}
    }
    flag("text", args.text.is_some() || args.text_file.is_some());
    if let Some(v) = &args.voice {
        body.voice_asset_id.clone_from(v);
    } else if body.voice_asset_id.is_empty() {
        return Err(CliError::usage(
            "give --voice, or `voice_asset_id` in --input-json",
        ));
    }
    flag("voice_asset_id", args.voice.is_some());
    body.audio_format = Some(match format {
        SynthFormat::Mp3 => AudioFormat::Mp3,
        // PCM is not offered by the service for async jobs: synthesize WAV, drop the header.
        SynthFormat::Wav | SynthFormat::Pcm => AudioFormat::Wav,
    });
    if let Some(path) = &args.engine.ssml {
        flag("tts_text", true);
        body.tts_text = Some(crate::read::text(
            path,
            crate::read::MAX_TEXT_BYTES,
            "--ssml",
        )?);
    }
    for (wire, value, field) in [
        ("speed", args.speed, &mut body.speed),
        ("pitch", args.pitch, &mut body.pitch),
        ("volume", args.volume, &mut body.volume),
        ("channels", args.channels, &mut body.channels),
        ("srt_len", args.srt_len, &mut body.srt_len),
        (
            "srt_line_limit",
            args.srt_line_limit,
            &mut body.srt_line_limit,
        ),
        ("priority", args.priority, &mut body.priority),
    ] {
        if flag(wire, value.is_some()) {
            *field = value;
        }
    }
    if flag("silence_time_ms", args.silence_ms.is_some()) {
        flag("silence_flag", true);
        body.silence_flag = Some(true);
        body.silence_time_ms = args.silence_ms;
    }
    if let Some(url) = &args.callback_url {
        flag("callback_config.callback_url", true);
        body.callback_config = Some(TtsCallBackConfig::new(url.clone()));
    }
    for (wire, given, field) in [
        (
            "gen_srt",
            args.gen_srt || args.srt.is_some(),
            &mut body.gen_srt,
        ),
        (
            "need_timestamp",
            args.need_timestamp || args.timestamps.is_some(),
            &mut body.need_timestamp,
        ),
        (
            "slice_segments",
            args.slice_segments,
            &mut body.slice_segments,
        ),
        (
            "is_concurrent_resource",
            args.concurrent_resource,
            &mut body.is_concurrent_resource,
        ),
    ] {
        if flag(wire, given) {
            *field = Some(true);
        }
    }
    if let Some(v) = args.engine.vocabulary() {
        flag("is_vocabulary_config_enable", true);
        body.is_vocabulary_config_enable = Some(v);
    }
    for (wire, value, field) in [
        (
            "output_external_url",
            &args.output_external_url,
            &mut body.output_external_url,
        ),
        (
            "srt_output_external_url",
            &args.srt_output_external_url,
            &mut body.srt_output_external_url,
        ),
        (
            "action_output_external_url",
            &args.action_output_external_url,
            &mut body.action_output_external_url,
        ),
    ] {
        if flag(wire, value.is_some()) {
            field.clone_from(value);
        }
    }
    let names = field_names(FLAGS, &by_flag, from_input, args.text_file.is_some());
    let names: Vec<(&str, &str)> = names.iter().map(|(w, n)| (*w, n.as_str())).collect();
    // A long text runs as parts: each part's job must be valid.
    let parts = split_text(&body.text, usize::from(args.max_part_chars));
    if parts.len() > 1
        && let Some(wire) = one_job_fields(&body).first()
    {
        let name = names.iter().find(|(w, _)| w == wire).map_or(*wire, |n| n.1);
        return Err(CliError::usage(format!(
            "{name} takes a text of at most {} characters (--max-part-chars); this one is {} and runs as {} jobs",
            args.max_part_chars,
            body.text.chars().count(),
            parts.len()
        )));
    }
    for part in &parts {
        let mut b = body.clone();
        b.text = (*part).to_owned();
        validate(ui, &CreateAsyncTtsJobRequest::new(b), &names)?;
    }
    let parts = parts.len();
    Ok((CreateAsyncTtsJobRequest::new(body), parts))
}

/// The fields set in `body` that belong to one job's whole text, so that a text run as
/// several parts cannot carry them (each part would have, and overwrite, the same).
pub fn one_job_fields(body: &CreateAsyncTtsJobRequestBody) -> Vec<&'static str> {
    [
        ("tts_text", body.tts_text.is_some()),
        ("output_external_url", body.output_external_url.is_some()),
        (
            "srt_output_external_url",
            body.srt_output_external_url.is_some(),
        ),
        (
            "action_output_external_url",
            body.action_output_external_url.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(wire, set)| set.then_some(wire))
    .collect()
}

/// How each wire field is named in messages: by its flag when a flag set it (or nothing
/// did and there is no --input-json), else as a key of --input-json.
pub fn field_names(
    flags: error::FlagNames<'static>,
    by_flag: &[&str],
    from_input: bool,
    text_file: bool,
) -> Vec<(&'static str, String)> {
    flags
        .iter()
        .map(|&(wire, flag)| {
            let name = if !from_input || by_flag.contains(&wire) {
                if wire == "text" && text_file {
                    "--text-file".to_owned()
                } else {
                    flag.to_owned()
                }
            } else {
                format!("{wire} in --input-json")
            };
            (wire, name)
        })
        .collect()
}

/// Runs `ttsc synth`. Stopped by Ctrl-C or SIGTERM, or failing once its job exists, it
/// says how to fetch the job's files ([`Recovery`]).
pub async fn run(mut ctx: Ctx, args: SynthArgs) -> CliResult<ExitCode> {
    let recovery = Recovery::default();
    let stop = super::shutdown_signal();
    let result = tokio::select! {
        r = synth(&mut ctx, args, &recovery) => r,
        () = stop => Err(CliError::interrupted()),
    };
    result.map_err(|e| recovery.explain(e))
}

async fn synth(ctx: &mut Ctx, args: SynthArgs, recovery: &Recovery) -> CliResult<ExitCode> {
    one_stdin(&[
        ("--text-file", args.text_file.as_deref()),
        ("--ssml", args.engine.ssml.as_deref()),
        ("--input-json", args.input_json.as_deref()),
    ])?;
    let input = args
        .input_json
        .as_deref()
        .map(|path| {
            input_json::body(
                path,
                &["text", "voice_asset_id"],
                CreateAsyncTtsJobRequest::INFO,
            )
        })
        .transpose()?;
    let format = format_of(&args, input.as_ref())?;
    let (mut request, parts) = build(&ctx.ui, &args, input, format)?;
    let mut outputs = Vec::new();
    if let Some(p) = args.output.as_deref().filter(|_| !args.no_wait) {
        // With --no-wait nothing is written: the job's id is printed.
        outputs.push(("--output", p));
    }
    if let Some(p) = &args.srt {
        outputs.push(("--srt", p.as_path()));
    }
    if let Some(p) = &args.timestamps {
        outputs.push(("--timestamps", p.as_path()));
    }
    crate::dest::check_outputs(&ctx.ui, &outputs)?;
    if args.no_wait && parts > 1 {
        return Err(CliError::usage(format!(
            "--no-wait takes a text of at most {} characters (--max-part-chars); this one is {} and runs as {parts} jobs",
            args.max_part_chars,
            request.body.text.chars().count()
        ))
        .hint("drop --no-wait: synth waits for the parts and joins them into one file"));
    }
    if parts > 1 && args.output.as_deref().is_some_and(is_stdout) {
        return Err(CliError::usage(format!(
            "--output - takes a text of at most {} characters (--max-part-chars); this one runs as {parts} jobs joined in a file",
            args.max_part_chars
        ))
        .hint("name a file for --output (a run stopped half-way resumes from the journal beside it), then read it from there"));
    }
    let voice = request.body.voice_asset_id.clone();
    let voice_flag = if args.voice.is_some() {
        "--voice"
    } else {
        "voice_asset_id in --input-json"
    };
    request.body.voice_asset_id = resolve_voice(ctx, &voice, voice_flag).await?;

    let client = ctx.client().await?;

    if args.no_wait {
        let created = client
            .create_async_tts_job(request)
            .await
            .map_err(|e| ctx.client_error(&e))?;
        let code = ctx.print_object(&created)?;
        if let Some(id) = created.job_id.as_deref() {
            later(ctx, recovery, id, args.output.as_deref(), format);
        }
        return Ok(code);
    }

    let Some(output) = args.output.as_deref() else {
        return Err(CliError::usage("give --output FILE, or --no-wait"));
    };
    let dest = Dest::new(output, format_name(format))?;
    let audio_path = match format {
        SynthFormat::Pcm => scratch_wav(dest.path()),
        SynthFormat::Wav | SynthFormat::Mp3 => dest.path().to_path_buf(),
    };
    // A partial download left by an interrupted run belongs to another job: resuming it
    // would splice two files together.
    for path in [
        Some(&audio_path),
        args.srt.as_ref(),
        args.timestamps.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(Target::Replace(p)) = Target::resolve(path) {
            let _ = std::fs::remove_file(part_path(&p));
        }
    }
    let spinner = ctx.ui.spinner("creating the job");
    let wait = ctx.wait_options_shown(&spinner, false);
    let mut synth = SynthesizeRequest::new(request.body, &audio_path)
        .wait(wait)
        .max_part_chars(usize::from(args.max_part_chars))
        .concurrency(usize::from(args.concurrency));
    if parts > 1 {
        spinner.set_message(format!("creating {parts} jobs"));
        let spinner = spinner.clone();
        synth = synth.on_parts_progress(move |p| spinner.set_message(parts_message(p)));
    }
    if let Some(p) = &args.srt {
        synth = synth.subtitles(p);
    }
    if let Some(p) = &args.timestamps {
        synth = synth.timestamps(p);
    }
    let journal = (parts > 1).then(|| ttsc_client::parts_journal_path(dest.path()));
    let pcm_flag = format == SynthFormat::Pcm && !is_pcm_name(output);
    recovery.plan(ctx, &outputs, journal, pcm_flag);
    synth = synth.on_job_created(recovery.recorder());
    let result = client.synthesize(synth).await;
    spinner.finish_and_clear();
    let done = result.map_err(|e| {
        if e.kind() == ttsc_client::ErrorKind::JobFailed {
            recovery.job_failed();
        }
        ctx.client_error(&e)
    })?;

    let audio_bytes = match format {
        SynthFormat::Pcm => wav_to_pcm(&audio_path, dest.path())?,
        SynthFormat::Wav | SynthFormat::Mp3 => done.audio.bytes,
    };
    if dest.finish()?.is_some() {
        // Standard output is the audio: what was written is told on stderr.
        ctx.ui.note(&format!(
            "job {}: {audio_bytes} bytes of audio written to standard output",
            done.job_id
        ));
        return Ok(ExitCode::Success);
    }
    let mut files = vec![FileRow::new(&done.job_id, "audio", output, audio_bytes)];
    if let Some(d) = &done.subtitles {
        files.push(FileRow::new(&done.job_id, "subtitles", &d.path, d.bytes));
    }
    if let Some(d) = &done.timestamps {
        files.push(FileRow::new(&done.job_id, "timestamps", &d.path, d.bytes));
    }
    match ctx.output_format() {
        OutputFormat::Json | OutputFormat::Ndjson => ctx.print_object(&SynthOutput {
            job_id: done.job_id,
            job_ids: done.job_ids,
            files,
        }),
        OutputFormat::Table | OutputFormat::Csv => ctx.print_records(&files),
    }
}

/// After `--no-wait`: the command that fetches job `id`'s audio to `--output`, else to
/// `ID.wav` (`.mp3`, `.pcm`) in the current directory. Nothing with `--emulator` (its jobs
/// end with the command) or for an id that cannot name a file.
fn later(ctx: &Ctx, recovery: &Recovery, id: &str, output: Option<&Path>, format: SynthFormat) {
    if !ttsc_client::is_file_id(id) {
        return;
    }
    let file = output.map_or_else(
        || PathBuf::from(format!("{id}.{}", format_name(format))),
        Path::to_path_buf,
    );
    let pcm_flag = format == SynthFormat::Pcm && !is_pcm_name(&file);
    recovery.plan(ctx, &[("--output", &file)], None, pcm_flag);
    if let Some(command) = recovery.download_command(id) {
        ctx.ui.note(&format!(
            "job {id} created; `{command}` writes its audio (waiting for the job if it is still running)"
        ));
    }
}

/// The spinner's line for a long text: parts done, jobs running, audio so far.
fn parts_message(p: &PartsProgress) -> String {
    let secs = p.audio_ms / 1000;
    format!(
        "parts {}/{} done, {} job{} running, {}:{:02}:{:02} of audio",
        p.done,
        p.parts,
        p.in_flight,
        if p.in_flight == 1 { "" } else { "s" },
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Where the WAV of a PCM output is downloaded first: beside the (resolved) output, or in
/// the temporary directory when the output is a device or FIFO (nothing is created there).
pub fn scratch_wav(output: &Path) -> PathBuf {
    match Target::resolve(output) {
        Ok(Target::Replace(p)) => target::hidden_sibling(&p, "wav.tmp"),
        _ => std::env::temp_dir().join(format!(".ttsc-{}.wav.tmp", std::process::id())),
    }
}

/// Writes the samples of the WAV at `wav` to `dest` (atomically, or through a device or
/// FIFO), removes `wav`, and returns the size written.
pub fn wav_to_pcm(wav: &Path, dest: &Path) -> CliResult<u64> {
    let bytes = std::fs::read(wav)
        .map_err(|e| CliError::io(format!("cannot read {}", wav.display()), &e))?;
    let _ = std::fs::remove_file(wav);
    let samples = wav_data(&bytes)
        .ok_or_else(|| {
        CliError::failure(format!(
            "cannot write {}: the audio is not a WAV file with samples (a .pcm or .raw output takes the samples of a WAV job)",
            dest.display()
        ))
    })?;
    Target::resolve(dest)
        .and_then(|t| t.write_all(samples))
        .map_err(|e| CliError::io(format!("cannot write {}", dest.display()), &e))?;
    Ok(samples.len() as u64)
}

/// The payload of the `data` chunk of a RIFF/WAVE file.
pub fn wav_data(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let start = at + 8;
        if id == b"data" {
            return bytes.get(start..start + len.min(bytes.len() - start));
        }
        at = start + len + (len & 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_data_chunk() {
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x02\0\0\0abdata\x04\0\0\0wxyz".to_vec();
        assert_eq!(wav_data(&wav), Some(&b"wxyz"[..]));
        wav[0] = b'X';
        assert_eq!(wav_data(&wav), None);
    }
}
