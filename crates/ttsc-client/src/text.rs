//! Text from a server made safe to show: what the client puts in its error messages, and
//! what a program printing service data (job ids, messages, names) to a terminal should
//! pass it through.

/// Text from a server, made safe for a terminal and a log line: control characters (escape
/// sequences included) become `?`, bidi controls and invisible format characters (U+202E,
/// zero-width spaces, …) are dropped, white space runs collapse, and the result is cut at
/// `max` characters.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max.saturating_add(3)));
    let mut count = 0;
    let mut last_space = false;
    for c in text.chars() {
        if count >= max {
            out.push('…');
            break;
        }
        if is_invisible_format(c) {
            continue;
        }
        let c = if c.is_whitespace() {
            if last_space {
                continue;
            }
            last_space = true;
            ' '
        } else if c.is_control() {
            last_space = false;
            '?'
        } else {
            last_space = false;
            c
        };
        out.push(c);
        count += 1;
    }
    out.trim().to_string()
}

/// Bidi controls and invisible format characters (Unicode category Cf): they reorder or
/// hide what a terminal shows, so server text never carries them to one.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{110BD}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_bidi_and_invisible_characters() {
        assert_eq!(
            sanitize(
                "a\u{202E}b\u{200B}c\u{2066}d\u{FEFF}e\u{061C}f\u{200E}g\u{2060}h",
                100
            ),
            "abcdefgh"
        );
    }

    #[test]
    fn sanitizes_escape_sequences_and_long_text() {
        assert_eq!(sanitize("a\x1b[31mred\x07\n\n b", 100), "a?[31mred? b");
        assert_eq!(sanitize(&"x".repeat(10), 4), "xxxx…");
        assert_eq!(sanitize("no limit", usize::MAX), "no limit");
    }
}
