//! Literal secrets in a loaded exam or template document: every scalar written where a secret belongs
//! — at a secret field ([`crate::schema::is_secret_pointer`]), or under a key whose nearest known key
//! is one (`quitPasword`, `QuitPassword`, `servce: { appSecret: … }`) — except the names inside an
//! `{ env: NAME }` or `{ file: PATH }` reference. The load stage records them in
//! [`crate::source::Sources`], so that no rendering of any diagnostic echoes them.

use super::LoadedExam;
use crate::catalog::Catalog;
use crate::diagnostic::{Pos, Speller, did_you_mean};
use crate::pointer::{escape_segment, push_segment};
use crate::schema::{exam_file_keys, is_secret_pointer, secret_pointers};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// A literal secret: its value as text, where it is in the document and where its value starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub pointer: String,
    pub pos: Pos,
    pub value: String,
}

/// Deepest walk (the loader already refuses documents nested deeper than this).
const MAX_WALK_DEPTH: usize = super::MAX_DEPTH + 2;

/// The literal secrets of one document, in document order.
pub fn find(doc: &LoadedExam) -> Vec<Literal> {
    let mut out = Vec::new();
    walk(doc, &doc.value, &mut String::new(), "", &mut out, 0);
    out
}

/// Walks the parts of the document that may lead to a secret. `canonical` is the pointer with every
/// key replaced by the known key it stands for (its exact spelling, or its nearest).
fn walk(
    doc: &LoadedExam,
    value: &Value,
    pointer: &mut String,
    canonical: &str,
    out: &mut Vec<Literal>,
    depth: usize,
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    if !canonical.is_empty() && is_secret_pointer(canonical) {
        collect(doc, value, pointer, out, depth);
        return;
    }
    // Arrays never lead to a secret field: the secret pointers have no index.
    let Value::Object(entries) = value else {
        return;
    };
    let Location {
        known,
        known_set,
        targets,
        near_target,
    } = location(canonical);
    if targets.is_empty() {
        return;
    }
    for (key, child) in entries {
        let known_here = match canonical {
            "/seb" | "/proctoring" => Catalog::get().setting(key).is_some(),
            _ => known_set.contains(key.as_str()),
        };
        let name = if targets.contains(&key.as_str()) {
            Some(key.as_str())
        } else if known_here {
            // A known key stands for itself, and it is not a secret field: no speller asked.
            None
        } else if near_target.nearest(key).is_none() {
            // Neither a secret field nor near one: whatever it stands for is no secret.
            None
        } else {
            // Near a secret field: a known key stands for itself, another for the nearest known key.
            match canonical {
                "/seb" | "/proctoring" => {
                    let catalog = Catalog::get();
                    match catalog.setting(key) {
                        Some(_) => Some(key.as_str()),
                        None => catalog.nearest_key(key),
                    }
                }
                _ if known_set.contains(key.as_str()) => Some(key.as_str()),
                _ => did_you_mean(key, known.iter().copied()),
            }
        };
        let Some(name) = name.filter(|n| targets.contains(n)) else {
            continue;
        };
        let len = pointer.len();
        push_segment(pointer, key);
        let next = format!("{canonical}/{}", escape_segment(name));
        walk(doc, child, pointer, &next, out, depth + 1);
        pointer.truncate(len);
    }
}

/// Every scalar of a value written at a secret field, but the names in `env:`/`file:` references.
fn collect(
    doc: &LoadedExam,
    value: &Value,
    pointer: &mut String,
    out: &mut Vec<Literal>,
    depth: usize,
) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Null | Value::Bool(_) => return,
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                collect(doc, item, pointer, out, depth + 1);
                pointer.truncate(len);
            }
            return;
        }
        Value::Object(entries) => {
            for (key, item) in entries {
                if matches!(key.as_str(), "env" | "file") && item.is_string() {
                    continue;
                }
                let len = pointer.len();
                push_segment(pointer, key);
                collect(doc, item, pointer, out, depth + 1);
                pointer.truncate(len);
            }
            return;
        }
    };
    out.push(Literal {
        pointer: pointer.clone(),
        pos: doc.map.value(pointer),
        value: text,
    });
}

/// What [`walk`] needs at a canonical location: the keys known there, those that lead to a secret,
/// and the speller that finds keys near those.
struct Location {
    known: Vec<&'static str>,
    known_set: HashSet<&'static str>,
    targets: Vec<&'static str>,
    near_target: Speller<'static>,
}

