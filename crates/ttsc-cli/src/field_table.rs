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
use crate::error::FlagNames;

/// The task commands' ways to set a field: (operation, command, and for each field path the
/// flag or the value name of a positional argument that sets it). An empty command is a
/// global option. The commands' own tables (which flag names a field in an error) come
/// first, then the other ways.
const SET_BY: &[(&str, &str, FlagNames<'static>)] = &[
    (
        "*",
        "",
        &[
            ("project_id", "--project-id"),
            ("X-App-UserId", "--app-user-id"),
        ],
    ),
    ("CreateAsyncTtsJob", "synth", crate::commands::synth::FLAGS),
    (
        "CreateAsyncTtsJob",
        "synth",
        &[
            ("text", "--text-file"),
            ("need_timestamp", "--timestamps"),
            ("callback_config", "--callback-url"),
            ("gen_srt", "--srt"),
            ("is_vocabulary_config_enable", "--no-vocabulary"),
        ],
    ),
    ("ShowAsyncTtsJob", "jobs get", &[("job_id", "ID")]),
    ("ShowAsyncTtsJob", "jobs wait", &[("job_id", "ID")]),
    ("ShowAsyncTtsJob", "jobs download", &[("job_id", "ID")]),
    (
        "CreateTtsAudition",
        "audition create",
        crate::commands::jobs::AUDITION_FLAGS,
    ),
    (
        "CreateTtsAudition",
        "audition create",
        &[("is_vocabulary_config_enable", "--no-vocabulary")],
    ),
    ("ShowTtsAuditionFile", "audition get", &[("job_id", "ID")]),
    ("ShowTtsAuditionFile", "audition wait", &[("job_id", "ID")]),
    (
        "ShowTtsAuditionFile",
        "audition download",
        &[("job_id", "ID")],
    ),
    (
        "ShowTtsJob",
        "jobs list",
        &[
            ("limit", "--limit"),
            ("offset", "--offset"),
            ("create_since", "--since"),
            ("create_until", "--until"),
            ("job_id", "--job-id"),
            ("job_type", "--type"),
            ("tts_service_enum", "--service"),
            ("business_type", "--business-type"),
        ],
    ),
    (
        "ShowTtsPhoneticSymbol",
        "phonetic",
        &[
            ("offset", "--offset"),
            ("limit", "--limit"),
            ("word", "WORD"),
        ],
    ),
    (
        "CheckVoiceAsset",
        "voice check",
        &[("voice_asset_id", "ID")],
    ),
    (
        "CreateTtscVocabularyConfigs",
        "vocab create",
        &[
            ("type", "--type"),
            ("key", "--key"),
            ("value", "--value"),
            ("group_id", "--group-id"),
        ],
    ),
    (
        "ListTtscVocabularyConfigs",
        "vocab list",
        &[
            ("type", "--type"),
            ("tts_service_name", "--service"),
            ("is_vocabulary_config_enable", "--vocabulary-enable"),
            ("group_id", "--group-id"),
            ("asset_id", "--asset-id"),
            ("limit", "--limit"),
            ("offset", "--offset"),
            ("start_time", "--since"),
            ("end_time", "--until"),
            ("search_key", "--search"),
        ],
    ),
    (
        "DeleteTtscVocabularyConfigs",
        "vocab delete",
        &[("offset", "--offset"), ("limit", "--limit"), ("id", "ID")],
    ),
    (
        "SaveTtscVocabularyConfigs",
        "vocab update",
        &[
            ("vocabulary_id", "ID"),
            ("type", "--type"),
            ("key", "--key"),
            ("value", "--value"),
            ("group_id", "--group-id"),
        ],
    ),
    // Vocabulary groups
    (
        "CreateTtscVocabularyGroups",
        "vocab-group create",
        &[("group_name", "NAME")],
    ),
    (
        "ListTtscVocabularyGroups",
        "vocab-group list",
        &[
            ("limit", "--limit"),
            ("offset", "--offset"),
            ("group_id", "--group-id"),
        ],
    ),
    (
        "UpdateTtscVocabularyGroups",
        "vocab-group update",
        &[("group_id", "ID"), ("group_name", "NAME")],
    ),
    (
        "DeleteTtscVocabularyGroups",
        "vocab-group delete",
        &[
            ("group_id", "ID"),
            ("offset", "--offset"),
            ("limit", "--limit"),
        ],
    ),
    (
        "SetTtscGroupAssets",
        "vocab-group set-assets",
        &[("group_id", "ID"), ("asset_ids", "ASSET_ID")],
    ),
    // Tenant configs
    (
        "SaveTtscTenantConfigs",
        "tenant-config set",
        &[("id", "--id"), ("key", "KEY"), ("value", "VALUE")],
    ),
    (
        "ShowVocabularySwitchConfigs",
        "tenant-config get",
        &[
            ("offset", "--offset"),
            ("limit", "--limit"),
            ("key", "--key"),
        ],
    ),
    // The asset library (voices)
    (
        "ListAssets",
        "voice list",
        &[
            ("limit", "--limit"),
            ("offset", "--offset"),
            ("name", "--name"),
            ("asset_source", "--source"),
            ("sex", "--sex"),
            ("language", "--language"),
            ("voice_provider", "--provider"),
            ("is_realtime_voice", "--realtime"),
        ],
    ),
    ("ShowAsset", "voice show", &[("asset_id", "VOICE")]),
    ("ShowAsset", "voice sample", &[("asset_id", "VOICE")]),
];

/// [`SET_BY`] a row a way: (operation, field path, command, flag).
fn set_by_rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    SET_BY.iter().flat_map(|&(op, cmd, fields)| {
        fields
            .iter()
            .map(move |&(field, flag)| (op, field, cmd, flag))
    })
}

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
    let mut ways: Vec<String> = set_by_rows()
        .filter(|(o, f, _, _)| (*o == op.name || *o == "*") && *f == field.path)
        .map(|(_, _, cmd, flag)| match cmd {
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
        if crate::manifest::is_field(top) {
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
    for (op, field, cmd, flag) in set_by_rows() {
        assert!(has(&root, cmd, flag), "`ttsc {cmd}` has no {flag}");
        let documented = TTS_OPERATIONS
            .iter()
            .filter(|o| op == "*" || o.name == op)
            .any(|o| fields_of(&doc, o).iter().any(|f| f.path == field));
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
