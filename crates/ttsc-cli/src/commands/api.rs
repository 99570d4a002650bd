//! `ttsc api`: one request of any operation in the catalogue, from a JSON object shaped like
//! the official SDK's request model (`to_dict()`), with the response body printed as JSON.
//!
//! The input names path and query parameters as they are documented (`job_id`, `limit`),
//! headers in snake case (`x_app_user_id`, `x_request_id`), and the body under `body` with its
//! wire fields. It is turned into the typed request by the generated `from_wire` parser, the
//! same one the emulator uses, so it is read exactly as the service would read it.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde_json::{Map, Value};
use ttsc_models::{
    Operation, OperationInfo, ParamInfo, ParamLocation, TTS_OPERATIONS, WireRequest,
    dispatch_operation,
};

use super::jobs::validate;
use crate::cli::{ApiArgs, OutputFormat};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;
use crate::input_json;
use crate::output::{Output, Record};

/// Runs `ttsc api`.
pub async fn run(ctx: &mut Ctx, args: ApiArgs) -> CliResult<ExitCode> {
    let Some(name) = args.operation else {
        return list(ctx);
    };
    let info = find(&name)?;
    let input = match &args.input_json {
        Some(path) => input_json::read(path)?,
        None => Map::new(),
    };
    let send: for<'a> fn(&'a mut Ctx, Map<String, Value>) -> Sending<'a> =
        dispatch_operation!(info.id, sender);
    send(ctx, input).await
}

/// The future of one request, boxed so that every operation's has the same type.
type Sending<'a> = Pin<Box<dyn Future<Output = CliResult<ExitCode>> + 'a>>;

fn sender<O: Operation>() -> for<'a> fn(&'a mut Ctx, Map<String, Value>) -> Sending<'a> {
    |ctx, input| Box::pin(send::<O>(ctx, input))
}

/// Parses, validates (exit 2, nothing sent), sends with the client's retry policy, prints.
async fn send<O: Operation>(ctx: &mut Ctx, input: Map<String, Value>) -> CliResult<ExitCode> {
    let request: O = parse(&input)?;
    // Fields are named as in the input, not as the task commands' flags.
    validate(
        &ctx.ui,
        &request,
        &[("limit", "limit"), ("offset", "offset")],
    )?;
    let client = ctx.client().await?;
    let response = client
        .send(&request)
        .await
        .map_err(|e| ctx.client_error(&e))?;
    // Always JSON: compact for ndjson, else pretty.
    let format = match ctx.output_format() {
        OutputFormat::Ndjson => OutputFormat::Ndjson,
        _ => OutputFormat::Json,
    };
    let mut out = Output::new(format, None, None, ctx.ui.clone());
    out.object(&response)?;
    out.flush()?;
    Ok(ExitCode::Success)
}

/// The operation named by its reference name (`ShowTtsJob`) or SDK method (`show_tts_job`).
fn find(name: &str) -> CliResult<&'static OperationInfo> {
    TTS_OPERATIONS
        .iter()
        .copied()
        .find(|op| op.name == name || snake_case(op.name) == name)
        .ok_or_else(|| {
            CliError::usage(format!("unknown operation {name:?}"))
                .hint("`ttsc api --list` lists every operation")
        })
}

/// `ShowTtsJob` → `show_tts_job`, `X-App-UserId` → `x_app_user_id`: the official SDK's names.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' {
            out.push('_');
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// The input key of a parameter: its name for path and query, snake case for headers.
fn input_key(p: &ParamInfo) -> String {
    match p.location {
        ParamLocation::Header => snake_case(p.name),
        ParamLocation::Path | ParamLocation::Query => p.name.to_owned(),
    }
}

/// The parameters the input may set: not authentication, not the project id (the client's).
fn settable(info: &OperationInfo) -> impl Iterator<Item = &'static ParamInfo> {
    info.params
        .iter()
        .filter(|p| !(p.auth || p.location == ParamLocation::Path && p.name == "project_id"))
}

/// Every key the input of `info` may have, in documented order.
pub fn input_keys(info: &OperationInfo) -> Vec<String> {
    let mut keys: Vec<String> = settable(info).map(input_key).collect();
    if info.body.is_some() {
        keys.push("body".to_owned());
    }
    keys
}

