//! `ttsc configure` (writes a profile to the official credentials file) and `ttsc config
//! show` (the resolved settings and their sources, secrets masked).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ttsc_auth::MASK;
use ttsc_auth::provider::{DEFAULT_PROFILE, ProcessEnv, ProfileProvider, ProvideCredentials};

use crate::cli::{ConfigCommand, ConfigureArgs};
use crate::context::{AuthChoice, Ctx};
use crate::env_vars;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::output::Record;

/// What `configure` prints.
#[derive(Debug, Serialize)]
struct Written {
    path: String,
    profile: String,
    keys: Vec<&'static str>,
}

/// Reads answers from the terminal (prompting on stderr) or, without one, line by line
/// from standard input.
struct Answers {
    tty: bool,
    stdin: std::io::StdinLock<'static>,
}

impl Answers {
    fn line(&mut self, prompt: &str) -> CliResult<Option<String>> {
        if self.tty {
            let _ = write!(std::io::stderr(), "{prompt}");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        let n = self
            .stdin
            .read_line(&mut line)
            .map_err(|e| CliError::usage("cannot read standard input").cause(e.to_string()))?;
        Ok((n > 0)
            .then(|| line.trim().to_string())
            .filter(|l| !l.is_empty()))
    }

    fn secret(&mut self, prompt: &str) -> CliResult<Option<String>> {
        if !self.tty {
            return self.line(prompt);
        }
        let sk = rpassword::prompt_password(prompt)
            .map_err(|e| CliError::usage("cannot read the secret key").cause(e.to_string()))?;
        Ok(Some(sk.trim().to_string()).filter(|s| !s.is_empty()))
    }
}

/// The credentials file: `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, or `~/.huaweicloud/credentials`.
fn credentials_path() -> CliResult<PathBuf> {
    ProfileProvider::new(Arc::new(ProcessEnv))
        .path()
        .ok_or_else(|| {
            CliError::config("cannot find the home directory for ~/.huaweicloud/credentials").hint(
                format!(
                    "set {} to the file to write",
                    env_vars::HUAWEICLOUD_SDK_CREDENTIALS_FILE
                ),
            )
        })
}

/// A value written to the credentials file: no white space or control characters (a
/// newline would start a new key), not starting like a section or a comment.
fn check_value(name: &str, value: &str) -> CliResult {
    if value.chars().any(|c| c.is_whitespace() || c.is_control())
        || value.starts_with(['[', '#', ';'])
    {
        return Err(CliError::usage(format!(
            "invalid {name}: it must not contain spaces or control characters"
        )));
    }
    Ok(())
}

/// Runs `ttsc configure`.
pub fn configure(ctx: &mut Ctx, args: ConfigureArgs) -> CliResult<ExitCode> {
    let section = ctx
        .g
        .profile
        .clone()
        .unwrap_or_else(|| DEFAULT_PROFILE.to_string());
    if section.is_empty() || section.contains([']', '[']) || section.chars().any(char::is_control) {
        return Err(CliError::usage(format!(
            "invalid value {section:?} for --profile"
        )));
    }
    let path = credentials_path()?;
    let tty = std::io::stdin().is_terminal();
    let mut answers = Answers {
        tty,
        stdin: std::io::stdin().lock(),
    };
    if tty {
        ctx.ui.note(&format!(
            "Writing profile [{section}] of {}",
            path.display()
        ));
    }
    // Like `aws configure`: each setting in turn, the current value as the default (the
    // AK masked, the SK never shown), Enter keeps it.
    let current = current_profile(&path, &section);
    let ak = match args.access_key_id {
        Some(ak) => ak,
        None => {
            let shown = current.ak.as_deref().map(mask_key);
            answers
                .line(&prompt("Access key id (AK)", shown.as_deref()))?
                .or_else(|| current.ak.clone())
                .ok_or_else(|| CliError::usage("no access key id given"))?
        }
    };
    check_value("access key id", &ak)?;
    // The SK belongs to its AK: it is kept only for the same AK.
    let current_sk = current
        .sk
        .filter(|_| current.ak.as_deref() == Some(ak.as_str()));
    let keep_sk = current_sk.is_some().then_some("unchanged");
    let sk = answers
        .secret(&prompt("Secret access key (SK, not shown)", keep_sk))?
        .or(current_sk)
        .ok_or_else(|| {
            CliError::usage("no secret access key given (it is read from standard input)")
        })?;
    check_value("secret access key", &sk)?;
    let mut region = ctx.g.region.clone();
    let mut project_id = ctx.g.project_id.clone();
    if tty {
        if region.is_none() {
            let shown = current.region.as_deref().or(Some("none, e.g. cn-north-4"));
            region = answers.line(&prompt("Region", shown))?.or(current.region);
        }
        if project_id.is_none() {
            let shown = current
                .project_id
                .as_deref()
                .or(Some("none: discovered through IAM"));
            project_id = answers
                .line(&prompt("Project id", shown))?
                .or(current.project_id);
        }
    }
    let mut entries: Vec<(&'static str, String)> = vec![("ak", ak), ("sk", sk)];
    if let Some(p) = project_id {
        check_value("project id", &p)?;
        entries.push(("project_id", p));
    }
    if let Some(r) = region {
        check_value("region", &r)?;
        entries.push(("region", r));
    }
    if let Some(i) = ctx.g.iam_endpoint.clone() {
        check_value("--iam-endpoint", &i)?;
        entries.push(("iam_endpoint", i));
    }
    write_profile(&path, &section, &entries)?;
    ctx.print_object(&Written {
        path: path.display().to_string(),
        profile: section,
        keys: entries.iter().map(|(k, _)| *k).collect(),
    })
}

/// `Name [default]: ` as a prompt.
fn prompt(name: &str, default: Option<&str>) -> String {
    match default {
        Some(d) => format!("{name} [{d}]: "),
        None => format!("{name}: "),
    }
}

/// An access key id with all but its last four characters masked.
fn mask_key(ak: &str) -> String {
    let keep = ak.chars().count().saturating_sub(4);
    ak.chars()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { c })
        .collect()
}

/// What profile `[section]` of the credentials file holds now, for the defaults.
#[derive(Default)]
struct Current {
    ak: Option<String>,
    sk: Option<String>,
    region: Option<String>,
    project_id: Option<String>,
}

fn current_profile(path: &Path, section: &str) -> Current {
    let found = ProfileProvider::new(Arc::new(ProcessEnv))
        .with_path(path)
        .with_profile(section)
        .resolve();
    let Ok(found) = found else {
        return Current::default();
    };
    let (ak, sk) = match found.credentials.access_key() {
        Some(k) => (
            Some(k.access_key_id().to_owned()),
            Some(k.secret_access_key().expose_secret().to_owned()),
        ),
        None => (None, None),
    };
    Current {
        ak,
        sk,
        region: found.region,
        project_id: found.project_id,
    }
}

/// Replaces (or appends) section `[section]` of the INI file at `path`, keeping the rest,
/// and writes it atomically with mode 0600.
fn write_profile(path: &Path, section: &str, entries: &[(&str, String)]) -> CliResult {
    let old = if path.exists() {
        crate::read::text(
            path,
            crate::read::MAX_CREDENTIALS_BYTES,
            "the credentials file",
        )?
    } else {
        String::new()
    };
    let text = replace_section(&old, section, entries)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .map_err(|e| CliError::io(format!("cannot create {}", dir.display()), &e))?;
    }
    let tmp = dir.join(format!(".credentials.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp)?;
        #[cfg(unix)]
        f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::io(format!("cannot write {}", path.display()), &e)
    })
}

