//! Ids are not paths: an id that names files is letters, digits, `-` and `_`, and the
//! extension comes from the file's kind and the audio format, never from a server's URL.

mod support;

use support::{Sandbox, TestEmu, server};

#[test]
fn an_id_that_is_a_path_exits_2_and_writes_nothing() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("ids-paths");
    std::fs::create_dir_all(s.path("a/b/d")).unwrap();
    let absolute = s.path("abs-target").display().to_string();
    for cmd in ["jobs", "audition"] {
        for id in ["../../escaped", absolute.as_str(), "a.b", "x/y"] {
            let run = s.run_at(&emu, &[cmd, "download", id, "--out-dir", "a/b/d"]);
            run.expect_stderr(2, &["for ID"]);
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
    server::routes(max, |base, path| {
        if path.starts_with("/files/") {
            let mut wav = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x80\x3e\0\0\0\x7d\0\0\x02\0\x10\0data\0\0\0\0".to_vec();
            wav.truncate(44);
            ("audio/wav", wav)
        } else if path.contains("/ttsc/async-jobs/") {
            let url = format!("{base}/files/j1.sh");
            let job = format!(r#"{{"state":"SUCCEED","audio_file_url":"{url}"}}"#);
            ("application/json", job.into_bytes())
        } else if path.contains("/ttsc/tts-jobs") {
            (
                "application/json",
                br#"{"count":1,"data":[{"job_id":"j1","audio_format":"WAV","job_state":"SUCCEED"}]}"#
                    .to_vec(),
            )
        } else {
            ("application/json", b"{}".to_vec())
        }
    })
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
/// `max` requests, then stops.
fn html_preview_server(max: usize) -> (String, std::thread::JoinHandle<()>) {
    server::routes(max, |base, path| {
        if path.starts_with("/files/") {
            let page = "<html><body>Please log in</body></html>";
            ("text/html", page.as_bytes().to_vec())
        } else {
            let files = format!(
                r#"{{"is_file_complete":true,"code":"0","files":[{{"download_url":"{base}/files/p1.wav"}}]}}"#
            );
            ("application/json", files.into_bytes())
        }
    })
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
    run.expect_stderr(1, &["HTML"]);
    assert_eq!(
        std::fs::read_dir(s.path("out")).unwrap().count(),
        0,
        "no file left: {}",
        run.stderr
    );
}
