//! SRT subtitles cut from the speech timeline, so they match the audio exactly.
//!
//! A job with `gen_srt` gets a SubRip file. The emulator builds it from the
//! [`Timeline`] of the synthesised audio:
//!
//! - The text is cut into tokens at whitespace, after clause and sentence punctuation,
//!   and between CJK characters; punctuation stays with the word before it, and an
//!   opening bracket or quote with the word after it.
//! - Tokens are packed greedily into cues of at most `srt_len` characters (default
//!   [`DEFAULT_SRT_LEN`] when absent or 0), shown on at most `srt_line_limit` lines
//!   (default [`DEFAULT_LINE_LIMIT`]) of at most `srt_len / srt_line_limit` characters
//!   each. Characters are Unicode scalar values; the spaces inside a line count, the
//!   line breaks do not. A token longer than a line is split inside.
//! - A cue also ends after each sentence, so cues do not straddle sentences.
//! - A cue starts when its first character starts being spoken and ends when its last
//!   character (its pause included) ends; cues are in order and never overlap.
//!
//! The output uses `\n` line endings, numbers cues from 1 and writes times as
//! `HH:MM:SS,mmm` (hours grow past 99 if ever needed).

use std::fmt::Write as _;

use crate::audio::{CharClass, Segment, Timeline, is_cjk};

/// The cue length used when `srt_len` is absent or 0, in characters.
pub const DEFAULT_SRT_LEN: u32 = 30;
/// The number of lines per cue used when `srt_line_limit` is absent or 0.
pub const DEFAULT_LINE_LIMIT: u32 = 1;

/// How to cut subtitles: the request's `srt_len` and `srt_line_limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SrtOptions {
    /// Maximum characters per cue (`srt_len`); `None` or 0 means [`DEFAULT_SRT_LEN`].
    pub max_chars: Option<u32>,
    /// Maximum lines per cue (`srt_line_limit`); `None` or 0 means
    /// [`DEFAULT_LINE_LIMIT`].
    pub line_limit: Option<u32>,
}

impl SrtOptions {
    /// Options from the request's `srt_len` and `srt_line_limit`.
    #[must_use]
    pub fn new(srt_len: Option<u32>, srt_line_limit: Option<u32>) -> Self {
        Self {
            max_chars: srt_len,
            line_limit: srt_line_limit,
        }
    }

    /// The maximum characters per cue in effect.
    #[must_use]
    pub fn effective_max_chars(&self) -> usize {
        match self.max_chars {
            Some(n) if n > 0 => n as usize,
            _ => DEFAULT_SRT_LEN as usize,
        }
    }

    /// The maximum lines per cue in effect (never more than the characters per cue).
    #[must_use]
    pub fn effective_line_limit(&self) -> usize {
        let limit = match self.line_limit {
            Some(n) if n > 0 => n as usize,
            _ => DEFAULT_LINE_LIMIT as usize,
        };
        limit.min(self.effective_max_chars())
    }

    /// The maximum characters per line in effect.
    #[must_use]
    pub fn effective_line_width(&self) -> usize {
        (self.effective_max_chars() / self.effective_line_limit()).max(1)
    }
}

/// One subtitle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cue {
    /// 1-based position in the file.
    pub index: usize,
    /// When the cue appears, in milliseconds.
    pub start_ms: u64,
    /// When the cue disappears, in milliseconds.
    pub end_ms: u64,
    /// The lines of text, at least one.
    pub lines: Vec<String>,
}

/// A run of characters that is never broken across lines (unless longer than one).
struct Token<'a> {
    segs: &'a [Segment],
    space_before: bool,
    ends_sentence: bool,
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '“'
            | '‘'
            | '«'
            | '「'
            | '『'
            | '《'
            | '〈'
            | '（'
            | '【'
            | '〔'
            | '¿'
            | '¡'
    )
}

