//! What of a source line may be quoted in a diagnostic: secrets masked, control characters shown
//! escaped (one visible character for one, so columns stay true), and the width of the token to underline.

use std::borrow::Cow;

/// Longest stretch of a token underlined, and of an unmarked line quoted, in characters.
pub(super) const MAX_QUOTE: usize = 120;

/// What stands in for a secret value.
pub(super) const MASK: &str = "********";

/// Replaces every character a terminal could act on (C0 controls but tab, DEL, C1 controls, bidi
/// overrides and isolates) with one visible character: `␛` for ESC and its kin, `�` for the rest.
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
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The Unicode control picture of a C0 control or DEL (`␛`), else the replacement character.
fn visible(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// `  appSecret: abc` → `  appSecret: ********` for keys that name secrets, passwords or tokens.
pub(super) fn mask_secret_assignment(line: &str) -> Option<String> {
    let sep = line.find([':', '='])?;
    let key = line[..sep].to_lowercase();
    if !["secret", "password", "token"]
        .iter()
        .any(|w| key.contains(w))
        || line[sep + 1..].trim().is_empty()
    {
        return None;
    }
    Some(format!("{} {MASK}", &line[..=sep]))
}

/// A marked line as it may be shown: with `secret_at`, everything from that column (0-based, in
/// characters) to the end of the line is masked; otherwise a secret-looking assignment is masked.
pub(super) fn masked_line(line: &str, secret_at: Option<usize>) -> Cow<'_, str> {
    match secret_at {
        Some(col) => Cow::Owned(line.chars().take(col).collect::<String>() + MASK),
        None => mask_secret_assignment(line).map_or(Cow::Borrowed(line), Cow::Owned),
    }
}

/// An unmarked line shown between two marked ones: masked like any quoted line, blank when it may
/// continue a secret value from the line above, and cut to [`MAX_QUOTE`] characters.
pub(super) fn context_line(line: &str, above_masked: bool) -> String {
    if above_masked {
        return String::new();
    }
    let masked = masked_line(line, None);
    let mut shown: String = escape_controls(&masked, false)
        .chars()
        .take(MAX_QUOTE)
        .collect();
    if masked.chars().count() > MAX_QUOTE {
        shown.push('…');
    }
    shown
}

/// Width of the token starting at `col` (in chars): up to the end of a word, a quoted string or the line.
pub(super) fn token_width(line: &str, col: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(col).collect();
    match rest.first() {
        None => 1,
        Some(&q @ ('"' | '\'')) => rest[1..]
            .iter()
            .position(|&c| c == q)
            .map_or(rest.len(), |p| p + 2),
        Some('{' | '[') => 1,
        Some(_) => rest
            .iter()
            .position(|&c| matches!(c, ':' | ',' | '}' | ']' | '=' | '#') || c.is_whitespace())
            .unwrap_or(rest.len())
            .max(1),
    }
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

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            mask_secret_assignment("  appSecret: abc").as_deref(),
            Some("  appSecret: ********")
        );
        assert_eq!(mask_secret_assignment("  allowQuit: true"), None);
        assert_eq!(mask_secret_assignment("  password:"), None);
        assert_eq!(masked_line("  key: \"abc\"", Some(7)), "  key: ********");
        assert_eq!(context_line("    s3cret", true), "");
        assert_eq!(context_line("token = x", false), "token = ********");
    }

    #[test]
    fn token_width_spans_words_strings_and_brackets() {
        assert_eq!(token_width("  allowQuit: \"yes\"", 13), 5);
        assert_eq!(token_width("  allowQuit: true", 2), 9);
        assert_eq!(token_width("- { a: 1 }", 2), 1);
        assert_eq!(token_width("abc", 3), 1);
    }
}
