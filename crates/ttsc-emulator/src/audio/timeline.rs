//! The timeline of speech: how long each character lasts, and the words and sentences
//! it groups into.

use super::{AudioError, SynthParams};

/// How a character is spoken: as a voiced syllable or as a pause of some length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharClass {
    /// Letters, digits, CJK characters and anything not listed below: one unit of sound.
    Voiced,
    /// Whitespace and control characters: half a unit of silence.
    Space,
    /// Clause punctuation (`,` `;` `:` `，` `；` `：` `、` `—`): one unit of silence.
    ClausePause,
    /// Sentence-ending punctuation (`.` `!` `?` `。` `！` `？` `…`): 1½ units of silence.
    SentencePause,
    /// Other punctuation (quotes, brackets, `'`, `-`, `/`, …): a quarter unit of silence.
    Symbol,
}

impl CharClass {
    /// The segment length in quarter units (one unit is 240 ms at speed 100).
    #[must_use]
    pub const fn quarter_units(self) -> u64 {
        match self {
            Self::Voiced | Self::ClausePause => 4,
            Self::Space => 2,
            Self::SentencePause => 6,
            Self::Symbol => 1,
        }
    }

    /// Whether the segment is sound (as opposed to a pause).
    #[must_use]
    pub const fn is_voiced(self) -> bool {
        matches!(self, Self::Voiced)
    }
}

/// Classifies one character; see the [module documentation](super) for the table.
#[must_use]
pub fn classify(c: char) -> CharClass {
    match c {
        '.' | '!' | '?' | '。' | '！' | '？' | '…' | '‼' | '⁇' | '⁈' | '⁉' | '؟' | '।' | '｡' => {
            CharClass::SentencePause
        }
        ',' | ';' | ':' | '，' | '；' | '：' | '、' | '—' | '–' | '､' | '،' | '؛' => {
            CharClass::ClausePause
        }
        c if c.is_whitespace() || c.is_control() => CharClass::Space,
        c if c.is_ascii_punctuation() || is_unicode_punctuation(c) => CharClass::Symbol,
        _ => CharClass::Voiced,
    }
}

/// Common non-ASCII punctuation and symbol blocks (std has no Unicode category test);
/// letters and digits inside them (`µ`, `ª`, `²`, `½`) stay voiced.
fn is_unicode_punctuation(c: char) -> bool {
    !c.is_alphanumeric()
        && matches!(
            c as u32,
            0x00A1..=0x00BF
                | 0x00D7
                | 0x00F7
                | 0x2010..=0x206F
                | 0x3000..=0x303F
                | 0xFE30..=0xFE4F
                | 0xFF01..=0xFF0F
                | 0xFF1A..=0xFF20
                | 0xFF3B..=0xFF40
                | 0xFF5B..=0xFF65
        )
}

/// Whether `c` is a character of a script written without spaces (CJK ideographs, kana,
/// Hangul), where each character counts as a word.
#[must_use]
pub fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x3040..=0x30FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7AF
            | 0xF900..=0xFAFF
            | 0x20000..=0x3134F
    )
}

/// One character's place on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Segment {
    /// The character.
    pub ch: char,
    /// Its index among the text's characters (`char`s, not bytes).
    pub char_index: usize,
    /// Its byte offset in the text.
    pub byte_offset: usize,
    /// How it is spoken.
    pub class: CharClass,
    /// First sample frame (per channel) of the segment.
    pub start_frame: u64,
    /// One past the last sample frame of the segment.
    pub end_frame: u64,
    /// Start time in milliseconds (`start_frame` rounded down).
    pub start_ms: u64,
    /// End time in milliseconds (`end_frame` rounded down).
    pub end_ms: u64,
}

/// A word and its time span: a run of letters and digits (with inner `'` or `-`), or
/// a single CJK character.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Word {
    /// The word as written in the text.
    pub text: String,
    /// Index of its first character in the text (in `char`s).
    pub char_index: usize,
    /// Number of characters.
    pub char_count: usize,
    /// Start time in milliseconds.
    pub start_ms: u64,
    /// End time in milliseconds.
    pub end_ms: u64,
}

/// A sentence and its time span: the text up to and including a run of
/// sentence-ending punctuation (or the end of the text), trimmed of whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sentence {
    /// The sentence as written, without surrounding whitespace.
    pub text: String,
    /// Index of its first character in the text (in `char`s).
    pub char_index: usize,
    /// The sentence-ending punctuation mark, if any (the last one of a run like `?!`).
    pub terminator: Option<char>,
    /// Start time in milliseconds (of its first non-space character).
    pub start_ms: u64,
    /// End time in milliseconds (of its last character, its pause included).
    pub end_ms: u64,
}

/// The timing of a text: one [`Segment`] per character, computed without synthesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub(super) segments: Vec<Segment>,
    pub(super) sample_rate: u32,
    pub(super) total_frames: u64,
}

