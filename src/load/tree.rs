//! Resolving `extends`: an exam's bases, recursively, flattened in the order they apply (a file's own
//! bases before it, entries in the order listed). A base reached again (a diamond, or a file listed
//! twice) is loaded, validated and applied once per exam, at its first place, so the work is linear in
//! the distinct files. Cycles, depth, distinct bases and entries followed are bounded, each a diagnostic
//! at the `extends` entry naming the files that led to it. Under `--sandbox`, every file must resolve
//! inside the sandbox.

use super::base::{BaseRef, LoadedBase, Opener, load_base};
use super::{LoadedExam, load_exam};
use crate::diagnostic::{Diagnostic, Pos};
use crate::sandbox::Sandbox;
use crate::source::Sources;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Deepest chain of `extends` accepted.
pub const MAX_EXTENDS_DEPTH: usize = 16;
/// Most distinct bases (files reached through `extends`, at any depth) of one exam.
pub const MAX_BASES: usize = 64;
/// Most `extends` entries followed for one exam, counting a base each time it is named.
pub const MAX_EXTENDS_ENTRIES: usize = 1024;

/// An exam and all its bases, flattened in application order, each distinct base once.
#[derive(Debug)]
pub struct ExamTree {
    pub main: LoadedExam,
    pub bases: Vec<LoadedBase>,
}

/// Loads an exam file and its `extends` graph, with the warnings found on the way (a base listed twice
/// in one `extends`); every text read goes into `sources`. Problems in bases are reported at the
/// `extends` entry. With a `sandbox`, the exam file and every base must resolve inside it.
pub fn load_tree(
    path: &Path,
    display: &str,
    sources: &mut Sources,
    sandbox: Option<&Sandbox>,
) -> Result<(ExamTree, Vec<Diagnostic>), Vec<Diagnostic>> {
    if let Some(s) = sandbox.filter(|s| !s.admits(path)) {
        return Err(vec![
            escape(s, path, format!("exam file `{display}`"))
                .at(display, Pos::default())
                .hint("with --sandbox DIR, give only exam files inside DIR"),
        ]);
    }
    let main = load_exam(path, display, sources)?;
    let mut graph = Graph {
        chain: vec![(canonical(path), display.to_string())],
        seen: HashSet::new(),
        followed: 0,
        stopped: false,
        sandbox,
        bases: Vec::new(),
        diags: Vec::new(),
    };
    graph.expand(&main, sources);
    if graph.diags.iter().any(Diagnostic::is_error) {
        return Err(graph.diags);
    }
    let tree = ExamTree {
        main,
        bases: graph.bases,
    };
    Ok((tree, graph.diags))
}

/// The state of one exam's walk through its bases.
struct Graph<'a> {
    /// The files being expanded, from the exam down: canonical path and name in diagnostics.
    chain: Vec<(PathBuf, String)>,
    /// Every base reached so far (loaded or not), by canonical path.
    seen: HashSet<PathBuf>,
    /// `extends` entries followed, repeats included.
    followed: usize,
    /// A limit was hit: one error, then nothing more is followed.
    stopped: bool,
    sandbox: Option<&'a Sandbox>,
    bases: Vec<LoadedBase>,
    diags: Vec<Diagnostic>,
}

/// One `extends` entry being followed.
struct Entry<'e> {
    exam: &'e LoadedExam,
    /// Its index in the list.
    i: usize,
    /// As written.
    rel: &'e str,
    path: PathBuf,
    display: String,
    /// The canonical path (the path as written when it does not resolve).
    key: PathBuf,
}

impl Entry<'_> {
    /// `d` placed at this entry.
    fn at(&self, d: Diagnostic) -> Diagnostic {
        at_entry(self.exam, self.i, d)
    }
}

/// What to do with an entry.
enum Step {
    Load,
    Skip,
    Stop,
}

