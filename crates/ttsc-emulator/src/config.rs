//! The emulator's configuration: [`EmulatorBuilder`], the demo credentials it uses by
//! default, and the errors of a bad configuration.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ttsc_auth::clock::{Clock, SystemClock};
use ttsc_auth::{AccessKeyCredentials, SecretString};

use crate::faults;

/// The access key id used when none is configured. Not a secret: it is printed on start
/// and documented, so anyone can talk to a default emulator.
pub const DEMO_AK: &str = "TTSCEMULATORDEMOAK00";
/// The secret access key used when none is configured (a documented demo value).
pub const DEMO_SK: &str = "ttsc-emulator-demo-secret-access-key-0000";
/// The project id used when none is configured.
pub const DEMO_PROJECT_ID: &str = "0e2d5bd5e2c94a1e8f6b3c7d9a1b2c3d";
/// A voice that always works: any 32-hex-digit id does, this one is documented.
pub const DEMO_VOICE: &str = "4f2d0b7e8f6a4b0c9d1e2f3a4b5c6d7e";
/// The voice whose jobs always fail (`FAILED` with a message; CheckVoiceAsset reports it
/// `BLOCK`).
pub const FAILING_VOICE: &str = "00000000000000000000000000000000";
/// The IAM user name accepted by `POST /v3/auth/tokens` when none is configured.
pub const DEMO_USER: &str = "ttsc-demo";
/// The IAM password of [`DEMO_USER`].
pub const DEMO_PASSWORD: &str = "ttsc-demo-password";
/// The IAM account (domain) name of [`DEMO_USER`].
pub const DEMO_DOMAIN: &str = "ttsc-demo";
/// The region the emulator plays when none is configured.
pub const DEFAULT_REGION: &str = "cn-north-4";
/// How long a job of up to 100 characters takes by default, in milliseconds.
pub const DEFAULT_JOB_DURATION_MS: u64 = 1500;
/// How long download URLs stay valid by default, in seconds (the service's hour).
pub const DEFAULT_URL_TTL_SECS: u64 = crate::files::DEFAULT_TTL_SECS;
/// How long an IAM token stays valid, in seconds of emulator time (24 hours).
pub const TOKEN_TTL_SECS: u64 = 24 * 3600;
/// Consecutive failed signatures after which an access key is locked.
pub const DEFAULT_LOCKOUT_FAILURES: u32 = 5;
/// How long a locked access key stays locked, in seconds.
pub const DEFAULT_LOCKOUT_SECS: u64 = 5 * 60;
/// The largest `--preload-jobs`.
pub const MAX_PRELOAD_JOBS: usize = 1_000_000;
/// The largest `--job-duration-ms` (one hour).
pub const MAX_JOB_DURATION_MS: u64 = 3_600_000;
/// The largest `--latency-ms` (one minute).
pub const MAX_LATENCY_MS: u64 = 60_000;
/// The largest `--clock-offset-secs`, either way (ten years).
pub const MAX_CLOCK_OFFSET_SECS: i64 = 10 * 365 * 86_400;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A setting is out of range or malformed; `flag` names it as on the command line.
    #[error("invalid {flag}: {reason}")]
    InvalidSetting {
        /// The command-line flag of the setting, e.g. `--fault-rate`.
        flag: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The request log could not be opened.
    #[error("cannot open the request log {}", path.display())]
    RequestLog {
        /// The file asked for.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl EmulatorError {
    pub(crate) fn invalid(flag: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidSetting {
            flag,
            reason: reason.into(),
        }
    }

    /// The flag of an invalid setting, if that is the error.
    pub fn flag(&self) -> Option<&'static str> {
        match self {
            Self::InvalidSetting { flag, .. } => Some(flag),
            _ => None,
        }
    }
}

/// Temporary AK/SK credentials the emulator accepts with `X-Security-Token`.
#[derive(Clone)]
pub(crate) struct TemporaryKey {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: SecretString,
    /// The one accepted token; `None` accepts any non-empty token.
    pub(crate) security_token: Option<SecretString>,
}

/// The credentials and identity an emulator accepts, as reported by
/// [`Emulator::credentials`](crate::Emulator::credentials).
///
/// These are the emulator's own test credentials (the demo values unless configured),
/// so they are readable; `Debug` still masks the secret key and the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmulatorCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: SecretString,
    pub(crate) project_id: String,
    pub(crate) region: String,
    pub(crate) user: String,
    pub(crate) password: SecretString,
    pub(crate) domain: String,
}

