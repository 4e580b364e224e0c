//! The Config Key straight from XML bytes: the plist is scanned and its SEB-JSON (§4.1) goes into
//! SHA-256 as it is read, without building values, from a slice or from a file read through a
//! window, so memory does not grow with the file.
//!
//! SEB-JSON wants every dictionary's keys in SEB's order ([`crate::plist::key_order`]), which a
//! plist need not follow. A dictionary is streamed optimistically: the hasher's state is saved
//! where it starts, and as long as its keys come in order they are hashed as they are read. At the
//! first key out of order (or a repeated key) the state is restored and the dictionary is read
//! through its *key index*: its keys are read and its values *skimmed* (tags counted, nothing
//! checked), the index (each key, where its value starts and ends) is sorted, and the values are
//! read, checked and hashed in that order. A value read through an index must end where the skim
//! said it ends, so the skim's shortcuts never decide what is accepted. SEB for macOS writes every
//! key that starts in uppercase first: a root dictionary whose first key does is indexed at once,
//! rather than after hashing (in vain) everything up to its first lowercase key; and its largest
//! value (the URL filter table) comes early in the file and late in SEB's order, so the root's
//! entries after a large value are found back from the file's end rather than by skimming it
//! ([`tail`]): its bytes are read once to find where it ends and once to hash it no more.
//!
//! What bounds memory: the window onto the file ([`WINDOW_BYTES`] read at a time, a few KiB kept
//! behind, and all the longest leaf the [`Limits`] allow may take while one is read), the file's
//! last [`window::TAIL_WINDOWS`] windows while the root's last entries are looked for, the hash's
//! buffer and one hasher state per open dictionary, and per open dictionary (at most
//! `max_depth`) its key index — about 40 bytes plus the key per key of that dictionary, never its
//! values — and the previous key of those streamed in order. Every byte is checked when the window
//! first reads it (UTF-8, only characters XML 1.0 allows, as the tree reader checks), so a file in
//! order is read once; going back for a dictionary out of order reads its bytes again.
//!
//! The scanner accepts the plain XML that plist writers produce. Whatever it does not handle itself —
//! CDATA, markup or carriage returns inside a value, attributes, processing instructions between
//! elements, entities other than XML's five and character references, a file over the [`Limits`],
//! a tag longer than [`TAG_MAX_BYTES`], and any error — makes it return `None`, and
//! [`super::config_key_of_xml`] answers with the tree reader instead, so keys and error messages are
//! exactly the tree reader's. Work is bounded too: past a budget proportional to the elements read
//! the scanner gives up (a hostile nesting of out-of-order dictionaries), and the tree reader answers.

mod bytes;
mod json;
mod out;
mod tail;
mod window;

use crate::plist::Limits;
use bytes::{Kind, end_tag, is_space, next_tag, skim, tag, text_end};
use json::{put_key, put_text, scalar, seb_order};
use out::{Hash, Null, Out};
use std::cmp::Ordering;
use std::io::{Read, Seek};
pub use window::WINDOW_BYTES;
use window::Window;

/// Longest tag, `<!DOCTYPE …>` or `<plist …>` the scanner reads (longer ones go to the tree reader).
const TAG_MAX_BYTES: usize = 1024;

/// What the window is asked to hold from a leaf's start at first; a leaf longer than this near
/// the window's end is read again with all a leaf may take (the longest string and its tags).
const SHORT_LEAF_BYTES: usize = 4096;

/// The fast path's Config Key of the XML plist `xml`, or `None` when the tree reader must answer
/// (anything the scanner does not handle, any error, any limit).
pub fn config_key(xml: &[u8], limits: &Limits) -> Option<String> {
    run(Window::of_bytes(xml, limits), limits)
}

/// Something to read a file from: its bytes at any position.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// [`config_key`] of the `len` bytes `reader` holds, read through a window of `window_bytes` (at
/// least [`WINDOW_BYTES`] is right; tests use less); `None` also when reading fails.
pub fn config_key_of_reader(
    reader: &mut dyn ReadSeek,
    len: u64,
    limits: &Limits,
    window_bytes: usize,
) -> Option<String> {
    let len = usize::try_from(len).ok()?;
    run(Window::of_reader(reader, len, limits, window_bytes), limits)
}

