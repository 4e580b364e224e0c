//! Zoom meetings without SEB Server: SEB Server created a Zoom user and meeting per room at run time
//! (seb-server `ZoomProctoringService.java:533-585`); sebc does it once, ahead of the exam (`sebc zoom
//! provision`, [`provision`] through Zoom's REST API, [`api`]), records the meetings ([`meetings`]) for
//! offline compiles (`compile --meetings FILE`), and deletes them afterwards (`sebc zoom release`). An
//! exam whose rooms have no meeting yet still compiles: the rooms are planned without tokens and
//! [`pending_warning`] says how to create them.

pub mod api;
pub mod meetings;
pub mod provision;

pub use meetings::{Meeting, ZoomMeetings};

use crate::diagnostic::{Diagnostic, Pos};
use crate::exam::ServiceSettings;
use crate::proctoring::rooms::Room;

/// A meetings file given to `compile`/`validate` (`--meetings FILE`), with the name it was given as.
#[derive(Debug, Clone, Copy)]
pub struct Meetings<'a> {
    pub file: &'a ZoomMeetings,
    pub display: &'a str,
}

/// The diagnostic code of Zoom rooms planned without a meeting.
pub const PENDING: &str = "zoom-meetings-pending";

/// Meetings recorded for another Zoom account or server cannot be joined with this exam's SDK key: an
/// error at the meetings file.
pub fn check_meetings(
    service: &ServiceSettings,
    exam_id: &str,
    m: &Meetings<'_>,
) -> Result<(), Diagnostic> {
    let wanted = [
        ("serverURL", service.server_url.as_deref().unwrap_or("")),
        (
            "accountId",
            service.account_id.as_deref().unwrap_or("").trim(),
        ),
    ];
    let had = [m.file.server_url.as_str(), m.file.account_id.as_str()];
    for ((field, exam_value), file_value) in wanted.into_iter().zip(had) {
        if exam_value != file_value {
            return Err(Diagnostic::error(
                "meetings-mismatch",
                format!(
                    "the meetings in {} were created with {field} `{file_value}`, but exam `{exam_id}` has `{exam_value}`",
                    m.display
                ),
            )
            .at(m.display, Pos { line: 1, col: 1 })
            .hint(format!(
                "release them (`sebc zoom release {}`) and provision the exam again, or give the meetings file of this service",
                m.display
            )));
        }
    }
    Ok(())
}

/// The warning for Zoom rooms that have no meeting yet (None when every room has one). `display` is
/// the exam file as the user named it; the hint is the commands that create the meetings.
pub fn pending_warning(
    rooms: &[Room],
    display: &str,
    exam_id: &str,
    meetings: Option<&Meetings<'_>>,
) -> Option<Diagnostic> {
    let pending: Vec<&str> = rooms
        .iter()
        .filter(|r| r.needs_meeting())
        .map(|r| r.subject.as_str())
        .collect();
    if pending.is_empty() {
        return None;
    }
    let message = format!(
        "{} Zoom room(s) have no meeting yet ({}): they are planned in {exam_id}.server.json without tokens",
        pending.len(),
        pending.join(", ")
    );
    let provision = format!(
        "`sebc zoom provision {display} -o DIR`, then compile with `--meetings DIR/{exam_id}.zoom.json`"
    );
    let hint = match meetings {
        None => format!("create the meetings once with {provision}"),
        Some(m) => format!(
            "{} has none for them (the plan has grown since): release it with `sebc zoom release {}`, and create them again with {provision}",
            m.display, m.display
        ),
    };
    Some(
        Diagnostic::warning(PENDING, message)
            .pointer("/service")
            .hint(hint),
    )
}
