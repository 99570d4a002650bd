//! `ttsc sign`: how a request is signed, stage by stage, to debug `APIGW.0301` (signature
//! mismatch); `--curl` prints a command that sends it.

use std::time::SystemTime;

use serde::Serialize;
use ttsc_auth::{
    AccessKeyCredentials, MASK, SignableRequest, Signer, SigningAlgorithm, SigningSettings,
    X_SECURITY_TOKEN,
};

use crate::cli::{OutputFormat, SignArgs};
use crate::context::{AuthChoice, Ctx};
use crate::env_vars;
use crate::error::{CliError, CliResult};
use crate::exit_codes::ExitCode;

/// What `sign` prints as JSON.
#[derive(Debug, Serialize)]
struct Signed {
    method: String,
    url: String,
    canonical_request: String,
    gateway_form: String,
    string_to_sign: String,
    headers: Vec<Header>,
}

#[derive(Debug, Serialize)]
struct Header {
    name: String,
    value: String,
}

/// The service name of `V11-HMAC-SHA256` scopes for MetaStudio.
const V11_SERVICE: &str = "metastudio";

fn credentials(auth: Result<AuthChoice, CliError>) -> CliResult<AccessKeyCredentials> {
    match auth? {
        AuthChoice::Emulator => Ok(AccessKeyCredentials::new(
            ttsc_emulator::DEMO_AK,
            ttsc_emulator::DEMO_SK,
        )),
        AuthChoice::Chain(found) => found.credentials.access_key().cloned().ok_or_else(|| {
            CliError::config("ttsc sign needs AK/SK credentials; the credentials found are a token")
        }),
        AuthChoice::Token { .. } | AuthChoice::Password { .. } => Err(CliError::usage(
            "ttsc sign shows AK/SK signatures; token authentication signs nothing",
        )
        .hint(format!(
            "unset {} / --auth-token to sign with AK/SK",
            env_vars::TTSC_AUTH_TOKEN
        ))),
    }
}

/// `'text'` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `ttsc sign`.
pub fn run(ctx: &mut Ctx, args: &SignArgs) -> CliResult<ExitCode> {
    let body = match &args.data {
        Some(d) if d.starts_with('@') => crate::read::bytes(
            std::path::Path::new(&d[1..]),
            crate::read::MAX_SIGN_DATA_BYTES,
            "--data file",
        )?,
        Some(d) => d.clone().into_bytes(),
        None => Vec::new(),
    };
    // Resolved once: resolving reads the credentials file.
    let resolved = ctx.resolve();
    let settings = match args.algorithm {
        SigningAlgorithm::V11HmacSha256 => {
            let region = resolved.region.map(|r| r.value).ok_or_else(|| {
                CliError::usage("--algorithm V11-HMAC-SHA256 needs --region (its credential scope)")
            })?;
            SigningSettings::derived(region, V11_SERVICE)
        }
        other => SigningSettings::new(other),
    };
    let url = &args.url;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(CliError::usage("invalid value for --url (no host)")),
    };
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let query_refs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let header_refs: Vec<(&str, &str)> = args
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();

    let ak = credentials(resolved.auth)?;
    let signer = Signer::new(&ak, settings)
        .map_err(|e| CliError::config("unusable AK/SK credentials").cause(e.to_string()))?;
    let time = args.date.unwrap_or_else(SystemTime::now);
    let request = SignableRequest::new(&args.method, &host, url.path())
        .with_query(&query_refs)
        .with_headers(&header_refs)
        .with_body(&body);
    let signed = signer
        .sign(&request, time)
        .map_err(|e| CliError::usage(format!("cannot sign this request: {e}")))?;
    let full_url = format!("{}://{}{}", url.scheme(), host, signed.request_uri());

    // What is sent: the caller's headers, then the signer's.
    let mut headers: Vec<(String, String)> = vec![("Host".into(), host.clone())];
    headers.extend(args.headers.iter().cloned());
    headers.extend(
        signed
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );

    let mut out = ctx.output();
    if args.curl {
        let mut cmd = format!("curl -X {} {}", args.method, shell_quote(&full_url));
        for (k, v) in headers.iter().filter(|(k, _)| k != "Host") {
            if k.eq_ignore_ascii_case(X_SECURITY_TOKEN) {
                cmd.push_str(&format!(
                    " \\\n  -H \"{k}: ${}\"",
                    env_vars::HUAWEICLOUD_SDK_SECURITY_TOKEN
                ));
            } else {
                cmd.push_str(&format!(" \\\n  -H {}", shell_quote(&format!("{k}: {v}"))));
            }
        }
        if !body.is_empty() {
            cmd.push_str(&format!(
                " \\\n  --data-raw {}",
                shell_quote(&String::from_utf8_lossy(&body))
            ));
        }
        out.text(&format!("{cmd}\n"))?;
        out.flush()?;
        return Ok(ExitCode::Success);
    }
    let shown: Vec<Header> = headers
        .iter()
        .map(|(k, v)| Header {
            name: k.clone(),
            value: if k.eq_ignore_ascii_case(X_SECURITY_TOKEN) {
                MASK.to_string()
            } else {
                v.clone()
            },
        })
        .collect();
    let report = Signed {
        method: args.method.clone(),
        url: full_url,
        canonical_request: signed.canonical_request().to_string(),
        gateway_form: signed.canonical_request().to_gateway_form(),
        string_to_sign: signed.string_to_sign().to_string(),
        headers: shown,
    };
    match out.format() {
        OutputFormat::Json | OutputFormat::Ndjson => out.object(&report)?,
        OutputFormat::Table | OutputFormat::Csv => {
            let mut text = format!(
                "Canonical request:\n{}\n\nGateway form (as quoted in APIGW.0301 messages):\n{}\n\nString to sign:\n{}\n\nHeaders:\n",
                report.canonical_request, report.gateway_form, report.string_to_sign
            );
            for h in &report.headers {
                text.push_str(&format!("{}: {}\n", h.name, h.value));
            }
            text.push_str(&format!("\nURL:\n{} {}\n", report.method, report.url));
            out.text(&text)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
}
