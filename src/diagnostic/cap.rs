//! Capping repeats: a file that produces thousands of the same diagnostic (same code, file and
//! severity) shows the first few, then one summary of the rest. Exit codes and the counts in the
//! summary line still count every diagnostic; only what is printed is capped.
//!
//! Defaults (`--max-diagnostics N` overrides them, `0` shows everything): 20 per code and file for the
//! human and GitHub forms (GitHub shows few annotations per step anyway), 200 for JSON lines, whose
//! readers are tools: complete for any realistic file, bounded for a hostile one.

use super::quote::escape_controls;
use super::{Diagnostic, MessageFormat, Severity, severity_word};
use annotate_snippets::{Group, Level, Renderer};
use serde::Serialize;
use std::collections::HashMap;

/// The default cap per code and file for a format.
pub fn default_max(format: MessageFormat) -> usize {
    match format {
        MessageFormat::Human | MessageFormat::Github => 20,
        MessageFormat::Json => 200,
    }
}

/// Diagnostics of one code, file and severity left out by the cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Omitted {
    pub code: &'static str,
    pub severity: Severity,
    pub file: String,
    /// How many were left out.
    pub omitted: usize,
    pub message: String,
}

/// The diagnostics to print, in order — the first `max` of each code, file and severity (`0`: all) —
/// and one [`Omitted`] per group that had more, in the order the groups first appear.
pub fn cap(diags: &[Diagnostic], max: usize) -> (Vec<&Diagnostic>, Vec<Omitted>) {
    if max == 0 {
        return (diags.iter().collect(), Vec::new());
    }
    let mut seen: HashMap<(&str, &str, Severity), usize> = HashMap::new();
    let mut order = Vec::new();
    let mut shown = Vec::new();
    for d in diags {
        let key = (d.file.as_str(), d.code, d.severity);
        let n = seen.entry(key).or_insert_with(|| {
            order.push(key);
            0
        });
        *n += 1;
        if *n <= max {
            shown.push(d);
        }
    }
    let omitted = order
        .into_iter()
        .filter_map(|key @ (file, code, severity)| {
            let left_out = seen.get(&key).copied().unwrap_or(0).checked_sub(max)?;
            (left_out > 0).then(|| Omitted {
                code,
                severity,
                file: file.to_string(),
                omitted: left_out,
                message: format!(
                    "… and {} more `{code}` {}s in {}",
                    thousands(left_out),
                    severity_word(severity),
                    if file.is_empty() { "no file" } else { file }
                ),
            })
        })
        .collect();
    (shown, omitted)
}

impl Omitted {
    /// One line (JSON, GitHub) or one note (human) saying what was left out.
    pub fn render(&self, format: MessageFormat, color: bool) -> String {
        match format {
            MessageFormat::Human => {
                let renderer = if color {
                    Renderer::styled()
                } else {
                    Renderer::plain()
                };
                let text = format!(
                    "{} (--max-diagnostics 0 shows them all)",
                    escape_controls(&self.message, false)
                );
                renderer.render(&[Group::with_title(Level::NOTE.primary_title(text))]) + "\n"
            }
            MessageFormat::Json => serde_json::to_string(self).unwrap_or_default(),
            MessageFormat::Github => {
                let file = super::github_property(&self.file);
                let title = super::github_property(&format!("sebc {}", self.code));
                let text = super::github_message(&self.message);
                format!("::notice file={file},title={title}::{text}")
            }
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn diag(file: &str, code: &'static str, line: u32) -> Diagnostic {
        Diagnostic::error(code, "m").at(file, Pos { line, col: 1 })
    }

    #[test]
    fn keeps_the_first_of_each_code_and_file() {
        let mut diags: Vec<Diagnostic> =
            (1..=30).map(|l| diag("a.yaml", "wrong-type", l)).collect();
        diags.extend((1..=3).map(|l| diag("a.yaml", "unknown-setting", l)));
        diags.extend((1..=25).map(|l| diag("b.yaml", "wrong-type", l)));
        let (shown, omitted) = cap(&diags, 20);
        assert_eq!(shown.len(), 20 + 3 + 20);
        assert_eq!(shown[19].line, 20);
        assert_eq!(
            omitted
                .iter()
                .map(|o| (o.file.as_str(), o.omitted))
                .collect::<Vec<_>>(),
            [("a.yaml", 10), ("b.yaml", 5)]
        );
        assert_eq!(
            omitted[0].message,
            "… and 10 more `wrong-type` errors in a.yaml"
        );
        let (all, none) = cap(&diags, 0);
        assert_eq!((all.len(), none.len()), (diags.len(), 0));
    }

    #[test]
    fn summaries_in_every_format() {
        let diags: Vec<Diagnostic> = (1..=1300).map(|l| diag("a,b.yaml", "x", l)).collect();
        let (_, omitted) = cap(&diags, 1);
        let o = &omitted[0];
        assert_eq!(
            o.render(MessageFormat::Human, false),
            "note: … and 1,299 more `x` errors in a,b.yaml (--max-diagnostics 0 shows them all)\n"
        );
        assert_eq!(
            o.render(MessageFormat::Json, false),
            r#"{"code":"x","severity":"error","file":"a,b.yaml","omitted":1299,"message":"… and 1,299 more `x` errors in a,b.yaml"}"#
        );
        assert_eq!(
            o.render(MessageFormat::Github, false),
            "::notice file=a%2Cb.yaml,title=sebc x::… and 1,299 more `x` errors in a,b.yaml"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(99_890), "99,890");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
