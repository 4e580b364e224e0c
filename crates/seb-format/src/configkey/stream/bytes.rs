//! The bytes of the XML a plist is made of — whitespace, tags, text — found a word (8 bytes) at a
//! time, and the skim that finds where a value ends by counting its tags.

pub(super) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

pub(super) const LOW_BITS: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `x` equal to `c`, as their high bits; exact up to the first match (a borrow can
/// only mark bytes after a true match, which callers never look at).
#[inline]
pub(super) fn matches_of(x: u64, c: u8) -> u64 {
    let y = x ^ (LOW_BITS * u64::from(c));
    y.wrapping_sub(LOW_BITS) & !y & HIGH_BITS
}

/// The common case between elements: from `w[from..]`, a little whitespace and then a tag that is
/// not a comment; where that tag starts (`None` for anything else).
#[inline(always)]
pub(super) fn next_tag(w: &[u8], from: usize) -> Option<usize> {
    let i = from + space_end(w.get(from..)?);
    (w.get(i) == Some(&b'<') && w.get(i + 1).is_some_and(|&c| c != b'!')).then_some(i)
}

/// How many bytes at the start of `w` are at most a space: whitespace, once the first pass has
/// refused the other control characters. A word at a time.
#[inline(always)]
pub(super) fn space_end(w: &[u8]) -> usize {
    let mut i = 0;
    while let Some(word) = w.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        // High bit of each byte above 0x20 (no carry crosses bytes: 0x7F + 0x5F < 0x100).
        let above = (((x & !HIGH_BITS) + 0x5F5F_5F5F_5F5F_5F5F) | x) & HIGH_BITS;
        if above != 0 {
            return i + above.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + w[i..].iter().take_while(|&&c| c <= b' ').count()
}

/// Where the text at the start of `w` ends (the first `<`), and whether it holds a `&`; `None`
/// when there is no `<` or a carriage return comes first (line ends are the tree reader's).
#[inline]
pub(super) fn text_end(w: &[u8]) -> Option<(usize, bool)> {
    let mut amp = 0u64;
    let mut i = 0;
    while let Some(word) = w.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().ok()?);
        let lt = matches_of(x, b'<');
        let before = if lt == 0 {
            u64::MAX
        } else {
            (lt & lt.wrapping_neg()) - 1
        };
        if matches_of(x, b'\r') & before != 0 {
            return None;
        }
        amp |= matches_of(x, b'&') & before;
        if lt != 0 {
            return Some((i + lt.trailing_zeros() as usize / 8, amp != 0));
        }
        i += 8;
    }
    for (j, &c) in w.iter().enumerate().skip(i) {
        match c {
            b'<' => return Some((j, amp != 0)),
            b'\r' => return None,
            b'&' => amp = 1,
            _ => {}
        }
    }
    None
}

/// Skims the tags of a value in `w` from its start, `depth` elements being open: `(true, end, tags)`
/// where the value ends, or `(false, resume, tags)` where `w` ran out (at a `<` whose tag `w` does
/// not hold whole, or at its end); `None` on markup the scanner does not read.
pub(super) fn skim(w: &[u8], depth: &mut usize) -> Option<(bool, usize, usize)> {
    let mut tags = 0;
    let Some(mut i) = find_byte(w, 0, b'<') else {
        return Some((false, w.len(), 0));
    };
    loop {
        if let Some((change, len)) = known_tag(&w[i + 1..]) {
            // One of the tags plist writers write most: its `>` is known.
            tags += 1;
            let mut end = i + 1 + len;
            match change {
                Change::Open => *depth += 1,
                Change::Close => *depth = depth.checked_sub(1)?,
                Change::Empty => {}
                // A leaf's text holds no `<`: the next tag is its end tag, `</` and the name.
                Change::Leaf(close) => {
                    let lt = find_byte(w, end, b'<');
                    match lt.filter(|&lt| lt + close <= w.len() && w[lt + 1] == b'/') {
                        Some(lt) => {
                            tags += 1;
                            end = lt + close;
                        }
                        None if lt.is_none() || lt.is_some_and(|lt| lt + close > w.len()) => {
                            return Some((false, i, tags - 1));
                        }
                        // Not the end tag: left to the reading that follows, which refuses it.
                        None => return None,
                    }
                }
            }
            if *depth == 0 {
                return Some((true, end, tags));
            }
            match find_byte(w, end, b'<') {
                Some(next) => i = next,
                None => return Some((false, w.len(), tags)),
            }
            continue;
        }
        let (Some(&c), Some(mut gt)) = (w.get(i + 1), find_byte(w, i + 2, b'>')) else {
            return Some((false, i, tags));
        };
        tags += 1;
        match c {
            b'/' => {
                *depth = depth.checked_sub(1)?;
                if *depth == 0 {
                    return Some((true, gt + 1, tags));
                }
            }
            b'a'..=b'z' => {
                if w[gt - 1] != b'/' {
                    *depth += 1;
                } else if *depth == 0 {
                    return Some((true, gt + 1, tags));
                }
            }
            b'!' if *depth > 0 && w[i..].starts_with(b"<!--") => {
                let Some(dashes) = w[i + 4..].windows(2).position(|p| p == b"--") else {
                    return Some((false, i, tags));
                };
                gt = i + 4 + dashes + 2;
                if *w.get(gt)? != b'>' {
                    return None;
                }
            }
            _ => return None,
        }
        match find_byte(w, gt + 1, b'<') {
            Some(next) => i = next,
            None => return Some((false, w.len(), tags)),
        }
    }
}

/// What a tag does to the nesting.
pub(super) enum Change {
    Open,
    Close,
    Empty,
    /// The start tag of a leaf whose end tag has this length.
    Leaf(usize),
}

