//! Finding a line of a source text, and a character column in it, without scanning the text: an index
//! of line starts and of every [`STRIDE`]th character, built once per file per rendering. Quoting a
//! line costs the same for the first diagnostic of a file as for the 100,000th, and a column a million
//! characters into a one-line file is found by walking at most [`STRIDE`] characters.

/// Characters between two checkpoints.
const STRIDE: usize = 256;

/// Line starts and character checkpoints of one text. Lines are those of [`str::lines`], without
/// trailing carriage returns.
#[derive(Debug, Default)]
pub(super) struct LineIndex {
    /// Byte offset where each line starts (a last entry may be the end of the text).
    starts: Vec<usize>,
    /// Characters before each line start.
    chars_before: Vec<usize>,
    /// Byte offset of character `k * STRIDE`.
    checkpoints: Vec<usize>,
}

/// One line of a text, with what is needed to find its columns quickly.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'t> {
    /// The line without its ending.
    pub text: &'t str,
    /// The whole text, its byte offset and its first character's index in it.
    whole: &'t str,
    start: usize,
    first_char: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut index = LineIndex {
            starts: vec![0],
            chars_before: vec![0],
            checkpoints: Vec::with_capacity(text.len() / STRIDE + 1),
        };
        for (n, (i, c)) in text.char_indices().enumerate() {
            if n % STRIDE == 0 {
                index.checkpoints.push(i);
            }
            if c == '\n' {
                index.starts.push(i + 1);
                index.chars_before.push(n + 1);
            }
        }
        index
    }

    /// Line `n` (1-based) of `text`, which must be the text the index was built from.
    pub fn line<'t>(&self, text: &'t str, n: usize) -> Option<Line<'t>> {
        let i = n.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        if start >= text.len() {
            return None;
        }
        let end = self
            .starts
            .get(i + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let line = text.get(start..end)?.trim_end_matches('\r');
        Some(Line {
            text: line,
            whole: text,
            start,
            first_char: self.chars_before.get(i).copied().unwrap_or(0),
        })
    }

    /// Byte offset in `line` of its character `col` (0-based), or the line's length past its end.
    pub fn byte_of(&self, line: &Line, col: usize) -> usize {
        let target = line.first_char + col;
        let k = target / STRIDE;
        let (mut byte, mut at) = match self.checkpoints.get(k) {
            Some(&b) if b >= line.start => (b, k * STRIDE),
            _ => (line.start, line.first_char),
        };
        let end = line.start + line.text.len();
        if byte >= end {
            return line.text.len();
        }
        for c in line.whole[byte..end].chars() {
            if at == target {
                break;
            }
            byte += c.len_utf8();
            at += 1;
        }
        byte - line.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_are_those_of_str_lines() {
        let text = "a\r\nbé\n\nlast";
        let index = LineIndex::new(text);
        let lines: Vec<&str> = (1..=5)
            .filter_map(|n| index.line(text, n).map(|l| l.text))
            .collect();
        assert_eq!(lines, ["a", "bé", "", "last"]);
        assert!(index.line(text, 0).is_none());
        assert!(LineIndex::new("").line("", 1).is_none());
        assert!(LineIndex::new("x\n").line("x\n", 2).is_none());
    }

    #[test]
    fn columns_far_into_a_long_line() {
        let text = format!("head\n{}x{}\n", "é".repeat(100_000), "a".repeat(10));
        let index = LineIndex::new(&text);
        let line = index.line(&text, 2).unwrap();
        let b = index.byte_of(&line, 100_000);
        assert_eq!(&line.text[b..b + 1], "x");
        assert_eq!(index.byte_of(&line, 0), 0);
        assert_eq!(index.byte_of(&line, 999_999), line.text.len());
    }

    proptest! {
        #[test]
        fn agrees_with_scanning(text in "(a|é|\r|\n|日){0,1200}", n in 1usize..8, col in 0usize..700) {
            let index = LineIndex::new(&text);
            let expected = text.lines().nth(n - 1).map(|l| l.trim_end_matches('\r'));
            let line = index.line(&text, n);
            prop_assert_eq!(line.map(|l| l.text), expected);
            if let Some(line) = line {
                let expected = line.text.char_indices().nth(col).map_or(line.text.len(), |(i, _)| i);
                prop_assert_eq!(index.byte_of(&line, col), expected);
            }
        }
    }
}
