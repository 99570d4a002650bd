//! [`CliError`]: what went wrong, the exit code it maps to, its causes and hints; and the
//! translation of client, credentials and validation errors into it.

use std::fmt;

use ttsc_client::ErrorKind;
use ttsc_client::text::sanitize;
use ttsc_models::{Rule, ValidationError, Violation};

use crate::env_vars;
use crate::exit_codes::ExitCode;

/// An error as the CLI reports it: `error: MESSAGE`, indented detail lines, `Caused by:`
/// lines and `hint:` lines, and an exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: ExitCode,
    /// The first line, without `error: ` and without a trailing period.
    pub message: String,
    /// Further lines shown under the message (one per problem when there are several).
    pub details: Vec<String>,
    /// The chain of causes, outermost first.
    pub causes: Vec<String>,
    /// Suggestions.
    pub hints: Vec<String>,
    /// Print nothing (a closed standard output is not an error).
    pub silent: bool,
    /// The HTTP status of the service error it came from, so callers decide by it rather
    /// than by the message's text.
    pub status: Option<u16>,
}

/// `Result` with [`CliError`].
pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    /// An error with `code` and `message`.
    pub fn new(code: ExitCode, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
            details: Vec::new(),
            causes: Vec::new(),
            hints: Vec::new(),
            silent: false,
            status: None,
        }
    }

    /// A usage or validation error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Usage, message)
    }

    /// An authentication or configuration error (exit 3).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Config, message)
    }

    /// A service or runtime failure (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Failure, message)
    }

    /// Interrupted by Ctrl-C (exit 130).
    pub fn interrupted() -> Self {
        Self::new(ExitCode::Interrupted, "interrupted")
    }

    /// Standard output was closed by the reader: stop quietly with success.
    pub fn broken_pipe() -> Self {
        let mut e = Self::new(ExitCode::Success, "broken pipe");
        e.silent = true;
        e
    }

    /// Whether the service answered 404 (no such job, voice, …).
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// Adds the causes of `source` (its `source()` chain, `source` itself included). Errors
    /// print one layer each, so the chain has no repeats to remove.
    pub fn caused_by(mut self, source: &(dyn std::error::Error + 'static)) -> Self {
        let mut next = Some(source);
        while let Some(e) = next {
            self.causes.push(sanitize(&e.to_string(), 500));
            next = e.source();
        }
        self
    }

    /// A local file operation failed (exit 1). A full disk says so in the message.
    pub fn io(what: impl Into<String>, e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Self::broken_pipe();
        }
        let mut what = what.into();
        let full = matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        );
        if full {
            what.push_str(": the disk is full");
        }
        let e = Self::failure(what).cause(e.to_string());
        if full { e.hint(DISK_FULL_HINT) } else { e }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<std::io::Error> for CliError {
    /// Writing standard output failed: a closed pipe is not an error.
    fn from(e: std::io::Error) -> Self {
        CliError::io("cannot write the output", &e)
    }
}

/// How a wire field of a request is called on the command line, e.g. `("speed", "--speed")`.
pub type FlagNames<'a> = &'a [(&'a str, &'a str)];

/// One violation in command-line terms: `invalid value 500 for --speed (allowed: 50 to 200)`.
pub fn describe_violation(v: &Violation, flags: FlagNames<'_>) -> String {
    let field = v.field();
    let name = flags
        .iter()
        .find(|(wire, _)| *wire == field)
        .map_or(field, |(_, flag)| *flag);
    match (v.value(), v.rule()) {
        (None, Rule::Required) => format!("{name} is required"),
        (None, rule) => format!("{name} is missing ({rule})"),
        (Some(value), rule) => format!("invalid value {value} for {name} ({rule})"),
    }
}

/// A validation error as a usage error (exit 2) naming the command-line parameters.
pub fn validation(err: &ValidationError, flags: FlagNames<'_>) -> CliError {
    let lines: Vec<String> = err
        .violations()
        .iter()
        .map(|v| describe_violation(v, flags))
        .collect();
    match lines.as_slice() {
        [one] => CliError::usage(one.clone()),
        _ => {
            let mut e = CliError::usage(format!("{} invalid arguments", lines.len()));
            e.details = lines;
            e
        }
    }
}

/// The hint of an error that filled the disk.
pub const DISK_FULL_HINT: &str =
    "free some space (or choose another output directory) and run the command again";

