//! "Did you mean": the known word nearest to a misspelled one — case-insensitive Levenshtein distance
//! at most a third of the word's length (and at least 2), the shortest on a tie, then the first.
//! [`did_you_mean`] scans a short list; [`Speller`] indexes a long one (the 470 SEB settings) by pairs
//! of characters, so a file with 100,000 unknown keys costs 100,000 index lookups rather than 47
//! million distances.

use std::collections::HashMap;

/// Closest candidate by edit distance (case-insensitive), for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let query = lower(word);
    let limit = limit(word);
    let mut buf = Vec::new();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        buf.clear();
        buf.extend(c.chars().flat_map(char::to_lowercase));
        if let Some(d) = distance_within(&query, &buf, limit) {
            best = pick(best, d, c);
        }
    }
    best.map(|(_, c)| c)
}

/// A fixed list of words, indexed for [`Speller::nearest`].
#[derive(Debug)]
pub struct Speller<'a> {
    words: Vec<&'a str>,
    lower: Vec<Vec<char>>,
    /// Each pair of adjacent characters → the words holding it (each word once).
    pairs: HashMap<(char, char), Vec<u32>>,
}

impl<'a> Speller<'a> {
    pub fn new(words: impl IntoIterator<Item = &'a str>) -> Speller<'a> {
        let words: Vec<&str> = words.into_iter().collect();
        let lower: Vec<Vec<char>> = words.iter().map(|w| lower(w)).collect();
        let mut pairs: HashMap<(char, char), Vec<u32>> = HashMap::new();
        for (i, w) in lower.iter().enumerate() {
            for p in w.windows(2) {
                let list = pairs.entry((p[0], p[1])).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        Speller {
            words,
            lower,
            pairs,
        }
    }

    /// The same answer as [`did_you_mean`] over the list. A word within distance `k` of the query
    /// shares at least `max(n, m) - 1 - 2k` of its character pairs (an edit breaks at most two), so
    /// only words the index finds often enough, or too short for the bound to say anything, are
    /// measured.
    pub fn nearest(&self, word: &str) -> Option<&'a str> {
        let query = lower(word);
        let limit = limit(word);
        let n = query.len();
        let mut hits = vec![0usize; self.words.len()];
        let mut touched = Vec::new();
        for p in query.windows(2) {
            for &i in self.pairs.get(&(p[0], p[1])).map_or(&[][..], Vec::as_slice) {
                let i = i as usize;
                if hits[i] == 0 {
                    touched.push(i);
                }
                hits[i] += 1;
            }
        }
        let enough = |i: usize, hits: usize| {
            let m = self.lower[i].len();
            n.abs_diff(m) <= limit && hits + 1 + 2 * limit >= n.max(m)
        };
        let mut measured: Vec<usize> = touched
            .into_iter()
            .filter(|&i| enough(i, hits[i]))
            .collect();
        if n <= 2 * limit + 1 {
            // Short words: the bound excludes nothing, so every word short enough is measured too.
            measured.extend((0..self.lower.len()).filter(|&i| enough(i, 0)));
        }
        measured.sort_unstable();
        measured.dedup();
        let mut best = None;
        for i in measured {
            if let Some(d) = distance_within(&query, &self.lower[i], limit) {
                best = pick(best, d, self.words[i]);
            }
        }
        best.map(|(_, w)| w)
    }
}

fn lower(word: &str) -> Vec<char> {
    word.chars().flat_map(char::to_lowercase).collect()
}

/// Largest distance a suggestion may have.
fn limit(word: &str) -> usize {
    (word.chars().count() / 3).max(2)
}

/// Keeps the nearer candidate, the shorter on a tie, the earlier on a full tie.
fn pick<'a>(best: Option<(usize, &'a str)>, d: usize, c: &'a str) -> Option<(usize, &'a str)> {
    match best {
        Some((bd, bc)) if (bd, bc.len()) <= (d, c.len()) => Some((bd, bc)),
        _ => Some((d, c)),
    }
}

/// The Levenshtein distance of `a` and `b` when it is at most `k`; stops as soon as it cannot be.
fn distance_within(a: &[char], b: &[char], k: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().filter(|&d| d <= k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn did_you_mean_finds_case_and_typo() {
        let keys = ["allowQuit", "allowWlan", "startURL"];
        assert_eq!(did_you_mean("allowquit", keys), Some("allowQuit"));
        assert_eq!(did_you_mean("alowQuit", keys), Some("allowQuit"));
        assert_eq!(did_you_mean("startUrl", keys), Some("startURL"));
        assert_eq!(did_you_mean("somethingElse", keys), None);
        let speller = Speller::new(keys);
        assert_eq!(speller.nearest("alowQuit"), Some("allowQuit"));
        assert_eq!(speller.nearest("somethingElse"), None);
    }

    #[test]
    fn distances_agree_with_strsim() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("", "abc"),
            ("flaw", "lawn"),
            ("abc", "abc"),
        ] {
            let d = strsim::levenshtein(a, b);
            let (a, b) = (lower(a), lower(b));
            assert_eq!(distance_within(&a, &b, 10), Some(d));
            if d > 0 {
                assert_eq!(distance_within(&a, &b, d - 1), None);
            }
        }
    }

    proptest! {
        /// The index never changes the answer, whatever the word.
        #[test]
        fn speller_agrees_with_the_scan(word in "[a-zA-Z0-9]{0,24}", pick in 0usize..470, edits in proptest::collection::vec((0usize..30, "[a-z]"), 0..4)) {
            let catalog = crate::catalog::Catalog::get();
            let keys: Vec<&str> = catalog.keys().collect();
            // Half the time, a misspelling of a real key.
            let mut w: Vec<char> = if pick % 2 == 0 { keys[pick % keys.len()].chars().collect() } else { word.chars().collect() };
            for (at, c) in edits {
                let at = at.min(w.len());
                if at % 2 == 0 && at < w.len() { w.remove(at); } else { w.insert(at, c.chars().next().unwrap_or('x')); }
            }
            let w: String = w.into_iter().collect();
            let speller = Speller::new(keys.iter().copied());
            prop_assert_eq!(speller.nearest(&w), did_you_mean(&w, keys.iter().copied()));
        }
    }
}
