//! The room plan: ⌈participants / collectingRoomSize⌉ collecting rooms with SEB Server's subjects, and a
//! town hall when `TOWN_HALL` is enabled. Jitsi room names are derived (HMAC-SHA256 of exam id and room
//! under the app secret: the same inputs give the same names, and nobody without the secret can guess
//! them) unless the exam file gives them.

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
    let explicit: Vec<(usize, &RoomSpec)> = service
        .rooms
        .iter()
        .enumerate()
        .filter(|(_, r)| r.room_type == RoomType::Proctoring)
        .collect();
    let count = needed.max(explicit.len() as u32);
    let mut errors = Vec::new();
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
        match room(spec.map(|(i, s)| (*i, *s)), zoom, secret, &exam.exam.id, &n.to_string(), subject) {
            Ok(mut r) => {
                r.number = n;
                r.size = room_size;
                rooms.push(r);
            }
            Err(d) => errors.push(d.hint(format!(
                "{participants} participants in rooms of {size} need {needed} collecting room(s); give each a meeting in `service.rooms`"
            ))),
        }
    }
    if service
        .enabled_features
        .contains(&ProctoringFeature::TownHall)
    {
        let spec = service
            .rooms
            .iter()
            .enumerate()
            .find(|(_, r)| r.room_type == RoomType::Townhall);
        match room(spec, zoom, secret, &exam.exam.id, "townhall", "Townhall Room".to_string()) {
            Ok(mut r) => {
                r.room_type = RoomType::Townhall;
                rooms.push(r);
            }
            Err(d) => errors.push(d.hint("TOWN_HALL is enabled: add a room with `type: townhall` and its meeting, or disable the feature")),
        }
    }
    if errors.is_empty() {
        Ok(rooms)
    } else {
        Err(errors)
    }
}

fn room(
    spec: Option<(usize, &RoomSpec)>,
    zoom: bool,
    secret: &[u8],
    exam_id: &str,
    label: &str,
    default_subject: String,
) -> Result<Room, Diagnostic> {
    let subject = spec
        .and_then(|(_, s)| s.subject.clone())
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
        let Some((i, s)) = spec else {
            return Err(Diagnostic::error(
                "zoom-meeting-missing",
                format!("no Zoom meeting for room `{}` (sebc does not create meetings through Zoom's API)", r.subject),
            )
            .pointer("/service/rooms"));
        };
        let Some(mn) = s.meeting_number else {
            return Err(Diagnostic::error(
                "zoom-meeting-missing",
                format!("room `{}` has no `meetingNumber`", r.subject),
            )
            .pointer(format!("/service/rooms/{i}")));
        };
        r.name = mn.to_string();
        r.meeting_number = Some(mn);
        r.join_url = Some(
            s.join_url
                .clone()
                .unwrap_or_else(|| format!("https://zoom.us/j/{mn}")),
        );
        r.meeting_key = s.meeting_key.clone();
    } else {
        r.name = spec
            .and_then(|(_, s)| s.name.clone())
            .unwrap_or_else(|| derived_name(secret, exam_id, label));
    }
    Ok(r)
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
        assert_eq!(subjects, ["Room 1", "Room 2", "Room 3", "Townhall Room"]);
        let sizes: Vec<u32> = rooms.iter().map(|r| r.size).collect();
        assert_eq!(sizes, [20, 20, 5, 0]);
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
            "exam: { id: x, participants: 300 }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  collectingRoomSize: 0\n  enabledFeatures: [ONE_TO_ONE]\n  rooms: [{ name: hall-a, subject: Hall A }]\n",
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
    fn zoom_needs_meeting_numbers() {
        let e = exam(
            "exam: { id: z, participants: 30 }\nservice:\n  enableProctoring: true\n  serverType: ZOOM\n  collectingRoomSize: 15\n  enabledFeatures: [ONE_TO_ONE]\n  rooms: [{ meetingNumber: 81234567890 }]\n",
        );
        let errors = plan(&e, b"s").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("Proctoring Room 2"));
        assert!(
            !is_safe_room_name("Room 1") && !is_safe_room_name("") && is_safe_room_name("a-1_b")
        );
    }
}