/// The INI text with `[section]` replaced by `entries` (appended when absent). The one
/// place that writes INI lines: a value that could end its line or start a section or a
/// comment is refused, so no value can produce a second key.
fn replace_section(old: &str, section: &str, entries: &[(&str, String)]) -> CliResult<String> {
    let mut block = format!("[{section}]\n");
    for (k, v) in entries {
        check_value(k, v)?;
        block.push_str(&format!("{k} = {v}\n"));
    }
    let mut out = String::new();
    let mut skipping = false;
    let mut replaced = false;
    for line in old.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            if name.trim() == section {
                skipping = true;
                if !replaced {
                    out.push_str(&block);
                    replaced = true;
                }
                continue;
            }
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !replaced {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&block);
    }
    Ok(out)
}

/// One resolved setting.
#[derive(Debug, Serialize)]
struct SettingRow {
    setting: &'static str,
    value: String,
    source: String,
}

impl Record for SettingRow {
    const COLUMNS: &'static [&'static str] = &["setting", "value", "source"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.setting.to_string(),
            self.value.clone(),
            self.source.clone(),
        ]
    }
}

/// `AKIA…WXYZ` style: only the last four characters.
fn mask_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 4 {
        return "****".into();
    }
    let tail: String = id.chars().skip(n - 4).collect();
    format!("{}{tail}", "*".repeat(n - 4))
}

