//! Batch manifests: JSON Lines or CSV, read and validated whole before anything is sent.
//!
//! Each record describes one output: `id` (names the output file: 1 to 128 of `A-Z a-z 0-9
//! . _ -`, not starting with `.`, unique), `text`, `voice` (or `voice_asset_id`), and
//! optionally `format` (or `audio_format`: `wav`, `mp3`), `srt` and `timestamps` (booleans:
//! also write `ID.srt` / `ID.timestamps.json`), and any other field of CreateAsyncTtsJob's
//! body by its wire name (`speed`, `priority`, `tts_text`, `gen_srt`, `callback_config`, …;
//! in CSV, `callback_config` is a cell holding a JSON object). JSON Lines: one object per
//! line, blank lines and lines starting with `#` skipped; a key given twice is an error.
//! CSV: RFC 4180 with a header naming each field once; empty cells are absent; text after a
//! field's closing quote (`"a"x`) is an error. The format follows the extension (`.csv`;
//! `.jsonl`, `.ndjson`, `.json`), else the first character (`{` for JSON Lines).

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;
use ttsc_client::split::{DEFAULT_MAX_PART_CHARS, split_text};
use ttsc_models::{
    AudioFormat, CreateAsyncTtsJobRequest, CreateAsyncTtsJobRequestBody, Operation,
    TtsCallBackConfig,
};

use crate::error::{CliError, CliResult, describe_violation};

/// ttsc's own fields of a manifest record; the others are CreateAsyncTtsJob's body fields
/// by their wire names.
const OWN_FIELDS: &[&str] = &["id", "text", "voice", "format", "srt", "timestamps"];

/// The fields a manifest record may have: ttsc's own, then the body's wire names.
pub fn record_fields() -> impl Iterator<Item = &'static str> {
    let body = CreateAsyncTtsJobRequest::INFO.body_fields.iter();
    OWN_FIELDS
        .iter()
        .chain(body.filter(|f| !OWN_FIELDS.contains(f)))
        .copied()
}

/// Whether a manifest record may have the field `name`.
pub fn is_field(name: &str) -> bool {
    record_fields().any(|f| f == name)
}

/// Body fields by type, as a CSV cell is read (JSON values must have the type already).
const INTS: &[&str] = &[
    "speed",
    "pitch",
    "volume",
    "channels",
    "silence_time_ms",
    "srt_len",
    "srt_line_limit",
    "priority",
];
const BOOLS: &[&str] = &[
    "need_timestamp",
    "silence_flag",
    "gen_srt",
    "slice_segments",
    "is_vocabulary_config_enable",
    "is_concurrent_resource",
];
const STRINGS: &[&str] = &[
    "tts_text",
    "output_external_url",
    "srt_output_external_url",
    "action_output_external_url",
];
const OBJECTS: &[&str] = &["callback_config"];

/// How the job body's wire fields are called in a manifest.
const WIRE_NAMES: &[(&str, &str)] = &[("voice_asset_id", "voice"), ("audio_format", "format")];

/// Problems reported at most, so a broken file does not flood the terminal.
const MAX_PROBLEMS: usize = 20;

/// One line of a manifest.
#[derive(Debug, Clone)]
pub struct Item {
    /// Where it starts in the file (1-based).
    pub line: usize,
    /// Its id: the output's file name without extension.
    pub id: String,
    /// The job.
    pub body: CreateAsyncTtsJobRequestBody,
    /// The audio file's extension (`wav`, `mp3`).
    pub ext: &'static str,
    /// Whether to write `ID.srt`.
    pub srt: bool,
    /// Whether to write `ID.timestamps.json`.
    pub timestamps: bool,
}

/// One record's fields, by name, with the line it starts on.
type Fields = (usize, Vec<(String, Raw)>);

/// A parsed CSV file: each record with the line it starts on.
pub type CsvRows = Vec<(usize, Vec<String>)>;

