//! The command-line flags of the emulator, shared by the `ttsc-emulator` binary and
//! `ttsc emulator`: a clap [`Args`](clap::Args) struct that converts into the builder.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{DEFAULT_REGION, EmulatorBuilder, EmulatorError};

/// The emulator's flags. Flatten it into a clap command (`#[command(flatten)]`), then
/// call [`into_builder`](Self::into_builder).
///
/// Without `--ak`/`--sk`/`--project-id` the documented demo values are used
/// ([`DEMO_AK`](crate::DEMO_AK), [`DEMO_SK`](crate::DEMO_SK),
/// [`DEMO_PROJECT_ID`](crate::DEMO_PROJECT_ID)); without `--user` the demo IAM user.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[non_exhaustive]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Access key id requests must be signed with (default: the demo AK).
    #[arg(long, value_name = "AK", requires = "sk_source")]
    pub ak: Option<String>,
    /// Secret access key (default: the demo SK). Prefer `--sk-file` or the environment: a
    /// flag is visible to every user of the machine.
    #[arg(
        long,
        value_name = "SK",
        env = "TTSC_EMULATOR_SK",
        hide_env_values = true,
        group = "sk_source",
        requires = "ak"
    )]
    pub sk: Option<String>,
    /// Reads the secret access key from the first line of FILE.
    #[arg(long, value_name = "FILE", group = "sk_source", requires = "ak")]
    pub sk_file: Option<PathBuf>,
    /// Project id of the emulated region (default: the demo project).
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// Region name.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_REGION)]
    pub region: String,
    /// IAM user accepted by password login (default: the demo user).
    #[arg(long, value_name = "NAME", requires = "password_source")]
    pub user: Option<String>,
    /// Password of --user.
    #[arg(
        long,
        value_name = "PW",
        env = "TTSC_EMULATOR_PASSWORD",
        hide_env_values = true,
        group = "password_source",
        requires = "user"
    )]
    pub password: Option<String>,
    /// Reads the password of --user from the first line of FILE.
    #[arg(
        long,
        value_name = "FILE",
        group = "password_source",
        requires = "user"
    )]
    pub password_file: Option<PathBuf>,
    /// IAM account (domain) name of --user (default: the user name).
    #[arg(long, value_name = "NAME", requires = "user")]
    pub domain: Option<String>,
    /// Delay before every API call is answered, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction of API calls that fail (503, 500, 429, connection resets), 0 to 1.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub fault_rate: f64,
    /// Seed of every random choice (ids, faults, preloaded records).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// How long a job of up to 100 characters takes, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_JOB_DURATION_MS)]
    pub job_duration_ms: u64,
    /// Shifts the emulator's clock by this many seconds (negative: behind).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub clock_offset_secs: i64,
    /// How long download URLs stay valid, in seconds.
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_URL_TTL_SECS)]
    pub url_ttl_secs: u64,
    /// Synthetic historical job records to start with.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub preload_jobs: usize,
    /// Gives the tenant three voices of its own (listed with asset_source CUSTOMIZATION or
    /// ALL); one shares its name with a system voice.
    #[arg(long)]
    pub custom_voices: bool,
    /// Appends one JSON line per request to FILE (never a secret).
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<PathBuf>,
    /// Fraction of downloads cut short, 0 to 1.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub download_fault_rate: f64,
}

