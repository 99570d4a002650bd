//! The table of request fields in docs/cli.md: every field of every operation in the
//! catalogue (nested body fields from the API description), and what sets it. The field
//! column is generated, so it cannot drift from the catalogue; the flags come from
//! [`SET_BY`] and are checked against the clap command. `TTSC_UPDATE_SNAPSHOTS=1` rewrites
//! the table in docs/cli.md.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;
use ttsc_models::{OperationInfo, ParamLocation, TTS_OPERATIONS};

use crate::commands::api::snake_case;

/// The task commands' ways to set a field: (operation, field path, command, flag, or the
/// value name of a positional argument). An empty command is a global option.
const SET_BY: &[(&str, &str, &str, &str)] = &[
    ("*", "project_id", "", "--project-id"),
    ("*", "X-App-UserId", "", "--app-user-id"),
    // CreateAsyncTtsJob
    ("CreateAsyncTtsJob", "text", "synth", "TEXT"),
    ("CreateAsyncTtsJob", "text", "synth", "--text-file"),
    ("CreateAsyncTtsJob", "tts_text", "synth", "--ssml"),
    ("CreateAsyncTtsJob", "voice_asset_id", "synth", "--voice"),
    ("CreateAsyncTtsJob", "speed", "synth", "--speed"),
    ("CreateAsyncTtsJob", "pitch", "synth", "--pitch"),
    ("CreateAsyncTtsJob", "volume", "synth", "--volume"),
    ("CreateAsyncTtsJob", "audio_format", "synth", "--format"),
    (
        "CreateAsyncTtsJob",
        "need_timestamp",
        "synth",
        "--need-timestamp",
    ),
    (
        "CreateAsyncTtsJob",
        "need_timestamp",
        "synth",
        "--timestamps",
    ),
    ("CreateAsyncTtsJob", "silence_flag", "synth", "--silence-ms"),
    (
        "CreateAsyncTtsJob",
        "silence_time_ms",
        "synth",
        "--silence-ms",
    ),
    (
        "CreateAsyncTtsJob",
        "callback_config",
        "synth",
        "--callback-url",
    ),
    (
        "CreateAsyncTtsJob",
        "callback_config.callback_url",
        "synth",
        "--callback-url",
    ),
    ("CreateAsyncTtsJob", "gen_srt", "synth", "--gen-srt"),
    ("CreateAsyncTtsJob", "gen_srt", "synth", "--srt"),
    ("CreateAsyncTtsJob", "srt_len", "synth", "--srt-len"),
    (
        "CreateAsyncTtsJob",
        "srt_line_limit",
        "synth",
        "--srt-line-limit",
    ),
    (
        "CreateAsyncTtsJob",
        "slice_segments",
        "synth",
        "--slice-segments",
    ),
    ("CreateAsyncTtsJob", "channels", "synth", "--channels"),
    (
        "CreateAsyncTtsJob",
        "output_external_url",
        "synth",
        "--output-external-url",
    ),
    (
        "CreateAsyncTtsJob",
        "srt_output_external_url",
        "synth",
        "--srt-output-external-url",
    ),
    (
        "CreateAsyncTtsJob",
        "action_output_external_url",
        "synth",
        "--action-output-external-url",
    ),
    (
        "CreateAsyncTtsJob",
        "is_vocabulary_config_enable",
        "synth",
        "--vocabulary",
    ),
    (
        "CreateAsyncTtsJob",
        "is_vocabulary_config_enable",
        "synth",
        "--no-vocabulary",
    ),
    (
        "CreateAsyncTtsJob",
        "is_concurrent_resource",
        "synth",
        "--concurrent-resource",
    ),
    ("CreateAsyncTtsJob", "priority", "synth", "--priority"),
    // ShowAsyncTtsJob
    ("ShowAsyncTtsJob", "job_id", "jobs get", "ID"),
    ("ShowAsyncTtsJob", "job_id", "jobs wait", "ID"),
    ("ShowAsyncTtsJob", "job_id", "jobs download", "ID"),
    // CreateTtsAudition
    ("CreateTtsAudition", "text", "audition create", "TEXT"),
    ("CreateTtsAudition", "tts_text", "audition create", "--ssml"),
    ("CreateTtsAudition", "emotion", "audition create", "--voice"),
    ("CreateTtsAudition", "speed", "audition create", "--speed"),
    ("CreateTtsAudition", "pitch", "audition create", "--pitch"),
    ("CreateTtsAudition", "volume", "audition create", "--volume"),
    (
        "CreateTtsAudition",
        "business_type",
        "audition create",
        "--business-type",
    ),
    ("CreateTtsAudition", "style", "audition create", "--style"),
    (
        "CreateTtsAudition",
        "channels",
        "audition create",
        "--channels",
    ),
    (
        "CreateTtsAudition",
        "is_vocabulary_config_enable",
        "audition create",
        "--vocabulary",
    ),
    (
        "CreateTtsAudition",
        "is_vocabulary_config_enable",
        "audition create",
        "--no-vocabulary",
    ),
    // ShowTtsAuditionFile
    ("ShowTtsAuditionFile", "job_id", "audition get", "ID"),
    ("ShowTtsAuditionFile", "job_id", "audition wait", "ID"),
    ("ShowTtsAuditionFile", "job_id", "audition download", "ID"),
    // ShowTtsJob
    ("ShowTtsJob", "limit", "jobs list", "--limit"),
    ("ShowTtsJob", "offset", "jobs list", "--offset"),
    ("ShowTtsJob", "create_since", "jobs list", "--since"),
    ("ShowTtsJob", "create_until", "jobs list", "--until"),
    ("ShowTtsJob", "job_id", "jobs list", "--job-id"),
    ("ShowTtsJob", "job_type", "jobs list", "--type"),
    ("ShowTtsJob", "tts_service_enum", "jobs list", "--service"),
    (
        "ShowTtsJob",
        "business_type",
        "jobs list",
        "--business-type",
    ),
    // ShowTtsPhoneticSymbol
    ("ShowTtsPhoneticSymbol", "offset", "phonetic", "--offset"),
    ("ShowTtsPhoneticSymbol", "limit", "phonetic", "--limit"),
    ("ShowTtsPhoneticSymbol", "word", "phonetic", "WORD"),
    // CheckVoiceAsset
    ("CheckVoiceAsset", "voice_asset_id", "voice check", "ID"),
    // CreateTtscVocabularyConfigs
    (
        "CreateTtscVocabularyConfigs",
        "type",
        "vocab create",
        "--type",
    ),
    (
        "CreateTtscVocabularyConfigs",
        "key",
        "vocab create",
        "--key",
    ),
    (
        "CreateTtscVocabularyConfigs",
        "value",
        "vocab create",
        "--value",
    ),
    (
        "CreateTtscVocabularyConfigs",
        "group_id",
        "vocab create",
        "--group-id",
    ),
    // ListTtscVocabularyConfigs
    ("ListTtscVocabularyConfigs", "type", "vocab list", "--type"),
    (
        "ListTtscVocabularyConfigs",
        "tts_service_name",
        "vocab list",
        "--service",
    ),
    (
        "ListTtscVocabularyConfigs",
        "is_vocabulary_config_enable",
        "vocab list",
        "--vocabulary-enable",
    ),
    (
        "ListTtscVocabularyConfigs",
        "group_id",
        "vocab list",
        "--group-id",
    ),
    (
        "ListTtscVocabularyConfigs",
        "asset_id",
        "vocab list",
        "--asset-id",
    ),
    (
        "ListTtscVocabularyConfigs",
        "limit",
        "vocab list",
        "--limit",
    ),
    (
        "ListTtscVocabularyConfigs",
        "offset",
        "vocab list",
        "--offset",
    ),
    (
        "ListTtscVocabularyConfigs",
        "start_time",
        "vocab list",
        "--since",
    ),
    (
        "ListTtscVocabularyConfigs",
        "end_time",
        "vocab list",
        "--until",
    ),
    (
        "ListTtscVocabularyConfigs",
        "search_key",
        "vocab list",
        "--search",
    ),
    // DeleteTtscVocabularyConfigs
    (
        "DeleteTtscVocabularyConfigs",
        "offset",
        "vocab delete",
        "--offset",
    ),
    (
        "DeleteTtscVocabularyConfigs",
        "limit",
        "vocab delete",
        "--limit",
    ),
    ("DeleteTtscVocabularyConfigs", "id", "vocab delete", "ID"),
    // SaveTtscVocabularyConfigs
    (
        "SaveTtscVocabularyConfigs",
        "vocabulary_id",
        "vocab update",
        "ID",
    ),
    (
        "SaveTtscVocabularyConfigs",
        "type",
        "vocab update",
        "--type",
    ),
    ("SaveTtscVocabularyConfigs", "key", "vocab update", "--key"),
    (
        "SaveTtscVocabularyConfigs",
        "value",
        "vocab update",
        "--value",
    ),
    (
        "SaveTtscVocabularyConfigs",
        "group_id",
        "vocab update",
        "--group-id",
    ),
    // Vocabulary groups
    (
        "CreateTtscVocabularyGroups",
        "group_name",
        "vocab-group create",
        "NAME",
    ),
    (
        "ListTtscVocabularyGroups",
        "limit",
        "vocab-group list",
        "--limit",
    ),
    (
        "ListTtscVocabularyGroups",
        "offset",
        "vocab-group list",
        "--offset",
    ),
    (
        "ListTtscVocabularyGroups",
        "group_id",
        "vocab-group list",
        "--group-id",
    ),
    (
        "UpdateTtscVocabularyGroups",
        "group_id",
        "vocab-group update",
        "ID",
    ),
    (
        "UpdateTtscVocabularyGroups",
        "group_name",
        "vocab-group update",
        "NAME",
    ),
    (
        "DeleteTtscVocabularyGroups",
        "group_id",
        "vocab-group delete",
        "ID",
    ),
    (
        "DeleteTtscVocabularyGroups",
        "offset",
        "vocab-group delete",
        "--offset",
    ),
    (
        "DeleteTtscVocabularyGroups",
        "limit",
        "vocab-group delete",
        "--limit",
    ),
    (
        "SetTtscGroupAssets",
        "group_id",
        "vocab-group set-assets",
        "ID",
    ),
    (
        "SetTtscGroupAssets",
        "asset_ids",
        "vocab-group set-assets",
        "ASSET_ID",
    ),
    // Tenant configs
    ("SaveTtscTenantConfigs", "id", "tenant-config set", "--id"),
    ("SaveTtscTenantConfigs", "key", "tenant-config set", "KEY"),
    (
        "SaveTtscTenantConfigs",
        "value",
        "tenant-config set",
        "VALUE",
    ),
    (
        "ShowVocabularySwitchConfigs",
        "offset",
        "tenant-config get",
        "--offset",
    ),
    (
        "ShowVocabularySwitchConfigs",
        "limit",
        "tenant-config get",
        "--limit",
    ),
    (
        "ShowVocabularySwitchConfigs",
        "key",
        "tenant-config get",
        "--key",
    ),
    // The asset library (voices)
    ("ListAssets", "limit", "voice list", "--limit"),
    ("ListAssets", "offset", "voice list", "--offset"),
    ("ListAssets", "name", "voice list", "--name"),
    ("ListAssets", "asset_source", "voice list", "--source"),
    ("ListAssets", "sex", "voice list", "--sex"),
    ("ListAssets", "language", "voice list", "--language"),
    ("ListAssets", "voice_provider", "voice list", "--provider"),
    (
        "ListAssets",
        "is_realtime_voice",
        "voice list",
        "--realtime",
    ),
    ("ShowAsset", "asset_id", "voice show", "VOICE"),
    ("ShowAsset", "asset_id", "voice sample", "VOICE"),
];

