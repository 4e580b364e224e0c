//! Resolving `extends`: each exam's bases, recursively, in the order they apply (a base's own bases
//! first), with cycle and depth checks. Plist and `.seb` bases are read through the container reader.

use super::{LoadedExam, Syntax, load_exam, read_file};
use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Deepest chain of `extends` accepted.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// An exam and all its bases, flattened in application order.
#[derive(Debug)]
pub struct ExamTree {
    pub main: LoadedExam,
    pub bases: Vec<LoadedBase>,
}

/// A base, shared (parsed once per run) by every exam that extends it.
#[derive(Debug, Clone)]
pub enum LoadedBase {
    Plist {
        display: String,
        dict: Arc<plist::Dictionary>,
    },
    Template(Arc<LoadedExam>),
}

/// A base as cached: the parsed base and the texts read for it (to quote in diagnostics).
type CachedBase = (LoadedBase, Sources);

/// Bases already parsed in this process, by canonical path: a template used by a thousand exams is
/// read and parsed once.
fn cache() -> &'static Mutex<HashMap<PathBuf, CachedBase>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, CachedBase>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The base at `key`, from the cache or from `load`; its texts are added to `sources` either way.
fn cached(
    key: &Path,
    sources: &mut Sources,
    load: impl FnOnce(&mut Sources) -> Result<LoadedBase, Vec<Diagnostic>>,
) -> Result<LoadedBase, Vec<Diagnostic>> {
    if let Some((hit, texts)) = cache().lock().ok().and_then(|c| c.get(key).cloned()) {
        sources.extend(texts);
        return Ok(hit);
    }
    let mut texts = Sources::default();
    let base = load(&mut texts);
    sources.extend(texts.clone());
    let base = base?;
    if let Ok(mut c) = cache().lock() {
        c.insert(key.to_path_buf(), (base.clone(), texts));
    }
    Ok(base)
}

/// Loads an exam file and its `extends` chain; every text read goes into `sources`. Problems in bases
/// are reported at the `extends` entry.
pub fn load_tree(
    path: &Path,
    display: &str,
    sources: &mut Sources,
) -> Result<ExamTree, Vec<Diagnostic>> {
    let main = load_exam(path, display, sources)?;
    let mut bases = Vec::new();
    let mut diags = Vec::new();
    let mut stack = vec![canonical(path)];
    expand(&main, &mut stack, &mut bases, &mut diags, sources);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(ExamTree { main, bases })
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `a/b/../c` → `a/c`, for readable paths in diagnostics.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir
                if out
                    .components()
                    .next_back()
                    .is_some_and(|l| matches!(l, Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn expand(
    exam: &LoadedExam,
    stack: &mut Vec<PathBuf>,
    out: &mut Vec<LoadedBase>,
    diags: &mut Vec<Diagnostic>,
    sources: &mut Sources,
) {
    let Some(entries) = exam.value.get("extends").and_then(Value::as_array) else {
        return;
    };
    let dir = exam.path.parent().unwrap_or(Path::new(""));
    let display_dir = Path::new(&exam.display).parent().unwrap_or(Path::new(""));
    for (i, entry) in entries.iter().enumerate() {
        let Some(rel) = entry.as_str() else { continue }; // the schema reports it
        let pointer = format!("/extends/{i}");
        let at = exam.map.value(&pointer);
        let err = |code: &'static str, msg: String| {
            Diagnostic::error(code, msg)
                .at(&exam.display, at)
                .pointer(&pointer)
        };
        let path = dir.join(rel);
        let display = normalize(&display_dir.join(rel))
            .to_string_lossy()
            .into_owned();
        let key = canonical(&path);
        if let Some(start) = stack.iter().position(|p| *p == key) {
            let names: Vec<String> = stack[start..]
                .iter()
                .chain(std::iter::once(&key))
                .map(|p| {
                    p.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect();
            diags.push(
                err(
                    "extends-cycle",
                    format!("`extends` forms a cycle: {}", names.join(" → ")),
                )
                .hint("a base must not extend, directly or indirectly, the file that uses it"),
            );
            continue;
        }
        if stack.len() > MAX_EXTENDS_DEPTH {
            diags.push(err(
                "extends-too-deep",
                format!("`extends` chain deeper than {MAX_EXTENDS_DEPTH} files"),
            ));
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("seb" | "plist" | "xml") => {
                let loaded = cached(&key, sources, |texts| {
                    let dict = read_settings_file(&path, &display, texts)
                        .map_err(|msg| vec![err("base-unreadable", msg)])?;
                    Ok(LoadedBase::Plist {
                        display: display.clone(),
                        dict: Arc::new(dict),
                    })
                });
                match loaded {
                    Ok(base) => out.push(base),
                    Err(mut d) => diags.append(&mut d),
                }
            }
            _ if Syntax::of(&path).is_some() => match cached(&key, sources, |texts| {
                load_exam(&path, &display, texts).map(|e| LoadedBase::Template(Arc::new(e)))
            }) {
                Ok(LoadedBase::Template(base)) => {
                    stack.push(key);
                    expand(&base, stack, out, diags, sources);
                    stack.pop();
                    out.push(LoadedBase::Template(base));
                }
                Ok(other) => out.push(other),
                Err(mut d) => {
                    if d.iter().any(|d| d.code == "io") {
                        diags.push(err(
                            "base-unreadable",
                            format!("cannot read base `{rel}`: no such file"),
                        ));
                    } else {
                        diags.append(&mut d);
                    }
                }
            },
            _ => diags.push(
                err(
                    "base-unreadable",
                    format!("`{rel}` is not a base sebc can read"),
                )
                .hint("bases are .seb, .plist, or exam/template files (.yaml, .yml, .toml, .json)"),
            ),
        }
    }
}

/// Reads a `.seb` or `.plist` file's settings (unencrypted containers; passwords come with `sebc decode`).
/// A file that is XML as it stands goes into `sources`, so diagnostics can point at its `<key>` lines.
fn read_settings_file(
    path: &Path,
    display: &str,
    sources: &mut Sources,
) -> Result<plist::Dictionary, String> {
    let bytes = read_file(path, display).map_err(|d| d.message)?;
    if bytes.trim_ascii_start().starts_with(b"<")
        && let Ok(text) = std::str::from_utf8(&bytes)
    {
        sources.insert(display, text.into());
    }
    let keys = seb_format::container::Keys::default();
    seb_format::read_settings(&bytes, &keys, &crate::load::PLIST_LIMITS)
        .map(|(settings, _)| settings)
        .map_err(|e| {
            use seb_format::container::ContainerError as E;
            let seb_format::SettingsError::Container(e) = e else {
                return format!("{display}: {e}");
            };
            let option = match e {
                E::PasswordNeeded("pwcc") => "--admin-password-env NAME",
                E::PasswordNeeded(_) => "--password-env NAME",
                E::Certificate(_) => "--key PEM",
                _ => return format!("{display}: {e}"),
            };
            format!(
                "{display}: {e}; sebc cannot open encrypted bases yet: decrypt it once with \
             `sebc decode {display} {option} > base.plist` and extend the plist"
            )
        })
}
