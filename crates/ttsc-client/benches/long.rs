//! Long synthesis against the in-process emulator: the wall time of a text of 8 parts at
//! concurrency 4 (`long/8_parts_c4`) against the time of one of those parts alone
//! (`long/1_part`). The ideal is `ceil(8 / 4) × one part`; the target is 1.2x of it.
//!
//! Every job takes the same emulated time (`job_duration_ms` scaled by its length), the
//! client polls every 10 ms, and the parts' files are downloaded and joined (WAV and SRT),
//! so the measurement covers everything `synthesize` does beyond waiting.
//!
//! `TTSC_BENCH_JOB_MS` sets the emulator's `job_duration_ms` (default 150, so a part takes
//! about 0.26 s and the run's fixed costs show; the emulator's own default is 1500).
//!
//! Run (about 20 s at the default, 90 s at 1500):
//! `cargo bench -p ttsc-client --bench long -- --warm-up-time 1 --measurement-time 5`.

#[path = "../tests/common/emulator.rs"]
mod emulator;

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ttsc_client::split::split_text;
use ttsc_client::{SynthesizeRequest, WaitOptions};
use ttsc_emulator::{DEMO_VOICE, Emulator};
use ttsc_models::CreateAsyncTtsJobRequestBody;

const PART_CHARS: usize = 500;
const PARTS: usize = 8;
const CONCURRENCY: usize = 4;
/// A job of up to 100 characters takes this long by default; one of 500 takes 1.8 times
/// as long.
const JOB_MS: u64 = 150;

/// `PARTS` paragraphs of the same length, each just under `PART_CHARS`: the splitter cuts
/// at every paragraph break, so the text is exactly `PARTS` parts of equal length and any
/// one of them is a fair "one part alone". (Filling sentences to 90 % of
/// `PARTS × PART_CHARS` instead gave 9 parts: the splitter keeps parts near even length and
/// cuts only at sentence ends, which do not fall where 8 even parts would need them.)
fn text() -> String {
    let sentence = "The parts of a long text run as jobs side by side. ";
    let paragraph = sentence.repeat((PART_CHARS - 2) / sentence.len());
    let text = [paragraph.trim_end(); PARTS].join("\n\n");
    let parts = split_text(&text, PART_CHARS);
    assert_eq!(parts.len(), PARTS, "the text must split into PARTS parts");
    assert!(
        parts.iter().all(|p| p.trim_end() == parts[0].trim_end()),
        "the parts must be alike"
    );
    text
}

fn long(c: &mut Criterion) {
    let job_ms = std::env::var("TTSC_BENCH_JOB_MS").map_or(JOB_MS, |v| {
        v.parse().expect("TTSC_BENCH_JOB_MS is a number of ms")
    });
    let served = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let emu = served
        .block_on(Emulator::builder().job_duration_ms(job_ms).start())
        .expect("emulator");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let client = emulator::client_at(&emu).build().expect("client");
    let dir = std::env::temp_dir().join(format!("ttsc-bench-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let wait = WaitOptions::for_jobs().interval(Duration::from_millis(10));
    let text = text();
    let one_part = split_text(&text, PART_CHARS)[0].to_owned();

    let run = |text: &str, name: &str| {
        let request = SynthesizeRequest::new(
            CreateAsyncTtsJobRequestBody::new(text, DEMO_VOICE),
            dir.join(format!("{name}.wav")),
        )
        .subtitles(dir.join(format!("{name}.srt")))
        .max_part_chars(PART_CHARS)
        .concurrency(CONCURRENCY)
        .wait(wait.clone());
        rt.block_on(client.synthesize(request)).expect("synthesis");
    };

    let mut group = c.benchmark_group("long");
    // Each iteration takes hundreds of milliseconds: ten samples of the same few iterations
    // (flat sampling) keep the run to seconds instead of criterion's linear 1..10 ramp.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("1_part", |b| b.iter(|| run(&one_part, "one")));
    group.bench_function("8_parts_c4", |b| b.iter(|| run(&text, "eight")));
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, long);
criterion_main!(benches);
