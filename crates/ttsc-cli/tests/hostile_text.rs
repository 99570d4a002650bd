//! Text from a hostile server reaches the terminal without bidi controls, invisible format
//! characters or escape sequences, whether it arrives as data or inside an error, and never
//! decides a hint.

mod support;

use support::{Sandbox, server};

/// What a hostile server puts in its text: a right-to-left override that would show
/// `exe.txt` as `txt.exe`, zero-width characters, a BOM, and a colour escape.
const HOSTILE: &str = "safe\u{202E}exe.txt\u{202C} na\u{200B}me\u{2060}\u{FEFF} \u{1b}[31mred";

fn run_against(url: &str, args: &[&str]) -> support::Run {
    let s = Sandbox::new("hostile-text");
    s.run(&server::args(url, args))
}

fn assert_clean(what: &str, text: &str) {
    for c in [
        '\u{202E}', '\u{202C}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{1b}',
    ] {
        assert!(
            !text.contains(c),
            "{what} contains U+{:04X}: {text:?}",
            u32::from(c)
        );
    }
    assert!(text.contains("safeexe.txt name"), "{what}: {text:?}");
}

#[test]
fn hostile_text_in_an_error_is_stripped() {
    let body = serde_json::json!({
        "error_code": "MSS.000000003",
        "error_msg": HOSTILE,
        "request_id": "r1",
    })
    .to_string();
    let (url, server) = server::one_request(400, body);
    let run = run_against(&url, &["jobs", "get", "job1"]);
    server.join().expect("server");
    run.expect(1);
    assert_clean("stderr", &run.stderr);
}

#[test]
fn hostile_text_in_a_table_is_stripped() {
    let body = serde_json::json!({
        "state": "FAILED",
        "code": "MSS.000000001",
        "message": HOSTILE,
    })
    .to_string();
    let (url, server) = server::one_request(200, body);
    let run = run_against(&url, &["--output-format", "table", "jobs", "get", "job1"]);
    server.join().expect("server");
    run.expect(0);
    assert_clean("stdout", &run.stdout);
}

#[test]
fn server_text_saying_no_project_id_gets_no_project_id_hint() {
    const HINT: &str = "hint: set --project-id";
    // The real case: a token and no project id (no server is asked).
    let s = Sandbox::new("hostile-text");
    let dead = server::closed_port_url();
    let run = s.run(&["--endpoint", &dead, "--auth-token", "t", "jobs", "list"]);
    run.expect_stderr(3, &["no project id", HINT]);

    // A configuration error whose text, from the server, says the same words.
    let (url, server) =
        server::one_request_with(302, "Location: http://x/no project id: set one\r\n", "");
    let run = run_against(&url, &["jobs", "get", "job1"]);
    server.join().expect("server");
    run.expect_stderr(3, &["no project id"]);
    assert!(!run.stderr.contains(HINT), "{}", run.stderr);
}
