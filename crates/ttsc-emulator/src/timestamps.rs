//! The timestamp ("audio info") file and the action file, as JSON built from the timeline.
//!
//! A job with `need_timestamp` gets an `audio_info_file_url`, and jobs may get an
//! `audio_action_file_url`. **The real service's formats of both files are not public**,
//! so the emulator defines its own small, stable formats, documented here. Clients
//! should treat these files as opaque downloads unless they target the emulator.
//!
//! # Timestamp file (`version` 1)
//!
//! For the text `Hello world.` at the default speed:
//!
//! ```json
//! {
//!   "version": 1,
//!   "duration_ms": 2880,
//!   "sample_rate": 16000,
//!   "words": [
//!     {"text": "Hello", "start_ms": 0, "end_ms": 1200, "char_index": 0, "char_count": 5},
//!     {"text": "world", "start_ms": 1320, "end_ms": 2520, "char_index": 6, "char_count": 5}
//!   ]
//! }
//! ```
//!
//! One entry per word, in order ([`Timeline::words`]: runs of letters and digits with
//! inner `'` or `-`, and each CJK character on its own); pauses and punctuation have
//! no entry. Times are milliseconds from the start of the audio file and match the
//! audio and the subtitles exactly; `char_index` and `char_count` locate the word in
//! the request's `text`, counted in Unicode scalar values. `duration_ms` is the length
//! of the audio.
//!
//! # Action file (`version` 1)
//!
//! For the same text:
//!
//! ```json
//! {
//!   "version": 1,
//!   "duration_ms": 2880,
//!   "actions": [
//!     {"time_ms": 0, "type": "emotion", "name": "neutral", "duration_ms": 2880, "sentence_index": 0},
//!     {"time_ms": 0, "type": "gesture", "name": "open_palm", "duration_ms": 1200, "sentence_index": 0},
//!     {"time_ms": 2880, "type": "gesture", "name": "rest", "duration_ms": 0, "sentence_index": 0}
//!   ]
//! }
//! ```
//!
//! Markers for a digital human, placed at sentence boundaries ([`Timeline::sentences`]):
//! each sentence opens with an `emotion` marker lasting the whole sentence (`curious`
//! for a question, `excited` for an exclamation, `neutral` otherwise) and a `gesture`
//! lasting at most 1.2 s, chosen deterministically from the sentence's text among
//! [`GESTURES`]; a final `rest` gesture marks the end of the speech. Actions are
//! ordered by time.

use serde::{Deserialize, Serialize};

use crate::audio::{Sentence, Timeline};

/// The format version written in both files.
pub const FORMAT_VERSION: u32 = 1;
/// The gestures a sentence may open with.
pub const GESTURES: [&str; 6] = [
    "nod",
    "open_palm",
    "point_forward",
    "tilt_head",
    "shrug",
    "wave",
];
/// The longest a gesture lasts, in milliseconds.
pub const MAX_GESTURE_MS: u64 = 1200;

/// The timestamp ("audio info") file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimestampFile {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The length of the audio, in milliseconds.
    pub duration_ms: u64,
    /// The audio's sample rate, in Hz.
    pub sample_rate: u32,
    /// One entry per word, in order.
    pub words: Vec<WordEntry>,
}

/// One word of the timestamp file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WordEntry {
    /// The word as written in the text.
    pub text: String,
    /// When it starts, in milliseconds.
    pub start_ms: u64,
    /// When it ends, in milliseconds.
    pub end_ms: u64,
    /// Index of its first character in the text (in Unicode scalar values).
    pub char_index: usize,
    /// Its length in Unicode scalar values.
    pub char_count: usize,
}

impl TimestampFile {
    /// The timestamp file for a timeline.
    #[must_use]
    pub fn from_timeline(timeline: &Timeline) -> Self {
        Self {
            version: FORMAT_VERSION,
            duration_ms: timeline.duration_ms(),
            sample_rate: timeline.sample_rate(),
            words: timeline
                .words()
                .into_iter()
                .map(|w| WordEntry {
                    text: w.text,
                    start_ms: w.start_ms,
                    end_ms: w.end_ms,
                    char_index: w.char_index,
                    char_count: w.char_count,
                })
                .collect(),
        }
    }

