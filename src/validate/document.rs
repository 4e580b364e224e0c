//! One exam or template document as the semantic rules see it: its typed sections, each deserialized
//! once after the schema pass, and the [`Site`] that places a rule's diagnostic at a key or value of the
//! file. The rules read the typed sections; the source map only gives positions.

use crate::diagnostic::Diagnostic;
use crate::exam::{ExamInfo, ScreenProctoringSettings, ServiceSettings};
use crate::load::{LoadedExam, SourceMap};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The typed sections of one document. A section that does not deserialize has a schema error of its
/// own and is left out (`None`), so one mistake (a misspelled `serverType`, say) gives one diagnostic,
/// the schema's, rather than a cascade of rule errors; the other sections are still checked.
#[derive(Debug, Default)]
pub(super) struct TypedDocument<'a> {
    /// `exam` (SEB Server's exam: id, times, participants).
    pub exam: Option<ExamInfo>,
    /// `service`: SEB Server's `ProctoringServiceSettings`.
    pub service: Option<ServiceSettings>,
    /// Whether `service` writes `serverType`; the typed section holds SEB Server's default otherwise.
    pub server_type_written: bool,
    /// `screenProctoring`: SEB Server's `ScreenProctoringSettings`.
    pub screen_proctoring: Option<ScreenProctoringSettings>,
    /// `seb`: SEB settings by their SEB key.
    pub seb: Option<&'a Map<String, Value>>,
    /// `proctoring`: the SEB Proctoring tab's settings by their SEB key.
    pub proctoring: Option<&'a Map<String, Value>>,
}

impl<'a> TypedDocument<'a> {
    /// Deserializes the sections the rules read from a loaded document.
    pub fn of(document: &'a Value) -> Self {
        TypedDocument {
            exam: section(document, "exam"),
            service: section(document, "service"),
            server_type_written: document.pointer("/service/serverType").is_some(),
            screen_proctoring: section(document, "screenProctoring"),
            seb: document.get("seb").and_then(Value::as_object),
            proctoring: document.get("proctoring").and_then(Value::as_object),
        }
    }
}

/// The section `key` of a document as `T`, or `None` when it is missing or does not deserialize.
fn section<'a, T: Deserialize<'a>>(document: &'a Value, key: &str) -> Option<T> {
    T::deserialize(document.get(key)?).ok()
}

/// Where a rule's diagnostics point: the file as the user named it, and the positions of its keys and
/// values by JSON pointer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Site<'a> {
    pub file: &'a str,
    pub map: &'a SourceMap,
}

impl<'a> Site<'a> {
    pub fn of(src: &'a LoadedExam) -> Self {
        Site {
            file: &src.display,
            map: &src.map,
        }
    }

    /// Places a diagnostic at the key of the entry at `pointer`: where something missing from a section
    /// is reported (at the section's key), or a setting as a whole.
    pub fn at_key(&self, diagnostic: Diagnostic, pointer: &str) -> Diagnostic {
        diagnostic
            .at(self.file, self.map.key(pointer))
            .pointer(pointer)
    }

    /// Places a diagnostic at the value at `pointer`.
    pub fn at_value(&self, diagnostic: Diagnostic, pointer: &str) -> Diagnostic {
        diagnostic
            .at(self.file, self.map.value(pointer))
            .pointer(pointer)
    }
}
