//! The request log: one JSON object per request, one per line (JSON Lines).
//!
//! The log lets a test or a person see what a client did: which operations it called,
//! how it authenticated, what it got back and how long it took. It must never hold a
//! credential, so the writer takes no headers at all, only the fields of
//! [`RequestRecord`]:
//!
//! ```json
//! {"timestamp":"2026-11-23T15:04:05.123Z","method":"POST","path":"/v1/p/ttsc/async-jobs","query":"","status":200,"operation":"CreateAsyncTtsJob","auth_scheme":"aksk:SDK-HMAC-SHA256","credential_headers":true,"latency_ms":12}
//! ```
//!
//! - `query` is the raw query string with every credential-like parameter removed
//!   ([`is_credential_param`]: signatures, tokens, keys, passwords, …); the others keep
//!   their order and encoding.
//! - `auth_scheme` is one of a fixed set of words ([`AuthScheme`]), never text taken
//!   from the request.
//! - `credential_headers` tells whether any credential header (`Authorization`,
//!   `X-Auth-Token`, `X-Security-Token`, …) was present, not what it held.
//! - `operation` is the operation name, or `null` when no route matched.
//! - `timestamp` is RFC 3339 UTC, passed in by the caller like every time here.
//!
//! [`RequestLog`] appends lines from any thread: each line is serialized first, then
//! written and flushed under a mutex, so lines never interleave.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How a request authenticated, as far as the log may say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// No credentials.
    None,
    /// `X-Auth-Token` (an IAM token).
    Token,
    /// AK/SK signing with `SDK-HMAC-SHA256`.
    AkSkHmacSha256,
    /// AK/SK signing with `V11-HMAC-SHA256`.
    AkSkV11HmacSha256,
    /// AK/SK signing with `SDK-HMAC-SM3`.
    AkSkHmacSm3,
    /// An `Authorization` header the emulator does not understand.
    Unknown,
}

impl AuthScheme {
    /// The word written to the log.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Token => "token",
            Self::AkSkHmacSha256 => "aksk:SDK-HMAC-SHA256",
            Self::AkSkV11HmacSha256 => "aksk:V11-HMAC-SHA256",
            Self::AkSkHmacSm3 => "aksk:SDK-HMAC-SM3",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the log records about one request, and nothing else.
///
/// There is deliberately no field for headers or bodies: a secret cannot reach the log
/// through this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord<'a> {
    /// When the request arrived.
    pub timestamp: OffsetDateTime,
    /// The HTTP method.
    pub method: &'a str,
    /// The path, without the query (anything from a `?` on is dropped).
    pub path: &'a str,
    /// The raw query string, without the `?`; credential-like parameters are removed
    /// before writing.
    pub query: Option<&'a str>,
    /// The response status (0 when the connection was reset without a response).
    pub status: u16,
    /// The operation name, e.g. `CreateAsyncTtsJob`; `None` when no route matched.
    pub operation: Option<&'a str>,
    /// How the request authenticated.
    pub auth_scheme: AuthScheme,
    /// Whether any credential header was present.
    pub credential_headers: bool,
    /// Time from receiving the request to finishing the response, in milliseconds.
    pub latency_ms: u64,
}

impl<'a> RequestRecord<'a> {
    /// A record with no query, no operation, no credentials and zero latency; set the
    /// other fields directly.
    #[must_use]
    pub fn new(timestamp: OffsetDateTime, method: &'a str, path: &'a str, status: u16) -> Self {
        Self {
            timestamp,
            method,
            path,
            query: None,
            status,
            operation: None,
            auth_scheme: AuthScheme::None,
            credential_headers: false,
            latency_ms: 0,
        }
    }

    /// The record as one JSON line, with its trailing `\n`.
    #[must_use]
    pub fn to_json_line(self) -> String {
        let line = Line {
            timestamp: self
                .timestamp
                .to_offset(time::UtcOffset::UTC)
                .format(&Rfc3339)
                .unwrap_or_default(),
            method: self.method,
            path: self.path.split('?').next().unwrap_or_default(),
            query: self.query.map(redact_query).unwrap_or_default(),
            status: self.status,
            operation: self.operation,
            auth_scheme: self.auth_scheme.as_str(),
            credential_headers: self.credential_headers,
            latency_ms: self.latency_ms,
        };
        let mut json = serde_json::to_string(&line).expect("plain data always serializes");
        json.push('\n');
        json
    }
}

