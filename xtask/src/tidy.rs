//! Workspace rules, checked by `cargo test --workspace`: the dependency invariants of
//! `ARCHITECTURE.md`, one lint table (whose `clippy::print_stdout`/`print_stderr` keep
//! printing to the `ttsc` binary, xtask, and the emulator's `main.rs`), complete crates.io
//! metadata.

#![cfg(test)]

use serde_json::Value;

use crate::util::{cargo_metadata, project_root};

/// The workspace's packages, as `cargo metadata` describes them.
fn packages() -> Vec<Value> {
    let meta = cargo_metadata(&project_root()).expect("cargo metadata");
    meta["packages"].as_array().expect("packages").clone()
}

/// A package's normal (non-dev, non-build) dependencies.
fn normal_deps(p: &Value) -> Vec<&str> {
    let deps = p["dependencies"].as_array().expect("dependencies").iter();
    deps.filter(|d| d["kind"].is_null())
        .map(|d| d["name"].as_str().expect("dep name"))
        .collect()
}

/// The dependency rules of ARCHITECTURE.md: a crate, the only normal dependencies it may
/// have (when limited), those it must never have, and the only features (default ones off)
/// some of them may enable.
type Rule = (
    &'static str,
    Option<&'static [&'static str]>,
    &'static [&'static str],
    &'static [(&'static str, &'static [&'static str])],
);

const RULES: &[Rule] = &[
    // Pure data: serde, the one secret type, and `time` to parse date-time fields.
    (
        "ttsc-models",
        Some(&["serde", "serde_json", "time", "ttsc-secret"]),
        &[],
        &[],
    ),
    // Signing never needs an HTTP client or server, or the models; tokio only for `sync`.
    (
        "ttsc-auth",
        None,
        &[
            "reqwest",
            "hyper",
            "hyper-util",
            "http-body-util",
            "mockito",
            "ttsc-models",
            "ttsc-client",
            "ttsc-emulator",
        ],
        &[("tokio", &["sync"])],
    ),
    // The emulator is a server: it must not reuse the client it is the ground truth for.
    (
        "ttsc-emulator",
        None,
        &["reqwest", "ttsc-client", "ttsc-cli"],
        &[],
    ),
    // The client does not embed the emulator (tests may use it as a dev-dependency).
    ("ttsc-client", None, &["ttsc-emulator", "ttsc-cli"], &[]),
];

#[test]
fn dependency_invariants_hold() {
    for &(name, only, forbidden, features) in RULES {
        let packages = packages();
        let p = (packages.iter())
            .find(|p| p["name"] == name)
            .expect("a crate named in RULES");
        let deps = normal_deps(p);
        let extra: Vec<&&str> = (deps.iter())
            .filter(|d| only.is_some_and(|only| !only.contains(d)))
            .collect();
        assert!(
            extra.is_empty(),
            "{name} may depend only on {only:?}, found {extra:?}"
        );
        let bad: Vec<&&str> = forbidden.iter().filter(|f| deps.contains(f)).collect();
        assert!(
            bad.is_empty(),
            "{name} must not depend on {bad:?} (see ARCHITECTURE.md)"
        );
        for &(dep, allowed) in features {
            let d = (p["dependencies"].as_array().expect("dependencies").iter())
                .find(|d| d["kind"].is_null() && d["name"] == dep)
                .expect("a dependency named in RULES");
            let on: Vec<&str> = (d["features"].as_array().expect("features").iter())
                .filter_map(Value::as_str)
                .collect();
            assert!(
                d["uses_default_features"] == false && on.iter().all(|f| allowed.contains(f)),
                "{name} may enable only {allowed:?} of {dep}, found {on:?} (default features: {})",
                d["uses_default_features"]
            );
        }
    }
}

#[test]
fn every_crate_uses_the_workspace_lint_table() {
    for p in packages() {
        let manifest = p["manifest_path"].as_str().expect("manifest_path");
        assert!(
            (std::fs::read_to_string(manifest).expect("read manifest"))
                .contains("[lints]\nworkspace = true"),
            "{}: add `[lints]\\nworkspace = true`; lints are set only in the root Cargo.toml",
            p["name"]
        );
    }
}

#[test]
fn publishable_crates_have_complete_metadata() {
    for p in packages() {
        let publish_false = p["publish"].as_array().is_some_and(Vec::is_empty);
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
                p[key].as_str().is_some_and(|v| !v.is_empty()),
                "{}: `{key}` is missing from Cargo.toml",
                p["name"]
            );
        }
        for key in ["keywords", "categories"] {
            assert!(
                p[key].as_array().is_some_and(|v| !v.is_empty()),
                "{}: `{key}` is missing from Cargo.toml",
                p["name"]
            );
        }
    }
}
