//! `<id>.zoom.json`: the Zoom meetings `sebc zoom provision` created for an exam, which `compile
//! --meetings FILE` reads so that compiles stay offline and reproducible, and `sebc zoom release FILE`
//! deletes. It holds what SEB Server kept per room (seb-server `ZoomRoomRequestResponse.java:53-75`,
//! `AdditionalZoomRoomData`: meeting id, user id, join URL; the room's `joinKey`, Zoom's
//! `encrypted_password`: `ZoomProctoringService.java:570-583`), and never an OAuth secret: the client
//! secret is recorded only as the reference the exam gave (`{ env: NAME }`, `{ file: PATH }`).

use crate::diagnostic::{Diagnostic, Pos};
use crate::exam::RoomType;
use crate::proctoring::rooms::Room;
use crate::secret::SecretRef;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The format's version, written as `sebcZoomMeetings`.
pub const FORMAT_VERSION: u32 = 1;

/// Largest meetings file read: a few hundred bytes per room.
pub const MAX_MEETINGS_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The meetings of one exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ZoomMeetings {
    /// [`FORMAT_VERSION`].
    pub sebc_zoom_meetings: u32,
    /// The exam's id: the file applies to this exam only.
    pub exam: String,
    /// The service's `serverURL` the meetings were created for.
    #[serde(rename = "serverURL")]
    pub server_url: String,
    /// Where the OAuth token and the REST API were requested (`serverURL` unless `--api-base`).
    pub api_base: String,
    /// The Zoom account (`accountId`), for `release`.
    pub account_id: String,
    /// The OAuth client (`clientId`), for `release`.
    pub client_id: String,
    /// Where `release` finds the client secret: the exam's reference, never the secret itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretRef>,
    /// When they were created (RFC 3339, UTC).
    pub created: String,
    pub meetings: Vec<Meeting>,
}

/// One room's meeting and the Zoom user that hosts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Meeting {
    /// The room of the plan: `proctoring` (with its `number`), `townhall` or `breakout`.
    #[serde(rename = "type")]
    pub room_type: RoomType,
    /// 1-based number of a collecting room (absent for the town hall and the one-to-one room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// The meeting's topic (the room's subject).
    pub subject: String,
    /// Zoom's meeting `id`, the id of `v2/meetings/{meetingId}`.
    pub meeting_id: u64,
    /// The meeting number SEB joins (`zoomRoom`, the SDK token's `mn`); Zoom's `id` again.
    pub meeting_number: u64,
    /// Zoom's meeting `uuid`, when Zoom gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The Zoom user created to host the meeting (`v2/users/{userId}`).
    pub user_id: String,
    /// That user's e-mail address (`<uuid>@<host of serverURL>`, as SEB Server makes it).
    pub user_email: String,
    /// The meeting's `join_url` (`zoomServerURL` for SEB).
    #[serde(rename = "joinURL")]
    pub join_url: String,
    /// Zoom's `encrypted_password` (`zoomMeetingKey` for SEB).
    pub encrypted_password: String,
}

impl Meeting {
    /// Whether this meeting is for `room` of the plan.
    pub fn is_for(&self, room: &Room) -> bool {
        self.room_type == room.room_type
            && match room.room_type {
                RoomType::Proctoring => self.number == Some(room.number),
                _ => true,
            }
    }
}

impl ZoomMeetings {
    /// Reads and checks a meetings file. The error names the file and, for a syntax or shape error,
    /// the line and column.
    pub fn read(path: &Path, display: &str) -> Result<ZoomMeetings, Diagnostic> {
        let bytes = crate::source::read_bounded(path, MAX_MEETINGS_FILE_BYTES).map_err(|e| {
            Diagnostic::error(
                "meetings-file",
                format!("cannot read meetings file {display}: {e}"),
            )
            .at(display, Pos::default())
            .hint("give the file `sebc zoom provision EXAM -o DIR` wrote: DIR/<exam id>.zoom.json")
        })?;
        let parsed: ZoomMeetings = serde_json::from_slice(&bytes).map_err(|e| {
            let pos = Pos {
                line: e.line() as u32,
                col: e.column() as u32,
            };
            Diagnostic::error(
                "meetings-file",
                format!("{display} is not a meetings file of sebc: {e}"),
            )
            .at(display, pos)
            .hint("give the file `sebc zoom provision EXAM -o DIR` wrote: DIR/<exam id>.zoom.json")
        })?;
        if parsed.sebc_zoom_meetings != FORMAT_VERSION {
            return Err(Diagnostic::error(
                "meetings-file",
                format!(
                    "{display} has format version {}; this sebc reads version {FORMAT_VERSION}",
                    parsed.sebc_zoom_meetings
                ),
            )
            .at(display, Pos { line: 1, col: 1 }));
        }
        Ok(parsed)
    }