impl EmulatorCredentials {
    /// The access key id (AK) requests must be signed with.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key (SK).
    pub fn secret_access_key(&self) -> &str {
        self.secret_access_key.expose_secret()
    }

    /// The AK/SK as signing credentials.
    pub fn access_key_credentials(&self) -> AccessKeyCredentials {
        AccessKeyCredentials::new(self.access_key_id.clone(), self.secret_access_key.clone())
    }

    /// The project id of the emulated region (the `{project_id}` of every path).
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The region name, e.g. `cn-north-4`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The IAM user name accepted by `POST /v3/auth/tokens`.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The IAM user's password.
    pub fn password(&self) -> &str {
        self.password.expose_secret()
    }

    /// The IAM account (domain) name.
    pub fn domain(&self) -> &str {
        &self.domain
    }
}

/// Everything [`EmulatorBuilder::start`] needs, validated.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) listen: SocketAddr,
    pub(crate) credentials: EmulatorCredentials,
    pub(crate) temporary: Option<TemporaryKey>,
    pub(crate) latency: Duration,
    pub(crate) fault_rate: f64,
    pub(crate) download_fault_rate: f64,
    pub(crate) seed: u64,
    pub(crate) job_duration_ms: u64,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) clock_offset_secs: i64,
    pub(crate) url_ttl_secs: u64,
    pub(crate) preload_jobs: usize,
    pub(crate) custom_voices: bool,
    pub(crate) request_log: Option<PathBuf>,
    pub(crate) lockout_failures: u32,
    pub(crate) lockout: Duration,
    pub(crate) inspection_capacity: usize,
}

/// Builds and starts an [`Emulator`](crate::Emulator).
///
/// Every setting has a default that works out of the box: `127.0.0.1:0`, the demo
/// credentials ([`DEMO_AK`], [`DEMO_SK`], [`DEMO_PROJECT_ID`], [`DEMO_USER`]…), region
/// `cn-north-4`, no latency, no faults, seed 0, 1.5 s jobs, the system clock, one-hour
/// download URLs. The first invalid setting is kept and reported by
/// [`start`](Self::start), naming its command-line flag.
///
/// ```no_run
/// # async fn demo() -> Result<(), ttsc_emulator::EmulatorError> {
/// let emulator = ttsc_emulator::Emulator::builder()
///     .job_duration_ms(100)
///     .preload_jobs(50)
///     .seed(7)
///     .start()
///     .await?;
/// assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(emulator.credentials().project_id(), ttsc_emulator::DEMO_PROJECT_ID);
/// emulator.shutdown().await;
/// # Ok(()) }
/// ```
#[must_use]
pub struct EmulatorBuilder {
    config: Config,
    error: Option<EmulatorError>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("listen", &self.config.listen)
            .field("credentials", &self.config.credentials)
            .field("seed", &self.config.seed)
            .finish_non_exhaustive()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

impl EmulatorBuilder {
    /// A builder with every default.
    pub fn new() -> Self {
        Self {
            config: Config {
                listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                credentials: EmulatorCredentials {
                    access_key_id: DEMO_AK.to_owned(),
                    secret_access_key: DEMO_SK.into(),
                    project_id: DEMO_PROJECT_ID.to_owned(),
                    region: DEFAULT_REGION.to_owned(),
                    user: DEMO_USER.to_owned(),
                    password: DEMO_PASSWORD.into(),
                    domain: DEMO_DOMAIN.to_owned(),
                },
                temporary: None,
                latency: Duration::ZERO,
                fault_rate: 0.0,
                download_fault_rate: 0.0,
                seed: 0,
                job_duration_ms: DEFAULT_JOB_DURATION_MS,
                clock: Arc::new(SystemClock),
                clock_offset_secs: 0,
                url_ttl_secs: DEFAULT_URL_TTL_SECS,
                preload_jobs: 0,
                custom_voices: false,
                request_log: None,
                lockout_failures: DEFAULT_LOCKOUT_FAILURES,
                lockout: Duration::from_secs(DEFAULT_LOCKOUT_SECS),
                inspection_capacity: 10_000,
            },
            error: None,
        }
    }

