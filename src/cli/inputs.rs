//! Which exam files the arguments of `compile` and `validate` name: files as given, glob patterns
//! expanded, directories walked (with `walkdir`, following links). Each real directory and file is
//! visited once however many links lead to it; a link back to an ancestor is a warning, an unreadable
//! directory an error, and under `--sandbox` nothing outside the sandbox is entered. A file reached by
//! several arguments is one input.

use crate::compile::Input;
use crate::diagnostic::{Diagnostic, Pos};
use crate::sandbox::Sandbox;
use crate::source::canonical;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Exam files from the arguments: files as given, directories walked (sorted), glob patterns expanded.
/// `skip` is a directory never walked into (the output directory).
pub(super) fn collect_inputs(
    args: &[PathBuf],
    skip: Option<&Path>,
    sandbox: Option<&Sandbox>,
) -> (Vec<Input>, Vec<Diagnostic>) {
    let mut walk = Walk {
        skip: skip.and_then(|p| canonical(p).ok()),
        sandbox,
        visited: HashSet::new(),
        found: Vec::new(),
        diags: Vec::new(),
    };
    let mut inputs = Vec::new();
    for arg in args {
        let display = super::display_of(arg);
        if arg.is_dir() {
            walk.dir(arg);
            walk.found.sort();
            inputs.extend(walk.found.drain(..).map(|p| Input {
                display: super::display_of(&p),
                path: p,
                discovered: true,
            }));
        } else if !arg.exists() && display.contains(['*', '?', '[']) {
            match glob::glob(&display) {
                Ok(paths) => {
                    let matched: Vec<PathBuf> = paths
                        .filter_map(Result::ok)
                        .filter(|p| p.is_file())
                        .collect();
                    if matched.is_empty() {
                        walk.diags.push(
                            Diagnostic::error("no-input", format!("no file matches `{display}`"))
                                .at(&display, Pos::default()),
                        );
                    }
                    inputs.extend(matched.into_iter().map(|p| Input {
                        display: super::display_of(&p),
                        path: p,
                        discovered: false,
                    }));
                }
                Err(e) => walk.diags.push(
                    Diagnostic::error("no-input", format!("bad glob pattern `{display}`: {e}"))
                        .at(&display, Pos::default()),
                ),
            }
        } else {
            inputs.push(Input {
                path: arg.clone(),
                display,
                discovered: false,
            });
        }
    }
    // A file named twice (`a.yaml ./a.yaml`, a glob and a directory that both reach it) is one exam.
    let mut seen = HashSet::new();
    inputs.retain(|i| canonical(&i.path).map_or(true, |real| seen.insert(real)));
    (inputs, walk.diags)
}

/// Directory walks of one run; `visited` is shared, so overlapping arguments find a file once.
struct Walk<'a> {
    skip: Option<PathBuf>,
    sandbox: Option<&'a Sandbox>,
    /// Canonical paths of the directories and files seen.
    visited: HashSet<PathBuf>,
    found: Vec<PathBuf>,
    diags: Vec<Diagnostic>,
}

impl Walk<'_> {
    /// Exam files under `root`: hidden entries, the output directory and sebc's own `*.server.json`
    /// are left out.
    fn dir(&mut self, root: &Path) {
        // Real entries before links in each directory: a directory reached both ways is found under
        // its own name when the two are side by side.
        let mut it = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_key(|e| (e.path_is_symlink(), e.file_name().to_os_string()))
            .into_iter();
        while let Some(next) = it.next() {
            let entry = match next {
                Ok(entry) => entry,
                Err(e) => {
                    self.walk_error(root, &e);
                    continue;
                }
            };
            let is_dir = entry.file_type().is_dir();
            if !self.wanted(&entry) {
                if is_dir {
                    it.skip_current_dir();
                }
                continue;
            }
            if !is_dir {
                self.found.push(entry.into_path());
            }
        }
    }

    /// Whether to keep `entry` (a file) or descend into it (a directory).
    fn wanted(&mut self, entry: &walkdir::DirEntry) -> bool {
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_dir();
        if entry.depth() > 0 && name.starts_with('.') {
            return false;
        }
        if !is_dir
            && (name.ends_with(".server.json") || crate::load::Syntax::of(entry.path()).is_none())
        {
            return false;
        }
        let Ok(real) = canonical(entry.path()) else {
            return !is_dir; // a file that vanished: loading it reports the problem
        };
        if is_dir && self.skip.as_ref() == Some(&real) {
            return false;
        }
        if let Some(s) = self.sandbox.filter(|s| !real.starts_with(s.root())) {
            let shown = super::display_of(entry.path());
            self.diags.push(
                Diagnostic::error(
                    "sandbox-escape",
                    format!(
                        "`{shown}` resolves to {}, outside the sandbox {}: not read",
                        real.display(),
                        s.root().display()
                    ),
                )
                .at(&shown, Pos::default())
                .hint("remove the link, or run without --sandbox on folders you trust"),
            );
            return false;
        }
        self.visited.insert(real)
    }

    /// A loop is a warning (the directory is searched once anyway); anything else an error.
    fn walk_error(&mut self, root: &Path, e: &walkdir::Error) {
        let shown = super::display_of(e.path().unwrap_or(root));
        if let Some(ancestor) = e.loop_ancestor() {
            self.diags.push(
                Diagnostic::warning(
                    "walk-loop",
                    format!(
                        "`{shown}` links back to `{}`: not followed (its files are searched once)",
                        super::display_of(ancestor)
                    ),
                )
                .at(&shown, Pos::default())
                .hint(format!(
                    "remove the link (`rm {shown}`) to silence this warning"
                )),
            );
            return;
        }
        // A dangling link with an exam file's name is loaded, so that the error names the file;
        // dangling links with other names are not sebc's business.
        if let Some(path) = e.path()
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            && path.symlink_metadata().is_ok_and(|m| m.is_symlink())
            && std::fs::metadata(path).is_err()
        {
            if crate::load::Syntax::of(path).is_some() {
                self.found.push(path.to_path_buf());
            }
            return;
        }
        let reason = e
            .io_error()
            .map_or_else(|| e.to_string(), crate::source::io_reason);
        self.diags.push(
            Diagnostic::error(
                "walk-unreadable",
                format!("cannot read directory `{shown}`: {reason}"),
            )
            .at(&shown, Pos::default())
            .hint(format!(
                "give sebc read access (`chmod u+rx {shown}`) or move the directory out of `{}`",
                super::display_of(root)
            )),
        );
    }
}
