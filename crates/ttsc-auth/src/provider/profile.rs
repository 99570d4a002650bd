//! The profile-file provider: the INI credentials file the official SDKs read
//! (`~/.huaweicloud/credentials`), section `[basic]`, plus named sections for ttsc profiles.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::ini::Ini;
use super::{
    CredentialSource, CredentialsError, CredentialsWarning, Env, ProvideCredentials, Provided,
    ProviderAttempt, ResolvedCredentials, vars,
};
use crate::credentials::{AccessKeyCredentials, Credentials};

/// The section the official SDKs read.
pub const DEFAULT_PROFILE: &str = "basic";

/// The largest credentials file read (1 MiB): a bigger one, or an endless one (a device),
/// is [`CredentialsError::ProfileTooLarge`], and no more than this is ever held in memory.
pub const MAX_PROFILE_BYTES: u64 = 1 << 20;

/// Reads a section of the profile file: `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, or
/// `~/.huaweicloud/credentials`.
///
/// Keys read: `ak`, `sk`, `security_token`, `project_id`, `iam_endpoint` (as the official
/// SDKs), and `region` (ttsc profiles). A missing file or a missing `[basic]` section is
/// "not found"; a missing named profile, an unreadable file, a syntax error or an `ak`
/// without `sk` are errors. A file readable by other users yields a
/// [`CredentialsWarning::ProfileReadableByOthers`] and a `tracing` warning.
///
/// ```
/// use std::sync::Arc;
/// use ttsc_auth::provider::{ProfileProvider, ProvideCredentials, StaticEnv};
///
/// let dir = std::env::temp_dir().join(format!("ttsc-auth-doc-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join(".huaweicloud"))?;
/// std::fs::write(
///     dir.join(".huaweicloud/credentials"),
///     "[basic]\nak = HPUAEXAMPLEAK0000001\nsk = a-secret\n\n[work]\nak = AK2\nsk = s2\nregion = cn-east-3\n",
/// )?;
/// let env = Arc::new(StaticEnv::new().with_home(&dir));
///
/// let basic = ProfileProvider::new(env.clone()).resolve()?;
/// assert_eq!(basic.credentials.access_key().unwrap().access_key_id(), "HPUAEXAMPLEAK0000001");
/// let work = ProfileProvider::new(env).with_profile("work").resolve()?;
/// assert_eq!(work.region.as_deref(), Some("cn-east-3"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    env: Arc<dyn Env>,
    profile: Option<String>,
    path: Option<PathBuf>,
}

impl ProfileProvider {
    /// A provider of section `[basic]` of the file `env` points at.
    pub fn new(env: Arc<dyn Env>) -> Self {
        Self {
            env,
            profile: None,
            path: None,
        }
    }

    /// Reads section `[profile]` instead of `[basic]`; the section must exist.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Reads `path` instead of the file the environment names.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The file this provider reads, if it can be determined.
    pub fn path(&self) -> Option<PathBuf> {
        if let Some(path) = &self.path {
            return Some(path.clone());
        }
        if let Some(path) = self
            .env
            .var(vars::CREDENTIALS_FILE)
            .filter(|p| !p.is_empty())
        {
            return Some(PathBuf::from(path));
        }
        self.env
            .home_dir()
            .map(|home| home.join(".huaweicloud").join("credentials"))
    }

    fn section(&self) -> &str {
        self.profile.as_deref().unwrap_or(DEFAULT_PROFILE)
    }
}

/// A warning when `path` is readable by group or others (Unix only).
fn permission_warning(path: &Path) -> Option<CredentialsWarning> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o044 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{:o}", mode & 0o7777),
                "credentials file is readable by other users"
            );
            return Some(CredentialsWarning::ProfileReadableByOthers {
                path: path.to_owned(),
                mode,
            });
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The file as UTF-8 text, or `None` when it is larger than [`MAX_PROFILE_BYTES`]. Every
/// copy of its bytes is zeroized.
fn read_capped(path: &Path) -> io::Result<Option<Zeroizing<String>>> {
    use std::io::Read as _;
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path)?
        .take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Ok(None);
    }
    let text =
        std::str::from_utf8(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(Some(Zeroizing::new(text.to_owned())))
}

impl ProvideCredentials for ProfileProvider {
    fn name(&self) -> &'static str {
        "profile file"
    }

    fn provide(&self) -> Result<Provided, CredentialsError> {
        let Some(path) = self.path() else {
            return Ok(Provided::NotFound(vec![ProviderAttempt::new(
                self.name(),
                format!(
                    "{} is not set and the home directory is unknown",
                    vars::CREDENTIALS_FILE
                ),
            )]));
        };
        let text = match read_capped(&path) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Err(CredentialsError::ProfileTooLarge {
                    path,
                    limit: MAX_PROFILE_BYTES,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Provided::NotFound(vec![ProviderAttempt::new(
                    self.name(),
                    format!("{} does not exist", path.display()),
                )]));
            }
            Err(source) => return Err(CredentialsError::ProfileUnreadable { path, source }),
        };
        let warnings: Vec<CredentialsWarning> = permission_warning(&path).into_iter().collect();
        let ini = Ini::parse(&text).map_err(|e| CredentialsError::ProfileSyntax {
            path: path.clone(),
            line: e.line,
            reason: e.reason,
        })?;
        drop(text);

        let section = self.section();
        if !ini.has_section(section) {
            if self.profile.is_some() {
                return Err(CredentialsError::ProfileNotFound {
                    path,
                    profile: section.to_owned(),
                });
            }
            return Ok(Provided::NotFound(vec![ProviderAttempt::new(
                self.name(),
                format!("no [{section}] section in {}", path.display()),
            )]));
        }
        let get = |key: &str| ini.get(section, key).filter(|v| !v.is_empty());
        let source = CredentialSource::Profile {
            path: path.clone(),
            profile: section.to_owned(),
        };
        let credentials = match (get("ak"), get("sk")) {
            (Some(ak), Some(sk)) => {
                let mut creds = AccessKeyCredentials::new(ak, sk);
                if let Some(token) = get("security_token") {
                    creds = creds.with_security_token(token);
                }
                creds
            }
            (ak, sk) => {
                let reason = match (ak, sk) {
                    (Some(_), None) => "`ak` is set but `sk` is not",
                    (None, Some(_)) => "`sk` is set but `ak` is not",
                    _ => "neither `ak` nor `sk` is set",
                };
                return Err(CredentialsError::incomplete(source.to_string(), reason));
            }
        };
        Ok(Provided::Found(ResolvedCredentials {
            credentials: Credentials::AccessKey(credentials),
            project_id: get("project_id").map(str::to_owned),
            iam_endpoint: get("iam_endpoint").map(str::to_owned),
            region: get("region").map(str::to_owned),
            source,
            warnings,
        }))
    }
}