impl Graph<'_> {
    fn expand(&mut self, exam: &LoadedExam, sources: &mut Sources) {
        let Some(entries) = exam.value.get("extends").and_then(Value::as_array) else {
            return;
        };
        let dir = exam.path.parent().unwrap_or(Path::new(""));
        let display_dir = Path::new(&exam.display).parent().unwrap_or(Path::new(""));
        // The bases this list names, with the index of their first entry.
        let mut listed: Vec<(PathBuf, usize)> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let rel = entry.as_str().or_else(|| entry.get("path")?.as_str());
            let Some(rel) = rel else { continue }; // the schema reports it
            let path = dir.join(rel);
            let e = Entry {
                exam,
                i,
                rel,
                key: canonical(&path),
                display: crate::source::tidy_path(&display_dir.join(rel))
                    .to_string_lossy()
                    .into_owned(),
                path,
            };
            match self.step(&e, &mut listed) {
                Step::Load => {}
                Step::Skip => continue,
                Step::Stop => return,
            }
            let opener = match Opener::of(entry, dir, self.sandbox) {
                Ok(o) => o,
                Err(failed) => {
                    for (field, d) in failed {
                        let pointer = format!("/extends/{i}/{field}");
                        let at = exam.map.value(&pointer);
                        self.diags.push(d.at(&exam.display, at).pointer(pointer));
                    }
                    continue;
                }
            };
            let base = BaseRef {
                path: &e.path,
                key: &e.key,
                rel,
                display: &e.display,
                opener: &opener,
            };
            match load_base(&base, sources, &|code, msg| {
                e.at(Diagnostic::error(code, msg))
            }) {
                Ok(LoadedBase::Template(template)) => {
                    self.chain.push((e.key, e.display));
                    self.expand(&template, sources);
                    self.chain.pop();
                    self.bases.push(LoadedBase::Template(template));
                }
                Ok(plist) => self.bases.push(plist),
                Err(mut d) => self.diags.append(&mut d),
            }
        }
    }

    /// The checks an entry passes before its base is loaded, in order: the limit on entries, a
    /// duplicate in the same list, a cycle, a base reached before (applied at its first place), the
    /// sandbox, depth, the limit on distinct bases.
    fn step(&mut self, e: &Entry, listed: &mut Vec<(PathBuf, usize)>) -> Step {
        if self.stopped {
            return Step::Stop;
        }
        self.followed += 1;
        if self.followed > MAX_EXTENDS_ENTRIES {
            let msg = format!(
                "more than {MAX_EXTENDS_ENTRIES} `extends` entries followed for {} (a base counts \
                 each time it is named): stopped at `{}`, reached via {}",
                self.chain[0].1,
                e.rel,
                self.via()
            );
            return self.stop(e.at(Diagnostic::error("extends-too-many", msg)));
        }
        if let Some((_, first)) = listed.iter().find(|(k, _)| *k == e.key) {
            let first_at = e.exam.map.value(&format!("/extends/{first}"));
            let msg = format!(
                "`{}` is already listed in this `extends`; it applies once, at its first place",
                e.rel
            );
            self.diags.push(
                e.at(Diagnostic::warning("extends-duplicate", msg))
                    .related(&e.exam.display, first_at, "applied here")
                    .hint(
                        "remove this entry, or move the first one here if this base should win \
                         over the ones between",
                    ),
            );
            return Step::Skip;
        }
        listed.push((e.key.clone(), e.i));
        if let Some(start) = self.chain.iter().position(|(p, _)| *p == e.key) {
            let names: Vec<String> = self.chain[start..]
                .iter()
                .map(|(p, _)| p)
                .chain(std::iter::once(&e.key))
                .map(|p| {
                    p.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect();
            let msg = format!("`extends` forms a cycle: {}", names.join(" → "));
            self.diags.push(
                e.at(Diagnostic::error("extends-cycle", msg))
                    .hint("a base must not extend, directly or indirectly, the file that uses it"),
            );
            return Step::Skip;
        }
        if !self.seen.insert(e.key.clone()) {
            return Step::Skip; // reached before: it applies at its first place
        }
        if let Some(s) = self.sandbox.filter(|s| !s.admits(&e.path)) {
            self.diags
                .push(e.at(escape(s, &e.path, format!("base `{}`", e.rel))).hint(
                    "with --sandbox DIR, bases must be inside DIR: copy the base into the folder \
                     and extend the copy",
                ));
            return Step::Skip;
        }
        if self.chain.len() > MAX_EXTENDS_DEPTH {
            let msg = format!(
                "`extends` chain deeper than {MAX_EXTENDS_DEPTH} files: {} → {}",
                self.via(),
                e.display
            );
            self.diags
                .push(e.at(Diagnostic::error("extends-too-deep", msg)).hint(
                    "list several bases in one file's `extends` instead of chaining each \
                     template to the next",
                ));
            return Step::Skip;
        }
        if self.seen.len() > MAX_BASES {
            let msg = format!(
                "more than {MAX_BASES} distinct bases in the `extends` graph of {}: stopped at \
                 `{}`, reached via {}",
                self.chain[0].1,
                e.rel,
                self.via()
            );
            return self.stop(e.at(Diagnostic::error("extends-too-many", msg)));
        }
        Step::Load
    }

    /// The files from the exam to the one being expanded: `exam.yaml → a.yaml → b.yaml`.
    fn via(&self) -> String {
        let names: Vec<&str> = self.chain.iter().map(|(_, d)| d.as_str()).collect();
        names.join(" → ")
    }

    /// Reports a limit and follows nothing more.
    fn stop(&mut self, d: Diagnostic) -> Step {
        self.diags.push(d.hint(format!(
            "combine templates into fewer files: one exam accepts at most {MAX_BASES} distinct \
             bases and {MAX_EXTENDS_ENTRIES} `extends` entries"
        )));
        self.stopped = true;
        Step::Stop
    }
}

/// `d` placed at entry `i` of `exam`'s `extends`.
fn at_entry(exam: &LoadedExam, i: usize, d: Diagnostic) -> Diagnostic {
    let pointer = format!("/extends/{i}");
    d.at(&exam.display, exam.map.value(&pointer))
        .pointer(pointer)
}

/// The error for a file (`what`) that resolves outside the sandbox.
fn escape(sandbox: &Sandbox, path: &Path, what: String) -> Diagnostic {
    Diagnostic::error(
        "sandbox-escape",
        format!(
            "{what} resolves to {}, outside the sandbox {}",
            sandbox.resolved(path).display(),
            sandbox.root().display()
        ),
    )
}

fn canonical(p: &Path) -> PathBuf {
    crate::source::canonical(p).unwrap_or_else(|_| p.to_path_buf())
}