/// The serialized shape of a line.
#[derive(Serialize)]
struct Line<'a> {
    timestamp: String,
    method: &'a str,
    path: &'a str,
    query: String,
    status: u16,
    operation: Option<&'a str>,
    auth_scheme: &'static str,
    credential_headers: bool,
    latency_ms: u64,
}

/// Whether a query parameter name looks like it carries a credential: after decoding
/// `%XX`, lowercasing and dropping `-` and `_`, it contains `sig`, `token`, `secret`,
/// `passw`, `credential`, `auth`, `apikey`, `accesskey`, `privatekey`, `session` or
/// `oncecode`, or it is exactly `ak` or `sk`.
///
/// Ordinary parameters such as `key` and `search_key` (vocabulary searches) are kept.
#[must_use]
pub fn is_credential_param(name: &str) -> bool {
    const NEEDLES: [&str; 11] = [
        "sig",
        "token",
        "secret",
        "passw",
        "credential",
        "auth",
        "apikey",
        "accesskey",
        "privatekey",
        "session",
        "oncecode",
    ];
    let normalized: String = percent_decode(name)
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    normalized == "ak" || normalized == "sk" || NEEDLES.iter().any(|n| normalized.contains(n))
}

/// Decodes `%XX` escapes and `+` (lossily), for classifying names only.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query string without its credential-like parameters.
#[must_use]
pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            !is_credential_param(name)
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A thread-safe JSON Lines writer for [`RequestRecord`]s.
pub struct RequestLog {
    out: Mutex<BufWriter<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLog").finish_non_exhaustive()
    }
}

