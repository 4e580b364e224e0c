//! Stage 1, load: read an exam file (YAML, TOML or JSON) into a JSON value plus a [`SourceMap`]
//! (JSON pointer → line:column), and read plist/`.seb` bases into plist dictionaries.
//! Every syntax goes through the same [`Node`] tree, so the three syntaxes give the same value.
//! Following `extends` is `tree`'s (the graph) and `base`'s (one base file).

mod base;
mod json;
mod limits;
mod literals;
mod node;
mod toml;
mod toml_scan;
mod tree;
mod yaml;

pub use crate::pointer::escape_segment;
pub use base::{LoadedBase, clear_base_cache};
pub use node::{LineIndex, Node, NodeValue, SourceMap, pos_of_offset};
pub use tree::{ExamTree, MAX_BASES, MAX_EXTENDS_DEPTH, MAX_EXTENDS_ENTRIES, load_tree};

use crate::diagnostic::{Diagnostic, Pos};
use crate::source::{MAX_FILE_BYTES, ReadError, Sources, read_bounded};
use std::path::{Path, PathBuf};

/// Stack a thread needs to parse an exam file at the depth limit (serde's recursive deserialization
/// takes tens of KiB per level in debug builds); sebc's worker threads get this much.
pub const PARSER_STACK_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting accepted in an exam file.
pub const MAX_DEPTH: usize = 64;
/// Most values (keys' values and list items, at every depth) accepted in one exam file.
pub const MAX_VALUES: usize = 100_000;
/// Longest string accepted in an exam or plist file, in bytes.
pub const MAX_STRING: usize = 1024 * 1024;
/// What a plist base or `.seb` file may hold (the format crate's reader enforces it).
pub const PLIST_LIMITS: seb_format::plist::Limits = seb_format::plist::Limits {
    max_depth: MAX_DEPTH,
    max_values: 1_000_000,
    max_string_bytes: MAX_STRING,
};

/// An exam (or template) file, parsed, with positions for diagnostics.
#[derive(Debug, Clone)]
pub struct LoadedExam {
    pub path: PathBuf,
    /// The path as the user gave it, used in diagnostics.
    pub display: String,
    pub value: serde_json::Value,
    pub map: SourceMap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
    Json,
}

impl Syntax {
    pub fn of(path: &Path) -> Option<Syntax> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Syntax::Yaml),
            "toml" => Some(Syntax::Toml),
            "json" => Some(Syntax::Json),
            _ => None,
        }
    }
}

/// Reads an input file through the bounded reader; the error is a diagnostic naming the file.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<u8>, Diagnostic> {
    read_bounded(path, MAX_FILE_BYTES).map_err(|e| {
        let code = match e {
            ReadError::TooLarge(_) => "too-large",
            _ => "io",
        };
        let msg = match e {
            ReadError::TooLarge(_) => format!("{display} is {e}"),
            e => format!("cannot read {display}: {e}"),
        };
        Diagnostic::error(code, msg).at(display, Pos::default())
    })
}

/// Loads an exam file; the syntax comes from the extension. Its text goes into `sources`, also
/// when it does not parse (diagnostics quote it), and so do the literal secrets written in it.
pub fn load_exam(
    path: &Path,
    display: &str,
    sources: &mut Sources,
) -> Result<LoadedExam, Vec<Diagnostic>> {
    let Some(syntax) = Syntax::of(path) else {
        return Err(vec![
            Diagnostic::error("unknown-format", format!("{display}: not an exam file"))
                .at(display, Pos::default())
                .hint("exam files end in .yaml, .yml, .toml or .json"),
        ]);
    };
    let bytes = read_file(path, display).map_err(|d| vec![d])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = node::pos_of_offset(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        vec![Diagnostic::error("parse", "the file is not valid UTF-8").at(display, pos)]
    })?;
    load_text(text.into(), syntax, path, display, sources)
}

/// Loads exam text read by the caller (or made up, by the fuzzer): records the text and the literal
/// secrets found in it (also when the file has other errors) in `sources`, then parses it.
pub fn load_text(
    text: std::sync::Arc<str>,
    syntax: Syntax,
    path: &Path,
    display: &str,
    sources: &mut Sources,
) -> Result<LoadedExam, Vec<Diagnostic>> {
    sources.insert(display, text.clone());
    let (exam, diags) = parse_document(&text, syntax, path, display);
    let Some(exam) = exam else { return Err(diags) };
    for literal in literals::find(&exam) {
        sources.add_literal(display, literal.pos, &literal.value);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(exam)
}

/// Parses exam text of a known syntax (also used by tests and benchmarks without a file).
pub fn parse_exam(
    text: &str,
    syntax: Syntax,
    path: &Path,
    display: &str,
) -> Result<LoadedExam, Vec<Diagnostic>> {
    match parse_document(text, syntax, path, display) {
        (Some(exam), diags) if !diags.iter().any(Diagnostic::is_error) => Ok(exam),
        (_, diags) => Err(diags),
    }
}

/// Parses exam text: the document when the syntax is valid (also when its values break a limit or
/// repeat a key), and those problems.
fn parse_document(
    text: &str,
    syntax: Syntax,
    path: &Path,
    display: &str,
) -> (Option<LoadedExam>, Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = match syntax {
        Syntax::Yaml => yaml::parse(text),
        Syntax::Toml => toml::parse(text),
        Syntax::Json => json::parse(text),
    };
    let node = match parsed {
        Ok(node) => node,
        Err(e) => return (None, vec![e.into_diagnostic(display)]),
    };
    let mut map = SourceMap::for_tree(&node);
    let mut diags = Vec::new();
    let value = node.into_json(Pos::default(), &mut String::new(), &mut map, &mut diags, 0);
    let diags: Vec<Diagnostic> = diags
        .into_iter()
        .map(|(d, pos)| d.at(display, pos))
        .collect();
    let exam = LoadedExam {
        path: path.to_path_buf(),
        display: display.to_string(),
        value,
        map,
    };
    (Some(exam), diags)
}
