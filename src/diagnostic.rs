//! Diagnostics: every problem sebc reports, with code, severity, location, JSON pointer, message, hint
//! and related places, and the three renderings (human like rustc/cargo, drawn in [`human`]; JSON lines
//! for tools; GitHub annotations). Every rendering goes through a [`Quoter`], which quotes source lines
//! and redacts the run's literal secrets from everything a diagnostic shows ([`redact`] holds the
//! policy); [`cap`] limits repeats; [`did_you_mean`] and [`Speller`] suggest known keys.

pub mod cap;
mod human;
mod lines;
mod quote;
mod quoter;
pub mod redact;
mod spell;

pub use quoter::Quoter;
pub use spell::{Speller, did_you_mean};

use serde::Serialize;
use std::ffi::OsStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

pub use crate::source::Pos;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// JSON pointer of the setting in the exam file (`/seb/allowQuit`), empty for the whole file.
    pub pointer: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Secondary places that explain the problem (the other side of a conflict), each with a label.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The value at this location is a secret: renderers must not quote it.
    #[serde(skip)]
    pub secret: bool,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            file: String::new(),
            line: 0,
            col: 0,
            pointer: String::new(),
            message: message.into(),
            hint: None,
            related: Vec::new(),
            secret: false,
        }
    }
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn at(mut self, file: &str, pos: Pos) -> Self {
        self.file = file.to_string();
        self.line = pos.line;
        self.col = pos.col;
        self
    }
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = pointer.into();
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Adds a secondary place (line 0 when only the file is known), shown with `label` beside it.
    pub fn related(mut self, file: &str, pos: Pos, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file: file.to_string(),
            line: pos.line,
            col: pos.col,
            label: label.into(),
        });
        self
    }
    /// Marks the location as holding a secret, so its source line is quoted with the value masked.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A secondary place of a diagnostic: 1-based line and column (0 when unknown) and what happens there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub label: String,
}

impl Related {
    /// `file:line:col`, or just the file when the line is unknown.
    fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.col)
        }
    }
}

/// How diagnostics are printed (`--message-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
    Github,
}

/// Whether the human form is coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when printing to a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Decides for one output stream, given whether it is a terminal and the value of `NO_COLOR`.
    pub fn enabled(self, is_terminal: bool, no_color: Option<&OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }
}

/// Renders one diagnostic without colour. `source` is the text of the file it points into, when
/// available, so the human form can quote the line like rustc does.
pub fn render(d: &Diagnostic, format: MessageFormat, source: Option<&str>) -> String {
    let mut sources = crate::source::Sources::default();
    if let Some(text) = source {
        sources.insert(&d.file, text.into());
    }
    render_with(d, format, false, &Quoter::new(&sources))
}

/// Renders one diagnostic, quoting from and redacting with what `quoter` holds: the message, hint,
/// pointer and labels (in every format) and the quoted lines (human) never show a literal secret.
pub fn render_with(d: &Diagnostic, format: MessageFormat, color: bool, quoter: &Quoter) -> String {
    let d = redacted(d, quoter);
    match format {
        MessageFormat::Human => human::render(&d, color, quoter),
        MessageFormat::Json => serde_json::to_string(&*d).unwrap_or_default(),
        MessageFormat::Github => render_github(&d),
    }
}

/// The diagnostic with every literal secret masked in its texts (borrowed when there is none).
fn redacted<'d>(d: &'d Diagnostic, quoter: &Quoter) -> std::borrow::Cow<'d, Diagnostic> {
    use std::borrow::Cow;
    let owned = |c: Cow<'_, str>| match c {
        Cow::Owned(s) => Some(s),
        Cow::Borrowed(_) => None,
    };
    let message = owned(quoter.redact(&d.message));
    let pointer = owned(quoter.redact(&d.pointer));
    let hint = d.hint.as_deref().and_then(|h| owned(quoter.redact(h)));
    let labels: Vec<Option<String>> = d
        .related
        .iter()
        .map(|r| owned(quoter.redact(&r.label)))
        .collect();
    if message.is_none()
        && pointer.is_none()
        && hint.is_none()
        && labels.iter().all(Option::is_none)
    {
        return Cow::Borrowed(d);
    }
    let mut d = d.clone();
    d.message = message.unwrap_or(d.message);
    d.pointer = pointer.unwrap_or(d.pointer);
    d.hint = hint.or(d.hint);
    for (r, label) in d.related.iter_mut().zip(labels) {
        if let Some(label) = label {
            r.label = label;
        }
    }
    Cow::Owned(d)
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A GitHub workflow-command property: escapes %, \r, \n, ':' and ','.
fn github_property(s: &str) -> String {
    github_message(s).replace(':', "%3A").replace(',', "%2C")
}

