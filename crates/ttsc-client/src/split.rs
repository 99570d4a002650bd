//! Splitting a long text into parts that each fit one job, cut where a reader would pause.
//!
//! [`split_text`] cuts at the strongest boundary near an even cut: a paragraph break
//! first, then a sentence end (Latin `. ! ? …` followed by whitespace, CJK `。！？；…`,
//! with closing quotes and brackets kept with their sentence), then clause punctuation
//! (`, ; :` followed by whitespace, `，、：`), then whitespace, and only as the last resort
//! anywhere between two grapheme clusters. It never cuts inside a number (`3.14`,
//! `2,048`), after a common abbreviation (`Dr.`, `e.g.`), inside a URL or inside an
//! SSML/XML tag, unless such a form is itself longer than the limit.
//!
//! Whitespace stays at the end of the part before the cut, so every part but the first
//! starts with a visible character. Lengths are counted in Unicode scalar values
//! (`char`s), as the service counts `text`. The parts, concatenated, are the input
//! exactly.
//!
//! ```
//! use ttsc_client::split::split_text;
//!
//! let text = "Dr. Smith paid 3.14 yuan. 然后他回家了。Then he left.";
//! let parts = split_text(text, 30);
//! assert_eq!(parts, ["Dr. Smith paid 3.14 yuan. ", "然后他回家了。Then he left."]);
//! assert_eq!(parts.concat(), text);
//! ```

use unicode_segmentation::UnicodeSegmentation;

/// The longest `text` one job takes, in characters (the documented 10,000).
pub const DEFAULT_MAX_PART_CHARS: usize = 10_000;

/// How good a cut is, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Hard,
    Space,
    Clause,
    Sentence,
    Paragraph,
}

/// Abbreviations after which a cut would read as a sentence break that is not one.
const ABBREVIATIONS: [&str; 13] = [
    "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Jr.", "Sr.", "Mt.", "vs.", "e.g.", "i.e.", "cf.",
];

/// URL openings: the URL runs from here to the next whitespace.
const URL_STARTS: [&str; 4] = ["https://", "http://", "ftp://", "www."];

/// The longest SSML/XML tag recognised, in characters.
const MAX_TAG_CHARS: usize = 1000;

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '）'
            | '】'
            | '〕'
            | '〗'
            | '］'
            | '｝'
            | '｣'
    )
}

fn is_latin_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_cjk_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '…' | '｡')
}

fn is_latin_clause(c: char) -> bool {
    matches!(c, ',' | ';' | ':')
}

fn is_cjk_clause(c: char) -> bool {
    matches!(c, '，' | '、' | '：')
}

fn is_break_punctuation(c: char) -> bool {
    is_closer(c)
        || is_latin_sentence_end(c)
        || is_cjk_sentence_end(c)
        || is_latin_clause(c)
        || is_cjk_clause(c)
}

/// Splits `text` into parts of at most `max_chars` characters (see the
/// [module docs](self)). A text that fits is one part, itself.
///
/// # Panics
///
/// When `max_chars` is 0.
#[must_use]
pub fn split_text(text: &str, max_chars: usize) -> Vec<&str> {
    assert!(max_chars > 0, "max_chars must be at least 1");
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    if n <= max_chars {
        return vec![text];
    }
    let cuts = Cuts::new(text, &chars);
    let mut parts = Vec::new();
    let mut start = 0;
    while n - start > max_chars {
        let end = cuts.choose(start, max_chars);
        parts.push(&text[chars[start].0..chars[end].0]);
        start = end;
    }
    parts.push(&text[chars[start].0..]);
    parts
}

/// Where the text may be cut: for each position (the boundary before character `i`),
/// its level, whether it is a grapheme boundary and whether a protected form covers it.
struct Cuts {
    level: Vec<Level>,
    grapheme: Vec<bool>,
    protected: Vec<bool>,
}

impl Cuts {
    fn new(text: &str, chars: &[(usize, char)]) -> Self {
        let n = chars.len();
        let mut grapheme = vec![false; n + 1];
        let mut ci = 0;
        for (byte, _) in text.grapheme_indices(true) {
            while chars[ci].0 < byte {
                ci += 1;
            }
            grapheme[ci] = true;
        }
        grapheme[n] = true;
        let level = (0..=n).map(|i| level_at(chars, i)).collect();
        Cuts {
            level,
            grapheme,
            protected: protected_positions(chars),
        }
    }

