//! The root's entries after a value too large to skim and then read again, found back from the
//! file's end.
//!
//! SEB for macOS writes every key that starts in uppercase first, so the root's largest value
//! (`URLFilterRules`, say) comes early in the file and late in SEB's order: everything after it
//! must be hashed before it. Skimming it to find what follows costs a pass over most of the file.
//! Instead, the root's last entries are looked for from the file's end, each one's key and value
//! tags found backwards and then read forwards (the key read and checked, the value skimmed, and
//! whitespace or comments up to the next entry skipped): only entries that read forwards to
//! exactly where the next one starts are taken. Going back stops at a container whose start is
//! more than [`LARGE_VALUE_BYTES`] back: that is taken to be the large value, ending where the
//! entries found start. Nothing is trusted that is not read forwards later: the large value,
//! when read in SEB's order, must end there, or the root is indexed again by skimming
//! ([`super::Scanner::dict_indexed`]). Work and memory: a look back of at most
//! [`LARGE_VALUE_BYTES`] per value, entries found back only within the window the file's end
//! is in, and the root's key index.

use super::bytes::is_space;
use super::{Entry, Scanner};
use std::ops::Range;

/// A root value whose skim has run this far is not skimmed to its end.
pub(super) const LARGE_VALUE_BYTES: usize = 64 * 1024;

/// What precedes a position in the root, read backwards.
enum Back {
    /// An entry: where its `<key>` and its value start.
    Entry { key: usize, value: usize },
    /// A container that starts more than [`LARGE_VALUE_BYTES`] back.
    Large,
}

impl Scanner<'_> {
    /// The root's entries from the value at `value` (under the key at `key_at`, its bytes
    /// `key`), which was too large to skim, to the root's end: pushed onto `index` in the file's
    /// order, the first being that value. Returns where the root's `</dict>` starts; `None`
    /// when they cannot be found so (the caller skims the value instead).
    pub(super) fn tail(
        &mut self,
        key_at: usize,
        key: Range<usize>,
        value: usize,
        index: &mut Vec<Entry>,
        keys: &mut Vec<u8>,
    ) -> Option<usize> {
        self.win.reach_end()?;
        let dict_end = root_end(&self.win.buf, self.win.base)?;
        let large = index.len();
        index.push(Entry {
            key,
            value,
            end: dict_end,
            loose: true,
        });
        let mut next = dict_end;
        loop {
            let floor = value + LARGE_VALUE_BYTES;
            match back_entry(&self.win.buf, self.win.base, next, floor)? {
                Back::Large => {
                    index[large].end = next;
                    break;
                }
                Back::Entry { key: at, value } => {
                    let from = keys.len();
                    if self.key(at, keys)? != value {
                        return None;
                    }
                    let end = self.skip(value)?;
                    if self.skip_misc(end)? != next || at <= key_at {
                        return None;
                    }
                    index.push(Entry {
                        key: from..keys.len(),
                        value,
                        end,
                        loose: false,
                    });
                    next = at;
                }
            }
        }
        index[large + 1..].reverse();
        Some(dict_end)
    }
}

/// Where the root's `</dict>` starts in a file that ends `</dict>`, whitespace, `</plist>` and
/// whitespace (`w` holds the input from `base` to its end).
fn root_end(w: &[u8], base: usize) -> Option<usize> {
    let plist = back_space(w, w.len()).checked_sub(b"</plist>".len())?;
    let dict = back_space(w, plist).checked_sub(b"</dict>".len())?;
    (w[plist..].starts_with(b"</plist>") && w[dict..].starts_with(b"</dict>"))
        .then_some(base + dict)
}

/// The position before the whitespace that ends `w[..end]`.
fn back_space(w: &[u8], end: usize) -> usize {
    w[..end]
        .iter()
        .rposition(|&c| !is_space(c))
        .map_or(0, |i| i + 1)
}

/// The last `<` in `w[from..to]`.
fn back_lt(w: &[u8], from: usize, to: usize) -> Option<usize> {
    w.get(from..to)?
        .iter()
        .rposition(|&c| c == b'<')
        .map(|i| from + i)
}

/// The entry that ends (with whitespace after it) at `next` in `w` (which holds the input from
/// `base`), found backwards without looking before `floor`; `None` for anything but plain tags.
fn back_entry(w: &[u8], base: usize, next: usize, floor: usize) -> Option<Back> {
    let floor = floor.saturating_sub(base);
    let end = back_space(w, next.checked_sub(base)?);
    if end <= floor || w[end - 1] != b'>' {
        return None;
    }
    // The tag that ends there: from the last `<`, with no `>` before its end.
    let lt = back_lt(w, floor, end - 1)?;
    let tag = &w[lt..end];
    if tag[..tag.len() - 1].contains(&b'>') {
        return None;
    }
    let value = if let Some(name) = tag.strip_prefix(b"</") {
        let name = &name[..name.len() - 1];
        match name {
            b"array" | b"dict" => match container_start(w, floor, lt) {
                Some(start) => start?,
                None => return Some(Back::Large),
            },
            b"string" | b"integer" | b"real" | b"date" | b"data" | b"true" | b"false" => {
                // A leaf's text holds no `<`: its start tag is the `<` before.
                let start = back_lt(w, floor, lt)?;
                let open = &w[start + 1..lt];
                (open.starts_with(name) && open.get(name.len()) == Some(&b'>')).then_some(start)?
            }
            _ => return None,
        }
    } else if tag.ends_with(b"/>") && tag.get(1).is_some_and(u8::is_ascii_lowercase) {
        lt
    } else {
        return None;
    };
    // `<key>…</key>` and whitespace before the value.
    let key_end = back_space(w, value);
    let close = key_end.checked_sub(b"</key>".len())?;
    if close < floor || !w[close..].starts_with(b"</key>") {
        return None;
    }
    let key = back_lt(w, floor, close)?;
    w[key..].starts_with(b"<key>").then_some(Back::Entry {
        key: base + key,
        value: base + value,
    })
}

/// Where the container whose end tag starts at `end` starts, counting tags back: `None` when it
/// starts more than [`LARGE_VALUE_BYTES`] back (or before `floor`), `Some(None)` on a comment or
/// processing instruction.
fn container_start(w: &[u8], floor: usize, end: usize) -> Option<Option<usize>> {
    let floor = floor.max(end.saturating_sub(LARGE_VALUE_BYTES));
    let mut depth = 1usize;
    let mut at = end;
    loop {
        at = back_lt(w, floor, at)?;
        match w.get(at + 1) {
            Some(b'/') => depth += 1,
            Some(b'!' | b'?') | None => return Some(None),
            Some(_) => {
                let gt = w[at..].iter().position(|&c| c == b'>').map(|i| at + i);
                if gt.is_some_and(|gt| w[gt - 1] == b'/') {
                    continue;
                }
                depth -= 1;
                if depth == 0 {
                    return Some(Some(at));
                }
            }
        }
    }
}
