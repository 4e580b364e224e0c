//! Creates the Zoom meetings of an exam's plan, once, as SEB Server created each room's at run time
//! (seb-server `ZoomProctoringService.java:533-585`): per room a licensed Zoom user named by a random
//! UUID, its in-meeting settings, and a scheduled meeting hosted by it; then releases them. A failure
//! part-way deletes what was already created, so no meeting is left behind unrecorded.

use super::api::{ApiError, Client, Credentials};
use super::meetings::{FORMAT_VERSION, Meeting, ZoomMeetings};
use crate::exam::RoomType;
use crate::proctoring::rooms::Room;
use crate::secret::SecretRef;
use std::time::Duration;
use time::OffsetDateTime;

/// A meeting of an exam without an end lasts a day, as SEB Server's (`Constants.DAY_IN_MIN`,
/// `ZoomProctoringService.java:406-420`).
pub const DEFAULT_DURATION_MINUTES: i64 = 1440;

/// Everything provisioning needs; the client secret only as bytes, never recorded.
pub struct Order<'a> {
    pub exam_id: &'a str,
    /// The service's `serverURL`: recorded, and its host names the users' e-mail addresses.
    pub server_url: &'a str,
    /// Where the OAuth token and the API are requested.
    pub api_base: &'a str,
    pub credentials: Credentials<'a>,
    /// Recorded for `release`: the exam's reference to the client secret (never a literal).
    pub client_secret_ref: Option<SecretRef>,
    /// The rooms that need a meeting.
    pub rooms: &'a [Room],
    /// The meetings' start (seconds since the epoch) and, when the exam has one, its end.
    pub start: i64,
    pub end: Option<i64>,
    /// Creation time, recorded.
    pub now: i64,
    pub timeout: Duration,
}

/// What went wrong, and what was left behind in Zoom when the clean-up failed as well.
#[derive(Debug)]
pub struct Failed {
    pub error: ApiError,
    /// `meeting <id> (user <id>)` or `user <id>` still in the Zoom account.
    pub left_behind: Vec<String>,
}

/// `yyyy-MM-ddTHH:mm:ss` in UTC, the `start_time` SEB Server sends (ZoomRoomRequestResponse.java:240).
pub fn zoom_time(epoch: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The meeting's length in minutes: until the exam's end, else a day.
pub fn duration_minutes(start: i64, end: Option<i64>) -> i64 {
    end.map_or(DEFAULT_DURATION_MINUTES, |e| ((e - start) + 59) / 60)
}

/// Random bytes from the operating system; without them no name or password can be made safely.
fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ApiError {
        message: format!("the operating system gave no random bytes: {e}"),
        hint: "run sebc where the system's random source works".into(),
        status: None,
    })?;
    Ok(b)
}

/// A random (version 4) UUID, the name SEB Server gives each room's user (ZPS:388, 401).
pub fn random_uuid() -> Result<String, ApiError> {
    let mut b = random::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// A 9-character meeting password, SEB Server's length (ZPS:557), of lowercase letters and digits.
fn meeting_password() -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    Ok(random::<9>()?
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// Creates a user and a meeting for every room of the order and returns the record to write.
pub fn provision(order: &Order<'_>) -> Result<ZoomMeetings, Failed> {
    let client =
        Client::authorize(order.api_base, &order.credentials, order.timeout).map_err(|error| {
            Failed {
                error,
                left_behind: Vec::new(),
            }
        })?;
    let host = crate::address::host_of(order.server_url).unwrap_or_else(|| "zoom.us".to_string());
    let start_time = zoom_time(order.start);
    let duration = duration_minutes(order.start, order.end);
    let mut meetings = Vec::new();
    for room in order.rooms {
        match make_room(&client, room, &host, &start_time, duration) {
            Ok(m) => meetings.push(m),
            Err(error) => {
                let left_behind = meetings
                    .iter()
                    .filter(|m| {
                        client
                            .delete_meeting_and_user(m.meeting_id, &m.user_id)
                            .is_err()
                    })
                    .map(|m| format!("meeting {} (user {})", m.meeting_id, m.user_id))
                    .collect();
                return Err(Failed { error, left_behind });
            }
        }
    }
    Ok(ZoomMeetings {
        sebc_zoom_meetings: FORMAT_VERSION,
        exam: order.exam_id.to_string(),
        server_url: order.server_url.to_string(),
        api_base: order.api_base.to_string(),
        account_id: order.credentials.account_id.to_string(),
        client_id: order.credentials.client_id.to_string(),
        client_secret: order.client_secret_ref.clone(),
        created: format!("{}Z", zoom_time(order.now)),
        meetings,
    })
}

/// One room's user, its settings and its meeting. A user whose meeting fails is deleted again.
fn make_room(
    client: &Client,
    room: &Room,
    host: &str,
    start_time: &str,
    duration: i64,
) -> Result<Meeting, ApiError> {
    let (name, password) = (random_uuid()?, meeting_password()?);
    let user = client.create_user(&name, host)?;
    // SEB Server goes on when the settings cannot be applied (ZPS:816-824).
    let _ = client.apply_user_settings(&user.id);
    let m = match client.create_meeting(&user.id, &room.subject, start_time, duration, &password) {
        Ok(m) => m,
        Err(e) if client.delete_user(&user.id).is_err() => {
            return Err(ApiError {
                message: format!("{} (and user {} could not be deleted)", e.message, user.id),
                ..e
            });
        }
        Err(e) => return Err(e),
    };
    Ok(Meeting {
        room_type: room.room_type,
        number: (room.room_type == RoomType::Proctoring).then_some(room.number),
        subject: room.subject.clone(),
        meeting_id: m.id,
        meeting_number: m.id,
        uuid: m.uuid,
        user_id: user.id,
        user_email: user.email,
        join_url: m.join_url,
        encrypted_password: m.encrypted_password,
    })
}

/// Deletes every meeting of a record and its user. Returns the meetings that could not be deleted,
/// each with its error.
pub fn release(
    file: &ZoomMeetings,
    api_base: &str,
    credentials: &Credentials<'_>,
    timeout: Duration,
) -> Result<Vec<(Meeting, ApiError)>, ApiError> {
    let client = Client::authorize(api_base, credentials, timeout)?;
    Ok(file
        .meetings
        .iter()
        .filter_map(|m| {
            client
                .delete_meeting_and_user(m.meeting_id, &m.user_id)
                .err()
                .map(|e| (m.clone(), e))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_names_and_passwords_have_seb_servers_shapes() {
        assert_eq!(zoom_time(1_796_115_600), "2026-12-01T09:00:00");
        assert_eq!(duration_minutes(1_796_115_600, Some(1_796_122_800)), 120);
        assert_eq!(
            duration_minutes(0, Some(61)),
            2,
            "rounded up: the meeting outlasts the exam"
        );
        assert_eq!(duration_minutes(0, None), 1440);
        let id = random_uuid().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4", "version 4: {id}");
        assert_ne!(random_uuid().unwrap(), id);
        let pw = meeting_password().unwrap();
        assert_eq!(pw.len(), 9);
        assert!(
            pw.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
