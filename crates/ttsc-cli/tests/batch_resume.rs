//! `ttsc batch` killed with SIGKILL mid-run, then run again: every output exactly once, no
//! partial files, and no job created twice except those in flight at the kill.

mod support;

use std::collections::{HashMap, HashSet};
use support::{Sandbox, TestEmu, VOICE, batch_args, batch_journal, parts_with_jobs};
use ttsc_emulator::Emulator;

const LINES: usize = 20;
const CONCURRENCY: usize = 4;

fn ids_with(entries: &[serde_json::Value], event: &str) -> HashSet<String> {
    entries
        .iter()
        .filter(|e| e["event"] == event)
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_killed_batch_resumes_without_duplicates() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(1000));
    let s = Sandbox::with_demo_keys("resume");
    // Records list text lengths, not texts: give every line its own length.
    let mut manifest = String::new();
    let mut id_of_length = HashMap::new();
    for i in 0..LINES {
        let text = format!("Line {i:02}.{}", " more".repeat(i));
        id_of_length.insert(text.chars().count() as i64, format!("line-{i:02}"));
        manifest.push_str(
            &serde_json::json!({"id": format!("line-{i:02}"), "text": text, "voice": VOICE})
                .to_string(),
        );
        manifest.push('\n');
    }
    s.write("m.jsonl", &manifest);
    let args = batch_args(&emu, &["--concurrency", &CONCURRENCY.to_string()]);

    s.kill_when(&args, || ids_with(&batch_journal(&s), "done").len() >= 3);
    let before = batch_journal(&s);
    let done_before = ids_with(&before, "done");
    let created_before = ids_with(&before, "created");
    assert!(done_before.len() < LINES, "killed mid-run");

    let rerun = s.run(&args);
    rerun.expect(0);
    let results: Vec<serde_json::Value> = rerun
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), LINES);
    for r in &results {
        let id = r["id"].as_str().unwrap();
        let expected = if done_before.contains(id) {
            "skipped"
        } else {
            "done"
        };
        assert_eq!(r["status"], expected, "{id}");
    }

    // Every output exactly once, complete; nothing partial or temporary.
    let names = s.names("out");
    let mut expected: Vec<String> = (0..LINES).map(|i| format!("line-{i:02}.wav")).collect();
    expected.push(".ttsc-batch.jsonl".into());
    expected.sort();
    assert_eq!(names, expected);
    for i in 0..LINES {
        let wav = std::fs::read(s.path(&format!("out/line-{i:02}.wav"))).unwrap();
        assert!(&wav[..4] == b"RIFF" && &wav[8..12] == b"WAVE");
        let data_len = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
        assert_eq!(wav.len(), 44 + data_len, "line-{i:02}.wav is complete");
    }

    // Creates per line, from the emulator's own records.
    let list = s.run_at(
        &emu,
        &["--output-format", "ndjson", "jobs", "list", "--all"],
    );
    list.expect(0);
    let mut creates: HashMap<String, usize> = HashMap::new();
    for line in list.stdout.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let len = record["text_length"].as_i64().unwrap();
        *creates.entry(id_of_length[&len].clone()).or_default() += 1;
    }
    assert_eq!(creates.len(), LINES, "every line has a job");
    let twice: Vec<&String> = creates
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    for id in &twice {
        assert!(
            !created_before.contains(*id),
            "{id} was journaled as created before the kill, yet created again"
        );
        assert_eq!(creates[*id], 2);
    }
    assert!(
        twice.len() <= CONCURRENCY,
        "only lines in flight at the kill may be created twice: {twice:?}"
    );
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total as usize,
        LINES + twice.len()
    );
}

#[test]
fn a_line_longer_than_one_job_runs_as_parts_and_resumes_after_sigkill() {
    let emu = TestEmu::start(Emulator::builder().job_duration_ms(100));
    let s = Sandbox::with_demo_keys("batch-long");
    let long = "A line of a chapter, long enough to need several jobs. ".repeat(380);
    let parts = ttsc_client::split::split_text(&long, 10_000).len();
    assert_eq!(parts, 3, "{} characters", long.chars().count());
    let manifest = [
        serde_json::json!({"id": "chapter", "text": long, "voice": VOICE, "srt": true}),
        serde_json::json!({"id": "short", "text": "A short line.", "voice": VOICE}),
    ]
    .map(|l| l.to_string() + "\n")
    .concat();
    s.write("m.jsonl", &manifest);
    let args = batch_args(&emu, &[]);

    // Killed once the short line is done and the long one has jobs but no output yet.
    let parts_journal = s.path("out/.chapter.wav.ttsc-parts.json");
    s.kill_when(&args, || {
        ids_with(&batch_journal(&s), "done").contains("short")
            && parts_with_jobs(&parts_journal) > 0
    });
    assert!(!s.path("out/chapter.wav").exists(), "killed half-way");
    assert!(ids_with(&batch_journal(&s), "started").contains("chapter"));

    let rerun = s.run(&args);
    rerun.expect(0);
    let results: HashMap<String, serde_json::Value> = rerun
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    assert_eq!(results["short"]["status"], "skipped");
    let chapter = &results["chapter"];
    assert_eq!(chapter["status"], "done");
    assert_eq!(
        chapter["files"],
        serde_json::json!(["chapter.wav", "chapter.srt"])
    );
    let job_ids = chapter["job_ids"].as_array().unwrap();
    assert_eq!(job_ids.len(), parts);
    assert_eq!(chapter["job_id"], job_ids[0]);
    // Every part's job is in the batch journal, so no other line's failed create can
    // adopt it once the parts' own journal is gone.
    let journaled: HashSet<String> = batch_journal(&s)
        .iter()
        .filter(|e| e["event"] == "part" && e["id"] == "chapter")
        .map(|e| e["job_id"].as_str().unwrap().to_string())
        .collect();
    let parts_jobs: HashSet<String> = job_ids
        .iter()
        .map(|j| j.as_str().unwrap().to_string())
        .collect();
    assert_eq!(journaled, parts_jobs);
    assert_eq!(
        emu.emu.operation_stats("CreateAsyncTtsJob").total as usize,
        parts + 1,
        "no part and no line was created twice"
    );

    // The joined audio and subtitles; no part file or part journal left.
    let wav = std::fs::read(s.path("out/chapter.wav")).unwrap();
    let data_len = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
    assert_eq!(
        wav.len(),
        44 + data_len,
        "one header, then every part's samples"
    );
    let srt = std::fs::read_to_string(s.path("out/chapter.srt")).unwrap();
    assert!(srt.starts_with("1\n"), "{srt}");
    assert_eq!(
        s.names("out"),
        [
            ".ttsc-batch.jsonl",
            "chapter.srt",
            "chapter.wav",
            "short.wav"
        ]
    );
}
