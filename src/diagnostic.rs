//! Diagnostics: every problem sebc reports, with code, severity, location, JSON pointer, message and hint,
//! and the three renderings (human like rustc/cargo, JSON lines for tools, GitHub annotations).

use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column in a source file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

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
    /// Marks the location as holding a secret, so its source line is quoted with the value masked.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
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

/// Renders one diagnostic. `source` is the text of the file it points into, when available,
/// so the human form can quote the line like rustc does.
pub fn render(d: &Diagnostic, format: MessageFormat, source: Option<&str>) -> String {
    match format {
        MessageFormat::Human => render_human(d, source),
        MessageFormat::Json => serde_json::to_string(d).unwrap_or_default(),
        MessageFormat::Github => render_github(d),
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn render_human(d: &Diagnostic, source: Option<&str>) -> String {
    let mut out = format!("{}[{}]: {}\n", severity_word(d.severity), d.code, d.message);
    if d.file.is_empty() {
        return finish_human(out, d, "");
    }
    let gutter = " ".repeat(d.line.max(1).to_string().len());
    if d.line == 0 {
        let _ = writeln!(out, "{gutter}--> {}", d.file);
        if !d.pointer.is_empty() {
            let _ = writeln!(out, "{gutter} = at: {}", d.pointer);
        }
        return finish_human(out, d, &gutter);
    }
    let _ = writeln!(out, "{gutter}--> {}:{}:{}", d.file, d.line, d.col);
    let text = source.and_then(|s| s.lines().nth(d.line as usize - 1));
    if let Some(text) = text {
        let text = text.trim_end_matches('\r');
        let mut caret_col = (d.col.max(1) - 1) as usize;
        let mut width = token_width(text, caret_col).min(MAX_QUOTE);
        let mut shown: String = text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        // A very long line (minified JSON, say) is quoted around the column only.
        let len = shown.chars().count();
        if len > MAX_QUOTE {
            let start = caret_col
                .saturating_sub(MAX_QUOTE / 4)
                .min(len.saturating_sub(MAX_QUOTE));
            let window: String = shown.chars().skip(start).take(MAX_QUOTE).collect();
            let (lead, tail) = (
                if start > 0 { "…" } else { "" },
                if start + MAX_QUOTE < len { "…" } else { "" },
            );
            shown = format!("{lead}{window}{tail}");
            caret_col = caret_col - start + lead.chars().count();
            width = width
                .min(MAX_QUOTE + lead.chars().count() - caret_col)
                .max(1);
        }
        if d.secret {
            // Never quote a secret: everything from the value to the end of the line is masked.
            shown = shown.chars().take(caret_col).collect::<String>() + "********";
            width = 8;
        } else if let Some(masked) = mask_secret_assignment(&shown) {
            // A line that assigns a secret-looking key (a parse error near a secret, say).
            shown = masked;
        }
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{} | {}", d.line, shown);
        let _ = write!(
            out,
            "{gutter} | {}{}",
            " ".repeat(caret_col),
            "^".repeat(width)
        );
        if !d.pointer.is_empty() {
            let _ = write!(out, " {}", d.pointer);
        }
        out.push('\n');
    } else if !d.pointer.is_empty() {
        let _ = writeln!(out, "{gutter} = at: {}", d.pointer);
    }
    finish_human(out, d, &gutter)
}

fn finish_human(mut out: String, d: &Diagnostic, gutter: &str) -> String {
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{gutter} = help: {hint}");
    }
    out
}

/// `  appSecret: abc` → `  appSecret: ********` for keys that name secrets, passwords or tokens.
fn mask_secret_assignment(line: &str) -> Option<String> {
    let sep = line.find([':', '='])?;
    let key = line[..sep].to_lowercase();
    if !["secret", "password", "token"]
        .iter()
        .any(|w| key.contains(w))
        || line[sep + 1..].trim().is_empty()
    {
        return None;
    }
    Some(format!("{} ********", &line[..=sep]))
}

/// Longest stretch of a source line quoted in a diagnostic, in characters.
const MAX_QUOTE: usize = 120;

/// Width of the token starting at `col` (in chars): up to the end of a word, a quoted string or the line.
fn token_width(line: &str, col: usize) -> usize {
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

fn render_github(d: &Diagnostic) -> String {
    // Workflow commands: properties escape %, \r, \n, ':' and ','; the message escapes %, \r, \n.
    fn prop(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    }
    fn msg(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    let mut text = format!("[{}] {}", d.code, d.message);
    if !d.pointer.is_empty() {
        text.push_str(&format!(" (at {})", d.pointer));
    }
    if let Some(h) = &d.hint {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut props = Vec::new();
    if !d.file.is_empty() {
        props.push(format!("file={}", prop(&d.file)));
    }
    if d.line > 0 {
        props.push(format!("line={}", d.line));
        props.push(format!("col={}", d.col));
    }
    props.push(format!("title={}", prop(&format!("sebc {}", d.code))));
    format!(
        "::{} {}::{}",
        severity_word(d.severity),
        props.join(","),
        msg(&text)
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

/// Closest candidate by edit distance (case-insensitive), for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_case_and_typo() {
        let keys = ["allowQuit", "allowWlan", "startURL"];
        assert_eq!(did_you_mean("allowquit", keys), Some("allowQuit"));
        assert_eq!(did_you_mean("alowQuit", keys), Some("allowQuit"));
        assert_eq!(did_you_mean("startUrl", keys), Some("startURL"));
        assert_eq!(did_you_mean("somethingElse", keys), None);
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
            "error[wrong-type]: expected a boolean\n --> exam.yaml:2:14\n  |\n2 |   allowQuit: \"yes\"\n  |              ^^^^^ /seb/allowQuit\n  = help: write true or false\n"
        );
    }
}
