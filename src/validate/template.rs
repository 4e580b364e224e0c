//! A template's own checks, made once per process: the loader hands every exam that extends a template
//! the same parsed file (one `Arc`, from its cache of bases), and what the checks find depends on that
//! file alone, so a thousand exams extending one template check it once, each reporting the same.

use super::check_document;
use crate::diagnostic::Diagnostic;
use crate::exam::TemplateFile;
use crate::load::LoadedExam;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What checking a template found: its diagnostics, and the typed file when it has no error.
#[derive(Debug)]
pub(super) struct CheckedTemplate {
    pub diags: Vec<Diagnostic>,
    pub template: Option<TemplateFile>,
}

/// Entries kept before those of templates no longer loaded are first dropped; after each pruning the
/// next comes when the entries have doubled, so the pruning costs amortised O(1) per template even
/// when every template stays loaded (the loader's cache of bases holds them for the process).
const PRUNE_AT: usize = 1024;

/// The checks of `source`, made when this parsed file is first seen.
pub(super) fn check_template(source: &Arc<LoadedExam>) -> Arc<CheckedTemplate> {
    // By address: the `Weak` keeps the allocation, so no other file is ever found at that address
    // while its entry exists.
    type Entries = HashMap<usize, (Weak<LoadedExam>, Arc<CheckedTemplate>)>;
    /// The entries, and the count at which they are next pruned.
    type Cache = (Entries, usize);
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new((HashMap::new(), PRUNE_AT)));
    let key = Arc::as_ptr(source) as usize;
    if let Some((_, found)) = cache.lock().ok().as_ref().and_then(|c| c.0.get(&key)) {
        return found.clone();
    }
    let checked = Arc::new(check(source));
    if let Ok(mut c) = cache.lock() {
        let (entries, prune_at) = &mut *c;
        if entries.len() >= *prune_at {
            entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            *prune_at = PRUNE_AT.max(2 * entries.len());
        }
        entries.insert(key, (Arc::downgrade(source), checked.clone()));
    }
    checked
}

fn check(source: &LoadedExam) -> CheckedTemplate {
    let mut diags = check_document(source, false);
    if diags.iter().any(Diagnostic::is_error) {
        return CheckedTemplate {
            diags,
            template: None,
        };
    }
    let template = match TemplateFile::deserialize(&source.value) {
        Ok(template) => Some(template),
        Err(e) => {
            diags.push(
                Diagnostic::error("schema", e.to_string()).at(&source.display, Default::default()),
            );
            None
        }
    };
    CheckedTemplate { diags, template }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Syntax, parse_exam};
    use std::path::Path;

    fn template(text: &str) -> Arc<LoadedExam> {
        Arc::new(parse_exam(text, Syntax::Yaml, Path::new("t.yaml"), "t.yaml").unwrap())
    }

    #[test]
    fn a_template_is_checked_once_per_parsed_file_and_reports_the_same_each_time() {
        let t = template("seb:\n  quitPassword: secret\n  allowQuit: true\n");
        let first = check_template(&t);
        let again = check_template(&t);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.diags, check(&t).diags);
        assert_eq!(
            first.diags.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["literal-secret"]
        );
        assert!(first.template.is_some());
        // The same text parsed again is another file: checked on its own.
        let other = template("seb:\n  quitPassword: secret\n  allowQuit: true\n");
        assert!(!Arc::ptr_eq(&check_template(&other), &first));
        let bad = template("seb:\n  allowQuit: 3\n");
        let checked = check_template(&bad);
        assert!(checked.template.is_none());
        assert!(checked.diags.iter().any(Diagnostic::is_error));
    }
}
