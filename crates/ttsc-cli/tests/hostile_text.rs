//! Text from a hostile server reaches the terminal without bidi controls, invisible format
//! characters or escape sequences, whether it arrives as data or inside an error.

mod support;

use std::io::{Read, Write};

use support::Sandbox;

/// What a hostile server puts in its text: a right-to-left override that would show
/// `exe.txt` as `txt.exe`, zero-width characters, a BOM, and a colour escape.
const HOSTILE: &str = "safe\u{202E}exe.txt\u{202C} na\u{200B}me\u{2060}\u{FEFF} \u{1b}[31mred";

/// A one-request server on loopback answering `status` with the JSON `body`.
fn serve_once(status: u16, body: String) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
            match conn.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let _ = write!(
            conn,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    (url, server)
}

fn run_against(url: &str, args: &[&str]) -> support::Run {
    let s = Sandbox::new("hostile-text");
    let mut all = vec![
        "--endpoint",
        url,
        "--auth-token",
        "a-token",
        "--project-id",
        "p1",
    ];
    all.extend(args);
    s.run(&all)
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
    let (url, server) = serve_once(400, body);
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
    let (url, server) = serve_once(200, body);
    let run = run_against(&url, &["--output-format", "table", "jobs", "get", "job1"]);
    server.join().expect("server");
    run.expect(0);
    assert_clean("stdout", &run.stdout);
}
