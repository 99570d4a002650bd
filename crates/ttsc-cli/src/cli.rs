//! The command line: global options, the command tree, and the value parsers that reject
//! bad input (exit 2, naming the option) before anything runs.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use ttsc_auth::SigningAlgorithm;
use ttsc_models::{JobType, TtsServiceEnum, VocabularyType};

use crate::env_vars;

/// Huawei Cloud MetaStudio text-to-speech from the shell.
///
/// Turns text into speech files, synthesizes manifests of scripts with resume, lists job
/// records and manages pronunciation vocabularies. With `--emulator` every command runs
/// against a local emulator, with no account.
#[derive(Debug, Parser)]
#[command(
    name = "ttsc",
    version,
    about = "Huawei Cloud MetaStudio text-to-speech from the shell",
    after_help = after_help(),
    max_term_width = 100
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The command tree with every command's `Examples:` section attached.
pub fn command() -> clap::Command {
    crate::examples::attach(<Cli as clap::CommandFactory>::command(), "")
}

/// The `Environment:` and `Exit codes:` sections of `ttsc --help`.
fn after_help() -> String {
    format!(
        "{}\n{}\nExamples:\n  ttsc --emulator synth \"Hello from ttsc\" --voice {} -o hello.wav\n  ttsc jobs list --all --output-format ndjson\n",
        env_vars::help_section(),
        crate::exit_codes::HELP,
        ttsc_emulator::DEMO_VOICE
    )
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Columns fitted to the terminal.
    Table,
    /// Pretty JSON: an object, or an array for listings.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A header line and RFC 4180 rows.
    Csv,
}

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The options every command takes (before or after the command name), listed under their
/// own heading after each command's own options.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API endpoint [default: `https://metastudio.REGION.myhuaweicloud.com`]
    #[arg(long, global = true, value_name = "URL", env = env_vars::TTSC_ENDPOINT, value_parser = parse_http_url)]
    pub endpoint: Option<String>,
    /// Region, e.g. cn-north-4, cn-east-3, ap-southeast-3
    #[arg(long, global = true, value_name = "NAME", env = env_vars::TTSC_REGION, value_parser = parse_region)]
    pub region: Option<String>,
    /// Project id [default: from the credentials, else discovered through IAM]
    #[arg(long, global = true, value_name = "ID", value_parser = parse_project_id)]
    pub project_id: Option<String>,
    /// Section of the credentials file [default: basic]
    #[arg(long, global = true, value_name = "NAME", env = env_vars::TTSC_PROFILE)]
    pub profile: Option<String>,
    /// IAM endpoint for token login and project discovery
    #[arg(long, global = true, value_name = "URL", value_parser = parse_http_url)]
    pub iam_endpoint: Option<String>,
    /// An IAM token to send as is, instead of signing with AK/SK
    #[arg(long, global = true, value_name = "TOKEN", env = env_vars::TTSC_AUTH_TOKEN, hide_env_values = true)]
    pub auth_token: Option<String>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, global = true, value_name = "FORMAT", env = env_vars::TTSC_OUTPUT_FORMAT, value_enum)]
    pub output_format: Option<OutputFormat>,
    /// Send X-App-UserId (the application's user id) on every call that takes it
    #[arg(long, global = true, value_name = "ID", env = env_vars::TTSC_APP_USER_ID)]
    pub app_user_id: Option<String>,
    /// Columns of a listing's table or CSV, in this order (e.g. job_id,job_state)
    #[arg(long, global = true, value_name = "A,B,…", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Start a local emulator in-process (demo credentials) and send every call to it; it
    /// forgets everything when the command ends (`ttsc emulator` keeps running)
    #[arg(long, global = true)]
    pub emulator: bool,
    /// Time limit of each API call, retries included, in seconds [default: 300]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_secs)]
    pub timeout: Option<Duration>,
    /// Time limit of a whole `--all` listing, in seconds [default: 1800]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_secs)]
    pub listing_deadline: Option<Duration>,
    /// Largest file a download accepts, in bytes or with a unit (500M, 4GiB) [default: 2GiB]
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub max_download_bytes: Option<u64>,
    /// Pause between polls of a job, in seconds [default: 3 for jobs, 5 for previews]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_secs)]
    pub poll_interval: Option<Duration>,
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG also works
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr: no progress, notes or warnings
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// No progress bars or spinners
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// When to use colours
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Synthesize text into an audio file: create a job, wait, download
    Synth(SynthArgs),
    /// Synthesize every line of a manifest (JSON Lines or CSV), resumable after a crash
    #[command(after_help = manifest_help())]
    Batch(BatchArgs),
    /// Job records and asynchronous jobs
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Previews (auditions) of a voice
    #[command(subcommand)]
    Audition(AuditionCommand),
    /// Custom pronunciations (vocabulary entries)
    #[command(subcommand)]
    Vocab(VocabCommand),
    /// Vocabulary groups and the voices they apply to
    #[command(subcommand)]
    VocabGroup(VocabGroupCommand),
    /// Tenant-level switches
    #[command(subcommand)]
    TenantConfig(TenantConfigCommand),
    /// Phonetic symbols of an English word
    Phonetic(PhoneticArgs),
    /// A one-time tenant code
    OnceCode,
    /// Voices
    #[command(subcommand)]
    Voice(VoiceCommand),
    /// Write credentials to the credentials file (the SK is read without echo)
    Configure(ConfigureArgs),
    /// The resolved configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Show how a request is signed (canonical request, string to sign, headers)
    Sign(SignArgs),
    /// Send one request of any operation, from JSON shaped like the SDK's request model
    Api(ApiArgs),
    /// Run the local emulator in the foreground until Ctrl-C
    Emulator(EmulatorCmd),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// The `Manifest fields:` section of `ttsc batch --help`.
