//! `cargo xtask codegen`: turns `docs/api/*.openapi.json` into the Rust models of
//! `crates/ttsc-models/src/generated/`.
//!
//! The generator understands the small OpenAPI subset written down in `docs/api/README.md`
//! and rejects anything else, so the description and the Rust can never silently disagree.
//! Output goes through rustfmt and [`ensure_file_contents`]; `--check` changes nothing and
//! fails naming the stale files.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value};

use crate::util::{Outcome, ensure_file_contents, project_root, read, rustfmt, say};

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

/// The HTTP methods an operation may use: the variants of the generated `Method`. Anything
/// else under a path (`patch`, `options`, …) is rejected when the description is loaded.
const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

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

// ---------------------------------------------------------------------------------------
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

fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} must be an object"))
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn ref_name(r: &str, kind: &str) -> Result<String, String> {
    r.strip_prefix(&format!("#/components/{kind}/"))
        .map(str::to_string)
        .ok_or_else(|| format!("unsupported $ref {r:?} (expected #/components/{kind}/NAME)"))
}

fn num_i64(v: Option<&Value>) -> Option<i64> {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "bounds in the description are integers"
    )]
    v.and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

impl Api {
    fn load(doc: &Value) -> Result<Api, String> {
        let empty = Map::new();
        let components = doc
            .get("components")
            .map(|c| obj(c, "components"))
            .transpose()?
            .unwrap_or(&empty);
        let schemas = components
            .get("schemas")
            .map(|s| obj(s, "components.schemas"))
            .transpose()?
            .unwrap_or(&empty);
        let parameters = components
            .get("parameters")
            .map(|s| obj(s, "components.parameters"))
            .transpose()?
            .unwrap_or(&empty);

        let enum_names: BTreeSet<String> = schemas
            .iter()
            .filter(|(_, s)| s.get("enum").is_some())
            .map(|(n, _)| n.clone())
            .collect();

        let mut api = Api {
            structs: Vec::new(),
            enums: Vec::new(),
            ops: Vec::new(),
            request_side: BTreeSet::new(),
        };

        for (name, schema) in schemas {
            let ctx = format!("components.schemas.{name}");
            if let Some(values) = schema.get("enum") {
                if schema.get("type").and_then(Value::as_str) != Some("string") {
                    return Err(format!("{ctx}: enumerations must be `type: string`"));
                }
                let descs = schema.get("x-enum-descriptions");
                let values = values
                    .as_array()
                    .ok_or_else(|| format!("{ctx}.enum must be an array"))?
                    .iter()
                    .map(|v| {
                        let v = v
                            .as_str()
                            .ok_or_else(|| format!("{ctx}.enum values must be strings"))?;
                        let d = descs
                            .and_then(|d| d.get(v))
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        Ok((v.to_string(), d.trim().to_string()))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                api.enums.push(EnumDef {
                    name: name.clone(),
                    desc: text(schema, "description"),
                    values,
                });
                continue;
            }
            match schema.get("type").and_then(Value::as_str) {
                Some("object") => {}
                other => {
                    return Err(format!(
                        "{ctx}: unsupported schema type {other:?} (objects and string enums only)"
                    ));
                }
            }
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut fields = Vec::new();
            if let Some(props) = schema.get("properties") {
                for (pname, pschema) in obj(props, &format!("{ctx}.properties"))? {
                    let pctx = format!("{ctx}.properties.{pname}");
                    let (ty, cons) = prop_type(pschema, &enum_names, &pctx)?;
                    fields.push(Field {
                        wire: pname.clone(),
                        rust: rust_field_name(pname),
                        ty,
                        required: required.contains(pname.as_str()),
                        desc: text(pschema, "description"),
                        cons,
                    });
                }
            }
            for r in &required {
                if !fields.iter().any(|f| f.wire == *r) {
                    return Err(format!(
                        "{ctx}: required field {r:?} is not among the properties"
                    ));
                }
            }
            api.structs.push(StructDef {
                name: name.clone(),
                desc: text(schema, "description"),
                fields,
            });
        }

        let paths = obj(doc.get("paths").ok_or("no paths")?, "paths")?;
        for (path, item) in paths {
            let item = obj(item, &format!("paths.{path}"))?;
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let ctx = format!("paths.{path}.{method}");
                api.ops
                    .push(load_op(path, method, op, parameters, &enum_names, &ctx)?);
            }
            for key in item.keys() {
                if !METHODS.contains(&key.as_str())
                    && !["summary", "description"].contains(&key.as_str())
                {
                    return Err(format!("paths.{path}: unsupported key {key:?}"));
                }
            }
        }

        // Every referenced schema must exist.
        let known: BTreeSet<&str> = api
            .structs
            .iter()
            .map(|s| s.name.as_str())
            .chain(api.enums.iter().map(|e| e.name.as_str()))
            .collect();
        let mut referenced = Vec::new();
        for s in &api.structs {
            for f in &s.fields {
                collect_refs(&f.ty, &mut referenced);
            }
        }
        for op in &api.ops {
            for p in &op.params {
                collect_refs(&p.field.ty, &mut referenced);
            }
            referenced.extend(op.body.iter().map(|(b, _)| b.clone()));
            referenced.extend(op.response.iter().cloned());
        }
        for r in &referenced {
            if !known.contains(r.as_str()) {
                return Err(format!("$ref to missing schema {r:?}"));
            }
        }

        // Request side: everything reachable from a request body.
        let by_name: BTreeMap<&str, &StructDef> =
            api.structs.iter().map(|s| (s.name.as_str(), s)).collect();
        let mut todo: Vec<String> = api
            .ops
            .iter()
            .filter_map(|o| o.body.as_ref().map(|b| b.0.clone()))
            .collect();
        while let Some(n) = todo.pop() {
            if !api.request_side.insert(n.clone()) {
                continue;
            }
            if let Some(s) = by_name.get(n.as_str()) {
                let mut refs = Vec::new();
                for f in &s.fields {
                    collect_refs(&f.ty, &mut refs);
                }
                todo.extend(
                    refs.into_iter()
                        .filter(|r| by_name.contains_key(r.as_str())),
                );
            }
        }
        Ok(api)
    }
}

fn collect_refs(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Enum(n) | Ty::Struct(n) => out.push(n.clone()),
        Ty::Vec(t) => collect_refs(t, out),
        _ => {}
    }
}

