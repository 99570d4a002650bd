//! The bounds a user can raise from the command line: the deadline of a whole `--all`
//! listing and the largest download.

mod support;

use support::{Sandbox, TestEmu, VOICE, server};

#[test]
fn listing_deadline_ends_an_all_listing_that_never_answers() {
    // A server that accepts the listing's call and never answers it.
    let (url, server) = server::never_answers();
    let s = Sandbox::new("listing-deadline");
    let run = s.run(&server::args(
        &url,
        &[
            "--timeout",
            "25",
            "--listing-deadline",
            "0.2",
            "jobs",
            "list",
            "--all",
        ],
    ));
    server.join().expect("server");
    run.expect_stderr(
        1,
        &[
            "the listing did not finish within 200ms",
            "--listing-deadline",
        ],
    );
}

#[test]
fn max_download_bytes_bounds_every_download() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("max-download");
    let synth = |limit: &str| {
        s.run_at(
            &emu,
            &[
                "--max-download-bytes",
                limit,
                "synth",
                "A sentence long enough to be more than a kilobyte of audio.",
                "--voice",
                VOICE,
                "-o",
                "out.wav",
            ],
        )
    };
    let run = synth("1K");
    run.expect_stderr(1, &["larger than the 1024 bytes allowed"]);
    assert!(!s.path("out.wav").exists());
    // The same with room for it works.
    synth("64MiB").expect(0);
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
