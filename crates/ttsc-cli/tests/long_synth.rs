//! `ttsc synth` of a 60,000-character text: one WAV and one SRT whose cues are numbered
//! without gaps, never go backwards, end with the audio and carry the whole text; killed
//! with SIGKILL half-way and run again, it gives the same files as an uninterrupted run
//! without creating a part twice.

mod support;

use support::{Sandbox, TestEmu, VOICE, parts_with_jobs};
use ttsc_client::split::split_text;
use ttsc_emulator::Emulator;

/// About `chars` characters of English and Chinese with numbers, abbreviations, quotes
/// and paragraphs.
fn mixed_text(chars: usize) -> String {
    let pieces = [
        "Dr. Li measured 3.14 metres of cable, e.g. for the 2,048 new ports. ",
        "今天天气很好，我们一起去公园散步吧。",
        "The quick brown fox jumps over the lazy dog! ",
        "他说：“明天见。”然后就走了；大家都笑了。",
        "Is this the end? Not yet… See https://example.com/a.html for more. ",
        "\n\n",
    ];
    let mut text = String::new();
    let mut k = 0;
    while text.chars().count() < chars {
        text.push_str(pieces[k % pieces.len()]);
        k += 1;
    }
    let mut text: String = text.chars().take(chars - 1).collect();
    text.push('。');
    text
}

fn srt_time(s: &str) -> u64 {
    let (hms, ms) = s.trim().split_once(',').unwrap();
    let f: Vec<u64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    f[0] * 3_600_000 + f[1] * 60_000 + f[2] * 1000 + ms.parse::<u64>().unwrap()
}

#[test]
fn a_60000_character_text_survives_sigkill_and_becomes_one_wav_and_one_srt() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(40));
    let s = Sandbox::with_demo_keys("long");
    let text = mixed_text(60_000);
    assert_eq!(text.chars().count(), 60_000);
    s.write("book.txt", &text);
    let parts = split_text(&text, 10_000).len();
    assert!(parts >= 6, "{parts}");
    let args = emu.args_with(&[
        "--output-format",
        "json",
        "synth",
        "--text-file",
        "book.txt",
        "--voice",
        VOICE,
        "--speed",
        "200",
        "-o",
        "book.wav",
        "--srt",
        "book.srt",
    ]);

    // Kill it once some parts have jobs and before the output exists.
    let journal = s.path(".book.wav.ttsc-parts.json");
    s.kill_when(&args, || parts_with_jobs(&journal) >= 2);
    assert!(!s.path("book.wav").exists(), "nothing at the output path");
    assert!(!s.path("book.srt").exists());
    let created_before = emu.emu.operation_stats("CreateAsyncTtsJob").total as usize;
    assert!(created_before < parts + 1, "killed half-way");

    let rerun = s.run(&args);
    rerun.expect(0);
    let out = rerun.json();
    assert_eq!(out["job_ids"].as_array().unwrap().len(), parts);
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total as usize,
        parts,
        "no part was created twice"
    );

    // One WAV: one header, then the samples.
    let wav = std::fs::read(s.path("book.wav")).unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[36..40], b"data");
    let data = u64::from(u32::from_le_bytes(wav[40..44].try_into().unwrap()));
    assert_eq!(wav.len() as u64, 44 + data);
    let rate = u64::from(u32::from_le_bytes(wav[24..28].try_into().unwrap()));
    let align = u64::from(u16::from_le_bytes(wav[32..34].try_into().unwrap()));
    let audio_ms = data / align * 1000 / rate;

    // One SRT: cues 1..N, never backwards, the last ending with the audio, the whole text.
    let srt = std::fs::read_to_string(s.path("book.srt")).unwrap();
    let mut said = String::new();
    let mut previous_end = 0;
    let mut n = 0;
    for block in srt.split_terminator("\n\n") {
        n += 1;
        let mut lines = block.lines();
        assert_eq!(
            lines.next().unwrap(),
            n.to_string(),
            "numbered without gaps"
        );
        let (a, b) = lines.next().unwrap().split_once(" --> ").unwrap();
        let (start, end) = (srt_time(a), srt_time(b));
        assert!(
            start >= previous_end && end > start,
            "cue {n} goes backwards"
        );
        previous_end = end;
        let text: Vec<&str> = lines.collect();
        assert!(!text.is_empty(), "cue {n} has text");
        for line in text {
            said.push_str(line);
        }
    }
    assert!(n > parts, "{n} cues for {parts} parts");
    assert_eq!(previous_end, audio_ms, "the last cue ends with the audio");
    // Whitespace is ignored, and only whitespace: the emulator rebuilds each cue's text from
    // tokens, joining words with one space and breaking lines and cues where it cuts, so
    // paragraph breaks and runs of spaces do not survive. Every other character of the
    // input must appear, once and in order.
    let visible = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        visible(&said),
        visible(&text),
        "the subtitles carry the whole text in order"
    );

    // Nothing else is left: no parts, no journal, no temporary files.
    let mut names = s.names("");
    names.retain(|n| n.starts_with(".book") || n.starts_with("book"));
    assert_eq!(names, ["book.srt", "book.txt", "book.wav"]);

    // The same result as a run that was never interrupted.
    let whole: Vec<String> = args
        .iter()
        .map(|a| match a.as_str() {
            "book.wav" => "whole.wav".to_string(),
            "book.srt" => "whole.srt".to_string(),
            _ => a.clone(),
        })
        .collect();
    s.run(&whole).expect(0);
    assert!(
        std::fs::read(s.path("whole.wav")).unwrap() == wav,
        "the same audio"
    );
    assert_eq!(std::fs::read_to_string(s.path("whole.srt")).unwrap(), srt);
}

#[test]
fn long_text_flags_are_checked_before_anything_is_sent() {
    let emu = TestEmu::new();
    let s = Sandbox::with_demo_keys("long-flags");
    s.write("t.txt", &mixed_text(300));
    let base = emu.args_with(&[
        "synth",
        "--text-file",
        "t.txt",
        "--voice",
        VOICE,
        "-o",
        "t.wav",
    ]);
    for bad in [
        ["--max-part-chars", "0"],
        ["--max-part-chars", "10001"],
        ["--concurrency", "0"],
    ] {
        let mut args = base.clone();
        args.extend(bad.map(String::from));
        let run = s.run(&args);
        run.expect_stderr(2, &[bad[0]]);
    }
    let mut args = base.clone();
    args.extend(["--max-part-chars", "100", "--no-wait"].map(String::from));
    let run = s.run(&args);
    run.expect_stderr(2, &["--no-wait"]);
    let mut args = base.clone();
    args.extend(["--max-part-chars", "100", "--speed", "999"].map(String::from));
    s.run(&args).expect(2);
    assert_eq!(emu.emu.operation_stats("CreateAsyncTtsJob").total, 0);
    assert!(!s.path("t.wav").exists());
    assert!(!s.path(".t.wav.ttsc-parts.json").exists());
}