impl Timeline {
    /// Lays `text` out on a timeline.
    ///
    /// # Errors
    ///
    /// When `params` is invalid ([`SynthParams::validate`]).
    pub fn new(text: &str, params: &SynthParams) -> Result<Self, AudioError> {
        params.validate()?;
        let rate = u64::from(params.sample_rate);
        let mut frame = 0u64;
        let segments = text
            .char_indices()
            .enumerate()
            .map(|(char_index, (byte_offset, ch))| {
                let class = classify(ch);
                let start_frame = frame;
                frame += params.frames_for(class);
                Segment {
                    ch,
                    char_index,
                    byte_offset,
                    class,
                    start_frame,
                    end_frame: frame,
                    start_ms: start_frame * 1000 / rate,
                    end_ms: frame * 1000 / rate,
                }
            })
            .collect();
        Ok(Self {
            segments,
            sample_rate: params.sample_rate,
            total_frames: frame,
        })
    }

    /// A timeline of silence, with no segments.
    pub(super) fn silent(total_frames: u64, sample_rate: u32) -> Self {
        Self {
            segments: Vec::new(),
            sample_rate,
            total_frames,
        }
    }

    /// One segment per character of the text, in order, back to back.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The sample rate the frame offsets count in.
    #[must_use]
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The length of the audio in sample frames (samples per channel).
    #[must_use]
    pub fn total_frames(&self) -> u64 {
        self.total_frames
    }

    /// The length of the audio in milliseconds, rounded down; the last segment's
    /// `end_ms` equals it.
    #[must_use]
    pub fn duration_ms(&self) -> u64 {
        self.total_frames * 1000 / u64::from(self.sample_rate)
    }

    /// The words of the text with their time spans, in order.
    #[must_use]
    pub fn words(&self) -> Vec<Word> {
        let mut words = Vec::new();
        let segs = &self.segments;
        let mut i = 0;
        while i < segs.len() {
            let seg = segs[i];
            if !seg.class.is_voiced() {
                i += 1;
                continue;
            }
            let start = i;
            if !is_cjk(seg.ch) {
                // Extend over letters and digits, and over one joiner between two of them.
                while i + 1 < segs.len() {
                    let next = segs[i + 1];
                    if next.class.is_voiced() && !is_cjk(next.ch) {
                        i += 1;
                    } else if matches!(next.ch, '\'' | '’' | '-')
                        && segs
                            .get(i + 2)
                            .is_some_and(|s| s.class.is_voiced() && !is_cjk(s.ch))
                    {
                        i += 2;
                    } else {
                        break;
                    }
                }
            }
            let span = &segs[start..=i];
            words.push(Word {
                text: span.iter().map(|s| s.ch).collect(),
                char_index: segs[start].char_index,
                char_count: span.len(),
                start_ms: segs[start].start_ms,
                end_ms: segs[i].end_ms,
            });
            i += 1;
        }
        words
    }

    /// The sentences of the text with their time spans, in order; whitespace-only
    /// stretches are not sentences.
    #[must_use]
    pub fn sentences(&self) -> Vec<Sentence> {
        let mut sentences = Vec::new();
        let segs = &self.segments;
        let mut start = 0;
        let mut i = 0;
        while i < segs.len() {
            let ends_here = if segs[i].class == CharClass::SentencePause {
                // Take the whole run of terminators (`?!`, `...`) and closing symbols.
                while i + 1 < segs.len()
                    && matches!(
                        segs[i + 1].class,
                        CharClass::SentencePause | CharClass::Symbol
                    )
                {
                    i += 1;
                }
                true
            } else {
                i + 1 == segs.len()
            };
            if ends_here {
                push_sentence(&mut sentences, &segs[start..=i]);
                start = i + 1;
            }
            i += 1;
        }
        sentences
    }
}

fn push_sentence(out: &mut Vec<Sentence>, span: &[Segment]) {
    let first = span.iter().position(|s| s.class != CharClass::Space);
    let last = span.iter().rposition(|s| s.class != CharClass::Space);
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let span = &span[first..=last];
    out.push(Sentence {
        text: span.iter().map(|s| s.ch).collect(),
        char_index: span[0].char_index,
        terminator: span
            .iter()
            .rev()
            .find(|s| s.class == CharClass::SentencePause)
            .map(|s| s.ch),
        start_ms: span[0].start_ms,
        end_ms: span[span.len() - 1].end_ms,
    });
}

/// The length of the speech for `text` in milliseconds, without synthesising or
/// allocating; equal to [`Synthesis::duration_ms`](super::Synthesis::duration_ms) for the same inputs.
///
/// # Errors
///
/// When `params` is invalid ([`SynthParams::validate`]).
pub fn duration_ms(text: &str, params: &SynthParams) -> Result<u64, AudioError> {
    params.validate()?;
    let frames: u64 = text.chars().map(|c| params.frames_for(classify(c))).sum();
    Ok(frames * 1000 / u64::from(params.sample_rate))
}
