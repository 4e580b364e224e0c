//! Live proctoring from a validated exam: the room plan, and the tokens and SEB join attributes of each
//! room. The compile step calls [`build`] after merging. The checks of the `service` and
//! `screenProctoring` sections are the validate stage's; this module depends on validate only for its
//! output, [`ValidExam`].

pub mod jwt;
pub mod rooms;
pub mod tokens;
pub mod zoom;

use crate::diagnostic::Diagnostic;
use crate::exam::{ProctoringServerType, RoomType, ServiceSettings};
use crate::resolve::ResolvedSecrets;
use crate::timestamp::rfc3339_seconds;
use crate::validate::ValidExam;
use rooms::Room;
use tokens::{AUD_CLIENT, AUD_PROCTOR, JitsiClaims, Profile, ZoomClaims};

/// Tokens outlive the exam's end by this much (seconds).
pub const TOKEN_GRACE: i64 = 1800;
/// Lifetime of tokens for exams without an end (seconds), as SEB Server's.
pub const TOKEN_DEFAULT_LIFETIME: i64 = 86_400;
/// Zoom SDK tokens of an exam without an end expire this long after they are made, as SEB Server's:
/// `now + tokenExpirySeconds - 10`, with `sebserver.webservice.proctoring.zoom.tokenexpiry.seconds`
/// defaulting to 86400 (seb-server `ZoomProctoringService.java:160` and `:664-671`).
pub const ZOOM_TOKEN_DEFAULT_LIFETIME: i64 = TOKEN_DEFAULT_LIFETIME - 10;

/// One planned room with its tokens. A Zoom room that still needs a meeting
/// ([`Room::needs_meeting`]) has neither token nor join attributes.
#[derive(Debug, Clone)]
pub struct PlannedRoom {
    pub room: Room,
    /// The proctor's token (moderator, `aud` seb-server; Zoom role 1).
    pub proctor_token: String,
    /// The SEB join attributes (SEB Server's `SEB_PROCTORING` instruction), in its order.
    pub seb: Vec<(&'static str, String)>,
}

/// The server side of an exam's live proctoring.
#[derive(Debug, Clone)]
pub struct Plan {
    pub rooms: Vec<PlannedRoom>,
    /// When the tokens expire (seconds since the epoch).
    pub expires: i64,
}

impl PlannedRoom {
    /// The settings a per-room `.seb` file embeds so SEB joins this room without SEB Server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        self.seb
            .iter()
            .filter(|(k, _)| k.starts_with("jitsiMeet") || k.starts_with("zoom"))
            .cloned()
            .collect()
    }
}

/// Rooms and tokens for an exam with an enabled live proctoring service (None when there is none);
/// the signing secret comes from `secrets`, Zoom meetings from the exam file or `meetings` (what `sebc
/// zoom provision` recorded; a room without one is planned without tokens, with a warning). Warnings
/// come back with the plan.
pub fn build(
    exam: &ValidExam,
    secrets: &ResolvedSecrets,
    now: i64,
    meetings: Option<&zoom::Meetings<'_>>,
) -> Result<(Option<Plan>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let src = &exam.source;
    let Some(service) = exam.exam.service.as_ref().filter(|s| s.enable_proctoring) else {
        return Ok((None, Vec::new()));
    };
    let locate = |d: Diagnostic| {
        let at = src.map.value(&d.pointer);
        d.at(&src.display, at)
    };
    let pointer = match service.server_type {
        ProctoringServerType::JitsiMeet => "/service/appSecret",
        ProctoringServerType::Zoom => "/service/sdkSecret",
    };
    let Some(secret) = secrets.get(&src.display, pointer) else {
        return Err(Vec::new()); // a missing secret is reported by the validate stage
    };
    let mut rooms = rooms::plan(&exam.exam, secret)
        .map_err(|ds| ds.into_iter().map(locate).collect::<Vec<_>>())?;
    let mut warnings = Vec::new();
    if service.server_type == ProctoringServerType::Zoom {
        if let Some(m) = meetings {
            zoom::check_meetings(service, &exam.exam.exam.id, m).map_err(|d| vec![d])?;
            m.file.apply(&mut rooms);
        }
        // At `serverType: ZOOM` when the exam writes it (SEB Server's default type is ZOOM).
        let at = if src.value.pointer("/service/serverType").is_some() {
            "/service/serverType"
        } else {
            "/service"
        };
        let pending = zoom::pending_warning(&rooms, &src.display, &exam.exam.exam.id, meetings);
        warnings.extend(pending.map(|d| locate(d.pointer(at))));
    }
    let end = exam.exam.exam.end.as_deref().and_then(rfc3339_seconds);
    let signer = Signer {
        service,
        secret,
        now,
    };
    let (plan, warning) = match service.server_type {
        ProctoringServerType::JitsiMeet => signer.jitsi(rooms, end),
        ProctoringServerType::Zoom => signer.zoom(rooms, end),
    };
    warnings.extend(warning.map(|(msg, hint)| {
        locate(
            Diagnostic::warning("token-lifetime", msg)
                .pointer("/exam/end")
                .hint(hint),
        )
    }));
    Ok((Some(plan), warnings))
}