/// The tags plist writers write most, from the byte after their `<`: what each does to the
/// nesting, and its length from that byte to its `>` included.
#[inline]
pub(super) fn known_tag(r: &[u8]) -> Option<(Change, usize)> {
    let open = |name: &[u8]| {
        (r.get(..name.len()) == Some(name) && r.get(name.len()) == Some(&b'>'))
            .then_some(name.len() + 1)
    };
    match r.first()? {
        b'/' => {
            let r = &r[1..];
            let close = |name: &[u8]| {
                (r.get(..name.len()) == Some(name) && r.get(name.len()) == Some(&b'>'))
                    .then_some(name.len() + 2)
            };
            let len = match r.first()? {
                b'k' => close(b"key"),
                b's' => close(b"string"),
                b'i' => close(b"integer"),
                b'd' => close(b"dict"),
                _ => None,
            }?;
            Some((Change::Close, len))
        }
        b'k' => Some((Change::Leaf(b"</key>".len()), open(b"key")?)),
        b's' => Some((Change::Leaf(b"</string>".len()), open(b"string")?)),
        b'i' => Some((Change::Leaf(b"</integer>".len()), open(b"integer")?)),
        b'd' => Some((Change::Open, open(b"dict")?)),
        b't' if r.starts_with(b"true/>") => Some((Change::Empty, 6)),
        b'f' if r.starts_with(b"false/>") => Some((Change::Empty, 7)),
        _ => None,
    }
}

/// The elements of a property list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dict,
    Array,
    Key,
    String,
    True,
    False,
    Integer,
    Real,
    Data,
    Date,
}

impl Kind {
    pub(super) fn of(name: &[u8]) -> Option<Kind> {
        Some(match name {
            b"dict" => Kind::Dict,
            b"array" => Kind::Array,
            b"key" => Kind::Key,
            b"string" => Kind::String,
            b"true" => Kind::True,
            b"false" => Kind::False,
            b"integer" => Kind::Integer,
            b"real" => Kind::Real,
            b"data" => Kind::Data,
            b"date" => Kind::Date,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static [u8] {
        match self {
            Kind::Dict => b"dict",
            Kind::Array => b"array",
            Kind::Key => b"key",
            Kind::String => b"string",
            Kind::True => b"true",
            Kind::False => b"false",
            Kind::Integer => b"integer",
            Kind::Real => b"real",
            Kind::Data => b"data",
            Kind::Date => b"date",
        }
    }
}

/// The start tag at the start of `w` (`<name>`, `<name/>`, `<name />`; no attributes): the element,
/// whether it is empty, and where its content starts. The tags plist writers write most are
/// recognised whole.
#[inline(always)]
pub(super) fn tag(w: &[u8]) -> Option<(Kind, bool, usize)> {
    if w.first() != Some(&b'<') {
        return None;
    }
    let r = &w[1..];
    let fast = if r.starts_with(b"key>") {
        (Kind::Key, false, 5)
    } else if r.starts_with(b"string>") {
        (Kind::String, false, 8)
    } else if r.starts_with(b"true/>") {
        (Kind::True, true, 7)
    } else if r.starts_with(b"false/>") {
        (Kind::False, true, 8)
    } else if r.starts_with(b"integer>") {
        (Kind::Integer, false, 9)
    } else if r.starts_with(b"dict>") {
        (Kind::Dict, false, 6)
    } else {
        return tag_slow(w);
    };
    Some(fast)
}

pub(super) fn tag_slow(w: &[u8]) -> Option<(Kind, bool, usize)> {
    let mut i = 1;
    while w.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    }
    let kind = Kind::of(&w[1..i])?;
    while w.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    match w.get(i)? {
        b'>' => Some((kind, false, i + 1)),
        b'/' if w.get(i + 1) == Some(&b'>') => Some((kind, true, i + 2)),
        _ => None,
    }
}

/// The end tag of `kind` at `w[at..]`: the position after it.
#[inline(always)]
pub(super) fn end_tag(w: &[u8], at: usize, kind: Kind) -> Option<usize> {
    let r = w.get(at..)?;
    // Each tag is compared as a constant, in place rather than through `memcmp`.
    let close: usize = match kind {
        Kind::Key if r.starts_with(b"</key>") => 6,
        Kind::String if r.starts_with(b"</string>") => 9,
        Kind::Integer if r.starts_with(b"</integer>") => 10,
        Kind::True if r.starts_with(b"</true>") => 7,
        Kind::False if r.starts_with(b"</false>") => 8,
        Kind::Real if r.starts_with(b"</real>") => 7,
        Kind::Data if r.starts_with(b"</data>") => 7,
        Kind::Date if r.starts_with(b"</date>") => 7,
        _ => return None,
    };
    Some(at + close)
}

/// Position of the first `c` in `w` at or after `from`, a word at a time.
#[inline]
pub(super) fn find_byte(w: &[u8], from: usize, c: u8) -> Option<usize> {
    let mut i = from;
    while let Some(word) = w.get(i..i + 8) {
        let hits = matches_of(u64::from_le_bytes(word.try_into().ok()?), c);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    Some(i + w.get(i..)?.iter().position(|&b| b == c)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn text_ends_at_the_first_lt_and_sees_ampersands_before_it() {
        for (text, want) in [
            (&b"abc<"[..], Some((3, false))),
            (b"<", Some((0, false))),
            (b"0123456789abcdef&x<&", Some((18, true))),
            (b"0123456789abcdef<&", Some((16, false))),
            (b"01234567<9abc&ef", Some((8, false))),
            (b"0123\r567<", None),
            (b"01234567<\r", Some((8, false))),
            (b"no end at all, longer than a word", None),
        ] {
            assert_eq!(text_end(text), want, "{}", String::from_utf8_lossy(text));
        }
    }
}