fn manifest_help() -> String {
    format!(
        "Manifest fields (JSON keys or CSV columns; `id`, `text` and `voice` are required):\n  {}",
        crate::manifest::record_fields()
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Audio formats `synth` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SynthFormat {
    /// WAV (RIFF, 16-bit PCM).
    Wav,
    /// MP3.
    Mp3,
    /// Raw 16-bit little-endian PCM (synthesized as WAV, header removed locally).
    Pcm,
}

/// `ttsc synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The text to synthesize
    #[arg(
        value_name = "TEXT",
        required_unless_present_any = ["text_file", "input_json"],
        conflicts_with = "text_file"
    )]
    pub text: Option<String>,
    /// Read the text from FILE (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
    /// Voice: an asset id, or a voice's exact name (`ttsc voice list` shows both)
    #[arg(long, value_name = "VOICE", required_unless_present = "input_json")]
    pub voice: Option<String>,
    /// Where to write the audio (`-` for standard output); required unless --no-wait
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        required_unless_present = "no_wait"
    )]
    pub output: Option<PathBuf>,
    /// Audio format [default: from the extension of --output, else wav]
    #[arg(long, value_enum)]
    pub format: Option<SynthFormat>,
    /// Also write SRT subtitles to FILE
    #[arg(long, value_name = "FILE")]
    pub srt: Option<PathBuf>,
    /// Also write the timestamp file (JSON) to FILE
    #[arg(long, value_name = "FILE")]
    pub timestamps: Option<PathBuf>,
    /// Speech rate, 50 to 200 (100 is normal)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub speed: Option<i32>,
    /// Pitch, 50 to 200
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub pitch: Option<i32>,
    /// Volume, 90 to 240
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub volume: Option<i32>,
    /// Audio channels, 1 or 2
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub channels: Option<i32>,
    /// The body shared with `audition create`.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Ask for subtitles (gen_srt) without downloading them: with --no-wait, `jobs download`
    /// fetches them later (--srt FILE implies it)
    #[arg(long)]
    pub gen_srt: bool,
    /// Ask for the timestamp file (need_timestamp) without downloading it (--timestamps FILE
    /// implies it)
    #[arg(long)]
    pub need_timestamp: bool,
    /// Longest subtitle, in characters (srt_len, at least 0)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub srt_len: Option<i32>,
    /// Lines per subtitle (srt_line_limit, at least 0)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub srt_line_limit: Option<i32>,
    /// Return MS milliseconds of silence if synthesis fails (silence_flag and
    /// silence_time_ms, 0 to 5000)
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub silence_ms: Option<i32>,
    /// URL the service calls when the job ends (callback_config.callback_url)
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
    /// Priority, 0 (highest) to 10
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub priority: Option<i32>,
    /// Let the service segment the text (slice_segments)
    #[arg(long)]
    pub slice_segments: bool,
    /// Bill the job against reserved (yearly/monthly) concurrency (is_concurrent_resource)
    #[arg(long)]
    pub concurrent_resource: bool,
    /// Also upload the audio to URL (output_external_url; allow-listed tenants only)
    #[arg(long, value_name = "URL")]
    pub output_external_url: Option<String>,
    /// Also upload the subtitles to URL (srt_output_external_url; allow-listed tenants only)
    #[arg(long, value_name = "URL")]
    pub srt_output_external_url: Option<String>,
    /// Also upload the action file to URL (action_output_external_url; allow-listed tenants
    /// only)
    #[arg(long, value_name = "URL")]
    pub action_output_external_url: Option<String>,
    /// The job's body as JSON in wire names (`text`, `voice_asset_id`, `speed`, …), from FILE
    /// or `-`; flags given as well win
    #[arg(long, value_name = "FILE")]
    pub input_json: Option<PathBuf>,
    /// Create the job, print its id and the `ttsc jobs download` command that fetches its
    /// audio, and exit without waiting
    #[arg(long, conflicts_with_all = ["srt", "timestamps"])]
    pub no_wait: bool,
    /// Longest part of a long text, in characters: a longer text runs as several jobs,
    /// joined into one file
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    pub max_part_chars: u16,
    /// Parts of a long text synthesized at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// Body fields `synth` and `audition create` share.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Text as sent to the engine (tts_text), e.g. SSML markup, from FILE or `-`; TEXT stays
    /// the text the records show
    #[arg(long, value_name = "FILE")]
    pub ssml: Option<PathBuf>,
    /// Apply the tenant's custom pronunciations (is_vocabulary_config_enable=true)
    #[arg(long, overrides_with = "no_vocabulary")]
    pub vocabulary: bool,
    /// Do not apply them (is_vocabulary_config_enable=false)
    #[arg(long, overrides_with = "vocabulary")]
    pub no_vocabulary: bool,
}

