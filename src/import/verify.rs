//! The round-trip law, checked on every import: the exam file (with its verbatim base) is compiled in
//! a temporary directory, exactly as `sebc compile` would, and its settings and Config Key compared
//! with the original's. A setting the compile refuses (an error at its key) moves to the verbatim
//! base and the check runs again, so what the exam file states, sebc accepts.

use super::{ImportFormat, Imported, render};
use crate::compile::{CheckOptions, Input, check};
use crate::diagnostic::Diagnostic;
use crate::merge::is_table;
use seb_format::plist::{PlistStyle, write_xml};

/// What compiling the imported exam gives.
pub struct Verdict {
    /// The diagnostics of the last compile (placed at `display`, the exam file's final name).
    pub diags: Vec<Diagnostic>,
    /// Keys whose value differs between the original and the compiled exam (or that only one has).
    pub differences: Vec<String>,
    /// The Config Key the compiled exam has, if it compiled.
    pub config_key: Option<String>,
    /// When some setting does not work on the targeted releases: the releases that run them all (a
    /// `--clients` value), and the first such setting.
    clients: Option<(String, String)>,
}

impl Verdict {
    pub fn exact(&self, original_key: &str) -> bool {
        self.differences.is_empty() && self.config_key.as_deref() == Some(original_key)
    }
}

/// The bytes of the verbatim base (indented plist XML).
pub fn verbatim_bytes(i: &Imported) -> Result<Vec<u8>, String> {
    write_xml(&i.verbatim, PlistStyle::Indented, &is_table).map_err(|e| e.to_string())
}

/// Compiles `imported` and moves the settings the compile refuses into the verbatim base until it
/// accepts every one left (each round moves at least one, so this ends). `display` names the exam
/// file in diagnostics.
pub fn settle(
    imported: &mut Imported,
    original: &plist::Dictionary,
    format: ImportFormat,
    display: &str,
) -> Result<Verdict, String> {
    loop {
        let verdict = compile_once(imported, original, format, display)?;
        if imported.clients.is_none()
            && let Some((targets, key)) = &verdict.clients
        {
            imported.clients = Some((targets.clone(), key.clone()));
            continue;
        }
        let refused: Vec<String> = verdict
            .diags
            .iter()
            .filter(|d| d.is_error() && d.code != "client-unsupported")
            .filter_map(|d| setting_of(&d.pointer))
            .collect();
        let mut moved = false;
        for key in refused {
            moved |= imported.keep_verbatim(&key, original);
        }
        if !moved {
            return Ok(verdict);
        }
    }
}

/// The setting a diagnostic's pointer names (`/seb/KEY/...`, `/proctoring/KEY/...`).
fn setting_of(pointer: &str) -> Option<String> {
    let mut segs = pointer.split('/').skip(1);
    let section = segs.next()?;
    let key = segs.next()?;
    matches!(section, "seb" | "proctoring").then(|| key.replace("~1", "/").replace("~0", "~"))
}

fn compile_once(
    i: &Imported,
    original: &plist::Dictionary,
    format: ImportFormat,
    display: &str,
) -> Result<Verdict, String> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let exam = dir.path().join(format!("{}.{}", i.id, format.extension()));
    std::fs::write(&exam, render(i, format)).map_err(|e| e.to_string())?;
    if let Some(file) = i.verbatim_file() {
        std::fs::write(dir.path().join(file), verbatim_bytes(i)?).map_err(|e| e.to_string())?;
    }
    let input = Input {
        path: exam,
        display: display.to_string(),
        discovered: false,
    };
    let checked = check(&input, CheckOptions::default(), 0, None);
    let unsupported = checked
        .diags
        .iter()
        .find(|d| d.code == "client-unsupported")
        .and_then(|d| setting_of(&d.pointer).or_else(|| d.pointer.get(1..).map(str::to_string)));
    let clients = match (&checked.merged, &checked.exam, unsupported) {
        (Some(m), Some(exam), Some(key)) => {
            let (targets, _) = crate::clients::targets_of(exam, None);
            let fixed =
                crate::clients::fixed_targets(crate::clients::ClientData::get(), m, &targets);
            Some((fixed.to_cli(), key))
        }
        _ => None,
    };
    let (differences, config_key) = match &checked.merged {
        Some(m) if !checked.diags.iter().any(Diagnostic::is_error) => {
            let settings = m.settings.to_dictionary();
            (
                differing_keys(original, &settings),
                Some(seb_format::configkey::config_key(&settings)),
            )
        }
        _ => (Vec::new(), None),
    };
    Ok(Verdict {
        diags: checked.diags,
        differences,
        config_key,
        clients,
    })
}

/// Keys set differently (or only) in one of the two dictionaries, sorted.
pub fn differing_keys(a: &plist::Dictionary, b: &plist::Dictionary) -> Vec<String> {
    let mut keys: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(k) != Some(v))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(k)).cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
