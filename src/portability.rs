//! The last check of the merged settings: sebc never writes a configuration on which SEB clients
//! compute different Config Keys (`seb-file-format.md` §4.2). Each divergence is an error at the place
//! that set the key — an exam or template line, or the `<key>` line of a plist base.

use crate::diagnostic::{Diagnostic, Pos};
use crate::merge::Merged;
use crate::source::Sources;

/// sebc never writes a configuration whose Config Key differs between SEB clients (spec §4.2):
/// each divergence in the merged settings is an error at the place that set the key.
pub fn portability_errors(merged: &Merged, sources: &Sources) -> Vec<Diagnostic> {
    use crate::merge::Layer;
    seb_format::configkey::lint(&merged.settings)
        .into_iter()
        .map(|d| {
            let top = d
                .pointer
                .split('/')
                .nth(1)
                .unwrap_or("")
                .replace("~1", "/")
                .replace("~0", "~");
            let rest = d
                .pointer
                .get(crate::load::escape_segment(&top).len() + 1..)
                .unwrap_or("");
            let diag = Diagnostic::error("config-key-divergence", d.message).hint(
                "SEB clients would compute different Config Keys for this file; change the value",
            );
            match merged.origins.get(&top) {
                Some(Layer::File {
                    file,
                    line,
                    col,
                    pointer,
                }) => {
                    let at = format!("{pointer}{rest}");
                    diag.at(
                        file,
                        Pos {
                            line: *line,
                            col: *col,
                        },
                    )
                    .pointer(at)
                }
                Some(Layer::Base { file }) => {
                    let at = locate_plist_key(sources, file, &top).unwrap_or_default();
                    diag.at(file, at).pointer(d.pointer)
                }
                _ => diag.pointer(d.pointer),
            }
        })
        .collect()
}

/// Where `<key>NAME</key>` first appears in a plain XML plist base (plists carry no other positions).
fn locate_plist_key(sources: &Sources, file: &str, key: &str) -> Option<Pos> {
    let text = sources.get(file)?;
    let offset = text.find(&format!("<key>{key}</key>"))?;
    Some(crate::load::pos_of_offset(text, offset))
}
