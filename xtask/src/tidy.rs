//! Workspace rules, checked by `cargo test --workspace`: the dependency invariants of `ARCHITECTURE.md`,
//! one lint table, complete crates.io metadata, and "only the CLI prints".

#![cfg(test)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{cargo_metadata, project_root};

struct Package {
    name: String,
    manifest: String,
    dir: std::path::PathBuf,
    /// Normal (non-dev, non-build) dependencies.
    deps: BTreeSet<String>,
    meta: Value,
}

/// The workspace's packages, from one `cargo metadata` shared by every rule.
fn packages() -> &'static [Package] {
    static PACKAGES: OnceLock<Vec<Package>> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        let meta = cargo_metadata(&project_root()).expect("cargo metadata");
        read_packages(&meta)
    })
}

/// The packages of `cargo metadata` output, each with its manifest's text.
fn read_packages(meta: &Value) -> Vec<Package> {
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let manifest_path = p["manifest_path"].as_str().expect("manifest_path");
            Package {
                name: p["name"].as_str().expect("name").to_string(),
                manifest: std::fs::read_to_string(manifest_path).expect("read manifest"),
                dir: Path::new(manifest_path)
                    .parent()
                    .expect("dir")
                    .to_path_buf(),
                deps: p["dependencies"]
                    .as_array()
                    .expect("dependencies")
                    .iter()
                    .filter(|d| d["kind"].is_null())
                    .map(|d| d["name"].as_str().expect("dep name").to_string())
                    .collect(),
                meta: p.clone(),
            }
        })
        .collect()
}

/// One dependency rule of ARCHITECTURE.md.
struct Rule {
    krate: &'static str,
    /// When set, the only normal dependencies allowed.
    only: Option<&'static [&'static str]>,
    /// Normal dependencies that are never allowed.
    forbidden: &'static [&'static str],
}

const RULES: &[Rule] = &[
    // Pure data: serde and the one secret type only.
    Rule {
        krate: "ttsc-models",
        only: Some(&["serde", "serde_json", "ttsc-secret"]),
        forbidden: &[],
    },
    // Signing never needs an HTTP client or the models.
    Rule {
        krate: "ttsc-auth",
        only: None,
        forbidden: &[
            "reqwest",
            "hyper",
            "hyper-util",
            "ttsc-models",
            "ttsc-client",
            "ttsc-emulator",
        ],
    },
    // The emulator is a server: it must not reuse the client it is the ground truth for.
    Rule {
        krate: "ttsc-emulator",
        only: None,
        forbidden: &["reqwest", "ttsc-client", "ttsc-cli"],
    },
    // The client does not embed the emulator (tests may use it as a dev-dependency).
    Rule {
        krate: "ttsc-client",
        only: None,
        forbidden: &["ttsc-emulator", "ttsc-cli"],
    },
];

#[test]
fn dependency_invariants_hold() {
    let pkgs = packages();
    for Rule {
        krate: name,
        only,
        forbidden,
    } in RULES
    {
        let Some(p) = pkgs.iter().find(|p| p.name == *name) else {
            continue; // the crate does not exist yet
        };
        if let Some(only) = only {
            let extra: Vec<&String> = p
                .deps
                .iter()
                .filter(|d| !only.contains(&d.as_str()))
                .collect();
            assert!(
                extra.is_empty(),
                "{name} may depend only on {only:?}, found {extra:?}"
            );
        }
        let bad: Vec<&&str> = forbidden.iter().filter(|f| p.deps.contains(**f)).collect();
        assert!(
            bad.is_empty(),
            "{name} must not depend on {bad:?} (see ARCHITECTURE.md)"
        );
    }
}

#[test]
fn every_crate_uses_the_workspace_lint_table() {
    for p in packages() {
        assert!(
            p.manifest.contains("[lints]\nworkspace = true"),
            "{}: add `[lints]\\nworkspace = true`; lints are set only in the root Cargo.toml",
            p.name
        );
    }
}

#[test]
fn publishable_crates_have_complete_metadata() {
    for p in packages() {
        let publish_false = p.meta["publish"].as_array().is_some_and(Vec::is_empty);
        if publish_false {
            continue;
        }
        for key in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            assert!(
                p.meta[key].as_str().is_some_and(|v| !v.is_empty()),
                "{}: `{key}` is missing from Cargo.toml",
                p.name
            );
        }
        for key in ["keywords", "categories"] {
            assert!(
                p.meta[key].as_array().is_some_and(|v| !v.is_empty()),
                "{}: `{key}` is missing from Cargo.toml",
                p.name
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_cli_prints() {
    // Library code reports through return values and `tracing`; printing is the job of the
    // `ttsc` binary, xtask, and the emulator's own `main.rs`.
    for p in packages() {
        if p.name == "ttsc-cli" || p.name == "xtask" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&p.dir.join("src"), &mut files);
        for f in files {
            if f.ends_with("main.rs") || f.components().any(|c| c.as_os_str() == "bin") {
                continue;
            }
            let text = std::fs::read_to_string(&f).expect("read source");
            // Test modules may print (e.g. vector counts under --nocapture), and so may the
            // examples in doc comments: they are the user's code, not the library's.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for needle in ["println!", "eprintln!", "print!(", "eprint!(", "dbg!("] {
                    assert!(
                        !line.contains(needle),
                        "{}:{} uses {needle}",
                        f.display(),
                        n + 1
                    );
                }
            }
        }
    }
}

#[test]
fn generated_files_are_stamped() {
    let dir = project_root().join("crates/ttsc-models/src/generated");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        assert!(
            text.lines()
                .take(5)
                .any(|l| l.contains("Generated by `cargo xtask codegen`")
                    && l.contains("do not edit")),
            "{} lacks the generated-code stamp",
            f.display()
        );
    }
}