/// Whether a line may break between two adjacent non-space characters.
fn can_break_between(prev: &Segment, next: &Segment) -> bool {
    next.class.is_voiced()
        && !is_opening(prev.ch)
        && (is_cjk(prev.ch)
            || is_cjk(next.ch)
            || matches!(
                prev.class,
                CharClass::ClausePause | CharClass::SentencePause
            ))
}

fn tokenize(segs: &[Segment]) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut space_before = false;
    while i < segs.len() {
        if segs[i].class == CharClass::Space {
            space_before = true;
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < segs.len()
            && segs[i + 1].class != CharClass::Space
            && !can_break_between(&segs[i], &segs[i + 1])
        {
            i += 1;
        }
        let span = &segs[start..=i];
        // A sentence ends with its terminator, possibly followed by closing symbols.
        let ends_sentence = span
            .iter()
            .rev()
            .find(|s| s.class != CharClass::Symbol)
            .is_some_and(|s| s.class == CharClass::SentencePause);
        tokens.push(Token {
            segs: span,
            space_before: space_before && !tokens.is_empty(),
            ends_sentence,
        });
        space_before = false;
        i += 1;
    }
    tokens
}

/// Accumulates lines of one cue.
struct CueBuilder {
    lines: Vec<String>,
    line_len: usize,
    start_ms: Option<u64>,
    end_ms: u64,
}