impl RequestLog {
    /// Opens (creating if needed) `path` for appending.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let file: File = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::from_writer(file))
    }

    /// A log writing to any writer (a file, a pipe, a buffer in tests).
    #[must_use]
    pub fn from_writer(writer: impl Write + Send + 'static) -> Self {
        Self {
            out: Mutex::new(BufWriter::new(Box::new(writer))),
        }
    }

    /// Appends one record as a line and flushes it.
    ///
    /// # Errors
    ///
    /// When writing or flushing fails.
    pub fn append(&self, record: &RequestRecord<'_>) -> io::Result<()> {
        let line = record.to_json_line();
        // A panic while holding the lock cannot leave a half-written line behind:
        // the line is written in one call, so recover the writer and go on.
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.write_all(line.as_bytes())?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A shared in-memory writer.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(1_795_446_245_123_000_000).unwrap()
    }

    #[test]
    fn a_line_has_exactly_the_documented_fields() {
        let mut record = RequestRecord::new(at(), "POST", "/v1/p/ttsc/async-jobs", 200);
        record.query = Some("");
        record.operation = Some("CreateAsyncTtsJob");
        record.auth_scheme = AuthScheme::AkSkHmacSha256;
        record.credential_headers = true;
        record.latency_ms = 12;
        assert_eq!(
            record.to_json_line(),
            concat!(
                r#"{"timestamp":"2026-11-23T15:04:05.123Z","method":"POST","path":"/v1/p/ttsc/async-jobs","#,
                r#""query":"","status":200,"operation":"CreateAsyncTtsJob","auth_scheme":"aksk:SDK-HMAC-SHA256","#,
                r#""credential_headers":true,"latency_ms":12}"#,
                "\n"
            )
        );
        let unrouted = RequestRecord::new(at(), "GET", "/nowhere", 404).to_json_line();
        let json: serde_json::Value = serde_json::from_str(&unrouted).unwrap();
        assert_eq!(json["operation"], serde_json::Value::Null);
        assert_eq!(json["auth_scheme"], "none");
    }

    #[test]
    fn the_record_type_has_no_room_for_secrets() {
        // Exhaustive destructuring: adding a field (say, headers) breaks this test, so
        // the "no secret in the log" review happens when the type changes.
        let record = RequestRecord::new(at(), "GET", "/", 200);
        let RequestRecord {
            timestamp: _,
            method: _,
            path: _,
            query: _,
            status: _,
            operation: _,
            auth_scheme: _,
            credential_headers: _,
            latency_ms: _,
        } = record;
    }

    #[test]
    fn credentials_in_the_query_never_reach_the_log() {
        let secrets = [
            "SECRET-SIG-123",
            "SECRET-TOKEN-456",
            "SECRET-AK-789",
            "SECRET-SK-000",
            "SECRET-PW",
            "SECRET-AMZ",
            "SECRET-SESSION",
            "SECRET-ENCODED",
            "SECRET-ONCE",
        ];
        let query = format!(
            "job_id=42&sig={}&X-Auth-Token={}&ak={}&SK={}&password={}&X-Amz-Signature={}&\
             security_token={}&X%2DAuth%2DToken={}&once_code={}&limit=10&key=vocabulary&search_key=hi",
            secrets[0],
            secrets[1],
            secrets[2],
            secrets[3],
            secrets[4],
            secrets[5],
            secrets[6],
            secrets[7],
            secrets[8]
        );
        // Also a path carrying a query by mistake: it is cut at the `?`.
        let path = format!("/emulator-files/t/a.wav?sig={}", secrets[0]);
        let mut record = RequestRecord::new(at(), "GET", &path, 200);
        record.query = Some(&query);
        record.auth_scheme = AuthScheme::Token;
        record.credential_headers = true;

        let shared = Shared::default();
        let log = RequestLog::from_writer(shared.clone());
        log.append(&record).unwrap();
        let text = shared.text();
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(!text.to_lowercase().contains("sig="), "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            json["query"],
            "job_id=42&limit=10&key=vocabulary&search_key=hi"
        );
        assert_eq!(json["path"], "/emulator-files/t/a.wav");
        assert_eq!(json["auth_scheme"], "token");
        assert_eq!(json["credential_headers"], true);
    }

    #[test]
    fn credential_param_names() {
        for name in [
            "sig",
            "signature",
            "X-Amz-Signature",
            "token",
            "access_token",
            "X-Auth-Token",
            "x-security-token",
            "secret",
            "client_secret",
            "password",
            "passwd",
            "Credential",
            "X-Amz-Credential",
            "authorization",
            "auth",
            "api_key",
            "apiKey",
            "AccessKeyId",
            "access-key",
            "private_key",
            "session",
            "ak",
            "AK",
            "sk",
            "once_code",
            "%73ig",
        ] {
            assert!(is_credential_param(name), "{name}");
        }
        for name in [
            "job_id",
            "limit",
            "offset",
            "word",
            "key",
            "search_key",
            "type",
            "group_id",
            "create_since",
            "asset_id",
            "expires",
            "tts_service_enum",
            "business_type",
        ] {
            assert!(!is_credential_param(name), "{name}");
        }
    }

    #[test]
    fn redaction_keeps_order_and_encoding_of_the_rest() {
        assert_eq!(redact_query(""), "");
        assert_eq!(redact_query("a=1&&b=%20x&token"), "a=1&b=%20x");
        assert_eq!(redact_query("token=x"), "");
        assert_eq!(percent_decode("%41%zz%4"), "A%zz%4");
    }

    #[test]
    fn auth_schemes_are_fixed_words() {
        let words: Vec<String> = [
            AuthScheme::None,
            AuthScheme::Token,
            AuthScheme::AkSkHmacSha256,
            AuthScheme::AkSkV11HmacSha256,
            AuthScheme::AkSkHmacSm3,
            AuthScheme::Unknown,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            words,
            [
                "none",
                "token",
                "aksk:SDK-HMAC-SHA256",
                "aksk:V11-HMAC-SHA256",
                "aksk:SDK-HMAC-SM3",
                "unknown"
            ]
        );
    }

    #[test]
    fn concurrent_appends_give_whole_lines() {
        let shared = Shared::default();
        let log = Arc::new(RequestLog::from_writer(shared.clone()));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let path = format!("/thread/{t}/request/{i}");
                        let mut record = RequestRecord::new(at(), "GET", &path, 200);
                        record.latency_ms = i;
                        log.append(&record).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let text = shared.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 200);
        for line in lines {
            let json: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(json["path"].as_str().unwrap().starts_with("/thread/"));
        }
    }

    #[test]
    fn open_appends_to_a_file() {
        let dir = std::env::temp_dir().join(format!("ttsc-emulator-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("requests.jsonl");
        let _ = std::fs::remove_file(&path);
        for status in [200, 503] {
            let log = RequestLog::open(&path).unwrap();
            log.append(&RequestRecord::new(at(), "GET", "/x", status))
                .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().nth(1).unwrap().contains("\"status\":503"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
