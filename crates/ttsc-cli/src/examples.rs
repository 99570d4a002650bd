//! The `Examples:` section of every command's help, attached to the clap command tree in one
//! place so the definitions in `cli.rs` stay readable. A test checks that no command lacks one.

use clap::Command;

/// `VOICE` in an example stands for the emulator's demo voice, so every example runs as is
/// with `--emulator`.
const VOICE: &str = "VOICE";

/// Examples by command path (the words after `ttsc`).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "synth",
        "ttsc --emulator synth \"Hello from ttsc\" --voice VOICE -o hello.wav\n\
         ttsc synth --text-file chapter.txt --voice VOICE -o chapter.mp3 --srt chapter.srt\n\
         echo \"Hi\" | ttsc synth --text-file - --voice VOICE -o hi.wav --speed 120\n\
         # a voice by its name, as `ttsc voice list` shows it:\n\
         ttsc synth \"Good morning\" --voice Emma -o morning.wav\n\
         # create the job, print its id and how to fetch it later, do not wait:\n\
         ttsc synth \"Later\" --voice VOICE --no-wait --gen-srt\n\
         # SSML for the engine, a callback, top priority:\n\
         ttsc synth \"Hello\" --ssml hello.ssml --voice VOICE -o hello.wav --callback-url https://example.com/tts --priority 0\n\
         # the whole body as JSON in wire names; flags win:\n\
         ttsc synth --input-json body.json -o out.wav --speed 110\n\
         # the audio on standard output (format from --format, else WAV):\n\
         ttsc synth \"Hi\" --voice VOICE -o - --format mp3 | mpv -",
    ),
    (
        "batch",
        "ttsc batch scripts.csv --out-dir audio\n\
         ttsc batch scripts.jsonl --out-dir audio --concurrency 8 --output-format ndjson\n\
         # scripts.csv:\n\
         #   id,text,voice,format\n\
         #   intro,\"Welcome to the show.\",VOICE,wav\n\
         # scripts.jsonl (any body field by its wire name):\n\
         #   {\"id\": \"intro\", \"text\": \"Welcome.\", \"voice\": \"VOICE\", \"priority\": 0, \"srt_len\": 20}",
    ),
    (
        "jobs",
        "ttsc jobs list --since 24h\nttsc jobs download JOB_ID --out-dir out",
    ),
    (
        "jobs list",
        "ttsc jobs list --since 24h\n\
         ttsc jobs list --all --output-format ndjson | jq -r .job_id\n\
         ttsc jobs list --type ASYNC_JOB --since 2026-11-01 --until 2026-11-30",
    ),
    (
        "jobs get",
        "ttsc jobs get JOB_ID\nttsc jobs get JOB_ID --output-format json",
    ),
    ("jobs wait", "ttsc jobs wait JOB_ID --timeout 600"),
    (
        "jobs download",
        "ttsc jobs download JOB_ID --out-dir out\n\
         ttsc jobs download JOB_ID --output take-2.wav --srt take-2.srt\n\
         # the samples without the WAV header:\n\
         ttsc jobs download JOB_ID --output take-2.pcm\n\
         ttsc jobs download JOB_ID --output take-2 --pcm\n\
         ttsc jobs download JOB_ID --output - | ffplay -nodisp -autoexit -",
    ),
    (
        "audition",
        "ttsc audition create \"Does this voice fit?\" --voice VOICE\nttsc audition download JOB_ID --out-dir previews",
    ),
    (
        "audition create",
        "ttsc audition create \"Does this voice fit?\" --voice VOICE --speed 110\n\
         ttsc audition create \"Does this voice fit?\" --voice VOICE --style cheerful --no-vocabulary\n\
         ttsc audition create --input-json preview.json",
    ),
    ("audition get", "ttsc audition get JOB_ID"),
    ("audition wait", "ttsc audition wait JOB_ID"),
    (
        "audition download",
        "ttsc audition download JOB_ID --out-dir previews\n\
         ttsc audition download JOB_ID --output - | aplay",
    ),
    (
        "vocab",
        "ttsc vocab list --all\nttsc vocab create --type ALIAS --key ttsc --value \"T T S C\"",
    ),
    (
        "vocab list",
        "ttsc vocab list --all\nttsc vocab list --type ALIAS --search ttsc\nttsc vocab list --since 7d --service MODEL_NAME",
    ),
    (
        "vocab create",
        "ttsc vocab create --type ALIAS --key ttsc --value \"T T S C\"\n\
         ttsc vocab create --type ALIAS --key SQL --value sequel --group-id GROUP_ID",
    ),
    (
        "vocab update",
        "ttsc vocab update ENTRY_ID --type ALIAS --key ttsc --value \"tee tee ess see\"",
    ),
    (
        "vocab delete",
        "ttsc vocab delete ENTRY_ID\nttsc vocab delete ID1 ID2 ID3\n# the documented query parameters, sent only when given:\nttsc vocab delete ENTRY_ID --limit 100 --offset 0",
    ),
    (
        "vocab-group",
        "ttsc vocab-group create \"Product names\"\nttsc vocab-group set-assets GROUP_ID VOICE",
    ),
    ("vocab-group list", "ttsc vocab-group list --all"),
    (
        "vocab-group create",
        "ttsc vocab-group create \"Product names\"",
    ),
    (
        "vocab-group update",
        "ttsc vocab-group update GROUP_ID \"Brand names\"",
    ),
    (
        "vocab-group delete",
        "ttsc vocab-group delete GROUP_ID\nttsc vocab-group delete GROUP_ID --limit 100",
    ),
    (
        "vocab-group set-assets",
        "ttsc vocab-group set-assets GROUP_ID VOICE\n# the group applies to no voice:\nttsc vocab-group set-assets GROUP_ID",
    ),
    (
        "tenant-config",
        "ttsc tenant-config get\nttsc tenant-config set vocabulary true",
    ),
    (
        "tenant-config get",
        "ttsc tenant-config get\nttsc tenant-config get --key vocabulary",
    ),
    (
        "tenant-config set",
        "ttsc tenant-config set vocabulary true",
    ),
    (
        "phonetic",
        "ttsc phonetic hello\nttsc phonetic hello --limit 5",
    ),
    ("once-code", "ttsc once-code"),
    (
        "voice",
        "ttsc voice list --language CN --sex female\n\
         ttsc voice sample VOICE -o sample.wav\n\
         ttsc synth \"Hello\" --voice Xiaoyan -o hello.wav",
    ),
    (
        "voice list",
        "ttsc voice list\n\
         ttsc voice list --language EN,JPN --sex female --realtime\n\
         ttsc voice list --source all --name emma\n\
         ttsc voice list --all --output-format ndjson | jq -r .asset_id",
    ),
    (
        "voice show",
        "ttsc voice show VOICE\nttsc voice show VOICE --output-format json",
    ),
    (
        "voice sample",
        "ttsc voice sample VOICE -o sample.wav\nttsc voice sample VOICE -o - | aplay",
    ),
    ("voice check", "ttsc voice check VOICE"),
    (
        "configure",
        "# asks for each setting, showing the current values:\n\
         ttsc configure\n\
         ttsc configure --profile work",
    ),
    ("config", "ttsc config show"),
    (
        "config show",
        "ttsc config show\nttsc --profile work config show",
    ),
    (
        "sign",
        "ttsc sign --method GET --url https://metastudio.cn-north-4.myhuaweicloud.com/v1/PROJECT/ttsc/tts-jobs\n\
         ttsc sign --method POST --url URL -H 'Content-Type: application/json' --data @body.json --curl",
    ),
    (
        "api",
        "ttsc api --list\n\
         echo '{\"limit\": 5, \"job_type\": \"ASYNC_JOB\"}' | ttsc api ShowTtsJob --input-json -\n\
         # input shaped like the SDK request model's to_dict(): parameters by name, body with wire fields\n\
         ttsc api create_async_tts_job --input-json job.json",
    ),
    (
        "emulator",
        "ttsc emulator --listen 127.0.0.1:8080\n\
         ttsc emulator --job-duration-ms 100 --fault-rate 0.1 --seed 7",
    ),
    (
        "completions",
        "ttsc completions bash > ~/.local/share/bash-completion/completions/ttsc\n\
         ttsc completions zsh > ~/.zfunc/_ttsc",
    ),
];

