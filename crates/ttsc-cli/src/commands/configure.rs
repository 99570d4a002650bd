//! `ttsc configure` (writes a profile to the official credentials file) and `ttsc config
//! show` (the resolved settings and their sources, secrets masked).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ttsc_auth::MASK;
use ttsc_auth::provider::{DEFAULT_PROFILE, ProcessEnv, ProfileProvider};

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
    if section.is_empty() || section.contains([']', '[', '\n']) {
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
    let ak = match args.access_key_id {
        Some(ak) => ak,
        None => answers
            .line("Access key id (AK): ")?
            .ok_or_else(|| CliError::usage("no access key id given"))?,
    };
    check_value("access key id", &ak)?;
    let sk = answers
        .secret("Secret access key (SK, not shown): ")?
        .ok_or_else(|| {
            CliError::usage("no secret access key given (it is read from standard input)")
        })?;
    check_value("secret access key", &sk)?;
    let mut project_id = ctx.g.project_id.clone();
    let mut region = ctx.g.region.clone();
    if tty {
        if project_id.is_none() {
            project_id = answers.line("Project id (optional, Enter to skip): ")?;
        }
        if region.is_none() {
            region = answers.line("Region, e.g. cn-north-4 (optional, Enter to skip): ")?;
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
        entries.push(("iam_endpoint", i));
    }
    write_profile(&path, &section, &entries)?;
    ctx.print_object(&Written {
        path: path.display().to_string(),
        profile: section,
        keys: entries.iter().map(|(k, _)| *k).collect(),
    })
}

/// Replaces (or appends) section `[section]` of the INI file at `path`, keeping the rest,
/// and writes it atomically with mode 0600.
fn write_profile(path: &Path, section: &str, entries: &[(&str, String)]) -> CliResult {
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(CliError::io(format!("cannot read {}", path.display()), &e)),
    };
    let text = replace_section(&old, section, entries);
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

/// The INI text with `[section]` replaced by `entries` (appended when absent).
fn replace_section(old: &str, section: &str, entries: &[(&str, String)]) -> String {
    let mut block = format!("[{section}]\n");
    for (k, v) in entries {
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
    out
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
    row("endpoint", v, s);
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
    row("iam_endpoint", v, s);
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
    ctx.print_records(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_named_section() {
        let old = "# mine\n[basic]\nak = old\nsk = old\n\n[work]\nak = w\nsk = w\n";
        let new = replace_section(old, "basic", &[("ak", "A".into()), ("sk", "S".into())]);
        assert_eq!(
            new,
            "# mine\n[basic]\nak = A\nsk = S\n[work]\nak = w\nsk = w\n"
        );
        let added = replace_section(old, "other", &[("ak", "B".into())]);
        assert!(added.ends_with("sk = w\n\n[other]\nak = B\n"), "{added}");
        assert_eq!(
            replace_section("", "basic", &[("ak", "A".into())]),
            "[basic]\nak = A\n"
        );
    }

    #[test]
    fn access_key_ids_are_masked_but_the_tail() {
        assert_eq!(mask_id("HPUAEXAMPLEAK0000001"), "****************0001");
        assert_eq!(mask_id("abc"), "****");
    }
}
