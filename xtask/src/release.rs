//! `cargo xtask release VERSION`: one version for every crate, published with
//! `cargo publish --workspace`.
//!
//! The checks (semver above the current version, lockstep versions, branch `main`, a clean
//! tree, a free tag `vVERSION`, entries under `## Unreleased`) come first and change
//! nothing. Then the bump (`toml_edit`, so comments and layout survive) and the dated
//! changelog section are written, `cargo update --workspace`, `cargo xtask ci` and
//! `cargo publish --workspace --dry-run` run, and any failure rolls the bump back. Last the
//! bump is committed as "Release VERSION", published (cargo orders the crates and skips
//! `publish = false` ones) and tagged: the commit comes first so cargo publishes a clean
//! tree, the tag last so it always marks a complete release. `--dry-run` runs the checks,
//! `ci` and the dry-run publish at the current versions and changes nothing outside
//! `target/`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use semver::Version;
use serde_json::Value;
use toml_edit::{DocumentMut, Item, TableLike};

use crate::ci;
use crate::util::{self, cargo_metadata, read, say};

/// Usage line of the command.
pub const USAGE: &str =
    "usage: cargo xtask release VERSION [--dry-run] [--allow-dirty] [--skip-checks]";

/// The changelog file, relative to the workspace root.
const CHANGELOG: &str = "CHANGELOG.md";

/// What `cargo xtask release` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The version every crate gets.
    pub version: Version,
    /// Print the plan and run the checks; change nothing.
    pub dry_run: bool,
    /// Do not require a clean working tree (tests, emergencies).
    pub allow_dirty: bool,
    /// Do not run `cargo xtask ci` (tests, emergencies).
    pub skip_checks: bool,
}

/// Parses the arguments that follow `release`.
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut version = None;
    let (mut dry_run, mut allow_dirty, mut skip_checks) = (false, false, false);
    for &arg in args {
        match arg {
            "--dry-run" => dry_run = true,
            "--allow-dirty" => allow_dirty = true,
            "--skip-checks" => skip_checks = true,
            flag if flag.starts_with('-') => {
                return Err(format!("unknown flag to `release`: {flag}\n{USAGE}"));
            }
            v => {
                if let Some(first) = version {
                    return Err(format!(
                        "unexpected argument {v:?}: VERSION is already {first:?}\n{USAGE}"
                    ));
                }
                version = Some(v);
            }
        }
    }
    let version = version.ok_or_else(|| format!("missing VERSION\n{USAGE}"))?;
    let version = Version::parse(version)
        .map_err(|e| format!("VERSION {version:?} is not a semantic version: {e}\n{USAGE}"))?;
    // crates.io ignores build metadata, so two versions differing only there would collide.
    if !version.build.is_empty() {
        return Err(format!(
            "VERSION {version} has build metadata, which crates.io ignores\n{USAGE}"
        ));
    }
    Ok(Options {
        version,
        dry_run,
        allow_dirty,
        skip_checks,
    })
}

/// The version of `[workspace.package]` in the root manifest's text.
fn workspace_version(root_manifest: &str) -> Result<Version, String> {
    let doc: DocumentMut = root_manifest
        .parse()
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let text = doc
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(Item::as_str)
        .ok_or("the root Cargo.toml has no `version` string in [workspace.package]")?;
    Version::parse(text).map_err(|e| format!("[workspace.package] version: {e}"))
}

/// Sets `table[key]` to `version` when it holds a string, keeping its comments and spacing.
fn set_version(table: &mut dyn TableLike, key: &str, version: &str) {
    if let Some(value) = table.get_mut(key).and_then(Item::as_value_mut)
        && value.is_str()
    {
        let decor = value.decor().clone();
        *value = version.into();
        *value.decor_mut() = decor;
    }
}

/// Bumps the `version` of every dependency in `deps` on a workspace crate (`members`)
/// through a `path`; registry dependencies that share a name are not ours.
fn bump_dependencies(deps: Option<&mut Item>, members: &BTreeSet<String>, version: &str) {
    let Some(deps) = deps.and_then(Item::as_table_like_mut) else {
        return;
    };
    for (key, dep) in deps.iter_mut() {
        let Some(dep) = dep.as_table_like_mut() else {
            continue;
        };
        let name = dep
            .get("package")
            .and_then(Item::as_str)
            .unwrap_or(key.get());
        if members.contains(name) && dep.contains_key("path") {
            set_version(dep, "version", version);
        }
    }
}