/// Manifest keys of `batch` that are not the wire name of the field they set.
const MANIFEST_ALIASES: &[(&str, &str)] = &[
    ("voice_asset_id", "voice"),
    ("audio_format", "format"),
    ("gen_srt", "srt"),
    ("need_timestamp", "timestamps"),
];

/// Where the table sits in docs/cli.md.
const BEGIN: &str = "<!-- request-fields:begin (generated: TTSC_UPDATE_SNAPSHOTS=1 cargo test -p ttsc-cli field_table) -->\n";
const END: &str = "<!-- request-fields:end -->\n";

/// One row: a field of an operation.
struct Field {
    path: String,
    location: &'static str,
    /// The key of `ttsc api OPERATION --input-json`.
    api_key: String,
}

fn api_description() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/ttsc.openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the API description"))
        .expect("JSON")
}

/// `value`, or the schema its `$ref` names.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} resolves")),
        None => value,
    }
}

/// The body's field paths, nested objects' fields included (`callback_config.callback_url`),
/// and fields of objects in arrays as `list[].field`.
fn body_fields(doc: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let path = format!("{prefix}{name}");
        out.push(path.clone());
        let prop = resolve(doc, prop);
        if prop.get("properties").is_some() {
            body_fields(doc, prop, &format!("{path}."), out);
        } else if let Some(items) = prop.get("items") {
            body_fields(doc, items, &format!("{path}[]."), out);
        }
    }
}