fn run<'a>(win: Window<'a>, limits: &'a Limits) -> Option<String> {
    let mut scan = Scanner {
        win,
        limits,
        leaf_bytes: limits.max_string_bytes.saturating_add(TAG_MAX_BYTES),
        short_leaf_bytes: limits
            .max_string_bytes
            .saturating_add(TAG_MAX_BYTES)
            .min(SHORT_LEAF_BYTES),
        ordered: Vec::new(),
        indexes: Vec::new(),
        data: (Vec::new(), String::new()),
        tail_tried: false,
    };
    if scan.win.reader.is_none() {
        scan.win.check_to(scan.win.len)?;
    }
    let mut sink = Hash::default();
    let mut pos = scan.prolog()?;
    pos = scan.skip_misc(pos)?;
    // The root value must be a dictionary.
    let w = scan.win.at(pos, TAG_MAX_BYTES)?;
    match tag(w)? {
        (Kind::Dict, true, end) => {
            sink.put(b"{}");
            pos += end;
        }
        (Kind::Dict, false, end) => {
            // SEB and sebc write keys in SEB's order: the root is streamed as it is read. SEB for
            // macOS writes every key that starts in uppercase first, which would cost a reading
            // of the whole file in vain: its key index is skimmed first.
            let first_key = scan.skip_misc(pos + end)?;
            let w = scan.win.at(first_key, 6)?;
            pos = if w.starts_with(b"<key>") && w.get(5).is_some_and(u8::is_ascii_uppercase) {
                scan.dict_indexed(pos + end, 1, &mut sink)?
            } else {
                scan.dict(pos + end, 1, &mut sink)?
            };
        }
        _ => return None,
    }
    pos = scan.skip_misc(pos)?;
    if !scan.starts_with(pos, b"</plist>") {
        return None;
    }
    pos += b"</plist>".len();
    loop {
        pos = scan.skip_space(pos)?;
        if pos == scan.win.len {
            break;
        }
        pos = scan.misc(pos)?;
    }
    // Every byte has been checked (the scan reads the file to its end).
    (scan.win.checked == scan.win.len).then(|| hex::encode(sink.finish()))
}

/// What comes next in a dictionary.
enum Entry_ {
    /// Its end tag; the position after it.
    End(usize),
    /// A key: where its value starts, and whether the value is a dictionary.
    Key { value: usize, dict: bool },
}

/// One key of a dictionary read through its index: the key (a range of the index's key bytes),
/// where its value starts, and where the skim says the value ends.
struct Entry {
    key: std::ops::Range<usize>,
    value: usize,
    end: usize,
    /// `end` is where the next entry starts (whitespace and comments may come before it): the
    /// value found too large to skim ([`Scanner::tail`]).
    loose: bool,
}

struct Scanner<'a> {
    win: Window<'a>,
    limits: &'a Limits,
    /// Bytes a leaf element may take: the longest string and its tags.
    leaf_bytes: usize,
    /// Bytes most leaves take: what the window is asked to hold first ([`SHORT_LEAF_BYTES`]).
    short_leaf_bytes: usize,
    /// Per depth, the previous and the current key of a dictionary streamed in order (reused).
    ordered: Vec<(Vec<u8>, Vec<u8>)>,
    /// Per depth, the key index and its key bytes of a dictionary read through its index (reused).
    indexes: Vec<(Vec<Entry>, Vec<u8>)>,
    /// `<data>`: the Base64 without whitespace, and its canonical form (reused).
    data: (Vec<u8>, String),
    /// Whether the root's entries were looked for from the file's end.
    tail_tried: bool,
}

impl<'a> Scanner<'a> {
    /// What to ask the window for at `pos` to read the element there: what it holds, if that
    /// is the whole element, else `guarantee` bytes (a short leaf's, or all a leaf may take).
    #[inline]
    fn leaf_need(&self, pos: usize, guarantee: usize) -> usize {
        if self.win.holds_leaf(pos, guarantee) {
            0
        } else {
            guarantee
        }
    }

    /// Whether an element at `pos` that could not be read with a short leaf's bytes in the
    /// window may be read with all a leaf may take (the window held fewer).
    #[cold]
    fn may_be_longer(&self, pos: usize) -> bool {
        self.short_leaf_bytes < self.leaf_bytes && !self.win.holds(pos, self.leaf_bytes)
    }

    fn starts_with(&mut self, pos: usize, what: &[u8]) -> bool {
        self.win
            .at(pos, what.len())
            .is_some_and(|w| w.starts_with(what))
    }

