//! Output files on disk: atomic writes (temporary file + rename: an error never leaves a half-written
//! output) and `--check`'s comparison of committed outputs with what the sources compile to.

use seb_format::container;
use std::io::Write;
use std::path::Path;

/// Temporaries older than this are left over from a run that was killed (`kill -9`, power loss).
const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temporaries of [`write_atomic`] (`.NAME.XXXXXX.tmp`) that a killed run left in `dir`,
/// once they are older than ten minutes (a concurrent run's temporaries are younger). Returns how many
/// were removed; a directory that cannot be read has none.
pub fn sweep_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours =
            name.starts_with('.') && name.ends_with(".tmp") && name.matches('.').count() >= 3;
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if ours && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Writes `bytes` to `path` atomically: into an unpredictably named temporary file in the same
/// directory (created 0600 by `tempfile`), which is renamed over `path` only when complete. `private`
/// files (holding tokens) stay 0600; others become 0644. A missing directory is created 0755 whatever
/// the umask allows beyond that.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o755);
        builder.create(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// How a committed output compares with what the sources compile to (`sebc compile --check`).
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    UpToDate,
    Missing,
    Stale(String),
}

/// Compares by meaning, not bytes: the settings (and so the Config Key) of configurations, whatever
/// their container, salts and IVs; the server file without its tokens, which change with the time.
pub fn freshness(path: &Path, expected: &[u8], keys: &container::Keys<'_>) -> Freshness {
    let Ok(actual) = crate::source::read_bounded(path, crate::source::MAX_FILE_BYTES) else {
        return Freshness::Missing;
    };
    if path.extension().is_some_and(|e| e == "json") {
        let parse = |b: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(b).map(|mut v| {
                strip_tokens(&mut v);
                v
            })
        };
        return match (parse(&actual), parse(expected)) {
            (Ok(a), Ok(e)) if a == e => Freshness::UpToDate,
            (Ok(_), Ok(_)) => Freshness::Stale("the server settings or room plan differ".into()),
            _ => Freshness::Stale("not a valid server file".into()),
        };
    }
    let settings = |b: &[u8]| {
        seb_format::read_settings(b, keys, &crate::load::PLIST_LIMITS)
            .map(|(settings, _)| settings)
            .map_err(|e| e.to_string())
    };
    match (settings(&actual), settings(expected)) {
        (Ok(a), Ok(e)) if a == e => Freshness::UpToDate,
        (Ok(a), Ok(e)) => {
            let changed: Vec<&String> = e
                .keys()
                .filter(|k| a.get(k.as_str()) != e.get(k.as_str()))
                .chain(a.keys().filter(|k| !e.contains_key(k.as_str())))
                .take(5)
                .collect();
            let keys: Vec<String> = changed.iter().map(|k| format!("`{k}`")).collect();
            Freshness::Stale(format!(
                "Config Key {} instead of {}; settings that differ: {}",
                seb_format::configkey::config_key(&a),
                seb_format::configkey::config_key(&e),
                keys.join(", ")
            ))
        }
        (Err(msg), _) => Freshness::Stale(format!("cannot read it: {msg}")),
        (_, Err(msg)) => Freshness::Stale(msg),
    }
}

fn strip_tokens(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(obj) => {
            obj.retain(|k, _| !k.to_lowercase().contains("token") && k != "tokensExpire");
            obj.values_mut().for_each(strip_tokens);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_tokens),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stale_temporaries_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - 2 * STALE_TEMPORARY;
        let make = |name: &str, stale: bool| {
            let path = dir.path().join(name);
            let f = std::fs::File::create(&path).unwrap();
            if stale {
                f.set_modified(old).unwrap();
            }
            path
        };
        let killed = make(".exam.seb.a1B2c3.tmp", true);
        let running = make(".exam.seb.d4E5f6.tmp", false);
        let output = make("exam.seb", true);
        let other = make(".hidden.tmp", true);
        assert_eq!(sweep_stale_temporaries(dir.path()), 1);
        assert!(!killed.exists());
        assert!(running.exists() && output.exists() && other.exists());
    }

    #[cfg(unix)]
    #[test]
    fn writes_are_atomic_with_the_right_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("sub/exam.seb");
        let private = dir.path().join("sub/exam.server.json");
        write_atomic(&public, b"a", false).unwrap();
        write_atomic(&private, b"b", true).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&public), 0o644);
        assert_eq!(mode(&private), 0o600);
        assert_eq!(
            mode(&dir.path().join("sub")) & 0o022,
            0,
            "no group/other write"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary left: {names:?}");
    }
}
