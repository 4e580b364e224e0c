//! Where a value is in a plist's XML text: the line of the `<key>` of a JSON pointer (`/URLFilterRules/0/
//! action`), or of the item of an array. Plist bases carry no source map; diagnostics about a base's
//! settings (validation, Config Key divergences) use this to point at the `<key>` line the author wrote.

use crate::diagnostic::Pos;

/// The position of every value of a plist's XML text, by JSON pointer, found in one scan: callers
/// that locate many values in one file build it once, so the work stays linear in the text.
pub struct PlistLines {
    positions: std::collections::HashMap<String, Pos>,
}

impl PlistLines {
    /// Scans `text` once.
    pub fn new(text: &str) -> PlistLines {
        let index = crate::load::LineIndex::new(text);
        let mut positions = std::collections::HashMap::new();
        scan(text, &mut |pointer, offset| {
            positions
                .entry(pointer)
                .or_insert_with(|| index.pos(offset));
        });
        PlistLines { positions }
    }

    /// The position of the value at `pointer` (its `<key>` for a dictionary entry, its element for an
    /// array item).
    pub fn locate(&self, pointer: &str) -> Option<Pos> {
        self.positions.get(pointer).copied()
    }
}

/// The [`PlistLines`] of the files of a run's [`Sources`](crate::source::Sources), each built the first
/// time a value of that file is located.
pub struct BaseLines<'s> {
    sources: &'s crate::source::Sources,
    built: std::cell::RefCell<std::collections::HashMap<String, Option<PlistLines>>>,
}

impl<'s> BaseLines<'s> {
    /// No file scanned yet.
    pub fn new(sources: &'s crate::source::Sources) -> BaseLines<'s> {
        BaseLines {
            sources,
            built: Default::default(),
        }
    }

    /// The position of the value at `pointer` in `file`, when its XML text was read.
    pub fn locate(&self, file: &str, pointer: &str) -> Option<Pos> {
        let mut built = self.built.borrow_mut();
        built
            .entry(file.to_string())
            .or_insert_with(|| self.sources.get(file).map(PlistLines::new))
            .as_ref()?
            .locate(pointer)
    }
}

/// The position of the value at `pointer` in a plist's XML `text` (one scan of the text: to locate
/// many values of one file, build [`PlistLines`] once).
pub fn locate(text: &str, pointer: &str) -> Option<Pos> {
    PlistLines::new(text).locate(pointer)
}

/// One open container while scanning: a dictionary (with the key just read) or an array (with the
/// index of its next item).
enum Frame {
    Dict { key: Option<(String, usize)> },
    Array { next: usize },
}

/// Calls `found` with the JSON pointer and byte offset of every value below the root, scanning the
/// tags once; stops at the first malformed tag.
fn scan(text: &str, found: &mut dyn FnMut(String, usize)) -> Option<()> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(rel) = text.get(at..)?.find('<') {
        let start = at + rel;
        let end = start + text.get(start..)?.find('>')?;
        let tag = text.get(start + 1..end)?;
        at = end + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if matches!(name.trim(), "dict" | "array")
                && frames.pop().is_some()
                && !frames.is_empty()
            {
                path.pop(); // the root has no segment
            }
            continue;
        }
        let empty = tag.ends_with('/');
        let name = tag.trim_end_matches('/').split_whitespace().next()?;
        if name == "plist" {
            continue;
        }
        if name == "key" {
            let close = at + text.get(at..)?.find("</key>")?;
            let key = unescape(text.get(at..close)?);
            at = close + "</key>".len();
            if let Some(Frame::Dict { key: k }) = frames.last_mut() {
                *k = Some((key, start));
            }
            continue;
        }
        // A value: which segment it is, and where it is reported.
        let (segment, offset) = match frames.last_mut() {
            Some(Frame::Dict { key }) => match key.take() {
                Some((k, offset)) => (Some(k), offset),
                None => (None, start),
            },
            Some(Frame::Array { next }) => {
                *next += 1;
                (Some((*next - 1).to_string()), start)
            }
            None => (None, start), // the root
        };
        if segment.is_some() {
            let pointer: String = path
                .iter()
                .chain(segment.iter())
                .map(|s| format!("/{}", crate::pointer::escape_segment(s)))
                .collect();
            found(pointer, offset);
        }
        match (name, empty) {
            ("dict" | "array", false) => {
                if !frames.is_empty() {
                    path.push(segment.unwrap_or_default());
                }
                frames.push(if name == "dict" {
                    Frame::Dict { key: None }
                } else {
                    Frame::Array { next: 0 }
                });
            }
            (_, false) => {
                // A scalar: skip its text up to the closing tag.
                let close = format!("</{name}>");
                at += text.get(at..)?.find(&close)? + close.len();
            }
            _ => {}
        }
    }
    Some(())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>a</key>\n\t<string>x</string>\n\t<key>URLFilterRules</key>\n\t<array>\n\t\t<dict>\n\t\t\t<key>action</key>\n\t\t\t<integer>1</integer>\n\t\t</dict>\n\t\t<dict>\n\t\t\t<key>expresion</key>\n\t\t\t<string>a&amp;b</string>\n\t\t\t<key>action</key>\n\t\t\t<string>allow</string>\n\t\t</dict>\n\t</array>\n\t<key>e</key>\n\t<array/>\n\t<key>R&amp;D</key>\n\t<true/>\n</dict>\n</plist>\n";

    fn at(pointer: &str) -> Option<(u32, u32)> {
        locate(XML, pointer).map(|p| (p.line, p.col))
    }

    #[test]
    fn finds_keys_at_every_depth_and_not_keys_elsewhere() {
        assert_eq!(at("/a"), Some((4, 2)));
        assert_eq!(at("/URLFilterRules"), Some((6, 2)));
        assert_eq!(at("/URLFilterRules/1"), Some((12, 3)));
        assert_eq!(at("/URLFilterRules/1/action"), Some((15, 4)));
        assert_eq!(at("/URLFilterRules/0/action"), Some((9, 4)));
        assert_eq!(at("/URLFilterRules/1/expresion"), Some((13, 4)));
        assert_eq!(at("/e"), Some((19, 2)));
        assert_eq!(at("/R&D"), Some((21, 2)));
        assert_eq!(at("/action"), None, "only the path given, not a nested key");
        assert_eq!(at("/URLFilterRules/2"), None);
    }

    #[test]
    fn truncated_text_has_no_positions() {
        assert_eq!(locate("<dict><key>a", "/a"), None);
        assert_eq!(locate("<dict><key>a</key><string>x", "/b"), None);
    }
}
