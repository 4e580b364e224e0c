//! The participant roster (`exam.participants: { roster: FILE }`): a CSV file with a header row `id,name`
//! and an optional `room` column, relative to the exam file, read through the bounded reader and the
//! `--sandbox` policy. A small strict parser (RFC 4180: comma-separated, `"` quoting with `""` inside,
//! CRLF or LF line ends, a UTF-8 byte-order mark tolerated) — the format is three columns, and every
//! problem is reported at its file:line:column. Which room a `room` value names is the proctoring
//! stage's question; this module only reads and checks identities.

mod csv;
mod names;

use crate::diagnostic::{Diagnostic, Pos};
use crate::exam::Participants;
use crate::sandbox::Sandbox;
use crate::source::Sources;
use crate::validate::ValidExam;
use std::collections::HashMap;
use std::path::Path;

pub use names::{is_valid_id, name_problem};

/// Most rows a roster may have (as `exam.participants` as a number).
pub const MAX_PARTICIPANTS: usize = 1_000_000;

/// One row of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// Unique (ignoring case): it names the participant's own `.seb` file.
    pub id: String,
    /// Shown in the meeting (`context.user.name`, `zoomUserName`).
    pub name: String,
    /// The `room` cell, if the row gives one, and where it is.
    pub room: Option<(String, Pos)>,
}

/// A roster read and checked.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The file as diagnostics name it.
    pub display: String,
    pub participants: Vec<Participant>,
}

/// Reads the exam's roster, if `exam.participants` names one. Errors (and the warnings about names)
/// are at the file's line and column; the text goes into `sources` for quoting.
pub fn read(
    exam: &ValidExam,
    sources: &mut Sources,
    sandbox: Option<&Sandbox>,
) -> (Option<Roster>, Vec<Diagnostic>) {
    let Some(Participants::Roster(r)) = &exam.exam.exam.participants else {
        return (None, Vec::new());
    };
    let src = &exam.source;
    let pointer = "/exam/participants/roster";
    let at = |d: Diagnostic| d.at(&src.display, src.map.value(pointer)).pointer(pointer);
    let dir = src.path.parent().unwrap_or(Path::new(""));
    let path = dir.join(&r.roster);
    let display = crate::source::tidy_path(
        &Path::new(&src.display)
            .parent()
            .unwrap_or(Path::new(""))
            .join(&r.roster),
    )
    .to_string_lossy()
    .into_owned();
    if let Some(s) = sandbox.filter(|s| !s.admits(&path)) {
        let msg = format!(
            "roster `{}` resolves to {}, outside the sandbox {}",
            r.roster,
            s.resolved(&path).display(),
            s.root().display()
        );
        let d = Diagnostic::error("sandbox-escape", msg)
            .hint("with --sandbox DIR, the roster must be inside DIR: copy it into the folder");
        return (None, vec![at(d)]);
    }
    let bytes = match crate::load::read_file(&path, &display) {
        Ok(b) => b,
        Err(d) => {
            let msg = d.message.clone();
            let d = Diagnostic::error(d.code, msg)
                .hint("write the roster's path relative to the exam file");
            return (None, vec![at(d)]);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|b| **b == b'\n').count() as u32;
            let d = Diagnostic::error("roster-encoding", format!("{display} is not UTF-8"))
                .at(&display, Pos { line, col: 1 })
                .hint("save the roster as CSV UTF-8");
            return (None, vec![d]);
        }
    };
    sources.insert(&display, text.as_str().into());
    let (roster, diags) = parse(&display, &text);
    (roster, diags)
}