    fn skip_space(&mut self, mut pos: usize) -> Option<usize> {
        loop {
            let w = self.win.at(pos, 1)?;
            let n = w.iter().position(|&c| !is_space(c)).unwrap_or(w.len());
            pos += n;
            if n < w.len() || w.is_empty() {
                return Some(pos);
            }
        }
    }

    /// Whitespace and comments between elements.
    #[inline]
    fn skip_misc(&mut self, pos: usize) -> Option<usize> {
        match self.win.at(pos, 2).and_then(|w| next_tag(w, 0)) {
            Some(i) => Some(pos + i),
            None => self.skip_misc_slow(pos),
        }
    }

    #[cold]
    #[inline(never)]
    fn skip_misc_slow(&mut self, mut pos: usize) -> Option<usize> {
        loop {
            pos = self.skip_space(pos)?;
            if self.starts_with(pos, b"<!--") {
                pos = self.misc(pos)?;
            } else {
                return Some(pos);
            }
        }
    }

    /// Where `needle` (2 bytes) next starts at or after `pos`, across windows.
    fn find_pair(&mut self, mut pos: usize, needle: &[u8; 2]) -> Option<usize> {
        loop {
            let w = self.win.at(pos, 64)?;
            if w.len() < 2 {
                return None;
            }
            if let Some(i) = w.windows(2).position(|p| p == needle) {
                return Some(pos + i);
            }
            pos += w.len() - 1;
        }
    }

    /// A comment or processing instruction at `pos`; the position after it.
    fn misc(&mut self, pos: usize) -> Option<usize> {
        if self.starts_with(pos, b"<!--") {
            // `--` may appear only as the comment's end.
            let dashes = self.find_pair(pos + 4, b"--")?;
            self.starts_with(dashes, b"-->").then_some(dashes + 3)
        } else if self.starts_with(pos, b"<?") {
            // A target name must follow `<?` (`<?>` and `<? x?>` are no processing instruction):
            // anything else goes to the tree reader, which says what is wrong.
            let target = *self.win.at(pos + 2, 1)?.first()?;
            if !(target.is_ascii_alphabetic() || matches!(target, b'_' | b':') || target >= 0x80) {
                return None;
            }
            Some(self.find_pair(pos + 2, b"?>")? + 2)
        } else {
            None
        }
    }

    /// The XML declaration, comments, processing instructions and a DOCTYPE without internal subset,
    /// up to and including `<plist ...>`; returns the position after it.
    fn prolog(&mut self) -> Option<usize> {
        let mut pos = 0;
        loop {
            pos = self.skip_space(pos)?;
            let w = self.win.at(pos, TAG_MAX_BYTES)?;
            let w = &w[..w.len().min(TAG_MAX_BYTES)];
            let quotes_ok =
                |s: &[u8]| !s.contains(&b'\'') && s.iter().filter(|&&c| c == b'"').count() % 2 == 0;
            if w.starts_with(b"<!DOCTYPE ") {
                let end = w.iter().position(|&c| c == b'>')?;
                let decl = &w[..end];
                // Markup inside the DOCTYPE (`[`, `<!ENTITY` without brackets, comments) is the tree
                // reader's to judge.
                if decl.contains(&b'[') || decl[1..].contains(&b'<') || !quotes_ok(decl) {
                    return None;
                }
                pos += end + 1;
            } else if let Some(rest) = w.strip_prefix(b"<plist") {
                match rest.first()? {
                    b'>' => return Some(pos + b"<plist>".len()),
                    b' ' | b'\t' | b'\n' | b'\r' => {
                        let end = rest.iter().position(|&c| c == b'>')?;
                        let attrs = &rest[..end];
                        if attrs.contains(&b'<') || attrs.ends_with(b"/") || !quotes_ok(attrs) {
                            return None;
                        }
                        return Some(pos + b"<plist".len() + end + 1);
                    }
                    _ => return None,
                }
            } else {
                pos = self.misc(pos)?;
            }
        }
    }

    /// Skips the value at `pos` without checking it, counting tags only; returns where it ends.
    /// The value is read properly later, which must end at the same place.
    fn skip(&mut self, pos: usize) -> Option<usize> {
        self.skip_within(pos, usize::MAX)?.ok()
    }

