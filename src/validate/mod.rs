//! Stage 2, validate: the JSON Schema (exam structure and every `seb:`/`proctoring:` setting against the
//! catalog), then semantic rules across fields on the typed sections, the proctoring services' included.
//! Every problem becomes a [`Diagnostic`]; nothing stops at the first one. Its output, [`ValidExam`], is
//! what the later stages and the proctoring plan read. Plist and `.seb` bases are checked against the
//! same settings schema ([`base`]).

mod base;
mod document;
mod proctoring;
mod rules;
mod schema_errors;
mod screen_proctoring;
mod server_fields;
mod server_url;
mod template;
mod urls;

use crate::diagnostic::Diagnostic;
use crate::exam::{ExamFile, TemplateFile};
use crate::load::{ExamTree, LoadedBase, LoadedExam};
use document::TypedDocument;
use jsonschema::error::ValidationErrorKind;
use rules::semantic_checks;
use schema_errors::schema_diagnostics;
use serde::Deserialize;
use std::collections::HashSet;

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
/// The loader hands over each distinct base once, however often the `extends` graph reaches it, and
/// each template is checked once per process ([`template`]).
pub fn validate(tree: ExamTree) -> (Option<ValidExam>, Vec<Diagnostic>) {
    let mut diags = check_document(&tree.main, true);
    let mut bases = Vec::new();
    let settled = settled_keys(&tree);
    for (base, settled) in tree.bases.into_iter().zip(settled) {
        match base {
            LoadedBase::Plist {
                display,
                dict,
                text,
            } => {
                let exam = &tree.main.display;
                let text = text.as_deref();
                diags.extend(base::check_plist_base(
                    &display, &dict, text, exam, &settled,
                ));
                bases.push(ValidBase::Plist { display, dict })
            }
            LoadedBase::Template(source) => {
                let checked = template::check_template(&source);
                diags.extend(checked.diags.iter().cloned());
                if let Some(template) = &checked.template {
                    let template = template.clone();
                    bases.push(ValidBase::Template { source, template });
                }
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    match ExamFile::deserialize(&tree.main.value) {
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

/// For each base, in order, the keys (lowercase) that the layers after it set or drop: what it sets
/// there is replaced, so it is not reported.
fn settled_keys(tree: &ExamTree) -> Vec<HashSet<String>> {
    let mut later = HashSet::new();
    base::written_keys(&tree.main.value, &mut later);
    let mut out: Vec<HashSet<String>> = tree
        .bases
        .iter()
        .rev()
        .map(|b| {
            let before = later.clone();
            match b {
                LoadedBase::Plist { dict, .. } => {
                    later.extend(dict.keys().map(|k| k.to_lowercase()))
                }
                LoadedBase::Template(t) => base::written_keys(&t.value, &mut later),
            }
            before
        })
        .collect();
    out.reverse();
    out
}

/// Schema and semantic checks of one exam or template document. A `null` in `seb:` or `proctoring:`
/// drops what a base set (merge does it); it is checked as if left out.
fn check_document(src: &LoadedExam, is_exam: bool) -> Vec<Diagnostic> {
    let stripped;
    let src = match without_nulls(&src.value) {
        Some(value) => {
            stripped = LoadedExam {
                value,
                ..src.clone()
            };
            &stripped
        }
        None => src,
    };
    let mut diags: Vec<Diagnostic> = crate::schema::schema_errors(&src.value, is_exam)
        .iter()
        .filter(|e| is_exam || !is_missing_exam(e))
        .flat_map(|e| schema_diagnostics(src, e))
        .collect();
    semantic_checks(src, &TypedDocument::of(&src.value), &mut diags);
    diags
}

/// The document without the `null` entries of its `seb:` and `proctoring:` sections, if it has any.
fn without_nulls(document: &serde_json::Value) -> Option<serde_json::Value> {
    let has_null = |section: &str| {
        document
            .get(section)
            .and_then(serde_json::Value::as_object)
            .is_some_and(|o| o.values().any(serde_json::Value::is_null))
    };
    if !has_null("seb") && !has_null("proctoring") {
        return None;
    }
    let mut out = document.clone();
    for section in ["seb", "proctoring"] {
        if let Some(o) = out
            .get_mut(section)
            .and_then(serde_json::Value::as_object_mut)
        {
            o.retain(|_, v| !v.is_null());
        }
    }
    Some(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Syntax, parse_exam};
    use std::path::Path;

    fn validate_yaml(yaml: &str) -> (Option<ValidExam>, Vec<Diagnostic>) {
        let main = parse_exam(yaml, Syntax::Yaml, Path::new("exam.yaml"), "exam.yaml").unwrap();
        validate(ExamTree {
            main,
            bases: Vec::new(),
        })
    }

    #[test]
    fn a_misspelled_server_type_is_one_schema_error_not_a_cascade() {
        let (exam, diags) = validate_yaml(
            "exam: { id: x }\nservice:\n  enableProctoring: true\n  serverType: JITSI\n  serverURL: https://meet.example.org\n",
        );
        assert!(exam.is_none());
        let found: Vec<(&str, &str)> = diags.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(found, [("not-allowed", "/service/serverType")]);
        assert!(
            diags[0].message.contains("\"JITSI\""),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn a_misspelled_key_in_service_is_one_schema_error() {
        let (_, diags) =
            validate_yaml("exam: { id: x }\nservice: { serverUrl: https://x.example }\n");
        let found: Vec<(&str, &str)> = diags.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(found, [("unknown-key", "/service/serverUrl")]);
    }

    #[test]
    fn other_sections_are_still_checked_when_one_does_not_deserialize() {
        let (_, diags) = validate_yaml(
            "exam: { id: x }\nservice: { serverType: JITSI }\nscreenProctoring: { enableScreenProctoring: true }\n",
        );
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"not-allowed"), "{codes:?}");
        assert!(
            codes.contains(&"screenProctoringSettings:spsServiceURL:notNull"),
            "{codes:?}"
        );
        assert!(
            !codes.iter().any(|c| c.starts_with("proctoringSettings:")),
            "{codes:?}"
        );
    }

    #[test]
    fn a_good_exam_validates_without_diagnostics() {
        let (exam, diags) = validate_yaml(
            "exam: { id: x, start: 2026-12-01T09:00:00Z, end: 2026-12-01T11:00:00Z }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  serverURL: https://meet.example.org\n  appKey: k\n  appSecret: { env: JITSI_SECRET }\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert!(exam.is_some());
    }
}