/// Every request field of `op`: parameters (not authentication) in documented order, then
/// the body's fields.
fn fields_of(doc: &Value, op: &OperationInfo) -> Vec<Field> {
    let mut out: Vec<Field> = op
        .params
        .iter()
        .filter(|p| !p.auth)
        .map(|p| {
            let (location, api_key) = match p.location {
                ParamLocation::Path if p.name == "project_id" => ("path", String::new()),
                ParamLocation::Path => ("path", p.name.to_owned()),
                ParamLocation::Query => ("query", p.name.to_owned()),
                ParamLocation::Header => ("header", snake_case(p.name)),
            };
            Field {
                path: p.name.to_owned(),
                location,
                api_key,
            }
        })
        .collect();
    if op.body.is_some() {
        let operation = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .find(|o| o.get("operationId").and_then(Value::as_str) == Some(op.name))
            .expect("the operation is described");
        let schema =
            &resolve(doc, &operation["requestBody"])["content"]["application/json"]["schema"];
        let mut paths = Vec::new();
        body_fields(doc, schema, "", &mut paths);
        let top: Vec<&str> = paths
            .iter()
            .map(String::as_str)
            .filter(|p| !p.contains('.'))
            .collect();
        assert_eq!(
            top, op.body_fields,
            "{}: the catalogue's body fields",
            op.name
        );
        out.extend(paths.into_iter().map(|path| Field {
            api_key: format!("body.{path}"),
            path,
            location: "body",
        }));
    }
    out
}

