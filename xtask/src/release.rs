//! `cargo xtask release VERSION`: one version for every crate, published to crates.io in
//! dependency order.
//!
//! A release:
//!
//! 1. checks VERSION (semver, greater than `[workspace.package] version`), the branch
//!    (`main`), a clean tree (unless `--allow-dirty`), that tag `vVERSION` is free, and that
//!    `## Unreleased` in `CHANGELOG.md` has entries;
//! 2. computes the publish order from `cargo metadata` with a topological sort over the
//!    dependencies among publishable workspace members: normal, build, and dev-dependencies
//!    that carry a version. `cargo publish` keeps a versioned dev-dependency in the published
//!    manifest and resolves it against the registry, so it must be published first
//!    (`ttsc-client`'s tests use `ttsc-emulator`); it strips path-only dev-dependencies
//!    (`req` `*` in the metadata), which therefore do not order anything;
//! 3. bumps every version in lockstep by editing the manifests' text line by line (comments
//!    and formatting survive): `[workspace.package] version`, the `version` of every
//!    `[workspace.dependencies]` entry (and any dependency elsewhere) whose `path` is a
//!    workspace member, and any `[package] version` written out instead of inherited; moves
//!    the Unreleased notes under `## VERSION - YYYY-MM-DD` (UTC) below a fresh `## Unreleased`;
//!    refreshes `Cargo.lock` with `cargo update --workspace`;
//! 4. runs `cargo xtask ci` in-process (unless `--skip-checks`) and packages every crate;
//!    if either fails, the bump is rolled back;
//! 5. commits the bump as "Release VERSION", then for each crate in order runs `cargo
//!    publish -p CRATE` and polls `cargo info CRATE@VERSION` until the registry serves it,
//!    and finally creates the annotated tag `vVERSION`. Committing before publishing lets
//!    `cargo publish` run on a clean tree and record the release commit in
//!    `.cargo_vcs_info.json`; tagging last means a tag always marks a complete release.
//!
//! `--dry-run` prints the plan (versions, order, a diff-like preview of every line that
//! would change), runs every check including `ci`, and packages the crates with the
//! current versions, changing nothing outside `target/`. It packages all crates in one
//! `cargo package -p A -p B …`, which (since cargo 1.90) resolves each crate's workspace
//! dependencies against the crates packaged in the same run. `cargo publish --dry-run` cannot
//! check a dependent crate before its dependencies are on crates.io, and neither can
//! `cargo package -p CRATE` alone; with an older cargo, dependent crates only get their file
//! list checked (`cargo package --list`).
//!
//! `--allow-dirty` and `--skip-checks` exist for tests and emergencies. With `--allow-dirty`,
//! the release commit takes each bumped file whole, uncommitted changes in it included.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::ci;
use crate::util::{cargo_metadata, read, say};

// ---------------------------------------------------------------------------------------
// Command line.

/// Usage line of the command.
pub const USAGE: &str =
    "usage: cargo xtask release VERSION [--dry-run] [--allow-dirty] [--skip-checks]";

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
    /// Run cargo with `--offline --quiet` (tests, on a fixture workspace).
    sandboxed: bool,
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
    Ok(Options {
        version: Version::parse(version).map_err(|e| format!("{e}\n{USAGE}"))?,
        dry_run,
        allow_dirty,
        skip_checks,
        sandboxed: false,
    })
}

// ---------------------------------------------------------------------------------------
// Semantic versions.

/// A semantic version `MAJOR.MINOR.PATCH[-PRERELEASE]` (build metadata is refused: crates.io
/// ignores it, so two versions differing only there would collide).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Ident>,
}

/// One dot-separated identifier of a pre-release. The variant order is semver's: numeric
/// identifiers sort before alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ident {
    Num(u64),
    Alpha(String),
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH[-PRERELEASE]`.
    pub fn parse(s: &str) -> Result<Version, String> {
        let err = |why: &str| {
            format!("{s:?} is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): {why}")
        };
        if s.starts_with('v') {
            return Err(err("write it without the leading `v`"));
        }
        if s.contains('+') {
            return Err(err(
                "build metadata (`+…`) is not supported: crates.io ignores it",
            ));
        }
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (s, None),
        };
        let numbers = core
            .split('.')
            .map(|n| numeric(n).ok_or_else(|| err(&format!("{n:?} is not a number"))))
            .collect::<Result<Vec<u64>, String>>()?;
        let [major, minor, patch] = numbers[..] else {
            return Err(err("expected three numbers separated by dots"));
        };
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        Err(err(&format!(
                            "pre-release identifier {id:?} must be non-empty ASCII letters, digits or `-`"
                        )))
                    } else if id.bytes().all(|b| b.is_ascii_digit()) {
                        numeric(id).map(Ident::Num).ok_or_else(|| {
                            err(&format!("numeric identifier {id:?} has a leading zero"))
                        })
                    } else {
                        Ok(Ident::Alpha(id.to_string()))
                    }
                })
                .collect::<Result<Vec<Ident>, String>>()?,
        };
        Ok(Version {
            major,
            minor,
            patch,
            pre,
        })
    }
}

/// A semver number: ASCII digits, no leading zero, fits in `u64`.
fn numeric(s: &str) -> Option<u64> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

impl Ord for Version {
    /// Semver precedence: numbers first; a pre-release sorts before its release; then
    /// identifiers one by one, a shorter list first when one is a prefix of the other.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    /// See [`Ord`].
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    /// `1.2.3` or `1.2.3-rc.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                Ident::Num(n) => write!(f, "{n}")?,
                Ident::Alpha(a) => f.write_str(a)?,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Manifest text: a line-based reader for the few TOML shapes Cargo manifests use.

/// A single-line string value in a manifest: where its contents sit, and what they say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StrValue {
    /// 0-based line number.
    line: usize,
    /// Byte range of the contents (inside the quotes) within the line.
    start: usize,
    end: usize,
    text: String,
}

/// What a key belongs to: a `[package]`-like table, or one dependency.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    /// `[package]` or `[workspace.package]`.
    Package(Vec<String>),
    /// A dependency `name` of the dependency table `table` (e.g. `["workspace", "dependencies"]`).
    Dep { table: Vec<String>, name: String },
}

/// One key of interest: its owner, its name, and its value when that is a string.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    owner: Owner,
    key: String,
    value: Option<StrValue>,
}

/// The names of dependency tables.
const DEP_KINDS: &[&str] = &[
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

/// Whether `table` holds dependencies (`[dependencies]`, `[workspace.dependencies]`,
/// `[target.'cfg(…)'.dev-dependencies]`, …).
fn is_dep_table(table: &[String]) -> bool {
    match table {
        [kind] => DEP_KINDS.contains(&kind.as_str()),
        [ws, deps] => ws == "workspace" && deps == "dependencies",
        [target, _, kind] => target == "target" && DEP_KINDS.contains(&kind.as_str()),
        _ => false,
    }
}

/// Whether a dependency table is a dev-dependency table.
fn is_dev_table(table: &[String]) -> bool {
    table
        .last()
        .is_some_and(|k| k == "dev-dependencies" || k == "dev_dependencies")
}

/// What a key in `table` is about, if anything the release cares for: `(owner, key)`.
fn owner_of(table: &[String], key: &[String]) -> Option<(Owner, String)> {
    let is_package = matches!(table, [p] if p == "package")
        || matches!(table, [w, p] if w == "workspace" && p == "package");
    match key {
        [k] if is_package => Some((Owner::Package(table.to_vec()), k.clone())),
        [name] if is_dep_table(table) => Some((
            Owner::Dep {
                table: table.to_vec(),
                name: name.clone(),
            },
            // `name = "1.0"` is the version; `name = { … }` is expanded by the caller.
            "version".to_string(),
        )),
        [name, k] if is_dep_table(table) => Some((
            Owner::Dep {
                table: table.to_vec(),
                name: name.clone(),
            },
            k.clone(),
        )),
        [k] if table.len() >= 2 && is_dep_table(&table[..table.len() - 1]) => Some((
            Owner::Dep {
                table: table[..table.len() - 1].to_vec(),
                name: table[table.len() - 1].clone(),
            },
            k.clone(),
        )),
        _ => None,
    }
}

/// Skips spaces and tabs from `i`.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// A character allowed in a bare TOML key.
fn is_bare(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// At a quote at `i`, a single-line string: `(contents start, contents end, index after it)`.
fn parse_string(s: &str, i: usize) -> Option<(usize, usize, usize)> {
    let b = s.as_bytes();
    let quote = *b.get(i)?;
    let mut j = i + 1;
    while j < b.len() {
        if quote == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == quote {
            return Some((i + 1, j, j + 1));
        }
        j += 1;
    }
    None
}

/// The text of a string's contents, with the two escapes paths and versions could use.
fn unescape(raw: &str) -> String {
    raw.replace("\\\\", "\\").replace("\\\"", "\"")
}

/// A possibly dotted, possibly quoted key at `i`: its segments and the index after it.
fn parse_key(s: &str, i: usize) -> Option<(Vec<String>, usize)> {
    let b = s.as_bytes();
    let mut segments = Vec::new();
    let mut i = skip_ws(b, i);
    loop {
        let next = match *b.get(i)? {
            b'"' | b'\'' => {
                let (start, end, next) = parse_string(s, i)?;
                segments.push(unescape(&s[start..end]));
                next
            }
            c if is_bare(c) => {
                let start = i;
                while i < b.len() && is_bare(b[i]) {
                    i += 1;
                }
                segments.push(s[start..i].to_string());
                i
            }
            _ => return None,
        };
        i = skip_ws(b, next);
        if b.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return Some((segments, i));
        }
    }
}

/// A table header (`[a.b]` or `[[a.b]]`) starting at `i`: its segments.
fn parse_header(s: &str, i: usize) -> Option<Vec<String>> {
    let b = s.as_bytes();
    let double = s[i..].starts_with("[[");
    let (key, after) = parse_key(s, i + if double { 2 } else { 1 })?;
    let close = if double { "]]" } else { "]" };
    if !s[after..].starts_with(close) {
        return None;
    }
    let rest = skip_ws(b, after + close.len());
    (rest == b.len() || b[rest] == b'#').then_some(key)
}

/// The bracket depth after reading `s` from `depth`, ignoring strings and comments (for
/// arrays that span lines).
fn bracket_depth(s: &str, mut depth: usize) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => match parse_string(s, i) {
                Some((_, _, next)) => {
                    i = next;
                    continue;
                }
                None => return depth,
            },
            b'#' => return depth,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    depth
}

