//! Tests driven by the API description itself: every documented bound is checked on both
//! sides, every example response deserializes and round-trips, and the catalogue matches the
//! description operation for operation.

use serde_json::{Map, Value, json};
use ttsc_models::wire::WireRequest;
use ttsc_models::{Operation, OperationId, TTS_OPERATIONS, ValidationError, dispatch_operation};

fn description(name: &str) -> Value {
    let path = format!("{}/../../docs/api/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read description")).expect("parse")
}

struct Spec {
    doc: Value,
}

impl Spec {
    fn schema(&self, reference: &str) -> &Value {
        let name = reference.trim_start_matches("#/components/schemas/");
        &self.doc["components"]["schemas"][name]
    }

    fn param(&self, p: &Value) -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/components/parameters/");
                self.doc["components"]["parameters"][name].clone()
            }
            None => p.clone(),
        }
    }

    /// Resolves `$ref` / single-`allOf` wrappers of a property schema.
    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return self.schema(r);
        }
        if let Some(r) = s.pointer("/allOf/0/$ref").and_then(Value::as_str) {
            return self.schema(r);
        }
        s
    }

    /// A minimal valid value for a schema.
    fn minimal(&self, s: &Value) -> Value {
        if s.get("x-rust-type").is_some() {
            return json!({});
        }
        let s = self.resolve(s);
        if let Some(values) = s.get("enum") {
            return values[0].clone();
        }
        match s["type"].as_str() {
            Some("string") => {
                if s.get("format").and_then(Value::as_str) == Some("date-time") {
                    json!("2026-11-01T00:00:00Z")
                } else {
                    let n = s
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        .max(1);
                    json!("x".repeat(n as usize))
                }
            }
            Some("integer") | Some("number") => {
                json!(s.get("minimum").and_then(Value::as_i64).unwrap_or(0))
            }
            Some("boolean") => json!(false),
            Some("array") => {
                let n = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                Value::Array((0..n).map(|_| self.minimal(&s["items"])).collect())
            }
            Some("object") => {
                let mut m = Map::new();
                for r in s["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap();
                    m.insert(r.to_string(), self.minimal(&s["properties"][r]));
                }
                Value::Object(m)
            }
            other => panic!("unexpected schema type {other:?}"),
        }
    }

    /// Every operation: (operationId, method, path, operation object).
    fn operations(&self) -> Vec<(String, String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push((
                        id.to_string(),
                        method.to_ascii_uppercase(),
                        path.clone(),
                        op.clone(),
                    ));
                }
            }
        }
        out
    }
}

/// A request as the wire would carry it.
#[derive(Clone, Default)]
struct Wire {
    path: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

fn check_op<O: Operation>(w: &Wire) -> Result<(), ValidationError> {
    let body = w
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let headers = [("X-App-UserId".to_string(), "tester".to_string())];
    let req = O::from_wire(&WireRequest {
        path_params: &w.path,
        query: &w.query,
        headers: &headers,
        body: &body,
    })?;
    req.validate()
}

fn op_id(name: &str) -> OperationId {
    *OperationId::ALL
        .iter()
        .find(|id| id.name() == name)
        .unwrap_or_else(|| panic!("{name} not in catalogue"))
}

fn run(id: OperationId, w: &Wire) -> Result<(), ValidationError> {
    dispatch_operation!(id, check_op, w)
}

/// A valid wire request for an operation: required path, query and body parameters filled.
fn minimal_wire(spec: &Spec, op: &Value) -> Wire {
    let mut w = Wire::default();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let p = spec.param(p);
        let name = p["name"].as_str().unwrap().to_string();
        let required = p["required"].as_bool().unwrap_or(false);
        match p["in"].as_str().unwrap() {
            "path" => {
                let leaked: &'static str = Box::leak(name.into_boxed_str());
                w.path.push((leaked, "id-1".to_string()));
            }
            "query" if required => {
                let v = spec.minimal(&p["schema"]);
                w.query.push((
                    name,
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                ));
            }
            _ => {}
        }
    }
    if let Some(r) = op.pointer("/requestBody/content/application~1json/schema/$ref") {
        w.body = Some(spec.minimal(&json!({"$ref": r})));
    }
    w
}

