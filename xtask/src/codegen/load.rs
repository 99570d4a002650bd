//! Reading an API description into the model, rejecting what the generator cannot express.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::names::rust_field_name;
use super::{Api, Constraints, EnumDef, Field, Loc, Op, Param, StructDef, Ty};

/// The HTTP methods an operation may use: the variants of the generated `Method`. Anything
/// else under a path (`patch`, `options`, …) is rejected when the description is loaded.
const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

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
    pub(super) fn load(doc: &Value) -> Result<Api, String> {
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
        let required =
            p.get("required").and_then(Value::as_bool).unwrap_or(false) || loc == Loc::Path;
        // A list goes out as the official SDK sends it: the parameter repeated per value.
        let list_ok = |t: &Ty| {
            loc == Loc::Query
                && !required
                && !matches!(t, Ty::Struct(_) | Ty::Vec(_) | Ty::Custom(_))
        };
        match &ty {
            Ty::Struct(_) | Ty::Custom(_) => {
                return Err(format!("{pctx}: parameters must be scalars or enums"));
            }
            Ty::Vec(item) if !list_ok(item) => {
                return Err(format!(
                    "{pctx}: only optional query parameters may be arrays, of scalars or enums"
                ));
            }
            _ => {}
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
