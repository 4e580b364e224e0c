//! Helpers of the vector tests: locating the external SEB test vectors and reading files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The external SEB test vectors (`../shared/seb-vectors` beside the repository, or `SEB_VECTORS_DIR`).
/// `None` (the test then checks nothing, and says so) when they are absent, unless
/// `SEBC_REQUIRE_VECTORS=1` (CI), where their absence fails the test.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEB_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seb-vectors")
        });
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("SEBC_REQUIRE_VECTORS").is_none_or(|v| v != "1"),
        "SEB test vectors not found at {} (SEBC_REQUIRE_VECTORS=1)",
        dir.display()
    );
    eprintln!(
        "SKIPPED: SEB test vectors not found at {} (set SEB_VECTORS_DIR to run these checks)",
        dir.display()
    );
    None
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    seb_format::password_hash(bytes)
}

pub fn read(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p.as_ref()).unwrap_or_else(|e| panic!("read {}: {e}", p.as_ref().display()))
}
