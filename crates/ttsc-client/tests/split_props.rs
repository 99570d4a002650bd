//! Property tests of the text splitter: whatever the text and limit, the parts fit, join
//! back to the input, and no cut falls inside a protected form.

use proptest::prelude::*;
use ttsc_client::split::split_text;

/// A piece of text, and whether a cut inside it is forbidden.
fn token() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        4 => "[a-zA-Z]{1,12}".prop_map(|w| (w, false)),
        2 => "[\u{4e00}-\u{4e80}]{1,8}".prop_map(|w| (w, false)),
        1 => prop::sample::select(vec![
            "3.14", "2,048", "1,000,000.5", "12:30", "Dr. Smith", "Mr. Li", "e.g. this",
            "i.e. that", "https://example.com/a/b.html?x=1&y=2", "www.huaweicloud.com",
            "<break time=\"300ms\"/>", "<say-as interpret-as=\"digits\">", "a\u{301}e\u{301}",
        ])
        .prop_map(|f| (f.to_owned(), true)),
        1 => "[a-z]{30,80}".prop_map(|w| (w, false)),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ",
        " ",
        " ",
        ", ",
        ". ",
        "! ",
        "? ",
        "… ",
        "。",
        "，",
        "、",
        "；",
        "\n",
        "\n\n",
        "\" ",
        ".\" ",
        "。”",
        "  \n \n  ",
    ])
}

fn text() -> impl Strategy<Value = (String, Vec<(usize, usize)>)> {
    prop::collection::vec((token(), separator()), 1..120).prop_map(|pieces| {
        let mut text = String::new();
        let mut protected = Vec::new();
        for ((word, guard), sep) in pieces {
            let start = text.chars().count();
            text.push_str(&word);
            if guard {
                protected.push((start, text.chars().count()));
            }
            text.push_str(sep);
        }
        (text, protected)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parts_fit_join_back_and_spare_protected_forms(
        (text, protected) in text(),
        max in 45usize..400,
    ) {
        let parts = split_text(&text, max);
        prop_assert_eq!(parts.concat(), text.clone());
        let mut at = 0;
        for (k, part) in parts.iter().enumerate() {
            let len = part.chars().count();
            prop_assert!(len >= 1 && len <= max, "part {} has {} characters", k, len);
            at += len;
            if k + 1 < parts.len() {
                for &(s, e) in &protected {
                    prop_assert!(at <= s || at >= e, "cut at {} inside {:?}", at, (s, e));
                }
            }
        }
        let total = text.chars().count();
        prop_assert_eq!(parts.len() == 1, total <= max);
    }

    #[test]
    fn any_string_splits_losslessly(text in "\\PC{0,300}", max in 1usize..50) {
        let parts = split_text(&text, max);
        prop_assert_eq!(parts.concat(), text.clone());
        for part in parts {
            prop_assert!(part.chars().count() <= max);
        }
    }
}