/// (value inside the bounds, value outside) pairs for a schema's documented constraints.
fn bound_cases(spec: &Spec, s: &Value) -> Vec<(Value, Value, String)> {
    let s = spec.resolve(s);
    let mut cases = Vec::new();
    if let Some(values) = s.get("enum") {
        cases.push((
            values[0].clone(),
            json!("NOT_A_DOCUMENTED_VALUE"),
            "enum".to_string(),
        ));
    }
    match s["type"].as_str() {
        Some("integer") => {
            if let Some(min) = s.get("minimum").and_then(Value::as_i64)
                && min > i64::from(i32::MIN)
            {
                cases.push((json!(min), json!(min - 1), format!("minimum {min}")));
            }
            if let Some(max) = s.get("maximum").and_then(Value::as_i64)
                && max < i64::from(i32::MAX)
            {
                cases.push((json!(max), json!(max + 1), format!("maximum {max}")));
            }
        }
        Some("string") => {
            if let Some(min) = s.get("minLength").and_then(Value::as_u64)
                && min > 0
            {
                let min = min as usize;
                cases.push((
                    json!("é".repeat(min)),
                    json!("é".repeat(min - 1)),
                    format!("minLength {min}"),
                ));
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
                let max = max as usize;
                // Characters, not bytes: "é" is two bytes.
                cases.push((
                    json!("é".repeat(max)),
                    json!("é".repeat(max + 1)),
                    format!("maxLength {max}"),
                ));
            }
            if s.get("format").and_then(Value::as_str) == Some("date-time") {
                cases.push((
                    json!("2026-11-01T00:00:00Z"),
                    json!("yesterday"),
                    "date-time".into(),
                ));
            }
        }
        _ => {}
    }
    cases
}