    /// The end of the part starting at `start`: the strongest allowed cut near the even
    /// cut, within `max_chars`.
    fn choose(&self, start: usize, max_chars: usize) -> usize {
        let n = self.level.len() - 1;
        let remaining = n - start;
        let parts_left = remaining.div_ceil(max_chars);
        let ideal = start + remaining.div_ceil(parts_left);
        let hi = start + max_chars;
        // Cutting before `forced` would need one more part than necessary.
        let forced = n
            .saturating_sub((parts_left - 1) * max_chars)
            .max(start + 1);
        // Parts shorter than half the even size only when nothing better exists.
        let even = forced.max(start + (ideal - start) / 2);
        let clean = |i: usize| self.grapheme[i] && !self.protected[i];
        let soft = |i: usize| clean(i) && self.level[i] > Level::Hard;
        let tries: [(usize, &dyn Fn(usize) -> bool); 6] = [
            (even, &soft),
            (start + 1, &soft),
            (forced, &clean),
            (start + 1, &clean),
            (start + 1, &|i| self.grapheme[i]),
            (start + 1, &|_| true),
        ];
        for (lo, allowed) in tries {
            if let Some(cut) = self.best(lo, hi, ideal, allowed) {
                return cut;
            }
        }
        hi
    }

    /// The allowed position in `lo..=hi` with the highest level, nearest `ideal`.
    fn best(
        &self,
        lo: usize,
        hi: usize,
        ideal: usize,
        allowed: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        (lo..=hi)
            .filter(|&i| allowed(i))
            .max_by_key(|&i| (self.level[i], std::cmp::Reverse(i.abs_diff(ideal)), i))
    }
}

/// The level of a cut before character `i`.
fn level_at(chars: &[(usize, char)], i: usize) -> Level {
    if i == 0 || i >= chars.len() {
        return Level::Hard;
    }
    let c = chars[i].1;
    let prev = chars[i - 1].1;
    if c.is_whitespace() {
        return Level::Hard;
    }
    if prev.is_whitespace() {
        let mut j = i;
        while j > 0 && chars[j - 1].1.is_whitespace() {
            j -= 1;
        }
        let newlines = chars[j..i]
            .iter()
            .filter(|(_, c)| matches!(c, '\n' | '\u{2029}'))
            .count();
        if newlines >= 2 {
            return Level::Paragraph;
        }
        return match mark_before(chars, j) {
            Some(m) if is_latin_sentence_end(m) || is_cjk_sentence_end(m) => Level::Sentence,
            Some(m) if is_latin_clause(m) || is_cjk_clause(m) => Level::Clause,
            _ => Level::Space,
        };
    }
    if is_break_punctuation(c) {
        return Level::Hard;
    }
    match mark_before(chars, i) {
        Some(m) if is_cjk_sentence_end(m) => Level::Sentence,
        Some(m) if is_cjk_clause(m) => Level::Clause,
        _ => Level::Hard,
    }
}

/// The last character before position `end`, skipping closing quotes and brackets.
fn mark_before(chars: &[(usize, char)], end: usize) -> Option<char> {
    chars[..end]
        .iter()
        .rev()
        .map(|&(_, c)| c)
        .find(|&c| !is_closer(c))
}

