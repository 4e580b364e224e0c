//! The human rendering of a diagnostic, like rustc's and cargo's, drawn by `annotate-snippets`: the
//! quoted line with the token underlined and the JSON pointer beside it, related places as secondary
//! labels (a second snippet when they are in another file), notes and the hint. A diagnostic whose
//! line cannot be quoted keeps the plain form: header, `--> file:line:col`, `= at: pointer`.

use super::quote::{MAX_QUOTE, PLACEHOLDER, escape_controls, shape, token_width};
use super::quoter::Quoter;
use super::{Diagnostic, Related, Severity};
use annotate_snippets::renderer::{DEFAULT_LINE_NUM_STYLE, Effects, Style};
use annotate_snippets::{Annotation, AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt::Write as _;

/// Width quoted lines are fitted into (fixed, so output does not depend on the terminal); longer lines
/// are windowed around the token by annotate-snippets, with `...` where they are cut.
const TERM_WIDTH: usize = 140;

/// Marks in one file share a snippet when their lines are at most this far apart (and short).
const SHARE_LINES: usize = 200;

/// One place to underline: the diagnostic's own (primary) or a related one.
struct Mark {
    line: usize,
    /// 0-based, in characters.
    col: usize,
    label: Option<String>,
    primary: bool,
    /// Mask the line from `col` on (the primary place holds a secret).
    secret: bool,
}

/// Renders a diagnostic whose texts are already redacted; quoted lines are masked here. The
/// `-->`/`:::` headers give the real line and column, whatever masking and windowing did to the line.
pub(super) fn render(d: &Diagnostic, color: bool, quoter: &Quoter) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(TERM_WIDTH);
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level
        .primary_title(escape_controls(&d.message, true))
        .id(d.code);
    if !quoter.has_line(&d.file, d.line) {
        let mut out = renderer.render(&[Group::with_title(title)]);
        out.push('\n');
        return out + &unquoted(d, color);
    }

    let primary = Mark {
        line: d.line as usize,
        col: d.col.max(1) as usize - 1,
        label: (!d.pointer.is_empty()).then(|| escape_controls(&d.pointer, false).into_owned()),
        primary: true,
        secret: d.secret,
    };
    // Related places, by file (the diagnostic's own first); those that cannot be quoted become notes.
    let mut files: Vec<(&str, Vec<Mark>)> = vec![(&d.file, vec![primary])];
    let mut notes = Vec::new();
    for r in &d.related {
        if !quoter.has_line(&r.file, r.line) {
            notes.push(note(r));
            continue;
        }
        let mark = Mark {
            line: r.line as usize,
            col: r.col.max(1) as usize - 1,
            label: Some(escape_controls(&r.label, false).into_owned()),
            primary: false,
            secret: false,
        };
        match files.iter_mut().find(|(f, _)| *f == r.file) {
            Some((_, marks)) => marks.push(mark),
            None => files.push((&r.file, vec![mark])),
        }
    }

    // Each snippet is drawn under a placeholder path; its header (`--> path:line:col`, computed by
    // annotate-snippets from the masked, windowed line) is then rewritten with the real place.
    let mut headers: Vec<(String, String, usize, usize)> = Vec::new();
    let mut snippets = Vec::new();
    for (file, marks) in &files {
        // Marks in one file share a snippet, unless long lines or a long way between them would make
        // it wide or tall.
        let short = marks.iter().all(|m| {
            quoter
                .line(file, m.line)
                .is_some_and(|l| l.line.text.chars().nth(MAX_QUOTE).is_none())
        });
        let lines = marks.iter().map(|m| m.line);
        let near = lines.clone().max().unwrap_or(0) - lines.min().unwrap_or(0) <= SHARE_LINES;
        let sets: Vec<Vec<&Mark>> = if short && near {
            vec![marks.iter().collect()]
        } else {
            marks.iter().map(|m| vec![m]).collect()
        };
        for set in sets {
            let (line, col) = if headers.is_empty() {
                (d.line as usize, d.col.max(1) as usize)
            } else {
                let first = set.iter().min_by_key(|m| (m.line, m.col));
                first.map_or((0, 0), |m| (m.line, m.col + 1))
            };
            let placeholder = format!("{PLACEHOLDER}{}{PLACEHOLDER}", headers.len());
            let path = escape_controls(file, false).into_owned();
            snippets.push(snippet(quoter, file, &set).path(placeholder.clone()));
            headers.push((placeholder, path, line, col));
        }
    }
    let mut group = title.elements(snippets);
    group = group.elements(notes);
    if let Some(hint) = &d.hint {
        group = group.element(Level::HELP.message(escape_controls(hint, true).into_owned()));
    }
    let mut out = renderer.render(&[group]);
    for (placeholder, path, line, col) in &headers {
        real_header(&mut out, placeholder, &format!("{path}:{line}:{col}"));
    }
    out.push('\n');
    out
}