/// `https://user:pw@host/…` → `https://user:***@host/…`: a password in a URL is a secret.
fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:{MASK}")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// Runs `ttsc config …`.
pub fn config(ctx: &mut Ctx, cmd: &ConfigCommand) -> CliResult<ExitCode> {
    match cmd {
        ConfigCommand::Show => show(ctx),
    }
}

fn show(ctx: &mut Ctx) -> CliResult<ExitCode> {
    let r = ctx.resolve();
    let mut rows = Vec::new();
    let mut row = |setting: &'static str, value: String, source: String| {
        rows.push(SettingRow {
            setting,
            value,
            source,
        });
    };
    let unset = || ("(not set)".to_string(), String::new());
    let (v, s) = r.endpoint.map_or_else(unset, |e| (e.value, e.source));
    row("endpoint", mask_url_password(&v), s);
    let (v, s) = r.region.clone().map_or_else(unset, |e| (e.value, e.source));
    row("region", v, s);
    let (v, s) = r.project_id.map_or_else(
        || {
            if r.region.is_some() {
                (
                    "(discovered through IAM on first use)".into(),
                    String::new(),
                )
            } else {
                unset()
            }
        },
        |e| (e.value, e.source),
    );
    row("project_id", v, s);
    let (v, s) = r.iam_endpoint.map_or_else(
        || {
            (
                ttsc_client::config::GLOBAL_IAM_ENDPOINT.to_string(),
                "default".to_string(),
            )
        },
        |e| (e.value, e.source),
    );
    row("iam_endpoint", mask_url_password(&v), s);
    match &r.auth {
        Ok(AuthChoice::Emulator) => {
            row("credentials", "demo AK/SK".into(), "--emulator".into());
            row(
                "access_key_id",
                ttsc_emulator::DEMO_AK.into(),
                "--emulator".into(),
            );
            row("secret_access_key", MASK.into(), "--emulator".into());
        }
        Ok(AuthChoice::Token { source, .. }) => {
            row("credentials", "IAM token".into(), source.clone());
            row("token", MASK.into(), source.clone());
        }
        Ok(AuthChoice::Password { user, domain, .. }) => {
            row(
                "credentials",
                "IAM password login".into(),
                env_vars::TTSC_IAM_USER.into(),
            );
            row("iam_user", user.clone(), env_vars::TTSC_IAM_USER.into());
            row(
                "iam_domain",
                domain.clone(),
                env_vars::TTSC_IAM_DOMAIN.into(),
            );
            row(
                "iam_password",
                MASK.into(),
                env_vars::TTSC_IAM_PASSWORD.into(),
            );
        }
        Ok(AuthChoice::Chain(found)) => {
            let source = found.source.to_string();
            row(
                "credentials",
                found.credentials.kind().into(),
                source.clone(),
            );
            if let Some(ak) = found.credentials.access_key() {
                row("access_key_id", mask_id(ak.access_key_id()), source.clone());
                row("secret_access_key", MASK.into(), source.clone());
                if ak.security_token().is_some() {
                    row("security_token", MASK.into(), source.clone());
                }
            }
            for w in &found.warnings {
                ctx.ui.warn(&w.to_string());
            }
        }
        Err(e) => {
            row(
                "credentials",
                format!("(none: {})", e.message),
                String::new(),
            );
        }
    }
    let file = credentials_path().map_or_else(|e| e.message, |p| p.display().to_string());
    let file_source = if env_vars::get(env_vars::HUAWEICLOUD_SDK_CREDENTIALS_FILE).is_some() {
        env_vars::HUAWEICLOUD_SDK_CREDENTIALS_FILE
    } else {
        "default"
    };
    row("credentials_file", file, file_source.into());
    let (v, s) = r.profile.map_or_else(
        || (DEFAULT_PROFILE.to_string(), "default".to_string()),
        |p| (p.value, p.source),
    );
    row("profile", v, s);
    let source = match ctx.g.output_format {
        Some(_) => ctx.sources.describe(
            "output_format",
            "--output-format",
            env_vars::TTSC_OUTPUT_FORMAT,
        ),
        None => "default (table on a terminal, json otherwise)".into(),
    };
    let format = format!("{:?}", ctx.output_format()).to_ascii_lowercase();
    row("output_format", format, source);
    let timeout = format!("{} s", ctx.timeouts().operation.as_secs_f64());
    let source = if ctx.g.timeout.is_some() {
        "--timeout"
    } else {
        "default"
    };
    row("timeout", timeout, source.into());
    let (deadline, source) = match ctx.g.listing_deadline {
        Some(d) => (d, "--listing-deadline"),
        None => (ttsc_client::paginate::DEFAULT_LISTING_DEADLINE, "default"),
    };
    row(
        "listing_deadline",
        format!("{} s", deadline.as_secs_f64()),
        source.into(),
    );
    let (bytes, source) = match ctx.g.max_download_bytes {
        Some(n) => (n, "--max-download-bytes"),
        None => (ttsc_client::DEFAULT_MAX_DOWNLOAD_BYTES, "default"),
    };
    row("max_download_bytes", size(bytes), source.into());
    ctx.print_records(&rows)
}

