//! The fast path's string assertions: `pattern`, decided with `regex_lite` (the `regex` crate's
//! small sibling: a pattern compiles in microseconds, not the ~0.1 M instructions `regex` spends
//! building its engines) only in the syntax where it and ECMA 262 (what JSON Schema means) agree,
//! and `format`, decided on strict subsets of what jsonschema 0.61 accepts as `date-time` and `uri`
//! (anything else is `Unknown`).

use super::Verdict::{self, Unknown, Valid};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Formats jsonschema does not know (schemars writes them for Rust integer types); with unknown
/// formats ignored, as sebc's validator has them, they assert nothing (keywords/format.rs
/// `builtin_format` lists the known ones).
const IGNORED_FORMATS: &[&str] = &[
    "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float",
    "double",
];

/// `pattern`: whether a string matches, where [`compiled`] can say.
pub(super) fn pattern(pattern: &Value, instance: &Value) -> Verdict {
    let Value::String(s) = instance else {
        return Valid;
    };
    let Some(pattern) = pattern.as_str() else {
        return Unknown;
    };
    match compiled(pattern) {
        Some(re) => Verdict::from_bool(re.is_match(s)),
        None => Unknown,
    }
}

/// The pattern compiled with `regex_lite`, when its syntax is one where ECMA 262 (what JSON Schema
/// means) and Rust's regex dialect agree: ASCII literals, bracket classes, groups, alternation,
/// anchors, quantifiers, and `\.`, `\-`, `\/` escapes. No `.` outside a class (ECMA's excludes more
/// line terminators), no `\d`/`\w`/`\s`/`\b` (their classes differ between dialects), no look-around.
fn compiled(pattern: &str) -> Option<&'static regex_lite::Regex> {
    // Compiled once per pattern and kept for the process (the schemas have a handful): a clone of a
    // `Regex` would build its match cache again at each use.
    type Cache = HashMap<String, Option<&'static regex_lite::Regex>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(pattern) {
        return *found;
    }
    let compiled = portable_pattern(pattern)
        .then(|| regex_lite::Regex::new(pattern).ok())
        .flatten()
        .map(|re| &*Box::leak(Box::new(re)));
    cache.insert(pattern.to_string(), compiled);
    compiled
}

fn portable_pattern(pattern: &str) -> bool {
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if !matches!(chars.next(), Some('.' | '-' | '/')) {
                    return false;
                }
            }
            '[' if !in_class => {
                in_class = true;
                // `[^` negation and `[]` differ between the dialects' edge cases: leave them.
                if matches!(chars.clone().next(), Some('^' | ']' | '[')) {
                    return false;
                }
            }
            '[' => return false,
            ']' if in_class => in_class = false,
            '.' if !in_class => return false,
            c if c.is_ascii_alphanumeric() => {}
            '^' | '$' | '(' | ')' | '{' | '}' | '?' | '*' | '+' | '|' | ',' | '-' | '_' | '/'
            | ':' | '.' | ']' => {
                // `(?` starts a group modifier or look-around.
                if c == '(' && chars.clone().next() == Some('?') {
                    return false;
                }
            }
            _ => return false,
        }
    }
    !in_class
}