    pub(crate) fn fail(mut self, error: EmulatorError) -> Self {
        if self.error.is_none() {
            self.error = Some(error);
        }
        self
    }

    /// The address to listen on (`--listen`); default `127.0.0.1:0` (any free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// The AK/SK requests must be signed with (`--ak`, `--sk`).
    pub fn access_key(mut self, ak: impl Into<String>, sk: impl Into<String>) -> Self {
        let (ak, sk) = (ak.into(), sk.into());
        if ak.is_empty() || !ak.chars().all(is_key_char) {
            return self.fail(EmulatorError::invalid(
                "--ak",
                "must be non-empty letters, digits, `-`, `_` or `.`",
            ));
        }
        if sk.is_empty() || sk.chars().any(|c| c.is_control()) {
            return self.fail(EmulatorError::invalid(
                "--sk",
                "must be non-empty, without control characters",
            ));
        }
        self.config.credentials.access_key_id = ak;
        self.config.credentials.secret_access_key = sk.into();
        self
    }

    /// Also accepts temporary credentials: requests signed with `ak`/`sk` must carry
    /// `X-Security-Token` (signed), equal to `security_token` when given, any non-empty
    /// value otherwise.
    pub fn temporary_access_key(
        mut self,
        ak: impl Into<String>,
        sk: impl Into<String>,
        security_token: Option<String>,
    ) -> Self {
        let (ak, sk) = (ak.into(), sk.into());
        if ak.is_empty() || !ak.chars().all(is_key_char) || sk.is_empty() {
            return self.fail(EmulatorError::invalid(
                "temporary access key",
                "AK and SK must be non-empty",
            ));
        }
        self.config.temporary = Some(TemporaryKey {
            access_key_id: ak,
            secret_access_key: sk.into(),
            security_token: security_token.filter(|t| !t.is_empty()).map(Into::into),
        });
        self
    }

    /// The project id of the emulated region (`--project-id`).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        let id = project_id.into();
        if id.is_empty() || id.len() > 64 || !id.chars().all(is_key_char) {
            return self.fail(EmulatorError::invalid(
                "--project-id",
                "must be 1 to 64 letters, digits, `-`, `_` or `.`",
            ));
        }
        self.config.credentials.project_id = id;
        self
    }