/// Skips a non-string value inside an inline table: a nested array or table, or a bare token.
fn skip_value(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    if matches!(b.get(i), Some(b'[' | b'{')) {
        let mut depth = 0;
        let mut j = i;
        while j < b.len() {
            match b[j] {
                b'"' | b'\'' => {
                    j = parse_string(s, j)?.2;
                    continue;
                }
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        return None;
    }
    let mut j = i;
    while j < b.len() && !matches!(b[j], b',' | b'}' | b' ' | b'\t') {
        j += 1;
    }
    (j > i).then_some(j)
}

/// The key/value pairs of the inline table whose `{` is at `i`: `(key, string value span)`.
type InlinePairs = Vec<(Vec<String>, Option<(usize, usize)>)>;

/// Reads a single-line inline table.
fn inline_table(s: &str, i: usize) -> Option<InlinePairs> {
    let b = s.as_bytes();
    let mut pairs = Vec::new();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(pairs);
    }
    loop {
        let (key, after) = parse_key(s, i)?;
        if b.get(after) != Some(&b'=') {
            return None;
        }
        let v = skip_ws(b, after + 1);
        let (span, next) = match b.get(v)? {
            b'"' | b'\'' if !s[v..].starts_with("\"\"\"") && !s[v..].starts_with("'''") => {
                let (start, end, next) = parse_string(s, v)?;
                (Some((start, end)), next)
            }
            _ => (None, skip_value(s, v)?),
        };
        pairs.push((key, span));
        i = skip_ws(b, next);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some(pairs),
            _ => return None,
        }
    }
}

/// Every package and dependency key of a manifest, with string values located.
fn scan(text: &str) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    let mut table: Vec<String> = Vec::new();
    let mut multiline: Option<&str> = None;
    let mut depth = 0;
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let bad = |what: &str| format!("line {}: {what}: {line}", n + 1);
        if let Some(delim) = multiline {
            if line.contains(delim) {
                multiline = None;
            }
            continue;
        }
        if depth > 0 {
            depth = bracket_depth(line, depth);
            continue;
        }
        let b = line.as_bytes();
        let t = skip_ws(b, 0);
        if t == b.len() || b[t] == b'#' {
            continue;
        }
        if b[t] == b'[' {
            table = parse_header(line, t).ok_or_else(|| bad("cannot read this table header"))?;
            continue;
        }
        let (key, after) = parse_key(line, t).ok_or_else(|| bad("cannot read this key"))?;
        if b.get(after) != Some(&b'=') {
            return Err(bad("expected `key = value`"));
        }
        let v = skip_ws(b, after + 1);
        let rest = &line[v..];
        if let Some(delim) = ["\"\"\"", "'''"].into_iter().find(|d| rest.starts_with(d)) {
            if !rest[3..].contains(delim) {
                multiline = Some(delim);
            }
            continue;
        }
        let Some((owner, field_key)) = owner_of(&table, &key) else {
            depth = bracket_depth(rest, 0);
            continue;
        };
        let string = |start: usize, end: usize| StrValue {
            line: n,
            start,
            end,
            text: unescape(&line[start..end]),
        };
        match b.get(v) {
            Some(b'"' | b'\'') => {
                let (start, end, _) =
                    parse_string(line, v).ok_or_else(|| bad("unclosed string"))?;
                fields.push(Field {
                    owner,
                    key: field_key,
                    value: Some(string(start, end)),
                });
            }
            Some(b'{') if matches!(owner, Owner::Dep { .. }) && key.len() == 1 => {
                let pairs = inline_table(line, v).ok_or_else(|| {
                    bad("cannot read this inline table (it must fit on one line)")
                })?;
                for (k, span) in pairs {
                    fields.push(Field {
                        owner: owner.clone(),
                        key: k.join("."),
                        value: span.map(|(start, end)| string(start, end)),
                    });
                }
            }
            _ => {
                depth = bracket_depth(rest, 0);
                fields.push(Field {
                    owner,
                    key: field_key,
                    value: None,
                });
            }
        }
    }
    Ok(fields)
}

/// Resolves a relative `path` from the directory `dir` (both `/`-separated, relative to the
/// workspace root) lexically: `("crates/a", "../b")` is `crates/b`.
fn join_rel(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The version strings a lockstep release rewrites in one manifest: the package version
/// when written out, and the `version` of each dependency whose `path` is a workspace member.
/// `dir` is the manifest's directory relative to the workspace root (`""` for the root);
/// `members` holds the members' directories the same way. When `published` (the root
/// manifest, whose `[workspace.dependencies]` published crates inherit, and the manifests of
/// published crates), a normal or build path dependency on a member without a `version` is an
/// error, since `cargo publish` would refuse it.
fn version_fields(
    text: &str,
    dir: &str,
    members: &BTreeSet<String>,
    published: bool,
) -> Result<Vec<StrValue>, String> {
    let mut by_owner: BTreeMap<Owner, BTreeMap<String, Option<StrValue>>> = BTreeMap::new();
    for f in scan(text)? {
        by_owner.entry(f.owner).or_default().insert(f.key, f.value);
    }
    let mut out = Vec::new();
    for (owner, keys) in by_owner {
        match &owner {
            Owner::Package(_) => {
                if let Some(Some(v)) = keys.get("version") {
                    out.push(v.clone());
                }
            }
            Owner::Dep { table, name } => {
                let Some(Some(path)) = keys.get("path") else {
                    continue;
                };
                if !members.contains(&join_rel(dir, &path.text)) {
                    continue;
                }
                match keys.get("version") {
                    Some(Some(v)) => out.push(v.clone()),
                    Some(None) => {
                        return Err(format!(
                            "`{name}` in [{}]: `version` must be a plain string",
                            table.join(".")
                        ));
                    }
                    // Path-only dev-dependencies are stripped by `cargo publish`.
                    None if is_dev_table(table) || !published => {}
                    None => {
                        return Err(format!(
                            "`{name}` in [{}] is a path dependency on a workspace crate without \
                             a `version`; `cargo publish` needs one (add `version = \"…\"`)",
                            table.join(".")
                        ));
                    }
                }
            }
        }
    }
    out.sort_by_key(|v| (v.line, v.start));
    Ok(out)
}

/// A changed region of a file, for the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunk {
    /// 1-based line number in the old file.
    line: usize,
    old: Vec<String>,
    new: Vec<String>,
}

/// One file a release rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileEdit {
    /// Path relative to the workspace root, `/`-separated.
    rel: String,
    old: String,
    new: String,
    hunks: Vec<Hunk>,
}

/// Replaces the contents of each string in `values` by `version`, leaving every other byte
/// alone; returns the new text and one hunk per changed line.
fn replace_values(text: &str, values: &[StrValue], version: &str) -> (String, Vec<Hunk>) {
    let mut out = String::with_capacity(text.len());
    let mut hunks = Vec::new();
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let here: Vec<&StrValue> = values.iter().filter(|v| v.line == n).collect();
        if here.is_empty() {
            out.push_str(raw);
            continue;
        }
        let mut line = String::with_capacity(raw.len());
        let mut at = 0;
        for v in here {
            line.push_str(&raw[at..v.start]);
            line.push_str(version);
            at = v.end;
        }
        line.push_str(&raw[at..]);
        if line != raw {
            hunks.push(Hunk {
                line: n + 1,
                old: vec![raw.trim_end_matches(['\n', '\r']).to_string()],
                new: vec![line.trim_end_matches(['\n', '\r']).to_string()],
            });
        }
        out.push_str(&line);
    }
    (out, hunks)
}