/// The [`Location`] of `canonical`, built once per process. Canonical locations are spelled with
/// known keys only, so there are few of them. In `seb` and `proctoring` the known keys are the
/// catalog's: the secret fields there are the hashed settings of [`secret_pointers`], and the catalog
/// itself is read only for a key near one of them (in [`walk`]).
fn location(canonical: &str) -> &'static Location {
    static LOCATIONS: OnceLock<Mutex<HashMap<String, &'static Location>>> = OnceLock::new();
    let mut cache = LOCATIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(canonical) {
        return found;
    }
    let known = known_keys(canonical);
    let targets: Vec<&'static str> = match canonical {
        "/seb" | "/proctoring" => secret_pointers()
            .iter()
            .filter_map(|p| p.strip_prefix(canonical)?.strip_prefix('/'))
            .filter(|rest| !rest.contains('/'))
            .collect(),
        _ => known
            .iter()
            .copied()
            .filter(|k| leads_to_secret(&format!("{canonical}/{}", escape_segment(k))))
            .collect(),
    };
    let built: &'static Location = Box::leak(Box::new(Location {
        known_set: known.iter().copied().collect(),
        near_target: Speller::new(targets.iter().copied()),
        known,
        targets,
    }));
    cache.insert(canonical.to_string(), built);
    built
}

/// The keys known at a canonical location of the exam file's own structure (in `seb` and
/// `proctoring`, the catalog's settings: looked up there when needed, not listed).
fn known_keys(canonical: &str) -> Vec<&'static str> {
    match canonical {
        "/seb" | "/proctoring" => Vec::new(),
        _ => exam_file_keys(canonical),
    }
}

/// Whether `canonical` is a secret field or holds one.
fn leads_to_secret(canonical: &str) -> bool {
    secret_pointers().iter().any(|p| {
        p.strip_prefix(canonical)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Syntax, parse_exam};
    use std::path::Path;

    fn values(yaml: &str) -> Vec<(String, String)> {
        let doc = parse_exam(yaml, Syntax::Yaml, Path::new("e.yaml"), "e.yaml").unwrap();
        find(&doc)
            .into_iter()
            .map(|l| (l.pointer, l.value))
            .collect()
    }

    #[test]
    fn literals_at_secret_fields_and_misspelled_keys() {
        let found = values(
            "exam: { id: x }\nseb:\n  quitPassword: hunter2\n  adminPasword: s3cr3t-admin\n  QuitPassword: 1234\n  startURL: https://x.example\n  alowQuit: true\nservce:\n  appSecret: app-s3cret\n  appKey: k\n",
        );
        assert_eq!(
            found,
            [
                ("/seb/quitPassword".into(), "hunter2".into()),
                ("/seb/adminPasword".into(), "s3cr3t-admin".into()),
                ("/seb/QuitPassword".into(), "1234".into()),
                ("/servce/appSecret".into(), "app-s3cret".into()),
            ]
        );
    }

    /// A known setting near a secret field stands for itself; the catalog is read only for such keys.
    #[test]
    fn known_settings_near_a_secret_field_are_themselves() {
        let found = values(
            "exam: { id: x }\nseb:\n  hashedQuitPassword: 0123abcd\n  quitPasswort: s3cr3t\n",
        );
        assert_eq!(found, [("/seb/quitPasswort".into(), "s3cr3t".into())]);
    }

    #[test]
    fn references_are_not_literals_but_malformed_values_are() {
        let found = values(
            "exam: { id: x }\nseb:\n  quitPassword: { env: QUIT }\n  adminPassword: [one-s3cret, { evn: two-s3cret }]\nservice:\n  appSecret: { file: secret.txt }\n",
        );
        assert_eq!(
            found,
            [
                ("/seb/adminPassword/0".into(), "one-s3cret".into()),
                ("/seb/adminPassword/1/evn".into(), "two-s3cret".into()),
            ]
        );
    }

    #[test]
    fn positions_are_where_the_values_start() {
        let doc = parse_exam(
            "seb: { allowQuit: true, quitPassword: \"hun\\x74er2\" }\n",
            Syntax::Yaml,
            Path::new("e.yaml"),
            "e.yaml",
        )
        .unwrap();
        let found = find(&doc);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, "hunter2");
        assert_eq!(found[0].pos, Pos { line: 1, col: 39 });
    }
}