/// `2 GiB (2147483648 bytes)`, or `1000 bytes` when no binary unit divides it.
fn size(bytes: u64) -> String {
    let unit = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")]
        .into_iter()
        .find(|(shift, _)| bytes.trailing_zeros() >= *shift);
    match unit {
        Some((shift, name)) => format!("{} {name} ({bytes} bytes)", bytes >> shift),
        None => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_name_their_unit() {
        assert_eq!(size(2 << 30), "2 GiB (2147483648 bytes)");
        assert_eq!(size(500 << 20), "500 MiB (524288000 bytes)");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn replaces_only_the_named_section() {
        let old = "# mine\n[basic]\nak = old\nsk = old\n\n[work]\nak = w\nsk = w\n";
        let new = replace_section(old, "basic", &[("ak", "A".into()), ("sk", "S".into())]).unwrap();
        assert_eq!(
            new,
            "# mine\n[basic]\nak = A\nsk = S\n[work]\nak = w\nsk = w\n"
        );
        let added = replace_section(old, "other", &[("ak", "B".into())]).unwrap();
        assert!(added.ends_with("sk = w\n\n[other]\nak = B\n"), "{added}");
        assert_eq!(
            replace_section("", "basic", &[("ak", "A".into())]).unwrap(),
            "[basic]\nak = A\n"
        );
        for bad in ["x\n[basic]\nak = evil", "x\rak = y", "[x]", "x\u{85}y"] {
            assert!(
                replace_section("", "basic", &[("iam_endpoint", bad.into())]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_url_password("https://u:pw@host:8443/x"),
            format!("https://u:{MASK}@host:8443/x")
        );
        assert_eq!(mask_url_password("https://host/a@b"), "https://host/a@b");
        assert_eq!(mask_url_password("https://u@host"), "https://u@host");
    }

    #[test]
    fn access_key_ids_are_masked_but_the_tail() {
        assert_eq!(mask_id("HPUAEXAMPLEAK0000001"), "****************0001");
        assert_eq!(mask_id("abc"), "****");
    }
}