impl EmulatorArgs {
    /// The builder these flags describe.
    pub fn into_builder(self) -> EmulatorBuilder {
        let mut b = EmulatorBuilder::new()
            .listen(self.listen)
            .region(self.region)
            .latency_ms(self.latency_ms)
            .fault_rate(self.fault_rate)
            .download_fault_rate(self.download_fault_rate)
            .seed(self.seed)
            .job_duration_ms(self.job_duration_ms)
            .clock_offset_secs(self.clock_offset_secs)
            .url_ttl_secs(self.url_ttl_secs)
            .preload_jobs(self.preload_jobs)
            .custom_voices(self.custom_voices);
        let sk = secret(self.sk, self.sk_file.as_deref(), "--sk-file");
        let password = secret(
            self.password,
            self.password_file.as_deref(),
            "--password-file",
        );
        let (sk, password) = match (sk, password) {
            (Ok(sk), Ok(password)) => (sk, password),
            (Err(e), _) | (_, Err(e)) => return b.fail(e),
        };
        if let (Some(ak), Some(sk)) = (self.ak, sk) {
            b = b.access_key(ak, sk);
        }
        if let Some(p) = self.project_id {
            b = b.project_id(p);
        }
        if let (Some(u), Some(p)) = (self.user, password) {
            b = b.iam_user(u, p);
        }
        if let Some(d) = self.domain {
            b = b.domain(d);
        }
        if let Some(path) = self.request_log {
            b = b.request_log(path);
        }
        b
    }

    /// Starts an emulator with these flags.
    ///
    /// # Errors
    ///
    /// See [`EmulatorBuilder::start`].
    pub async fn start(self) -> Result<crate::Emulator, EmulatorError> {
        self.into_builder().start().await
    }
}

/// Largest secret file read (a secret is a line; anything longer is not one).
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// A secret given as a value, or as the first line of a file. The error names the flag and
/// the file, never the content.
fn secret(
    value: Option<String>,
    file: Option<&std::path::Path>,
    flag: &'static str,
) -> Result<Option<String>, EmulatorError> {
    use std::io::Read;
    let Some(path) = file else {
        return Ok(value);
    };
    let fail = |why: String| EmulatorError::invalid(flag, format!("{}: {why}", path.display()));
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SECRET_FILE + 1).read_to_string(&mut text))
        .map_err(|e| fail(e.to_string()))?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(fail(format!("larger than {MAX_SECRET_FILE} bytes")));
    }
    let line = text.lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        return Err(fail("the file is empty".into()));
    }
    Ok(Some(line.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn parses_every_flag() {
        let cmd = Cmd::try_parse_from([
            "x",
            "--listen",
            "127.0.0.1:9000",
            "--ak",
            "AK1",
            "--sk",
            "SK1",
            "--project-id",
            "p1",
            "--region",
            "cn-east-3",
            "--user",
            "u",
            "--password",
            "pw",
            "--domain",
            "d",
            "--latency-ms",
            "5",
            "--fault-rate",
            "0.5",
            "--seed",
            "9",
            "--job-duration-ms",
            "10",
            "--clock-offset-secs",
            "-1200",
            "--url-ttl-secs",
            "60",
            "--preload-jobs",
            "100",
            "--request-log",
            "/tmp/x.log",
            "--download-fault-rate",
            "0.1",
            "--custom-voices",
        ])
        .unwrap();
        assert!(cmd.args.custom_voices);
        assert_eq!(cmd.args.clock_offset_secs, -1200);
        assert_eq!(cmd.args.ak.as_deref(), Some("AK1"));
        assert!(
            Cmd::try_parse_from(["x", "--ak", "A"]).is_err(),
            "--ak needs --sk"
        );
        assert!(Cmd::try_parse_from(["x", "--user", "u"]).is_err());
    }

    #[tokio::test]
    async fn invalid_values_name_the_flag() {
        let cmd = Cmd::try_parse_from(["x", "--fault-rate", "1.5"]).unwrap();
        let err = cmd.args.start().await.unwrap_err();
        assert_eq!(err.flag(), Some("--fault-rate"));
        let cmd = Cmd::try_parse_from(["x", "--url-ttl-secs", "0"]).unwrap();
        let err = cmd.args.start().await.unwrap_err();
        assert!(
            err.to_string().starts_with("invalid --url-ttl-secs:"),
            "{err}"
        );
        let cmd = Cmd::try_parse_from(["x", "--project-id", "a/b"]).unwrap();
        assert_eq!(
            cmd.args.start().await.unwrap_err().flag(),
            Some("--project-id")
        );
    }
}