/// The examples of the command at `path`, with `VOICE` replaced by the demo voice.
fn examples(path: &str) -> Option<String> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, text)| {
        let lines = text.replace(VOICE, ttsc_emulator::DEMO_VOICE);
        // `$ ` marks where a command starts, so a line the terminal wraps reads as its tail.
        let indented: Vec<String> = lines
            .lines()
            .map(|l| match l.starts_with('#') {
                true => format!("  {l}"),
                false => format!("  $ {l}"),
            })
            .collect();
        format!("Examples:\n{}", indented.join("\n"))
    })
}

/// Attaches the examples to every command below `cmd` (whose path is `path`).
pub fn attach(cmd: Command, path: &str) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    names.into_iter().fold(cmd, |cmd, name| {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd.mut_subcommand(&name, |sub| {
            let text = examples(&sub_path);
            let sub = attach(sub, &sub_path);
            match text {
                Some(text) => {
                    let extra = sub.get_after_help().map(|h| format!("{h}\n\n"));
                    sub.after_help(format!("{}{text}", extra.unwrap_or_default()))
                }
                None => sub,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(cmd: &Command, prefix: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let path = if prefix.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            paths(sub, &path, out);
            out.push(path);
        }
    }

    #[test]
    fn every_command_has_examples_and_every_example_a_command() {
        let mut all = Vec::new();
        paths(&crate::cli::command(), "", &mut all);
        let missing: Vec<&String> = all.iter().filter(|p| examples(p).is_none()).collect();
        assert!(
            missing.is_empty(),
            "commands without examples (add them to crates/ttsc-cli/src/examples.rs): {missing:?}"
        );
        let stale: Vec<&str> = EXAMPLES
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !all.iter().any(|a| a == p))
            .collect();
        assert!(stale.is_empty(), "examples of no command: {stale:?}");
    }
}