#[test]
fn every_documented_bound_is_enforced_on_both_sides() {
    let spec = Spec {
        doc: description("ttsc.openapi.json"),
    };
    let mut checked = 0;
    for (name, _, _, op) in spec.operations() {
        let id = op_id(&name);
        let base = minimal_wire(&spec, &op);
        run(id, &base).unwrap_or_else(|e| panic!("{name}: minimal request rejected: {e}"));

        // Query parameters.
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = spec.param(p);
            if p["in"] != "query" {
                continue;
            }
            let field = p["name"].as_str().unwrap();
            for (ok, bad, what) in bound_cases(&spec, &p["schema"]) {
                for (value, good) in [(ok, true), (bad, false)] {
                    let mut w = base.clone();
                    w.query.retain(|(k, _)| k != field);
                    let text = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    w.query.push((field.to_string(), text));
                    let result = run(id, &w);
                    assert_eq!(
                        result.is_ok(),
                        good,
                        "{name} query {field} ({what}) = {value}: {result:?}"
                    );
                    if let Err(e) = result {
                        assert!(
                            e.violations().iter().any(|v| v.field() == field),
                            "{name}: violation does not name {field}: {e}"
                        );
                        assert!(e.to_string().contains(field));
                    }
                    checked += 1;
                }
            }
        }

        // Top-level body fields.
        let Some(body) = base.body.clone() else {
            continue;
        };
        let r = op
            .pointer("/requestBody/content/application~1json/schema/$ref")
            .unwrap();
        let schema = spec.schema(r.as_str().unwrap());
        for (field, ps) in schema["properties"].as_object().unwrap() {
            for (ok, bad, what) in bound_cases(&spec, ps) {
                for (value, good) in [(ok, true), (bad, false)] {
                    let mut b = body.clone();
                    b[field.as_str()] = value.clone();
                    let w = Wire {
                        body: Some(b),
                        ..base.clone()
                    };
                    let result = run(id, &w);
                    assert_eq!(
                        result.is_ok(),
                        good,
                        "{name} body {field} ({what}) = {value}: {result:?}"
                    );
                    if let Err(e) = result {
                        assert!(
                            e.violations().iter().any(|v| v.field() == field),
                            "{name}: violation does not name {field}: {e}"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    // Both sides of: limit, offset (x7), text, speed, pitch, volume, channels, priority,
    // silence_time_ms, dates, enums, … — a drop here means a constraint fell out of the models.
    assert!(checked >= 80, "only {checked} bound checks ran");
}

#[test]
fn missing_required_parameters_and_bad_types_name_the_field() {
    let spec = Spec {
        doc: description("ttsc.openapi.json"),
    };
    // A required body missing.
    let e = run(OperationId::CreateAsyncTtsJob, &Wire::default()).unwrap_err();
    assert_eq!(e.violations()[0].field(), "body");
    // A required body field missing: serde names it.
    let w = Wire {
        body: Some(json!({"voice_asset_id": "v"})),
        ..Wire::default()
    };
    let e = run(OperationId::CreateAsyncTtsJob, &w).unwrap_err();
    assert!(e.to_string().contains("text"), "{e}");
    // A required query parameter missing.
    let e = run(OperationId::ShowTtsPhoneticSymbol, &Wire::default()).unwrap_err();
    assert!(e.violations().iter().any(|v| v.field() == "word"), "{e}");
    // A query value of the wrong type.
    let w = Wire {
        query: vec![("limit".into(), "ten".into())],
        ..Wire::default()
    };
    let e = run(OperationId::ShowTtsJob, &w).unwrap_err();
    assert_eq!(e.violations()[0].field(), "limit");
    assert!(e.to_string().contains("expected an integer"), "{e}");
    // All violations are reported at once.
    let w = Wire {
        query: vec![("limit".into(), "0".into()), ("offset".into(), "-1".into())],
        ..Wire::default()
    };
    let e = run(OperationId::ShowTtsJob, &w).unwrap_err();
    assert_eq!(e.violations().len(), 2, "{e}");
    let _ = spec;
}

/// Deserializes an example into the operation's response type and serializes it back.
fn round_trip<O: Operation>(example: &Value) -> Result<Value, String> {
    let typed: O::Response = serde_json::from_value(example.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

fn run_round_trip(id: OperationId, example: &Value) -> Result<Value, String> {
    dispatch_operation!(id, round_trip, example)
}

#[test]
fn every_example_response_deserializes_and_round_trips() {
    let mut seen = 0;
    for file in ["ttsc.openapi.json", "iam.openapi.json"] {
        let spec = Spec {
            doc: description(file),
        };
        for (name, _, _, op) in spec.operations() {
            for (status, resp) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                let Some(media) = resp.pointer("/content/application~1json") else {
                    continue;
                };
                let examples: Vec<Value> = media
                    .get("example")
                    .cloned()
                    .into_iter()
                    .chain(
                        media
                            .get("examples")
                            .and_then(Value::as_object)
                            .into_iter()
                            .flat_map(|m| m.values().map(|e| e["value"].clone())),
                    )
                    .collect();
                for example in examples {
                    let back = run_round_trip(op_id(&name), &example)
                        .unwrap_or_else(|e| panic!("{name}: example does not deserialize: {e}"));
                    assert_eq!(back, example, "{name}: example does not round-trip");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 2, "the seeds' two examples at least, saw {seen}");
}

#[test]
fn seed_examples_deserialize_into_typed_records() {
    // Verbatim from the reference pages (ShowTtsJob and ShowTtsAuditionFile).
    let jobs: ttsc_models::ShowTtsJobResponse = serde_json::from_str(
        r#"{"count" : 1, "data" : [ {"asset_id" : "98263xxxxxx34253880a6ff431xxxxxx", "text_length" : 3492,
            "job_type" : "WEBSOCKET", "job_state" : "SUCCEED", "files" : [ {"audio_file_url" : "https://xxx"} ] } ] }"#,
    )
    .unwrap();
    assert_eq!(jobs.count, Some(1));
    let job = &jobs.data.as_ref().unwrap()[0];
    assert_eq!(job.job_type, Some(ttsc_models::JobType::Websocket));
    assert_eq!(job.job_state, Some(ttsc_models::JobState::Succeed));
    assert_eq!(
        job.files.as_ref().unwrap()[0].audio_file_url.as_deref(),
        Some("https://xxx")
    );

    let files: ttsc_models::ShowTtsAuditionFileResponse = serde_json::from_str(
        r#"{ "is_file_complete" : true, "files" : [ { "download_url" : "https://aaa" }, { "download_url" : "https://bbb" } ] }"#,
    )
    .unwrap();
    assert_eq!(files.is_file_complete, Some(true));
    assert_eq!(files.files.unwrap().len(), 2);
}

#[test]
fn unknown_enum_values_and_fields_deserialize() {
    let r: ttsc_models::TtsJobDetail = serde_json::from_value(json!({
        "job_type": "HOLOGRAM", "job_state": "PAUSED", "audio_format": "FLAC",
        "tts_service_enum": "TTS_NEXT", "a_field_from_the_future": {"nested": [1, 2]}
    }))
    .unwrap();
    assert_eq!(
        r.job_type,
        Some(ttsc_models::JobType::Unknown("HOLOGRAM".into()))
    );
    assert_eq!(r.job_state.as_ref().map(|s| s.as_str()), Some("PAUSED"));
    assert!(!r.audio_format.as_ref().unwrap().is_known());
    // Unknown values are sent back as received.
    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(back["tts_service_enum"], "TTS_NEXT");
    // Absent optional fields are None and never serialized.
    assert_eq!(r.job_id, None);
    assert!(back.get("job_id").is_none());
    assert!(back.get("a_field_from_the_future").is_none());
}

#[test]
fn none_is_never_serialized_in_requests() {
    let body = ttsc_models::CreateAsyncTtsJobRequestBody::new("hi", "v");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"text": "hi", "voice_asset_id": "v"})
    );
}

#[test]
fn tenant_config_value_is_a_string_on_the_wire() {
    // The official SDK's model types it as a string and sends "true"; a JSON boolean is not
    // what the service documents.
    let body = ttsc_models::SaveTtscTenantConfigsRequestBody::new("vocabulary", "true");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"key": "vocabulary", "value": "true"})
    );
    let boolean = serde_json::from_value::<ttsc_models::SaveTtscTenantConfigsRequestBody>(
        json!({"key": "vocabulary", "value": true}),
    );
    assert!(boolean.is_err());
}