fn prop_type(s: &Value, enums: &BTreeSet<String>, ctx: &str) -> Result<(Ty, Constraints), String> {
    let mut cons = Constraints {
        default: s.get("default").map(|d| match d {
            Value::String(v) => v.clone(),
            other => other.to_string(),
        }),
        ..Constraints::default()
    };
    if s.get("x-ttsc-sensitive").and_then(Value::as_bool) == Some(true) {
        return Ok((Ty::Custom("crate::SecretString".to_string()), cons));
    }
    if let Some(custom) = s.get("x-rust-type").and_then(Value::as_str) {
        return Ok((Ty::Custom(custom.to_string()), cons));
    }
    let reference = s.get("$ref").and_then(Value::as_str).or_else(|| {
        s.get("allOf")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .and_then(|a| a[0].get("$ref"))
            .and_then(Value::as_str)
    });
    if let Some(r) = reference {
        let name = ref_name(r, "schemas").map_err(|e| format!("{ctx}: {e}"))?;
        let ty = if enums.contains(&name) {
            Ty::Enum(name)
        } else {
            Ty::Struct(name)
        };
        return Ok((ty, cons));
    }
    let ty = match s.get("type").and_then(Value::as_str) {
        Some("string") => {
            if s.get("enum").is_some() {
                return Err(format!(
                    "{ctx}: inline enums are not supported; make it a component schema"
                ));
            }
            cons.min_len = s.get("minLength").and_then(Value::as_u64);
            cons.max_len = s.get("maxLength").and_then(Value::as_u64);
            match s.get("format").and_then(Value::as_str) {
                Some("date-time") => cons.date_time = true,
                None | Some("uri" | "uuid" | "password" | "byte") => {}
                Some(other) => return Err(format!("{ctx}: unsupported string format {other:?}")),
            }
            Ty::Str
        }
        Some("integer") => {
            cons.min = num_i64(s.get("minimum"));
            cons.max = num_i64(s.get("maximum"));
            match s.get("format").and_then(Value::as_str) {
                Some("int32") => Ty::I32,
                Some("int64") | None => Ty::I64,
                Some(other) => return Err(format!("{ctx}: unsupported integer format {other:?}")),
            }
        }
        Some("number") => {
            cons.min = num_i64(s.get("minimum"));
            cons.max = num_i64(s.get("maximum"));
            Ty::F64
        }
        Some("boolean") => Ty::Bool,
        Some("array") => {
            cons.min_items = s.get("minItems").and_then(Value::as_u64);
            cons.max_items = s.get("maxItems").and_then(Value::as_u64);
            let items = s
                .get("items")
                .ok_or_else(|| format!("{ctx}: array without items"))?;
            let (item, item_cons) = prop_type(items, enums, &format!("{ctx}.items"))?;
            cons.item = Some(Box::new(item_cons));
            Ty::Vec(Box::new(item))
        }
        Some("object") => {
            return Err(format!(
                "{ctx}: inline object; make it a named component schema"
            ));
        }
        other => return Err(format!("{ctx}: unsupported type {other:?}")),
    };
    Ok((ty, cons))
}

fn load_op(
    path: &str,
    method: &str,
    op: &Value,
    parameters: &Map<String, Value>,
    enums: &BTreeSet<String>,
    ctx: &str,
) -> Result<Op, String> {
    let id = text(op, "operationId");
    if id.is_empty() || !id.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err(format!("{ctx}: operationId must be PascalCase"));
    }
    let mut params = Vec::new();
    for p in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = ref_name(r, "parameters").map_err(|e| format!("{ctx}: {e}"))?;
                parameters
                    .get(&name)
                    .ok_or_else(|| format!("{ctx}: missing parameter {name:?}"))?
            }
            None => p,
        };
        let name = text(p, "name");
        let pctx = format!("{ctx}.parameters.{name}");
        let loc = match p.get("in").and_then(Value::as_str) {
            Some("path") => Loc::Path,
            Some("query") => Loc::Query,
            Some("header") => Loc::Header,
            other => return Err(format!("{pctx}: unsupported location {other:?}")),
        };
        let schema = p
            .get("schema")
            .ok_or_else(|| format!("{pctx}: no schema"))?;
        let (ty, cons) = prop_type(schema, enums, &pctx)?;
        if matches!(ty, Ty::Struct(_) | Ty::Vec(_) | Ty::Custom(_)) {
            return Err(format!("{pctx}: parameters must be scalars or enums"));
        }
        let required =
            p.get("required").and_then(Value::as_bool).unwrap_or(false) || loc == Loc::Path;
        params.push(Param {
            field: Field {
                rust: rust_field_name(&name),
                wire: name,
                ty,
                required,
                desc: text(p, "description"),
                cons,
            },
            loc,
            auth: p
                .get("x-ttsc-auth")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
            && !params
                .iter()
                .any(|p| p.loc == Loc::Path && p.field.wire == name)
        {
            return Err(format!("{ctx}: path parameter {name:?} is not declared"));
        }
    }
    let body = match op.get("requestBody") {
        None => None,
        Some(b) => {
            let r = b
                .pointer("/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("{ctx}: requestBody must reference a schema under application/json")
                })?;
            let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
            Some((
                ref_name(r, "schemas").map_err(|e| format!("{ctx}: {e}"))?,
                required,
            ))
        }
    };
    let responses = obj(
        op.get("responses")
            .ok_or_else(|| format!("{ctx}: no responses"))?,
        ctx,
    )?;
    let (success, resp) = responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .ok_or_else(|| format!("{ctx}: no 2xx response"))?;
    let success: u16 = success
        .parse()
        .map_err(|_| format!("{ctx}: bad status {success:?}"))?;
    let response = match resp
        .pointer("/content/application~1json/schema/$ref")
        .and_then(Value::as_str)
    {
        Some(r) => Some(ref_name(r, "schemas").map_err(|e| format!("{ctx}: {e}"))?),
        None if resp.get("content").is_none() => None,
        None => {
            return Err(format!(
                "{ctx}: the {success} response must reference a schema or have no content"
            ));
        }
    };
    let pagination = op
        .get("x-ttsc-pagination")
        .map(|p| (text(p, "items"), text(p, "count")));
    let idempotent = op
        .get("x-ttsc-idempotent")
        .and_then(Value::as_bool)
        .unwrap_or(method != "post");
    Ok(Op {
        summary: text(op, "summary"),
        desc: text(op, "description"),
        id,
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        params,
        body,
        response,
        success,
        idempotent,
        pagination,
    })
}