/// The manifest `text` with every version a lockstep release owns set to `version`:
/// `[package]` and `[workspace.package]` versions written out, and path dependencies on
/// workspace crates (in every dependency table, target-specific ones included).
fn bump_manifest(text: &str, members: &BTreeSet<String>, version: &str) -> Result<String, String> {
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    if let Some(package) = doc.get_mut("package").and_then(Item::as_table_like_mut) {
        set_version(package, "version", version);
    }
    if let Some(ws) = doc.get_mut("workspace").and_then(Item::as_table_like_mut) {
        if let Some(package) = ws.get_mut("package").and_then(Item::as_table_like_mut) {
            set_version(package, "version", version);
        }
        bump_dependencies(ws.get_mut("dependencies"), members, version);
    }
    for kind in KINDS {
        bump_dependencies(doc.get_mut(kind), members, version);
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, target) in targets.iter_mut() {
            if let Some(target) = target.as_table_like_mut() {
                for kind in KINDS {
                    bump_dependencies(target.get_mut(kind), members, version);
                }
            }
        }
    }
    Ok(doc.to_string())
}

/// Moves the notes under `## Unreleased` to a new `## VERSION - DATE` section, leaving an
/// empty `## Unreleased` above it. Fails when there is no such heading, it has no entries, or
/// VERSION already has a section.
fn move_unreleased(text: &str, version: &Version, date: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let headings: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let t = lines[i].trim().to_ascii_lowercase();
            t == "## unreleased" || t == "## [unreleased]"
        })
        .collect();
    let at = match headings[..] {
        [at] => at,
        [] => return Err("no `## Unreleased` heading".to_string()),
        _ => return Err("more than one `## Unreleased` heading".to_string()),
    };
    let body = lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("# "));
    if !body
        .map(|l| l.trim())
        .any(|t| !t.is_empty() && !t.starts_with('#') && !t.starts_with("<!--"))
    {
        return Err(
            "`## Unreleased` has no entries: write down what this release changes".to_string(),
        );
    }
    let version_text = version.to_string();
    if let Some(line) = lines.iter().map(|l| l.trim()).find(|t| {
        let rest = t.strip_prefix("## ").map(|t| t.trim_start_matches('['));
        rest.and_then(|t| t.strip_prefix(&version_text))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ']']))
    }) {
        return Err(format!("there is already a section for {version}: {line}"));
    }
    let heading = lines[at].trim_end();
    Ok(format!(
        "{}{heading}\n\n## {version} - {date}\n{}",
        lines[..at].concat(),
        lines[at + 1..].concat()
    ))
}

/// One file a release rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileEdit {
    /// Path relative to the workspace root, `/`-separated.
    rel: String,
    old: String,
    new: String,
}

/// The preview of one edit: the lines it removes (`-`), then those it adds (`+`).
fn preview(edit: &FileEdit) -> String {
    let mut out = format!("{}:\n", edit.rel);
    for (sign, from, to) in [('-', &edit.old, &edit.new), ('+', &edit.new, &edit.old)] {
        let kept: BTreeSet<&str> = to.lines().collect();
        for line in from.lines().filter(|l| !kept.contains(l)) {
            out.push_str(&format!("  {sign} {line}\n"));
        }
    }
    out
}

/// A workspace member, as `cargo metadata` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    version: String,
    /// Manifest path relative to the workspace root, `/`-separated.
    manifest: String,
}

/// The workspace members described by `cargo metadata --no-deps` output, by name.
fn members_from_metadata(meta: &Value) -> Result<Vec<Member>, String> {
    let ws_root = meta["workspace_root"].as_str().ok_or("no workspace_root")?;
    let packages = meta["packages"].as_array().ok_or("no packages")?;
    let mut members = Vec::new();
    for p in packages {
        let field = |key: &str| {
            p[key]
                .as_str()
                .ok_or_else(|| format!("cargo metadata: a package without {key}"))
        };
        let name = field("name")?;
        let manifest = Path::new(field("manifest_path")?)
            .strip_prefix(ws_root)
            .map_err(|_| format!("{name}: its manifest is outside the workspace"))?
            .to_string_lossy()
            .replace('\\', "/");
        members.push(Member {
            name: name.to_string(),
            version: field("version")?.to_string(),
            manifest,
        });
    }
    Ok(members)
}

/// Everything a release computes before it touches anything.
struct Plan {
    current: Version,
    members: Vec<Member>,
    /// Manifest edits, then the changelog's when it can be made.
    edits: Vec<FileEdit>,
    changelog: Result<(), String>,
}

impl Plan {
    /// Reads the workspace and computes the plan; fails only when it cannot be computed.
    fn prepare(root: &Path, opts: &Options, date: &str) -> Result<Plan, String> {
        let current = workspace_version(&read(root, "Cargo.toml")?)?;
        let members = members_from_metadata(&cargo_metadata(root)?)?;
        let names: BTreeSet<String> = members.iter().map(|m| m.name.clone()).collect();
        let mut manifests = BTreeSet::from(["Cargo.toml".to_string()]);
        manifests.extend(members.iter().map(|m| m.manifest.clone()));
        let version = opts.version.to_string();
        let mut edits = Vec::new();
        for rel in manifests {
            let old = read(root, &rel)?;
            let new = bump_manifest(&old, &names, &version).map_err(|e| format!("{rel}: {e}"))?;
            if new != old {
                edits.push(FileEdit { rel, old, new });
            }
        }
        let changelog = read(root, CHANGELOG).and_then(|old| {
            let new = move_unreleased(&old, &opts.version, date)?;
            let rel = CHANGELOG.to_string();
            edits.push(FileEdit { rel, old, new });
            Ok(())
        });
        Ok(Plan {
            current,
            members,
            edits,
            changelog,
        })
    }

