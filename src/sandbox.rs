//! The `--sandbox DIR` policy for untrusted exam folders: which files an exam may make sebc read.
//! A [`Sandbox`] is a plain value handed down to the places that read on an exam's behalf (the input
//! walk, the `extends` loader, the secret resolver); there is no global switch. Paths are compared
//! canonically, after every symbolic link is resolved, so `../x` and a link pointing out both escape.

use std::path::{Component, Path, PathBuf};

/// A directory an exam's files must stay in. Built from `--sandbox DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    /// The sandbox of directory `dir` (which must exist: its canonical path is the boundary).
    pub fn new(dir: &Path) -> Result<Sandbox, String> {
        let root = std::fs::canonicalize(dir).map_err(|e| {
            format!(
                "--sandbox {}: {}",
                dir.display(),
                crate::source::io_reason(&e)
            )
        })?;
        if !root.is_dir() {
            return Err(format!("--sandbox {}: not a directory", dir.display()));
        }
        Ok(Sandbox { root })
    }

    /// The canonical directory the sandbox admits.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` is inside the sandbox once every symbolic link in it is resolved. A path that
    /// cannot be resolved (it does not exist) is judged by its absolute, `..`-free spelling: nothing
    /// can be read through it, and naming a missing file outside is refused like an existing one.
    pub fn admits(&self, path: &Path) -> bool {
        self.resolved(path).starts_with(&self.root)
    }

    /// Where `path` leads: canonical when it exists, else absolute with `.` and `..` removed.
    pub fn resolved(&self, path: &Path) -> PathBuf {
        if let Ok(p) = std::fs::canonicalize(path) {
            return p;
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut out = PathBuf::new();
        for c in absolute.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_outside_links_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(inner.join("a.yaml"), "").unwrap();
        std::fs::write(dir.path().join("outside.yaml"), "").unwrap();
        let sandbox = Sandbox::new(&inner).unwrap();
        assert!(sandbox.admits(&inner.join("a.yaml")));
        assert!(sandbox.admits(&inner.join("sub/../a.yaml")));
        assert!(sandbox.admits(&inner.join("missing.yaml")));
        assert!(!sandbox.admits(&inner.join("../outside.yaml")));
        assert!(!sandbox.admits(&inner.join("../missing.yaml")));
        assert!(!sandbox.admits(&inner.join("nothere/../../missing.yaml")));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../outside.yaml", inner.join("link.yaml")).unwrap();
            assert!(!sandbox.admits(&inner.join("link.yaml")));
        }
        // A sibling whose name starts like the sandbox's is outside.
        std::fs::create_dir(dir.path().join("inner2")).unwrap();
        assert!(!sandbox.admits(&dir.path().join("inner2")));
        assert!(Sandbox::new(&dir.path().join("absent")).is_err());
        assert!(Sandbox::new(&inner.join("a.yaml")).is_err());
    }
}
