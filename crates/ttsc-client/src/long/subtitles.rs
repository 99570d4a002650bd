//! Merging the parts' subtitles (SRT) and timestamp files into one of each, shifted by the
//! exact length of the audio before each part.
//!
//! SRT cues are renumbered from 1 and their times shifted; the text is kept as is. The
//! timestamp file is the JSON the emulator documents (the emulator's `timestamps` module):
//! an object with a `words` array whose entries have `start_ms`, `end_ms` and
//! `char_index`. Times are shifted by the part's start, `char_index` by the characters of
//! the parts before it, `duration_ms` becomes the whole length, and the other fields are
//! the first part's. The real service's format is not public: a file without a `words`
//! array is refused rather than merged wrongly.

use std::fmt::Write as _;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

fn decode(what: String) -> Error {
    Error::new(ErrorKind::Decode, what)
}

/// `HH:MM:SS,mmm` → milliseconds.
fn parse_time(s: &str) -> Option<u64> {
    let (hms, millis) = s.trim().split_once([',', '.'])?;
    let mut fields = hms.split(':');
    let h: u64 = fields.next()?.parse().ok()?;
    let m: u64 = fields.next()?.parse().ok()?;
    let sec: u64 = fields.next()?.parse().ok()?;
    if fields.next().is_some() || m >= 60 || sec >= 60 || millis.len() != 3 {
        return None;
    }
    Some(h * 3_600_000 + m * 60_000 + sec * 1000 + millis.parse::<u64>().ok()?)
}

fn format_time(ms: u64) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    format!(
        "{h:02}:{:02}:{:02},{:03}",
        rest / 60_000,
        rest % 60_000 / 1000,
        rest % 1000
    )
}

/// Appends the cues of `srt` (part `part`, 1-based for messages) to `out`, shifted by
/// `offset_ms` and numbered from `*next`.
pub(crate) fn append_srt(
    out: &mut String,
    next: &mut usize,
    srt: &str,
    offset_ms: u64,
    part: usize,
) -> Result<()> {
    let srt = srt
        .strip_prefix('\u{feff}')
        .unwrap_or(srt)
        .replace("\r\n", "\n");
    for block in srt.split("\n\n").map(|b| b.trim_matches('\n')) {
        if block.is_empty() {
            continue;
        }
        let mut lines = block.lines();
        let _index = lines.next();
        let timing = lines.next().unwrap_or_default();
        let (start, end) = timing
            .split_once("-->")
            .and_then(|(a, b)| {
                let end = b.split_whitespace().next()?;
                Some((parse_time(a)?, parse_time(end)?))
            })
            .ok_or_else(|| {
                decode(format!(
                    "part {part}'s subtitles have a malformed cue: {:?}",
                    crate::text::sanitize(block, 80)
                ))
            })?;
        let _ = writeln!(out, "{next}");
        let _ = writeln!(
            out,
            "{} --> {}",
            format_time(start + offset_ms),
            format_time(end + offset_ms)
        );
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
        *next += 1;
    }
    Ok(())
}

/// Merges timestamp files: `parts` gives each file's bytes, its start in milliseconds and
/// the characters of text before it; `duration_ms` is the whole audio's length.
pub(crate) fn merge_timestamps(
    parts: &[(Vec<u8>, u64, usize)],
    duration_ms: u64,
) -> Result<Vec<u8>> {
    let mut merged: Option<serde_json::Map<String, Value>> = None;
    let mut words = Vec::new();
    for (k, (bytes, offset_ms, chars_before)) in parts.iter().enumerate() {
        let bad = |why: &str| {
            decode(format!(
                "cannot merge part {}'s timestamp file: {why}",
                k + 1
            ))
        };
        let Value::Object(mut file) =
            serde_json::from_slice::<Value>(bytes).map_err(|_| bad("it is not JSON"))?
        else {
            return Err(bad("it is not a JSON object"));
        };
        let Some(Value::Array(part_words)) = file.remove("words") else {
            return Err(bad("it has no words array"));
        };
        for mut word in part_words {
            let Value::Object(entry) = &mut word else {
                return Err(bad("a word is not an object"));
            };
            for (field, by) in [
                ("start_ms", *offset_ms),
                ("end_ms", *offset_ms),
                ("char_index", *chars_before as u64),
            ] {
                if let Some(v) = entry.get_mut(field) {
                    let n = v
                        .as_u64()
                        .ok_or_else(|| bad(&format!("{field} is not a number")))?;
                    *v = Value::from(n + by);
                }
            }
            words.push(word);
        }
        merged.get_or_insert(file);
    }
    let mut merged = merged.unwrap_or_default();
    merged.insert("duration_ms".into(), Value::from(duration_ms));
    merged.insert("words".into(), Value::Array(words));
    Ok(serde_json::to_vec(&Value::Object(merged)).expect("JSON values serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_renumbered_and_shifted() {
        let mut out = String::new();
        let mut next = 1;
        append_srt(
            &mut out,
            &mut next,
            "1\n00:00:00,000 --> 00:00:01,500\nHello.\n\n",
            0,
            1,
        )
        .unwrap();
        append_srt(
            &mut out,
            &mut next,
            "\u{feff}1\r\n00:00:00,250 --> 00:00:02,000\r\n你好。\r\nline two\r\n\r\n2\r\n00:59:59,000 --> 01:00:00,000\r\nBye\r\n",
            1_500,
            2,
        )
        .unwrap();
        assert_eq!(
            out,
            "1\n00:00:00,000 --> 00:00:01,500\nHello.\n\n\
             2\n00:00:01,750 --> 00:00:03,500\n你好。\nline two\n\n\
             3\n01:00:00,500 --> 01:00:01,500\nBye\n\n"
        );
        assert_eq!(next, 4);
    }

    #[test]
    fn malformed_cues_are_refused_naming_the_part() {
        let mut out = String::new();
        let err = append_srt(&mut out, &mut 1, "1\nnot a time\nx\n", 0, 3).unwrap_err();
        assert!(err.to_string().contains("part 3"), "{err}");
        assert_eq!(parse_time("00:61:00,000"), None);
        assert_eq!(format_time(360_000_001), "100:00:00,001");
    }

    #[test]
    fn timestamps_shift_times_and_character_offsets() {
        let a = br#"{"version":1,"duration_ms":1000,"sample_rate":16000,"words":[{"text":"Hi","start_ms":0,"end_ms":480,"char_index":0,"char_count":2}]}"#;
        let b = br#"{"version":1,"duration_ms":500,"sample_rate":16000,"words":[{"text":"yo","start_ms":10,"end_ms":490,"char_index":1,"char_count":2}]}"#;
        let merged = merge_timestamps(&[(a.to_vec(), 0, 0), (b.to_vec(), 1000, 4)], 1500).unwrap();
        let v: Value = serde_json::from_slice(&merged).unwrap();
        assert_eq!(v["duration_ms"], 1500);
        assert_eq!(v["sample_rate"], 16000);
        assert_eq!(v["words"][1]["start_ms"], 1010);
        assert_eq!(v["words"][1]["end_ms"], 1490);
        assert_eq!(v["words"][1]["char_index"], 5);
        assert_eq!(v["words"][1]["char_count"], 2);
        let err = merge_timestamps(&[(b"[]".to_vec(), 0, 0)], 0).unwrap_err();
        assert!(err.to_string().contains("part 1"), "{err}");
    }
}