impl EngineArgs {
    /// `is_vocabulary_config_enable` as the flags set it.
    pub fn vocabulary(&self) -> Option<bool> {
        match (self.vocabulary, self.no_vocabulary) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

/// `ttsc batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// JSON Lines (`{"id": …, "text": …, "voice": …}` per line) or CSV with a header
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Directory for the outputs (one per line, named by its id) and the journal
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Lines in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Further tries of a line after a failure
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub retries: u8,
    /// When another batch is using --out-dir, wait for it to finish instead of exiting 1
    #[arg(long)]
    pub wait_lock: bool,
    /// Try again the lines that failed for good in an earlier run (their job failed, or the
    /// service refused the request)
    #[arg(long)]
    pub retry_failed: bool,
    /// Overwrite files in --out-dir that this batch's journal did not write
    #[arg(long)]
    pub force: bool,
}

/// `ttsc jobs …`.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List job records, newest first
    List(JobsListArgs),
    /// Show an asynchronous job
    Get(IdArg),
    /// Wait for an asynchronous job to finish
    Wait(IdArg),
    /// Download the files of a job (waiting for it to finish first)
    Download(JobsDownloadArgs),
}

/// A job id.
#[derive(Debug, Args)]
pub struct IdArg {
    /// The job id
    #[arg(value_name = "ID")]
    pub id: String,
}

/// A job id and where its files go.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The job id (letters, digits, - and _: it names the files)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Directory to write the files to, named by the id (ID.wav or ID.mp3, ID.srt, ID.timestamps.json)
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "output",
        conflicts_with = "output"
    )]
    pub out_dir: Option<PathBuf>,
    /// Write the audio to FILE (`-` for standard output; .pcm or .raw: the samples without
    /// the WAV header)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ttsc jobs download`: the id, where the files go, and where the subtitles and
/// timestamps go when the audio goes to one file.
#[derive(Debug, Args)]
pub struct JobsDownloadArgs {
    /// The id and the audio's destination.
    #[command(flatten)]
    pub files: DownloadArgs,
    /// With --output: also write the SRT subtitles to FILE
    #[arg(long, value_name = "FILE", requires = "output")]
    pub srt: Option<PathBuf>,
    /// With --output: also write the timestamp file (JSON) to FILE
    #[arg(long, value_name = "FILE", requires = "output")]
    pub timestamps: Option<PathBuf>,
    /// With --output: write the samples without the WAV header (raw PCM), as a .pcm or
    /// .raw name does, whatever FILE is called
    #[arg(long, requires = "output")]
    pub pcm: bool,
}

