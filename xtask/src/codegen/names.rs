//! Rust names, types and doc comments for the wire names and descriptions.

use std::fmt::Write as _;

use super::{Constraints, Ty};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
];

/// `X-App-UserId` → `x_app_user_id`; `type` → `r#type`.
pub(super) fn rust_field_name(wire: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in wire.chars() {
        if c == '-' || c == '.' || c == ' ' {
            out.push('_');
            prev_lower = false;
        } else if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    if ["self", "super", "crate"].contains(&out.as_str()) {
        // These cannot be raw identifiers.
        format!("{out}_")
    } else if KEYWORDS.contains(&out.as_str()) {
        format!("r#{out}")
    } else {
        out
    }
}

/// `ASYNC_JOB` → `AsyncJob`, `date` → `Date`.
pub(super) fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for part in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            if part.chars().any(|c| c.is_ascii_lowercase())
                && part.chars().any(|c| c.is_ascii_uppercase())
            {
                out.push_str(&rest);
            } else {
                out.push_str(&rest.to_ascii_lowercase());
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Unknown" {
        out.push_str("Value");
    }
    out
}

/// Escapes description text for a doc comment: outside `code spans`, markdown link
/// brackets and HTML-looking angle brackets are escaped and bare URLs become code.
pub(super) fn doc_text(s: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for word in s.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end();
        if !in_code && (trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
            out.push('`');
            out.push_str(trimmed);
            out.push('`');
            out.push_str(&word[trimmed.len()..]);
            continue;
        }
        for c in word.chars() {
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push(c);
                }
                '[' | ']' | '<' | '>' if !in_code => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    if in_code {
        out.push('`');
    }
    out
}

pub(super) fn doc(out: &mut String, text: &str) {
    for line in text.lines() {
        let line = doc_text(line.trim_end());
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
}

pub(super) fn constraint_doc(cons: &Constraints, ty: &Ty) -> String {
    /// `LABEL: 1 to 5UNIT.`, `LABEL: at least 1UNIT.` or `LABEL: at most 5UNIT.`.
    fn bounds<T: std::fmt::Display>(
        label: &str,
        min: Option<T>,
        max: Option<T>,
        unit: &str,
    ) -> Option<String> {
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => return None,
        };
        Some(format!("{label}: {range}{unit}."))
    }
    let mut parts: Vec<String> = [
        bounds("Allowed", cons.min, cons.max, ""),
        bounds("Length", cons.min_len, cons.max_len, " characters"),
        bounds("Items", cons.min_items, cons.max_items, ""),
    ]
    .into_iter()
    .flatten()
    .collect();
    if cons.date_time {
        parts.push("Format: RFC 3339 date-time such as `2026-11-01T00:00:00Z`.".to_string());
    }
    if let Ty::Enum(e) = ty {
        parts.push(format!("Values: [`{e}`]."));
    }
    if let Some(d) = &cons.default {
        parts.push(format!("Default: `{d}`."));
    }
    parts.join(" ")
}

pub(super) fn rust_ty(ty: &Ty) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Enum(n) | Ty::Struct(n) => n.clone(),
        Ty::Custom(p) => p.clone(),
        Ty::Vec(t) => format!("Vec<{}>", rust_ty(t)),
    }
}

pub(super) fn query_expected(ty: &Ty) -> &'static str {
    match ty {
        Ty::I32 | Ty::I64 => "an integer",
        Ty::F64 => "a number",
        Ty::Bool => "true or false",
        _ => "a string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(rust_field_name("X-App-UserId"), "x_app_user_id");
        assert_eq!(rust_field_name("X-Request-Id"), "x_request_id");
        assert_eq!(rust_field_name("type"), "r#type");
        assert_eq!(rust_field_name("audio_file_url"), "audio_file_url");
        assert_eq!(variant_name("ASYNC_JOB"), "AsyncJob");
        assert_eq!(variant_name("WAV"), "Wav");
        assert_eq!(variant_name("date"), "Date");
        assert_eq!(variant_name("UNKNOWN"), "UnknownValue");
        assert_eq!(variant_name("1x"), "V1x");
    }

    #[test]
    fn doc_text_escapes_markdown() {
        assert_eq!(
            doc_text("see [x] <y> https://a.b/c d"),
            "see \\[x\\] \\<y\\> `https://a.b/c` d"
        );
        assert_eq!(doc_text("`a[0]` and `b"), "`a[0]` and `b`");
    }
}
