//! What of a source line may be quoted in a diagnostic, and where its marks land: secrets masked (each
//! masked stretch replaced by one [`MASK`]), control characters shown escaped (one visible character
//! for one), long lines windowed around the marks, and the width of the token to underline.

use super::redact::MASK;
use std::borrow::Cow;
use std::ops::Range;

/// Longest stretch of a token underlined, and of an unmarked line quoted, in characters.
pub(super) const MAX_QUOTE: usize = 120;

/// Characters kept left of the leftmost mark of a long line (annotate-snippets windows what remains
/// to the terminal width, marking the cut).
const LEFT: usize = 2 * MAX_QUOTE;

/// Characters kept right of the rightmost mark.
const RIGHT: usize = 3 * MAX_QUOTE;

/// Marks the placeholder paths the human renderer gives annotate-snippets (a private-use character,
/// shown as `�` wherever else it appears, so a placeholder is never confused with user text).
pub(super) const PLACEHOLDER: char = '\u{f8ff}';

/// Replaces every character a terminal could act on (C0 controls but tab, DEL, C1 controls, bidi
/// overrides and isolates, and [`PLACEHOLDER`]) with one visible character: `␛` for ESC and its kin,
/// `�` for the rest.
/// Line feeds are kept when `keep_newlines` (messages may have several lines; a quoted line has none).
pub(super) fn escape_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let needs = |c: char| is_control(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if needs(c) { visible(c) } else { c })
            .collect(),
    )
}

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | PLACEHOLDER)
}

/// The Unicode control picture of a C0 control or DEL (`␛`), else the replacement character.
fn visible(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// Values assigned to keys that name secrets, passwords or tokens, anywhere in a line (`appSecret:
/// abc`, `{ "password": "x", … }`, `token = "y"`), as byte ranges: the fallback that still masks a
/// line of a file that does not parse, where no literal secret is known.
pub(super) fn secret_assignments(line: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for (sep, _) in line.match_indices([':', '=']) {
        let Some((key, key_start)) = key_before(line, sep) else {
            continue;
        };
        let key = key.to_lowercase();
        if !["secret", "password", "token"]
            .iter()
            .any(|w| key.contains(w))
        {
            continue;
        }
        let after = &line[sep + 1..];
        let start = sep + 1 + (after.len() - after.trim_start().len());
        if line[start..].starts_with(['{', '[']) || start >= line.len() {
            continue;
        }
        // A key that starts the line (block style): its value runs to the end, comments included.
        let block = line[..key_start]
            .trim_start()
            .trim_start_matches(['-', ' '])
            .is_empty();
        let end = if block {
            line.len()
        } else {
            start + value_width(line, start)
        };
        spans.push(start..end);
    }
    spans
}

/// The key written just before a separator at byte `sep`, unquoted, and where it starts.
fn key_before(line: &str, sep: usize) -> Option<(&str, usize)> {
    let head = line[..sep].trim_end();
    match head.chars().next_back()? {
        q @ ('"' | '\'') => {
            let body = &head[..head.len() - 1];
            let open = body.rfind(q)?;
            Some((&body[open + 1..], open))
        }
        _ => {
            let start = head
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .last()
                .map(|(i, _)| i)?;
            Some((&head[start..], start))
        }
    }
}

/// Bytes of the scalar value written at byte `start` of `line`: a quoted string to its closing quote
/// (to the end of the line when it does not close there), a plain one to a comment, and in a flow
/// collection to the next `,`, `}` or `]`.
pub(super) fn value_width(line: &str, start: usize) -> usize {
    let rest = &line[start..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, '"')) => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return i + 1,
                    _ => {}
                }
            }
            rest.len()
        }
        Some((_, '\'')) => {
            let mut chars = chars.peekable();
            while let Some((i, c)) = chars.next() {
                // `''` is a quote inside the string.
                if c == '\'' && chars.next_if(|(_, c)| *c == '\'').is_none() {
                    return i + 1;
                }
            }
            rest.len()
        }
        Some(_) => {
            let flow = line[..start].contains(['{', '[']);
            let comment = rest.find(" #").unwrap_or(rest.len());
            let end = if flow {
                rest.find([',', '}', ']']).unwrap_or(rest.len())
            } else {
                rest.len()
            };
            rest[..end.min(comment)].trim_end().len()
        }
    }
}