/// Paging options of a listing.
#[derive(Debug, Clone, Args)]
pub struct PageArgs {
    /// Every record, streamed (constant memory)
    #[arg(long)]
    pub all: bool,
    /// Records per page, 1 to 100 [default: the service's, 10]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub limit: Option<i32>,
    /// Records to skip
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub offset: Option<i32>,
}

/// `limit` and `offset` of a call that documents them but is no listing (a delete, the
/// phonetic lookup): sent only when given, as the official SDK does.
#[derive(Debug, Clone, Args)]
pub struct QueryPageArgs {
    /// Send the query parameter `limit` (the call documents it; its effect is the service's)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub limit: Option<i32>,
    /// Send the query parameter `offset`
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub offset: Option<i32>,
}

/// `ttsc jobs list`.
#[derive(Debug, Args)]
pub struct JobsListArgs {
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// Only records created at or after T (RFC 3339, YYYY-MM-DD, or an age like 30m, 2h, 7d)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub since: Option<String>,
    /// Only records created at or before T (same forms as --since)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub until: Option<String>,
    /// Only jobs of this type
    #[arg(long = "type", value_name = "TYPE", value_parser = KnownValues(JobType::VALUES))]
    pub job_type: Option<String>,
    /// Only jobs of this engine
    #[arg(long, value_name = "S", value_parser = KnownValues(TtsServiceEnum::VALUES))]
    pub service: Option<String>,
    /// Only jobs of this business type
    #[arg(long, value_name = "B")]
    pub business_type: Option<String>,
    /// Only the job with this id
    #[arg(long, value_name = "ID")]
    pub job_id: Option<String>,
}

/// `ttsc audition …`.
#[derive(Debug, Subcommand)]
pub enum AuditionCommand {
    /// Create a preview of a voice
    Create(AuditionCreateArgs),
    /// Show a preview's files
    Get(IdArg),
    /// Wait for a preview to be ready
    Wait(IdArg),
    /// Download a preview's files
    Download(DownloadArgs),
}

/// `ttsc audition create`.
#[derive(Debug, Args)]
pub struct AuditionCreateArgs {
    /// The text to preview
    #[arg(value_name = "TEXT", required_unless_present = "input_json")]
    pub text: Option<String>,
    /// Voice: an asset id, or a voice's exact name (`ttsc voice list` shows both)
    #[arg(long, value_name = "VOICE", required_unless_present = "input_json")]
    pub voice: Option<String>,
    /// Speech rate, 50 to 200
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub speed: Option<i32>,
    /// Pitch, 50 to 200
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub pitch: Option<i32>,
    /// Volume, 90 to 240
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub volume: Option<i32>,
    /// Business type
    #[arg(long, value_name = "B")]
    pub business_type: Option<String>,
    /// Audio channels, 1 or 2
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub channels: Option<i32>,
    /// Speaking style or emotion
    #[arg(long, value_name = "S")]
    pub style: Option<String>,
    /// The body shared with `synth`.
    #[command(flatten)]
    pub engine: EngineArgs,
    /// The preview's body as JSON in wire names (`text`, `emotion`, `speed`, …), from FILE or
    /// `-`; flags given as well win
    #[arg(long, value_name = "FILE")]
    pub input_json: Option<PathBuf>,
}

/// `ttsc vocab …`.
#[derive(Debug, Subcommand)]
pub enum VocabCommand {
    /// List vocabulary entries, newest first
    List(VocabListArgs),
    /// Create an entry
    Create(VocabEntryArgs),
    /// Replace an entry
    Update(VocabUpdateArgs),
    /// Delete entries by id
    Delete(VocabDeleteArgs),
}

/// `ttsc vocab list`.
#[derive(Debug, Args)]
pub struct VocabListArgs {
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// Only entries of this type
    #[arg(long = "type", value_name = "TYPE", value_parser = KnownValues(VocabularyType::VALUES))]
    pub vocab_type: Option<String>,
    /// Only entries of this group
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
    /// Only entries of groups applied to this voice
    #[arg(long, value_name = "ID")]
    pub asset_id: Option<String>,
    /// Only entries whose key or value contains TEXT
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only entries of this voice model (tts_service_name)
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Send is_vocabulary_config_enable=VALUE (true or false; passed through by the service)
    #[arg(long, value_name = "VALUE")]
    pub vocabulary_enable: Option<String>,
    /// Only entries from T on (start_time: RFC 3339, YYYY-MM-DD, or an age like 2h, 7d)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub since: Option<String>,
    /// Only entries up to T (end_time; same forms as --since)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub until: Option<String>,
}

