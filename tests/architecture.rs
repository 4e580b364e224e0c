//! The layering the README's "Architecture" section promises, checked on the sources: the format crate
//! names nothing of the compiler and depends on none of its heavy crates; clap stays in the CLI; and no
//! two modules import each other, directly or through others (at the level of the crate's top-level
//! modules, and among the files of each module directory).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The source without comments (so prose naming a module is not an import) and without its unit-test
/// module (`#[cfg(test)] mod tests`, at the end of a file: tests may use any module).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text.as_str(), |at| &text[..at]);
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers following `prefix` in `code` (`crate::` → `load`, `merge`, …).
fn names_after<'a>(code: &'a str, prefix: &str) -> impl Iterator<Item = &'a str> {
    code.match_indices(prefix).filter_map(move |(i, _)| {
        let rest = &code[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Every cycle's members, or nothing (a depth-first search on a small graph).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut found = path[start..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The top-level module a file of `src/` belongs to (`src/merge/reconcile.rs` → `merge`).
fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(src) {
        let from = top_module(src, &file);
        if from == "lib" || from == "main" {
            continue;
        }
        let code = code_of(&file);
        let targets = graph.entry(from.clone()).or_default();
        for to in names_after(&code, "crate::") {
            if to != from {
                targets.insert(to.to_string());
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_form_no_cycle() {
    let graph = module_graph(&root().join("src"));
    assert!(graph.len() > 10, "{graph:?}");
    // The CLI is the top: nothing depends on it.
    for (from, to) in &graph {
        assert!(!to.contains("cli"), "{from} imports the CLI");
    }
    assert_eq!(cycle(&graph), None);
    let format = module_graph(&root().join("crates/seb-format/src"));
    assert!(format.contains_key("container"), "{format:?}");
    assert_eq!(cycle(&format), None, "in seb-format");
}

#[test]
fn the_files_of_each_module_directory_form_no_cycle() {
    for dir in [root().join("src"), root().join("crates/seb-format/src")] {
        for sub in std::fs::read_dir(&dir).unwrap() {
            let sub = sub.unwrap().path();
            if !sub.is_dir() {
                continue;
            }
            let module = sub.file_name().unwrap().to_string_lossy().into_owned();
            let files: Vec<PathBuf> = rust_files(&sub)
                .into_iter()
                .filter(|f| f.file_name().is_some_and(|n| n != "mod.rs"))
                .collect();
            let names: BTreeSet<String> = files
                .iter()
                .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for file in &files {
                let from = file.file_stem().unwrap().to_string_lossy().into_owned();
                let code = code_of(file);
                let crate_path = format!("crate::{module}::");
                let siblings = names_after(&code, "super::").chain(names_after(&code, &crate_path));
                let targets = graph.entry(from.clone()).or_default();
                for to in siblings {
                    if names.contains(to) && to != from {
                        targets.insert(to.to_string());
                    }
                }
            }
            assert_eq!(cycle(&graph), None, "in {}", sub.display());
        }
    }
}

#[test]
fn the_format_crate_stands_alone() {
    let crate_dir = root().join("crates/seb-format");
    let compiler_modules: BTreeSet<String> =
        module_graph(&root().join("src")).into_keys().collect();
    for file in rust_files(&crate_dir.join("src")) {
        let code = code_of(&file);
        assert!(
            !code.contains("sebc"),
            "{} names the compiler",
            file.display()
        );
        for to in names_after(&code, "crate::") {
            let own = crate_dir.join("src").join(to);
            assert!(
                own.with_extension("rs").is_file()
                    || own.is_dir()
                    || !compiler_modules.contains(to)
                    || code.contains(&format!("pub fn {to}")),
                "{} uses crate::{to}, a compiler module",
                file.display()
            );
        }
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for heavy in [
        "clap",
        "jsonschema",
        "serde-saphyr",
        "toml",
        "indicatif",
        "rayon",
        "sebc",
        "schemars",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(heavy)),
            "seb-format depends on {heavy}"
        );
    }
}

#[test]
fn clap_stays_in_the_cli() {
    for file in rust_files(&root().join("src")) {
        let in_cli = file.components().any(|c| c.as_os_str() == "cli");
        if !in_cli && file.file_name().is_some_and(|n| n != "main.rs") {
            assert!(
                !code_of(&file).contains("clap"),
                "{} uses clap outside the CLI",
                file.display()
            );
        }
    }
}