/// A field's value before typing.
#[derive(Debug)]
enum Raw {
    Json(Value),
    Text(String),
}

impl Raw {
    fn string(&self, field: &str) -> Result<String, String> {
        match self {
            Raw::Text(s) | Raw::Json(Value::String(s)) => Ok(s.clone()),
            Raw::Json(other) => Err(format!(
                "invalid value {other} for {field} (expected a string)"
            )),
        }
    }

    fn int(&self, field: &str) -> Result<i32, String> {
        let bad = |v: &dyn std::fmt::Display| {
            format!("invalid value {v} for {field} (expected an integer)")
        };
        match self {
            Raw::Json(Value::Number(n)) => n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| bad(n)),
            Raw::Text(s) | Raw::Json(Value::String(s)) => {
                s.trim().parse().map_err(|_| bad(&format!("{s:?}")))
            }
            Raw::Json(other) => Err(bad(other)),
        }
    }

    fn bool(&self, field: &str) -> Result<bool, String> {
        match self {
            Raw::Json(Value::Bool(b)) => Ok(*b),
            Raw::Text(s) | Raw::Json(Value::String(s)) => {
                match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Ok(true),
                    "false" | "no" | "0" => Ok(false),
                    _ => Err(format!(
                        "invalid value {s:?} for {field} (expected true or false)"
                    )),
                }
            }
            Raw::Json(other) => Err(format!(
                "invalid value {other} for {field} (expected true or false)"
            )),
        }
    }

    /// A JSON object, or in CSV a cell holding one.
    fn object(&self, field: &str) -> Result<Value, String> {
        let bad = |v: &dyn std::fmt::Display| {
            format!("invalid value {v} for {field} (expected a JSON object)")
        };
        match self {
            Raw::Json(v @ Value::Object(_)) => Ok(v.clone()),
            Raw::Text(s) => match serde_json::from_str(s) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => Err(bad(&format!("{s:?}"))),
            },
            Raw::Json(other) => Err(bad(other)),
        }
    }

    /// The value of body field `field`, typed as the body has it.
    fn wire(&self, field: &str) -> Result<Value, String> {
        if INTS.contains(&field) {
            self.int(field).map(Value::from)
        } else if BOOLS.contains(&field) {
            self.bool(field).map(Value::from)
        } else if OBJECTS.contains(&field) {
            self.object(field)
        } else {
            self.string(field).map(Value::from)
        }
    }
}

/// Reads and validates the manifest at `path`: every problem of every line is reported
/// (up to 20) as one usage error, before anything is sent.
pub fn load(path: &Path) -> CliResult<Vec<Item>> {
    let text = crate::read::text(path, crate::read::MAX_MANIFEST_BYTES, "the manifest")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let is_csv = match ext.as_deref() {
        Some("csv") => true,
        Some("jsonl" | "ndjson" | "json") => false,
        _ => !text.trim_start().starts_with('{'),
    };
    let records: Vec<Fields> = if is_csv {
        csv_records(text)?
    } else {
        jsonl_records(text)?
    };
    let mut problems = Vec::new();
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for (line, fields) in records {
        match item(line, &fields) {
            Ok(item) => {
                if !seen.insert(item.id.clone()) {
                    problems.push(format!("line {line}: duplicate id {:?}", item.id));
                }
                items.push(item);
            }
            Err(lines) => problems.extend(lines.into_iter().map(|p| format!("line {line}: {p}"))),
        }
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
    }
    if problems.is_empty() && items.is_empty() {
        problems.push("no lines to synthesize".into());
    }
    match problems.len() {
        0 => Ok(items),
        1 => Err(CliError::usage(format!(
            "invalid manifest {}: {}",
            path.display(),
            problems[0]
        ))),
        n => {
            let mut e = CliError::usage(format!(
                "invalid manifest {}: {}{n} problems",
                path.display(),
                if n >= MAX_PROBLEMS { "at least " } else { "" }
            ));
            e.details = problems;
            Err(e)
        }
    }
}