/// An entry's fields.
#[derive(Debug, Args)]
pub struct VocabEntryArgs {
    /// Type of the entry
    #[arg(long = "type", value_name = "TYPE", value_parser = KnownValues(VocabularyType::VALUES))]
    pub vocab_type: String,
    /// The word
    #[arg(long, value_name = "TEXT")]
    pub key: String,
    /// How to read it
    #[arg(long, value_name = "TEXT")]
    pub value: String,
    /// Vocabulary group
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
}

/// `ttsc vocab update`.
#[derive(Debug, Args)]
pub struct VocabUpdateArgs {
    /// The entry's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The new fields.
    #[command(flatten)]
    pub entry: VocabEntryArgs,
}

/// `ttsc vocab delete`.
#[derive(Debug, Args)]
pub struct VocabDeleteArgs {
    /// Ids of the entries
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,
    /// Query parameters.
    #[command(flatten)]
    pub page: QueryPageArgs,
}

/// `ttsc vocab-group …`.
#[derive(Debug, Subcommand)]
pub enum VocabGroupCommand {
    /// List vocabulary groups
    List(VocabGroupListArgs),
    /// Create a group
    Create(GroupNameArgs),
    /// Rename a group
    Update(GroupUpdateArgs),
    /// Delete a group (its entries stay, without a group)
    Delete(GroupDeleteArgs),
    /// Set the voices a group applies to
    SetAssets(SetAssetsArgs),
}

/// `ttsc vocab-group list`.
#[derive(Debug, Args)]
pub struct VocabGroupListArgs {
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// Only this group
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
}

/// A group name.
#[derive(Debug, Args)]
pub struct GroupNameArgs {
    /// The group's name
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// A group id and a new name.
#[derive(Debug, Args)]
pub struct GroupUpdateArgs {
    /// The group's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The new name
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// `ttsc vocab-group delete`.
#[derive(Debug, Args)]
pub struct GroupDeleteArgs {
    /// The group's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// Query parameters.
    #[command(flatten)]
    pub page: QueryPageArgs,
}

/// `ttsc vocab-group set-assets`.
#[derive(Debug, Args)]
pub struct SetAssetsArgs {
    /// The group's id
    #[arg(value_name = "ID")]
    pub id: String,
    /// Voice asset ids (none: the group applies to no voice)
    #[arg(value_name = "ASSET_ID")]
    pub assets: Vec<String>,
}

/// `ttsc tenant-config …`.
#[derive(Debug, Subcommand)]
pub enum TenantConfigCommand {
    /// List tenant switches
    Get(TenantGetArgs),
    /// Set a tenant switch
    Set(TenantSetArgs),
}

/// `ttsc tenant-config get`.
#[derive(Debug, Args)]
pub struct TenantGetArgs {
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
    /// Only this key
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
}

/// `ttsc tenant-config set`.
#[derive(Debug, Args)]
pub struct TenantSetArgs {
    /// The switch, e.g. vocabulary
    #[arg(value_name = "KEY")]
    pub key: String,
    /// Its value: true or false (sent as the string "true" or "false"; other text as is)
    #[arg(value_name = "VALUE")]
    pub value: String,
    /// The switch's id (primary key), when updating a known one
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

/// `ttsc phonetic`.
#[derive(Debug, Args)]
pub struct PhoneticArgs {
    /// An English word
    #[arg(value_name = "WORD")]
    pub word: String,
    /// Query parameters.
    #[command(flatten)]
    pub page: QueryPageArgs,
}

/// `ttsc voice …`.
#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// List voices (Huawei's system voices by default), with their ids and names
    List(VoiceListArgs),
    /// Show a voice: the whole record and its sample's URL
    Show(VoiceArg),
    /// Download a voice's sample recording
    Sample(VoiceSampleArgs),
    /// Check that a voice can be used
    Check(VoiceIdArg),
}

/// Whose voices `ttsc voice list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VoiceSource {
    /// Huawei's preset voices.
    System,
    /// The account's own voices (clones).
    Custom,
    /// Both.
    All,
}

/// `ttsc voice list`.
#[derive(Debug, Args)]
pub struct VoiceListArgs {
    /// Whose voices
    #[arg(long, value_enum, default_value_t = VoiceSource::System)]
    pub source: VoiceSource,
    /// Only voices speaking LANG (CN, EN, JPN, YY, Kr, ESP, …; comma-separated for several)
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,
    /// Only voices of this sex (female, male; comma-separated for both)
    #[arg(long, value_name = "SEX")]
    pub sex: Option<String>,
    /// Only voices whose name contains NAME (ignoring case)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Only voices of this provider (HUAWEI_METASTUDIO, MOBVOI)
    #[arg(long, value_name = "P")]
    pub provider: Option<String>,
    /// Only voices that support real-time synthesis (live streaming, interaction)
    #[arg(long)]
    pub realtime: bool,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// A voice by id or name.
#[derive(Debug, Args)]
pub struct VoiceArg {
    /// Voice: an asset id, or a voice's exact name
    #[arg(value_name = "VOICE")]
    pub voice: String,
}

/// `ttsc voice sample`.
#[derive(Debug, Args)]
pub struct VoiceSampleArgs {
    /// Voice: an asset id, or a voice's exact name
    #[arg(value_name = "VOICE")]
    pub voice: String,
    /// Where to write the recording (`-` for standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// A voice id.
#[derive(Debug, Args)]
pub struct VoiceIdArg {
    /// Voice asset id
    #[arg(value_name = "ID")]
    pub id: String,
}

/// `ttsc configure`.
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Access key id [default: asked for]
    #[arg(long, value_name = "AK")]
    pub access_key_id: Option<String>,
}

/// `ttsc config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the resolved settings and where each came from (secrets masked)
    Show,
}

/// `ttsc sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// HTTP method
    #[arg(long, value_name = "M", value_parser = parse_method)]
    pub method: String,
    /// The full URL, query included
    #[arg(long, value_name = "URL", value_parser = parse_sign_url)]
    pub url: url::Url,
    /// A header to send and sign, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// The body (`@FILE` reads a file)
    #[arg(long, value_name = "BODY")]
    pub data: Option<String>,
    /// Signing time as X-Sdk-Date, YYYYMMDDTHHMMSSZ [default: now]
    #[arg(long, value_name = "DATE", value_parser = parse_sdk_date)]
    pub date: Option<SystemTime>,
    /// Signing algorithm
    #[arg(long, value_name = "A", default_value = SigningAlgorithm::SdkHmacSha256.as_str(),
          value_parser = PossibleValuesParser::new(SigningAlgorithm::ALL.map(SigningAlgorithm::as_str))
              .try_map(|s| s.parse::<SigningAlgorithm>()))]
    pub algorithm: SigningAlgorithm,
    /// Print a ready curl command instead
    #[arg(long)]
    pub curl: bool,
}