/// `format`: `Valid` for strings in the subsets below and formats jsonschema ignores, else `Unknown`
/// (never `Invalid`: a string outside a subset may still be one jsonschema accepts).
pub(super) fn format(format: &Value, instance: &Value) -> Verdict {
    let Value::String(s) = instance else {
        return Valid;
    };
    match format.as_str() {
        Some("date-time") if plain_date_time(s) => Valid,
        Some("uri") if plain_uri(s) => Valid,
        Some(f) if IGNORED_FORMATS.contains(&f) => Valid,
        _ => Unknown,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with a real calendar date and no leap second: a subset
/// of RFC 3339 that jsonschema's `is_valid_datetime` accepts (keywords/format.rs `is_valid_date`,
/// `is_valid_time`). Anything else (lowercase `t`/`z`, second 60, ...) is not decided here.
fn plain_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len()
                && at(i + 3, b':')
                && digits(i + 1..i + 3).is_some_and(|h| h <= 23)
                && digits(i + 4..i + 6).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// `scheme:[//host[:port]]path[?query][#fragment]` with only unreserved and sub-delim characters,
/// `:`, `@`, `/` and `?` where RFC 3986 allows them, no percent-encoding and no userinfo or IP literal:
/// a subset of the URIs jsonschema's `uri` check (keywords/rfc3986.rs) accepts.
fn plain_uri(s: &str) -> bool {
    fn unreserved_or_sub_delim(b: u8) -> bool {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            )
    }
    let pchar = |b: u8| unreserved_or_sub_delim(b) || matches!(b, b':' | b'@');
    let b = s.as_bytes();
    let Some(colon) = b.iter().position(|&c| c == b':') else {
        return false;
    };
    let scheme = &b[..colon];
    if !scheme.first().is_some_and(u8::is_ascii_alphabetic)
        || !scheme
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let mut i = colon + 1;
    if b[i..].starts_with(b"//") {
        i += 2;
        while b.get(i).copied().is_some_and(unreserved_or_sub_delim) {
            i += 1;
        }
        if b.get(i) == Some(&b':') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if !matches!(b.get(i), None | Some(b'/' | b'?' | b'#')) {
            return false;
        }
    }
    while b.get(i).is_some_and(|&c| pchar(c) || c == b'/') {
        i += 1;
    }
    for delimiter in [b'?', b'#'] {
        if b.get(i) == Some(&delimiter) {
            i += 1;
            while b
                .get(i)
                .is_some_and(|&c| pchar(c) || matches!(c, b'/' | b'?'))
            {
                i += 1;
            }
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_in_the_subset() {
        for ok in [
            "2026-12-01T09:00:00Z",
            "2024-02-29T23:59:59.123+01:00",
            "2026-12-01T09:00:00-23:59",
        ] {
            assert!(plain_date_time(ok), "{ok}");
        }
        for not in [
            "2023-02-29T00:00:00Z",
            "2026-12-01t09:00:00z",
            "2026-12-01T23:59:60Z",
            "2026-12-01 09:00:00Z",
            "2026-12-01T09:00:00",
            "2026-12-01T09:00:00.Z",
            "2026-12-01T09:00:00+1:00",
            "2026-13-01T09:00:00Z",
            "2026-12-01T09:00:00Z ",
            "२०२६-12-01T09:00:00Z",
        ] {
            assert!(!plain_date_time(not), "{not}");
        }
    }

    #[test]
    fn uris_in_the_subset() {
        for ok in [
            "https://meet.example.org",
            "https://meet.example.org:8443/a/b?x=1&y=2#top",
            "mailto:a@b",
            "urn:isbn:0451450523",
            "http://sps-webservice:8090",
        ] {
            assert!(plain_uri(ok), "{ok}");
        }
        for not in [
            "meet.example.org",
            "https://a b",
            "https://x/%20",
            "http://[::1]/",
            "https://user@host/",
            "1http://x",
            "https://x:80a/",
            "",
        ] {
            assert!(!plain_uri(not), "{not}");
        }
    }

    #[test]
    fn portable_patterns() {
        for ok in [
            "^[a-z0-9][a-z0-9_-]*$",
            "^[0-9]+\\.[0-9]+(\\.\\.[0-9]+\\.[0-9]+)?$",
            "^(vpaas-magic-cookie-[A-Za-z0-9]+/)?[A-Za-z0-9]+$",
            "^[a-z0-9][a-z0-9_-]{0,63}$",
        ] {
            assert!(portable_pattern(ok), "{ok}");
        }
        for not in ["a.b", "\\d+", "(?=x)", "[^a]", "\\w", "é", "[a"] {
            assert!(!portable_pattern(not), "{not}");
        }
    }

    /// Every pattern of the exam schema the fast path decides, on strings made of the characters
    /// such patterns are about (and a few others), gets jsonschema's own verdict (its ECMA 262
    /// regexes, not the `regex_lite` dialect used here).
    #[test]
    fn schema_patterns_decide_as_jsonschema_does() {
        use proptest::prelude::*;
        fn patterns(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(p)) = o.get("pattern") {
                        out.push(p.clone());
                    }
                    o.values().for_each(|v| patterns(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| patterns(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        patterns(&crate::schema::exam_schema(), &mut all);
        all.sort();
        all.dedup();
        let decided: Vec<String> = all.into_iter().filter(|p| portable_pattern(p)).collect();
        assert!(decided.len() >= 4, "{decided:?}");
        let validators: Vec<(String, jsonschema::Validator)> = decided
            .iter()
            .map(|p| {
                let schema = serde_json::json!({ "type": "string", "pattern": p });
                (p.clone(), jsonschema::validator_for(&schema).unwrap())
            })
            .collect();
        let text = proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(
                    "abz09AZ-_./ \n".chars().collect::<Vec<char>>()
                ),
                1 => proptest::sample::select(
                    "vpaas-magic-cookie-".chars().collect::<Vec<char>>()
                ),
                1 => proptest::sample::select(vec!['é', 'ß', '٣', '\u{212A}', '\u{0}']),
            ],
            0..24,
        )
        .prop_map(|cs| cs.into_iter().collect::<String>());
        let mut prefixes = vec![
            String::new(),
            "vpaas-magic-cookie-".to_string(),
            "3.5..3.".to_string(),
        ];
        prefixes.push("a".repeat(63));
        let strings = (proptest::sample::select(prefixes), text).prop_map(|(p, t)| p + &t);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        runner
            .run(&strings, |s| {
                for (p, validator) in &validators {
                    let ours = pattern(&Value::String(p.clone()), &Value::String(s.clone()));
                    let theirs = Verdict::from_bool(validator.is_valid(&Value::String(s.clone())));
                    prop_assert_eq!(ours, theirs, "pattern {} on {:?}", p, s);
                }
                Ok(())
            })
            .unwrap();
    }
}
