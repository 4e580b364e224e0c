//! The limits every exam-file parser enforces while it parses — number of values, nesting depth — so
//! hostile input costs work in proportion to the limits, not to the file; and [`ParseError`], what a
//! parser stops with (a syntax error, or a limit crossed at a value whose pointer it knows).

use super::{MAX_DEPTH, MAX_VALUES};
use crate::pointer::escape_segment;

/// The hint of a key written twice in one mapping, in any syntax.
pub const DUPLICATE_KEY_HINT: &str = "a key may appear only once in a mapping; remove one of them";

/// Most tokens (words, strings, punctuation, whitespace, comments, line ends) in a TOML exam file: far
/// more than 100,000 values written one a line with comments need.
pub const MAX_TOKENS: usize = 2_000_000;
use crate::diagnostic::{Diagnostic, Pos};

/// A limit on the shape of an exam file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// More than [`MAX_VALUES`] values.
    Values,
    /// A value nested deeper than [`MAX_DEPTH`] levels.
    Depth,
    /// More than [`MAX_TOKENS`] tokens in a TOML file.
    Tokens,
}

impl Limit {
    /// The diagnostic for this limit (code, message, hint), without a place.
    pub fn diagnostic(self) -> Diagnostic {
        match self {
            Limit::Values => Diagnostic::error(
                "too-many-values",
                format!("more than {MAX_VALUES} values in one file"),
            )
            .hint(
                "an exam file holds settings, a few thousand values at most; \
                 remove the generated or pasted data (or split it across `extends` templates)",
            ),
            Limit::Depth => Diagnostic::error(
                "too-deep",
                format!("nesting deeper than {MAX_DEPTH} levels"),
            )
            .hint("SEB settings nest a few levels at most; remove the extra levels of nesting"),
            Limit::Tokens => Diagnostic::error(
                "too-large",
                format!(
                    "more than {} tokens (words, strings, punctuation, comments, line ends) in one \
                     TOML file",
                    MAX_TOKENS
                ),
            )
            .hint(
                "an exam file is far smaller: remove what was generated or pasted into it, blank \
                 lines and comments included",
            ),
        }
    }
}

/// Counts values as a parser meets them, in document order, and checks their depth.
#[derive(Debug, Default)]
pub struct Budget {
    values: usize,
}

impl Budget {
    /// A value starts at `depth` (the document's root value is at depth 0).
    pub fn value(&mut self, depth: usize) -> Result<(), Limit> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(Limit::Values);
        }
        if depth > MAX_DEPTH {
            return Err(Limit::Depth);
        }
        Ok(())
    }

    /// The values met so far.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.values
    }
}

/// Why a parser stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// The text is not valid in its syntax: the message, and where.
    Syntax(String, Pos),
    /// A limit was crossed at the value at `pos`, whose JSON pointer segments are `path` (outermost
    /// first; parsers add them as the error leaves each container, so parsing pays nothing for them).
    Limit {
        limit: Limit,
        pos: Pos,
        path: Vec<String>,
    },
}

impl ParseError {
    /// A limit crossed at `pos`, segments to be added by the enclosing containers.
    pub fn limit(limit: Limit, pos: Pos) -> Self {
        ParseError::Limit {
            limit,
            pos,
            path: Vec::new(),
        }
    }

    /// The error as seen from the container holding it at `segment` (a key or an index).
    pub fn within(mut self, segment: impl FnOnce() -> String) -> Self {
        if let ParseError::Limit { path, .. } = &mut self {
            path.insert(0, segment());
        }
        self
    }

    /// The diagnostic, placed in `display`.
    pub fn into_diagnostic(self, display: &str) -> Diagnostic {
        match self {
            // The YAML and TOML parsers find duplicate keys themselves: the same code and hint as JSON's.
            ParseError::Syntax(msg, pos) if msg.contains("duplicate") && msg.contains("key") => {
                Diagnostic::error("duplicate-key", msg)
                    .at(display, pos)
                    .hint(DUPLICATE_KEY_HINT)
            }
            ParseError::Syntax(msg, pos) => Diagnostic::error("parse", msg).at(display, pos),
            ParseError::Limit { limit, pos, path } => {
                let pointer: String = path
                    .iter()
                    .map(|s| format!("/{}", escape_segment(s)))
                    .collect();
                limit.diagnostic().at(display, pos).pointer(pointer)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_counts_values_then_depth() {
        let mut b = Budget::default();
        assert_eq!(b.value(MAX_DEPTH), Ok(()));
        assert_eq!(b.value(MAX_DEPTH + 1), Err(Limit::Depth));
        for _ in 2..MAX_VALUES {
            assert_eq!(b.value(1), Ok(()));
        }
        assert_eq!(b.value(1), Err(Limit::Values));
    }

    #[test]
    fn limit_errors_carry_the_pointer() {
        let e = ParseError::limit(Limit::Values, Pos { line: 3, col: 4 })
            .within(|| "7".into())
            .within(|| "a/b".into());
        let d = e.into_diagnostic("f.json");
        assert_eq!(d.code, "too-many-values");
        assert_eq!(d.pointer, "/a~1b/7");
        assert_eq!((d.line, d.col), (3, 4));
        assert!(d.hint.is_some());
        let s = ParseError::Syntax("bad".into(), Pos::default()).within(|| "x".into());
        assert_eq!(s.into_diagnostic("f").pointer, "");
    }
}