/// A GitHub workflow-command message: escapes %, \r and \n.
fn github_message(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn render_github(d: &Diagnostic) -> String {
    let mut text = format!("[{}] {}", d.code, d.message);
    if !d.pointer.is_empty() {
        text.push_str(&format!(" (at {})", d.pointer));
    }
    for r in &d.related {
        text.push_str(&format!("\nnote: {}: {}", r.location(), r.label));
    }
    if let Some(h) = &d.hint {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut props = Vec::new();
    if !d.file.is_empty() {
        props.push(format!("file={}", github_property(&d.file)));
    }
    if d.line > 0 {
        props.push(format!("line={}", d.line));
        props.push(format!("col={}", d.col));
    }
    props.push(format!(
        "title={}",
        github_property(&format!("sebc {}", d.code))
    ));
    format!(
        "::{} {}::{}",
        severity_word(d.severity),
        props.join(","),
        github_message(&text)
    )
}

/// Sorts diagnostics by file and position and drops repeats (a template's problem is found once per
/// exam that extends it, and reported once), so output is stable however they were collected.
pub fn sort_dedup(diags: &mut Vec<Diagnostic>) {
    sort(diags);
    diags.dedup();
}

/// Sorts diagnostics by file and position so output is stable however they were collected.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.col, a.severity, &a.pointer, &a.message)
            .cmp(&(&b.file, b.line, b.col, b.severity, &b.pointer, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_choice_the_terminal_and_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(ColorChoice::Auto.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, empty));
        assert!(!ColorChoice::Auto.enabled(true, set));
        assert!(!ColorChoice::Auto.enabled(false, None));
        assert!(ColorChoice::Always.enabled(false, set));
        assert!(!ColorChoice::Never.enabled(true, None));
    }

    #[test]
    fn related_places_are_in_json_and_github_output() {
        let d = Diagnostic::error("proctoring-conflict", "off")
            .at("e.yaml", Pos { line: 9, col: 3 })
            .related("b.yaml", Pos { line: 2, col: 5 }, "set to false here");
        let json = render(&d, MessageFormat::Json, None);
        assert!(
            json.ends_with(
                r#""related":[{"file":"b.yaml","line":2,"col":5,"label":"set to false here"}]}"#
            ),
            "{json}"
        );
        let plain = Diagnostic::error("x", "y");
        assert!(!render(&plain, MessageFormat::Json, None).contains("related"));
        let gh = render(&d, MessageFormat::Github, None);
        assert!(
            gh.ends_with("[proctoring-conflict] off%0Anote: b.yaml:2:5: set to false here"),
            "{gh}"
        );
    }

    #[test]
    fn github_annotation_escapes_properties_and_message() {
        let d = Diagnostic::error("unknown-setting", "100% wrong\nline")
            .at("a,b:c.yaml", Pos { line: 3, col: 5 })
            .pointer("/seb/x");
        let s = render(&d, MessageFormat::Github, None);
        assert_eq!(
            s,
            "::error file=a%2Cb%3Ac.yaml,line=3,col=5,title=sebc unknown-setting::[unknown-setting] 100%25 wrong%0Aline (at /seb/x)"
        );
    }

    #[test]
    fn human_rendering_quotes_line_and_marks_token() {
        let d = Diagnostic::error("wrong-type", "expected a boolean")
            .at("exam.yaml", Pos { line: 2, col: 14 })
            .pointer("/seb/allowQuit")
            .hint("write true or false");
        let s = render(
            &d,
            MessageFormat::Human,
            Some("seb:\n  allowQuit: \"yes\"\n"),
        );
        assert_eq!(
            s,
            "error[wrong-type]: expected a boolean\n --> exam.yaml:2:14\n  |\n2 |   allowQuit: \"yes\"\n  |              ^^^^^ /seb/allowQuit\n  |\n  = help: write true or false\n"
        );
    }
}