    /// The plan in words: versions, crates, and a preview of every changed line.
    fn describe(&self, opts: &Options) -> String {
        let mode = if opts.dry_run {
            " (dry run: nothing will be changed)"
        } else {
            ""
        };
        let names: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
        let mut out = format!(
            "release: {} -> {}{mode}\ncrates (cargo publish --workspace skips publish = false \
             ones): {}\nchanges (and Cargo.lock):\n",
            self.current,
            opts.version,
            names.join(", ")
        );
        for edit in &self.edits {
            out.push_str(&preview(edit));
        }
        out
    }
}

/// The checks that need no build: version, lockstep, branch, tree, tag, changelog. Each
/// says what it found; an `Err` fails the release.
fn preflight(root: &Path, opts: &Options, plan: &Plan) -> Vec<Result<String, String>> {
    let (v, current) = (&opts.version, &plan.current);
    let astray: Vec<String> = (plan.members.iter())
        .filter(|m| m.version != current.to_string())
        .map(|m| format!("{} {}", m.name, m.version))
        .collect();
    let tag = format!("v{v}");
    vec![
        if v > current {
            Ok(format!("{v} is greater than {current}"))
        } else {
            Err(format!(
                "{v} must be greater than the current version {current}"
            ))
        },
        if astray.is_empty() {
            Ok(format!("every workspace crate is at {current}"))
        } else {
            Err(format!(
                "crates not at the workspace version {current}: {}",
                astray.join(", ")
            ))
        },
        git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).and_then(|b| match b.trim() {
            "main" => Ok("on branch main".to_string()),
            b => Err(format!("releases are made from branch main, not {b}")),
        }),
        git(root, &["status", "--porcelain"]).and_then(|s| match s.trim_end() {
            "" => Ok("working tree clean".to_string()),
            s if opts.allow_dirty => Ok(format!(
                "working tree not clean ({} paths), allowed by --allow-dirty",
                s.lines().count()
            )),
            s => Err(format!(
                "the working tree is not clean; commit or stash:\n{s}"
            )),
        }),
        git(root, &["tag", "--list", &tag]).and_then(|s| match s.trim() {
            "" => Ok(format!("tag {tag} is free")),
            _ => Err(format!("tag {tag} already exists")),
        }),
        match &plan.changelog {
            Ok(()) => Ok(format!("{CHANGELOG}: `## Unreleased` has entries")),
            Err(e) => Err(format!("{CHANGELOG}: {e}")),
        },
    ]
}

/// Runs `git ARGS` in `root` and returns its standard output.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `cargo ARGS` in `root` with the terminal attached, announcing it first.
fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    say(&format!("release: cargo {}", args.join(" ")));
    let what = format!("`cargo {}`", args.join(" "));
    util::run(
        Command::new(env!("CARGO")).args(args).current_dir(root),
        &what,
    )
}

/// Runs the release in the workspace at `root`.
pub fn run(root: &Path, opts: &Options) -> Result<(), String> {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    run_with(root, opts, &today, &mut |args| cargo(root, args))
}

/// Writes the new (or, to roll back, the old) contents of every edit.
fn write_edits(root: &Path, edits: &[FileEdit], new: bool) -> Result<(), String> {
    for e in edits {
        let contents = if new { &e.new } else { &e.old };
        std::fs::write(root.join(&e.rel), contents)
            .map_err(|err| format!("writing {}: {err}", e.rel))?;
    }
    Ok(())
}