impl CueBuilder {
    fn new() -> Self {
        Self {
            lines: Vec::new(),
            line_len: 0,
            start_ms: None,
            end_ms: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.start_ms.is_none()
    }

    /// Appends `piece` to the last line, or starts a new line with it.
    fn push(&mut self, piece: &[Segment], separator: bool, new_line: bool) {
        if new_line || self.lines.is_empty() {
            self.lines.push(String::new());
            self.line_len = 0;
        } else if separator {
            self.lines.last_mut().expect("a line exists").push(' ');
            self.line_len += 1;
        }
        let line = self.lines.last_mut().expect("a line exists");
        line.extend(piece.iter().map(|s| s.ch));
        self.line_len += piece.len();
        self.start_ms.get_or_insert(piece[0].start_ms);
        self.end_ms = piece[piece.len() - 1].end_ms;
    }

    fn finish(&mut self, cues: &mut Vec<Cue>) {
        if let Some(start_ms) = self.start_ms.take() {
            cues.push(Cue {
                index: cues.len() + 1,
                start_ms,
                end_ms: self.end_ms,
                lines: std::mem::take(&mut self.lines),
            });
        }
        self.line_len = 0;
    }
}

/// Cuts the timeline's text into cues.
#[must_use]
pub fn cues(timeline: &Timeline, options: &SrtOptions) -> Vec<Cue> {
    let width = options.effective_line_width();
    let line_limit = options.effective_line_limit();
    let mut cues = Vec::new();
    let mut cue = CueBuilder::new();
    for token in tokenize(timeline.segments()) {
        for (n, piece) in token.segs.chunks(width).enumerate() {
            let separator = n == 0 && token.space_before;
            let needed = piece.len() + usize::from(separator);
            if cue.is_empty() {
                cue.push(piece, false, true);
            } else if cue.line_len + needed <= width {
                cue.push(piece, separator, false);
            } else if cue.lines.len() < line_limit {
                cue.push(piece, false, true);
            } else {
                cue.finish(&mut cues);
                cue.push(piece, false, true);
            }
        }
        if token.ends_sentence {
            cue.finish(&mut cues);
        }
    }
    cue.finish(&mut cues);
    cues
}

/// Formats milliseconds as an SRT time, `HH:MM:SS,mmm`.
#[must_use]
pub fn format_time(ms: u64) -> String {
    let (hours, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (seconds, millis) = (rest / 1000, rest % 1000);
    format!("{hours:02}:{minutes:02}:{seconds:02},{millis:03}")
}

/// Renders cues as an SRT document.
#[must_use]
pub fn render(cues: &[Cue]) -> String {
    let mut out = String::new();
    for cue in cues {
        let _ = writeln!(out, "{}", cue.index);
        let _ = writeln!(
            out,
            "{} --> {}",
            format_time(cue.start_ms),
            format_time(cue.end_ms)
        );
        for line in &cue.lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
    out
}

/// The SRT file for a timeline: [`cues`] then [`render`].
#[must_use]
pub fn srt(timeline: &Timeline, options: &SrtOptions) -> String {
    render(&cues(timeline, options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::SynthParams;

    /// A strict little SRT reader: (index, start ms, end ms, lines) per cue.
    fn parse_srt(input: &str) -> Vec<(usize, u64, u64, Vec<String>)> {
        fn time(s: &str) -> u64 {
            let (hms, millis) = s.split_once(',').expect("comma before millis");
            let parts: Vec<u64> = hms.split(':').map(|p| p.parse().unwrap()).collect();
            assert_eq!(parts.len(), 3, "{s}");
            assert!(parts[1] < 60 && parts[2] < 60, "{s}");
            assert_eq!(millis.len(), 3, "{s}");
            parts[0] * 3_600_000
                + parts[1] * 60_000
                + parts[2] * 1000
                + millis.parse::<u64>().unwrap()
        }
        assert!(
            input.is_empty() || input.ends_with("\n\n"),
            "cues end with a blank line"
        );
        input
            .split_terminator("\n\n")
            .map(|block| {
                let mut lines = block.lines();
                let index = lines.next().unwrap().parse().unwrap();
                let (start, end) = lines.next().unwrap().split_once(" --> ").unwrap();
                let text: Vec<String> = lines.map(str::to_owned).collect();
                assert!(!text.is_empty(), "cue {index} has no text");
                (index, time(start), time(end), text)
            })
            .collect()
    }

    fn timeline(text: &str) -> Timeline {
        Timeline::new(text, &SynthParams::default()).unwrap()
    }

    /// Every property a player relies on, plus "no text lost".
    fn check(text: &str, options: &SrtOptions) -> Vec<(usize, u64, u64, Vec<String>)> {
        let tl = timeline(text);
        let parsed = parse_srt(&srt(&tl, options));
        let mut previous_end = 0;
        for (n, (index, start, end, lines)) in parsed.iter().enumerate() {
            assert_eq!(*index, n + 1);
            assert!(start < end, "cue {index}");
            assert!(*start >= previous_end, "cue {index} overlaps");
            assert!(*end <= tl.duration_ms(), "cue {index} past the audio");
            previous_end = *end;
            assert!(lines.len() <= options.effective_line_limit(), "{lines:?}");
            let chars: usize = lines.iter().map(|l| l.chars().count()).sum();
            assert!(chars <= options.effective_max_chars(), "{lines:?}");
            for line in lines {
                assert!(!line.is_empty() && line.trim() == line, "{line:?}");
            }
        }
        let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let all: String = parsed
            .iter()
            .flat_map(|c| c.3.iter())
            .map(|l| strip(l))
            .collect();
        assert_eq!(all, strip(text));
        parsed
    }

    #[test]
    fn short_text_is_one_cue_spanning_the_speech() {
        let parsed = check("Hello.", &SrtOptions::default());
        assert_eq!(parsed, [(1, 0, 1560, vec!["Hello.".to_owned()])]);
    }

    #[test]
    fn cue_times_are_the_segment_times() {
        let tl = timeline("Hi. Yo.");
        let cues = cues(&tl, &SrtOptions::default());
        let segs = tl.segments();
        assert_eq!(
            (cues[0].start_ms, cues[0].end_ms),
            (segs[0].start_ms, segs[2].end_ms)
        );
        assert_eq!(
            (cues[1].start_ms, cues[1].end_ms),
            (segs[4].start_ms, segs[6].end_ms)
        );
    }

    #[test]
    fn long_text_respects_length_and_prefers_word_breaks() {
        let text = "The quick brown fox jumps over the lazy dog and keeps running far away";
        let options = SrtOptions::new(Some(20), None);
        let parsed = check(text, &options);
        let lines: Vec<&str> = parsed.iter().map(|c| c.3[0].as_str()).collect();
        assert_eq!(
            lines,
            [
                "The quick brown fox",
                "jumps over the lazy",
                "dog and keeps",
                "running far away"
            ]
        );
    }

    #[test]
    fn line_limit_wraps_cues_into_lines() {
        let text = "The quick brown fox jumps over the lazy dog and keeps running far away";
        let options = SrtOptions::new(Some(30), Some(2));
        assert_eq!(options.effective_line_width(), 15);
        let parsed = check(text, &options);
        assert_eq!(parsed[0].3, ["The quick brown", "fox jumps over"]);
        assert!(parsed.iter().any(|c| c.3.len() == 2));
    }

    #[test]
    fn cjk_breaks_between_characters_and_keeps_punctuation_attached() {
        let text = "今天天气很好，我们一起去公园散步吧。然后回家。";
        let parsed = check(text, &SrtOptions::new(Some(8), None));
        for (_, _, _, lines) in &parsed {
            for line in lines {
                let first = line.chars().next().unwrap();
                assert!(!matches!(first, '，' | '。'), "{line}");
            }
        }
        assert_eq!(parsed[0].3, ["今天天气很好，我"]);
        assert_eq!(parsed.last().unwrap().3, ["然后回家。"]);
    }

    #[test]
    fn sentences_end_cues() {
        let parsed = check("One. Two! Three? 四。五", &SrtOptions::new(Some(100), None));
        let texts: Vec<&str> = parsed.iter().map(|c| c.3[0].as_str()).collect();
        assert_eq!(texts, ["One.", "Two!", "Three?", "四。", "五"]);
        let quoted = check("He said \"stop.\" Then left.", &SrtOptions::default());
        assert_eq!(quoted[0].3, ["He said \"stop.\""]);
    }

    #[test]
    fn words_longer_than_a_line_are_split() {
        let text = "Supercalifragilisticexpialidocious is long";
        let parsed = check(text, &SrtOptions::new(Some(10), None));
        assert_eq!(parsed[0].3, ["Supercalif"]);
        assert_eq!(parsed[3].3, ["ious is"]);
    }

    #[test]
    fn defaults_apply_to_absent_or_zero_options() {
        for options in [SrtOptions::default(), SrtOptions::new(Some(0), Some(0))] {
            assert_eq!(options.effective_max_chars(), 30);
            assert_eq!(options.effective_line_limit(), 1);
        }
        // More lines than characters cannot be honoured; one character per line.
        let tiny = SrtOptions::new(Some(2), Some(5));
        assert_eq!(
            (tiny.effective_line_limit(), tiny.effective_line_width()),
            (2, 1)
        );
        check("ab cd", &tiny);
        check("x", &SrtOptions::new(Some(1), None));
    }

    #[test]
    fn awkward_inputs_still_give_valid_files() {
        for text in [
            "",
            "   ",
            "...",
            "  leading and trailing  ",
            "a\n\nb\tc",
            "(parenthetical) [bracketed] {braced}",
            "《红楼梦》是一本书。“你好”，他说。",
            "Mixed 中文 and English, 混合 text!",
            "e-mail, don't, 3.14, U.S.A.",
        ] {
            for (len, lines) in [(None, None), (Some(5), Some(2)), (Some(12), Some(3))] {
                check(text, &SrtOptions::new(len, lines));
            }
        }
        assert_eq!(srt(&timeline(""), &SrtOptions::default()), "");
    }

    #[test]
    fn cues_follow_speed() {
        let fast = Timeline::new("Hello.", &SynthParams::default().with_speed(200)).unwrap();
        let cue = &cues(&fast, &SrtOptions::default())[0];
        assert_eq!((cue.start_ms, cue.end_ms), (0, 780));
    }

    #[test]
    fn time_format() {
        assert_eq!(format_time(0), "00:00:00,000");
        assert_eq!(format_time(1_234), "00:00:01,234");
        assert_eq!(format_time(3_723_004), "01:02:03,004");
        assert_eq!(format_time(360_000_000), "100:00:00,000");
    }
}
