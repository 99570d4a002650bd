//! A small INI parser covering what Python's `configparser` accepts in the official SDKs'
//! credentials file.
//!
//! Supported: `[section]` headers, `key = value` and `key: value` (split at the first `=`
//! or `:`), keys lower-cased, values trimmed, full-line `#` and `;` comments, a leading
//! BOM, and `[DEFAULT]` values inherited by every section. Like `configparser` in strict
//! mode, a repeated section or key is an error. Not supported: multi-line values and `%`
//! interpolation (values are taken literally).

use zeroize::Zeroizing;

/// A parsed file. Values are zeroized on drop: they may be secret keys.
#[derive(Default)]
pub(crate) struct Ini {
    sections: Vec<Section>,
}

struct Section {
    name: String,
    entries: Vec<(String, Zeroizing<String>)>,
}

/// A syntax error: the 1-based line and what is wrong (never the line's text).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct IniError {
    pub(crate) line: usize,
    pub(crate) reason: String,
}

const DEFAULT_SECTION: &str = "DEFAULT";

impl Ini {
    pub(crate) fn parse(text: &str) -> Result<Self, IniError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ini = Self::default();
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let err = |reason: &str| IniError {
                line: line_no,
                reason: reason.to_owned(),
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let name = rest
                    .strip_suffix(']')
                    .ok_or_else(|| err("section header without a closing `]`"))?
                    .trim();
                if name.is_empty() {
                    return Err(err("empty section name"));
                }
                if ini.sections.iter().any(|s| s.name == name) {
                    return Err(err(&format!("section [{name}] appears twice")));
                }
                ini.sections.push(Section {
                    name: name.to_owned(),
                    entries: Vec::new(),
                });
                continue;
            }
            let split = line
                .find(['=', ':'])
                .ok_or_else(|| err("expected `key = value`"))?;
            let key = line[..split].trim().to_lowercase();
            if key.is_empty() {
                return Err(err("empty key"));
            }
            let value = Zeroizing::new(line[split + 1..].trim().to_owned());
            let section = ini
                .sections
                .last_mut()
                .ok_or_else(|| err("key before any [section] header"))?;
            if section.entries.iter().any(|(k, _)| *k == key) {
                return Err(err(&format!(
                    "key `{key}` appears twice in [{}]",
                    section.name
                )));
            }
            section.entries.push((key, value));
        }
        Ok(ini)
    }

    /// Whether section `name` exists (`DEFAULT` does not count).
    pub(crate) fn has_section(&self, name: &str) -> bool {
        name != DEFAULT_SECTION && self.sections.iter().any(|s| s.name == name)
    }

    /// The value of `key` (lower-case) in `section`, falling back to `[DEFAULT]`.
    pub(crate) fn get(&self, section: &str, key: &str) -> Option<&str> {
        let lookup = |name: &str| {
            self.sections
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.entries.iter().find(|(k, _)| k == key))
                .map(|(_, v)| v.as_str())
        };
        lookup(section).or_else(|| lookup(DEFAULT_SECTION))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_official_sdk_layout() {
        let ini = Ini::parse(
            "\u{feff}# comment\n; other comment\n[basic]\nak = AK1\nSK: s=k:1 \n\n[global]\nak=AK2\n",
        )
        .expect("valid");
        assert!(ini.has_section("basic"));
        assert!(ini.has_section("global"));
        assert!(!ini.has_section("work"));
        assert_eq!(ini.get("basic", "ak"), Some("AK1"));
        assert_eq!(ini.get("basic", "sk"), Some("s=k:1"));
        assert_eq!(ini.get("global", "ak"), Some("AK2"));
        assert_eq!(ini.get("global", "sk"), None);
    }

    #[test]
    fn default_section_is_inherited() {
        let ini =
            Ini::parse("[DEFAULT]\niam_endpoint = https://iam\n[basic]\nak = A\n").expect("valid");
        assert_eq!(ini.get("basic", "iam_endpoint"), Some("https://iam"));
        assert!(!ini.has_section("DEFAULT"));
    }

    #[test]
    fn reports_errors_by_line_without_content() {
        for (text, line, reason) in [
            ("ak = x\n", 1, "key before any [section] header"),
            ("[basic]\njust-a-secret\n", 2, "expected `key = value`"),
            ("[basic\n", 1, "section header without a closing `]`"),
            ("[basic]\n[basic]\n", 2, "section [basic] appears twice"),
            (
                "[basic]\nak=1\nAK=2\n",
                3,
                "key `ak` appears twice in [basic]",
            ),
            ("[basic]\n= v\n", 2, "empty key"),
            ("[]\n", 1, "empty section name"),
        ] {
            let err = Ini::parse(text).err().expect(text);
            assert_eq!(
                err,
                IniError {
                    line,
                    reason: reason.to_owned()
                },
                "{text}"
            );
        }
    }
}
