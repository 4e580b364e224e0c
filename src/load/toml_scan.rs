//! A bounded first pass over TOML text, before the `toml` crate builds its tree: the `toml` crate has a
//! recursion limit but no limit on values, and lexes the whole file into vectors of tokens and events
//! first. This pass reads `toml_parser`'s lexer lazily (no token vector), follows TOML's structure —
//! headers, dotted keys, arrays of tables, inline arrays and tables — and counts every value the tree
//! will hold (tables made implicitly by headers and dotted keys included, tracked by key), in document
//! order, stopping at the first value past [`MAX_VALUES`](super::MAX_VALUES) or
//! [`MAX_DEPTH`](super::MAX_DEPTH) with its position and pointer.
//!
//! On text that is not TOML it stops following the structure and, so that the work stays bounded,
//! counts every token that can start a value; the `toml` crate reports the syntax error when that count
//! stays within the limit. Tokens themselves are bounded too ([`MAX_TOKENS`]): the `toml` crate keeps
//! about 50 bytes for each, and 16 MiB of line ends are 16 million tokens but no value.

use super::limits::{Budget, Limit, ParseError};
use super::node::LineIndex;
use std::collections::HashMap;
use toml_parser::Source;
use toml_parser::lexer::{Lexer, Token, TokenKind};

pub use super::limits::MAX_TOKENS;

/// Checks the limits on `text`; `Ok` when they hold or the text is not TOML (the `toml` crate says why).
pub fn scan(text: &str, index: &LineIndex) -> Result<(), ParseError> {
    let mut s = Scan::new(text);
    let at = |limit: Limit, offset: usize, path: Vec<String>| ParseError::Limit {
        limit,
        pos: index.pos(offset),
        path,
    };
    let done = s.document();
    if let Some(offset) = s.too_many_tokens {
        return Err(at(Limit::Tokens, offset, Vec::new()));
    }
    match done {
        Ok(()) => Ok(()),
        Err(Stop::Limit(limit, offset)) => {
            let path = s.path.iter().map(Seg::to_string).collect();
            Err(at(limit, offset, path))
        }
        Err(Stop::NotToml) => s
            .rest()
            .map_err(|(limit, offset)| at(limit, offset, Vec::new())),
    }
}

/// Why the structured pass stopped.
enum Stop {
    /// A limit was crossed by the value starting at this byte offset.
    Limit(Limit, usize),
    /// The text does not follow TOML's grammar here.
    NotToml,
}

type Step<T = ()> = Result<T, Stop>;

/// A pointer segment of the value being read.
enum Seg {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for Seg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A table or array of tables that keys can extend: made by a header, a dotted key or an inline table.
#[derive(Clone, Copy)]
enum Entry {
    Table(u32),
    /// An array of tables: its length and the id of its last table.
    Array(usize, u32),
}

/// Where keys go: a table's id and its depth.
#[derive(Clone, Copy)]
struct Table {
    id: u32,
    depth: usize,
}

struct Scan<'i> {
    source: Source<'i>,
    tokens: Lexer<'i>,
    peeked: Option<Token>,
    /// Tokens read so far, and where the one past [`MAX_TOKENS`] starts (the text then ends early).
    read: usize,
    too_many_tokens: Option<usize>,
    budget: Budget,
    /// Tables by parent id and key (the root is 0). Only tables are kept: a few words per table, and
    /// no more than the limit on values allows.
    tables: HashMap<(u32, String), Entry>,
    next_id: u32,
    /// The pointer of the value being read.
    path: Vec<Seg>,
}