/// Whether the error comes from failing to reach IAM (rather than the API).
fn reaching_iam_failed(err: &ttsc_client::Error) -> bool {
    let mut next = std::error::Error::source(err);
    while let Some(e) = next {
        if e.is::<ttsc_client::auth::iam::TransportError>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// Translates a client error: the exit code from its kind, the chain, and hints.
pub fn from_client(err: &ttsc_client::Error, skew_ms: i64) -> CliError {
    if let Some(v) = err.validation_error() {
        return validation(v, &[]);
    }
    let code = match err.kind() {
        ErrorKind::Validation => ExitCode::Usage,
        ErrorKind::Config | ErrorKind::Credentials => ExitCode::Config,
        _ if err.is_auth_rejected() => ExitCode::Config,
        _ if err.status() == Some(403) => ExitCode::Config,
        _ => ExitCode::Failure,
    };
    let mut message = sanitize(&err.to_string(), 500);
    if err.is_disk_full() {
        message.push_str(": the disk is full");
    }
    let mut e = CliError::new(code, message);
    e.status = err.status();
    if err.is_disk_full() {
        e = e.hint(DISK_FULL_HINT);
    }
    if let Some(id) = err.request_id() {
        e.details.push(format!("request id: {}", sanitize(id, 80)));
    }
    if let Some(source) = std::error::Error::source(err) {
        e = e.caused_by(source);
    }
    let code = err.error_code().unwrap_or_default();
    let msg = err.error_msg().unwrap_or_default().to_ascii_lowercase();
    if code == "APIGW.0301" {
        let skew = if skew_ms == 0 {
            "none measured".to_string()
        } else {
            format!("{:+.1} s (server minus local)", skew_ms as f64 / 1000.0)
        };
        if msg.contains("reach the limit") {
            // The gateway's words for an access key locked after failed signatures.
            e = e.hint(
                "the access key is locked after more than 5 failed signatures in a row: check the \
                 secret key (SK) that belongs to it, then wait 5 minutes before trying again \
                 (the gateway refuses every request with it until then)",
            );
        } else if msg.contains("expired") {
            e = e.hint(format!(
                "the request time is outside the gateway's 15-minute window: set the system clock right (measured skew: {skew})"
            ));
        } else if msg.contains("token") {
            e = e.hint(format!(
                "the token was not accepted: get a new one ({} or --auth-token)",
                env_vars::TTSC_AUTH_TOKEN
            ));
        } else {
            e = e.hint(format!(
                "the signature did not match: check the secret key (SK) that belongs to the access key, \
                 and the system clock (measured skew: {skew}); `ttsc sign` shows what was signed"
            ));
        }
    } else if code == "APIGW.0307" {
        e = e.hint(format!(
            "the token has expired: get a new one ({} or --auth-token)",
            env_vars::TTSC_AUTH_TOKEN
        ));
    } else if code == "MSS.00010009" || err.status() == Some(403) {
        e = e.hint("check --project-id: it must be the project of the credentials' region");
    } else if err.is_throttled() {
        e = e.hint("the service is throttling calls: retry later, or lower --concurrency");
    }
    match err.kind() {
        ErrorKind::Connect | ErrorKind::Timeout if reaching_iam_failed(err) => {
            e = e.hint(format!(
                "check --iam-endpoint (or {}) and the network",
                env_vars::HUAWEICLOUD_SDK_IAM_ENDPOINT
            ));
        }
        ErrorKind::Connect => {
            e = e.hint("check --endpoint (or --region) and the network; `--emulator` runs against a local emulator");
        }
        ErrorKind::Config if err.is_missing_project_id() => {
            e = e.hint(format!(
                "set --project-id or {} (the console's My Credentials page lists the project id of each region)",
                env_vars::HUAWEICLOUD_SDK_PROJECT_ID
            ));
        }
        ErrorKind::Credentials => {
            e = e.hint(credentials_hint());
        }
        ErrorKind::Timeout => {
            e = e.hint("raise --timeout, or try again later");
        }
        ErrorKind::Ambiguous => {
            e = e
                .hint("list recent jobs with `ttsc jobs list --since 1h` before creating it again");
        }
        _ => {}
    }
    e
}

/// Where credentials can come from, for hints.
pub fn credentials_hint() -> String {
    format!(
        "run `ttsc configure`, or set {} and {}; `ttsc --emulator …` needs none",
        env_vars::HUAWEICLOUD_SDK_AK,
        env_vars::HUAWEICLOUD_SDK_SK
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_so() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = CliError::io("cannot write the journal out/j", &full);
        assert_eq!(
            e.message,
            "cannot write the journal out/j: the disk is full"
        );
        assert_eq!(e.hints, [DISK_FULL_HINT]);
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = CliError::io("cannot write x", &other);
        assert_eq!(e.message, "cannot write x");
        assert!(e.hints.is_empty());
    }
}