#[test]
fn catalogue_matches_the_description() {
    let spec = Spec {
        doc: description("ttsc.openapi.json"),
    };
    let ops = spec.operations();
    assert_eq!(
        ops.len(),
        21,
        "19 TTS operations and the asset library's two"
    );
    assert_eq!(TTS_OPERATIONS.len(), 21);
    for (name, method, path, op) in &ops {
        let info = op_id(name).info();
        assert_eq!(info.method.as_str(), method, "{name}");
        assert_eq!(info.path, path, "{name}");
        let declared = op["parameters"].as_array().map_or(0, Vec::len);
        assert_eq!(info.params.len(), declared, "{name}: parameter count");
        assert!(
            path.starts_with("/v1/{project_id}/ttsc/")
                || path.starts_with("/v1/{project_id}/digital-assets"),
            "{name}: {path}"
        );
        assert_eq!(
            info.success_status, 200,
            "{name}: every operation answers 200"
        );
    }
    // Paths and methods are unambiguous: a router can match each request to one operation.
    for a in TTS_OPERATIONS {
        let concrete = a.path.replace(['{', '}'], "");
        let matches: Vec<&str> = TTS_OPERATIONS
            .iter()
            .filter(|b| b.match_path(a.method, &concrete).is_some())
            .map(|b| b.name)
            .collect();
        assert_eq!(matches, [a.name], "{} is ambiguous", a.name);
    }
}

#[test]
fn paths_are_percent_encoded() {
    let r = ttsc_models::ShowAsyncTtsJobRequest::new("job with space/slash");
    assert_eq!(
        r.path("p 1"),
        "/v1/p%201/ttsc/async-jobs/job%20with%20space%2Fslash"
    );
    let info = <ttsc_models::ShowAsyncTtsJobRequest as Operation>::INFO;
    let params = info
        .match_path(ttsc_models::Method::Get, &r.path("p"))
        .unwrap();
    assert_eq!(params[1].1, "job with space/slash");
}

#[test]
fn pagination_helpers_move_the_page() {
    use ttsc_models::Paginated;
    let mut r = ttsc_models::ShowTtsJobRequest::new();
    assert_eq!(r.page_offset(), 0);
    assert_eq!(r.page_limit(), None);
    r.set_page(200, 100);
    assert_eq!(
        r.query(),
        vec![("limit", "100".to_string()), ("offset", "200".to_string())]
    );
    let resp: ttsc_models::ShowTtsJobResponse =
        serde_json::from_value(json!({"count": 250, "data": [{"job_id": "a"}, {"job_id": "b"}]}))
            .unwrap();
    assert_eq!(ttsc_models::ShowTtsJobRequest::total(&resp), Some(250));
    assert_eq!(ttsc_models::ShowTtsJobRequest::into_items(resp).len(), 2);
}

#[test]
fn list_parameters_repeat_like_the_official_sdk_and_parse_either_way() {
    let r = ttsc_models::ListAssetsRequest::new()
        .asset_id(["a", "b"])
        .asset_type("VOICE_MODEL");
    assert_eq!(
        r.query(),
        vec![
            ("asset_type", "VOICE_MODEL".to_string()),
            ("asset_id", "a".to_string()),
            ("asset_id", "b".to_string()),
        ]
    );
    for raw in ["asset_id=a&asset_id=b", "asset_id=a,b", "asset_id=a%2Cb"] {
        let query = ttsc_models::wire::parse_query(raw);
        let parsed = <ttsc_models::ListAssetsRequest as Operation>::from_wire(&WireRequest {
            path_params: &[("project_id", "p".to_string())],
            query: &query,
            headers: &[],
            body: &[],
        })
        .unwrap();
        assert_eq!(
            parsed.asset_id,
            Some(vec!["a".to_string(), "b".to_string()]),
            "{raw}"
        );
    }
    let bad = ttsc_models::wire::parse_query("is_realtime_voice=maybe&limit=0");
    let err = <ttsc_models::ListAssetsRequest as Operation>::from_wire(&WireRequest {
        path_params: &[("project_id", "p".to_string())],
        query: &bad,
        headers: &[],
        body: &[],
    })
    .unwrap_err();
    assert_eq!(err.violations()[0].field(), "is_realtime_voice");
}
