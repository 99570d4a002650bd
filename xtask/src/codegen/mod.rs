//! `cargo xtask codegen`: turns `docs/api/*.openapi.json` into the Rust models of
//! `crates/ttsc-models/src/generated/`.
//!
//! The generator understands the small OpenAPI subset written down in `docs/api/README.md`
//! and rejects anything else, so the description and the Rust can never silently disagree:
//! [`load`] reads a description into the model below, [`names`] turns wire names and
//! descriptions into Rust names and doc comments, [`render`] writes the Rust.
//! Output goes through rustfmt and [`ensure_file_contents`]; `--check` changes nothing and
//! fails naming the stale files.

mod load;
mod names;
mod render;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::util::{Outcome, ensure_file_contents, project_root, read, rustfmt, say};
use render::render_mod;

/// Write the generated files, or only check that they are fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files that differ.
    Write,
    /// Change nothing; fail when a file differs.
    Check,
}

/// The API descriptions, and the module each becomes.
const SPECS: &[(&str, &str)] = &[
    ("docs/api/ttsc.openapi.json", "ttsc"),
    ("docs/api/iam.openapi.json", "iam"),
];

const OUT_DIR: &str = "crates/ttsc-models/src/generated";

/// Runs the generator.
pub fn run(mode: Mode) -> Result<(), String> {
    let root = project_root();
    let files = generate(&root)?;
    let mut stale = Vec::new();
    for (rel, contents) in &files {
        if ensure_file_contents(&root.join(rel), contents, mode == Mode::Check)? == Outcome::Stale {
            stale.push(rel.clone());
        }
    }
    // Files left over from schemas that no longer exist are stale too.
    let expected: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(OUT_DIR)) {
        for entry in entries.flatten() {
            let rel = format!("{OUT_DIR}/{}", entry.file_name().to_string_lossy());
            if !expected.contains(rel.as_str()) {
                if mode == Mode::Write {
                    std::fs::remove_file(entry.path())
                        .map_err(|e| format!("removing {rel}: {e}"))?;
                }
                stale.push(rel);
            }
        }
    }
    match (mode, stale.is_empty()) {
        (_, true) => {
            say(&format!("codegen: {} files up to date", files.len()));
            Ok(())
        }
        (Mode::Write, false) => {
            say(&format!("codegen: updated {}", stale.join(", ")));
            Ok(())
        }
        (Mode::Check, false) => Err(format!(
            "generated code is stale: {}\nrun `cargo xtask codegen` and commit the result",
            stale.join(", ")
        )),
    }
}

/// Generates every file: `(path relative to the workspace root, contents)`.
pub fn generate(root: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut all_ops: Vec<(String, Vec<Op>)> = Vec::new();
    for (rel, module) in SPECS {
        let text = read(root, rel)?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| format!("parsing {rel}: {e}"))?;
        let api = Api::load(&doc).map_err(|e| format!("{rel}: {e}"))?;
        let source = api.render(rel);
        files.push((format!("{OUT_DIR}/{module}.rs"), rustfmt(&source)?));
        all_ops.push((module.to_string(), api.ops));
    }
    files.push((format!("{OUT_DIR}/mod.rs"), rustfmt(&render_mod(&all_ops))?));
    Ok(files)
}

// The model of an API description.

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    I32,
    I64,
    F64,
    Bool,
    Enum(String),
    Struct(String),
    Custom(String),
    Vec(Box<Ty>),
}

#[derive(Debug, Clone, Default)]
struct Constraints {
    min: Option<i64>,
    max: Option<i64>,
    min_len: Option<u64>,
    max_len: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    date_time: bool,
    default: Option<String>,
    item: Option<Box<Constraints>>,
}

#[derive(Debug, Clone)]
struct Field {
    wire: String,
    rust: String,
    ty: Ty,
    required: bool,
    desc: String,
    cons: Constraints,
}

#[derive(Debug, Clone)]
struct StructDef {
    name: String,
    desc: String,
    fields: Vec<Field>,
}

#[derive(Debug, Clone)]
struct EnumDef {
    name: String,
    desc: String,
    values: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
struct Param {
    field: Field,
    loc: Loc,
    auth: bool,
}

#[derive(Debug, Clone)]
struct Op {
    id: String,
    summary: String,
    desc: String,
    method: String,
    path: String,
    params: Vec<Param>,
    body: Option<(String, bool)>,
    response: Option<String>,
    success: u16,
    idempotent: bool,
    pagination: Option<(String, String)>,
}

struct Api {
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    ops: Vec<Op>,
    /// Structs reachable from a request body: required fields are plain, and they validate.
    request_side: BTreeSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test --workspace` catches a description edited without regenerating.
    #[test]
    fn generated_code_is_fresh() {
        if let Err(e) = run(Mode::Check) {
            panic!("{e}");
        }
    }
}