/// What sets `field` of `op`, as the table's cell.
fn set_by(op: &OperationInfo, field: &Field) -> String {
    let mut ways: Vec<String> = SET_BY
        .iter()
        .filter(|(o, f, _, _)| (*o == op.name || *o == "*") && *f == field.path)
        .map(|(_, _, cmd, flag)| match *cmd {
            "" => format!("`{flag}`"),
            cmd => format!("`ttsc {cmd} {flag}`"),
        })
        .collect();
    let top = field.path.split('.').next().unwrap_or_default();
    let input_json = match op.name {
        "CreateAsyncTtsJob" => Some("synth"),
        "CreateTtsAudition" => Some("audition create"),
        _ => None,
    };
    if let (Some(cmd), "body") = (input_json, field.location) {
        ways.push(format!("`ttsc {cmd} --input-json` key `{}`", field.path));
    }
    if op.name == "CreateAsyncTtsJob" && field.location == "body" {
        let mut keys: Vec<&str> = MANIFEST_ALIASES
            .iter()
            .filter(|(wire, _)| *wire == top)
            .map(|(_, key)| *key)
            .collect();
        if crate::manifest::FIELDS.contains(&top) {
            keys.push(top);
        }
        let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        ways.push(format!("`ttsc batch` key {}", keys.join(" or ")));
    }
    if !field.api_key.is_empty() {
        ways.push(format!(
            "`ttsc api {} --input-json` key `{}`",
            op.name, field.api_key
        ));
    }
    ways.join(", ")
}