impl<'i> Scan<'i> {
    fn new(text: &'i str) -> Self {
        let source = Source::new(text);
        Scan {
            source,
            tokens: source.lex(),
            peeked: None,
            read: 0,
            too_many_tokens: None,
            budget: Budget::default(),
            tables: HashMap::new(),
            next_id: 0,
            path: Vec::new(),
        }
    }
    fn peek(&mut self) -> Option<Token> {
        if self.peeked.is_none()
            && self.too_many_tokens.is_none()
            && let Some(token) = self.tokens.next()
        {
            self.read += 1;
            if self.read > MAX_TOKENS {
                self.too_many_tokens = Some(token.span().start());
            } else {
                self.peeked = Some(token);
            }
        }
        self.peeked
    }
    fn kind(&mut self) -> TokenKind {
        self.peek().map_or(TokenKind::Eof, |t| t.kind())
    }
    fn bump(&mut self) -> Option<Token> {
        self.peek();
        self.peeked.take()
    }
    /// Skips whitespace, and with `lines` also comments and line ends.
    fn skip(&mut self, lines: bool) {
        while match self.kind() {
            TokenKind::Whitespace => true,
            TokenKind::Comment | TokenKind::Newline => lines,
            _ => false,
        } {
            self.bump();
        }
    }
    fn expect(&mut self, kind: TokenKind) -> Step {
        match self.bump() {
            Some(t) if t.kind() == kind => Ok(()),
            _ => Err(Stop::NotToml),
        }
    }
    fn offset(&mut self) -> usize {
        self.peek().map_or(0, |t| t.span().start())
    }
    /// Counts a value starting at the next token, at `depth`.
    fn count(&mut self, depth: usize) -> Step {
        let offset = self.offset();
        self.budget
            .value(depth)
            .map_err(|limit| Stop::Limit(limit, offset))
    }
    fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn document(&mut self) -> Step {
        self.count(0)?;
        let root = Table { id: 0, depth: 0 };
        let mut table = root;
        loop {
            self.skip(true);
            match self.kind() {
                TokenKind::Eof => return Ok(()),
                TokenKind::LeftSquareBracket => {
                    self.path.clear();
                    table = self.header(root)?;
                }
                _ => {
                    let base = self.path.len();
                    self.key_value(table)?;
                    self.path.truncate(base);
                }
            }
            self.skip(false);
            match self.kind() {
                TokenKind::Comment | TokenKind::Newline | TokenKind::Eof => {}
                _ => return Err(Stop::NotToml),
            }
        }
    }

    /// `[a.b]` or `[[a.b]]`: the table it opens (its pointer left in `path`).
    fn header(&mut self, root: Table) -> Step<Table> {
        self.bump();
        let array = self.kind() == TokenKind::LeftSquareBracket;
        if array {
            self.bump();
        }
        self.skip(false);
        let keys = self.key()?;
        let Some((last, parents)) = keys.split_last() else {
            return Err(Stop::NotToml);
        };
        let mut table = root;
        for (key, offset) in parents {
            table = self.child(table, key, *offset)?;
        }
        let (key, offset) = last;
        table = if array {
            self.array_element(table, key, *offset)?
        } else {
            self.child(table, key, *offset)?
        };
        self.expect(TokenKind::RightSquareBracket)?;
        if array {
            self.expect(TokenKind::RightSquareBracket)?;
        }
        Ok(table)
    }

    /// The table `key` of `parent` (the last table of an array of tables), made if absent.
    fn child(&mut self, parent: Table, key: &str, offset: usize) -> Step<Table> {
        self.path.push(Seg::Key(key.to_string()));
        let depth = parent.depth + 1;
        match self.tables.get(&(parent.id, key.to_string())).copied() {
            Some(Entry::Table(id)) => Ok(Table { id, depth }),
            Some(Entry::Array(len, id)) => {
                self.path.push(Seg::Index(len.saturating_sub(1)));
                Ok(Table {
                    id,
                    depth: depth + 1,
                })
            }
            None => {
                self.budget
                    .value(depth)
                    .map_err(|limit| Stop::Limit(limit, offset))?;
                let id = self.new_id();
                self.tables
                    .insert((parent.id, key.to_string()), Entry::Table(id));
                Ok(Table { id, depth })
            }
        }
    }

    /// A new table at the end of the array of tables `key` of `parent`, the array made if absent.
    fn array_element(&mut self, parent: Table, key: &str, offset: usize) -> Step<Table> {
        self.path.push(Seg::Key(key.to_string()));
        let depth = parent.depth + 1;
        let len = match self.tables.get(&(parent.id, key.to_string())) {
            Some(Entry::Array(len, _)) => *len,
            Some(Entry::Table(_)) => return Err(Stop::NotToml),
            None => {
                self.budget
                    .value(depth)
                    .map_err(|limit| Stop::Limit(limit, offset))?;
                0
            }
        };
        self.path.push(Seg::Index(len));
        self.budget
            .value(depth + 1)
            .map_err(|limit| Stop::Limit(limit, offset))?;
        let id = self.new_id();
        self.tables
            .insert((parent.id, key.to_string()), Entry::Array(len + 1, id));
        Ok(Table {
            id,
            depth: depth + 1,
        })
    }

    /// A dotted key: each part and the offset of its token.
    fn key(&mut self) -> Step<Vec<(String, usize)>> {
        let mut keys = Vec::new();
        loop {
            let token = self.bump().ok_or(Stop::NotToml)?;
            if !matches!(
                token.kind(),
                TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString
            ) {
                return Err(Stop::NotToml);
            }
            let mut key = String::new();
            let mut bad = false;
            if let Some(raw) = self.source.get(token) {
                raw.decode_key(&mut key, &mut |_| bad = true);
            }
            if bad {
                return Err(Stop::NotToml);
            }
            keys.push((key, token.span().start()));
            self.skip(false);
            if self.kind() != TokenKind::Dot {
                return Ok(keys);
            }
            self.bump();
            self.skip(false);
        }
    }

