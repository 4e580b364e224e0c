//! Where the SEB-JSON goes: SHA-256 behind a buffer, a key being decoded, or nowhere.

use sha2::{Digest, Sha256};

/// Where the SEB-JSON goes: a hasher, a buffer, or nowhere (a value read only to check it).
pub(super) trait Out {
    /// Whether dictionary order matters (it does not when nothing is written).
    const WRITES: bool;
    /// What [`Out::save`] keeps.
    type Saved;
    fn put(&mut self, bytes: &[u8]);
    fn save(&mut self) -> Self::Saved;
    /// Back to what was written when `saved` was made (saves made since are dropped too).
    fn restore(&mut self, saved: Self::Saved);
    /// What was written since `saved` stays (saves made since are dropped too).
    fn keep(&mut self, _saved: Self::Saved) {}
}

/// Writes nothing.
pub(super) struct Null;

impl Out for Null {
    const WRITES: bool = false;
    type Saved = ();
    fn put(&mut self, _: &[u8]) {}
    fn save(&mut self) {}
    fn restore(&mut self, _: ()) {}
}

/// A key being decoded.
impl Out for Vec<u8> {
    const WRITES: bool = true;
    type Saved = usize;
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn save(&mut self) -> usize {
        self.len()
    }
    fn restore(&mut self, len: usize) {
        self.truncate(len);
    }
}

/// SHA-256 behind a buffer, so that the many small pieces of SEB-JSON reach it in blocks.
///
/// Saving is cheap (a dictionary is saved each time it starts): a save is a place in the buffer,
/// and only when the buffer goes to the hasher while saves are open is the hasher's state at each
/// of them kept (about 100 bytes each). Memory: the buffer, and one state per open save (one per
/// open dictionary at most, so at most `max_depth`).
pub(super) struct Hash {
    pub(super) hasher: Sha256,
    pub(super) buf: [u8; HASH_BUFFER_BYTES],
    pub(super) len: usize,
    /// The open saves, oldest first: where each is in the buffer, or the hasher's state there
    /// once the buffer has been hashed past it.
    saves: Vec<Save>,
}

enum Save {
    InBuffer(usize),
    Hashed(Sha256),
}

pub(super) const HASH_BUFFER_BYTES: usize = 4096;

impl Default for Hash {
    fn default() -> Self {
        Hash {
            hasher: Sha256::new(),
            buf: [0; HASH_BUFFER_BYTES],
            len: 0,
            saves: Vec::new(),
        }
    }
}

impl Hash {
    pub(super) fn finish(mut self) -> Vec<u8> {
        self.flush();
        self.hasher.finalize().to_vec()
    }

    /// [`Out::put`] when the buffer is full.
    #[cold]
    #[inline(never)]
    fn put_full(&mut self, bytes: &[u8]) {
        self.flush();
        if bytes.len() >= HASH_BUFFER_BYTES {
            self.hasher.update(bytes);
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }

    /// Hashes the buffer, keeping the hasher's state at each save in it.
    pub(super) fn flush(&mut self) {
        let mut from = 0;
        for save in &mut self.saves {
            if let Save::InBuffer(at) = *save {
                self.hasher.update(&self.buf[from..at]);
                from = at;
                *save = Save::Hashed(self.hasher.clone());
            }
        }
        self.hasher.update(&self.buf[from..self.len]);
        self.len = 0;
    }
}

impl Out for Hash {
    const WRITES: bool = true;
    /// How many saves were open before this one.
    type Saved = usize;
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            copy_small(room, bytes);
            self.len += bytes.len();
        } else {
            self.put_full(bytes);
        }
    }
    #[inline]
    fn save(&mut self) -> usize {
        self.saves.push(Save::InBuffer(self.len));
        self.saves.len() - 1
    }
    fn restore(&mut self, saved: usize) {
        match self.saves.get_mut(saved) {
            Some(Save::InBuffer(at)) => self.len = *at,
            Some(Save::Hashed(state)) => {
                self.hasher = state.clone();
                self.len = 0;
            }
            None => {}
        }
        self.saves.truncate(saved);
    }
    #[inline]
    fn keep(&mut self, saved: usize) {
        self.saves.truncate(saved);
    }
}

/// `dst.copy_from_slice(src)`, without a call to `memcpy` for the few bytes most pieces of SEB-JSON
/// are: two overlapping words.
#[inline(always)]
pub(super) fn copy_small(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n > 16 || n != dst.len() {
        dst.copy_from_slice(src);
    } else if n >= 8 {
        let (head, tail) = (&src[..8], &src[n - 8..]);
        dst[..8].copy_from_slice(head);
        dst[n - 8..].copy_from_slice(tail);
    } else if n >= 4 {
        let (head, tail) = (&src[..4], &src[n - 4..]);
        dst[..4].copy_from_slice(head);
        dst[n - 4..].copy_from_slice(tail);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(usize),
        Save,
        Keep(usize),
        Restore(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0usize..3 * HASH_BUFFER_BYTES / 2).prop_map(Op::Put),
            2 => Just(Op::Save),
            1 => any::<usize>().prop_map(Op::Keep),
            1 => any::<usize>().prop_map(Op::Restore),
        ]
    }

    proptest! {
        /// Saves kept and restored in any order, with the buffer hashed before, at and after them
        /// (pieces up to one and a half buffers): the hash of what a plain buffer holds.
        #[test]
        fn saves_across_the_buffer_hash_what_a_plain_buffer_holds(ops in prop::collection::vec(op(), 0..40)) {
            let (mut hash, mut plain) = (Hash::default(), Vec::new());
            let mut open: Vec<(usize, usize)> = Vec::new();
            for (i, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Put(n) => {
                        let bytes: Vec<u8> = (0..n).map(|j| (i * 31 + j) as u8).collect();
                        hash.put(&bytes);
                        plain.put(&bytes);
                    }
                    Op::Save => open.push((hash.save(), plain.save())),
                    Op::Keep(k) if !open.is_empty() => {
                        let (h, p) = open[k % open.len()];
                        open.truncate(k % open.len());
                        hash.keep(h);
                        plain.keep(p);
                    }
                    Op::Restore(k) if !open.is_empty() => {
                        let (h, p) = open[k % open.len()];
                        open.truncate(k % open.len());
                        hash.restore(h);
                        plain.restore(p);
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(hash.finish(), Sha256::digest(&plain).to_vec());
        }
    }
}
