//! The room plan: ⌈participants / collectingRoomSize⌉ collecting rooms with SEB Server's subjects, a
//! town hall when `TOWN_HALL` is enabled and a one-to-one (`breakout`) room when `ONE_TO_ONE` is. Jitsi
//! room names are derived (HMAC-SHA256 of exam id and room under the app secret: the same inputs give
//! the same names, and nobody without the secret can guess them) unless the exam file gives them; a Zoom
//! room without a meeting is planned as still needing one.

use crate::diagnostic::Diagnostic;
use crate::exam::{ExamFile, ProctoringFeature, ProctoringServerType, RoomSpec, RoomType};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub room_type: RoomType,
    /// 1-based number of a collecting room; 0 for the town hall.
    pub number: u32,
    pub name: String,
    pub subject: String,
    /// Planned participants (0 for the town hall, which everybody may join).
    pub size: u32,
    pub meeting_number: Option<u64>,
    pub join_url: Option<String>,
    pub meeting_key: Option<String>,
}

/// `^[a-z0-9][a-z0-9_-]{0,63}$`: survives Jitsi's lowercasing and percent-encoding unchanged.
pub fn is_safe_room_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
}

/// 32 lowercase hex characters of HMAC-SHA256(secret, "sebc-room" 0 exam-id 0 label).
pub fn derived_name(secret: &[u8], exam_id: &str, label: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(format!("sebc-room\0{exam_id}\0{label}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Plans the rooms of an exam whose service is enabled. Errors carry JSON pointers into the exam file.
pub fn plan(exam: &ExamFile, secret: &[u8]) -> Result<Vec<Room>, Vec<Diagnostic>> {
    let Some(service) = exam.service.as_ref().filter(|s| s.enable_proctoring) else {
        return Ok(Vec::new());
    };
    let zoom = service.server_type == ProctoringServerType::Zoom;
    let participants = exam
        .exam
        .participants
        .as_ref()
        .and_then(crate::exam::Participants::count)
        .unwrap_or(1);
    let size = service.collecting_room_size;
    let needed = if size > 0 {
        participants.div_ceil(size as u32)
    } else {
        1
    };
    let explicit: Vec<&RoomSpec> = service
        .rooms
        .iter()
        .filter(|r| r.room_type == RoomType::Proctoring)
        .collect();
    let count = needed.max(explicit.len() as u32);
    let mut rooms = Vec::new();
    let mut left = participants;
    for n in 1..=count {
        let spec = explicit.get(n as usize - 1);
        let room_size = if size > 0 {
            left.min(size as u32)
        } else {
            left
        };
        left -= room_size;
        let subject = if zoom {
            format!("Proctoring Room {n}")
        } else {
            format!("Room {n}")
        };
        let mut r = room(
            spec.copied(),
            zoom,
            secret,
            &exam.exam.id,
            &n.to_string(),
            subject,
        );
        r.number = n;
        r.size = room_size;
        rooms.push(r);
    }
    let features = &service.enabled_features;
    let special = [
        (
            ProctoringFeature::TownHall,
            RoomType::Townhall,
            "townhall",
            TOWNHALL_SUBJECT,
        ),
        (
            ProctoringFeature::OneToOne,
            RoomType::Breakout,
            "breakout",
            BREAKOUT_SUBJECT,
        ),
    ];
    for (feature, room_type, label, subject) in special {
        if !features.contains(&feature) {
            continue;
        }
        let spec = service.rooms.iter().find(|r| r.room_type == room_type);
        let mut r = room(
            spec,
            zoom,
            secret,
            &exam.exam.id,
            label,
            subject.to_string(),
        );
        r.room_type = room_type;
        rooms.push(r);
    }
    Ok(rooms)
}

/// The town hall's subject: what SEB Server's GUI opens it with
/// (`sebserver.monitoring.exam.proctoring.room.all.name`).
pub const TOWNHALL_SUBJECT: &str = "Townhall Room";
/// The one-to-one room's subject: SEB Server's label of the feature
/// (`sebserver.exam.proctoring.form.features.ONE_TO_ONE`, seb-server `messages.properties:890`).
pub const BREAKOUT_SUBJECT: &str = "One to One Room";

fn room(
    spec: Option<&RoomSpec>,
    zoom: bool,
    secret: &[u8],
    exam_id: &str,
    label: &str,
    default_subject: String,
) -> Room {
    let subject = spec
        .and_then(|s| s.subject.clone())
        .unwrap_or(default_subject);
    let mut r = Room {
        room_type: RoomType::Proctoring,
        number: 0,
        name: String::new(),
        subject,
        size: 0,
        meeting_number: None,
        join_url: None,
        meeting_key: None,
    };
    if zoom {
        // Without a meeting number the room still needs a meeting (`Room::needs_meeting`).
        if let Some((s, mn)) = spec.and_then(|s| s.meeting_number.map(|mn| (s, mn))) {
            r.set_meeting(mn, s.join_url.clone(), s.meeting_key.clone());
        }
    } else {
        r.name = spec
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| derived_name(secret, exam_id, label));
    }
    r
}

impl Room {
    /// A Zoom room without a meeting yet: planned, but without tokens.
    pub fn needs_meeting(&self) -> bool {
        self.name.is_empty() && self.meeting_number.is_none()
    }

    /// Gives a Zoom room its meeting: the meeting number names the room; the join URL defaults to
    /// Zoom's `https://zoom.us/j/<number>`.
    pub fn set_meeting(
        &mut self,
        number: u64,
        join_url: Option<String>,
        meeting_key: Option<String>,
    ) {
        self.name = number.to_string();
        self.meeting_number = Some(number);
        self.join_url = Some(join_url.unwrap_or_else(|| format!("https://zoom.us/j/{number}")));
        self.meeting_key = meeting_key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exam(yaml: &str) -> ExamFile {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn jitsi_plan_has_ceil_rooms_derived_names_and_a_town_hall() {
        let e = exam(
            "exam: { id: math, participants: 45 }\nservice: { enableProctoring: true, serverType: JITSI_MEET, collectingRoomSize: 20 }\n",
        );
        let rooms = plan(&e, b"secret").unwrap();
        let subjects: Vec<&str> = rooms.iter().map(|r| r.subject.as_str()).collect();
        assert_eq!(
            subjects,
            [
                "Room 1",
                "Room 2",
                "Room 3",
                "Townhall Room",
                "One to One Room"
            ]
        );
        let sizes: Vec<u32> = rooms.iter().map(|r| r.size).collect();
        assert_eq!(sizes, [20, 20, 5, 0, 0]);
        assert!(
            rooms
                .iter()
                .all(|r| is_safe_room_name(&r.name) && r.name.len() == 32)
        );
        assert_eq!(rooms, plan(&e, b"secret").unwrap(), "reproducible");
        assert_ne!(
            rooms[0].name,
            plan(&e, b"other").unwrap()[0].name,
            "depends on the secret"
        );
        assert_ne!(rooms[0].name, rooms[1].name);
    }

    #[test]
    fn unlimited_rooms_and_explicit_names() {
        let e = exam(
            "exam: { id: x, participants: 300 }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  collectingRoomSize: 0\n  enabledFeatures: [BROADCAST]\n  rooms: [{ name: hall-a, subject: Hall A }]\n",
        );
        let rooms = plan(&e, b"s").unwrap();
        assert_eq!(rooms.len(), 1);
        assert_eq!(
            (
                rooms[0].name.as_str(),
                rooms[0].subject.as_str(),
                rooms[0].size
            ),
            ("hall-a", "Hall A", 300)
        );
    }

    #[test]
    fn zoom_rooms_without_meetings_are_planned_as_needing_one() {
        let e = exam(
            "exam: { id: z, participants: 30 }\nservice:\n  enableProctoring: true\n  serverType: ZOOM\n  collectingRoomSize: 15\n  enabledFeatures: [ONE_TO_ONE, TOWN_HALL]\n  rooms: [{ meetingNumber: 81234567890 }]\n",
        );
        let rooms = plan(&e, b"s").unwrap();
        let shape: Vec<(RoomType, &str, bool)> = rooms
            .iter()
            .map(|r| (r.room_type, r.subject.as_str(), r.needs_meeting()))
            .collect();
        assert_eq!(
            shape,
            [
                (RoomType::Proctoring, "Proctoring Room 1", false),
                (RoomType::Proctoring, "Proctoring Room 2", true),
                (RoomType::Townhall, "Townhall Room", true),
                (RoomType::Breakout, "One to One Room", true),
            ]
        );
        assert_eq!(rooms[0].name, "81234567890");
        assert_eq!(
            rooms[0].join_url.as_deref(),
            Some("https://zoom.us/j/81234567890")
        );
        assert!(rooms[1].meeting_number.is_none() && rooms[1].name.is_empty());
        assert!(
            !is_safe_room_name("Room 1") && !is_safe_room_name("") && is_safe_room_name("a-1_b")
        );
    }

    #[test]
    fn one_to_one_adds_a_breakout_room_only_when_enabled() {
        let with = exam(
            "exam: { id: b, participants: 5 }\nservice: { enableProctoring: true, serverType: JITSI_MEET, enabledFeatures: [ONE_TO_ONE] }\n",
        );
        let rooms = plan(&with, b"s").unwrap();
        assert_eq!(rooms.len(), 2);
        assert_eq!(
            (rooms[1].room_type, rooms[1].subject.as_str(), rooms[1].size),
            (RoomType::Breakout, "One to One Room", 0)
        );
        assert_eq!(rooms[1].name, derived_name(b"s", "b", "breakout"));
        let without = exam(
            "exam: { id: b, participants: 5 }\nservice: { enableProctoring: true, serverType: JITSI_MEET, enabledFeatures: [BROADCAST] }\n",
        );
        assert!(
            plan(&without, b"s")
                .unwrap()
                .iter()
                .all(|r| r.room_type == RoomType::Proctoring)
        );
    }
}