    /// `a.b.c = value` into `table`.
    fn key_value(&mut self, table: Table) -> Step {
        let keys = self.key()?;
        let Some(((last, _), parents)) = keys.split_last() else {
            return Err(Stop::NotToml);
        };
        let mut table = table;
        for (key, offset) in parents {
            table = self.child(table, key, *offset)?;
        }
        self.expect(TokenKind::Equals)?;
        self.skip(false);
        self.path.push(Seg::Key(last.clone()));
        self.value(table.depth + 1)
    }

    /// A value at `depth`: a scalar, an inline array or an inline table.
    fn value(&mut self, depth: usize) -> Step {
        self.count(depth)?;
        match self.kind() {
            TokenKind::LeftSquareBracket => self.array(depth),
            TokenKind::LeftCurlyBracket => self.inline_table(depth),
            TokenKind::Atom
            | TokenKind::BasicString
            | TokenKind::LiteralString
            | TokenKind::MlBasicString
            | TokenKind::MlLiteralString => {
                self.bump();
                // The rest of a float (`1` `.` `5`) or of a date-time written with a space.
                while matches!(
                    self.kind(),
                    TokenKind::Atom | TokenKind::Dot | TokenKind::Whitespace
                ) {
                    self.bump();
                }
                Ok(())
            }
            _ => Err(Stop::NotToml),
        }
    }

    fn array(&mut self, depth: usize) -> Step {
        self.bump();
        for index in 0.. {
            self.skip(true);
            if self.kind() == TokenKind::RightSquareBracket {
                break;
            }
            self.path.push(Seg::Index(index));
            self.value(depth + 1)?;
            self.path.pop();
            self.skip(true);
            match self.kind() {
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::RightSquareBracket => break,
                _ => return Err(Stop::NotToml),
            }
        }
        self.bump();
        Ok(())
    }

    fn inline_table(&mut self, depth: usize) -> Step {
        self.bump();
        let table = Table {
            id: self.new_id(),
            depth,
        };
        loop {
            self.skip(true);
            if self.kind() == TokenKind::RightCurlyBracket {
                break;
            }
            let base = self.path.len();
            self.key_value(table)?;
            self.path.truncate(base);
            self.skip(true);
            match self.kind() {
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::RightCurlyBracket => break,
                _ => return Err(Stop::NotToml),
            }
        }
        self.bump();
        Ok(())
    }

