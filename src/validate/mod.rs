//! Stage 2, validate: the JSON Schema (exam structure and every `seb:`/`proctoring:` setting against the
//! catalog), then semantic rules across fields. Every problem becomes a [`Diagnostic`]; nothing stops at
//! the first one.

mod rules;
mod schema_errors;

use crate::diagnostic::Diagnostic;
use crate::exam::{ExamFile, TemplateFile};
use crate::load::{ExamTree, LoadedBase, LoadedExam};
use jsonschema::error::ValidationErrorKind;
use rules::semantic_checks;
use schema_errors::schema_diagnostics;

/// A validated exam: the typed file, and its bases (templates validated too).
#[derive(Debug)]
pub struct ValidExam {
    pub source: LoadedExam,
    pub exam: ExamFile,
    pub bases: Vec<ValidBase>,
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a handful per exam
pub enum ValidBase {
    /// A plist or `.seb` base: settings as read.
    Plist {
        display: String,
        dict: std::sync::Arc<plist::Dictionary>,
    },
    /// An exam or template file used as a base.
    Template {
        source: std::sync::Arc<LoadedExam>,
        template: TemplateFile,
    },
}

/// Validates an exam and its bases. Returns the typed exam when there are no errors, and all diagnostics.
pub fn validate(tree: ExamTree) -> (Option<ValidExam>, Vec<Diagnostic>) {
    let mut diags = check_document(&tree.main, true);
    let mut bases = Vec::new();
    for base in tree.bases {
        match base {
            LoadedBase::Plist { display, dict } => bases.push(ValidBase::Plist { display, dict }),
            LoadedBase::Template(source) => {
                let mut d = check_document(&source, false);
                let failed = d.iter().any(Diagnostic::is_error);
                diags.append(&mut d);
                if !failed {
                    match serde_json::from_value::<TemplateFile>(source.value.clone()) {
                        Ok(template) => bases.push(ValidBase::Template { source, template }),
                        Err(e) => diags.push(
                            Diagnostic::error("schema", e.to_string())
                                .at(&source.display, Default::default()),
                        ),
                    }
                }
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    match serde_json::from_value::<ExamFile>(tree.main.value.clone()) {
        Ok(exam) => (
            Some(ValidExam {
                source: tree.main,
                exam,
                bases,
            }),
            diags,
        ),
        Err(e) => {
            diags.push(
                Diagnostic::error("schema", e.to_string())
                    .at(&tree.main.display, Default::default()),
            );
            (None, diags)
        }
    }
}

/// Schema and semantic checks of one exam or template document.
fn check_document(src: &LoadedExam, is_exam: bool) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = crate::schema::validator()
        .iter_errors(&src.value)
        .filter(|e| is_exam || !is_missing_exam(e))
        .flat_map(|e| schema_diagnostics(src, &e))
        .collect();
    semantic_checks(src, &mut diags);
    diags
}

fn is_missing_exam(e: &jsonschema::ValidationError) -> bool {
    matches!(e.kind(), ValidationErrorKind::Required { property } if property == "exam")
        && e.instance_path().as_str().is_empty()
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Seconds since the epoch of an RFC 3339 time (already checked by the schema's `date-time` format).
pub fn rfc3339_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let (y2, m2) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_to_epoch() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-12-01T09:00:00Z"), Some(1_796_115_600));
        assert_eq!(
            rfc3339_seconds("2026-12-01T10:00:00+01:00"),
            Some(1_796_115_600)
        );
        assert_eq!(
            rfc3339_seconds("2026-12-01T09:00:00.250Z"),
            Some(1_796_115_600)
        );
    }
}