// ---------------------------------------------------------------------------------------
// Names and docs.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
];

/// `X-App-UserId` → `x_app_user_id`; `type` → `r#type`.
fn rust_field_name(wire: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c == '-' || c == '.' || c == ' ' {
            out.push('_');
            prev_lower = false;
        } else if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    if ["self", "super", "crate"].contains(&out.as_str()) {
        // These cannot be raw identifiers.
        format!("{out}_")
    } else if KEYWORDS.contains(&out.as_str()) {
        format!("r#{out}")
    } else {
        out
    }
}

/// `ASYNC_JOB` → `AsyncJob`, `date` → `Date`.
fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for part in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            if part.chars().any(|c| c.is_ascii_lowercase())
                && part.chars().any(|c| c.is_ascii_uppercase())
            {
                out.push_str(&rest);
            } else {
                out.push_str(&rest.to_ascii_lowercase());
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Unknown" {
        out.push_str("Value");
    }
    out
}

/// Escapes description text for a doc comment: outside `code spans`, markdown link
/// brackets and HTML-looking angle brackets are escaped and bare URLs become code.
fn doc_text(s: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for word in s.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end();
        if !in_code && (trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
            out.push('`');
            out.push_str(trimmed);
            out.push('`');
            out.push_str(&word[trimmed.len()..]);
            continue;
        }
        for c in word.chars() {
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push(c);
                }
                '[' | ']' | '<' | '>' if !in_code => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    if in_code {
        out.push('`');
    }
    out
}

fn doc(out: &mut String, text: &str) {
    for line in text.lines() {
        let line = doc_text(line.trim_end());
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
}

fn constraint_doc(cons: &Constraints, ty: &Ty) -> String {
    /// `LABEL: 1 to 5UNIT.`, `LABEL: at least 1UNIT.` or `LABEL: at most 5UNIT.`.
    fn bounds<T: std::fmt::Display>(
        label: &str,
        min: Option<T>,
        max: Option<T>,
        unit: &str,
    ) -> Option<String> {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => return None,
        };
        Some(format!("{label}: {range}{unit}."))
    }
    let mut parts: Vec<String> = [
        bounds("Allowed", cons.min, cons.max, ""),
        bounds("Length", cons.min_len, cons.max_len, " characters"),
        bounds("Items", cons.min_items, cons.max_items, ""),
    ]
    .into_iter()
    .flatten()
    .collect();
    if cons.date_time {
        parts.push("Format: RFC 3339 date-time such as `2026-11-01T00:00:00Z`.".to_string());
    }
    if let Ty::Enum(e) = ty {
        parts.push(format!("Values: [`{e}`]."));
    }
    if let Some(d) = &cons.default {
        parts.push(format!("Default: `{d}`."));
    }
    parts.join(" ")
}

fn rust_ty(ty: &Ty) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Enum(n) | Ty::Struct(n) => n.clone(),
        Ty::Custom(p) => p.clone(),
        Ty::Vec(t) => format!("Vec<{}>", rust_ty(t)),
    }
}

fn query_expected(ty: &Ty) -> &'static str {
    match ty {
        Ty::I32 | Ty::I64 => "an integer",
        Ty::F64 => "a number",
        Ty::Bool => "true or false",
        _ => "a string",
    }
}

// ---------------------------------------------------------------------------------------
// Rendering.

impl Api {
    fn defaultable(&self, name: &str, seen: &mut Vec<String>) -> bool {
        if seen.iter().any(|s| s == name) {
            return true;
        }
        seen.push(name.to_string());
        let Some(s) = self.structs.iter().find(|s| s.name == name) else {
            return false;
        };
        let request_side = self.request_side.contains(name);
        s.fields
            .iter()
            .all(|f| !(request_side && f.required) || self.ty_defaultable(&f.ty, seen))
    }

    fn ty_defaultable(&self, ty: &Ty, seen: &mut Vec<String>) -> bool {
        match ty {
            Ty::Enum(_) => false,
            Ty::Struct(n) => self.defaultable(n, seen),
            _ => true,
        }
    }