/// `ttsc api`: the input is a JSON object like the official SDK request model's `to_dict()`:
/// path and query parameters by name, `x_app_user_id`, `x_request_id`, and `body` with the
/// wire fields.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The operation: its name (ShowTtsJob) or the SDK's method name (show_tts_job)
    #[arg(value_name = "OPERATION", required_unless_present = "list")]
    pub operation: Option<String>,
    /// The request as a JSON object, from FILE or `-` (standard input) [default: {}]
    #[arg(long, value_name = "FILE", conflicts_with = "list")]
    pub input_json: Option<PathBuf>,
    /// List every operation with its method, path and input keys
    #[arg(long, conflicts_with = "operation")]
    pub list: bool,
}

/// `ttsc emulator`.
#[derive(Debug, Args)]
pub struct EmulatorCmd {
    /// The emulator's flags.
    #[command(flatten)]
    pub args: ttsc_emulator::EmulatorArgs,
}

/// `ttsc completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// A value of an enumeration: the documented values are offered in help and completions, but
/// any other is accepted too (with a warning when the request is validated), so a value the
/// service adds after this version can still be sent.
#[derive(Debug, Clone, Copy)]
pub struct KnownValues(pub &'static [&'static str]);

impl TypedValueParser for KnownValues {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().map(|v| clap::builder::PossibleValue::new(*v)),
        ))
    }
}

/// An `http` or `https` URL with a host and no query; returned without a trailing slash.
pub fn parse_http_url(s: &str) -> Result<String, String> {
    let url = parse_sign_url(s)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a query or fragment".into());
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// An `http` or `https` URL with a host.
fn parse_sign_url(s: &str) -> Result<url::Url, String> {
    // The URL parser drops tabs and newlines silently; a URL that has them is refused.
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("the URL must not contain spaces or control characters".into());
    }
    let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    Ok(url)
}