/// Replaces `placeholder:L:C` (as annotate-snippets wrote it) with `real`.
fn real_header(out: &mut String, placeholder: &str, real: &str) {
    let Some(at) = out.find(placeholder) else {
        return;
    };
    let rest = &out[at + placeholder.len()..];
    let mut end = 0;
    for _ in 0..2 {
        let digits = rest[end..]
            .strip_prefix(':')
            .map_or(0, |r| r.chars().take_while(char::is_ascii_digit).count());
        if digits == 0 {
            break;
        }
        end += 1 + digits;
    }
    out.replace_range(at..at + placeholder.len() + end, real);
}

/// The lines from the first mark to the last, marked ones masked, windowed and escaped, with the spans
/// to underline. Unmarked lines between are blank unless annotate-snippets shows one (a gap of one
/// line), and blank below a masked line (it may continue a secret value).
fn snippet(quoter: &Quoter, file: &str, marks: &[&Mark]) -> Snippet<'static, Annotation<'static>> {
    let first = marks.iter().map(|m| m.line).min().unwrap_or(1);
    let last = marks.iter().map(|m| m.line).max().unwrap_or(first);
    let mut source = String::new();
    let mut annotations = Vec::new();
    let mut above_masked = false;
    for n in first..=last {
        if n > first {
            source.push('\n');
        }
        let Some(line) = quoter.line(file, n) else {
            continue;
        };
        let here: Vec<&&Mark> = marks.iter().filter(|m| m.line == n).collect();
        if here.is_empty() {
            let shown =
                marks.iter().any(|m| m.line == n - 1) && marks.iter().any(|m| m.line == n + 1);
            if shown && !above_masked {
                let masks = quoter.masks(file, n, &line);
                source
                    .push_str(&shape(line.line.text, |c| line.byte_of(c), &masks, None, &[]).text);
            }
            above_masked = false;
            continue;
        }
        let masks = quoter.masks(file, n, &line);
        let secret_from = here.iter().find(|m| m.primary && m.secret).map(|m| m.col);
        // Each mark's start and end column in the line.
        let spans: Vec<(usize, usize)> = here
            .iter()
            .map(|m| {
                let width = if m.secret {
                    0
                } else {
                    let rest = &line.line.text[line.byte_of(m.col)..];
                    token_width(rest)
                };
                (m.col, m.col + width)
            })
            .collect();
        let cols: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        let shown = shape(
            line.line.text,
            |c| line.byte_of(c),
            &masks,
            secret_from,
            &cols,
        );
        above_masked = shown.masked;
        let start = source.len();
        let len = shown.text.chars().count();
        let byte = |c: usize| {
            start
                + shown
                    .text
                    .char_indices()
                    .nth(c)
                    .map_or(shown.text.len(), |(i, _)| i)
        };
        for (m, &(s, e)) in here.iter().zip(&spans) {
            let from = shown.start(s).min(len);
            let to = if m.secret { shown.end(s) } else { shown.end(e) }.clamp(from, len);
            let kind = if m.primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            annotations.push(kind.span(byte(from)..byte(to)).label(m.label.clone()));
        }
        source.push_str(&shown.text);
    }
    Snippet::source(source)
        .line_start(first)
        .annotations(annotations)
}

/// A related place that cannot be quoted, as a note: `= note: base.plist: set to false in this base`.
fn note(r: &Related) -> annotate_snippets::Message<'static> {
    Level::NOTE
        .message(escape_controls(&format!("{}: {}", r.location(), r.label), true).into_owned())
}

