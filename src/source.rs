//! Source files: the one bounded reader every input goes through (exam files, bases, secret files,
//! keys), and [`Sources`], the texts read during a run, which the diagnostic printer quotes from, with
//! the literal secrets written in them, which it redacts. Each file is read once; nothing re-opens a
//! file by path to quote it.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A 1-based line and column in a source file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Largest exam, base or key file sebc reads (exam files are small; this bounds memory for hostile input).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("{}", io_reason(.0))]
    Io(#[from] std::io::Error),
    /// A directory, FIFO, device or socket where a file is expected.
    #[error("not a regular file")]
    NotAFile,
    /// Larger than the limit.
    #[error("larger than {} MiB", .0 / 1024 / 1024)]
    TooLarge(u64),
}

/// Reads a regular file of at most `limit` bytes. Devices, FIFOs and directories are refused before
/// anything is read (`/dev/zero` or a FIFO would otherwise read without end or block).
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    // Sized from the metadata: one allocation and one read (plus the read that finds the end) instead
    // of a buffer grown from nothing; a file that grows meanwhile is still cut at the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// `path` with every symbolic link resolved, as [`std::fs::canonicalize`] gives it, remembered for the
/// rest of the process (or until [`forget_canonical_paths`]). One run asks about the same paths several
/// times (walking a folder, merging inputs named twice, keying each exam and base), and `canonicalize`
/// costs a system call per component of the path. On Linux, whose `realpath` keeps each name as
/// written, a path ending in a name that is no link is its folder's real path and that name: one
/// `lstat`, with the folder looked up here too. Elsewhere `canonicalize` also gives each name its
/// spelling on disk (case on macOS, long names on Windows), so every path goes to it. Paths are
/// remembered as given: relative ones assume the working directory does not change (sebc never changes
/// it). Failures are not remembered. The sandbox's own check ([`crate::sandbox::Sandbox::admits`],
/// where a file is loaded) resolves afresh.
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let lock = || {
        known_paths()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(real) = lock().get(path.as_os_str()) {
        return Ok(real.clone());
    }
    let shortcut = name_in_folder(path).filter(|_| cfg!(target_os = "linux"));
    let real = match shortcut {
        Some((folder, name)) if !std::fs::symlink_metadata(path)?.is_symlink() => {
            canonical(folder)?.join(name)
        }
        _ => std::fs::canonicalize(path)?,
    };
    lock().insert(path.as_os_str().to_owned(), real.clone());
    Ok(real)
}

/// The paths [`canonical`] remembers, keyed by their text (`Path` equality would take `link/` for
/// `link`).
fn known_paths() -> &'static Mutex<HashMap<std::ffi::OsString, PathBuf>> {
    static KNOWN: OnceLock<Mutex<HashMap<std::ffi::OsString, PathBuf>>> = OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

/// Forgets the paths [`canonical`] remembers: for long-running callers whose links or working
/// directory change (with [`crate::load::clear_base_cache`]).
pub fn forget_canonical_paths() {
    known_paths()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clear();
}

/// `path`'s folder and last name, when its text ends with a name: not with a separator, `.` or `..`,
/// which `Path` would tidy away or a system call would resolve through a link.
fn name_in_folder(path: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    let text = path.as_os_str().as_encoded_bytes();
    let last = text
        .rsplit(|&b| std::path::is_separator(b as char))
        .next()?;
    let name = path.file_name()?;
    if last != name.as_encoded_bytes() {
        return None;
    }
    let folder = path.parent()?;
    Some((
        if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        },
        name,
    ))
}

/// A short reason for an I/O error, without the OS's error number.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The texts of the files read in a run, by the name diagnostics give them, and the literal secrets
/// found in them. Shared texts (a template used by many exams) are stored once.
///
/// The literal secrets live here, beside the texts, rather than on each diagnostic: they are facts
/// about the texts (each was read from one of them), `Sources` already travels from the load stage
/// through every later stage to the printer (`report`), and so every diagnostic of the run — those of
/// merge, proctoring or delivery too, which never see a secret — is redacted against the same set
/// without any stage having to remember to attach it. The set is run-wide: a value found in one exam
/// is redacted from the diagnostics of all of them (over-redacting is harmless; a leak is not).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    texts: HashMap<String, Arc<str>>,
    literals: LiteralSecrets,
}

/// The literal secrets of a run: the values (also every line of a multi-line value), and where each
/// was written (file, line, column), so a quoted line masks it even when the source spells it
/// differently from its value (escapes, `0012` for 12).
#[derive(Debug, Clone, Default)]
pub struct LiteralSecrets {
    values: BTreeSet<String>,
    places: BTreeSet<(String, Pos)>,
}

impl LiteralSecrets {
    /// The distinct values, as written after unquoting.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// Where literal secrets start: file and 1-based line and column.
    pub fn places(&self) -> impl Iterator<Item = (&str, Pos)> {
        self.places.iter().map(|(f, p)| (f.as_str(), *p))
    }
}