    /// The file's bytes: compact JSON.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("plain data always serializes")
    }
}

/// What an action marker drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionKind {
    /// A facial expression held over a sentence.
    Emotion,
    /// A body movement.
    Gesture,
}

/// One marker of the action file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Action {
    /// When it starts, in milliseconds.
    pub time_ms: u64,
    /// Emotion or gesture.
    #[serde(rename = "type")]
    pub kind: ActionKind,
    /// Its name, e.g. `neutral` or `nod`.
    pub name: String,
    /// How long it lasts, in milliseconds.
    pub duration_ms: u64,
    /// The 0-based sentence it belongs to.
    pub sentence_index: usize,
}

/// The action file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionFile {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The length of the audio, in milliseconds.
    pub duration_ms: u64,
    /// The markers, ordered by time.
    pub actions: Vec<Action>,
}

impl ActionFile {
    /// The action file for a timeline.
    #[must_use]
    pub fn from_timeline(timeline: &Timeline) -> Self {
        let sentences = timeline.sentences();
        let mut actions = Vec::with_capacity(sentences.len() * 2 + 1);
        for (index, sentence) in sentences.iter().enumerate() {
            let length = sentence.end_ms - sentence.start_ms;
            actions.push(Action {
                time_ms: sentence.start_ms,
                kind: ActionKind::Emotion,
                name: emotion(sentence).to_owned(),
                duration_ms: length,
                sentence_index: index,
            });
            actions.push(Action {
                time_ms: sentence.start_ms,
                kind: ActionKind::Gesture,
                name: gesture(sentence).to_owned(),
                duration_ms: length.min(MAX_GESTURE_MS),
                sentence_index: index,
            });
        }
        if let Some(last) = sentences.last() {
            actions.push(Action {
                time_ms: last.end_ms,
                kind: ActionKind::Gesture,
                name: "rest".to_owned(),
                duration_ms: 0,
                sentence_index: sentences.len() - 1,
            });
        }
        Self {
            version: FORMAT_VERSION,
            duration_ms: timeline.duration_ms(),
            actions,
        }
    }

    /// The file's bytes: compact JSON.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("plain data always serializes")
    }
}

fn emotion(sentence: &Sentence) -> &'static str {
    match sentence.terminator {
        Some('?' | '？' | '⁇' | '⁈' | '؟') => "curious",
        Some('!' | '！' | '‼' | '⁉') => "excited",
        _ => "neutral",
    }
}