fn jsonl_records(text: &str) -> CliResult<Vec<Fields>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match serde_json::from_str::<JsonLine>(trimmed) {
            Ok(JsonLine::Duplicate(key)) => {
                problems.push(format!("line {}: duplicate key {key:?}", i + 1));
            }
            Ok(JsonLine::Object(fields)) => out.push((
                i + 1,
                fields.into_iter().map(|(k, v)| (k, Raw::Json(v))).collect(),
            )),
            Ok(JsonLine::Other) => problems.push(format!("line {}: expected a JSON object", i + 1)),
            Err(e) => problems.push(format!("line {}: invalid JSON ({e})", i + 1)),
        }
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        let mut e = CliError::usage(format!("invalid manifest: {}", problems[0]));
        if problems.len() > 1 {
            e.message = format!("invalid manifest: {} problems", problems.len());
            e.details = problems;
        }
        Err(e)
    }
}

/// One line of JSON Lines: an object's members in order, the first key an object gives
/// twice (`serde_json::Value` would keep the last value silently), or anything else.
enum JsonLine {
    Object(Vec<(String, Value)>),
    Duplicate(String),
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonLineVisitor)
    }
}

struct JsonLineVisitor;

impl<'de> serde::de::Visitor<'de> for JsonLineVisitor {
    type Value = JsonLine;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonLine, A::Error> {
        let mut fields: Vec<(String, Value)> = Vec::new();
        let mut duplicate = None;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value()?;
            if fields.iter().any(|(k, _)| *k == key) {
                duplicate.get_or_insert(key);
            } else {
                fields.push((key, value));
            }
        }
        Ok(duplicate.map_or(JsonLine::Object(fields), JsonLine::Duplicate))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonLine, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(JsonLine::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }

    fn visit_unit<E>(self) -> Result<JsonLine, E> {
        Ok(JsonLine::Other)
    }
}

fn csv_records(text: &str) -> CliResult<Vec<Fields>> {
    let rows = parse_csv(text)
        .map_err(|(line, why)| CliError::usage(format!("invalid manifest: line {line}{why}")))?;
    let mut rows = rows.into_iter();
    let Some((header_line, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_string()).collect();
    for (i, name) in header.iter().enumerate() {
        if let Some(first) = header[..i].iter().position(|h| h == name) {
            return Err(CliError::usage(format!(
                "invalid manifest: line {header_line}: duplicate column {name:?} (columns {} and {})",
                first + 1,
                i + 1
            )));
        }
    }
    let mut out = Vec::new();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() > header.len() {
            return Err(CliError::usage(format!(
                "invalid manifest: line {line}: {} cells but the header names {} fields",
                cells.len(),
                header.len()
            )));
        }
        let fields = header
            .iter()
            .zip(cells)
            .filter(|(_, c)| !c.is_empty())
            .map(|(h, c)| (h.clone(), Raw::Text(c)))
            .collect();
        out.push((line, fields));
    }
    Ok(out)
}

