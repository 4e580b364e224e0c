//! One base named in `extends`: read and parsed at most once per process, by canonical path, however
//! many exams and entries name it. Plist and `.seb` bases go through the container reader; exam and
//! template files through the exam loader. Walking the graph of bases is [`super::tree`]'s.

use super::{LoadedExam, Syntax, load_exam, read_file};
use crate::diagnostic::Diagnostic;
use crate::sandbox::Sandbox;
use crate::secret::{ExposeSecret, Secret, SecretError, SecretRef};
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

/// A cache key: the canonical path, and the digest of what opened the file.
type CacheKey = (PathBuf, String);

/// Bases already parsed in this process, by canonical path: a template used by a thousand exams is
/// read and parsed once.
fn cache() -> &'static Mutex<HashMap<CacheKey, CachedBase>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, CachedBase>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Forgets every cached base, and the canonical paths that key them: for long-running callers (a
/// fuzzer, a watch mode) whose files change.
pub fn clear_base_cache() {
    if let Ok(mut c) = cache().lock() {
        c.clear();
    }
    crate::source::forget_canonical_paths();
}

/// The base at `key`, from the cache or from `load`; its texts are added to `sources` either way.
fn cached(
    key: CacheKey,
    sources: &mut Sources,
    load: impl FnOnce(&mut Sources) -> Result<LoadedBase, Vec<Diagnostic>>,
) -> Result<LoadedBase, Vec<Diagnostic>> {
    if let Some((hit, texts)) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        sources.extend(texts);
        return Ok(hit);
    }
    let mut texts = Sources::default();
    let base = load(&mut texts);
    sources.extend(texts.clone());
    let base = base?;
    if let Ok(mut c) = cache().lock() {
        c.insert(key, (base.clone(), texts));
    }
    Ok(base)
}

/// What opens an encrypted base: the password and admin password given in its `extends` entry,
/// resolved here (not in the resolve stage) because the base cannot be read without them.
#[derive(Default)]
pub(super) struct Opener {
    password: Option<Secret>,
    admin_password: Option<Secret>,
}

impl Opener {
    /// Resolves the secrets of an `extends` entry (`{ path, password, adminPassword }`; nothing for a
    /// plain path) through [`SecretRef::resolve`], under the same `--sandbox` policy. Failures come
    /// with the field that failed, not yet placed.
    pub fn of(
        entry: &serde_json::Value,
        dir: &Path,
        sandbox: Option<&Sandbox>,
    ) -> Result<Opener, Vec<(&'static str, Diagnostic)>> {
        let mut failed = Vec::new();
        let mut get = |field: &'static str| {
            let value = entry.get(field)?;
            let secret = serde_json::from_value::<SecretRef>(value.clone())
                .map_err(|_| SecretError::Unavailable("not a secret reference".into()))
                .and_then(|r| r.resolve(dir, sandbox));
            match secret {
                Ok(s) => Some(s),
                Err(err) => {
                    let (code, hint) = err.code_and_hint();
                    let msg = format!("cannot read `{field}` of this base: {err}");
                    failed.push((field, Diagnostic::error(code, msg).hint(hint)));
                    None
                }
            }
        };
        let opener = Opener {
            password: get("password"),
            admin_password: get("adminPassword"),
        };
        if failed.is_empty() {
            Ok(opener)
        } else {
            Err(failed)
        }
    }

    /// The cache key part: bases opened with different secrets are different entries (a base opened
    /// for one exam is not handed to another that gave no password).
    fn digest(&self) -> String {
        let mut bytes = Vec::new();
        for s in [&self.password, &self.admin_password] {
            bytes.extend(s.as_ref().map_or(&[][..], |s| s.expose_secret()));
            bytes.push(0);
        }
        crate::secret::sha256_hex(&bytes)
    }
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
    /// What opens it, if it is encrypted.
    pub opener: &'a Opener,
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
    let key = (b.key.to_path_buf(), b.opener.digest());
    match ext.as_deref() {
        Some("seb" | "plist" | "xml") => cached(key, sources, |texts| {
            let (dict, text) = read_settings_file(b, texts).map_err(|(msg, hint)| {
                let d = at_entry("base-unreadable", msg);
                vec![match hint {
                    Some(h) => d.hint(h),
                    None => d,
                }]
            })?;
            Ok(LoadedBase::Plist {
                display: b.display.to_string(),
                dict: Arc::new(dict),
                text,
            })
        }),
        _ if Syntax::of(b.path).is_some() => cached(key, sources, |texts| {
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

/// Why a base cannot be read: the message, and a hint when the entry can fix it.
type Unreadable = (String, Option<String>);

/// Reads a `.seb` or `.plist` base's settings, opened with what its entry gives. A file that is XML
/// as it stands goes into `sources`, so diagnostics can point at its `<key>` lines.
fn read_settings_file(
    b: &BaseRef,
    sources: &mut Sources,
) -> Result<(plist::Dictionary, Option<Arc<str>>), Unreadable> {
    let display = b.display;
    let bytes = read_file(b.path, display).map_err(|d| (d.message, None))?;
    let mut text = None;
    if bytes.trim_ascii_start().starts_with(b"<")
        && let Ok(xml) = std::str::from_utf8(&bytes)
    {
        let xml: Arc<str> = xml.into();
        sources.insert(display, xml.clone());
        text = Some(xml);
    }
    let keys = seb_format::container::Keys {
        password: b.opener.password.as_ref().map(|s| s.expose_secret()),
        admin_password: b.opener.admin_password.as_ref().map(|s| s.expose_secret()),
        ..Default::default()
    };
    seb_format::read_settings(&bytes, &keys, &crate::load::PLIST_LIMITS)
        .map(|(settings, _)| (settings, text))
        .map_err(|e| {
            use seb_format::container::ContainerError as E;
            let seb_format::SettingsError::Container(e) = e else {
                return (format!("{display}: {e}"), None);
            };
            let rel = b.rel;
            let how = match e {
                E::PasswordNeeded("pwcc") => Some(format!(
                    "give its admin password in `extends`: `- {{ path: {rel}, adminPassword: {{ env: NAME }} }}`"
                )),
                E::PasswordNeeded(_) => Some(format!(
                    "give its password in `extends`: `- {{ path: {rel}, password: {{ env: NAME }} }}`"
                )),
                E::Decrypt(_) => Some("check the password given in its `extends` entry".into()),
                E::Certificate(_) => Some(format!(
                    "sebc cannot open certificate-encrypted bases: decrypt it once with \
                     `sebc decode {display} --key PEM > base.plist` and extend the plist"
                )),
                _ => None,
            };
            (format!("{display}: {e}"), how)
        })
}