    /// [`Self::skip`], stopping with `Err` once the value has run `limit` bytes past `start`.
    fn skip_within(&mut self, start: usize, limit: usize) -> Option<Result<usize, ()>> {
        let mut depth = 0usize;
        let mut pos = start;
        let stop = start.saturating_add(limit);
        let mut need = TAG_MAX_BYTES;
        loop {
            if pos > stop {
                return Some(Err(()));
            }
            let w = self.win.at(pos, need)?;
            let room = (stop - pos).saturating_add(TAG_MAX_BYTES);
            let cut = w.len() > room;
            let w = &w[..w.len().min(room)];
            let (done, next, tags) = skim(w, &mut depth)?;
            let Some(left) = self.win.budget.checked_sub(tags) else {
                self.win.budget = 0;
                return None;
            };
            self.win.budget = left;
            if done {
                return Some(Ok(pos + next));
            }
            if next == 0 {
                // No progress: a leaf runs past the limit or the window (then the window is asked
                // for all a leaf may take), the input ends, or a tag or comment is longer.
                if cut {
                    return Some(Err(()));
                }
                if need < self.leaf_bytes && !self.win.holds(pos, self.leaf_bytes) {
                    need = self.leaf_bytes;
                    continue;
                }
                return None;
            }
            need = TAG_MAX_BYTES;
            pos += next;
        }
    }

    /// `<key>…</key>` at `pos`: appends the key (decoded) to `key`; returns where its value starts.
    fn key(&mut self, pos: usize, key: &mut Vec<u8>) -> Option<usize> {
        match self.entry(pos, key)? {
            Entry_::Key { value, .. } => Some(value),
            Entry_::End(_) => None,
        }
    }

    /// At `pos` in a dictionary: its end tag, or a key (appended, decoded, to `key`), where its
    /// value starts and whether that value is a dictionary (`<d…`), all from one look at the window.
    #[inline]
    fn entry(&mut self, pos: usize, key: &mut Vec<u8>) -> Option<Entry_> {
        self.win.budget = self.win.budget.checked_sub(1)?;
        let decoded = key.len();
        match self.entry_within(pos, key, self.short_leaf_bytes) {
            None if self.may_be_longer(pos) => {
                key.truncate(decoded);
                self.entry_within(pos, key, self.leaf_bytes)
            }
            entry => entry,
        }
    }

    /// [`Self::entry`], with `guarantee` bytes from `pos` in the window (fewer at the end).
    #[inline(always)]
    fn entry_within(&mut self, pos: usize, key: &mut Vec<u8>, guarantee: usize) -> Option<Entry_> {
        let need = self.leaf_need(pos, guarantee);
        let w = self.win.at(pos, need)?;
        if w.starts_with(b"</dict>") {
            return Some(Entry_::End(pos + b"</dict>".len()));
        }
        let end = match tag(w)? {
            (Kind::Key, true, end) => end,
            (Kind::Key, false, start) => {
                let (len, amp) = text_end(&w[start..])?;
                let raw = &w[start..start + len];
                if amp {
                    put_text(raw, key)?;
                } else {
                    key.extend_from_slice(raw);
                }
                end_tag(w, start + len, Kind::Key)?
            }
            _ => return None,
        };
        let (value, dict) = match next_tag(w, end) {
            Some(value) => (pos + value, w.get(value + 1) == Some(&b'd')),
            None => {
                let value = self.skip_misc_slow(pos + end)?;
                (value, self.starts_with(value, b"<d"))
            }
        };
        Some(Entry_::Key { value, dict })
    }

    /// Whether the value at `pos` is an empty dictionary, which SEB-JSON leaves out.
    fn empty_dict(&mut self, pos: usize) -> bool {
        if !self.starts_with(pos, b"<dict") {
            return false;
        }
        if self.starts_with(pos, b"<dict/>") || self.starts_with(pos, b"<dict />") {
            return true;
        }
        self.starts_with(pos, b"<dict>")
            && self
                .skip_misc(pos + b"<dict>".len())
                .is_some_and(|p| self.starts_with(p, b"</dict>"))
    }