/// Positions no cut may take: inside numbers, URLs and tags, and inside or right after an
/// abbreviation (through the whitespace that follows it).
fn protected_positions(chars: &[(usize, char)]) -> Vec<bool> {
    let n = chars.len();
    let mut protected = vec![false; n + 1];
    let mut protect = |from: usize, to: usize| {
        for p in &mut protected[from.min(n + 1)..to.min(n + 1)] {
            *p = true;
        }
    };
    let is_word = |i: usize| i < n && chars[i].1.is_alphanumeric();
    let starts_with = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, want)| chars.get(i + k).is_some_and(|&(_, c)| c == want))
    };
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        let word_start = i == 0 || !is_word(i - 1);
        if word_start && c.is_ascii_digit() {
            // Digits, with single `.`, `,` or `:` between digits.
            let mut end = i + 1;
            while end < n {
                let d = chars[end].1;
                if d.is_ascii_digit() {
                    end += 1;
                } else if matches!(d, '.' | ',' | ':')
                    && end + 1 < n
                    && chars[end + 1].1.is_ascii_digit()
                {
                    end += 2;
                } else {
                    break;
                }
            }
            protect(i + 1, end);
            i = end;
            continue;
        }
        if word_start && let Some(url) = URL_STARTS.iter().find(|s| starts_with(i, s)) {
            let mut end = i + url.chars().count();
            while end < n
                && !chars[end].1.is_whitespace()
                && !matches!(chars[end].1, '<' | '>' | '"')
                && !is_wide(chars[end].1)
            {
                end += 1;
            }
            while end > i
                && matches!(
                    chars[end - 1].1,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\''
                )
            {
                end -= 1;
            }
            protect(i + 1, end);
            i = end.max(i + 1);
            continue;
        }
        if word_start && let Some(abbr) = ABBREVIATIONS.iter().find(|s| starts_with(i, s)) {
            let mut end = i + abbr.chars().count();
            while end < n && chars[end].1.is_whitespace() {
                end += 1;
            }
            protect(i + 1, end + 1);
            i += abbr.chars().count();
            continue;
        }
        if c == '<'
            && i + 1 < n
            && (chars[i + 1].1.is_ascii_alphabetic() || matches!(chars[i + 1].1, '/' | '!' | '?'))
        {
            let close = chars[i + 1..n.min(i + MAX_TAG_CHARS)]
                .iter()
                .position(|&(_, d)| d == '>' || d == '<');
            if let Some(k) = close.filter(|&k| chars[i + 1 + k].1 == '>') {
                let end = i + 2 + k;
                protect(i + 1, end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    protected
}

/// Whether `c` is a wide (CJK) character or punctuation, which ends a URL.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, max: usize) -> Vec<&str> {
        let parts = split_text(text, max);
        assert_eq!(parts.concat(), text);
        for p in &parts {
            assert!(!p.is_empty());
            assert!(p.chars().count() <= max, "{p:?} over {max}");
        }
        parts
    }

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split_text("Hello.", 10), ["Hello."]);
        assert_eq!(split_text("", 10), [""]);
        assert_eq!(split_text("0123456789", 10), ["0123456789"]);
    }

    #[test]
    fn paragraph_breaks_come_first() {
        let text = "One two three. Four five six.\n\nSeven eight. Nine ten.";
        assert_eq!(
            check(text, 40),
            [
                "One two three. Four five six.\n\n",
                "Seven eight. Nine ten."
            ]
        );
    }

    #[test]
    fn sentence_ends_beat_clauses_and_spaces() {
        let text = "Alpha beta, gamma delta. Epsilon zeta, eta theta iota kappa.";
        assert_eq!(
            check(text, 40),
            [
                "Alpha beta, gamma delta. ",
                "Epsilon zeta, eta theta iota kappa."
            ]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        let text = "He said \"stop now.\" Then he left the room quietly.";
        let parts = check(text, 30);
        assert_eq!(parts[0], "He said \"stop now.\" ");
        let cjk = "他说：“我们走吧。”然后大家一起离开了这个地方";
        let parts = check(cjk, 15);
        assert_eq!(parts[0], "他说：“我们走吧。”");
    }

    #[test]
    fn cjk_sentences_and_clauses() {
        let text = "今天天气很好，我们去公园。明天下雨，我们在家看书；后天再说吧";
        let parts = check(text, 16);
        assert_eq!(parts[0], "今天天气很好，我们去公园。");
        let clauses = "今天天气很好，我们一起去公园散步吧，然后回家";
        assert_eq!(check(clauses, 16)[0], "今天天气很好，");
    }

    #[test]
    fn numbers_abbreviations_urls_and_tags_are_not_cut() {
        // Without protection the even cut would fall inside each of these forms.
        for (text, form) in [
            ("aaaa bbbb 3.14159265 cccc dddd", "3.14159265"),
            ("aaaa bbbb 2,048,576 cccc dddd eeee", "2,048,576"),
            ("aaaa bbbb cccc Dr. Smith dddd eeee", "Dr. S"),
            ("aaaa bbbb e.g. cccc dddd eeee ffff", "e.g. c"),
            (
                "aaaa https://example.com/a.b?c=d, bbbb cccc",
                "https://example.com/a.b?c=d",
            ),
            (
                "aaaa bbbb <break time=\"300ms\"/> cccc dddd",
                "<break time=\"300ms\"/>",
            ),
        ] {
            let at = text.find(form).unwrap();
            for max in 8..text.len() {
                let parts = check(text, max);
                if form.chars().count() + 1 >= max {
                    continue;
                }
                let mut pos = 0;
                for p in &parts[..parts.len() - 1] {
                    pos += p.len();
                    assert!(
                        pos <= at || pos >= at + form.len(),
                        "{text:?} at {max}: cut inside {form:?}: {parts:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn hard_cut_when_nothing_else_and_never_inside_a_grapheme() {
        let text = "a\u{301}".repeat(10);
        let parts = check(&text, 5);
        for p in &parts {
            assert!(p.starts_with('a'), "{parts:?}");
        }
        let word = "x".repeat(25);
        assert_eq!(check(&word, 10).len(), 3);
    }

    #[test]
    fn parts_are_even_when_boundaries_allow() {
        let sentence = "This is a short sentence. ";
        let text = sentence.repeat(40); // 1040 characters
        let parts = check(&text, 400);
        assert_eq!(parts.len(), 3);
        for p in &parts {
            let len = p.chars().count();
            assert!((320..=400).contains(&len), "{len}");
        }
    }

    #[test]
    fn no_part_is_whitespace_only_and_later_parts_start_visible() {
        let text = "word ".repeat(100) + "   \n\n  " + &"mot ".repeat(100);
        let parts = check(&text, 120);
        for p in &parts[1..] {
            assert!(!p.starts_with(char::is_whitespace), "{p:?}");
        }
    }
}