/// A lifetime warning: message and hint.
type LifetimeWarning = Option<(String, &'static str)>;

/// Signs each room's tokens for one service.
struct Signer<'a> {
    service: &'a ServiceSettings,
    secret: &'a [u8],
    now: i64,
}

impl Signer<'_> {
    /// Jitsi: HS256 tokens valid until the exam's end plus [`TOKEN_GRACE`] (or a day), with SEB
    /// Server's claims; the join attributes of SEB Server's `SEB_PROCTORING` instruction.
    fn jitsi(&self, rooms: Vec<Room>, end: Option<i64>) -> (Plan, LifetimeWarning) {
        let now = self.now;
        let exp = end.map_or(now + TOKEN_DEFAULT_LIFETIME, |e| e + TOKEN_GRACE);
        let warning = (exp <= now).then(|| {
            (
                "the exam is over: its tokens are already expired".to_string(),
                "compile with --now before the exam ends",
            )
        });
        let url = self.service.server_url.clone().unwrap_or_default();
        let sub = tokens::host_of(&url).unwrap_or_default();
        let app_key = self.service.app_key.clone().unwrap_or_default();
        let planned = rooms
            .into_iter()
            .map(|room| {
                let claims = |moderator: bool, aud: &'static str, name: &'static str| JitsiClaims {
                    name,
                    moderator,
                    aud,
                    iss: app_key.trim(),
                    sub: &sub,
                    room: &room.name,
                    exp,
                };
                let sign =
                    |c: &JitsiClaims<'_>| tokens::jitsi_token(c, Profile::Default, self.secret);
                let proctor_token = sign(&claims(true, AUD_PROCTOR, "Proctor"));
                let client_token = sign(&claims(false, AUD_CLIENT, "SEB"));
                let seb = vec![
                    ("service-type", "JITSI_MEET".to_string()),
                    ("method", "JOIN".to_string()),
                    ("jitsiMeetServerURL", url.clone()),
                    ("jitsiMeetRoom", room.name.clone()),
                    ("jitsiMeetSubject", room.subject.clone()),
                    ("jitsiMeetToken", client_token),
                    ("roomType", room_type(room.room_type).to_string()),
                ];
                PlannedRoom {
                    room,
                    proctor_token,
                    seb,
                }
            })
            .collect();
        let plan = Plan {
            rooms: planned,
            expires: exp,
        };
        (plan, warning)
    }

    /// Zoom: Meeting SDK tokens within Zoom's 30 min–48 h lifetime, for each room's meeting.
    fn zoom(&self, rooms: Vec<Room>, end: Option<i64>) -> (Plan, LifetimeWarning) {
        let now = self.now;
        let wanted = end.map_or(now + ZOOM_TOKEN_DEFAULT_LIFETIME, |e| e + TOKEN_GRACE);
        let exp = wanted.clamp(
            now + tokens::ZOOM_MIN_LIFETIME,
            now + tokens::ZOOM_MAX_LIFETIME,
        );
        let warning = (exp < wanted).then(|| {
            (
                "Zoom SDK tokens live at most 48 hours: they expire before the exam ends"
                    .to_string(),
                "compile within two days of the exam (pass --now to plan ahead)",
            )
        });
        let sdk_key = self.service.sdk_key.clone().unwrap_or_default();
        let mut planned = Vec::new();
        for room in rooms {
            let Some(mn) = room.meeting_number else {
                planned.push(PlannedRoom {
                    room,
                    proctor_token: String::new(),
                    seb: Vec::new(),
                });
                continue;
            };
            let token = |role| {
                let claims = ZoomClaims {
                    sdk_key: sdk_key.trim(),
                    mn,
                    role,
                    iat: now,
                    exp,
                };
                tokens::zoom_token(&claims, self.secret)
            };
            let (Ok(proctor_token), Ok(client_token)) = (token(1), token(0)) else {
                continue;
            };
            let mut seb = vec![
                ("service-type", "ZOOM".to_string()),
                ("method", "JOIN".to_string()),
                ("zoomServerURL", room.join_url.clone().unwrap_or_default()),
                ("zoomRoom", mn.to_string()),
                ("zoomToken", client_token.clone()),
                ("zoomSDKToken", client_token),
                ("zoomAPIKey", sdk_key.trim().to_string()),
            ];
            // Always present, empty when the meeting has no password: SEB for Windows reads it
            // unconditionally (seb-win-refactoring `SafeExamBrowser.Server/Parser.cs:368`).
            seb.push((
                "zoomMeetingKey",
                room.meeting_key.clone().unwrap_or_default(),
            ));
            seb.push(("zoomUserName", "SEB".to_string()));
            seb.push(("zoomSubject", room.subject.clone()));
            seb.push(("roomType", room_type(room.room_type).to_string()));
            planned.push(PlannedRoom {
                room,
                proctor_token,
                seb,
            });
        }
        let plan = Plan {
            rooms: planned,
            expires: exp,
        };
        (plan, warning)
    }
}

fn room_type(t: RoomType) -> &'static str {
    match t {
        RoomType::Proctoring => "proctoring",
        RoomType::Townhall => "townhall",
        RoomType::Breakout => "breakout",
    }
}
