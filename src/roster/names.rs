//! What a participant's id and name may hold.
//!
//! Ids name files (`<exam>-<id>.seb`), so they are short ASCII. Names travel inside tokens and join
//! attributes as JSON strings, which carry any character; what breaks is SEB Server's proctor window
//! (seb-server #84, "a none ISO character ... causes the problem when opening the proctoring window"):
//! SEB Server 1.x writes that page with `ServletOutputStream.println(String)` (`gui/ProctoringServlet.java:81`
//! @ v1.5.3), which refuses every character outside ISO 8859-1, and the page puts the room's subject in a
//! single-quoted JavaScript string (`jitsiWindow.html:44`: `executeCommand('subject', '%%_ATTR_SUBJECT_%%')`),
//! which a `'` or `\` breaks. A one-to-one room's subject is the participant's name, their user session
//! id (`gui/service/session/proctoring/MonitoringProctoringService.java:349-353` @ v1.5.3, which also puts
//! it in the script that opens the window, lines 367-374), so such names break that window. Control and invisible
//! characters are refused everywhere: they garble every display and can spoof another name.

use crate::diagnostic::Diagnostic;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 128;

/// `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
pub fn is_valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// Invisible characters that reorder or hide text (bidirectional controls, zero-width characters).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Why a name cannot be used at all, if it cannot: (message, hint).
pub fn name_problem(name: &str) -> Option<(String, &'static str)> {
    if name.trim().is_empty() {
        return Some((
            "the participant's name is empty".to_string(),
            "write the name the proctor should see",
        ));
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || is_invisible(*c)) {
        return Some((
            format!(
                "the participant's name holds the invisible or control character U+{:04X}",
                c as u32
            ),
            "remove the character from the name",
        ));
    }
    if name.trim() != name {
        return Some((
            "the participant's name starts or ends with spaces".to_string(),
            "remove the spaces around the name (after the comma)",
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Some((
            format!("the participant's name has {chars} characters, more than {MAX_NAME_CHARS}"),
            "shorten the name",
        ));
    }
    None
}

/// The diagnostics of one name, still to be placed: an error from [`name_problem`], else a warning for
/// characters SEB Server's proctor window cannot show.
pub(super) fn check_name(name: &str) -> Option<Diagnostic> {
    if let Some((msg, hint)) = name_problem(name) {
        return Some(Diagnostic::error("roster-invalid-name", msg).hint(hint));
    }
    let bad: String = name
        .chars()
        .filter(|c| *c as u32 > 0xFF || matches!(c, '\'' | '\\'))
        .collect();
    if bad.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            "participant-name-charset",
            format!(
                "`{name}` has characters SEB Server's proctor window cannot show ({bad}): it writes the page in ISO 8859-1 and the subject of a participant's one-to-one room in a quoted script string (seb-server #84)"
            ),
        )
        .hint("if proctors open rooms through SEB Server, write the name in ISO 8859-1 (Latin-1) letters, without ' and \\"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_file_safe() {
        for ok in ["s1", "S-1042", "a.b_c", &"x".repeat(64)] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", ".a", "a b", "a/b", "..", "ä", &"x".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn names_latin1_fine_others_warned_controls_refused() {
        assert!(check_name("Zoë Müller-Ørsted").is_none(), "Latin-1 is fine");
        let w = check_name("Antonín Dvořák").unwrap();
        assert_eq!(w.code, "participant-name-charset");
        assert!(w.message.contains("(ř)"));
        assert_eq!(
            check_name("Eve O'Brien").unwrap().code,
            "participant-name-charset"
        );
        assert!(check_name("Antonin Dvorak").is_none(), "the hint, followed");
        for bad in [
            "",
            " ",
            "Ana\u{7}",
            "Ana\u{202E}",
            " Ana",
            "Ana ",
            &"a".repeat(129),
        ] {
            assert_eq!(
                check_name(bad).map(|d| d.code),
                Some("roster-invalid-name"),
                "{bad:?}"
            );
        }
    }
}
