//! Loading signing-vector files (the format of `tests/data/signing.json`) and turning a
//! case into signer inputs.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;
use ttsc_auth::{
    AccessKeyCredentials, SignError, SignableRequest, Signer, SigningAlgorithm, SigningOutput,
    SigningSettings,
};

/// The environment variable naming extra vector files, separated by `:`.
pub const EXTRA_VECTORS_ENV: &str = "TTSC_SIGNING_VECTORS";

/// One signing case.
#[derive(Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub ak: String,
    pub sk: String,
    pub x_sdk_date: String,
    pub algorithm: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub derived_service: Option<String>,
    pub expected: Expected,
}

impl Case {
    /// The query pairs, borrowed as the signer takes them.
    pub fn query_pairs(&self) -> Vec<(&str, &str)> {
        self.query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The headers, borrowed as the signer takes them.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The case's access key and secret key.
    pub fn credentials(&self) -> AccessKeyCredentials {
        AccessKeyCredentials::new(&self.ak, self.sk.as_str())
    }
}

/// The stages a case pins down.
#[derive(Debug, Deserialize)]
pub struct Expected {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub authorization: String,
    pub request_uri: String,
}

/// The directory of the bundled vector files.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The bundled vector files, then every file named in `TTSC_SIGNING_VECTORS`.
pub fn vector_files() -> Vec<PathBuf> {
    let data = data_dir();
    let mut files = vec![data.join("signing.json"), data.join("signing-extra.json")];
    if let Some(extra) = std::env::var_os(EXTRA_VECTORS_ENV) {
        files.extend(std::env::split_paths(&extra).filter(|p| !p.as_os_str().is_empty()));
    }
    files
}

/// Reads and parses a vector file; the error names the file.
pub fn try_load(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read signing vectors {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("cannot parse signing vectors {}: {e}", path.display()))
}

/// Reads and parses a vector file; panics naming the file when it is unreadable.
pub fn load(path: &Path) -> Vec<Case> {
    try_load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The case called `name` in the bundled official vectors (`tests/data/signing.json`).
pub fn bundled(name: &str) -> Case {
    load(&data_dir().join("signing.json"))
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no vector named {name}"))
}

/// The signing time of a case.
pub fn signing_time(case: &Case) -> SystemTime {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let parsed = time::PrimitiveDateTime::parse(&case.x_sdk_date, format)
        .unwrap_or_else(|e| panic!("{}: bad x_sdk_date: {e}", case.name));
    SystemTime::from(parsed.assume_utc())
}

/// The signing settings of a case.
pub fn settings(case: &Case) -> SigningSettings {
    let algorithm: SigningAlgorithm = case
        .algorithm
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    match algorithm {
        SigningAlgorithm::V11HmacSha256 => SigningSettings::derived(
            case.region.clone().unwrap_or_default(),
            case.derived_service.clone().unwrap_or_default(),
        ),
        other => SigningSettings::new(other),
    }
}

/// Signs a case with ttsc's signer.
pub fn sign_case(case: &Case) -> Result<SigningOutput, SignError> {
    let signer = Signer::new(&case.credentials(), settings(case))?;
    let query = case.query_pairs();
    let headers = case.header_pairs();
    let request = SignableRequest::new(&case.method, &case.host, &case.path)
        .with_query(&query)
        .with_headers(&headers)
        .with_body(case.body.as_bytes());
    signer.sign(&request, signing_time(case))
}