/// Parses and checks roster text; the roster is None when there are errors.
pub fn parse(display: &str, text: &str) -> (Option<Roster>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let rows = match csv::records(text, MAX_PARTICIPANTS + 1) {
        Ok(rows) => rows,
        Err(e) => {
            let d = Diagnostic::error("roster-syntax", e.message)
                .at(display, e.pos)
                .hint(e.hint);
            return (None, vec![d]);
        }
    };
    let Some((header, rows)) = rows.split_first() else {
        let d = Diagnostic::error("roster-empty", format!("{display} is empty"))
            .at(display, Pos { line: 1, col: 1 })
            .hint("write a header row `id,name` and one row per participant");
        return (None, vec![d]);
    };
    let columns = match columns(header) {
        Ok(c) => c,
        Err(d) => return (None, vec![d.at(display, header.pos)]),
    };
    let mut seen: HashMap<String, Pos> = HashMap::new();
    let mut participants = Vec::with_capacity(rows.len());
    for row in rows {
        if row.fields.len() != columns.count {
            diags.push(
                Diagnostic::error(
                    "roster-row",
                    format!(
                        "this row has {} field(s); the header has {}",
                        row.fields.len(),
                        columns.count
                    ),
                )
                .at(display, row.pos)
                .hint("quote a value that holds a comma: \"Doe, Jane\""),
            );
            continue;
        }
        let (id, id_pos) = &row.fields[columns.id];
        let (name, name_pos) = &row.fields[columns.name];
        if !is_valid_id(id) {
            diags.push(
                Diagnostic::error("roster-invalid-id", format!("participant id `{id}` is not valid"))
                    .at(display, *id_pos)
                    .hint("ids name each participant's file: 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit (e.g. s-1042)"),
            );
        } else if let Some(first) = seen.get(&id.to_ascii_lowercase()) {
            diags.push(
                Diagnostic::error(
                    "roster-duplicate-id",
                    format!(
                        "participant id `{id}` is listed twice (ids ignore case: they name files)"
                    ),
                )
                .at(display, *id_pos)
                .related(display, *first, "first listed here")
                .hint("give each participant their own id"),
            );
        } else {
            seen.insert(id.to_ascii_lowercase(), *id_pos);
        }
        diags.extend(names::check_name(name).map(|d| d.at(display, *name_pos)));
        let room = columns
            .room
            .map(|i| row.fields[i].clone())
            .filter(|(r, _)| !r.is_empty());
        participants.push(Participant {
            id: id.clone(),
            name: name.clone(),
            room,
        });
    }
    if rows.is_empty() {
        diags.push(
            Diagnostic::error("roster-empty", format!("{display} lists no participant"))
                .at(display, header.pos)
                .hint("add one row per participant under the header"),
        );
    }
    if rows.len() > MAX_PARTICIPANTS {
        diags.push(
            Diagnostic::error(
                "roster-too-long",
                format!("{display} lists more than {MAX_PARTICIPANTS} participants"),
            )
            .at(display, header.pos)
            .hint("split the exam into several exam files, one roster each"),
        );
    }
    let roster = (!diags.iter().any(Diagnostic::is_error)).then(|| Roster {
        display: display.to_string(),
        participants,
    });
    (roster, diags)
}

/// Where the columns are.
struct Columns {
    count: usize,
    id: usize,
    name: usize,
    room: Option<usize>,
}

fn columns(header: &csv::Record) -> Result<Columns, Diagnostic> {
    let hint = "the first row names the columns: id,name and optionally room";
    let mut found: [Option<usize>; 3] = [None; 3];
    for (i, (cell, _)) in header.fields.iter().enumerate() {
        let slot = match cell.trim().to_ascii_lowercase().as_str() {
            "id" => 0,
            "name" => 1,
            "room" => 2,
            _ => {
                return Err(Diagnostic::error(
                    "roster-header",
                    format!("unknown roster column `{cell}`"),
                )
                .hint(hint));
            }
        };
        if found[slot].replace(i).is_some() {
            return Err(Diagnostic::error(
                "roster-header",
                format!("column `{cell}` appears twice"),
            )
            .hint(hint));
        }
    }
    let (Some(id), Some(name)) = (found[0], found[1]) else {
        return Err(Diagnostic::error(
            "roster-header",
            "the header row must name the columns `id` and `name`",
        )
        .hint(hint));
    };
    Ok(Columns {
        count: header.fields.len(),
        id,
        name,
        room: found[2],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(&'static str, u32, u32)> {
        parse("r.csv", text)
            .1
            .iter()
            .map(|d| (d.code, d.line, d.col))
            .collect()
    }

    #[test]
    fn reads_rows_in_order_with_rooms() {
        let (r, diags) = parse(
            "r.csv",
            "\u{feff}id,name,room\r\ns-1,Ana Muster,\r\ns-2,\"Doe, Jane\",2\r\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let r = r.unwrap();
        assert_eq!(r.participants.len(), 2);
        assert_eq!(r.participants[0].room, None);
        assert_eq!(r.participants[1].name, "Doe, Jane");
        assert_eq!(
            r.participants[1].room,
            Some(("2".to_string(), Pos { line: 3, col: 17 }))
        );
    }

    #[test]
    fn bad_rows_are_errors_at_their_cell() {
        assert_eq!(codes("id,name\ns 1,Ana\n"), [("roster-invalid-id", 2, 1)]);
        assert_eq!(
            codes("id,name\na,Ana\nA,Bo\n"),
            [("roster-duplicate-id", 3, 1)]
        );
        assert_eq!(codes("id,name\na,Ana,x\n"), [("roster-row", 2, 1)]);
        assert_eq!(codes("id,nom\n"), [("roster-header", 1, 1)]);
        assert_eq!(codes("id,name\n"), [("roster-empty", 1, 1)]);
        assert_eq!(codes(""), [("roster-empty", 1, 1)]);
        assert_eq!(codes("id,name\na,\"Ana\n"), [("roster-syntax", 2, 3)]);
        assert_eq!(
            codes("id,name\na,A\u{7}na\n"),
            [("roster-invalid-name", 2, 3)]
        );
    }
}