/// A line as shown: the characters of a window, masked and escaped, and where columns of the line
/// land in it.
#[derive(Debug)]
pub(super) struct Shown {
    pub text: String,
    /// Whether anything on the line was masked.
    pub masked: bool,
    /// Requested columns (0-based, characters of the line) and where they land in `text`: as the
    /// start of a mark (a column inside a mask lands on the mask) and as the end of one.
    landing: Vec<(usize, usize, usize)>,
}

impl Shown {
    /// Where column `col` lands as the start of a mark.
    pub fn start(&self, col: usize) -> usize {
        self.find(col).map_or(0, |(_, s, _)| s)
    }

    /// Where column `col` lands as the end of a mark.
    pub fn end(&self, col: usize) -> usize {
        self.find(col).map_or(0, |(_, _, e)| e)
    }

    fn find(&self, col: usize) -> Option<(usize, usize, usize)> {
        self.landing.iter().copied().find(|(c, _, _)| *c == col)
    }
}

/// Shapes a line (`text`, with `byte_of` giving a column's byte offset) for quoting. `masks` are byte ranges never shown; `secret_from` masks everything from
/// that column on (the diagnostic's own place holds a secret); `cols` are the columns the marks start
/// and end at (none: a line shown between marked ones, cut to [`MAX_QUOTE`] characters). Long lines are
/// cut to a window around the marks, so the work does not grow with the line's length.
pub(super) fn shape(
    text: &str,
    byte_of: impl Fn(usize) -> usize,
    masks: &[Range<usize>],
    secret_from: Option<usize>,
    cols: &[usize],
) -> Shown {
    let (lo, hi) = match (cols.iter().min(), cols.iter().max()) {
        (Some(&min), Some(&max)) => (min.saturating_sub(LEFT), max + RIGHT),
        _ => (0, MAX_QUOTE),
    };
    let (lo_b, hi_b) = (byte_of(lo), byte_of(hi));
    let mut wanted: Vec<usize> = cols.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut shown = Shown {
        text: String::new(),
        masked: !masks.is_empty() || secret_from.is_some(),
        landing: Vec::with_capacity(wanted.len()),
    };
    let mut count = 0; // characters in `shown.text`
    let mut next = 0; // index into `wanted`
    let mut mask = masks.partition_point(|m| m.end <= lo_b);
    let mut in_mask: Option<(usize, usize)> = None; // (mask index, where its MASK starts)
    let mut col = lo;
    let mut byte = lo_b;
    let mut cut = false;
    for c in text[lo_b..hi_b].chars() {
        while mask < masks.len() && masks[mask].end <= byte {
            mask += 1;
        }
        let inside = mask < masks.len() && masks[mask].start <= byte;
        if secret_from.is_some_and(|s| col >= s) {
            cut = true;
            // Keep the mask already shown only when the secret starts inside it.
            if !(inside && in_mask.is_some_and(|(m, _)| m == mask)) {
                in_mask = None;
            }
            break;
        }
        let before = count;
        let entered = inside && in_mask.is_none_or(|(m, _)| m != mask);
        if entered {
            in_mask = Some((mask, count));
            shown.text.push_str(MASK);
            count += MASK.len();
        } else if !inside {
            in_mask = None;
        }
        while next < wanted.len() && wanted[next] <= col {
            let (start, end) = match in_mask {
                Some((_, at)) if inside => (at, if entered { before } else { count }),
                _ => (before, before),
            };
            shown.landing.push((wanted[next], start, end));
            next += 1;
        }
        if !inside {
            shown.text.push(if is_control(c) { visible(c) } else { c });
            count += 1;
        }
        col += 1;
        byte += c.len_utf8();
    }
    let reached_end = hi_b >= text.len() && !cut;
    if secret_from.is_some() {
        // The diagnostic's own secret: one mask for the rest of the line (the one already shown when
        // the secret starts inside it), marks land on it.
        let at = match in_mask {
            Some((_, at)) if cut => at,
            _ => {
                shown.text.push_str(MASK);
                count += MASK.len();
                count - MASK.len()
            }
        };
        for &w in &wanted[next..] {
            shown.landing.push((w, at, count));
        }
        next = wanted.len();
    }
    // Columns past the end of the line (or window): padded, so marks keep their place.
    for &w in &wanted[next..] {
        let at = if reached_end {
            count + (w - col)
        } else {
            count
        };
        shown.landing.push((w, at, at));
    }
    if let Some(&far) = shown.landing.iter().map(|(_, s, _)| s).max()
        && far > count
    {
        shown.text.extend(std::iter::repeat_n(' ', far - count));
    }
    if cols.is_empty() && hi_b < text.len() {
        shown.text.push('…');
    }
    shown
}