/// One record into an item, or its problems.
fn item(line: usize, fields: &[(String, Raw)]) -> Result<Item, Vec<String>> {
    let mut problems = Vec::new();
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    for (k, _) in fields {
        if !is_field(k) {
            problems.push(format!(
                "unknown field {k:?} (expected {})",
                record_fields().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (ours, wire) in [("voice", "voice_asset_id"), ("format", "audio_format")] {
        if get(ours).is_some() && get(wire).is_some() {
            problems.push(format!("{ours} and {wire} are the same field; give one"));
        }
    }
    let voice_raw = get("voice").or_else(|| get("voice_asset_id"));
    let mut missing = Vec::new();
    for (name, raw) in [
        ("id", get("id")),
        ("text", get("text")),
        ("voice", voice_raw),
    ] {
        if raw.is_none() {
            problems.push(format!("{name} is required"));
            missing.push(name);
        }
    }
    let string = |raw: Option<&Raw>, name: &str, problems: &mut Vec<String>| {
        raw.and_then(|v| v.string(name).map_err(|e| problems.push(e)).ok())
    };
    let flag = |name: &str, problems: &mut Vec<String>| {
        get(name).is_some_and(|v| v.bool(name).map_err(|e| problems.push(e)).unwrap_or(false))
    };
    let id = string(get("id"), "id", &mut problems).unwrap_or_default();
    let text = string(get("text"), "text", &mut problems).unwrap_or_default();
    let voice = string(voice_raw, "voice", &mut problems).unwrap_or_default();
    let format = string(
        get("format").or_else(|| get("audio_format")),
        "format",
        &mut problems,
    );
    let srt = flag("srt", &mut problems);
    let timestamps = flag("timestamps", &mut problems);
    // Every other body field, typed as the body has it.
    let mut wire = serde_json::Map::new();
    for &field in INTS.iter().chain(BOOLS).chain(STRINGS).chain(OBJECTS) {
        if let Some(raw) = get(field) {
            let typed = raw.wire(field).and_then(|v| {
                // The one nested object: its fields are typed here, naming their path.
                if field == "callback_config" {
                    crate::input_json::typed::<TtsCallBackConfig>(&v, field)
                        .map_err(|e| e.message.replacen("invalid --input-json: ", "", 1))?;
                }
                Ok(v)
            });
            match typed {
                Ok(v) => {
                    wire.insert(field.to_owned(), v);
                }
                Err(e) => problems.push(e),
            }
        }
    }
    if get("id").is_some() && !valid_id(&id) {
        problems.push(format!(
            "invalid value {id:?} for id (1 to 128 of A-Z a-z 0-9 . _ -, not starting with .)"
        ));
    }
    let (ext, audio_format) = match format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("wav") => ("wav", AudioFormat::Wav),
        Some("mp3") => ("mp3", AudioFormat::Mp3),
        Some(other) => {
            problems.push(format!(
                "invalid value {other:?} for format (expected wav or mp3)"
            ));
            ("wav", AudioFormat::Wav)
        }
    };
    wire.insert("text".into(), text.into());
    wire.insert("voice_asset_id".into(), voice.into());
    // Every value was typed above, so this cannot fail.
    let mut body: CreateAsyncTtsJobRequestBody =
        match crate::input_json::typed(&Value::Object(wire), "") {
            Ok(body) => body,
            Err(e) => return Err(vec![e.message]),
        };
    body.audio_format = Some(audio_format);
    if srt {
        body.gen_srt = Some(true);
    }
    if timestamps {
        body.need_timestamp = Some(true);
    }
    // A text over one job's limit runs as parts (long synthesis, like `synth`): each
    // part's job must be valid. A problem shared by the parts is reported once.
    let parts = split_text(&body.text, DEFAULT_MAX_PART_CHARS);
    if parts.len() > 1 {
        for wire in crate::commands::synth::one_job_fields(&body) {
            problems.push(format!(
                "{wire} takes a text of at most {DEFAULT_MAX_PART_CHARS} characters; this one is {} and runs as {} jobs",
                body.text.chars().count(),
                parts.len()
            ));
        }
    }
    for part in parts {
        let mut b = body.clone();
        b.text = part.to_owned();
        let Err(e) = CreateAsyncTtsJobRequest::new(b).validate() else {
            continue;
        };
        for v in e.violations() {
            let name = WIRE_NAMES
                .iter()
                .find(|(wire, _)| *wire == v.field())
                .map_or(v.field(), |(_, n)| *n);
            let problem = describe_violation(v, WIRE_NAMES);
            // A missing field was reported as required already.
            if !missing.contains(&name) && !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    if problems.is_empty() {
        Ok(Item {
            line,
            id,
            body,
            ext,
            srt,
            timestamps,
        })
    } else {
        Err(problems)
    }
}

/// Whether `id` is usable as a file name on every platform.
pub fn valid_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// RFC 4180 records with the line each starts on. Quoted fields may hold commas, doubled
/// quotes and line breaks; CRLF and LF both end records. An error gives the line and what
/// follows it in the message (`", column 4: …"` or `": …"`).
pub fn parse_csv(text: &str) -> Result<CsvRows, (usize, String)> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut column = 0;
    let mut start = 1;
    let mut in_quotes = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    column += 1;
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    column = 0;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
                records.push((start, std::mem::take(&mut record)));
                line += 1;
                column = 0;
                start = line;
            }
            _ if was_quoted => {
                return Err((
                    line,
                    format!(
                        ", column {column}: text after the closing quote of a field (quote the \
                         whole field and double the quotes inside it: \"\"\"a\"\"x\")"
                    ),
                ));
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((start, ": a quoted field is not closed".into()));
    }
    if !field.is_empty() || !record.is_empty() || was_quoted {
        record.push(field);
        records.push((start, record));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_follows_rfc_4180() {
        let text = "id,text\r\na,\"Hello, \"\"world\"\"\"\nb,\"two\nlines\"\n\nc,plain";
        let rows = parse_csv(text).unwrap();
        assert_eq!(rows[0], (1, vec!["id".to_string(), "text".to_string()]));
        assert_eq!(
            rows[1],
            (2, vec!["a".to_string(), "Hello, \"world\"".to_string()])
        );
        assert_eq!(
            rows[2],
            (3, vec!["b".to_string(), "two\nlines".to_string()])
        );
        assert_eq!(rows[3], (5, vec![String::new()]));
        assert_eq!(rows[4], (6, vec!["c".to_string(), "plain".to_string()]));
        assert_eq!(
            parse_csv("a,\"open\n"),
            Err((1, ": a quoted field is not closed".into()))
        );
    }

    #[test]
    fn csv_text_after_a_closing_quote_is_an_error() {
        let (line, why) = parse_csv("id,text\nb,\"two\nlines\" \n").unwrap_err();
        assert_eq!(line, 3);
        assert!(
            why.starts_with(", column 7: text after the closing quote"),
            "{why}"
        );
        let (line, why) = parse_csv("id,text\na,\"a\"x\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(why.starts_with(", column 6: "), "{why}");
        // A doubled quote inside, and a quoted field followed by a separator, are fine.
        assert!(parse_csv("\"a\"\"x\",\"b\"\r\n").is_ok());
    }

    #[test]
    fn a_duplicate_csv_column_is_an_error() {
        let e = csv_records("id,text,voice,text\na,b,c,d\n").unwrap_err();
        assert_eq!(
            e.message,
            "invalid manifest: line 1: duplicate column \"text\" (columns 2 and 4)"
        );
    }

    #[test]
    fn a_duplicate_json_key_is_an_error() {
        let e = jsonl_records("\n{\"id\": \"a\", \"text\": \"x\", \"text\": \"y\"}\n").unwrap_err();
        assert_eq!(
            e.message,
            "invalid manifest: line 2: duplicate key \"text\""
        );
        let ok = jsonl_records("{\"id\": \"a\", \"n\": {\"x\": 1}}\n[1]\n").unwrap_err();
        assert_eq!(
            ok.message,
            "invalid manifest: line 2: expected a JSON object"
        );
    }

    #[test]
    fn ids_are_safe_file_names() {
        assert!(valid_id("line-01.a_b"));
        for bad in ["", ".hidden", "a/b", "a b", "..", &"x".repeat(129)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn every_body_field_has_a_key_and_a_type() {
        let body = CreateAsyncTtsJobRequest::INFO.body_fields;
        let typed: Vec<&str> = INTS
            .iter()
            .chain(BOOLS)
            .chain(STRINGS)
            .chain(OBJECTS)
            .copied()
            .collect();
        for field in body {
            let special = ["text", "voice_asset_id", "audio_format"].contains(field);
            assert!(special != typed.contains(field), "{field}");
        }
    }

    #[test]
    fn body_fields_go_by_their_wire_names_in_json_and_csv() {
        let csv = vec![
            ("id".to_string(), Raw::Text("a".into())),
            ("text".to_string(), Raw::Text("Hi".into())),
            ("voice_asset_id".to_string(), Raw::Text("v".into())),
            ("audio_format".to_string(), Raw::Text("MP3".into())),
            ("priority".to_string(), Raw::Text("3".into())),
            (
                "is_vocabulary_config_enable".to_string(),
                Raw::Text("false".into()),
            ),
            (
                "tts_text".to_string(),
                Raw::Text("<speak>Hi</speak>".into()),
            ),
            (
                "callback_config".to_string(),
                Raw::Text(r#"{"callback_url": "https://example.com/cb"}"#.into()),
            ),
        ];
        let parsed = item(2, &csv).unwrap();
        assert_eq!(parsed.ext, "mp3");
        let wire = serde_json::to_value(&parsed.body).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({
                "text": "Hi", "tts_text": "<speak>Hi</speak>", "voice_asset_id": "v",
                "audio_format": "MP3", "callback_config": {"callback_url": "https://example.com/cb"},
                "is_vocabulary_config_enable": false, "priority": 3
            })
        );
        let json = vec![
            ("id".to_string(), Raw::Json("a".into())),
            ("text".to_string(), Raw::Json("Hi".into())),
            ("voice".to_string(), Raw::Json("v".into())),
            ("voice_asset_id".to_string(), Raw::Json("v".into())),
            ("priority".to_string(), Raw::Json(11.into())),
            ("gen_srt".to_string(), Raw::Json("maybe".into())),
            (
                "callback_config".to_string(),
                Raw::Json(serde_json::json!({"callback_url": 5})),
            ),
        ];
        let all = item(3, &json).unwrap_err().join("\n");
        for needle in [
            "voice and voice_asset_id are the same field",
            "for priority (allowed: 0 to 10)",
            "\"maybe\" for gen_srt",
            "callback_config.callback_url: invalid type: integer `5`",
        ] {
            assert!(all.contains(needle), "{needle} in {all}");
        }
    }

    #[test]
    fn a_text_over_one_job_is_checked_part_by_part() {
        let long = "Twelve words. ".repeat(1800); // 25,200 characters: 3 parts
        let fields = |speed: &str| {
            vec![
                ("id".to_string(), Raw::Text("long".into())),
                ("text".to_string(), Raw::Text(long.clone())),
                ("voice".to_string(), Raw::Text("v".into())),
                ("speed".to_string(), Raw::Text(speed.into())),
            ]
        };
        assert_eq!(item(1, &fields("100")).unwrap().body.text, long);
        let mut with_ssml = fields("100");
        with_ssml.push(("tts_text".to_string(), Raw::Text("<speak/>".into())));
        let problems = item(1, &with_ssml).unwrap_err().join("\n");
        assert!(
            problems.contains("tts_text takes a text of at most 10000 characters"),
            "{problems}"
        );
        let problems = item(1, &fields("500")).unwrap_err();
        assert_eq!(problems.len(), 1, "once, not once per part: {problems:?}");
        assert!(problems[0].contains("for speed"), "{problems:?}");
    }

    #[test]
    fn records_report_every_problem() {
        let fields = vec![
            ("id".to_string(), Raw::Text("a/b".into())),
            ("text".to_string(), Raw::Text(String::new())),
            ("speed".to_string(), Raw::Text("500".into())),
            ("colour".to_string(), Raw::Text("red".into())),
        ];
        let problems = item(7, &fields).unwrap_err();
        let all = problems.join("\n");
        for needle in [
            "unknown field \"colour\"",
            "for id",
            "voice is required",
            "for speed",
            "for text",
        ] {
            assert!(all.contains(needle), "{needle} in {all}");
        }
    }
}