/// The release, dated `date`, running cargo through `cargo` (tests stand in for crates.io).
fn run_with(
    root: &Path,
    opts: &Options,
    date: &str,
    cargo: &mut dyn FnMut(&[&str]) -> Result<(), String>,
) -> Result<(), String> {
    let plan = Plan::prepare(root, opts, date)?;
    say(plan.describe(opts).trim_end());
    say("checks:");
    let mut failed = Vec::new();
    for check in preflight(root, opts, &plan) {
        let (mark, text) = match &check {
            Ok(t) => ("ok  ", t),
            Err(t) => ("FAIL", t),
        };
        say(&format!("  {mark}  {}", text.replace('\n', "\n        ")));
        if let Err(t) = check {
            failed.push(t.lines().next().unwrap_or_default().to_string());
        }
    }
    if !failed.is_empty() {
        return Err(format!(
            "{} release check(s) failed; nothing was changed:\n  {}",
            failed.len(),
            failed.join("\n  ")
        ));
    }

    // The dry-run publish packages every crate against the others just packaged; `ci` has
    // built them already. `--locked`: packaging must not rewrite Cargo.lock.
    let mut check_publish = vec![
        "publish",
        "--workspace",
        "--dry-run",
        "--no-verify",
        "--locked",
    ];
    if opts.dry_run {
        run_ci(root, opts)?;
        if opts.allow_dirty {
            check_publish.push("--allow-dirty");
        }
        cargo(&check_publish).map_err(|e| format!("{e}\n(dry run: nothing was changed)"))?;
        say(&format!(
            "release: dry run passed; nothing was changed. To release: cargo xtask release {}",
            opts.version
        ));
        return Ok(());
    }

    let lock = std::fs::read(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    say("release: writing the version bump");
    write_edits(root, &plan.edits, true)?;
    check_publish.push("--allow-dirty"); // the bump is not committed yet
    let checked = cargo(&["update", "--workspace"])
        .and_then(|()| run_ci(root, opts))
        .and_then(|()| cargo(&check_publish));
    if let Err(e) = checked {
        write_edits(root, &plan.edits, false)?;
        std::fs::write(root.join("Cargo.lock"), lock)
            .map_err(|err| format!("restoring Cargo.lock: {err}"))?;
        return Err(format!("{e}\nthe version bump was rolled back"));
    }

    let message = format!("Release {}", opts.version);
    let mut paths: Vec<&str> = plan.edits.iter().map(|e| e.rel.as_str()).collect();
    paths.push("Cargo.lock");
    git(root, &[&["add", "--"][..], &paths].concat())?;
    git(
        root,
        &[&["commit", "--quiet", "-m", &message, "--"][..], &paths].concat(),
    )?;
    say(&format!(
        "release: committed \"{message}\" ({})",
        paths.join(", ")
    ));

    let tag = format!("v{}", opts.version);
    let mut publish = vec!["publish", "--workspace"];
    if opts.allow_dirty {
        publish.push("--allow-dirty");
    }
    cargo(&publish).map_err(|e| {
        format!(
            "{e}\nthe release commit exists and is not tagged; crates cargo published before \
             the failure stay published (see its output above). Once the problem is fixed, \
             publish the rest with `cargo publish -p CRATE` in the order cargo printed, then \
             tag it: git tag -a {tag} -m \"{message}\""
        )
    })?;
    git(root, &["tag", "-a", &tag, "-m", &message])?;
    say(&format!(
        "release: {} published and tagged {tag}. Push with: git push origin main {tag}",
        opts.version
    ));
    Ok(())
}

/// Runs `cargo xtask ci` in-process unless `--skip-checks`.
fn run_ci(root: &Path, opts: &Options) -> Result<(), String> {
    if opts.skip_checks {
        say("release: skipping `cargo xtask ci` (--skip-checks)");
        return Ok(());
    }
    say("release: running `cargo xtask ci`");
    ci::run(root, ci::Options::default())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::{SystemTime, UNIX_EPOCH};

    use super::*;
    use crate::util::project_root;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let name = format!("xtask-release-{tag}-{}-{nanos}", std::process::id());
            let dir = std::env::temp_dir().join(name);
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }

        /// Writes `contents` to `rel`, creating directories.
        fn write(&self, rel: &str, contents: &str) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, contents).expect("write");
        }

        fn read(&self, rel: &str) -> String {
            read(&self.0, rel).expect("read")
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).expect("valid version")
    }

    /// Options for a fixture run.
    fn options(version: &str, dry_run: bool, allow_dirty: bool) -> Options {
        Options {
            version: v(version),
            dry_run,
            allow_dirty,
            skip_checks: true,
        }
    }

    /// Arguments: one VERSION and known flags, in any order.
    #[test]
    fn parses_arguments() {
        let o =
            parse_args(&["--skip-checks", "0.2.0", "--dry-run", "--allow-dirty"]).expect("valid");
        assert_eq!(o.version, v("0.2.0"));
        assert!(o.dry_run && o.allow_dirty && o.skip_checks);
        let o = parse_args(&["1.0.0-rc.1"]).expect("valid");
        assert!(!o.dry_run && !o.allow_dirty && !o.skip_checks);
        for (args, needle) in [
            (&[][..], "missing VERSION"),
            (&["--dry-run"][..], "missing VERSION"),
            (&["0.2.0", "0.3.0"][..], "already"),
            (&["0.2.0", "--force"][..], "--force"),
            (&["v0.2.0"][..], "not a semantic version"),
            (&["1.0.0+build.5"][..], "build metadata"),
        ] {
            let err = parse_args(args).expect_err(needle);
            assert!(err.contains(needle) && err.contains(USAGE), "{err}");
        }
    }

    /// A manifest with every shape the bump must handle, and traps it must not touch.
    const TRICKY: &str = r#"# Root manifest; version = "0.1.0" in a comment stays.