fn gesture(sentence: &Sentence) -> &'static str {
    // FNV-1a of the text: the same sentence always gets the same gesture.
    let hash = sentence
        .text
        .bytes()
        .fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        });
    GESTURES[(hash % GESTURES.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{self, SynthParams};
    use serde_json::Value;

    fn timeline(text: &str) -> Timeline {
        Timeline::new(text, &SynthParams::default()).unwrap()
    }

    #[test]
    fn timestamp_file_matches_the_documented_example() {
        let file = TimestampFile::from_timeline(&timeline("Hello world."));
        let json: Value = serde_json::from_slice(&file.to_json()).unwrap();
        let expected: Value = serde_json::json!({
            "version": 1,
            "duration_ms": 2880,
            "sample_rate": 16000,
            "words": [
                {"text": "Hello", "start_ms": 0, "end_ms": 1200, "char_index": 0, "char_count": 5},
                {"text": "world", "start_ms": 1320, "end_ms": 2520, "char_index": 6, "char_count": 5}
            ]
        });
        assert_eq!(json, expected);
    }

    #[test]
    fn timestamps_match_the_synthesised_audio() {
        let params = SynthParams::default()
            .with_speed(137)
            .with_sample_rate(22_050);
        let text = "第一句话。Second sentence, with words!";
        let speech = audio::synthesize(text, &params).unwrap();
        let file = TimestampFile::from_timeline(speech.timeline());
        assert_eq!(file.duration_ms, speech.duration_ms());
        assert_eq!(file.sample_rate, 22_050);
        let chars: Vec<char> = text.chars().collect();
        let mut previous_end = 0;
        for word in &file.words {
            let written: String = chars[word.char_index..word.char_index + word.char_count]
                .iter()
                .collect();
            assert_eq!(written, word.text);
            assert!(word.start_ms >= previous_end && word.start_ms < word.end_ms);
            assert!(word.end_ms <= file.duration_ms);
            previous_end = word.end_ms;
            // Each word is audible in the middle of its first character.
            let first_char_ms = (word.end_ms - word.start_ms) / word.char_count as u64;
            let mid_ms = word.start_ms + first_char_ms / 2;
            let frame = (mid_ms * 22_050 / 1000) as usize;
            let window = &speech.samples()[frame - 50..frame + 50];
            assert!(
                window.iter().any(|&s| s.unsigned_abs() > 1000),
                "{}",
                word.text
            );
        }
        assert_eq!(file.words.len(), 4 + 4);
        let parsed: TimestampFile = serde_json::from_slice(&file.to_json()).unwrap();
        assert_eq!(parsed, file);
    }

    #[test]
    fn action_file_matches_the_documented_example() {
        let file = ActionFile::from_timeline(&timeline("Hello world."));
        let json: Value = serde_json::from_slice(&file.to_json()).unwrap();
        let expected: Value = serde_json::json!({
            "version": 1,
            "duration_ms": 2880,
            "actions": [
                {"time_ms": 0, "type": "emotion", "name": "neutral", "duration_ms": 2880, "sentence_index": 0},
                {"time_ms": 0, "type": "gesture", "name": "open_palm", "duration_ms": 1200, "sentence_index": 0},
                {"time_ms": 2880, "type": "gesture", "name": "rest", "duration_ms": 0, "sentence_index": 0}
            ]
        });
        assert_eq!(json, expected);
    }

    #[test]
    fn action_file_marks_sentences() {
        let tl = timeline("Hello world. Are you there? Yes!");
        let file = ActionFile::from_timeline(&tl);
        assert_eq!(file.version, 1);
        assert_eq!(file.duration_ms, tl.duration_ms());
        let emotions: Vec<&str> = file
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Emotion)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(emotions, ["neutral", "curious", "excited"]);
        let gestures: Vec<&Action> = file
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Gesture)
            .collect();
        assert_eq!(gestures.len(), 4);
        for g in &gestures[..3] {
            assert!(GESTURES.contains(&g.name.as_str()));
            assert!(g.duration_ms <= MAX_GESTURE_MS);
        }
        let rest = gestures[3];
        assert_eq!(
            (rest.name.as_str(), rest.time_ms),
            ("rest", tl.duration_ms())
        );
        for pair in file.actions.windows(2) {
            assert!(pair[0].time_ms <= pair[1].time_ms);
        }
        for action in &file.actions {
            assert!(action.time_ms + action.duration_ms <= file.duration_ms);
        }
        let json: Value = serde_json::from_slice(&file.to_json()).unwrap();
        assert_eq!(json["actions"][0]["type"], "emotion");
        assert_eq!(json["actions"][1]["type"], "gesture");
        let parsed: ActionFile = serde_json::from_slice(&file.to_json()).unwrap();
        assert_eq!(parsed, file);
    }

    #[test]
    fn action_file_is_deterministic_and_text_dependent() {
        let a = ActionFile::from_timeline(&timeline("Same sentence."));
        let b = ActionFile::from_timeline(&timeline("Same sentence."));
        assert_eq!(a.to_json(), b.to_json());
        // Different sentences spread over several gestures.
        let many: String = (0..30).map(|i| format!("Sentence number {i}. ")).collect();
        let file = ActionFile::from_timeline(&timeline(&many));
        let mut names: Vec<&str> = file.actions.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() >= 4, "{names:?}");
    }

    #[test]
    fn empty_text_gives_empty_files() {
        let tl = timeline("");
        let stamps = TimestampFile::from_timeline(&tl);
        assert_eq!((stamps.duration_ms, stamps.words.len()), (0, 0));
        let actions = ActionFile::from_timeline(&tl);
        assert!(actions.actions.is_empty());
        assert_eq!(
            String::from_utf8(actions.to_json()).unwrap(),
            r#"{"version":1,"duration_ms":0,"actions":[]}"#
        );
    }
}
