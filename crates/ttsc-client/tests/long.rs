//! Long synthesis against the emulator: parts as concurrent jobs, joined audio, merged
//! subtitles and timestamps, and resuming an interrupted run without duplicate jobs.

#[path = "common/emulator.rs"]
mod emulator;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use emulator::client_at;
use ttsc_client::split::split_text;
use ttsc_client::{Client, SynthesizeRequest, WaitOptions};
use ttsc_emulator::{DEMO_VOICE, Emulator};
use ttsc_models::{AudioFormat, CreateAsyncTtsJobRequestBody};

const CREATE: &str = "CreateAsyncTtsJob";

async fn start() -> (Emulator, Client) {
    let emu = Emulator::builder()
        .job_duration_ms(60)
        .start()
        .await
        .expect("emulator starts");
    let client = client_at(&emu).build().expect("client builds");
    (emu, client)
}

fn fast_wait() -> WaitOptions {
    WaitOptions::for_jobs()
        .interval(Duration::from_millis(20))
        .max_wait(Duration::from_secs(60))
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ttsc-long-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// About `chars` characters of English and Chinese sentences, with numbers, abbreviations
/// and paragraph breaks.
fn mixed_text(chars: usize) -> String {
    let pieces = [
        "Dr. Li measured 3.14 metres of cable, e.g. for the 2,048 new ports. ",
        "今天天气很好，我们一起去公园散步吧。",
        "The quick brown fox jumps over the lazy dog! ",
        "他说：“明天见。”然后就走了；大家都笑了。",
        "Is this the end? Not yet… ",
        "\n\n",
    ];
    let mut text = String::new();
    let mut k = 0;
    while text.chars().count() < chars {
        text.push_str(pieces[k % pieces.len()]);
        k += 1;
    }
    text.trim_end().to_owned()
}

/// (index, start ms, end ms, text) of each cue.
fn parse_srt(srt: &str) -> Vec<(usize, u64, u64, String)> {
    let time = |s: &str| {
        let (hms, ms) = s.trim().split_once(',').unwrap();
        let f: Vec<u64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
        f[0] * 3_600_000 + f[1] * 60_000 + f[2] * 1000 + ms.parse::<u64>().unwrap()
    };
    srt.split_terminator("\n\n")
        .map(|block| {
            let mut lines = block.lines();
            let index = lines.next().unwrap().parse().unwrap();
            let (a, b) = lines.next().unwrap().split_once(" --> ").unwrap();
            (index, time(a), time(b), lines.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

fn wav_duration_ms(wav: &[u8]) -> u64 {
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(&wav[36..40], b"data", "one header, then the data");
    let data = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as u64;
    assert_eq!(data + 44, wav.len() as u64);
    let rate = u32::from_le_bytes(wav[24..28].try_into().unwrap()) as u64;
    let align = u16::from_le_bytes(wav[32..34].try_into().unwrap()) as u64;
    data / align * 1000 / rate
}

fn hidden_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn strip(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[tokio::test]
async fn a_long_text_becomes_one_wav_with_continuous_subtitles_and_timestamps() {
    let (emu, c) = start().await;
    let dir = tempdir("wav");
    let text = mixed_text(2_400);
    let parts = split_text(&text, 400).len();
    assert!(parts >= 6, "{parts}");
    let seen = Arc::new(AtomicUsize::new(0));
    let most_in_flight = Arc::new(AtomicUsize::new(0));
    let (s, m) = (Arc::clone(&seen), Arc::clone(&most_in_flight));
    let done = c
        .synthesize(
            SynthesizeRequest::new(
                CreateAsyncTtsJobRequestBody::new(text.clone(), DEMO_VOICE).speed(200),
                dir.join("book.wav"),
            )
            .subtitles(dir.join("book.srt"))
            .timestamps(dir.join("book.json"))
            .max_part_chars(400)
            .concurrency(3)
            .wait(fast_wait())
            .on_parts_progress(move |p| {
                s.store(p.done, Ordering::SeqCst);
                m.fetch_max(p.in_flight, Ordering::SeqCst);
            }),
        )
        .await
        .unwrap();

    assert_eq!(emu.requests_for(CREATE).len(), parts, "one job per part");
    assert_eq!(done.job_ids.len(), parts);
    assert_eq!(seen.load(Ordering::SeqCst), parts);
    assert!(most_in_flight.load(Ordering::SeqCst) <= 3);

    let wav = std::fs::read(dir.join("book.wav")).unwrap();
    assert_eq!(done.audio.bytes, wav.len() as u64);
    let audio_ms = wav_duration_ms(&wav);

    let cues = parse_srt(&std::fs::read_to_string(dir.join("book.srt")).unwrap());
    let mut previous_end = 0;
    for (n, (index, start, end, _)) in cues.iter().enumerate() {
        assert_eq!(*index, n + 1, "numbered without gaps");
        assert!(
            *start >= previous_end && end > start,
            "cue {index} goes backwards"
        );
        previous_end = *end;
    }
    assert_eq!(previous_end, audio_ms, "the last cue ends with the audio");
    let said: String = cues.iter().map(|c| c.3.as_str()).collect();
    assert_eq!(
        strip(&said),
        strip(&text),
        "the subtitles are the whole text"
    );

    let ts: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("book.json")).unwrap()).unwrap();
    assert_eq!(ts["duration_ms"], audio_ms);
    let chars: Vec<char> = text.chars().collect();
    let mut last = 0;
    for w in ts["words"].as_array().unwrap() {
        let at = w["char_index"].as_u64().unwrap() as usize;
        let n = w["char_count"].as_u64().unwrap() as usize;
        let word: String = chars[at..at + n].iter().collect();
        assert_eq!(
            w["text"],
            word.as_str(),
            "char_index points into the whole text"
        );
        assert!(w["start_ms"].as_u64().unwrap() >= last);
        last = w["end_ms"].as_u64().unwrap();
    }
    assert!(last <= audio_ms);
    assert!(hidden_files(&dir).is_empty(), "{:?}", hidden_files(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn mp3_parts_are_joined_frame_by_frame() {
    let (_emu, c) = start().await;
    let dir = tempdir("mp3");
    let text = mixed_text(450);
    let body = CreateAsyncTtsJobRequestBody::new(text.clone(), DEMO_VOICE)
        .speed(200)
        .audio_format(AudioFormat::Mp3);
    let done = c
        .synthesize(
            SynthesizeRequest::new(body, dir.join("book.mp3"))
                .subtitles(dir.join("book.srt"))
                .max_part_chars(150)
                .wait(fast_wait()),
        )
        .await
        .unwrap();
    assert!(done.job_ids.len() >= 3);
    let mp3 = std::fs::read(dir.join("book.mp3")).unwrap();
    // Walk the frames: constant 64 kbit/s MPEG-2 Layer III at 16 kHz (288 bytes each), no
    // Xing/Info frame anywhere.
    assert_eq!(mp3.len() % 288, 0);
    let frames = mp3.len() / 288;
    for f in mp3.chunks(288) {
        assert_eq!(&f[..2], &[0xFF, 0xF3]);
        assert!(!f.windows(4).any(|w| w == b"Info" || w == b"Xing"));
    }
    let audio_ms = frames as u64 * 576 * 1000 / 16_000;
    let cues = parse_srt(&std::fs::read_to_string(dir.join("book.srt")).unwrap());
    assert!(cues.last().unwrap().2 <= audio_ms);
    assert!(cues.windows(2).all(|w| w[1].1 >= w[0].2));
    assert!(hidden_files(&dir).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_interrupted_run_resumes_without_creating_a_part_twice() {
    let (emu, c) = start().await;
    let dir = tempdir("resume");
    let text = mixed_text(3_000);
    let parts = split_text(&text, 300).len();
    let request = SynthesizeRequest::new(
        CreateAsyncTtsJobRequestBody::new(text.clone(), DEMO_VOICE).speed(200),
        dir.join("book.wav"),
    )
    .subtitles(dir.join("book.srt"))
    .max_part_chars(300)
    .concurrency(2)
    .wait(fast_wait());

    // Stop the first run once some parts are done (dropping it cancels everything in
    // flight, possibly in the middle of a create).
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let first = request.clone().on_parts_progress(move |p| {
        if p.done >= 3
            && let Some(tx) = tx.lock().unwrap().take()
        {
            let _ = tx.send(());
        }
    });
    let c1 = c.clone();
    let run = tokio::spawn(async move { c1.synthesize(first).await });
    rx.await.unwrap();
    run.abort();
    let _ = run.await;
    let created_first = emu.requests_for(CREATE).len();
    assert!(created_first < parts, "stopped half-way");
    assert!(!dir.join("book.wav").exists(), "nothing at the output path");
    assert!(dir.join(".book.wav.ttsc-parts.json").exists());

    let done = c.synthesize(request).await.unwrap();
    let creates = emu.requests_for(CREATE).len();
    assert_eq!(creates, parts, "no part was created twice");
    let unique: std::collections::HashSet<_> = done.job_ids.iter().collect();
    assert_eq!(unique.len(), parts);

    // The same result as a run that was never interrupted.
    let again = tempdir("resume-clean");
    c.synthesize(
        SynthesizeRequest::new(
            CreateAsyncTtsJobRequestBody::new(text, DEMO_VOICE).speed(200),
            again.join("book.wav"),
        )
        .subtitles(again.join("book.srt"))
        .max_part_chars(300)
        .wait(fast_wait()),
    )
    .await
    .unwrap();
    for name in ["book.wav", "book.srt"] {
        assert_eq!(
            std::fs::read(dir.join(name)).unwrap(),
            std::fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
    assert!(hidden_files(&dir).is_empty(), "{:?}", hidden_files(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&again).unwrap();
}

#[tokio::test]
async fn bad_part_limits_are_refused_before_anything_is_sent() {
    let (emu, c) = start().await;
    let dir = tempdir("limits");
    for n in [0, 10_001] {
        let err = c
            .synthesize(
                SynthesizeRequest::new(
                    CreateAsyncTtsJobRequestBody::new("Hello.", DEMO_VOICE),
                    dir.join("x.wav"),
                )
                .max_part_chars(n),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ttsc_client::ErrorKind::Validation);
        assert!(err.to_string().contains("max_part_chars"), "{err}");
    }
    // A long text with a bad field: no part is created.
    let err = c
        .synthesize(
            SynthesizeRequest::new(
                CreateAsyncTtsJobRequestBody::new(mixed_text(500), DEMO_VOICE).speed(999),
                dir.join("x.wav"),
            )
            .max_part_chars(100),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ttsc_client::ErrorKind::Validation);
    assert!(emu.requests_for(CREATE).is_empty());
    assert!(hidden_files(&dir).is_empty(), "{:?}", hidden_files(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}