[workspace]
members = [
    "crates/*", # [not a header]
    "tools",
]

[workspace.package]
version  =  "0.1.0"   # the one version
description = "says version = \"0.1.0\" but is not one"
edition = "2024"

[workspace.dependencies]
# internal
core = { version = "0.1.0", path = "crates/core" }
mid = { path = "./crates/mid/", features = ["a", "b"], version = "0.1.0" } # trailing
top.path = "crates/top"
top.version = "0.1.0"
renamed = { package = "core", path = "crates/core", version = "0.1.0" }
# external, same version string: untouched
other = { version = "0.1.0", default-features = false }
plain = "0.1.0"
core-from-registry = { package = "core", version = "0.1.0" }

[workspace.dependencies.tool]
path = "tools"
version = "0.1.0"

[workspace.dependencies.ext]
version = "0.1.0"
"#;

    /// The workspace crates of the tricky manifest.
    fn tricky_members() -> BTreeSet<String> {
        ["core", "mid", "top", "tool"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Exactly the internal versions change; comments, spacing and externals stay.
    #[test]
    fn bump_rewrites_only_internal_versions() {
        let new = bump_manifest(TRICKY, &tricky_members(), "0.2.0").expect("bump");
        let changed: Vec<(&str, &str)> = (TRICKY.lines().zip(new.lines()))
            .filter(|(a, b)| a != b)
            .collect();
        let expected = [
            "version  =  \"0.1.0\"   # the one version",
            "core = { version = \"0.1.0\", path = \"crates/core\" }",
            "mid = { path = \"./crates/mid/\", features = [\"a\", \"b\"], version = \"0.1.0\" } # trailing",
            "top.version = \"0.1.0\"",
            "renamed = { package = \"core\", path = \"crates/core\", version = \"0.1.0\" }",
            "version = \"0.1.0\"",
        ];
        assert_eq!(changed.len(), expected.len(), "{new}");
        for ((old, new), expected) in changed.into_iter().zip(expected) {
            assert_eq!((old, new), (expected, &*expected.replace("0.1.0", "0.2.0")));
        }
        assert_eq!(TRICKY.lines().count(), new.lines().count());
        assert_eq!(workspace_version(TRICKY), Ok(v("0.1.0")));
        assert!(workspace_version("[package]\nversion = \"1.0.0\"\n").is_err());
    }

    /// Crate manifests: inherited versions stay, written-out ones and target-specific path
    /// dependencies change, path-only dev-dependencies stay path-only.
    #[test]
    fn bump_in_a_crate_manifest() {
        let text = "[package]\nname = \"top\"\nversion = \"0.1.0\"\n\n\
                    [dependencies]\ncore = { path = \"../core\", version = \"0.1.0\" }\n\
                    mid.workspace = true\n\n\
                    [target.'cfg(unix)'.build-dependencies]\ncore = { path = \"../core\", version = \"=0.1.0\" }\n\n\
                    [dev-dependencies]\ntool = { path = \"../../tools\" }\n";
        let new = bump_manifest(text, &tricky_members(), "1.0.0").expect("bump");
        assert_eq!(
            new,
            text.replace("version = \"0.1.0\"", "version = \"1.0.0\"")
                .replace("\"=0.1.0\"", "\"1.0.0\"")
        );
        let inherited = "[package]\nname = \"a\"\nversion.workspace = true\n\n[dependencies]\nmid.workspace = true\n";
        assert_eq!(
            bump_manifest(inherited, &tricky_members(), "1.0.0").as_deref(),
            Ok(inherited)
        );
    }

    /// The bump of the real workspace touches only version strings, each now the new one,
    /// and reaches the workspace version.
    #[test]
    fn bump_of_this_workspace() {
        let root = project_root();
        let members =
            members_from_metadata(&cargo_metadata(&root).expect("metadata")).expect("members");
        let names: BTreeSet<String> = members.iter().map(|m| m.name.clone()).collect();
        let mut manifests: Vec<&str> = members.iter().map(|m| m.manifest.as_str()).collect();
        manifests.push("Cargo.toml");
        for rel in manifests {
            let old = read(&root, rel).expect("read");
            let new = bump_manifest(&old, &names, "98.76.54").expect("bump");
            assert_eq!(old.lines().count(), new.lines().count(), "{rel}");
            for (a, b) in old.lines().zip(new.lines()).filter(|(a, b)| a != b) {
                assert_eq!(a.replace(&members[0].version, "98.76.54"), b, "{rel}");
            }
            if rel == "Cargo.toml" {
                assert_eq!(workspace_version(&new), Ok(v("98.76.54")));
            }
        }
    }

    /// A changelog with notes and an older release.
    const LOG: &str = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n\n- A thing.\n\n## 0.1.0 - 2024-01-01\n\n- First.\n";

    /// The Unreleased notes move under the new heading; a fresh heading stays above.
    #[test]
    fn changelog_moves_unreleased() {
        let new = move_unreleased(LOG, &v("0.2.0"), "2025-06-30").expect("move");
        assert_eq!(
            new,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## 0.2.0 - 2025-06-30\n\n### Added\n\n- A thing.\n\n## 0.1.0 - 2024-01-01\n\n- First.\n"
        );
        // A second release right after finds nothing to release.
        let err = move_unreleased(&new, &v("0.3.0"), "2025-07-01").expect_err("empty");
        assert!(err.contains("no entries"), "{err}");
    }

    /// Failures: empty section, no heading, two headings, version already present.
    #[test]
    fn changelog_failures() {
        let empty = "# Changelog\n\n## Unreleased\n\n### Added\n\n<!-- nothing -->\n\n## 0.1.0 - 2024-01-01\n\n- First.\n";
        let err = move_unreleased(empty, &v("0.2.0"), "2025-06-30").expect_err("empty");
        assert!(err.contains("no entries"), "{err}");
        let last = "# Changelog\n\n## Unreleased";
        assert!(move_unreleased(last, &v("0.2.0"), "d").is_err());
        let none = "# Changelog\n\n## 0.1.0\n\n- x\n";
        let err = move_unreleased(none, &v("0.2.0"), "d").expect_err("none");
        assert!(err.contains("no `## Unreleased`"), "{err}");
        let two = "## Unreleased\n- a\n## Unreleased\n- b\n";
        assert!(move_unreleased(two, &v("0.2.0"), "d").is_err());
        let err = move_unreleased(LOG, &v("0.1.0"), "d").expect_err("exists");
        assert!(err.contains("already a section for 0.1.0"), "{err}");
    }

    /// The preview lists the removed lines, then the added ones.
    #[test]
    fn preview_lists_changed_lines() {
        let (old, new) = ("a\nb\nc\nd\n".into(), "a\nB\nc\n\nD\n".into());
        let edit = FileEdit {
            rel: "f".into(),
            old,
            new,
        };
        assert_eq!(preview(&edit), "f:\n  - b\n  - d\n  + B\n  + \n  + D\n");
    }

    /// Runs `git` in `dir` for a test.
    fn git_ok(dir: &Path, args: &[&str]) -> String {
        git(dir, args).expect("git")
    }

    /// A three-crate workspace plus a private tool, committed on `main`, with a lock file.
    /// `core` <- `mid` <- `top` (build-dependency on `core` too); `mid` dev-depends on `top`.
    fn fixture(tag: &str) -> TempDir {
        let fx = TempDir::new(tag);
        fx.write(
            "Cargo.toml",
            r#"[workspace]
resolver = "3"
members = ["crates/*", "tools"]

[workspace.package]
# The one version of every crate.
version = "0.1.0"
edition = "2024"
license = "MIT"
description = "xtask release fixture"
repository = "https://example.invalid/fixture"

[workspace.dependencies]
xtask-fx-core = { version = "0.1.0", path = "crates/core" } # internal

[workspace.dependencies.xtask-fx-mid]
path = "crates/mid"
version = "0.1.0"
"#,
        );
        let package = |name: &str, version: &str| {
            format!(
                "[package]\nname = \"{name}\"\n{version}\nedition.workspace = true\n\
                 license.workspace = true\ndescription.workspace = true\n\
                 repository.workspace = true\n"
            )
        };
        fx.write(
            "crates/core/Cargo.toml",
            &package("xtask-fx-core", "version.workspace = true"),
        );
        fx.write(
            "crates/mid/Cargo.toml",
            &format!(
                "{}\n[dependencies]\nxtask-fx-core.workspace = true\n\n\
                 [dev-dependencies]\nxtask-fx-top = {{ path = \"../top\" }}\n",
                package("xtask-fx-mid", "version = \"0.1.0\"")
            ),
        );
        fx.write(
            "crates/top/Cargo.toml",
            &format!(
                "{}\n[dependencies]\nxtask-fx-mid.workspace = true\n\n\
                 [build-dependencies]\nxtask-fx-core = {{ path = \"../core\", version = \"0.1.0\" }}\n",
                package("xtask-fx-top", "version.workspace = true")
            ),
        );
        fx.write(
            "tools/Cargo.toml",
            &format!(
                "{}publish = false\n\n[dependencies]\nxtask-fx-top = {{ path = \"../crates/top\" }}\n",
                package("xtask-fx-tool", "version.workspace = true")
            ),
        );
        for lib in ["crates/core", "crates/mid", "crates/top"] {
            fx.write(&format!("{lib}/src/lib.rs"), "//! Fixture.\n");
        }
        fx.write("tools/src/main.rs", "//! Fixture.\nfn main() {}\n");
        fx.write(
            CHANGELOG,
            "# Changelog\n\n## Unreleased\n\n### Added\n\n- Everything.\n",
        );
        fx.write(".gitignore", "/target\n");
        cargo_offline(&fx.0, &["generate-lockfile"]).expect("cargo generate-lockfile");
        git_ok(&fx.0, &["init", "--quiet", "--initial-branch=main"]);
        for (k, val) in [
            ("user.name", "Release Test"),
            ("user.email", "release@example.invalid"),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
        ] {
            git_ok(&fx.0, &["config", k, val]);
        }
        git_ok(&fx.0, &["add", "--all"]);
        git_ok(&fx.0, &["commit", "--quiet", "-m", "Fixture"]);
        fx
    }

    /// Runs a real cargo command offline and quietly in `dir`.
    fn cargo_offline(dir: &Path, args: &[&str]) -> Result<(), String> {
        let status = Command::new(env!("CARGO"))
            .args(args)
            .args(["--offline", "--quiet"])
            .current_dir(dir)
            .status()
            .map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("`cargo {}` failed", args.join(" ")))
    }

    /// Runs a release on the fixture with cargo for real, offline, except `cargo publish`,
    /// which crates.io would serve: a publish is recorded as `ARGS @ HEAD'S SUBJECT [TAGS]`
    /// and fails when `fail` says so; a dry-run publish is checked with `cargo package` of
    /// the publishable crates, which catches the same manifest errors.
    fn release(
        fx: &TempDir,
        opts: &Options,
        fail: fn(&[&str]) -> bool,
    ) -> (Result<(), String>, Vec<String>) {
        let root = &fx.0;
        let mut publishes = Vec::new();
        let result = run_with(root, opts, "2030-01-02", &mut |args| {
            if args[0] != "publish" {
                return cargo_offline(root, args);
            }
            let head = git_ok(root, &["log", "-1", "--format=%s"]);
            let tags = git_ok(root, &["tag", "--list"]);
            let (args, head, tags) = (args.join(" "), head.trim(), tags.trim());
            publishes.push(format!("{args} @ {head} [{tags}]"));
            if fail(&args.split(' ').collect::<Vec<_>>()) {
                Err(format!("`cargo {args}` failed (test)"))
            } else if args.contains("--dry-run") {
                let exclude = ["--exclude", "xtask-fx-tool"];
                let package = ["package", "--no-verify", "--allow-dirty", "--workspace"];
                cargo_offline(root, &[&package[..], &exclude].concat())
            } else {
                Ok(())
            }
        });
        (result, publishes)
    }

    /// Git's view of the tree: every change to a file outside `target/` shows, since the
    /// fixture starts clean.
    fn snapshot(root: &Path) -> [String; 3] {
        [
            git_ok(root, &["status", "--porcelain"]),
            git_ok(root, &["rev-parse", "HEAD"]),
            git_ok(root, &["tag", "--list"]),
        ]
    }

    /// A dry run runs every check and a dry-run publish, and changes nothing at all.
    #[test]
    fn dry_run_changes_nothing() {
        let fx = fixture("dry-run");
        let before = snapshot(&fx.0);
        let (result, publishes) = release(&fx, &options("0.2.0", true, false), |_| false);
        result.expect("dry run");
        assert_eq!(snapshot(&fx.0), before, "the dry run changed the tree");
        assert_eq!(
            publishes,
            ["publish --workspace --dry-run --no-verify --locked @ Fixture []"]
        );
        // Every publishable crate, dependents included, was really packaged.
        for krate in ["xtask-fx-core", "xtask-fx-mid", "xtask-fx-top"] {
            let file = fx.0.join(format!("target/package/{krate}-0.1.0.crate"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }

    /// The checks refuse an old version, a dirty tree, a taken tag, another branch and
    /// crates out of lockstep, before anything is published.
    #[test]
    fn dry_run_checks_fail_clearly() {
        let fx = fixture("checks");
        let attempt = |opts: Options| {
            let (result, publishes) = release(&fx, &opts, |_| false);
            assert!(result.is_ok() || publishes.is_empty());
            result
        };
        let err = attempt(options("0.1.0", true, false)).expect_err("old version");
        assert!(
            err.contains("greater than the current version 0.1.0"),
            "{err}"
        );

        fx.write("notes.txt", "not committed\n");
        let err = attempt(options("0.2.0", true, false)).expect_err("dirty");
        assert!(
            err.contains("not clean") && err.contains("nothing was changed"),
            "{err}"
        );
        attempt(options("0.2.0", true, true)).expect("--allow-dirty accepts it");
        std::fs::remove_file(fx.0.join("notes.txt")).expect("rm");

        let mid = fx.read("crates/mid/Cargo.toml");
        fx.write(
            "crates/mid/Cargo.toml",
            &mid.replace("\"0.1.0\"", "\"0.1.1\""),
        );
        let err = attempt(options("0.2.0", true, true)).expect_err("lockstep");
        assert!(
            err.contains("not at the workspace version 0.1.0: xtask-fx-mid 0.1.1"),
            "{err}"
        );
        fx.write("crates/mid/Cargo.toml", &mid);

        git_ok(&fx.0, &["tag", "-a", "v0.2.0", "-m", "taken"]);
        let err = attempt(options("0.2.0", true, false)).expect_err("tag taken");
        assert!(err.contains("tag v0.2.0 already exists"), "{err}");

        git_ok(&fx.0, &["switch", "--quiet", "-c", "feature"]);
        let err = attempt(options("0.3.0", true, false)).expect_err("branch");
        assert!(err.contains("branch main, not feature"), "{err}");
    }

    /// A real release (with crates.io faked): bump, commit, publish the workspace, tag.
    #[test]
    fn release_commits_publishes_and_tags() {
        let fx = fixture("real");
        let base = git_ok(&fx.0, &["rev-parse", "HEAD"]);
        let (result, publishes) = release(&fx, &options("0.2.0", false, false), |_| false);
        result.expect("release");
        assert_eq!(
            publishes,
            [
                "publish --workspace --dry-run --no-verify --locked --allow-dirty @ Fixture []",
                "publish --workspace @ Release 0.2.0 []",
            ]
        );
        assert_eq!(git_ok(&fx.0, &["rev-parse", "HEAD~1"]), base);
        assert_eq!(git_ok(&fx.0, &["cat-file", "-t", "v0.2.0"]).trim(), "tag");
        assert_eq!(
            git_ok(&fx.0, &["status", "--porcelain"]),
            "",
            "all committed"
        );
        let changed = git_ok(&fx.0, &["diff", "--name-only", "HEAD~1", "HEAD"]);
        assert_eq!(
            changed.lines().collect::<Vec<_>>(),
            [
                "CHANGELOG.md",
                "Cargo.lock",
                "Cargo.toml",
                "crates/mid/Cargo.toml",
                "crates/top/Cargo.toml"
            ]
        );
        let root = fx.read("Cargo.toml");
        assert_eq!(root.matches("version = \"0.2.0\"").count(), 3, "{root}");
        assert!(!root.contains("0.1.0"));
        assert!(root.contains("\"crates/core\" } # internal"), "{root}");
        assert!(
            fx.read("crates/top/Cargo.toml")
                .contains("version = \"0.2.0\"")
        );
        assert!(
            fx.read("Cargo.lock")
                .contains("name = \"xtask-fx-top\"\nversion = \"0.2.0\"")
        );
        assert!(
            fx.read(CHANGELOG)
                .contains("## Unreleased\n\n## 0.2.0 - 2030-01-02\n\n### Added\n\n- Everything.\n")
        );
    }

    /// A failed publish leaves the release commit untagged and says how to finish.
    #[test]
    fn release_stops_at_a_failed_publish() {
        let fx = fixture("publish-fails");
        let (result, _) = release(&fx, &options("0.2.0", false, false), |args| {
            !args.contains(&"--dry-run")
        });
        let err = result.expect_err("publish fails");
        for needle in [
            "`cargo publish --workspace` failed",
            "cargo publish -p CRATE",
            "git tag -a v0.2.0 -m \"Release 0.2.0\"",
        ] {
            assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        }
        assert_eq!(
            git_ok(&fx.0, &["log", "-1", "--format=%s"]).trim(),
            "Release 0.2.0"
        );
        assert_eq!(git_ok(&fx.0, &["tag", "--list"]), "");
    }

    /// When packaging fails after the bump is written, the bump is rolled back.
    #[test]
    fn release_rolls_back_when_packaging_fails() {
        let fx = fixture("rollback");
        // Like a crate whose README was never written.
        let manifest = fx.read("crates/top/Cargo.toml");
        fx.write(
            "crates/top/Cargo.toml",
            &manifest.replace("[dependencies]", "readme = \"README.md\"\n\n[dependencies]"),
        );
        git_ok(&fx.0, &["commit", "--quiet", "-am", "Missing README"]);
        let before = snapshot(&fx.0);
        let (result, _) = release(&fx, &options("0.2.0", true, false), |_| false);
        let err = result.expect_err("dry run: packaging fails");
        assert!(err.contains("cargo package"), "{err}");
        assert_eq!(snapshot(&fx.0), before);
        let (result, publishes) = release(&fx, &options("0.2.0", false, false), |_| false);
        let err = result.expect_err("release: packaging fails");
        assert!(err.contains("rolled back"), "{err}");
        assert_eq!(snapshot(&fx.0), before, "the bump was not rolled back");
        assert!(publishes.iter().all(|p| p.contains("--dry-run")));
    }
}
