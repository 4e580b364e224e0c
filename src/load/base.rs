//! One base named in `extends`: read and parsed at most once per process, by canonical path, however
//! many exams and entries name it. Plist and `.seb` bases go through the container reader; exam and
//! template files through the exam loader. Walking the graph of bases is [`super::tree`]'s.

use super::{LoadedExam, Syntax, load_exam, read_file};
use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A base, shared (parsed once per run) by every exam that extends it.
#[derive(Debug, Clone)]
pub enum LoadedBase {
    Plist {
        display: String,
        dict: Arc<plist::Dictionary>,
        /// The file's text when it is XML as it stands (diagnostics point at its `<key>` lines).
        text: Option<Arc<str>>,
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

/// Forgets every cached base: for long-running callers (a fuzzer, a watch mode) whose files change.
pub fn clear_base_cache() {
    if let Ok(mut c) = cache().lock() {
        c.clear();
    }
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

/// A base named by an `extends` entry.
pub(super) struct BaseRef<'a> {
    /// The path to read.
    pub path: &'a Path,
    /// Its canonical path (the cache key).
    pub key: &'a Path,
    /// The entry as written.
    pub rel: &'a str,
    /// The name diagnostics give the base.
    pub display: &'a str,
}

/// Loads the base `b`. `at_entry` makes a diagnostic placed at the `extends` entry (problems with the
/// file as a whole); problems inside a template are placed in the template.
pub(super) fn load_base(
    b: &BaseRef,
    sources: &mut Sources,
    at_entry: &dyn Fn(&'static str, String) -> Diagnostic,
) -> Result<LoadedBase, Vec<Diagnostic>> {
    let ext = b
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("seb" | "plist" | "xml") => cached(b.key, sources, |texts| {
            let (dict, text) = read_settings_file(b.path, b.display, texts)
                .map_err(|msg| vec![at_entry("base-unreadable", msg)])?;
            Ok(LoadedBase::Plist {
                display: b.display.to_string(),
                dict: Arc::new(dict),
                text,
            })
        }),
        _ if Syntax::of(b.path).is_some() => cached(b.key, sources, |texts| {
            load_exam(b.path, b.display, texts).map(|e| LoadedBase::Template(Arc::new(e)))
        })
        .map_err(|d| {
            let Some(io) = d.iter().find(|d| d.code == "io") else {
                return d;
            };
            let prefix = format!("cannot read {}: ", b.display);
            let reason = io.message.strip_prefix(&prefix).unwrap_or("no such file");
            vec![at_entry(
                "base-unreadable",
                format!("cannot read base `{}`: {reason}", b.rel),
            )]
        }),
        _ => Err(vec![
            at_entry(
                "base-unreadable",
                format!("`{}` is not a base sebc can read", b.rel),
            )
            .hint("bases are .seb, .plist, or exam/template files (.yaml, .yml, .toml, .json)"),
        ]),
    }
}

/// Reads a `.seb` or `.plist` file's settings (unencrypted containers; passwords come with `sebc decode`).
/// A file that is XML as it stands goes into `sources`, so diagnostics can point at its `<key>` lines.
fn read_settings_file(
    path: &Path,
    display: &str,
    sources: &mut Sources,
) -> Result<(plist::Dictionary, Option<Arc<str>>), String> {
    let bytes = read_file(path, display).map_err(|d| d.message)?;
    let mut text = None;
    if bytes.trim_ascii_start().starts_with(b"<")
        && let Ok(xml) = std::str::from_utf8(&bytes)
    {
        let xml: Arc<str> = xml.into();
        sources.insert(display, xml.clone());
        text = Some(xml);
    }
    let keys = seb_format::container::Keys::default();
    seb_format::read_settings(&bytes, &keys, &crate::load::PLIST_LIMITS)
        .map(|(settings, _)| (settings, text))
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