/// The lines under the header when nothing can be quoted: location, pointer, notes and hint.
fn unquoted(d: &Diagnostic, color: bool) -> String {
    let paint = |text: &str, style: Style| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    };
    let (arrow, eq) = (
        paint("-->", DEFAULT_LINE_NUM_STYLE),
        paint("=", DEFAULT_LINE_NUM_STYLE),
    );
    let word = |w: &str| paint(w, Style::new().effects(Effects::BOLD));
    let gutter = match (d.file.is_empty(), d.line) {
        (true, _) => String::new(),
        (false, 0) => " ".to_string(),
        (false, line) => " ".repeat(line.to_string().len()),
    };
    let mut out = String::new();
    if !d.file.is_empty() {
        let file = escape_controls(&d.file, false);
        let _ = match d.line {
            0 => writeln!(out, "{gutter}{arrow} {file}"),
            line => writeln!(out, "{gutter}{arrow} {file}:{line}:{}", d.col),
        };
        if !d.pointer.is_empty() {
            let pointer = escape_controls(&d.pointer, false);
            let _ = writeln!(out, "{gutter} {eq} {}: {pointer}", word("at"));
        }
    }
    for r in &d.related {
        let text = escape_controls(&format!("{}: {}", r.location(), r.label), false).into_owned();
        let _ = writeln!(out, "{gutter} {eq} {}: {text}", word("note"));
    }
    if let Some(hint) = &d.hint {
        let hint = escape_controls(hint, true);
        let _ = writeln!(out, "{gutter} {eq} {}: {hint}", word("help"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Diagnostic, MessageFormat, Pos, Quoter, render, render_with};
    use crate::source::Sources;

    fn sources(files: &[(&str, &str)]) -> Sources {
        let mut sources = Sources::default();
        for (file, text) in files {
            sources.insert(file, (*text).into());
        }
        sources
    }
    use proptest::prelude::*;

    fn at(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    const EXAM: &str = "exam:\n  id: x\nproctoring:\n  jitsiMeetEnable: false\nservice:\n  enableProctoring: true\n";

    fn conflict(file: &str, pos: Pos) -> Diagnostic {
        Diagnostic::error("proctoring-conflict", "`jitsiMeetEnable` is set to false")
            .at("exam.yaml", at(6, 21))
            .pointer("/service/enableProctoring")
            .related(file, pos, "set to false here")
            .hint("remove it")
    }

    #[test]
    fn related_place_in_the_same_file_is_a_secondary_label() {
        let s = render(
            &conflict("exam.yaml", at(4, 20)),
            MessageFormat::Human,
            Some(EXAM),
        );
        assert_eq!(
            s,
            "error[proctoring-conflict]: `jitsiMeetEnable` is set to false
 --> exam.yaml:6:21
  |
4 |   jitsiMeetEnable: false
  |                    ----- set to false here
5 | service:
6 |   enableProctoring: true
  |                     ^^^^ /service/enableProctoring
  |
  = help: remove it
"
        );
    }

    #[test]
    fn related_place_in_another_file_is_a_second_snippet() {
        let base = "seb:\n  x: 1\nproctoring:\n  jitsiMeetEnable: false\n";
        let d = conflict("base.yaml", at(4, 20));
        let sources = sources(&[("exam.yaml", EXAM), ("base.yaml", base)]);
        let s = render_with(&d, MessageFormat::Human, false, &Quoter::new(&sources));
        assert_eq!(
            s,
            "error[proctoring-conflict]: `jitsiMeetEnable` is set to false
 --> exam.yaml:6:21
  |
6 |   enableProctoring: true
  |                     ^^^^ /service/enableProctoring
  |
 ::: base.yaml:4:20
  |
4 |   jitsiMeetEnable: false
  |                    ----- set to false here
  |
  = help: remove it
"
        );
        // Without the base's text, the place is a note; so it is when nothing can be quoted.
        let s = render(
            &conflict("base.plist", at(0, 0)),
            MessageFormat::Human,
            Some(EXAM),
        );
        assert!(
            s.contains("  = note: base.plist: set to false here\n"),
            "{s}"
        );
        let s = render(
            &conflict("base.yaml", at(4, 20)),
            MessageFormat::Human,
            None,
        );
        assert!(s.ends_with(
            " --> exam.yaml:6:21\n  = at: /service/enableProctoring\n  = note: base.yaml:4:20: set to false here\n  = help: remove it\n"
        ), "{s}");
    }

    #[test]
    fn unquoted_forms_are_unchanged() {
        let d = Diagnostic::error("decode", "cannot read").hint("check it");
        let s = render(&d, MessageFormat::Human, None);
        assert_eq!(s, "error[decode]: cannot read\n = help: check it\n");
        let d = Diagnostic::warning("config-key-divergence", "keys differ")
            .at("a.plist", Pos::default())
            .pointer("/allowWLAN");
        let s = render(&d, MessageFormat::Human, None);
        assert_eq!(
            s,
            "warning[config-key-divergence]: keys differ\n --> a.plist\n  = at: /allowWLAN\n"
        );
    }

    #[test]
    fn secrets_are_never_quoted() {
        let text = "seb:\n  quitPassword: \"hunter2\" # inline\n";
        let d = Diagnostic::error("invalid-secret", "must be a secret reference")
            .at("e.yaml", at(2, 17))
            .pointer("/seb/quitPassword")
            .secret();
        let s = render(&d, MessageFormat::Human, Some(text));
        assert!(
            s.contains(
                "2 |   quitPassword: ********\n  |                 ^^^^^^^^ /seb/quitPassword"
            ),
            "{s}"
        );
        // A parse error far right of a secret assignment: masked, and the column stays the real one.
        let d = Diagnostic::error("parse", "bad").at("e.yaml", at(2, 35));
        let s = render(&d, MessageFormat::Human, Some(text));
        assert!(
            s.contains(" --> e.yaml:2:35\n") && s.contains("quitPassword: ********"),
            "{s}"
        );
        assert!(!s.contains("hunter2"), "{s}");
    }

    #[test]
    fn control_characters_are_escaped_and_columns_kept() {
        let text = "seb:\n  \u{1b}[2Jkey\u{9b}: \u{202e}\"x\u{7}\"\n";
        let d = Diagnostic::error("unknown-setting", "unknown `\u{1b}[2Jkey\u{9b}`")
            .at("e.yaml", at(2, 14))
            .pointer("/seb/\u{1b}[2Jkey\u{9b}")
            .hint("no \u{1b}[31m colour");
        let s = render(&d, MessageFormat::Human, Some(text));
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
        assert!(!s.contains('\u{202e}'), "{s:?}");
        assert!(s.contains(" --> e.yaml:2:14\n"), "{s}");
        assert!(s.contains("2 |   ␛[2Jkey\u{fffd}: \u{fffd}\"x␇\""), "{s}");
        assert!(s.contains("^^^^ /seb/␛[2Jkey\u{fffd}"), "{s}");
    }

    #[test]
    fn long_lines_are_windowed() {
        let line = format!(
            "{{{}\"key\": \"value\"{}}}",
            "\"a\": 1, ".repeat(2000),
            "x".repeat(50_000)
        );
        let col = line.find("\"key\"").unwrap_or(0) as u32 + 1;
        let d = Diagnostic::error("wrong-type", "expected")
            .at("m.json", at(1, col))
            .pointer("/key");
        let s = render(&d, MessageFormat::Human, Some(&line));
        assert!(s.contains(&format!(" --> m.json:1:{col}\n")), "{s}");
        assert!(s.contains("\"key\""), "{s}");
        assert!(s.lines().all(|l| l.chars().count() <= 150), "{s}");
    }

    #[test]
    fn colour_only_when_asked() {
        let d = conflict("exam.yaml", at(4, 20));
        let src = sources(&[("exam.yaml", EXAM)]);
        let src = Quoter::new(&src);
        assert!(!render_with(&d, MessageFormat::Human, false, &src).contains('\u{1b}'));
        assert!(render_with(&d, MessageFormat::Human, true, &src).contains("\u{1b}["));
        let plain = Diagnostic::error("decode", "x")
            .at("a", Pos::default())
            .hint("h");
        let none = Sources::default();
        assert!(
            render_with(&plain, MessageFormat::Human, true, &Quoter::new(&none))
                .contains("\u{1b}[")
        );
    }

    proptest! {
        #[test]
        fn any_line_and_position_renders(
            text in "([ -~]|\t|\u{1b}|\u{9b}|\u{202e}|é|日|\r?\n){0,300}",
            line in 0u32..12, col in 0u32..400, rline in 0u32..12, rcol in 0u32..400,
            secret: bool,
        ) {
            let mut d = Diagnostic::error("x", "m").at("f", at(line, col)).pointer("/p")
                .related("f", at(rline, rcol), "here");
            d.secret = secret;
            let s = render(&d, MessageFormat::Human, Some(&text));
            prop_assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
            if line > 0 && text.lines().nth(line as usize - 1).is_some() {
                let origin = format!("--> f:{line}:{}\n", col.max(1));
                prop_assert!(s.contains(&origin), "{}", s);
            }
        }
    }
}