    fn render(&self, rel: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! Models of `{rel}`: {} operations, {} types, {} enumerations.\n//!\n//! Generated by `cargo xtask codegen` from {rel}; do not edit.\n",
            self.ops.len(),
            self.structs.len(),
            self.enums.len()
        );
        out.push_str("#![allow(clippy::too_many_arguments, reason = \"constructors take every required field\")]\n\n");
        out.push_str("use serde::{Deserialize, Serialize};\n\n");
        for e in &self.enums {
            self.render_enum(&mut out, e);
        }
        for s in &self.structs {
            self.render_struct(&mut out, s);
        }
        for op in &self.ops {
            self.render_op(&mut out, op, rel);
        }
        out
    }

    fn render_enum(&self, out: &mut String, e: &EnumDef) {
        doc(out, if e.desc.is_empty() { &e.name } else { &e.desc });
        out.push_str(
            "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\n",
        );
        let _ = writeln!(out, "pub enum {} {{", e.name);
        for (value, d) in &e.values {
            if d.is_empty() {
                let _ = writeln!(out, "/// `{value}`");
            } else {
                let _ = writeln!(out, "/// `{value}`: {}", doc_text(d));
            }
            let _ = writeln!(out, "{},", variant_name(value));
        }
        out.push_str("/// A value this version of ttsc does not know, kept as received.\nUnknown(String),\n}\n\n");
        let _ = writeln!(out, "crate::enums::string_enum!({} {{", e.name);
        for (value, _) in &e.values {
            let _ = writeln!(out, "{} => {:?},", variant_name(value), value);
        }
        out.push_str("});\n\n");
    }

    fn field_ty(&self, f: &Field, request_side: bool) -> String {
        if request_side && f.required {
            rust_ty(&f.ty)
        } else {
            format!("Option<{}>", rust_ty(&f.ty))
        }
    }

    fn render_field_doc(out: &mut String, f: &Field, extra: Option<&str>) {
        let mut d = String::new();
        if let Some(extra) = extra {
            d.push_str(extra);
        }
        d.push_str(if f.desc.is_empty() { &f.wire } else { &f.desc });
        doc(out, &d);
        let c = constraint_doc(&f.cons, &f.ty);
        if !c.is_empty() {
            out.push_str("///\n");
            let _ = writeln!(out, "/// {c}");
        }
    }

    fn render_struct(&self, out: &mut String, s: &StructDef) {
        let request_side = self.request_side.contains(&s.name);
        let default = self.defaultable(&s.name, &mut Vec::new());
        doc(out, if s.desc.is_empty() { &s.name } else { &s.desc });
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize{})]\n#[non_exhaustive]\npub struct {} {{",
            if default { ", Default" } else { "" },
            s.name
        );
        for f in &s.fields {
            Self::render_field_doc(out, f, None);
            let plain = request_side && f.required;
            let bare = f.rust.trim_start_matches("r#").trim_end_matches('_');
            let mut attrs = Vec::new();
            if bare != f.wire {
                attrs.push(format!("rename = {:?}", f.wire));
            }
            if !plain {
                attrs.push("default".to_string());
                attrs.push("skip_serializing_if = \"Option::is_none\"".to_string());
            }
            if !attrs.is_empty() {
                let _ = writeln!(out, "#[serde({})]", attrs.join(", "));
            }
            let _ = writeln!(out, "pub {}: {},", f.rust, self.field_ty(f, request_side));
        }
        out.push_str("}\n\n");

        // Constructor and setters.
        let required: Vec<&Field> = s
            .fields
            .iter()
            .filter(|f| request_side && f.required)
            .collect();
        let _ = writeln!(out, "impl {} {{", s.name);
        if required.is_empty() {
            let _ = writeln!(
                out,
                "/// An empty `{}`; set fields with the setters.",
                s.name
            );
        } else {
            let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
            let _ = writeln!(
                out,
                "/// A `{}` with its required fields ({}); set the others with the setters.",
                s.name,
                names.join(", ")
            );
        }
        let args: Vec<String> = required
            .iter()
            .map(|f| format!("{}: {}", f.rust, setter_arg(&f.ty)))
            .collect();
        let _ = writeln!(out, "pub fn new({}) -> Self {{ Self {{", args.join(", "));
        for f in &s.fields {
            if request_side && f.required {
                let _ = writeln!(out, "{}: {},", f.rust, setter_conv(&f.ty, &f.rust));
            } else {
                let _ = writeln!(out, "{}: None,", f.rust);
            }
        }
        out.push_str("} }\n\n");
        for f in &s.fields {
            render_setter(out, f, request_side && f.required);
        }
        out.push_str("}\n\n");

        if request_side {
            let mut body = String::new();
            for f in &s.fields {
                render_field_checks(&mut body, f, f.required, "self.");
            }
            render_validate(out, &s.name, &body);
        }
    }

    fn render_op(&self, out: &mut String, op: &Op, rel: &str) {
        let name = format!("{}Request", op.id);
        let fields: Vec<&Param> = op
            .params
            .iter()
            .filter(|p| !(p.auth || p.loc == Loc::Path && p.field.wire == "project_id"))
            .collect();
        let body_ty = op.body.as_ref().map(|(b, _)| b.clone());
        let body_required = op.body.as_ref().is_some_and(|b| b.1);
        let default = fields
            .iter()
            .all(|p| !p.field.required || !matches!(p.field.ty, Ty::Enum(_)))
            && (!body_required
                || body_ty
                    .as_ref()
                    .is_some_and(|b| self.defaultable(b, &mut Vec::new())));

        // The request type.
        let mut head = format!(
            "Request of `{}`: {}\n\n`{} {}`",
            op.id, op.summary, op.method, op.path
        );
        if !op.desc.is_empty() && op.desc != op.summary {
            head.push_str("\n\n");
            head.push_str(&op.desc);
        }
        doc(out, &head);
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, PartialEq{})]\n#[non_exhaustive]\npub struct {name} {{",
            if default { ", Default" } else { "" }
        );
        for p in &fields {
            let loc = match p.loc {
                Loc::Path => "path",
                Loc::Query => "query",
                Loc::Header => "header",
            };
            let prefix = format!("`{}` ({loc}): ", p.field.wire);
            Self::render_field_doc(out, &p.field, Some(&prefix));
            let _ = writeln!(
                out,
                "pub {}: {},",
                p.field.rust,
                self.field_ty(&p.field, true)
            );
        }
        if let Some(b) = &body_ty {
            let _ = writeln!(out, "/// The JSON request body.");
            if body_required {
                let _ = writeln!(out, "pub body: {b},");
            } else {
                let _ = writeln!(out, "pub body: Option<{b}>,");
            }
        }
        out.push_str("}\n\n");

        // Constructor and setters.
        let mut required: Vec<(String, String, String)> = fields
            .iter()
            .filter(|p| p.field.required)
            .map(|p| {
                (
                    p.field.rust.clone(),
                    setter_arg(&p.field.ty),
                    setter_conv(&p.field.ty, &p.field.rust),
                )
            })
            .collect();
        if let (Some(b), true) = (&body_ty, body_required) {
            required.push(("body".into(), b.clone(), "body".into()));
        }
        let _ = writeln!(out, "impl {name} {{");
        let _ = writeln!(
            out,
            "/// A `{}` request{}; set optional parameters with the setters.",
            op.id,
            if required.is_empty() {
                ""
            } else {
                " with its required parameters"
            }
        );
        let args: Vec<String> = required
            .iter()
            .map(|(n, t, _)| format!("{n}: {t}"))
            .collect();
        let _ = writeln!(out, "pub fn new({}) -> Self {{ Self {{", args.join(", "));
        for p in &fields {
            if p.field.required {
                let _ = writeln!(
                    out,
                    "{}: {},",
                    p.field.rust,
                    setter_conv(&p.field.ty, &p.field.rust)
                );
            } else {
                let _ = writeln!(out, "{}: None,", p.field.rust);
            }
        }
        if body_ty.is_some() {
            out.push_str(if body_required {
                "body,\n"
            } else {
                "body: None,\n"
            });
        }
        out.push_str("} }\n\n");
        for p in &fields {
            render_setter(out, &p.field, p.field.required);
        }
        if let (Some(b), false) = (&body_ty, body_required) {
            let _ = writeln!(
                out,
                "/// Sets the request body.\npub fn body(mut self, body: {b}) -> Self {{ self.body = Some(body); self }}\n"
            );
        }
        out.push_str("}\n\n");

        // Validation.
        let mut body = String::new();
        for p in &fields {
            render_field_checks(&mut body, &p.field, p.field.required, "self.");
        }
        if body_ty.is_some() {
            if body_required {
                body.push_str("self.body.collect_violations(prefix, out);\n");
            } else {
                body.push_str(
                    "if let Some(b) = &self.body { b.collect_violations(prefix, out); }\n",
                );
            }
        }
        render_validate(out, &name, &body);

        // The operation.
        let response = op
            .response
            .clone()
            .unwrap_or_else(|| "crate::EmptyResponse".into());
        let _ = writeln!(out, "impl crate::Operation for {name} {{");
        let _ = writeln!(
            out,
            "const INFO: &'static crate::OperationInfo = &crate::OperationInfo {{"
        );
        let _ = writeln!(out, "id: crate::OperationId::{},", op.id);
        let _ = writeln!(out, "name: {:?},", op.id);
        let _ = writeln!(out, "summary: {:?},", op.summary);
        // `Api::load` accepts only `METHODS`, the variants of the generated `Method`.
        let method = match op.method.as_str() {
            "GET" => "Get",
            "POST" => "Post",
            "PUT" => "Put",
            "DELETE" => "Delete",
            other => unreachable!("method {other} is rejected when the description is loaded"),
        };
        let _ = writeln!(out, "method: crate::Method::{method},");
        let _ = writeln!(out, "path: {:?},", op.path);
        out.push_str("params: &[\n");
        for p in &op.params {
            let loc = match p.loc {
                Loc::Path => "Path",
                Loc::Query => "Query",
                Loc::Header => "Header",
            };
            let _ = writeln!(
                out,
                "crate::ParamInfo {{ name: {:?}, location: crate::ParamLocation::{loc}, required: {}, auth: {} }},",
                p.field.wire, p.field.required, p.auth
            );
        }
        out.push_str("],\n");
        match &op.body {
            Some((b, r)) => {
                let _ = writeln!(out, "body: Some({b:?}),\nbody_required: {r},");
            }
            None => out.push_str("body: None,\nbody_required: false,\n"),
        }
        let _ = writeln!(
            out,
            "response: {:?},\nempty_response: {},\nsuccess_status: {},\nidempotent: {},",
            op.response.as_deref().unwrap_or("EmptyResponse"),
            op.response.is_none(),
            op.success,
            op.idempotent
        );
        match &op.pagination {
            Some((items, count)) => {
                let max = op
                    .params
                    .iter()
                    .find(|p| p.field.wire == "limit")
                    .and_then(|p| p.field.cons.max)
                    .unwrap_or(100);
                let _ = writeln!(
                    out,
                    "pagination: Some(crate::PaginationInfo {{ items: {items:?}, count: {count:?}, max_limit: {max} }}),"
                );
            }
            None => out.push_str("pagination: None,\n"),
        }
        out.push_str("};\n");
        let _ = writeln!(
            out,
            "type Body = {};",
            body_ty.clone().unwrap_or_else(|| "crate::NoBody".into())
        );
        let _ = writeln!(out, "type Response = {response};\n");

        // path()
        let uses_project = op.path.contains("{project_id}");
        let _ = writeln!(
            out,
            "fn path(&self, {}: &str) -> String {{",
            if uses_project {
                "project_id"
            } else {
                "_project_id"
            }
        );
        out.push_str("let mut p = String::with_capacity(96);\n");
        let mut literal = String::new();
        for (i, seg) in op.path.split('/').enumerate() {
            if i > 0 {
                literal.push('/');
            }
            if let Some(pname) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if !literal.is_empty() {
                    let _ = writeln!(out, "p.push_str({literal:?});");
                    literal.clear();
                }
                let expr = if pname == "project_id" {
                    "project_id".to_string()
                } else {
                    format!("&self.{}", rust_field_name(pname))
                };
                let _ = writeln!(out, "crate::wire::push_percent_encoded(&mut p, {expr});");
            } else {
                literal.push_str(seg);
            }
        }
        if !literal.is_empty() {
            let _ = writeln!(out, "p.push_str({literal:?});");
        }
        out.push_str("p\n}\n\n");

        // query() and headers()
        for (fname, loc) in [("query", Loc::Query), ("headers", Loc::Header)] {
            let ps: Vec<&&Param> = fields.iter().filter(|p| p.loc == loc).collect();
            let _ = writeln!(out, "fn {fname}(&self) -> Vec<(&'static str, String)> {{");
            if ps.is_empty() {
                out.push_str("Vec::new()\n}\n\n");
                continue;
            }
            let _ = writeln!(out, "let mut q = Vec::with_capacity({});", ps.len());
            for p in ps {
                if p.field.required {
                    let _ = writeln!(
                        out,
                        "q.push(({:?}, self.{}.to_string()));",
                        p.field.wire, p.field.rust
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "if let Some(v) = &self.{} {{ q.push(({:?}, v.to_string())); }}",
                        p.field.rust, p.field.wire
                    );
                }
            }
            out.push_str("q\n}\n\n");
        }

        // body()
        out.push_str("fn body(&self) -> Option<&Self::Body> {\n");
        match (&body_ty, body_required) {
            (Some(_), true) => out.push_str("Some(&self.body)\n"),
            (Some(_), false) => out.push_str("self.body.as_ref()\n"),
            (None, _) => out.push_str("None\n"),
        }
        out.push_str("}\n\n");

        // from_wire()
        out.push_str(
            "fn from_wire(w: &crate::WireRequest<'_>) -> Result<Self, crate::ValidationError> {\n",
        );
        if fields.is_empty() && body_ty.is_none() {
            out.push_str("let _ = w;\nOk(Self {})\n}\n}\n\n");
            return;
        }
        // Only path, query and body parameters can be missing or malformed.
        let can_fail = body_ty.is_some() || fields.iter().any(|p| p.loc != Loc::Header);
        if can_fail {
            out.push_str("let mut v = Vec::new();\n");
        }
        let mut must: Vec<String> = Vec::new();
        for p in &fields {
            let f = &p.field;
            match p.loc {
                Loc::Path => {
                    let _ = writeln!(out, "let {} = w.path_param({:?}, &mut v);", f.rust, f.wire);
                }
                Loc::Query => {
                    let _ = writeln!(
                        out,
                        "let {} = w.query_param::<{}>({:?}, {:?}, {}, &mut v);",
                        f.rust,
                        rust_ty(&f.ty),
                        f.wire,
                        query_expected(&f.ty),
                        f.required
                    );
                    if f.required {
                        must.push(f.rust.clone());
                    }
                }
                Loc::Header => {
                    if matches!(f.ty, Ty::Str) {
                        let _ = writeln!(out, "let {} = w.header({:?});", f.rust, f.wire);
                    } else {
                        let _ = writeln!(
                            out,
                            "let {} = w.header({:?}).and_then(|h| h.parse::<{}>().ok());",
                            f.rust,
                            f.wire,
                            rust_ty(&f.ty)
                        );
                    }
                    if f.required {
                        must.push(f.rust.clone());
                    }
                }
            }
        }
        if let Some(b) = &body_ty {
            let _ = writeln!(
                out,
                "let body = w.json_body::<{b}>({body_required}, &mut v);"
            );
            if body_required {
                must.push("body".into());
            }
        }
        let mut ctor = String::from("Self {\n");
        for p in &fields {
            let _ = writeln!(ctor, "{},", p.field.rust);
        }
        if body_ty.is_some() {
            ctor.push_str("body,\n");
        }
        ctor.push('}');
        if !can_fail {
            let _ = writeln!(out, "Ok({ctor})");
        } else if must.is_empty() {
            let _ = writeln!(
                out,
                "if v.is_empty() {{ Ok({ctor}) }} else {{ Err(crate::ValidationError::new({:?}, v)) }}",
                op.id
            );
        } else {
            let somes: Vec<String> = must.iter().map(|m| format!("Some({m})")).collect();
            let (scrutinee, pattern) = if must.len() == 1 {
                (must[0].clone(), somes[0].clone())
            } else {
                (
                    format!("({})", must.join(", ")),
                    format!("({})", somes.join(", ")),
                )
            };
            let _ = writeln!(
                out,
                "match {scrutinee} {{ {pattern} if v.is_empty() => Ok({ctor}), _ => Err(crate::ValidationError::new({:?}, v)) }}",
                op.id
            );
        }
        out.push_str("}\n}\n\n");

        // Pagination.
        if let Some((items, count)) = &op.pagination {
            let resp = op.response.as_ref();
            let item_ty = resp
                .and_then(|r| self.structs.iter().find(|s| &s.name == r))
                .and_then(|s| s.fields.iter().find(|f| &f.wire == items))
                .and_then(|f| match &f.ty {
                    Ty::Vec(t) => Some(rust_ty(t)),
                    _ => None,
                });
            let item_ty = item_ty.unwrap_or_else(|| {
                panic!("{rel}: {}: pagination items must be an array field", op.id)
            });
            let items_rust = rust_field_name(items);
            let count_rust = rust_field_name(count);
            let off = fields
                .iter()
                .find(|p| p.field.wire == "offset")
                .map(|p| p.field.ty.clone());
            let lim = fields
                .iter()
                .find(|p| p.field.wire == "limit")
                .map(|p| p.field.ty.clone());
            let conv_set = |ty: &Option<Ty>, v: &str| match ty {
                Some(Ty::I32) => format!("Some(i32::try_from({v}).unwrap_or(i32::MAX))"),
                _ => format!("Some({v})"),
            };
            let _ = writeln!(out, "impl crate::Paginated for {name} {{");
            let _ = writeln!(out, "type Item = {item_ty};");
            let _ = writeln!(
                out,
                "fn page_offset(&self) -> i64 {{ self.offset.map_or(0, i64::from) }}"
            );
            let _ = writeln!(
                out,
                "fn page_limit(&self) -> Option<i64> {{ self.limit.map(i64::from) }}"
            );
            let _ = writeln!(
                out,
                "fn set_page(&mut self, offset: i64, limit: i64) {{ self.offset = {}; self.limit = {}; }}",
                conv_set(&off, "offset"),
                conv_set(&lim, "limit")
            );
            let _ = writeln!(
                out,
                "fn total(response: &Self::Response) -> Option<i64> {{ response.{count_rust}.map(i64::from) }}"
            );
            let _ = writeln!(
                out,
                "fn into_items(response: Self::Response) -> Vec<Self::Item> {{ response.{items_rust}.unwrap_or_default() }}"
            );
            out.push_str("}\n\n");
        }
    }
}