    /// The file's bytes: pretty JSON and a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Gives each room of the plan that has no meeting yet its meeting from this file. Rooms the exam
    /// file gives a meeting (`service.rooms`) keep theirs.
    pub fn apply(&self, rooms: &mut [Room]) {
        for room in rooms.iter_mut().filter(|r| r.needs_meeting()) {
            if let Some(m) = self.meetings.iter().find(|m| m.is_for(room)) {
                room.set_meeting(
                    m.meeting_number,
                    Some(m.join_url.clone()),
                    Some(m.encrypted_password.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(room_type: RoomType, number: Option<u32>, mn: u64) -> Meeting {
        Meeting {
            room_type,
            number,
            subject: "s".into(),
            meeting_id: mn,
            meeting_number: mn,
            uuid: None,
            user_id: "u".into(),
            user_email: "u@zoom.us".into(),
            join_url: format!("https://zoom.us/j/{mn}?pwd=x"),
            encrypted_password: format!("key-{mn}"),
        }
    }

    fn room(room_type: RoomType, number: u32) -> Room {
        Room {
            room_type,
            number,
            name: String::new(),
            subject: String::new(),
            size: 0,
            meeting_number: None,
            join_url: None,
            meeting_key: None,
        }
    }

    #[test]
    fn meetings_go_to_their_rooms_and_explicit_meetings_stay() {
        let file = ZoomMeetings {
            sebc_zoom_meetings: FORMAT_VERSION,
            exam: "x".into(),
            server_url: "https://zoom.us".into(),
            api_base: "https://zoom.us".into(),
            account_id: "a".into(),
            client_id: "c".into(),
            client_secret: Some(SecretRef::env("ZOOM_SECRET")),
            created: "2026-11-30T00:00:00Z".into(),
            meetings: vec![
                meeting(RoomType::Townhall, None, 900),
                meeting(RoomType::Proctoring, Some(2), 2),
                meeting(RoomType::Proctoring, Some(1), 1),
            ],
        };
        let mut explicit = room(RoomType::Proctoring, 3);
        explicit.set_meeting(333, None, None);
        let mut rooms = vec![
            room(RoomType::Proctoring, 1),
            room(RoomType::Proctoring, 2),
            explicit,
            room(RoomType::Townhall, 0),
            room(RoomType::Breakout, 0),
        ];
        file.apply(&mut rooms);
        let numbers: Vec<Option<u64>> = rooms.iter().map(|r| r.meeting_number).collect();
        assert_eq!(numbers, [Some(1), Some(2), Some(333), Some(900), None]);
        assert_eq!(rooms[3].meeting_key.as_deref(), Some("key-900"));
        assert!(rooms[4].needs_meeting());
        // The file round-trips, and the secret is a reference only.
        let text = String::from_utf8(file.to_bytes()).unwrap();
        assert!(text.contains(r#""clientSecret": {"#) && text.contains("ZOOM_SECRET"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zoom.json");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(ZoomMeetings::read(&path, "x.zoom.json").unwrap(), file);
    }

    #[test]
    fn a_broken_file_is_an_error_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.zoom.json");
        std::fs::write(&path, "{\n  \"sebcZoomMeetings\": 1,\n  \"exam\": 7\n}\n").unwrap();
        let d = ZoomMeetings::read(&path, "bad.zoom.json").unwrap_err();
        assert_eq!((d.code, d.line), ("meetings-file", 3), "{d:?}");
        assert!(
            d.message
                .starts_with("bad.zoom.json is not a meetings file")
        );
        let d = ZoomMeetings::read(&dir.path().join("none.json"), "none.json").unwrap_err();
        assert!(d.message.contains("no such file"), "{}", d.message);
    }
}
