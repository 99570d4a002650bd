//! `--input-json FILE|-`: a JSON object read from a file or standard input, and typed with
//! errors that name the field's path (`body.callback_config.callback_url: invalid type …`)
//! and keys the type does not have.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use ttsc_models::OperationInfo;

use crate::error::{CliError, CliResult};

/// The largest input read (the gateway refuses bodies over 12 MB).
const MAX_INPUT: u64 = 16 << 20;

/// Reads the JSON object at `path` (`-` is standard input).
pub fn read(path: &Path) -> CliResult<Map<String, Value>> {
    let what = format!("--input-json {}", path.display());
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT + 1)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_string(&mut text))
    };
    read.map_err(|e| CliError::usage(format!("cannot read {what}")).cause(e.to_string()))?;
    if text.len() as u64 > MAX_INPUT {
        return Err(CliError::usage(format!(
            "{what} is larger than {MAX_INPUT} bytes"
        )));
    }
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::usage(format!("{what} is not a JSON object"))),
        Err(e) => Err(CliError::usage(format!("{what} is not valid JSON")).cause(e.to_string())),
    }
}

/// The request body of the operation `info` read from `path`, with placeholders (`""`) for
/// the `required` fields it leaves out (flags fill them, or the command reports them
/// missing); a key the body does not have is a usage error that lists the ones it has.
pub fn body<B: DeserializeOwned + Serialize>(
    path: &Path,
    required: &[&str],
    info: &OperationInfo,
) -> CliResult<B> {
    let mut input = read(path)?;
    for field in required {
        input
            .entry(*field)
            .or_insert_with(|| Value::String(String::new()));
    }
    let input = Value::Object(input);
    let body: B = typed(&input, "")?;
    let extra = unknown_keys(&input, &body, "")?;
    if !extra.is_empty() {
        return Err(CliError::usage(format!(
            "unknown key{} {} in --input-json",
            if extra.len() == 1 { "" } else { "s" },
            extra.join(", ")
        ))
        .hint(format!(
            "the keys are {}'s body fields: {}",
            info.name,
            info.body_fields.join(", ")
        )));
    }
    Ok(body)
}

/// `value` as a `T`: a value of the wrong type is a usage error naming its path under `at`
/// (`body.speed: invalid type: string "fast", expected an integer`).
pub fn typed<T: DeserializeOwned>(value: &Value, at: &str) -> CliResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = match (at, path.as_str()) {
            (_, ".") => at.to_owned(),
            ("", p) => p.to_owned(),
            (a, p) => format!("{a}.{p}"),
        };
        CliError::usage(format!(
            "invalid --input-json: {field}: {}",
            plain_types(&e.into_inner().to_string())
        ))
    })
}

/// The keys of `given` that `typed` (parsed from it) does not have, dotted under `at`: they
/// would otherwise be dropped without a word.
pub fn unknown_keys<T: Serialize>(given: &Value, typed: &T, at: &str) -> CliResult<Vec<String>> {
    let parsed = serde_json::to_value(typed).map_err(|e| CliError::usage(e.to_string()))?;
    let mut extra = Vec::new();
    extra_keys(given, &parsed, at, &mut extra);
    Ok(extra)
}

/// Serde's Rust type names in words: `expected i32` → `expected an integer`.
fn plain_types(message: &str) -> String {
    let mut out = message.to_owned();
    for rust in ["i64", "i32", "u64", "u32", "u16", "u8"] {
        out = out.replace(&format!("expected {rust}"), "expected an integer");
    }
    out
}

/// Keys of `given` (non-null) that did not survive parsing into `parsed`, dotted under `at`.
fn extra_keys(given: &Value, parsed: &Value, at: &str, out: &mut Vec<String>) {
    match (given, parsed) {
        (Value::Object(g), Value::Object(p)) => {
            for (k, v) in g {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match p.get(k) {
                    None if !v.is_null() => out.push(path),
                    None => {}
                    Some(pv) => extra_keys(v, pv, &path, out),
                }
            }
        }
        (Value::Array(g), Value::Array(p)) => {
            for (i, (gv, pv)) in g.iter().zip(p).enumerate() {
                extra_keys(gv, pv, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttsc_models::{
        CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, CreateTtsAuditionRequest,
        CreateTtsAuditionRequestBody, Operation as _,
    };

    #[test]
    fn a_body_gets_placeholders_for_required_fields_and_refuses_unknown_keys() {
        let path = std::env::temp_dir().join(format!("ttsc-input-json-{}", std::process::id()));
        std::fs::write(&path, r#"{"speed": 120}"#).unwrap();
        let audition: CreateTtsAuditionRequestBody =
            body(&path, &["text", "emotion"], CreateTtsAuditionRequest::INFO).unwrap();
        assert_eq!(
            (audition.text.as_str(), audition.emotion.as_str()),
            ("", "")
        );
        assert_eq!(audition.speed, Some(120));
        std::fs::write(&path, r#"{"text": "a", "sped": 1, "voice": "v"}"#).unwrap();
        let e = body::<CreateAsyncTtsJobRequestBody>(
            &path,
            &["text", "voice_asset_id"],
            CreateAsyncTtsJobRequest::INFO,
        )
        .unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(e.message, "unknown keys sped, voice in --input-json");
        assert!(
            e.hints[0].starts_with("the keys are CreateAsyncTtsJob's body fields: text, "),
            "{:?}",
            e.hints
        );
    }

    #[test]
    fn extra_body_keys_are_found_at_any_depth() {
        let given = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": null, "f": [{"g": 1}]});
        let parsed = serde_json::json!({"a": 1, "b": {"c": 2}, "f": [{}]});
        let mut out = Vec::new();
        extra_keys(&given, &parsed, "body", &mut out);
        assert_eq!(out, ["body.b.d", "body.f[0].g"]);
    }

    #[test]
    fn type_errors_name_the_field_path() {
        let bad = serde_json::json!({"text": "a", "voice_asset_id": "v", "speed": "fast"});
        let e = typed::<CreateAsyncTtsJobRequestBody>(&bad, "body").unwrap_err();
        assert_eq!(
            e.message,
            "invalid --input-json: body.speed: invalid type: string \"fast\", expected an integer"
        );
        let bad = serde_json::json!({"text": "a", "voice_asset_id": "v", "callback_config": {"callback_url": 5}});
        let e = typed::<CreateAsyncTtsJobRequestBody>(&bad, "").unwrap_err();
        assert!(
            e.message
                .starts_with("invalid --input-json: callback_config.callback_url: invalid type"),
            "{}",
            e.message
        );
        let extra = serde_json::json!({"text": "a", "voice_asset_id": "v", "sped": 1});
        let body = typed::<CreateAsyncTtsJobRequestBody>(&extra, "body").unwrap();
        assert_eq!(unknown_keys(&extra, &body, "body").unwrap(), ["body.sped"]);
    }
}
