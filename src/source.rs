//! Source files: the one bounded reader every input goes through (exam files, bases, secret files,
//! keys), and [`Sources`], the texts read during a run, which the diagnostic printer quotes from.
//! Each file is read once; nothing re-opens a file by path to quote it.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

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
    if !file.metadata()?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

/// A short reason for an I/O error, without the OS's error number.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The texts of the files read in a run, by the name diagnostics give them. Shared texts (a template
/// used by many exams) are stored once.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    texts: HashMap<String, Arc<str>>,
}

impl Sources {
    /// Records the text of `file`.
    pub fn insert(&mut self, file: &str, text: Arc<str>) {
        self.texts.entry(file.to_string()).or_insert(text);
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
    }

    /// Keeps only the files `wanted` says are needed (those that diagnostics point into), so that a
    /// run over thousands of exams holds only the texts it will quote.
    pub fn retain(&mut self, wanted: impl Fn(&str) -> bool) {
        self.texts.retain(|file, _| wanted(file));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
