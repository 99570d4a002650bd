//! `ttsc synth`: text in, audio (and subtitles, timestamps) on disk.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ttsc_client::download::part_path;
use ttsc_client::split::split_text;
use ttsc_client::target::{self, Target};
use ttsc_client::{PartsProgress, SynthesizeRequest};
use ttsc_models::{AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody};

use super::jobs::validate;
use super::records::FileRow;
use super::voice::resolve_voice;
use crate::cli::{OutputFormat, SynthArgs, SynthFormat};
use crate::context::Ctx;
use crate::dest::{Dest, is_stdout};
use crate::error::{self, CliError, CliResult};
use crate::exit_codes::ExitCode;

/// How the job body's fields are called on the command line.
pub const FLAGS: error::FlagNames<'static> = &[
    ("text", "TEXT"),
    ("voice_asset_id", "--voice"),
    ("speed", "--speed"),
    ("pitch", "--pitch"),
    ("volume", "--volume"),
    ("channels", "--channels"),
    ("audio_format", "--format"),
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

/// The format asked for, else the one the output's extension names, else WAV. An
/// extension no format matches, or one that names another format than `--format`, is a
/// usage error.
fn format_of(args: &SynthArgs) -> CliResult<SynthFormat> {
    let ext = args
        .output
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
                args.output.display()
            )));
        }
    };
    match (args.format, named) {
        (Some(asked), Some(named)) if asked != named => Err(CliError::usage(format!(
            "--format {} does not match the extension of --output {}",
            format_name(asked),
            args.output.display()
        ))
        .hint(format!(
            "name the file .{} or drop --format",
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

/// Builds and validates the job from the options; nothing is sent or written.
fn build(
    ui: &crate::ui::Ui,
    args: &SynthArgs,
    text: String,
    format: SynthFormat,
) -> CliResult<CreateAsyncTtsJobRequest> {
    let mut body =
        CreateAsyncTtsJobRequestBody::new(text, args.voice.clone()).audio_format(match format {
            SynthFormat::Mp3 => AudioFormat::Mp3,
            // PCM is not offered by the service for async jobs: synthesize WAV, drop the header.
            SynthFormat::Wav | SynthFormat::Pcm => AudioFormat::Wav,
        });
    body.speed = args.speed;
    body.pitch = args.pitch;
    body.volume = args.volume;
    body.channels = args.channels;
    if args.srt.is_some() {
        body.gen_srt = Some(true);
    }
    if args.timestamps.is_some() {
        body.need_timestamp = Some(true);
    }
    let flags: Vec<(&str, &str)> = FLAGS
        .iter()
        .map(|&(wire, flag)| {
            if wire == "text" && args.text_file.is_some() {
                (wire, "--text-file")
            } else {
                (wire, flag)
            }
        })
        .collect();
    // A long text runs as parts: each part's job must be valid.
    let parts: Vec<String> = split_text(&body.text, usize::from(args.max_part_chars))
        .into_iter()
        .map(str::to_owned)
        .collect();
    for part in parts {
        let mut b = body.clone();
        b.text = part;
        validate(ui, &CreateAsyncTtsJobRequest::new(b), &flags)?;
    }
    Ok(CreateAsyncTtsJobRequest::new(body))
}

/// Runs `ttsc synth`.
pub async fn run(ctx: &mut Ctx, args: SynthArgs) -> CliResult<ExitCode> {
    let text = match (&args.text, &args.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(path)) => read_text_file(path)?,
        (None, None) => return Err(CliError::usage("give TEXT or --text-file")),
    };
    let format = format_of(&args)?;
    let mut request = build(&ctx.ui, &args, text, format)?;
    let mut outputs = vec![("--output", args.output.as_path())];
    if let Some(p) = &args.srt {
        outputs.push(("--srt", p.as_path()));
    }
    if let Some(p) = &args.timestamps {
        outputs.push(("--timestamps", p.as_path()));
    }
    if args.no_wait {
        // Nothing is written: the job's id is printed.
        outputs.remove(0);
    }
    crate::dest::check_outputs(&ctx.ui, &outputs)?;
    request.body.voice_asset_id = resolve_voice(ctx, &args.voice, "--voice").await?;

    let client = ctx.client().await?;

    let parts = split_text(&request.body.text, usize::from(args.max_part_chars)).len();
    if args.no_wait && parts > 1 {
        return Err(CliError::usage(format!(
            "--no-wait takes a text of at most {} characters (--max-part-chars); this one is {} and runs as {parts} jobs",
            args.max_part_chars,
            request.body.text.chars().count()
        ))
        .hint("drop --no-wait: synth waits for the parts and joins them into one file"));
    }
    if parts > 1 && is_stdout(&args.output) {
        return Err(CliError::usage(format!(
            "--output - takes a text of at most {} characters (--max-part-chars); this one runs as {parts} jobs joined in a file",
            args.max_part_chars
        ))
        .hint("name a file for --output (a run stopped half-way resumes from the journal beside it), then read it from there"));
    }
    if args.no_wait {
        let created = client
            .create_async_tts_job(request)
            .await
            .map_err(|e| ctx.client_error(&e))?;
        return ctx.print_object(&created);
    }

    let dest = Dest::new(&args.output, format_name(format))?;
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
    let result = client.synthesize(synth).await;
    spinner.finish_and_clear();
    let done = result.map_err(|e| ctx.client_error(&e))?;

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
    let mut files = vec![FileRow::new(
        &done.job_id,
        "audio",
        &args.output,
        audio_bytes,
    )];
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
fn scratch_wav(output: &Path) -> PathBuf {
    match Target::resolve(output) {
        Ok(Target::Replace(p)) => target::hidden_sibling(&p, "wav.tmp"),
        _ => std::env::temp_dir().join(format!(".ttsc-{}.wav.tmp", std::process::id())),
    }
}

/// Writes the samples of the WAV at `wav` to `dest` (atomically, or through a device or
/// FIFO), removes `wav`, and returns the size written.
fn wav_to_pcm(wav: &Path, dest: &Path) -> CliResult<u64> {
    let bytes = std::fs::read(wav)
        .map_err(|e| CliError::io(format!("cannot read {}", wav.display()), &e))?;
    let _ = std::fs::remove_file(wav);
    let samples = wav_data(&bytes)
        .ok_or_else(|| CliError::failure("the service's WAV file has no data chunk"))?;
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