/// Width of the token starting `rest` (in chars): up to the end of a word, a quoted string or the line,
/// at most [`MAX_QUOTE`].
pub(super) fn token_width(rest: &str) -> usize {
    let mut chars = rest.chars().take(MAX_QUOTE + 1);
    match chars.next() {
        None => 1,
        Some(q @ ('"' | '\'')) => {
            let mut n = 1;
            for c in chars {
                n += 1;
                if c == q {
                    break;
                }
            }
            n
        }
        Some('{' | '[') => 1,
        Some(_) => rest
            .chars()
            .take(MAX_QUOTE)
            .take_while(|&c| !matches!(c, ':' | ',' | '}' | ']' | '=' | '#') && !c.is_whitespace())
            .count()
            .max(1),
    }
    .min(MAX_QUOTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_one_visible_character_each() {
        let line = "a\u{1b}[31mb\u{7}\u{7f}\u{9b}c\u{202e}d\u{2066}e\tf\rg";
        let shown = escape_controls(line, false);
        assert_eq!(shown, "a␛[31mb␇␡\u{fffd}c\u{fffd}d\u{fffd}e\tf␍g");
        assert_eq!(
            shown.chars().count(),
            line.chars().count(),
            "columns stay true"
        );
        assert!(!shown.chars().any(|c| c.is_control() && c != '\t'));
        assert_eq!(escape_controls("one\ntwo\u{1b}", true), "one\ntwo␛");
        assert_eq!(escape_controls("one\ntwo", false), "one␊two");
        assert!(matches!(
            escape_controls("plain: ü", false),
            Cow::Borrowed(_)
        ));
    }

    fn masked(line: &str) -> String {
        let mut out = line.to_string();
        for span in secret_assignments(line).into_iter().rev() {
            out.replace_range(span, MASK);
        }
        out
    }

    #[test]
    fn secret_assignments_are_masked_anywhere_in_a_line() {
        assert_eq!(masked("  appSecret: abc # note"), "  appSecret: ********");
        assert_eq!(masked("- password: a,b"), "- password: ********");
        assert_eq!(masked("  allowQuit: true"), "  allowQuit: true");
        assert_eq!(masked("  password:"), "  password:");
        assert_eq!(masked("token = x"), "token = ********");
        assert_eq!(
            masked("seb: { quitPassword: hunter2, alowQuit: true }"),
            "seb: { quitPassword: ********, alowQuit: true }"
        );
        assert_eq!(
            masked(r#"{"seb": {"quitPassword": "hun\"ter2", "x": 1}}"#),
            r#"{"seb": {"quitPassword": ********, "x": 1}}"#
        );
        assert_eq!(
            masked("seb = { quitPassword = 'a''b', x = 1 }"),
            "seb = { quitPassword = ********, x = 1 }"
        );
        assert_eq!(
            masked("  quitPassword: { env: QUIT }"),
            "  quitPassword: { env: QUIT }"
        );
    }

    #[test]
    fn value_widths() {
        assert_eq!(value_width("k: \"a\\\"b\" # c", 3), 6);
        assert_eq!(value_width("k: 'it''s' x", 3), 7);
        assert_eq!(value_width("k: plain words # c", 3), 11);
        assert_eq!(value_width("{ k: plain, x: 1 }", 5), 5);
        assert_eq!(value_width("k: \"open", 3), 5);
        assert_eq!(value_width("k: ", 3), 0);
    }

    #[test]
    fn token_width_spans_words_strings_and_brackets() {
        assert_eq!(token_width("\"yes\""), 5);
        assert_eq!(token_width("allowQuit: true"), 9);
        assert_eq!(token_width("{ a: 1 }"), 1);
        assert_eq!(token_width(""), 1);
        assert_eq!(token_width("://x"), 1);
        assert_eq!(token_width(&"x".repeat(500)), MAX_QUOTE);
    }
}
