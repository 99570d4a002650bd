//! Ids are not paths: an id that names files is letters, digits, `-` and `_`, and the
//! extension comes from the file's kind and the audio format, never from a server's URL.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use support::{Sandbox, TestEmu};

#[test]
fn an_id_that_is_a_path_exits_2_and_writes_nothing() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("ids-paths");
    std::fs::create_dir_all(s.path("a/b/d")).unwrap();
    let absolute = s.path("abs-target").display().to_string();
    for cmd in ["jobs", "audition"] {
        for id in ["../../escaped", absolute.as_str(), "a.b", "x/y"] {
            let run = s.run_at(&emu, &[cmd, "download", id, "--out-dir", "a/b/d"]);
            run.expect(2);
            assert!(run.stderr.contains("for ID"), "{}", run.stderr);
        }
    }
    assert!(emu.emu.requests().is_empty());
    assert!(!s.path("escaped").exists() && !s.path("a/escaped").exists());
    assert!(!s.path("abs-target").exists());
    assert_eq!(std::fs::read_dir(s.path("a/b/d")).unwrap().count(), 0);
}

/// A server that answers every call for job `j1` and serves its audio (a WAV) at a URL
/// ending in `.sh`. It serves `max` requests, then stops.
fn hostile_server(max: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let url = format!("{base}/files/j1.sh");
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        while served < max {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            served += serve(stream, &url, max - served);
        }
    });
    (base, handle)
}

/// Answers up to `max` requests on one connection; returns how many.
fn serve(stream: TcpStream, url: &str, max: usize) -> usize {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    for served in 0..max {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return served;
        }
        let mut length = 0usize;
        for _ in 0..100 {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length.min(1 << 20)];
        let _ = reader.read_exact(&mut body);
        let path = request_line.split(' ').nth(1).unwrap_or("");
        let (kind, body): (&str, Vec<u8>) = if path.starts_with("/files/") {
            let mut wav = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data\0\0\0\0".to_vec();
            wav.truncate(44);
            ("audio/wav", wav)
        } else if path.contains("/ttsc/async-jobs/") {
            (
                "application/json",
                format!(r#"{{"state":"SUCCEED","audio_file_url":"{url}"}}"#).into_bytes(),
            )
        } else if path.contains("/ttsc/tts-jobs") {
            (
                "application/json",
                br#"{"count":1,"data":[{"job_id":"j1","audio_format":"WAV","job_state":"SUCCEED"}]}"#
                    .to_vec(),
            )
        } else {
            ("application/json", b"{}".to_vec())
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nX-Request-Id: r1\r\n\r\n",
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return served + 1;
        }
    }
    max
}

#[test]
fn the_audio_extension_comes_from_the_format_not_the_url() {
    let (base, _server) = hostile_server(20);
    let s = Sandbox::with_demo_keys("ids-ext");
    let run = s.run(&[
        "--endpoint",
        &base,
        "--project-id",
        "p1",
        "jobs",
        "download",
        "j1",
        "--out-dir",
        "out",
    ]);
    run.expect(0);
    let names: Vec<String> = std::fs::read_dir(s.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["j1.wav"], "{}", run.stderr);
}

/// A server whose preview `p1` is complete and whose file is an HTML page; it answers
/// `max` requests, one per connection, then stops.
fn html_preview_server(max: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let file_url = format!("{base}/files/p1.wav");
    let handle = std::thread::spawn(move || {
        for _ in 0..max {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            for _ in 0..100 {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let path = request_line.split(' ').nth(1).unwrap_or("");
            let (kind, body) = if path.starts_with("/files/") {
                (
                    "text/html",
                    "<html><body>Please log in</body></html>".to_string(),
                )
            } else {
                (
                    "application/json",
                    format!(
                        r#"{{"is_file_complete":true,"code":"0","files":[{{"download_url":"{file_url}"}}]}}"#
                    ),
                )
            };
            let _ = write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\nX-Request-Id: r1\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, handle)
}

#[test]
fn a_preview_download_is_checked_like_a_jobs_audio() {
    let (base, _server) = html_preview_server(10);
    let s = Sandbox::with_demo_keys("preview-html");
    std::fs::create_dir(s.path("out")).unwrap();
    let run = s.run(&[
        "--endpoint",
        &base,
        "--project-id",
        "p1",
        "audition",
        "download",
        "p1",
        "--out-dir",
        "out",
    ]);
    run.expect(1);
    assert!(run.stderr.contains("HTML"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(s.path("out")).unwrap().count(),
        0,
        "no file left: {}",
        run.stderr
    );
}