    /// The region name (`--region`); default `cn-north-4`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        let region = region.into();
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return self.fail(EmulatorError::invalid(
                "--region",
                "must be lower-case letters, digits and `-`, like cn-north-4",
            ));
        }
        self.config.credentials.region = region;
        self
    }

    /// The IAM user accepted by password login (`--user`, `--password`); the account
    /// (domain) name defaults to the user name (see [`domain`](Self::domain)).
    pub fn iam_user(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        let (user, password) = (user.into(), password.into());
        if user.is_empty() {
            return self.fail(EmulatorError::invalid("--user", "must not be empty"));
        }
        if password.is_empty() {
            return self.fail(EmulatorError::invalid("--password", "must not be empty"));
        }
        self.config.credentials.domain.clone_from(&user);
        self.config.credentials.user = user;
        self.config.credentials.password = password.into();
        self
    }

    /// The IAM account (domain) name (`--domain`); call after [`iam_user`](Self::iam_user).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        let domain = domain.into();
        if domain.is_empty() {
            return self.fail(EmulatorError::invalid("--domain", "must not be empty"));
        }
        self.config.credentials.domain = domain;
        self
    }

    /// A delay before every API call is answered (`--latency-ms`).
    pub fn latency_ms(mut self, ms: u64) -> Self {
        if ms > MAX_LATENCY_MS {
            return self.fail(EmulatorError::invalid(
                "--latency-ms",
                format!("must be at most {MAX_LATENCY_MS}, got {ms}"),
            ));
        }
        self.config.latency = Duration::from_millis(ms);
        self
    }

    /// The fraction of API calls that fail (`--fault-rate`), 0 to 1.
    pub fn fault_rate(mut self, rate: f64) -> Self {
        if faults::validate_rate(faults::FAULT_RATE_FLAG, rate).is_err() {
            return self.fail(EmulatorError::invalid(
                faults::FAULT_RATE_FLAG,
                format!("must be a number between 0.0 and 1.0, got {rate}"),
            ));
        }
        self.config.fault_rate = rate;
        self
    }

    /// The fraction of downloads cut short (`--download-fault-rate`), 0 to 1.
    pub fn download_fault_rate(mut self, rate: f64) -> Self {
        if faults::validate_rate(faults::DOWNLOAD_FAULT_RATE_FLAG, rate).is_err() {
            return self.fail(EmulatorError::invalid(
                faults::DOWNLOAD_FAULT_RATE_FLAG,
                format!("must be a number between 0.0 and 1.0, got {rate}"),
            ));
        }
        self.config.download_fault_rate = rate;
        self
    }

    /// The seed of every random choice (`--seed`): ids, faults, preloaded records, URL
    /// signing keys. Default 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// How long a job takes (`--job-duration-ms`): this long for up to 100 characters of
    /// text, growing with longer texts (see the crate documentation).
    pub fn job_duration_ms(mut self, ms: u64) -> Self {
        if ms > MAX_JOB_DURATION_MS {
            return self.fail(EmulatorError::invalid(
                "--job-duration-ms",
                format!("must be at most {MAX_JOB_DURATION_MS}, got {ms}"),
            ));
        }
        self.config.job_duration_ms = ms;
        self
    }

    /// The clock the emulator reads (before the offset); default the system clock. Tests
    /// pass a [`ManualClock`](ttsc_auth::clock::ManualClock) to move time by hand.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.config.clock = clock;
        self
    }

    /// Shifts the emulator's clock (`--clock-offset-secs`), to exercise clients' clock
    /// skew handling.
    pub fn clock_offset_secs(mut self, secs: i64) -> Self {
        if secs.unsigned_abs() > MAX_CLOCK_OFFSET_SECS.unsigned_abs() {
            return self.fail(EmulatorError::invalid(
                "--clock-offset-secs",
                format!("must be within ±{MAX_CLOCK_OFFSET_SECS}, got {secs}"),
            ));
        }
        self.config.clock_offset_secs = secs;
        self
    }

    /// How long download URLs stay valid (`--url-ttl-secs`); default 3600.
    pub fn url_ttl_secs(mut self, secs: u64) -> Self {
        if secs == 0 || secs > 7 * 86_400 {
            return self.fail(EmulatorError::invalid(
                "--url-ttl-secs",
                format!("must be 1 to 604800, got {secs}"),
            ));
        }
        self.config.url_ttl_secs = secs;
        self
    }

    /// Synthetic historical job records to start with (`--preload-jobs`).
    pub fn preload_jobs(mut self, count: usize) -> Self {
        if count > MAX_PRELOAD_JOBS {
            return self.fail(EmulatorError::invalid(
                "--preload-jobs",
                format!("must be at most {MAX_PRELOAD_JOBS}, got {count}"),
            ));
        }
        self.config.preload_jobs = count;
        self
    }

    /// Gives the tenant a few voices of its own (`--custom-voices`): ListAssets lists them
    /// under `asset_source` `CUSTOMIZATION` (the default) and `ALL`. One shares its name with
    /// a system voice, as clones often do. Default: none, like a new account.
    pub fn custom_voices(mut self, on: bool) -> Self {
        self.config.custom_voices = on;
        self
    }

    /// Appends one JSON line per request to `path` (`--request-log`).
    pub fn request_log(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.request_log = Some(path.into());
        self
    }

    /// Locks an access key for `lock` after `failures` consecutive bad signatures;
    /// default 5 failures, 5 minutes (the gateway's documented rule).
    pub fn lockout(mut self, failures: u32, lock: Duration) -> Self {
        if failures == 0 {
            return self.fail(EmulatorError::invalid("lockout", "failures must be >= 1"));
        }
        self.config.lockout_failures = failures;
        self.config.lockout = lock;
        self
    }

    /// How many recent requests [`Emulator::requests`](crate::Emulator::requests) keeps;
    /// default 10000. Per-operation counts are never dropped.
    pub fn inspection_capacity(mut self, capacity: usize) -> Self {
        self.config.inspection_capacity = capacity;
        self
    }

    /// Validates the settings, binds the socket and starts serving.
    ///
    /// # Errors
    ///
    /// The first invalid setting ([`EmulatorError::InvalidSetting`]), a socket that
    /// cannot be bound, or a request log that cannot be opened.
    pub async fn start(self) -> Result<crate::Emulator, EmulatorError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        crate::server::start(self.config).await
    }
}