/// The generated table.
fn table() -> String {
    let doc = api_description();
    let mut out = String::from("| Operation | Field | In | Set by |\n| --- | --- | --- | --- |\n");
    for op in TTS_OPERATIONS {
        for field in fields_of(&doc, op) {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                op.name,
                field.path,
                field.location,
                set_by(op, &field)
            );
        }
    }
    out
}

/// Whether `command` (words after `ttsc`) has the option `--flag` or a positional argument
/// named `flag`; global options count for every command.
fn has(root: &clap::Command, command: &str, flag: &str) -> bool {
    let mut cmd = root;
    for word in command.split_whitespace() {
        match cmd.find_subcommand(word) {
            Some(sub) => cmd = sub,
            None => return false,
        }
    }
    let matches = |a: &clap::Arg| match flag.strip_prefix("--") {
        Some(long) => a.get_long() == Some(long),
        None => {
            a.is_positional()
                && a.get_value_names()
                    .is_some_and(|names| names.iter().any(|n| n.as_str() == flag))
        }
    };
    cmd.get_arguments().any(matches)
        || root
            .get_arguments()
            .any(|a| a.is_global_set() && matches(a))
}

#[test]
fn every_flag_in_the_table_exists_and_names_a_documented_field() {
    let root = crate::cli::command();
    let doc = api_description();
    for (op, field, cmd, flag) in SET_BY {
        assert!(has(&root, cmd, flag), "`ttsc {cmd}` has no {flag}");
        let documented = TTS_OPERATIONS
            .iter()
            .filter(|o| *op == "*" || o.name == *op)
            .any(|o| fields_of(&doc, o).iter().any(|f| f.path == *field));
        assert!(documented, "{op} has no field {field}");
    }
}

#[test]
fn the_request_field_table_in_docs_cli_md_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let text = std::fs::read_to_string(&path).expect("docs/cli.md");
    let (start, end) = match (text.find(BEGIN), text.find(END)) {
        (Some(s), Some(e)) if s < e => (s + BEGIN.len(), e),
        _ => panic!("docs/cli.md has no {BEGIN:?} … {END:?} section"),
    };
    let want = table();
    if text[start..end] != want {
        if std::env::var_os("TTSC_UPDATE_SNAPSHOTS").is_some() {
            let updated = format!("{}{want}{}", &text[..start], &text[end..]);
            std::fs::write(&path, updated).expect("write docs/cli.md");
        } else {
            panic!(
                "the request-field table in docs/cli.md is out of date (TTSC_UPDATE_SNAPSHOTS=1 rewrites it)"
            );
        }
    }
    // Every field of every operation has a row, and every row says what sets it.
    let rows = want.lines().skip(2).count();
    let doc = api_description();
    let fields: usize = TTS_OPERATIONS
        .iter()
        .map(|op| fields_of(&doc, op).len())
        .sum();
    assert_eq!(rows, fields);
    assert!(want.lines().skip(2).all(|row| !row.ends_with("|  |")));
}