/// Turns the input into the typed request through the generated wire parser.
fn parse<O: Operation>(input: &Map<String, Value>) -> CliResult<O> {
    let info = O::INFO;
    let keys = input_keys(info);
    let unknown: Vec<String> = input
        .keys()
        .filter(|k| !keys.contains(k))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(unknown_keys(info.name, &unknown, &keys));
    }
    let mut path_params = Vec::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for p in settable(info) {
        let key = input_key(p);
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let invalid = || {
            CliError::usage(format!(
                "invalid value for {key} (expected a string, number or boolean{})",
                if p.location == ParamLocation::Query {
                    ", or a list of them"
                } else {
                    ""
                }
            ))
        };
        let values = match input.get(&key) {
            None | Some(Value::Null) => continue,
            // A list query parameter goes out once per element, as the official SDK sends it.
            Some(Value::Array(items)) if p.location == ParamLocation::Query => items
                .iter()
                .map(|v| scalar(v).ok_or_else(invalid))
                .collect::<CliResult<Vec<String>>>()?,
            Some(v) => vec![scalar(v).ok_or_else(invalid)?],
        };
        for value in values {
            match p.location {
                ParamLocation::Path => path_params.push((p.name, value)),
                ParamLocation::Query => query.push((p.name.to_owned(), value)),
                ParamLocation::Header => headers.push((p.name.to_owned(), value)),
            }
        }
    }
    let body_in = input.get("body").filter(|b| !b.is_null());
    // Typed here first, so that a value of the wrong type is named by its path.
    let typed_body: Option<O::Body> = body_in.map(|b| input_json::typed(b, "body")).transpose()?;
    let body = match body_in {
        Some(b) => serde_json::to_vec(b).map_err(|e| CliError::usage(e.to_string()))?,
        None => Vec::new(),
    };
    let wire = WireRequest {
        path_params: &path_params,
        query: &query,
        headers: &headers,
        body: &body,
    };
    let request = O::from_wire(&wire).map_err(|e| crate::error::validation(&e, &[]))?;
    // Fields the body type does not have would be dropped silently: refuse them instead.
    if let (Some(given), Some(parsed)) = (body_in, typed_body) {
        let extra = input_json::unknown_keys(given, &parsed, "body")?;
        if !extra.is_empty() {
            let top: Vec<String> = info
                .body_fields
                .iter()
                .map(|f| format!("body.{f}"))
                .collect();
            return Err(unknown_keys(info.name, &extra, &top));
        }
    }
    Ok(request)
}

fn unknown_keys(op: &str, unknown: &[String], valid: &[String]) -> CliError {
    CliError::usage(format!(
        "unknown key{} {} in the input of {op}",
        if unknown.len() == 1 { "" } else { "s" },
        unknown.join(", ")
    ))
    .hint(format!(
        "valid keys: {}",
        if valid.is_empty() {
            "none (this operation takes no input)".to_owned()
        } else {
            valid.join(", ")
        }
    ))
}

/// One line of `ttsc api --list`.
#[derive(Debug, Serialize)]
struct Listed {
    operation: &'static str,
    sdk_method: String,
    method: &'static str,
    path: &'static str,
    input_keys: Vec<String>,
    summary: &'static str,
}

impl Record for Listed {
    const COLUMNS: &'static [&'static str] = &["operation", "sdk_method", "method", "path"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.operation.to_owned(),
            self.sdk_method.clone(),
            self.method.to_owned(),
            self.path.to_owned(),
        ]
    }
}

/// `ttsc api --list`: every operation with its method, path and input keys.
fn list(ctx: &Ctx) -> CliResult<ExitCode> {
    let rows: Vec<Listed> = TTS_OPERATIONS
        .iter()
        .map(|op| Listed {
            operation: op.name,
            sdk_method: snake_case(op.name),
            method: op.method.as_str(),
            path: op.path,
            input_keys: input_keys(op),
            summary: op.summary,
        })
        .collect();
    ctx.print_records(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_sdks() {
        assert_eq!(snake_case("ShowTtsJob"), "show_tts_job");
        assert_eq!(
            snake_case("CreateTtscVocabularyConfigs"),
            "create_ttsc_vocabulary_configs"
        );
        assert_eq!(snake_case("X-App-UserId"), "x_app_user_id");
        assert_eq!(snake_case("X-Request-Id"), "x_request_id");
    }
}