impl Sources {
    /// Records the text of `file`.
    pub fn insert(&mut self, file: &str, text: Arc<str>) {
        self.texts.entry(file.to_string()).or_insert(text);
    }

    /// Records a literal secret written in `file` at `pos` (line 0 when the place is unknown): its
    /// value, and each line of it when it spans several.
    pub fn add_literal(&mut self, file: &str, pos: Pos, value: &str) {
        if pos.line > 0 {
            self.literals.places.insert((file.to_string(), pos));
        }
        if value.is_empty() {
            return;
        }
        self.literals.values.insert(value.to_string());
        if value.contains('\n') {
            for part in value.lines().filter(|l| !l.trim().is_empty()) {
                self.literals.values.insert(part.to_string());
            }
        }
    }

    /// The literal secrets found in the texts read so far.
    pub fn literals(&self) -> &LiteralSecrets {
        &self.literals
    }

    /// The text of `file`, when it was read as text.
    pub fn get(&self, file: &str) -> Option<&str> {
        self.texts.get(file).map(|t| &**t)
    }

    /// Adds every text of `other`.
    pub fn extend(&mut self, other: Sources) {
        for (file, text) in other.texts {
            self.texts.entry(file).or_insert(text);
        }
        self.literals.values.extend(other.literals.values);
        self.literals.places.extend(other.literals.places);
    }

    /// Keeps only the texts `wanted` says are needed (those that diagnostics point into), so that a
    /// run over thousands of exams holds only the texts it will quote. Literal secrets are all kept:
    /// any diagnostic may echo one.
    pub fn retain(&mut self, wanted: impl Fn(&str) -> bool) {
        self.texts.retain(|file, _| wanted(file));
    }
}

/// `a/b/../c` → `a/c` (a `..` after a named directory removed, `.` dropped), for readable paths in
/// diagnostics: the path of a file named relative to another file.
pub fn tidy_path(p: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn canonical_paths_are_the_systems() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("real/sub")).unwrap();
        std::fs::write(d.join("real/sub/exam.yaml"), "").unwrap();
        std::fs::write(d.join("real/other.yaml"), "").unwrap();
        symlink(d.join("real"), d.join("dirlink")).unwrap();
        symlink(d.join("real/other.yaml"), d.join("real/sub/filelink.yaml")).unwrap();
        symlink("sub/../other.yaml", d.join("real/rel.yaml")).unwrap();
        symlink(d.join("missing"), d.join("dangling.yaml")).unwrap();
        let cases = [
            "real/sub/exam.yaml",
            "dirlink/sub/exam.yaml",
            "real/sub/filelink.yaml",
            "dirlink/sub/filelink.yaml",
            "real/rel.yaml",
            "dirlink/sub/../other.yaml",
            "real/sub/..",
            "dirlink",
            "dirlink/",
            "dirlink/.",
            "dirlink//sub/./exam.yaml",
            "dangling.yaml",
            "real/missing.yaml",
            "real/other.yaml/x",
            "real/sub/filelink.yaml/",
        ];
        // Twice: the second answers come from what the first remembered.
        for _ in 0..2 {
            for case in cases {
                let path = d.join(case);
                let want = std::fs::canonicalize(&path).map_err(|e| e.kind());
                assert_eq!(canonical(&path).map_err(|e| e.kind()), want, "{case}");
            }
        }
        // A link retargeted during the process keeps its first answer until the paths are forgotten.
        let moving = d.join("moving");
        symlink(d.join("real/sub"), &moving).unwrap();
        let before = canonical(&moving.join("exam.yaml")).unwrap();
        std::fs::remove_file(&moving).unwrap();
        symlink(d.join("real"), &moving).unwrap();
        std::fs::create_dir(d.join("real/exam.yaml")).unwrap();
        assert_eq!(canonical(&moving.join("exam.yaml")).unwrap(), before);
        forget_canonical_paths();
        assert_eq!(
            canonical(&moving.join("exam.yaml")).unwrap(),
            std::fs::canonicalize(moving.join("exam.yaml")).unwrap()
        );
        assert_ne!(canonical(&moving.join("exam.yaml")).unwrap(), before);
        // Relative paths resolve from the working directory, a bare name in it.
        for case in [
            "Cargo.toml",
            "./Cargo.toml",
            "src/../Cargo.toml",
            ".",
            "src",
        ] {
            let want = std::fs::canonicalize(case).map_err(|e| e.kind());
            assert_eq!(
                canonical(Path::new(case)).map_err(|e| e.kind()),
                want,
                "{case}"
            );
        }
    }

    #[test]
    fn refuses_devices_directories_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_bounded(dir.path(), 10),
            Err(ReadError::NotAFile)
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 10),
            Err(ReadError::NotAFile)
        ));
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789A").unwrap();
        assert!(matches!(read_bounded(&f, 10), Err(ReadError::TooLarge(10))));
        assert_eq!(read_bounded(&f, 11).unwrap(), b"0123456789A");
        assert_eq!(
            read_bounded(&dir.path().join("missing"), 10)
                .unwrap_err()
                .to_string(),
            "no such file"
        );
    }
}