    /// After text that is not TOML: counts, to the end, every token that can start a value (a string,
    /// a word, `[` or `{` after `=`, `,`, `[` or `{`), so that work stays bounded on any input.
    fn rest(&mut self) -> Result<(), (Limit, usize)> {
        let mut after_opener = true;
        while let Some(token) = self.bump() {
            let kind = token.kind();
            if matches!(
                kind,
                TokenKind::Whitespace | TokenKind::Comment | TokenKind::Newline
            ) {
                continue;
            }
            let starts_value = !matches!(
                kind,
                TokenKind::Equals
                    | TokenKind::Comma
                    | TokenKind::Dot
                    | TokenKind::RightSquareBracket
                    | TokenKind::RightCurlyBracket
                    | TokenKind::Eof
            );
            if after_opener && starts_value {
                self.budget
                    .value(0)
                    .map_err(|limit| (limit, token.span().start()))?;
            }
            after_opener = matches!(
                kind,
                TokenKind::Equals
                    | TokenKind::Comma
                    | TokenKind::LeftSquareBracket
                    | TokenKind::LeftCurlyBracket
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{MAX_DEPTH, MAX_VALUES};

    /// The values the scan counts in a TOML document, and the values the tree built by the `toml`
    /// crate holds (what `into_json` counts).
    fn counts(text: &str) -> (usize, usize) {
        let mut s = Scan::new(text);
        assert!(s.document().is_ok(), "{text}");
        let loaded = crate::load::parse_exam(
            text,
            crate::load::Syntax::Toml,
            std::path::Path::new("t.toml"),
            "t.toml",
        )
        .unwrap();
        let tree = count_json(&loaded.value);
        (s.budget.count(), tree)
    }

    fn count_json(v: &serde_json::Value) -> usize {
        1 + match v {
            serde_json::Value::Array(items) => items.iter().map(count_json).sum(),
            serde_json::Value::Object(m) => m.values().map(count_json).sum(),
            _ => 0,
        }
    }

    #[test]
    fn counts_what_the_tree_holds() {
        for doc in [
            "",
            "a = 1",
            "a = 1.5\nb = -0.5e3\nc = 1979-05-27 07:32:00Z\nd = 07:32:00\ne = 0x1F\n",
            "a = \"x\" # comment\nb = 'y'\nc = \"\"\"\nmulti\n\"\"\"\nd = \'\'\'m\'\'\'",
            "a = [1, [2, 3], {x = 1, y.z = 2, y.w = [3]}, ]\nb = [\n  1, # c\n  2,\n]",
            "a.b.c = 1\na.b.d = 2\na.e = 3\n\"a\".f = 4\n'a'.\"g h\" = 5",
            "[x]\n[x.y.z]\nk = 1\n[x.y]\nl = 2\n[q . r]\n",
            "[[t]]\na = 1\n[[t]]\nb = 2\n[t.sub]\nc = 3\n[[t.arr]]\n[[t.arr]]\nd.e = 1\n",
            "[a.b]\n[[a.c]]\n[[a.c]]\n[a.c.d]\n[[x.y.z]]",
            "t = { a = { b = { c = [ { d = 1 } ] } } }\n",
            "[exam]\nid = \"x\"\nstart = 2026-12-01T09:00:00Z\n[seb]\nURLFilterRules = [\n { active = true, expression = \"a\" },\n]",
        ] {
            let (scan, tree) = counts(doc);
            assert_eq!(scan, tree, "{doc}");
        }
    }

    #[test]
    fn counts_the_toml_fixtures_exactly() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for dir in [
            "fixtures/valid",
            "fixtures/invalid",
            "fixtures/warnings",
            "fixtures/templates",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                if path.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if toml::de::DeTable::parse(&text).is_ok() {
                        let (scan, tree) = counts(&text);
                        assert_eq!(scan, tree, "{}", path.display());
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 0);
    }

    #[test]
    fn stops_at_the_value_past_the_limit_with_its_pointer() {
        let index_of = |text: &str| scan(text, &LineIndex::new(text));
        let many = format!("[seb]\nlist = [{}]\n", vec!["0"; MAX_VALUES].join(", "));
        let Err(ParseError::Limit { limit, pos, path }) = index_of(&many) else {
            panic!()
        };
        assert_eq!(limit, Limit::Values);
        assert_eq!(path, ["seb", "list", &(MAX_VALUES - 3).to_string()]);
        assert_eq!(pos.line, 2);
        // Tables made by headers and dotted keys count: 50,000 keys of two parts are 100,000 values.
        let tables: String = (0..MAX_VALUES / 2)
            .map(|i| format!("t{i}.k = 1\n"))
            .collect();
        let Err(ParseError::Limit { limit, path, .. }) = index_of(&tables) else {
            panic!()
        };
        assert_eq!(limit, Limit::Values);
        assert_eq!(path, [format!("t{}", MAX_VALUES / 2 - 1), "k".to_string()]);
        let headers = "[[a]]\n".repeat(MAX_VALUES);
        assert!(matches!(
            index_of(&headers),
            Err(ParseError::Limit {
                limit: Limit::Values,
                ..
            })
        ));
        // Depth, in headers, dotted keys and brackets alike.
        let keys: Vec<String> = (0..=MAX_DEPTH).map(|i| format!("k{i}")).collect();
        for doc in [
            format!("[{}]\n", keys.join(".")),
            format!("{} = 1\n", keys.join(".")),
            format!("a = {}1{}\n", "[".repeat(500), "]".repeat(500)),
            format!("a = {}1{}\n", "{b = ".repeat(500), "}".repeat(500)),
        ] {
            let Err(ParseError::Limit { limit, path, .. }) = index_of(&doc) else {
                panic!("{doc}")
            };
            assert_eq!(limit, Limit::Depth, "{doc}");
            assert_eq!(path.len(), MAX_DEPTH + 1, "{doc}");
        }
    }

    #[test]
    fn tokens_are_bounded_too() {
        let blank = "\n".repeat(MAX_TOKENS + 1);
        let Err(ParseError::Limit { limit, pos, .. }) = scan(&blank, &LineIndex::new(&blank))
        else {
            panic!()
        };
        assert_eq!(limit, Limit::Tokens);
        assert_eq!(pos.line as usize, MAX_TOKENS + 1);
        let fine = "\n".repeat(MAX_TOKENS - 1);
        assert_eq!(scan(&fine, &LineIndex::new(&fine)), Ok(()));
    }

    #[test]
    fn text_that_is_not_toml_is_left_to_the_toml_crate_but_still_bounded() {
        let index_of = |text: &str| scan(text, &LineIndex::new(text));
        assert_eq!(index_of("a = \nb = [1,"), Ok(()));
        assert_eq!(index_of("= = ="), Ok(()));
        let broken = format!("a = = [{}]", vec!["0"; MAX_VALUES + 1].join(","));
        let Err(ParseError::Limit { limit, path, .. }) = index_of(&broken) else {
            panic!()
        };
        assert_eq!(limit, Limit::Values);
        assert!(path.is_empty());
    }
}
