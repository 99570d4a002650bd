//! Every signing vector, stage by stage: the bundled files (computed with Huawei's
//! official Python signer) and any file named in `TTSC_SIGNING_VECTORS`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a program prints"
)]

mod common;

use std::fmt::Write as _;

use common::{Case, load, sign_case, try_load, vector_files};

/// How many differing cases a failure lists in full.
const SHOWN_MISMATCHES: usize = 5;

/// Compares one case; `None` when every stage agrees, else a report.
fn check(case: &Case) -> Option<String> {
    let out = match sign_case(case) {
        Ok(out) => out,
        Err(e) => return Some(format!("case `{}`: signing failed: {e}\n", case.name)),
    };
    let canonical = out.canonical_request().as_str();
    let string_to_sign = out.string_to_sign().to_string();
    let stages = [
        (
            "canonical request",
            canonical,
            case.expected.canonical_request.as_str(),
        ),
        (
            "string to sign",
            &string_to_sign,
            &case.expected.string_to_sign,
        ),
        (
            "Authorization",
            out.authorization(),
            &case.expected.authorization,
        ),
        ("request_uri", out.request_uri(), &case.expected.request_uri),
    ];
    let differing: Vec<&str> = stages
        .iter()
        .filter(|(_, actual, expected)| actual != expected)
        .map(|(stage, _, _)| *stage)
        .collect();
    if differing.is_empty() {
        return None;
    }
    let mut report = format!(
        "case `{}` differs in: {}\n",
        case.name,
        differing.join(", ")
    );
    let _ = writeln!(
        report,
        "  expected canonical request:\n{}",
        indent(&case.expected.canonical_request)
    );
    let _ = writeln!(report, "  actual canonical request:\n{}", indent(canonical));
    for (stage, actual, expected) in &stages[1..] {
        if actual != expected {
            let _ = writeln!(
                report,
                "  expected {stage}: {expected}\n  actual {stage}:   {actual}"
            );
        }
    }
    Some(report)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    |{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_vector_file_matches_stage_by_stage() {
    let mut failures = Vec::new();
    for path in vector_files() {
        let cases = load(&path);
        assert!(!cases.is_empty(), "{} holds no cases", path.display());
        let mismatches: Vec<String> = cases.iter().filter_map(check).collect();
        println!(
            "checked {} signing vectors from {}",
            cases.len(),
            path.display()
        );
        if !mismatches.is_empty() {
            let mut report = format!(
                "{} of {} cases in {} differ; the first {}:\n",
                mismatches.len(),
                cases.len(),
                path.display(),
                mismatches.len().min(SHOWN_MISMATCHES)
            );
            for m in mismatches.iter().take(SHOWN_MISMATCHES) {
                report.push_str(m);
            }
            failures.push(report);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn bundled_vectors_cover_every_algorithm() {
    let path = &vector_files()[0];
    let cases = load(path);
    assert_eq!(
        cases.len(),
        28,
        "signing.json changed; update this count deliberately"
    );
    for algorithm in ["SDK-HMAC-SHA256", "V11-HMAC-SHA256", "SDK-HMAC-SM3"] {
        assert!(
            cases.iter().any(|c| c.algorithm == algorithm),
            "{algorithm}"
        );
    }
    let guide = cases
        .iter()
        .find(|c| c.name == "huawei_signing_guide_worked_example")
        .expect("the signing guide example is bundled");
    let out = sign_case(guide).expect("signs");
    assert!(
        out.authorization().ends_with(
            "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        ),
        "{}",
        out.authorization()
    );
}

#[test]
fn a_wrong_expectation_is_reported_with_both_canonical_requests() {
    let mut case = load(&vector_files()[0]).remove(0);
    case.expected.canonical_request.push('x');
    case.expected.request_uri.push('y');
    let report = check(&case).expect("a mismatch is reported");
    assert!(
        report.contains("differs in: canonical request, request_uri"),
        "{report}"
    );
    assert!(report.contains("expected canonical request"), "{report}");
    assert!(report.contains("actual canonical request"), "{report}");
}

#[test]
fn an_unreadable_vector_file_fails() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let message = try_load(&dir.join("no-such-file.json")).expect_err("missing file");
    assert!(
        message.starts_with("cannot read signing vectors"),
        "{message}"
    );
    assert!(message.contains("no-such-file.json"), "{message}");
    let message = try_load(&dir.join("generate_extra.py")).expect_err("not JSON");
    assert!(
        message.starts_with("cannot parse signing vectors"),
        "{message}"
    );
}
