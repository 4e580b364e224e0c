//! [`Quoter`]: what rendering diagnostics needs from a run, built once per report — the source lines
//! (found through an index per file, built on first use) and the literal secrets to redact (matched by
//! one automaton), with the masked parts of each quoted line remembered, so that a file with 100,000
//! diagnostics is indexed and each of its lines searched for secrets once.

use super::lines::{Line, LineIndex};
use super::quote::secret_assignments;
use super::redact::{Redactor, merge};
use crate::source::Sources;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

/// Byte ranges of a line never shown.
type Masks = Rc<[Range<usize>]>;

/// The texts and literal secrets of a run, ready for rendering.
pub struct Quoter<'s> {
    sources: &'s Sources,
    redactor: Redactor,
    indexes: RefCell<HashMap<String, Rc<LineIndex>>>,
    masks: RefCell<HashMap<(String, usize), Masks>>,
}

/// A line as [`Quoter::line`] finds it.
pub(super) struct QuotedLine<'s> {
    pub line: Line<'s>,
    index: Rc<LineIndex>,
}

impl QuotedLine<'_> {
    /// Byte offset of character `col` (0-based), or the line's length past its end.
    pub fn byte_of(&self, col: usize) -> usize {
        self.index.byte_of(&self.line, col)
    }
}

impl<'s> Quoter<'s> {
    pub fn new(sources: &'s Sources) -> Quoter<'s> {
        Quoter {
            sources,
            redactor: Redactor::new(sources.literals()),
            indexes: RefCell::default(),
            masks: RefCell::default(),
        }
    }

    /// `text` with every literal secret's value masked.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redactor.redact(text)
    }

    /// Line `n` (1-based) of `file`, when its text was read.
    pub(super) fn line(&self, file: &str, n: usize) -> Option<QuotedLine<'s>> {
        let text = self.sources.get(file)?;
        let index = {
            let mut indexes = self.indexes.borrow_mut();
            match indexes.get(file) {
                Some(index) => index.clone(),
                None => {
                    let index = Rc::new(LineIndex::new(text));
                    indexes.insert(file.to_string(), index.clone());
                    index
                }
            }
        };
        let line = index.line(text, n)?;
        Some(QuotedLine { line, index })
    }

    /// Whether line `n` of `file` exists and can be quoted.
    pub(super) fn has_line(&self, file: &str, n: u32) -> bool {
        !file.is_empty() && n > 0 && self.line(file, n as usize).is_some()
    }

    /// Byte ranges of line `n` of `file` that must never be shown, whatever the diagnostic: literal
    /// secrets' values and the places they are written, and values assigned to secret-looking keys.
    pub(super) fn masks(&self, file: &str, n: usize, line: &QuotedLine) -> Masks {
        let key = (file.to_string(), n);
        if let Some(found) = self.masks.borrow().get(&key) {
            return found.clone();
        }
        let text = line.line.text;
        let mut spans = self.redactor.spans(text);
        spans.extend(secret_assignments(text));
        for &col in self.redactor.places(file, n as u32) {
            let start = line.byte_of(col.max(1) as usize - 1);
            let width = super::quote::value_width(text, start);
            spans.push(start..start + width);
        }
        let spans: Masks = merge(spans).into();
        self.masks.borrow_mut().insert(key, spans.clone());
        spans
    }
}