fn setter_arg(ty: &Ty) -> String {
    match ty {
        Ty::Vec(t) => format!("impl IntoIterator<Item = impl Into<{}>>", rust_ty(t)),
        t => format!("impl Into<{}>", rust_ty(t)),
    }
}

fn setter_conv(ty: &Ty, v: &str) -> String {
    match ty {
        Ty::Vec(_) => format!("{v}.into_iter().map(Into::into).collect()"),
        _ => format!("{v}.into()"),
    }
}

fn render_setter(out: &mut String, f: &Field, plain: bool) {
    let _ = writeln!(out, "/// Sets `{}`.", f.wire);
    let conv = setter_conv(&f.ty, "value");
    let value = if plain { conv } else { format!("Some({conv})") };
    let _ = writeln!(
        out,
        "pub fn {}(mut self, value: {}) -> Self {{ self.{} = {value}; self }}\n",
        f.rust,
        setter_arg(&f.ty),
        f.rust
    );
}

fn has_checks(ty: &Ty, cons: &Constraints) -> bool {
    match ty {
        Ty::Str => cons.min_len.is_some() || cons.max_len.is_some() || cons.date_time,
        Ty::I32 | Ty::I64 | Ty::F64 => cons.min.is_some() || cons.max.is_some(),
        Ty::Bool => false,
        Ty::Enum(_) | Ty::Struct(_) | Ty::Custom(_) => true,
        Ty::Vec(t) => {
            cons.min_items.is_some()
                || cons.max_items.is_some()
                || has_checks(t, cons.item.as_deref().unwrap_or(&Constraints::default()))
        }
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    match v {
        Some(v) => format!("Some({v})"),
        None => "None".into(),
    }
}

/// Emits checks of `value` (an expression of type `&T`) named `field` (an expression of
/// type `&str`) under `prefix` (an expression of type `&str`).
fn emit_checks(
    out: &mut String,
    ty: &Ty,
    cons: &Constraints,
    prefix: &str,
    field: &str,
    value: &str,
) {
    match ty {
        Ty::Str => {
            if cons.min_len.is_some() || cons.max_len.is_some() {
                let _ = writeln!(
                    out,
                    "check::length(out, {prefix}, {field}, {value}, {}, {});",
                    opt(cons.min_len),
                    opt(cons.max_len)
                );
            }
            if cons.date_time {
                let _ = writeln!(out, "check::date_time(out, {prefix}, {field}, {value});");
            }
        }
        Ty::I32 | Ty::I64 => {
            if cons.min.is_some() || cons.max.is_some() {
                let _ = writeln!(
                    out,
                    "check::range(out, {prefix}, {field}, i64::from(*{value}), {}, {});",
                    opt(cons.min),
                    opt(cons.max)
                );
            }
        }
        Ty::F64 => {
            if cons.min.is_some() || cons.max.is_some() {
                let _ = writeln!(
                    out,
                    "check::range_f64(out, {prefix}, {field}, *{value}, {}, {});",
                    opt(cons.min),
                    opt(cons.max)
                );
            }
        }
        Ty::Bool => {}
        Ty::Enum(e) => {
            let _ = writeln!(
                out,
                "check::known(out, {prefix}, {field}, {value}.as_str(), {value}.is_known(), {e}::VALUES);"
            );
        }
        Ty::Struct(_) | Ty::Custom(_) => {
            let _ = writeln!(
                out,
                "crate::Validate::collect_violations({value}, &check::nested({prefix}, {field}), out);"
            );
        }
        Ty::Vec(item) => {
            if cons.min_items.is_some() || cons.max_items.is_some() {
                let _ = writeln!(
                    out,
                    "check::items(out, {prefix}, {field}, {value}.len(), {}, {});",
                    opt(cons.min_items),
                    opt(cons.max_items)
                );
            }
            let item_cons = cons.item.as_deref().cloned().unwrap_or_default();
            if has_checks(item, &item_cons) {
                let _ = writeln!(
                    out,
                    "for (i, e) in {value}.iter().enumerate() {{ let f = check::index({prefix}, {field}, i);"
                );
                emit_checks(out, item, &item_cons, "\"\"", "&f", "e");
                out.push_str("}\n");
            }
        }
    }
}

fn render_field_checks(out: &mut String, f: &Field, plain: bool, owner: &str) {
    if !has_checks(&f.ty, &f.cons) {
        return;
    }
    if plain {
        let _ = writeln!(out, "{{ let v = &{owner}{};", f.rust);
    } else {
        let _ = writeln!(out, "if let Some(v) = &{owner}{} {{", f.rust);
    }
    emit_checks(out, &f.ty, &f.cons, "prefix", &format!("{:?}", f.wire), "v");
    out.push_str("}\n");
}

/// `impl crate::Validate for NAME` whose `collect_violations` runs `checks` (code from
/// [`render_field_checks`]), or ignores its arguments when there are none.
fn render_validate(out: &mut String, name: &str, checks: &str) {
    let _ = writeln!(out, "impl crate::Validate for {name} {{");
    out.push_str("fn collect_violations(&self, prefix: &str, out: &mut Vec<crate::Violation>) {\n");
    if checks.is_empty() {
        out.push_str("let _ = (prefix, out);\n");
    } else {
        out.push_str("#[allow(unused_imports, reason = \"not every type needs every helper\")]\nuse crate::validate::check;\n");
        out.push_str(checks);
    }
    out.push_str("}\n}\n\n");
}

fn render_mod(all: &[(String, Vec<Op>)]) -> String {
    let mut out = String::from(
        "//! The generated models: one module per API description, and the operation catalogue.\n//!\n//! Generated by `cargo xtask codegen` from docs/api/*.openapi.json; do not edit.\n\n",
    );
    for (module, _) in all {
        let _ = writeln!(out, "pub mod {module};");
    }
    out.push_str("\nuse crate::{Operation, OperationInfo};\n\n");
    out.push_str("/// Every operation of every API description, for exhaustive matching.\n");
    // Deliberately exhaustive: the emulator and tests match on every operation, and a new
    // operation is a change they must handle.
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum OperationId {\n");
    for (module, ops) in all {
        for op in ops {
            let _ = writeln!(out, "/// `{}` ({module}): {}", op.id, doc_text(&op.summary));
            let _ = writeln!(out, "{},", op.id);
        }
    }
    out.push_str("}\n\n");
    out.push_str("impl OperationId {\n/// Every operation, in description order.\npub const ALL: &'static [OperationId] = &[\n");
    for (_, ops) in all {
        for op in ops {
            let _ = writeln!(out, "OperationId::{},", op.id);
        }
    }
    out.push_str("];\n\n/// The static description of the operation.\npub fn info(self) -> &'static OperationInfo {\nmatch self {\n");
    for (module, ops) in all {
        for op in ops {
            let _ = writeln!(
                out,
                "OperationId::{} => {module}::{}Request::INFO,",
                op.id, op.id
            );
        }
    }
    out.push_str("}\n}\n\n/// The operation's name as in Huawei's SDKs.\npub fn name(self) -> &'static str {\nself.info().name\n}\n}\n\n");
    out.push_str(
        "/// Calls a generic function with the request type of an [`OperationId`]:\n\
         /// `dispatch_operation!(id, f, args…)` expands to `f::<…Request>(args…)` for the\n\
         /// matching operation. Every arm must return the same type.\n\
         #[macro_export]\nmacro_rules! dispatch_operation {\n\
         ($id:expr, $f:ident $(, $arg:expr)* $(,)?) => {\nmatch $id {\n",
    );
    for (module, ops) in all {
        let path = if module == "ttsc" {
            String::new()
        } else {
            format!("{module}::")
        };
        for op in ops {
            let _ = writeln!(
                out,
                "$crate::OperationId::{} => $f::<$crate::{path}{}Request>($($arg),*),",
                op.id, op.id
            );
        }
    }
    out.push_str("}\n};\n}\n\n");
    for (module, ops) in all {
        let _ = writeln!(
            out,
            "/// The {} operations of `{module}`, in description order.",
            ops.len()
        );
        // The TTS API is "ttsc" on the wire; its catalogue reads better as TTS_OPERATIONS.
        let konst = if module == "ttsc" {
            "TTS".to_string()
        } else {
            module.to_ascii_uppercase()
        };
        let _ = writeln!(out, "pub const {konst}_OPERATIONS: &[&OperationInfo] = &[");
        for op in ops {
            let _ = writeln!(out, "{module}::{}Request::INFO,", op.id);
        }
        out.push_str("];\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain `cargo test` catches a description edited without regenerating.
    #[test]
    fn generated_code_is_fresh() {
        if let Err(e) = run(Mode::Check) {
            panic!("{e}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(rust_field_name("X-App-UserId"), "x_app_user_id");
        assert_eq!(rust_field_name("X-Request-Id"), "x_request_id");
        assert_eq!(rust_field_name("type"), "r#type");
        assert_eq!(rust_field_name("audio_file_url"), "audio_file_url");
        assert_eq!(variant_name("ASYNC_JOB"), "AsyncJob");
        assert_eq!(variant_name("WAV"), "Wav");
        assert_eq!(variant_name("date"), "Date");
        assert_eq!(variant_name("UNKNOWN"), "UnknownValue");
        assert_eq!(variant_name("1x"), "V1x");
    }

    #[test]
    fn methods_the_generated_code_cannot_express_are_rejected() {
        let doc = |method: &str| {
            serde_json::json!({
                "openapi": "3.0.3",
                "paths": { "/v1/x": { method: { "operationId": "X", "responses": {} } } },
            })
        };
        let err = Api::load(&doc("patch")).err().expect("patch is rejected");
        assert!(err.contains("unsupported key \"patch\""), "{err}");
    }

    #[test]
    fn doc_text_escapes_markdown() {
        assert_eq!(
            doc_text("see [x] <y> https://a.b/c d"),
            "see \\[x\\] \\<y\\> `https://a.b/c` d"
        );
        assert_eq!(doc_text("`a[0]` and `b"), "`a[0]` and `b`");
    }
}
