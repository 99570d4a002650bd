//! The exit codes of `ttsc`, part of its contract: scripts branch on them.

/// How `ttsc` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: success (also when standard output was closed early, e.g. by `head`).
    Success,
    /// 1: the service or the runtime failed (an error response, a failed job, a network or
    /// file error).
    Failure,
    /// 2: the command line or an input file is invalid; nothing was sent.
    Usage,
    /// 3: authentication or configuration: no or rejected credentials, no endpoint or
    /// project.
    Config,
    /// 4: `ttsc batch` finished, and some lines finally failed.
    BatchFailures,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl ExitCode {
    /// The numeric code.
    pub const fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage => 2,
            ExitCode::Config => 3,
            ExitCode::BatchFailures => 4,
            ExitCode::Interrupted => 130,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

/// The `Exit codes:` section of `ttsc --help`.
pub const HELP: &str = "\
Exit codes:
  0    success
  1    service or runtime failure
  2    usage or validation error (nothing was sent)
  3    authentication or configuration error
  4    batch finished with failed lines
  130  interrupted
";
