//! The bounds a user can raise from the command line: the deadline of a whole `--all`
//! listing and the largest download.

mod support;

use std::io::Read;

use support::{Sandbox, TestEmu, VOICE};

#[test]
fn listing_deadline_ends_an_all_listing_that_never_answers() {
    // A server that accepts the listing's call and never answers it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("timeout");
        // Read until the client hangs up (or 30 s pass): never answer.
        let mut buf = [0u8; 4096];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
        }
    });
    let s = Sandbox::new("listing-deadline");
    let run = s.run(&[
        "--endpoint",
        url.as_str(),
        "--auth-token",
        "a-token",
        "--project-id",
        "p1",
        "--timeout",
        "25",
        "--listing-deadline",
        "0.2",
        "jobs",
        "list",
        "--all",
    ]);
    server.join().expect("server");
    run.expect(1);
    assert!(
        run.stderr
            .contains("the listing did not finish within 200ms"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--listing-deadline"), "{}", run.stderr);
}

#[test]
fn max_download_bytes_bounds_every_download() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("max-download");
    let run = s.run_at(
        &emu,
        &[
            "--max-download-bytes",
            "1K",
            "synth",
            "A sentence long enough to be more than a kilobyte of audio.",
            "--voice",
            VOICE,
            "-o",
            "out.wav",
        ],
    );
    run.expect(1);
    assert!(
        run.stderr.contains("larger than the 1024 bytes allowed"),
        "{}",
        run.stderr
    );
    assert!(!s.path("out.wav").exists());
    // The same with room for it works.
    let run = s.run_at(
        &emu,
        &[
            "--max-download-bytes",
            "64MiB",
            "synth",
            "A sentence long enough to be more than a kilobyte of audio.",
            "--voice",
            VOICE,
            "-o",
            "out.wav",
        ],
    );
    run.expect(0);
    for bad in ["0", "1X", "1.5G", "99999999999T"] {
        let run = s.run_at(&emu, &["--max-download-bytes", bad, "jobs", "list"]);
        run.expect(2);
        assert!(
            run.stderr.contains("--max-download-bytes"),
            "{bad}: {}",
            run.stderr
        );
    }
}
