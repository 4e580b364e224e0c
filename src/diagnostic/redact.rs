//! Redaction: which parts of a text (a message, a hint, a label, a quoted line) must not be shown,
//! given the literal secrets of the run ([`crate::source::LiteralSecrets`]).
//!
//! Policy, by the length of a value in characters:
//! - 4 or more: masked wherever it occurs, inside words too (`hunter2` in `xhunter2y`);
//! - 1 to 3: masked only where it is a whole token, never splitting a run of letters, digits and `_`
//!   (a secret `42` masks `- 42` and `"42"` but not `1420`), since masking every `1` or `ab` would
//!   make diagnostics unreadable and would itself hint at the value;
//! - whitespace only: masked only where it is written (its place), never by value.
//!
//! Matching is linear in the text whatever the number of secrets (Aho-Corasick, leftmost-longest:
//! any occurrence of a value overlapping a masked one is broken by the mask, so none survives whole).

use crate::source::LiteralSecrets;
use aho_corasick::{AhoCorasick, MatchKind};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// What stands in for a secret value.
pub(crate) const MASK: &str = "********";

/// Shortest value masked wherever it occurs; shorter ones are masked as whole tokens only.
pub const MIN_ANYWHERE: usize = 4;

/// Longest value, in characters, of the short (whole-token) kind.
const MAX_SHORT: usize = MIN_ANYWHERE - 1;

/// The literal secrets of a run, ready to match.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Values of [`MIN_ANYWHERE`] characters or more.
    long: Option<AhoCorasick>,
    /// When the automaton cannot be built: the same values, matched one by one.
    fallback: Vec<String>,
    /// Shorter values, matched as whole tokens.
    short: HashSet<String>,
    /// Where literal secrets start, by file, then line: columns (1-based, in characters).
    places: HashMap<String, HashMap<u32, Vec<u32>>>,
}

impl Redactor {
    pub fn new(literals: &LiteralSecrets) -> Redactor {
        let mut long = Vec::new();
        let mut short = HashSet::new();
        for value in literals.values() {
            if value.trim().is_empty() {
                continue;
            }
            if value.chars().count() >= MIN_ANYWHERE {
                long.push(value.to_string());
            } else {
                short.insert(value.to_string());
            }
        }
        let mut places: HashMap<String, HashMap<u32, Vec<u32>>> = HashMap::new();
        for (file, pos) in literals.places() {
            places
                .entry(file.to_string())
                .or_default()
                .entry(pos.line)
                .or_default()
                .push(pos.col);
        }
        let automaton = (!long.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&long)
                    .ok()
            })
            .flatten();
        let fallback = if automaton.is_none() {
            long
        } else {
            Vec::new()
        };
        Redactor {
            long: automaton,
            fallback,
            short,
            places,
        }
    }

    /// Whether nothing is ever masked by value.
    pub fn is_empty(&self) -> bool {
        self.long.is_none() && self.fallback.is_empty() && self.short.is_empty()
    }

    /// Byte ranges of `text` holding a literal secret's value: sorted, disjoint, not adjacent.
    pub fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        if let Some(ac) = &self.long {
            spans.extend(ac.find_iter(text).map(|m| m.range()));
        }
        for value in &self.fallback {
            spans.extend(
                text.match_indices(value.as_str())
                    .map(|(i, v)| i..i + v.len()),
            );
        }
        if !self.short.is_empty() {
            self.short_spans(text, &mut spans);
        }
        merge(spans)
    }

    /// Whole-token occurrences of the short values.
    fn short_spans(&self, text: &str, spans: &mut Vec<Range<usize>>) {
        let mut starts = text.char_indices().map(|(i, _)| i).peekable();
        while let Some(i) = starts.next() {
            // Ends of the next one, two and three characters; the longest short value starting here
            // that is a whole token wins.
            let mut ends = [0; MAX_SHORT];
            let mut n = 0;
            for (j, _) in text[i..].char_indices().skip(1).take(MAX_SHORT) {
                ends[n] = i + j;
                n += 1;
            }
            if n < MAX_SHORT {
                ends[n] = text.len();
                n += 1;
            }
            let found = ends[..n]
                .iter()
                .rev()
                .copied()
                .find(|&j| self.short.contains(&text[i..j]) && whole_token(text, i..j));
            if let Some(j) = found {
                spans.push(i..j);
                while starts.next_if(|&k| k < j).is_some() {}
            }
        }
    }

    /// Columns (1-based, in characters) where literal secrets start on line `line` of `file`.
    pub fn places(&self, file: &str, line: u32) -> &[u32] {
        self.places
            .get(file)
            .and_then(|lines| lines.get(&line))
            .map_or(&[], Vec::as_slice)
    }

    /// `text` with every literal secret's value replaced by [`MASK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.is_empty() {
            return Cow::Borrowed(text);
        }
        let spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            out.push_str(&text[at..span.start]);
            out.push_str(MASK);
            at = span.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }
}

/// Sorts byte ranges and joins those that overlap or touch.
pub(crate) fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans.into_iter().filter(|s| !s.is_empty()) {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text[range]` splits no run of word characters at either end.
fn whole_token(text: &str, range: Range<usize>) -> bool {
    let inside = &text[range.clone()];
    let splits = |outside: Option<char>, edge: Option<char>| {
        outside.is_some_and(is_word) && edge.is_some_and(is_word)
    };
    !splits(
        text[..range.start].chars().next_back(),
        inside.chars().next(),
    ) && !splits(text[range.end..].chars().next(), inside.chars().next_back())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::source::Sources;

    fn redactor(values: &[&str]) -> Redactor {
        let mut sources = Sources::default();
        for v in values {
            sources.add_literal("f", Pos::default(), v);
        }
        Redactor::new(sources.literals())
    }

    #[test]
    fn long_values_are_masked_anywhere() {
        let r = redactor(&["hunter2", "s3cr3t-admin"]);
        assert_eq!(
            r.redact("a hunter2, xhunter22 and `s3cr3t-admin`"),
            "a ********, x********2 and `********`"
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn overlapping_values_leave_no_whole_occurrence() {
        let r = redactor(&["abcd", "cdef"]);
        let shown = r.redact("abcdef cdefab");
        assert!(
            !shown.contains("abcd") && !shown.contains("cdef"),
            "{shown}"
        );
    }

    #[test]
    fn short_values_are_masked_as_whole_tokens_only() {
        let r = redactor(&["42", "ab", "日"]);
        assert_eq!(
            r.redact("- 42, 1420, \"ab\", abc, x_ab, 日本, 日"),
            "- ********, 1420, \"********\", abc, x_ab, 日本, ********"
        );
    }

    #[test]
    fn whitespace_and_empty_values_are_never_matched() {
        let r = redactor(&["    ", ""]);
        assert!(r.is_empty());
        assert_eq!(r.redact("    indented"), "    indented");
    }

    #[test]
    fn many_values_match_in_one_pass() {
        let values: Vec<String> = (0..20_000).map(|i| format!("secret-{i:05}")).collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let r = redactor(&refs);
        assert_eq!(
            r.redact("x secret-19999 y secret-00000"),
            "x ******** y ********"
        );
    }
}