fn parse_region(s: &str) -> Result<String, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(s.to_string())
    } else {
        Err("expected a region id such as cn-north-4".into())
    }
}

fn parse_project_id(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(s.to_string())
    } else {
        Err("expected a project id (letters and digits)".into())
    }
}

/// A positive number of seconds.
fn parse_secs(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| "expected a number of seconds".to_string())?;
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 * 7.0 {
        return Err("expected a number of seconds greater than 0 (at most a week)".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A size in bytes: a whole number with an optional unit, K/KiB, M/MiB, G/GiB, T/TiB
/// (powers of 1024; case-insensitive; `B` alone means bytes).
fn parse_size(s: &str) -> Result<u64, String> {
    let err = || "expected a size such as 1048576, 500M or 4GiB (greater than 0)".to_string();
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u64 = n.parse().map_err(|_| err())?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        _ => return Err(err()),
    };
    match n.checked_mul(1u64 << shift) {
        Some(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(err()),
    }
}

fn parse_method(s: &str) -> Result<String, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(s.to_ascii_uppercase())
    } else {
        Err("expected an HTTP method such as GET or POST".into())
    }
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| "expected `Name: value`".to_string())?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("expected `Name: value` with a header name".into());
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// `YYYYMMDDTHHMMSSZ`, the `X-Sdk-Date` form.
fn parse_sdk_date(s: &str) -> Result<SystemTime, String> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(s, &format)
        .map_err(|_| "expected YYYYMMDDTHHMMSSZ, e.g. 20261122T081500Z".to_string())?;
    Ok(t.assume_utc().into())
}

/// A point in time for record filters: RFC 3339, a date (`YYYY-MM-DD`, midnight UTC), or an
/// age (`90s`, `30m`, `2h`, `7d`) before now. Returned as RFC 3339 UTC.
pub fn parse_time(s: &str) -> Result<String, String> {
    parse_time_at(s, SystemTime::now())
}

/// The oldest age `--since`/`--until` take, in days (about 50 years: back to 1976 at most).
const MAX_AGE_DAYS: u64 = 18_250;

fn parse_time_at(s: &str, now: SystemTime) -> Result<String, String> {
    const HELP: &str =
        "expected RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01) or an age (30m, 2h, 7d)";
    if ttsc_models::wire::is_rfc3339(s) {
        return Ok(s.to_string());
    }
    let rfc3339 = |t: time::OffsetDateTime| {
        t.to_offset(time::UtcOffset::UTC)
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .map_err(|_| HELP.to_string())
    };
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &date_format) {
        return rfc3339(d.midnight().assume_utc());
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| HELP.to_string())?;
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(HELP.into()),
    };
    let too_old = || format!("an age must be at most {MAX_AGE_DAYS}d ({MAX_AGE_DAYS} days)");
    let secs = n
        .checked_mul(unit_secs)
        .filter(|&s| s <= MAX_AGE_DAYS * 86_400)
        .ok_or_else(too_old)?;
    let t = now
        .checked_sub(Duration::from_secs(secs))
        .filter(|t| *t >= SystemTime::UNIX_EPOCH)
        .ok_or_else(too_old)?;
    rfc3339(time::OffsetDateTime::from(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_accept_three_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_335_300);
        assert_eq!(
            parse_time_at("2026-11-01T00:00:00Z", now).unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(
            parse_time_at("2026-11-01", now).unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(parse_time_at("2h", now).unwrap(), "2026-11-22T06:15:00Z");
        assert_eq!(parse_time_at("1d", now).unwrap(), "2026-11-21T08:15:00Z");
        for bad in [
            "yesterday",
            "2026-13-01",
            "5w",
            "",
            "h",
            "99999999999999d",
            "18446744073709551615s",
            "18251d",
        ] {
            assert!(parse_time_at(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_headers_and_dates() {
        assert_eq!(
            parse_http_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(parse_http_url("ftp://x").is_err());
        assert!(parse_http_url("not a url").is_err());
        assert_eq!(
            parse_header("Content-Type: application/json").unwrap(),
            ("Content-Type".into(), "application/json".into())
        );
        assert!(parse_header("nocolon").is_err());
        assert!(parse_sdk_date("20261122T081500Z").is_ok());
        assert!(parse_sdk_date("2026-11-22").is_err());
        assert!(parse_secs("0").is_err() && parse_secs("-1").is_err() && parse_secs("1.5").is_ok());
    }
}