    /// Reads the value at `pos` into `out`; returns the position after it.
    fn value<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        self.win.budget = self.win.budget.checked_sub(1)?;
        let read = match self.leaf(pos, out, self.short_leaf_bytes) {
            None if self.may_be_longer(pos) => self.leaf(pos, out, self.leaf_bytes)?,
            read => read?,
        };
        match read {
            Ok(end) => Some(end),
            Err((_, _)) if depth >= self.limits.max_depth => None,
            Err((Kind::Dict, start)) => self.dict(start, depth + 1, out),
            Err((_, start)) => self.array(start, depth + 1, out),
        }
    }

    /// The leaf at `pos` read into `out` with `guarantee` bytes from `pos` in the window (fewer
    /// at the end): `Ok` with the position after it, or `Err` with a container's kind and where
    /// its content starts.
    #[inline(always)]
    fn leaf<O: Out>(
        &mut self,
        pos: usize,
        out: &mut O,
        guarantee: usize,
    ) -> Option<Result<usize, (Kind, usize)>> {
        let need = self.leaf_need(pos, guarantee);
        let w = self.win.at(pos, need)?;
        let (kind, empty, start) = tag(w)?;
        let end = match (kind, empty) {
            (Kind::String, false) => {
                let (len, amp) = text_end(&w[start..])?;
                let text = &w[start..start + len];
                if len > self.limits.max_string_bytes {
                    return None;
                }
                let end = end_tag(w, start + len, Kind::String)?;
                out.put(b"\"");
                if amp {
                    put_text(text, out)?;
                } else {
                    out.put(text);
                }
                out.put(b"\"");
                end
            }
            (Kind::True, true) => {
                out.put(b"true");
                start
            }
            (Kind::False, true) => {
                out.put(b"false");
                start
            }
            (Kind::String | Kind::Data, true) => {
                out.put(b"\"\"");
                start
            }
            (Kind::Dict, true) => {
                out.put(b"{}");
                start
            }
            (Kind::Array, true) => {
                out.put(b"[]");
                start
            }
            (Kind::Dict | Kind::Array, false) => return Some(Err((kind, pos + start))),
            (Kind::Key, _) | (Kind::Integer | Kind::Real | Kind::Date, true) => return None,
            (
                Kind::True | Kind::False | Kind::Integer | Kind::Real | Kind::Data | Kind::Date,
                false,
            ) => {
                let (len, amp) = text_end(&w[start..])?;
                // The tree reader resolves entities in these: leave them to it.
                if amp {
                    return None;
                }
                let end = end_tag(w, start + len, kind)?;
                scalar(kind.name(), &w[start..start + len], &mut self.data, out)?;
                end
            }
        };
        Some(Ok(pos + end))
    }

    /// The items of an array from `pos` (after `<array>`); returns the position after `</array>`.
    fn array<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        out.put(b"[");
        let mut pos = self.skip_misc(pos)?;
        let mut first = true;
        while !self.starts_with(pos, b"</array>") {
            if !first {
                out.put(b",");
            }
            first = false;
            pos = self.value(pos, depth, out)?;
            pos = self.skip_misc(pos)?;
        }
        out.put(b"]");
        Some(pos + b"</array>".len())
    }

    /// The content of a dictionary from `pos` (after `<dict>`): streamed while its keys come in
    /// order, else read again through its key index. Returns the position after `</dict>`.
    fn dict<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let (mut previous, mut key) = take(&mut self.ordered, depth);
        let end = if O::WRITES {
            let saved = out.save();
            match self.dict_in_order(pos, depth, out, &mut previous, &mut key) {
                Some(end) => {
                    out.keep(saved);
                    Some(end)
                }
                None if self.win.budget == 0 => None,
                None => {
                    out.restore(saved);
                    self.dict_indexed(pos, depth, out)
                }
            }
        } else {
            // Nothing is written: order does not matter, the dictionary is only checked.
            self.dict_checked(pos, depth, &mut key)
        };
        give_back(&mut self.ordered, depth, (previous, key));
        end
    }

    fn dict_checked(&mut self, pos: usize, depth: usize, key: &mut Vec<u8>) -> Option<usize> {
        let mut pos = self.skip_misc(pos)?;
        while !self.starts_with(pos, b"</dict>") {
            key.clear();
            let value = self.key(pos, key)?;
            pos = self.value(value, depth, &mut Null)?;
            pos = self.skip_misc(pos)?;
        }
        Some(pos + b"</dict>".len())
    }

    /// Streams the dictionary as long as its keys are strictly in SEB's order; `None` at the first
    /// key that is not (or any other reason to stop).
    fn dict_in_order<O: Out>(
        &mut self,
        pos: usize,
        depth: usize,
        out: &mut O,
        previous: &mut Vec<u8>,
        key: &mut Vec<u8>,
    ) -> Option<usize> {
        out.put(b"{");
        let mut pos = self.skip_misc(pos)?;
        let (mut first_key, mut first_written) = (true, true);
        loop {
            key.clear();
            let (value, dict) = match self.entry(pos, key)? {
                Entry_::End(end) => break Some(end),
                Entry_::Key { value, dict } => (value, dict),
            };
            if !first_key && seb_order(previous, key) != Ordering::Less {
                return None;
            }
            first_key = false;
            pos = if key == b"originatorVersion" || (dict && self.empty_dict(value)) {
                self.value(value, depth, &mut Null)?
            } else {
                if !first_written {
                    out.put(b",");
                }
                first_written = false;
                put_key(key, out);
                self.value(value, depth, out)?
            };
            std::mem::swap(previous, key);
            pos = self.skip_misc(pos)?;
        }
        .inspect(|_| out.put(b"}"))
    }

    /// Skims the dictionary's key index, sorts it, and reads (checks) every value in that order,
    /// writing those SEB-JSON keeps; a repeated key keeps its last value, as the tree reader does.
    /// In the root, a value too large to skim and then read ([`tail::LARGE_VALUE_BYTES`]) is not
    /// skimmed: the entries after it are found back from the file's end ([`Self::tail`]), and if
    /// the value, when read, does not end where they start, the root is indexed again by skimming.
    fn dict_indexed<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let (mut index, mut keys) = take(&mut self.indexes, depth);
        let end = if depth == 1 {
            let saved = out.save();
            self.tail_tried = false;
            match self.dict_indexed_with(pos, depth, out, &mut index, &mut keys, true) {
                None if self.tail_tried && self.win.budget > 0 => {
                    out.restore(saved);
                    self.dict_indexed_with(pos, depth, out, &mut index, &mut keys, false)
                }
                end => {
                    out.keep(saved);
                    end
                }
            }
        } else {
            self.dict_indexed_with(pos, depth, out, &mut index, &mut keys, false)
        };
        give_back(&mut self.indexes, depth, (index, keys));
        end
    }

    fn dict_indexed_with<O: Out>(
        &mut self,
        pos: usize,
        depth: usize,
        out: &mut O,
        index: &mut Vec<Entry>,
        keys: &mut Vec<u8>,
        from_the_end: bool,
    ) -> Option<usize> {
        index.clear();
        keys.clear();
        let mut pos = self.skip_misc(pos)?;
        let limit = if from_the_end {
            tail::LARGE_VALUE_BYTES
        } else {
            usize::MAX
        };
        while !self.starts_with(pos, b"</dict>") {
            let from = keys.len();
            let value = self.key(pos, keys)?;
            let end = match self.skip_within(value, limit)? {
                Ok(end) => end,
                Err(()) => {
                    self.tail_tried = true;
                    let (entries, with_key) = (index.len(), keys.len());
                    if let Some(dict_end) = self.tail(pos, from..with_key, value, index, keys) {
                        pos = dict_end;
                        break;
                    }
                    index.truncate(entries);
                    keys.truncate(with_key);
                    self.skip(value)?
                }
            };
            index.push(Entry {
                key: from..keys.len(),
                value,
                end,
                loose: false,
            });
            pos = self.skip_misc(end)?;
        }
        // Stable: a repeated key's values stay in document order, the last one counts.
        index.sort_by(|a, b| seb_order(&keys[a.key.clone()], &keys[b.key.clone()]));
        out.put(b"{");
        let mut first = true;
        for (i, entry) in index.iter().enumerate() {
            // A jump reads the value the skim found there (a window at most).
            self.win
                .at(entry.value, (entry.end - entry.value).min(self.win.size))?;
            let key = &keys[entry.key.clone()];
            let repeated = index
                .get(i + 1)
                .is_some_and(|next| keys[next.key.clone()] == *key);
            let end = if repeated || key == b"originatorVersion" || self.empty_dict(entry.value) {
                self.value(entry.value, depth, &mut Null)?
            } else {
                if !first {
                    out.put(b",");
                }
                first = false;
                put_key(key, out);
                self.value(entry.value, depth, out)?
            };
            let ends_right = if entry.loose {
                self.skip_misc(end)? == entry.end
            } else {
                end == entry.end
            };
            if !ends_right {
                return None;
            }
        }
        out.put(b"}");
        Some(pos + b"</dict>".len())
    }
}

/// The reusable buffers of `depth` (empty ones the first time).
fn take<T: Default>(pool: &mut [T], depth: usize) -> T {
    pool.get_mut(depth).map(std::mem::take).unwrap_or_default()
}

#[inline]
fn give_back<T: Default>(pool: &mut Vec<T>, depth: usize, buffers: T) {
    if pool.len() <= depth {
        pool.resize_with(depth + 1, T::default);
    }
    pool[depth] = buffers;
}