/// The `version` of `[workspace.package]` in the root manifest's text.
fn workspace_version(root_manifest: &str) -> Result<Version, String> {
    let table = vec!["workspace".to_string(), "package".to_string()];
    let field = scan(root_manifest)?
        .into_iter()
        .find(|f| f.owner == Owner::Package(table.clone()) && f.key == "version")
        .ok_or("the root Cargo.toml has no `version` in [workspace.package]")?;
    let value = field
        .value
        .ok_or("[workspace.package] version must be a plain string")?;
    Version::parse(&value.text).map_err(|e| format!("[workspace.package] version: {e}"))
}

/// The version bump of every manifest in `manifests` (`(path relative to root, published)`,
/// see [`version_fields`]); `members` holds the directories of the workspace members.
/// Manifests that do not change are left out.
fn manifest_edits(
    root: &Path,
    manifests: &[(String, bool)],
    members: &BTreeSet<String>,
    version: &Version,
) -> Result<Vec<FileEdit>, String> {
    let mut edits = Vec::new();
    for (rel, published) in manifests {
        let old = read(root, rel)?;
        let dir = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
        let values =
            version_fields(&old, dir, members, *published).map_err(|e| format!("{rel}: {e}"))?;
        let (new, hunks) = replace_values(&old, &values, &version.to_string());
        if !hunks.is_empty() {
            edits.push(FileEdit {
                rel: rel.clone(),
                old,
                new,
                hunks,
            });
        }
    }
    Ok(edits)
}

// ---------------------------------------------------------------------------------------
// The changelog.

/// The changelog file, relative to the workspace root.
const CHANGELOG: &str = "CHANGELOG.md";

/// Whether a changelog line is the Unreleased heading.
fn is_unreleased_heading(line: &str) -> bool {
    let t = line.trim();
    t.eq_ignore_ascii_case("## unreleased") || t.eq_ignore_ascii_case("## [unreleased]")
}

/// Moves the notes under `## Unreleased` to a new `## VERSION - DATE` section, leaving an
/// empty `## Unreleased` above it. Fails when there is no such heading, it has no entries, or
/// VERSION already has a section.
fn move_unreleased(text: &str, version: &Version, date: &str) -> Result<(String, Hunk), String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let headings: Vec<usize> = (0..lines.len())
        .filter(|&i| is_unreleased_heading(lines[i]))
        .collect();
    let at = match headings[..] {
        [at] => at,
        [] => return Err("no `## Unreleased` heading".to_string()),
        _ => return Err("more than one `## Unreleased` heading".to_string()),
    };
    let body_end = (at + 1..lines.len())
        .find(|&i| lines[i].starts_with("## ") || lines[i].starts_with("# "))
        .unwrap_or(lines.len());
    let has_entries = lines[at + 1..body_end].iter().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && !t.starts_with("<!--")
    });
    if !has_entries {
        return Err(
            "`## Unreleased` has no entries: write down what this release changes".to_string(),
        );
    }
    let v = version.to_string();
    if let Some(line) = lines.iter().find(|l| {
        let t = l.trim();
        t == format!("## {v}")
            || t.starts_with(&format!("## {v} "))
            || t.starts_with(&format!("## [{v}]"))
    }) {
        return Err(format!(
            "there is already a section for {v}: {}",
            line.trim()
        ));
    }
    let heading = lines[at];
    let eol = &heading[heading.trim_end_matches(['\n', '\r']).len()..];
    let eol = if eol.is_empty() { "\n" } else { eol };
    let new_heading = format!("## {v} - {date}");
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in lines.iter().enumerate() {
        if i == at {
            // The original may lack a final newline when the heading is the last line.
            out.push_str(heading.trim_end_matches(['\n', '\r']));
            out.push_str(eol);
            out.push_str(eol);
            out.push_str(&new_heading);
            out.push_str(eol);
        } else {
            out.push_str(line);
        }
    }
    let old_heading = heading.trim_end_matches(['\n', '\r']).to_string();
    let hunk = Hunk {
        line: at + 1,
        old: vec![old_heading.clone()],
        new: vec![old_heading, String::new(), new_heading],
    };
    Ok((out, hunk))
}

/// The changelog edit for `version`, released on `date`.
fn changelog_edit(root: &Path, version: &Version, date: &str) -> Result<FileEdit, String> {
    let old = read(root, CHANGELOG)?;
    let (new, hunk) = move_unreleased(&old, version, date)?;
    Ok(FileEdit {
        rel: CHANGELOG.to_string(),
        old,
        new,
        hunks: vec![hunk],
    })
}

/// The proleptic Gregorian date `(year, month, day)` of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "month is 1..=12 and day 1..=31 by construction"
    )]
    (year, month as u32, day as u32)
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------------------------------
// Workspace members and the publish order.

/// A workspace member, as the release sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    /// Manifest path relative to the workspace root, `/`-separated.
    manifest: String,
    /// Directory relative to the workspace root (`""` for a root package).
    dir: String,
    /// Whether it is published to crates.io (`publish = false` crates are not).
    publishable: bool,
    /// Workspace members that must be on the registry before it is published: normal and
    /// build dependencies, and dev-dependencies with a version.
    deps: BTreeSet<String>,
}

/// The workspace members described by `cargo metadata --no-deps` output.
fn members_from_metadata(meta: &Value) -> Result<Vec<Member>, String> {
    let ws_root = meta["workspace_root"]
        .as_str()
        .ok_or("cargo metadata: no workspace_root")?;
    let packages = meta["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let names: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut members = Vec::new();
    for p in packages {
        let name = p["name"]
            .as_str()
            .ok_or("cargo metadata: package without name")?;
        let manifest_path = p["manifest_path"]
            .as_str()
            .ok_or_else(|| format!("cargo metadata: {name} has no manifest_path"))?;
        let manifest = Path::new(manifest_path)
            .strip_prefix(ws_root)
            .map_err(|_| format!("{name}: {manifest_path} is outside the workspace"))?
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let dir = manifest.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        // `publish = false` is `[]`; a list of registries must name crates.io.
        let publishable = match &p["publish"] {
            Value::Null => true,
            Value::Array(registries) => registries.iter().any(|r| r == "crates-io"),
            _ => false,
        };
        let deps = p["dependencies"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|d| match d["kind"].as_str() {
                None | Some("build") => true,
                // `*` is a path-only dev-dependency, which `cargo publish` strips.
                Some("dev") => d["req"].as_str().is_some_and(|req| req != "*"),
                Some(_) => false,
            })
            .filter(|d| !d["path"].is_null())
            .filter_map(|d| d["name"].as_str())
            .filter(|d| names.contains(d) && *d != name)
            .map(str::to_string)
            .collect();
        members.push(Member {
            name: name.to_string(),
            manifest,
            dir,
            publishable,
            deps,
        });
    }
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(members)
}

/// The publishable members in an order where each comes after its workspace dependencies
/// (Kahn's algorithm; ties broken by name so the order is stable).
fn publish_order(members: &[Member]) -> Result<Vec<String>, String> {
    let publishable: BTreeMap<&str, &Member> = members
        .iter()
        .filter(|m| m.publishable)
        .map(|m| (m.name.as_str(), m))
        .collect();
    for m in publishable.values() {
        if let Some(dep) = m
            .deps
            .iter()
            .find(|d| !publishable.contains_key(d.as_str()))
        {
            return Err(format!(
                "{} depends on {dep}, which is not published (publish = false); \
                 it cannot be published",
                m.name
            ));
        }
    }
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = publishable
        .iter()
        .map(|(name, m)| (*name, m.deps.iter().map(String::as_str).collect()))
        .collect();
    let mut order = Vec::new();
    while let Some(next) = waiting
        .iter()
        .find(|(_, deps)| deps.is_empty())
        .map(|(name, _)| *name)
    {
        waiting.remove(next);
        for deps in waiting.values_mut() {
            deps.remove(next);
        }
        order.push(next.to_string());
    }
    if waiting.is_empty() {
        return Ok(order);
    }
    // Every crate left waits on another crate left, so walking first dependencies from any
    // of them must revisit one: that loop is a cycle.
    let mut path: Vec<&str> = vec![waiting.keys().next().copied().unwrap_or_default()];
    loop {
        let last = path[path.len() - 1];
        let Some(next) = waiting.get(last).and_then(|d| d.iter().next().copied()) else {
            break;
        };
        if let Some(pos) = path.iter().position(|p| *p == next) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(next);
            return Err(format!(
                "dependency cycle among publishable crates: {} (normal and build \
                 dependencies count, and dev-dependencies with a version; make a \
                 dev-dependency path-only to break the cycle)",
                cycle.join(" -> ")
            ));
        }
        path.push(next);
    }
    Err(format!(
        "cannot order {} (dependency cycle)",
        waiting.keys().copied().collect::<Vec<_>>().join(", ")
    ))
}

