//! The crate's dependency rules: no HTTP client or server, no `ttsc-models`, and tokio
//! with the `sync` feature only (other features are for tests).

/// The names in the `[dependencies]` table of this crate's manifest, with their lines.
fn dependencies() -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .expect("manifest");
    let mut in_dependencies = false;
    let mut deps = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line
                .split(['=', '.'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            deps.push((name, line.to_owned()));
        }
    }
    deps
}

#[test]
fn no_http_client_server_or_models_dependency() {
    let deps = dependencies();
    assert!(
        deps.iter().any(|(name, _)| name == "hmac"),
        "the parser found the table: {deps:?}"
    );
    for forbidden in [
        "reqwest",
        "hyper",
        "hyper-util",
        "http-body-util",
        "ttsc-models",
        "ttsc-client",
        "mockito",
    ] {
        assert!(
            deps.iter().all(|(name, _)| name != forbidden),
            "ttsc-auth must not depend on {forbidden}"
        );
    }
}

#[test]
fn tokio_is_used_with_the_sync_feature_only() {
    let deps = dependencies();
    let (_, tokio) = deps
        .iter()
        .find(|(name, _)| name == "tokio")
        .expect("tokio");
    assert!(tokio.contains(r#"features = ["sync"]"#), "{tokio}");
}