// ---------------------------------------------------------------------------------------
// Running git and cargo.

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
fn cargo(root: &Path, args: &[String]) -> Result<(), String> {
    say(&format!("release: cargo {}", args.join(" ")));
    let status = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// The `(major, minor)` of the cargo that runs the commands.
fn cargo_version() -> Option<(u32, u32)> {
    let out = Command::new(env!("CARGO")).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The cargo commands that check packaging of `order`: one `cargo package` for all crates
/// when cargo can package interdependent crates together (1.90 and later); otherwise
/// `cargo package` for crates without workspace dependencies and `--list` for the others.
fn packaging_commands(
    order: &[String],
    members: &[Member],
    together: bool,
    extra: &[&str],
) -> Vec<Vec<String>> {
    let base = |list: bool| {
        let mut args = vec!["package".to_string(), "--no-verify".to_string()];
        if list {
            args.push("--list".to_string());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    if together {
        let mut args = base(false);
        for krate in order {
            args.extend(["-p".to_string(), krate.clone()]);
        }
        return vec![args];
    }
    order
        .iter()
        .map(|krate| {
            let leaf = members
                .iter()
                .find(|m| &m.name == krate)
                .is_none_or(|m| m.deps.is_empty());
            let mut args = base(!leaf);
            args.extend(["-p".to_string(), krate.clone()]);
            args
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The registry.

/// What one look at the registry saw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    /// The version is served.
    Visible,
    /// Not yet.
    NotYet,
    /// The look failed (network, registry); worth retrying.
    Error(String),
}

/// Publishing and polling, behind a trait so tests can stand in for crates.io.
trait Registry {
    /// Publishes one crate of the workspace at `root`.
    fn publish(&mut self, root: &Path, krate: &str, allow_dirty: bool) -> Result<(), String>;
    /// Whether `krate@version` is served yet.
    fn probe(&mut self, krate: &str, version: &Version) -> Probe;
    /// Waits between probes.
    fn sleep(&mut self, d: Duration);
}

/// crates.io, through cargo.
struct CratesIo;

impl Registry for CratesIo {
    /// `cargo publish -p CRATE`.
    fn publish(&mut self, root: &Path, krate: &str, allow_dirty: bool) -> Result<(), String> {
        let mut args = vec!["publish".to_string(), "-p".to_string(), krate.to_string()];
        if allow_dirty {
            args.push("--allow-dirty".to_string());
        }
        cargo(root, &args)
    }

    /// `cargo info CRATE@VERSION`, run outside the workspace (inside it, cargo describes the
    /// local crate instead of the registry's).
    fn probe(&mut self, krate: &str, version: &Version) -> Probe {
        let out = Command::new(env!("CARGO"))
            .args(["info", &format!("{krate}@{version}")])
            .current_dir(std::env::temp_dir())
            .output();
        match out {
            Ok(out) if out.status.success() => Probe::Visible,
            Ok(out) => {
                let err = String::from_utf8_lossy(&out.stderr);
                if err.contains("could not find") {
                    Probe::NotYet
                } else {
                    Probe::Error(err.trim().lines().last().unwrap_or_default().to_string())
                }
            }
            Err(e) => Probe::Error(format!("cannot run cargo info: {e}")),
        }
    }

    /// Sleeps the thread.
    fn sleep(&mut self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// How to poll: the first delay, doubling up to `max`, giving up after `timeout` of waiting.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    first: Duration,
    max: Duration,
    timeout: Duration,
}

/// Polling crates.io after a publish. `cargo publish` itself waits for the index (up to
/// `publish.timeout`, 60 s by default); this covers slower propagation.
const CRATES_IO_BACKOFF: Backoff = Backoff {
    first: Duration::from_secs(2),
    max: Duration::from_secs(30),
    timeout: Duration::from_secs(600),
};

/// Polls until `krate@version` is visible, sleeping with exponential backoff between polls.
/// Time is counted in sleeps, so the wait is deterministic under a fake registry.
fn wait_until_visible(
    registry: &mut dyn Registry,
    krate: &str,
    version: &Version,
    backoff: Backoff,
) -> Result<(), String> {
    let mut waited = Duration::ZERO;
    let mut delay = backoff.first;
    loop {
        let last_error = match registry.probe(krate, version) {
            Probe::Visible => return Ok(()),
            Probe::NotYet => None,
            Probe::Error(e) => Some(e),
        };
        if waited >= backoff.timeout {
            let cause = last_error.map_or(String::new(), |e| format!(" (last error: {e})"));
            return Err(format!(
                "{krate} {version} is still not visible on crates.io after {}s{cause}",
                waited.as_secs()
            ));
        }
        let pause = delay.min(backoff.timeout - waited);
        registry.sleep(pause);
        waited += pause;
        delay = (delay * 2).min(backoff.max);
    }
}

// ---------------------------------------------------------------------------------------
// The release.

/// Runs the release in the workspace at `root`.
pub fn run(root: &Path, opts: &Options) -> Result<(), String> {
    run_with(root, opts, &today_utc(), &mut CratesIo, CRATES_IO_BACKOFF)
}

/// Everything a release computes before it touches anything.
struct Plan {
    current: Version,
    members: Vec<Member>,
    order: Vec<String>,
    /// Manifest edits, then the changelog's when it can be made.
    edits: Vec<FileEdit>,
    changelog: Result<(), String>,
    lock_exists: bool,
}

impl Plan {
    /// Reads the workspace and computes the plan; fails only when it cannot be computed.
    fn prepare(root: &Path, opts: &Options, date: &str) -> Result<Plan, String> {
        let current = workspace_version(&read(root, "Cargo.toml")?)?;
        let members = members_from_metadata(&cargo_metadata(root)?)?;
        let order = publish_order(&members)?;
        let mut manifests = vec![("Cargo.toml".to_string(), true)];
        manifests.extend(
            members
                .iter()
                .filter(|m| m.manifest != "Cargo.toml")
                .map(|m| (m.manifest.clone(), m.publishable)),
        );
        let dirs: BTreeSet<String> = members.iter().map(|m| m.dir.clone()).collect();
        let mut edits = manifest_edits(root, &manifests, &dirs, &opts.version)?;
        let changelog = changelog_edit(root, &opts.version, date).map(|e| edits.push(e));
        Ok(Plan {
            current,
            members,
            order,
            edits,
            changelog,
            lock_exists: root.join("Cargo.lock").exists(),
        })
    }

    /// The plan in words: versions, publish order, and a preview of every changed line.
    fn describe(&self, opts: &Options) -> String {
        let mode = if opts.dry_run {
            " (dry run: nothing will be changed)"
        } else {
            ""
        };
        let mut out = format!("release: {} -> {}{mode}\n", self.current, opts.version);
        out.push_str(
            "publish order (normal, build and versioned dev-dependencies first; path-only \
             dev-dependencies are stripped on publish):\n",
        );
        for (i, krate) in self.order.iter().enumerate() {
            let deps = self
                .members
                .iter()
                .find(|m| &m.name == krate)
                .map(|m| m.deps.iter().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            let after = if deps.is_empty() {
                String::new()
            } else {
                format!("  (after {deps})")
            };
            out.push_str(&format!("  {}. {krate}{after}\n", i + 1));
        }
        let private: Vec<&str> = self
            .members
            .iter()
            .filter(|m| !m.publishable)
            .map(|m| m.name.as_str())
            .collect();
        if !private.is_empty() {
            out.push_str(&format!(
                "not published (publish = false): {}\n",
                private.join(", ")
            ));
        }
        out.push_str("changes:\n");
        for edit in &self.edits {
            out.push_str(&preview(edit));
        }
        if self.lock_exists {
            out.push_str(
                "Cargo.lock: the workspace members' versions (`cargo update --workspace`)\n",
            );
        }
        out
    }
}

/// A unified-diff-like preview of one edit.
fn preview(edit: &FileEdit) -> String {
    let mut out = format!("--- a/{0}\n+++ b/{0}\n", edit.rel);
    let mut shift: isize = 0;
    for h in &edit.hunks {
        let new_line = h.line.saturating_add_signed(shift);
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            h.line,
            h.old.len(),
            new_line,
            h.new.len()
        ));
        for l in &h.old {
            out.push_str(&format!("-{l}\n"));
        }
        for l in &h.new {
            out.push_str(&format!("+{l}\n"));
        }
        #[allow(clippy::cast_possible_wrap, reason = "hunks are a few lines long")]
        {
            shift += h.new.len() as isize - h.old.len() as isize;
        }
    }
    out
}

/// The outcome of one pre-flight check.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Check {
    Ok(String),
    Skipped(String),
    Failed(String),
}

/// The checks that need no build: version, branch, tree, tag, changelog.
fn preflight(root: &Path, opts: &Options, plan: &Plan) -> Vec<Check> {
    let mut checks = Vec::new();
    let v = &opts.version;
    checks.push(if *v > plan.current {
        Check::Ok(format!("{v} is greater than {}", plan.current))
    } else {
        Check::Failed(format!(
            "{v} must be greater than the current version {}",
            plan.current
        ))
    });
    checks.push(match git(root, &["rev-parse", "--abbrev-ref", "HEAD"]) {
        Ok(b) if b.trim() == "main" => Check::Ok("on branch main".to_string()),
        Ok(b) => Check::Failed(format!(
            "releases are made from branch main, not {}",
            b.trim()
        )),
        Err(e) => Check::Failed(e),
    });
    checks.push(match git(root, &["status", "--porcelain"]) {
        Ok(s) if s.trim().is_empty() => Check::Ok("working tree clean".to_string()),
        Ok(s) if opts.allow_dirty => Check::Skipped(format!(
            "working tree not clean ({} paths), allowed by --allow-dirty",
            s.lines().count()
        )),
        Ok(s) => Check::Failed(format!(
            "the working tree is not clean; commit or stash:\n{}",
            s.trim_end()
        )),
        Err(e) => Check::Failed(e),
    });
    let tag = format!("v{v}");
    checks.push(match git(root, &["tag", "--list", &tag]) {
        Ok(s) if s.trim().is_empty() => Check::Ok(format!("tag {tag} is free")),
        Ok(_) => Check::Failed(format!("tag {tag} already exists")),
        Err(e) => Check::Failed(e),
    });
    checks.push(match &plan.changelog {
        Ok(()) => Check::Ok(format!("{CHANGELOG}: `## Unreleased` has entries")),
        Err(e) => Check::Failed(format!("{CHANGELOG}: {e}")),
    });
    checks
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

/// The release, with the date, registry and polling schedule given.
fn run_with(
    root: &Path,
    opts: &Options,
    date: &str,
    registry: &mut dyn Registry,
    backoff: Backoff,
) -> Result<(), String> {
    let plan = Plan::prepare(root, opts, date)?;
    say(plan.describe(opts).trim_end());

    say("checks:");
    let checks = preflight(root, opts, &plan);
    for check in &checks {
        let (mark, text) = match check {
            Check::Ok(t) => ("ok  ", t),
            Check::Skipped(t) => ("skip", t),
            Check::Failed(t) => ("FAIL", t),
        };
        say(&format!("  {mark}  {}", text.replace('\n', "\n        ")));
    }
    let failed: Vec<&String> = checks
        .iter()
        .filter_map(|c| match c {
            Check::Failed(t) => Some(t),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        return Err(format!(
            "{} release check(s) failed; nothing was changed:\n  {}",
            failed.len(),
            failed
                .iter()
                .map(|t| t.lines().next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
    }

    let together = cargo_version().is_some_and(|v| v >= (1, 90));
    let mut extra: Vec<&str> = Vec::new();
    if opts.sandboxed {
        extra.extend(["--offline", "--quiet"]);
    }

    if opts.dry_run {
        run_ci(root, opts)?;
        say(if together {
            "release: packaging every crate in one run, so each resolves its workspace \
             dependencies against the others just packaged (`cargo publish --dry-run` cannot \
             check a dependent crate before its dependencies are on crates.io); the crates are \
             packaged at their current version, since a dry run writes no bump"
        } else {
            "release: this cargo (< 1.90) cannot package a dependent crate before its \
             dependencies are on crates.io: packaging crates without workspace dependencies, \
             and listing the files of the others"
        });
        if opts.allow_dirty {
            extra.push("--allow-dirty");
        }
        // With a lock file, `--locked` guarantees packaging does not rewrite it.
        if plan.lock_exists {
            extra.push("--locked");
        }
        let result = packaging_commands(&plan.order, &plan.members, together, &extra)
            .iter()
            .try_for_each(|args| cargo(root, args));
        // Without a lock file, cargo writes one; a dry run leaves none behind.
        if !plan.lock_exists {
            let _ = std::fs::remove_file(root.join("Cargo.lock"));
        }
        result.map_err(|e| format!("{e}\n(dry run: nothing was changed)"))?;
        say(&format!(
            "release: dry run passed; nothing was changed. To release: cargo xtask release {}",
            opts.version
        ));
        return Ok(());
    }

    // Real release: bump, check, then commit, publish and tag.
    let lock_before = std::fs::read(root.join("Cargo.lock")).ok();
    say("release: writing the version bump");
    write_edits(root, &plan.edits, true)?;
    let checked = (|| {
        if plan.lock_exists {
            let mut args = vec!["update".to_string(), "--workspace".to_string()];
            args.extend(extra.iter().map(|s| s.to_string()));
            cargo(root, &args)?;
        }
        run_ci(root, opts)?;
        // The bump is not committed yet, so packaging must accept a dirty tree.
        let mut package_extra = extra.clone();
        package_extra.push("--allow-dirty");
        packaging_commands(&plan.order, &plan.members, together, &package_extra)
            .iter()
            .try_for_each(|args| cargo(root, args))
    })();
    if let Err(e) = checked {
        write_edits(root, &plan.edits, false)?;
        match &lock_before {
            Some(bytes) => std::fs::write(root.join("Cargo.lock"), bytes)
                .map_err(|err| format!("restoring Cargo.lock: {err}"))?,
            None => {
                let _ = std::fs::remove_file(root.join("Cargo.lock"));
            }
        }
        return Err(format!("{e}\nthe version bump was rolled back"));
    }

    let message = format!("Release {}", opts.version);
    let mut paths: Vec<String> = plan.edits.iter().map(|e| e.rel.clone()).collect();
    if git(root, &["ls-files", "--error-unmatch", "Cargo.lock"]).is_ok() {
        paths.push("Cargo.lock".to_string());
    }
    let mut add = vec!["add", "--"];
    add.extend(paths.iter().map(String::as_str));
    git(root, &add)?;
    let mut commit = vec!["commit", "--quiet", "-m", &message, "--"];
    commit.extend(paths.iter().map(String::as_str));
    git(root, &commit)?;
    say(&format!(
        "release: committed \"{message}\" ({})",
        paths.join(", ")
    ));

    let tag = format!("v{}", opts.version);
    for (i, krate) in plan.order.iter().enumerate() {
        // `Err((error, whether krate itself got published))`.
        let published = registry
            .publish(root, krate, opts.allow_dirty)
            .map_err(|e| (e, false))
            .and_then(|()| {
                say(&format!(
                    "release: waiting for {krate} {} on crates.io",
                    opts.version
                ));
                wait_until_visible(registry, krate, &opts.version, backoff).map_err(|e| (e, true))
            });
        if let Err((e, this_one_published)) = published {
            let done = if this_one_published { i + 1 } else { i };
            let mut rest: Vec<String> = plan.order[done..]
                .iter()
                .map(|k| format!("  cargo publish -p {k}"))
                .collect();
            if this_one_published {
                rest.insert(
                    0,
                    format!(
                        "  (wait until `cargo info {krate}@{}` finds it)",
                        opts.version
                    ),
                );
            }
            return Err(format!(
                "{e}\npublished so far: {}\nthe release commit exists; once the problem is fixed, \
                 finish in order:\n{}\nthen tag it: git tag -a {tag} -m \"{message}\"",
                if done == 0 {
                    "none".to_string()
                } else {
                    plan.order[..done].join(", ")
                },
                rest.join("\n")
            ));
        }
        say(&format!("release: {krate} {} is published", opts.version));
    }
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
    use std::collections::VecDeque;
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::util::project_root;

    // -----------------------------------------------------------------------------------
    // Helpers.

    /// A directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        /// Creates a fresh, empty directory named after `tag`.
        fn new(tag: &str) -> TempDir {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "xtask-release-{tag}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }

        /// Writes `contents` to `rel`, creating directories.
        fn write(&self, rel: &str, contents: &str) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, contents).expect("write");
        }

        /// Reads `rel`.
        fn read(&self, rel: &str) -> String {
            read(&self.0, rel).expect("read")
        }
    }

    impl Drop for TempDir {
        /// Removes the directory and everything in it.
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Shorthand for a version in tests.
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
            sandboxed: true,
        }
    }

    /// A registry that records publishes and answers probes from a script (then `Visible`).
    #[derive(Default)]
    struct FakeRegistry {
        published: Vec<String>,
        answers: VecDeque<Probe>,
        probes: usize,
        sleeps: Vec<Duration>,
        fail_on: Option<&'static str>,
    }

    impl Registry for FakeRegistry {
        /// Records the publish, or fails for `fail_on`.
        fn publish(&mut self, _root: &Path, krate: &str, _allow_dirty: bool) -> Result<(), String> {
            if self.fail_on == Some(krate) {
                return Err(format!("`cargo publish -p {krate}` failed (test)"));
            }
            self.published.push(krate.to_string());
            Ok(())
        }

        /// The next scripted answer.
        fn probe(&mut self, _krate: &str, _version: &Version) -> Probe {
            self.probes += 1;
            self.answers.pop_front().unwrap_or(Probe::Visible)
        }

        /// Records the pause.
        fn sleep(&mut self, d: Duration) {
            self.sleeps.push(d);
        }
    }

    /// A quick schedule for tests.
    const FAST: Backoff = Backoff {
        first: Duration::from_secs(2),
        max: Duration::from_secs(8),
        timeout: Duration::from_secs(20),
    };

    // -----------------------------------------------------------------------------------
    // Semver.

    /// Valid versions parse and print back unchanged.
    #[test]
    fn semver_parses_valid_versions() {
        for s in [
            "0.0.0",
            "0.2.0",
            "1.2.3",
            "10.20.30",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "18446744073709551615.0.0",
        ] {
            assert_eq!(v(s).to_string(), s);
        }
        assert_eq!(
            v("1.2.3-rc.1"),
            Version {
                major: 1,
                minor: 2,
                patch: 3,
                pre: vec![Ident::Alpha("rc".into()), Ident::Num(1)],
            }
        );
    }

    /// Invalid versions are refused, with a reason.
    #[test]
    fn semver_rejects_invalid_versions() {
        for (s, why) in [
            ("", "not a number"),
            ("1", "three numbers"),
            ("1.2", "three numbers"),
            ("1.2.3.4", "three numbers"),
            ("v1.2.3", "leading `v`"),
            ("01.2.3", "not a number"),
            ("1.02.3", "not a number"),
            ("1.2.x", "not a number"),
            ("1.2.-3", "not a number"),
            ("1.2.3-", "pre-release identifier"),
            ("1.2.3-rc..1", "pre-release identifier"),
            ("1.2.3-rc.01", "leading zero"),
            ("1.2.3-rc_1", "pre-release identifier"),
            ("1.2.3+build.5", "build metadata"),
            ("18446744073709551616.0.0", "not a number"),
            (" 1.2.3", "not a number"),
        ] {
            let err = Version::parse(s).expect_err(s);
            assert!(err.contains(why), "{s:?}: {err}");
        }
    }

    /// Precedence follows the semver specification's own example chain.
    #[test]
    fn semver_precedence() {
        let chain = [
            "0.1.0",
            "0.1.1",
            "0.2.0-rc.1",
            "0.2.0",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.9.0",
            "1.10.0",
            "2.0.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]), "{} > {}", pair[1], pair[0]);
        }
        assert_eq!(
            v("1.0.0-rc.1").cmp(&v("1.0.0-rc.1")),
            std::cmp::Ordering::Equal
        );
    }

    /// Arguments: one VERSION and known flags, in any order.
    #[test]
    fn parses_arguments() {
        let o =
            parse_args(&["--skip-checks", "0.2.0", "--dry-run", "--allow-dirty"]).expect("valid");
        assert_eq!(o.version, v("0.2.0"));
        assert!(o.dry_run && o.allow_dirty && o.skip_checks && !o.sandboxed);
        let o = parse_args(&["1.0.0-rc.1"]).expect("valid");
        assert!(!o.dry_run && !o.allow_dirty && !o.skip_checks);
        for (args, needle) in [
            (&[][..], "missing VERSION"),
            (&["--dry-run"][..], "missing VERSION"),
            (&["0.2.0", "0.3.0"][..], "already"),
            (&["0.2.0", "--force"][..], "--force"),
            (&["v0.2.0"][..], "leading `v`"),
        ] {
            let err = parse_args(args).expect_err(needle);
            assert!(err.contains(needle) && err.contains(USAGE), "{err}");
        }
    }

    // -----------------------------------------------------------------------------------
    // The manifest transformer.

    /// A manifest with every shape the transformer must handle, and traps it must not touch.
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
# external, same version string: untouched
other = { version = "0.1.0", default-features = false }
plain = "0.1.0"
outside = { version = "0.1.0", path = "../elsewhere" }

[workspace.dependencies.tool]
path = "tools"
version = "0.1.0"

[workspace.dependencies.ext]
version = "0.1.0"
"#;

    /// The member directories of the tricky manifest.
    fn tricky_members() -> BTreeSet<String> {
        ["crates/core", "crates/mid", "crates/top", "tools"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Exactly the internal versions change; comments, spacing and externals stay.
    #[test]
    fn bump_rewrites_only_internal_versions() {
        let values = version_fields(TRICKY, "", &tricky_members(), true).expect("scan");
        let lines: Vec<usize> = values.iter().map(|v| v.line + 1).collect();
        assert_eq!(lines, [9, 15, 16, 18, 26]);
        let (new, hunks) = replace_values(TRICKY, &values, "0.2.0");
        assert_eq!(hunks.len(), 5);
        let expected = TRICKY
            .replace(
                "version  =  \"0.1.0\"   # the one",
                "version  =  \"0.2.0\"   # the one",
            )
            .replace(
                "core = { version = \"0.1.0\"",
                "core = { version = \"0.2.0\"",
            )
            .replace(
                "\"a\", \"b\"], version = \"0.1.0\"",
                "\"a\", \"b\"], version = \"0.2.0\"",
            )
            .replace("top.version = \"0.1.0\"", "top.version = \"0.2.0\"")
            .replace(
                "path = \"tools\"\nversion = \"0.1.0\"",
                "path = \"tools\"\nversion = \"0.2.0\"",
            );
        assert_eq!(new, expected);
        assert_eq!(
            hunks[0],
            Hunk {
                line: 9,
                old: vec!["version  =  \"0.1.0\"   # the one version".into()],
                new: vec!["version  =  \"0.2.0\"   # the one version".into()],
            }
        );
    }

    /// Crate manifests: inherited versions stay, written-out ones and relative path
    /// dependencies change, path-only dev-dependencies are fine, CRLF survives.
    #[test]
    fn bump_in_a_crate_manifest() {
        let text = "[package]\r\nname = \"top\"\r\nversion = \"0.1.0\"\r\n\r\n\
                    [dependencies]\r\ncore = { path = \"../core\", version = \"0.1.0\" }\r\n\
                    mid.workspace = true\r\n\r\n\
                    [target.'cfg(unix)'.build-dependencies]\r\ncore = { path = \"../core\", version = \"=0.1.0\" }\r\n\r\n\
                    [dev-dependencies]\r\ntool = { path = \"../../tools\" }\r\n";
        let values = version_fields(text, "crates/top", &tricky_members(), true).expect("scan");
        let (new, hunks) = replace_values(text, &values, "1.0.0");
        assert_eq!(hunks.len(), 3);
        assert_eq!(
            new,
            text.replace("version = \"0.1.0\"", "version = \"1.0.0\"")
                .replace("\"=0.1.0\"", "\"1.0.0\"")
        );
        assert!(new.contains("version = \"1.0.0\"\r\n"));

        let inherited = "[package]\nname = \"a\"\nversion.workspace = true\n\n[dependencies]\nmid.workspace = true\n";
        assert_eq!(
            version_fields(inherited, "crates/a", &tricky_members(), true),
            Ok(vec![])
        );
    }

    /// A normal path dependency on a member without a version cannot be published.
    #[test]
    fn bump_refuses_unversioned_internal_dependency() {
        let text = "[dependencies]\ncore = { path = \"../core\" }\n";
        let err =
            version_fields(text, "crates/mid", &tricky_members(), true).expect_err("no version");
        // A crate that is not published may use path-only dependencies.
        assert_eq!(
            version_fields(text, "crates/mid", &tricky_members(), false),
            Ok(vec![])
        );
        assert!(
            err.contains("`core` in [dependencies]") && err.contains("version"),
            "{err}"
        );
        let bad = "[workspace.dependencies]\ncore = { path = \"crates/core\", version = 1 }\n";
        assert!(version_fields(bad, "", &tricky_members(), true).is_err());
        let multi =
            "[workspace.dependencies]\ncore = { path = \"crates/core\",\n version = \"0.1.0\" }\n";
        let err = version_fields(multi, "", &tricky_members(), true).expect_err("multi-line");
        assert!(err.contains("line 2"), "{err}");
    }

    /// Lexical path joining.
    #[test]
    fn joins_relative_paths() {
        assert_eq!(join_rel("", "crates/a"), "crates/a");
        assert_eq!(join_rel("", "./crates/a/"), "crates/a");
        assert_eq!(join_rel("crates/b", "../a"), "crates/a");
        assert_eq!(join_rel("crates/b", "../../tools"), "tools");
        assert_eq!(join_rel("crates/b", "..\\a"), "crates/a");
    }

    /// The current version comes from `[workspace.package]`, not from elsewhere.
    #[test]
    fn reads_the_workspace_version() {
        assert_eq!(workspace_version(TRICKY), Ok(v("0.1.0")));
        let none = "[package]\nversion = \"1.0.0\"\n";
        assert!(workspace_version(none).is_err());
    }

    /// The bump on a copy of the real workspace: every internal version changes to the new
    /// one, and no other byte of any manifest does.
    #[test]
    fn bump_on_a_copy_of_the_workspace() {
        let real = project_root();
        let tmp = TempDir::new("copy");
        let mut manifests = vec!["Cargo.toml".to_string()];
        let mut crates: Vec<String> = std::fs::read_dir(real.join("crates"))
            .expect("read crates/")
            .flatten()
            .filter(|e| e.path().join("Cargo.toml").is_file())
            .map(|e| format!("crates/{}/Cargo.toml", e.file_name().to_string_lossy()))
            .collect();
        crates.sort();
        manifests.extend(crates);
        manifests.push("xtask/Cargo.toml".to_string());
        let mut originals = BTreeMap::new();
        for rel in manifests.iter().chain([&CHANGELOG.to_string()]) {
            let mut text = read(&real, rel).expect("read real file");
            if rel == CHANGELOG {
                // During a release, `ci` runs this test after the real Unreleased section was
                // emptied; seed the copy so the move always has an entry to move.
                text = text.replacen(
                    "## Unreleased\n",
                    "## Unreleased\n\n- Seeded by the test.\n",
                    1,
                );
            }
            tmp.write(rel, &text);
            originals.insert(rel.clone(), text);
        }
        let members: BTreeSet<String> = manifests[1..]
            .iter()
            .map(|m| m.trim_end_matches("/Cargo.toml").to_string())
            .collect();

        let current = workspace_version(&originals["Cargo.toml"]).expect("current");
        let new = v("7.8.9-rc.1");
        let flagged: Vec<(String, bool)> = manifests
            .iter()
            .map(|m| (m.clone(), !originals[m].contains("publish = false")))
            .collect();
        let mut edits = manifest_edits(&tmp.0, &flagged, &members, &new).expect("bump");
        edits.push(changelog_edit(&tmp.0, &new, "2031-02-03").expect("changelog"));
        write_edits(&tmp.0, &edits, true).expect("write");

        // Root manifest: the lines expected to change, found independently of the scanner.
        let old_root = &originals["Cargo.toml"];
        let mut section = "";
        let mut expected = BTreeSet::new();
        for (i, line) in old_root.lines().enumerate() {
            let t = line.trim();
            if t.starts_with('[') {
                section = t;
            } else if section == "[workspace.package]" && t.starts_with("version ") {
                expected.insert(i);
            } else if section == "[workspace.dependencies]"
                && let Some((_, path)) = t.split_once("path = \"")
                && members.contains(path.split('"').next().unwrap_or_default())
            {
                expected.insert(i);
            }
        }
        assert!(
            expected.len() >= 2,
            "the workspace has a version and internal crates"
        );
        for rel in &manifests {
            let (old, now) = (&originals[rel], tmp.read(rel));
            assert_eq!(old.lines().count(), now.lines().count(), "{rel}");
            let mut changed = BTreeSet::new();
            for (i, (a, b)) in old.lines().zip(now.lines()).enumerate() {
                if a != b {
                    assert_eq!(
                        b,
                        a.replacen(&format!("\"{current}\""), &format!("\"{new}\""), 1),
                        "{rel}:{} changed more than its version",
                        i + 1
                    );
                    changed.insert(i);
                }
            }
            assert_eq!(old.ends_with('\n'), now.ends_with('\n'), "{rel}");
            if rel == "Cargo.toml" {
                assert_eq!(changed, expected, "root manifest lines changed");
            } else {
                // A member changes only where it writes its version out instead of inheriting.
                let explicit: BTreeSet<usize> = old
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| l.contains(&format!("\"{current}\"")))
                    .map(|(i, _)| i)
                    .collect();
                assert!(changed.is_subset(&explicit), "{rel}");
            }
        }
        // The scanner agrees: after the bump, every internal version is the new one.
        let dirs = members.clone();
        for rel in &manifests {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            for value in version_fields(&tmp.read(rel), dir, &dirs, true).expect("rescan") {
                assert_eq!(value.text, new.to_string(), "{rel}:{}", value.line + 1);
            }
        }
        assert_eq!(workspace_version(&tmp.read("Cargo.toml")), Ok(new.clone()));

        // Changelog: the heading becomes three lines; everything else stays.
        let old_log = &originals[CHANGELOG];
        let expected_log = old_log.replacen(
            "## Unreleased\n",
            "## Unreleased\n\n## 7.8.9-rc.1 - 2031-02-03\n",
            1,
        );
        assert_eq!(tmp.read(CHANGELOG), expected_log);
    }

    // -----------------------------------------------------------------------------------
    // The changelog and the date.

    /// A changelog with notes and an older release.
    const LOG: &str = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n\n- A thing.\n\n## 0.1.0 - 2024-01-01\n\n- First.\n";

    /// The Unreleased notes move under the new heading; a fresh heading stays above.
    #[test]
    fn changelog_moves_unreleased() {
        let (new, hunk) = move_unreleased(LOG, &v("0.2.0"), "2025-06-30").expect("move");
        assert_eq!(
            new,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## 0.2.0 - 2025-06-30\n\n### Added\n\n- A thing.\n\n## 0.1.0 - 2024-01-01\n\n- First.\n"
        );
        assert_eq!(hunk.line, 5);
        assert_eq!(hunk.new, ["## Unreleased", "", "## 0.2.0 - 2025-06-30"]);
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

    /// CRLF files keep CRLF, including the lines the move adds.
    #[test]
    fn changelog_keeps_crlf() {
        let crlf = LOG.replace('\n', "\r\n");
        let (new, _) = move_unreleased(&crlf, &v("0.2.0"), "2025-06-30").expect("move");
        assert!(new.contains("## Unreleased\r\n\r\n## 0.2.0 - 2025-06-30\r\n\r\n### Added"));
        assert!(!new.replace("\r\n", "").contains('\r'));
        assert_eq!(new.matches('\n').count(), new.matches("\r\n").count());
    }

    /// Days since the epoch become the right calendar dates.
    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_358), (2023, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_088), (2024, 12, 31));
        assert_eq!(civil_from_days(47_482), (2100, 1, 1));
        let today = today_utc();
        assert_eq!(today.len(), 10, "{today}");
        assert!(today.as_str() > "2025-01-01", "{today}");
    }

    // -----------------------------------------------------------------------------------
    // Publish order.

    /// A fixture package: `(name, publishable, dependencies as (name, kind))`.
    type FixturePackage<'a> = (&'a str, bool, &'a [(&'a str, Option<&'a str>)]);

    /// `cargo metadata --no-deps`-shaped JSON for `packages`.
    fn metadata(packages: &[FixturePackage<'_>]) -> Value {
        let packages: Vec<Value> = packages
            .iter()
            .map(|(name, publish, deps)| {
                json!({
                    "name": name,
                    "manifest_path": format!("/ws/crates/{name}/Cargo.toml"),
                    "publish": if *publish { Value::Null } else { json!([]) },
                    "dependencies": deps.iter().map(|(d, kind)| json!({
                        "name": d,
                        // `dev-path` is a path-only dev-dependency: kind `dev`, req `*`.
                        "kind": kind.map(|k| k.trim_end_matches("-path")),
                        "req": if *kind == Some("dev-path") { "*" } else { "^0.1.0" },
                        "path": format!("/ws/crates/{d}"),
                    })).chain([json!({"name": "serde", "kind": null, "path": null})])
                    .collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "workspace_root": "/ws", "packages": packages })
    }

    /// The order puts dependencies first, counts build and versioned dev-dependencies,
    /// ignores path-only dev-dependencies, and leaves out `publish = false` crates.
    #[test]
    fn publish_order_from_fixture_metadata() {
        let meta = metadata(&[
            (
                "client",
                true,
                &[("models", None), ("auth", None), ("emulator", Some("dev"))],
            ),
            ("auth", true, &[("client", Some("dev-path"))]),
            ("models", true, &[("codegen-support", Some("build"))]),
            ("codegen-support", true, &[]),
            ("emulator", true, &[("models", None)]),
            ("cli", true, &[("client", None)]),
            ("xtask", false, &[("models", None), ("client", None)]),
        ]);
        let members = members_from_metadata(&meta).expect("members");
        let models = members.iter().find(|m| m.name == "models").expect("models");
        assert_eq!(models.manifest, "crates/models/Cargo.toml");
        assert_eq!(models.dir, "crates/models");
        assert!(
            !members
                .iter()
                .find(|m| m.name == "xtask")
                .expect("xtask")
                .publishable
        );
        let order = publish_order(&members).expect("order");
        assert_eq!(
            order,
            [
                "auth",
                "codegen-support",
                "models",
                "emulator",
                "client",
                "cli"
            ]
        );
    }

    /// A cycle of normal or build dependencies is an error that names it.
    #[test]
    fn publish_order_reports_cycles() {
        let meta = metadata(&[
            ("a", true, &[("b", None)]),
            ("b", true, &[("c", Some("build"))]),
            ("c", true, &[("a", None)]),
            ("d", true, &[]),
        ]);
        let err =
            publish_order(&members_from_metadata(&meta).expect("members")).expect_err("cycle");
        assert!(err.contains("a -> b -> c -> a"), "{err}");
        // A versioned dev-dependency must be published first, so it closes a loop too.
        let meta = metadata(&[
            ("a", true, &[("b", None)]),
            ("b", true, &[("a", Some("dev"))]),
        ]);
        let err =
            publish_order(&members_from_metadata(&meta).expect("members")).expect_err("cycle");
        assert!(err.contains("path-only"), "{err}");
        // The same loop through a path-only dev-dependency is fine.
        let meta = metadata(&[
            ("a", true, &[("b", None)]),
            ("b", true, &[("a", Some("dev-path"))]),
        ]);
        assert_eq!(
            publish_order(&members_from_metadata(&meta).expect("members")),
            Ok(vec!["b".to_string(), "a".to_string()])
        );
    }

    /// A published crate cannot need an unpublished one.
    #[test]
    fn publish_order_refuses_private_dependencies() {
        let meta = metadata(&[("a", true, &[("internal", None)]), ("internal", false, &[])]);
        let err = publish_order(&members_from_metadata(&meta).expect("members"))
            .expect_err("private dep");
        assert!(err.contains("a depends on internal"), "{err}");
    }

    /// The real workspace: every crate comes after each of its workspace dependencies.
    #[test]
    fn publish_order_of_this_workspace() {
        let members = members_from_metadata(&cargo_metadata(&project_root()).expect("metadata"))
            .expect("members");
        let order = publish_order(&members).expect("order");
        for krate in ["ttsc-models", "ttsc-auth"] {
            assert!(order.iter().any(|k| k == krate), "{krate} in {order:?}");
        }
        assert!(!order.iter().any(|k| k == "xtask"), "{order:?}");
        let position = |k: &str| order.iter().position(|o| o == k);
        for m in members.iter().filter(|m| m.publishable) {
            for dep in &m.deps {
                assert!(
                    position(dep) < position(&m.name),
                    "{} must come after {dep}: {order:?}",
                    m.name
                );
            }
        }
        // ttsc-client's tests use ttsc-emulator through a versioned dev-dependency, which
        // `cargo publish -p ttsc-client` resolves against the registry.
        let emulator = position("ttsc-emulator").expect("ttsc-emulator is published");
        let client = position("ttsc-client").expect("ttsc-client is published");
        assert!(emulator < client, "{order:?}");
    }

    // -----------------------------------------------------------------------------------
    // Plan details.

    /// The preview shows old and new line numbers, shifted by earlier insertions.
    #[test]
    fn preview_is_diff_like() {
        let edit = FileEdit {
            rel: "CHANGELOG.md".into(),
            old: String::new(),
            new: String::new(),
            hunks: vec![
                Hunk {
                    line: 3,
                    old: vec!["a".into()],
                    new: vec!["a".into(), String::new(), "b".into()],
                },
                Hunk {
                    line: 9,
                    old: vec!["x".into()],
                    new: vec!["y".into()],
                },
            ],
        };
        assert_eq!(
            preview(&edit),
            "--- a/CHANGELOG.md\n+++ b/CHANGELOG.md\n@@ -3,1 +3,3 @@\n-a\n+a\n+\n+b\n@@ -9,1 +11,1 @@\n-x\n+y\n"
        );
    }

    /// Packaging: one run for all crates with a recent cargo; otherwise `--list` for
    /// dependent crates.
    #[test]
    fn packaging_plans() {
        let meta = metadata(&[("a", true, &[]), ("b", true, &[("a", None)])]);
        let members = members_from_metadata(&meta).expect("members");
        let order = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            packaging_commands(&order, &members, true, &["--locked"]),
            [["package", "--no-verify", "--locked", "-p", "a", "-p", "b"]]
        );
        assert_eq!(
            packaging_commands(&order, &members, false, &[]),
            [
                vec!["package", "--no-verify", "-p", "a"],
                vec!["package", "--no-verify", "--list", "-p", "b"],
            ]
        );
    }

    /// Polling backs off exponentially, capped, and gives up at the timeout with the last
    /// error.
    #[test]
    fn waits_with_backoff() {
        let mut reg = FakeRegistry {
            answers: [Probe::NotYet, Probe::Error("503".into()), Probe::NotYet].into(),
            ..FakeRegistry::default()
        };
        wait_until_visible(&mut reg, "a", &v("1.0.0"), FAST).expect("visible");
        assert_eq!(reg.probes, 4);
        assert_eq!(reg.sleeps, [2, 4, 8].map(Duration::from_secs).to_vec());

        let mut reg = FakeRegistry {
            answers: std::iter::repeat_n(Probe::Error("registry down".into()), 100).collect(),
            ..FakeRegistry::default()
        };
        let err = wait_until_visible(&mut reg, "a", &v("1.0.0"), FAST).expect_err("timeout");
        assert!(
            err.contains("after 20s") && err.contains("registry down"),
            "{err}"
        );
        // 2 + 4 + 8 + 6 (the rest of the 20 s), never more than `max`.
        assert_eq!(reg.sleeps, [2, 4, 8, 6].map(Duration::from_secs).to_vec());
    }

    // -----------------------------------------------------------------------------------
    // Whole releases on a fixture workspace in a temp git repository.

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
        let status = Command::new(env!("CARGO"))
            .args(["generate-lockfile", "--offline", "--quiet"])
            .current_dir(&fx.0)
            .status()
            .expect("cargo generate-lockfile");
        assert!(status.success());
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

    /// Every byte of the tree outside `target/` and `.git/`, plus git's view of it.
    fn snapshot(root: &Path) -> (BTreeMap<PathBuf, Vec<u8>>, [String; 3]) {
        /// Collects the files under `dir`.
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
                let path = entry.path();
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                if rel == Path::new("target") || rel == Path::new(".git") {
                    continue;
                }
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.insert(rel, std::fs::read(&path).expect("read file"));
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(root, root, &mut files);
        let git_state = [
            git_ok(root, &["status", "--porcelain"]),
            git_ok(root, &["rev-parse", "HEAD"]),
            git_ok(root, &["tag", "--list"]),
        ];
        (files, git_state)
    }

    /// A dry run runs every check and packages every crate, and changes nothing at all.
    #[test]
    fn dry_run_changes_nothing() {
        let fx = fixture("dry-run");
        let before = snapshot(&fx.0);
        let mut reg = FakeRegistry::default();
        run_with(
            &fx.0,
            &options("0.2.0", true, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect("dry run");
        assert_eq!(snapshot(&fx.0), before, "the dry run changed the tree");
        assert!(reg.published.is_empty() && reg.probes == 0);
        // Every crate, dependents included, was really packaged.
        for krate in ["xtask-fx-core", "xtask-fx-mid", "xtask-fx-top"] {
            let file = fx.0.join(format!("target/package/{krate}-0.1.0.crate"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }

    /// The checks refuse a dirty tree, another branch, an old version, a taken tag.
    #[test]
    fn dry_run_checks_fail_clearly() {
        let fx = fixture("checks");
        let attempt = |opts: Options| {
            let mut reg = FakeRegistry::default();
            let result = run_with(&fx.0, &opts, "2030-01-02", &mut reg, FAST);
            assert!(reg.published.is_empty() && reg.probes == 0);
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

        git_ok(&fx.0, &["tag", "-a", "v0.2.0", "-m", "taken"]);
        let err = attempt(options("0.2.0", true, false)).expect_err("tag taken");
        assert!(err.contains("tag v0.2.0 already exists"), "{err}");

        git_ok(&fx.0, &["switch", "--quiet", "-c", "feature"]);
        let err = attempt(options("0.3.0", true, false)).expect_err("branch");
        assert!(err.contains("branch main, not feature"), "{err}");
    }

    /// A real release (with a fake registry): bump, commit, publish in order, tag.
    #[test]
    fn release_commits_publishes_in_order_and_tags() {
        let fx = fixture("real");
        let base = git_ok(&fx.0, &["rev-parse", "HEAD"]);
        let mut reg = FakeRegistry {
            answers: [Probe::NotYet].into(),
            ..FakeRegistry::default()
        };
        run_with(
            &fx.0,
            &options("0.2.0", false, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect("release");
        assert_eq!(
            reg.published,
            ["xtask-fx-core", "xtask-fx-mid", "xtask-fx-top"]
        );
        assert_eq!(reg.probes, 4);
        assert_eq!(
            git_ok(&fx.0, &["log", "-1", "--format=%s"]).trim(),
            "Release 0.2.0"
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

    /// A publish failure midway says what was published and how to finish; no tag.
    #[test]
    fn release_stops_at_a_failed_publish() {
        let fx = fixture("publish-fails");
        let mut reg = FakeRegistry {
            fail_on: Some("xtask-fx-mid"),
            ..FakeRegistry::default()
        };
        let err = run_with(
            &fx.0,
            &options("0.2.0", false, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect_err("publish fails");
        assert_eq!(reg.published, ["xtask-fx-core"]);
        for needle in [
            "published so far: xtask-fx-core",
            "  cargo publish -p xtask-fx-mid\n  cargo publish -p xtask-fx-top",
            "git tag -a v0.2.0 -m \"Release 0.2.0\"",
        ] {
            assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        }
        assert_eq!(
            git_ok(&fx.0, &["log", "-1", "--format=%s"]).trim(),
            "Release 0.2.0"
        );
        assert_eq!(git_ok(&fx.0, &["tag", "--list"]), "");

        // Published, but never visible: it counts as published and is not published again.
        let fx = fixture("never-visible");
        let mut reg = FakeRegistry {
            answers: std::iter::repeat_n(Probe::NotYet, 100).collect(),
            ..FakeRegistry::default()
        };
        let err = run_with(
            &fx.0,
            &options("0.2.0", false, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect_err("never visible");
        assert_eq!(reg.published, ["xtask-fx-core"]);
        assert!(err.contains("still not visible"), "{err}");
        assert!(err.contains("published so far: xtask-fx-core\n"), "{err}");
        assert!(!err.contains("cargo publish -p xtask-fx-core"), "{err}");
        assert!(err.contains("cargo publish -p xtask-fx-mid"), "{err}");
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
        let mut reg = FakeRegistry::default();
        let err = run_with(
            &fx.0,
            &options("0.2.0", true, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect_err("dry run: packaging fails");
        assert!(err.contains("cargo package"), "{err}");
        assert_eq!(snapshot(&fx.0), before);
        let err = run_with(
            &fx.0,
            &options("0.2.0", false, false),
            "2030-01-02",
            &mut reg,
            FAST,
        )
        .expect_err("release: packaging fails");
        assert!(err.contains("rolled back"), "{err}");
        assert_eq!(snapshot(&fx.0), before, "the bump was not rolled back");
        assert!(reg.published.is_empty());
    }
}
