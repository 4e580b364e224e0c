//! Live proctoring from a validated exam: the room plan, and the tokens and SEB join attributes of each
//! room. The compile step calls [`build`] after merging. The checks of the `service` and
//! `screenProctoring` sections are the validate stage's; this module depends on validate only for its
//! output, [`ValidExam`].

pub mod jaas;
mod jitsi;
pub mod jwt;
pub mod rooms;
pub mod rs256;
pub mod seats;
pub mod tokens;
pub mod zoom;

use crate::diagnostic::Diagnostic;
use crate::exam::{ProctoringServerType, RoomType, ServiceSettings};
use crate::resolve::ResolvedSecrets;
use crate::roster::{Participant, Roster};
use crate::timestamp::rfc3339_seconds;
use crate::validate::ValidExam;
use rooms::Room;
use tokens::{Profile, ZoomClaims};

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
    /// With a roster: each participant, in roster order, with their own join attributes.
    pub seats: Vec<Seat>,
}

/// One participant of a roster in their room, with their own SEB join attributes (their own token or
/// user name).
#[derive(Debug, Clone)]
pub struct Seat {
    pub id: String,
    pub name: String,
    /// Index of their room in [`Plan::rooms`].
    pub room: usize,
    pub seb: Vec<(&'static str, String)>,
}

impl Seat {
    /// `room`'s join attributes with `key` set to `value`.
    fn new(
        p: &Participant,
        room: usize,
        planned: &PlannedRoom,
        key: &'static str,
        value: String,
    ) -> Seat {
        let mut seb = planned.seb.clone();
        match seb.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => seb.push((key, value)),
        }
        Seat {
            id: p.id.clone(),
            name: p.name.clone(),
            room,
            seb,
        }
    }

    /// The settings this participant's own `.seb` file embeds.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        join_settings(&self.seb)
    }
}

/// How to plan beyond the exam file: the token format, and the roster read for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions<'a> {
    /// `--token-profile`: sebc's Jitsi claims, or SEB Server's bytes.
    pub profile: Profile,
    pub roster: Option<&'a Roster>,
    /// Zoom meetings recorded by `sebc zoom provision` (`--meetings FILE`) for this exam.
    pub meetings: Option<&'a zoom::Meetings<'a>>,
}

impl PlannedRoom {
    /// The settings a per-room `.seb` file embeds so SEB joins this room without SEB Server.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        join_settings(&self.seb)
    }
}

/// The SEB settings among join attributes.
fn join_settings(seb: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    seb.iter()
        .filter(|(k, _)| k.starts_with("jitsiMeet") || k.starts_with("zoom"))
        .cloned()
        .collect()
}

/// Rooms and tokens for an exam with an enabled live proctoring service (None when there is none);
/// the signing secret comes from `secrets`, Zoom meetings from the exam file or `meetings` (what `sebc
/// zoom provision` recorded; a room without one is planned without tokens, with a warning). Warnings
/// come back with the plan.
pub fn build(
    exam: &ValidExam,
    secrets: &ResolvedSecrets,
    now: i64,
    opts: PlanOptions<'_>,
) -> Result<(Option<Plan>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let src = &exam.source;
    let Some(service) = exam.exam.service.as_ref().filter(|s| s.enable_proctoring) else {
        return Ok((None, Vec::new()));
    };
    let locate = |d: Diagnostic| {
        let at = src.map.value(&d.pointer);
        d.at(&src.display, at)
    };
    let jaas = service
        .jaas
        .as_ref()
        .filter(|_| service.server_type == ProctoringServerType::JitsiMeet);
    let pointer = match (service.server_type, jaas) {
        (ProctoringServerType::JitsiMeet, Some(_)) => "/service/jaas/privateKey",
        (ProctoringServerType::JitsiMeet, None) => "/service/appSecret",
        (ProctoringServerType::Zoom, _) => "/service/sdkSecret",
    };
    let Some(secret) = secrets.get(&src.display, pointer) else {
        return Err(Vec::new()); // a missing secret is reported by the validate stage
    };
    if jaas.is_some() && opts.profile == Profile::SebServer {
        return Err(vec![locate(
            Diagnostic::error(
                "token-profile-jaas",
                "SEB Server's token format is HS256 with an app secret: it cannot sign for Jitsi as a Service (seb-server #75)",
            )
            .pointer("/service/jaas")
            .hint("compile without --token-profile seb-server"),
        )]);
    }
    // With a roster, its rows are the participants that size the plan.
    let sized;
    let exam_file = match opts.roster {
        Some(r) => {
            let mut e = exam.exam.clone();
            e.exam.participants = Some(crate::exam::Participants::Count(
                u32::try_from(r.participants.len()).unwrap_or(u32::MAX),
            ));
            sized = e;
            &sized
        }
        None => &exam.exam,
    };
    let mut rooms = rooms::plan(exam_file, secret)
        .map_err(|ds| ds.into_iter().map(locate).collect::<Vec<_>>())?;
    let mut warnings = Vec::new();
    if service.server_type == ProctoringServerType::Zoom {
        if let Some(m) = opts.meetings {
            zoom::check_meetings(service, &exam.exam.exam.id, m).map_err(|d| vec![d])?;
            m.file.apply(&mut rooms);
        }
        // At `serverType: ZOOM` when the exam writes it (SEB Server's default type is ZOOM).
        let at = if src.value.pointer("/service/serverType").is_some() {
            "/service/serverType"
        } else {
            "/service"
        };
        let pending =
            zoom::pending_warning(&rooms, &src.display, &exam.exam.exam.id, opts.meetings);
        warnings.extend(pending.map(|d| locate(d.pointer(at))));
    }
    let seating = match opts.roster {
        Some(r) => {
            let (seating, mut w) = seats::assign(&mut rooms, r, service.collecting_room_size)?;
            warnings.append(&mut w);
            Some((r, seating))
        }
        None => None,
    };
    let roster = seating.as_ref().map(|(r, s)| (*r, s.as_slice()));
    let end = exam.exam.exam.end.as_deref().and_then(rfc3339_seconds);
    let (plan, warning) = match service.server_type {
        ProctoringServerType::JitsiMeet => {
            let signing = match jaas {
                Some(j) => jitsi::Signing::Jaas {
                    app_id: j.app_id.clone(),
                    kid: j.kid(),
                    features: j.proctor_features.clone(),
                    key: Box::new(rs256::private_key_from_pem(secret).map_err(|e| {
                        vec![locate(
                            Diagnostic::error(
                                "jaas-private-key",
                                format!("the JaaS private key cannot be used: {e}"),
                            )
                            .pointer(pointer)
                            .hint("give the private key the JaaS console made with this API key (PEM)"),
                        )]
                    })?),
                },
                None => {
                    let url = service.server_url.clone().unwrap_or_default();
                    jitsi::Signing::Hs256 {
                        secret,
                        app_key: service.app_key.clone().unwrap_or_default(),
                        sub: tokens::host_of(&url).unwrap_or_default(),
                        profile: opts.profile,
                    }
                }
            };
            jitsi::plan(service, &signing, rooms, roster, now, end)
        }
        ProctoringServerType::Zoom => {
            let signer = Signer {
                service,
                secret,
                now,
            };
            let numbers: Vec<u32> = rooms.iter().map(|r| r.number).collect();
            let (mut plan, warning) = signer.zoom(rooms, end);
            if let Some((r, seating)) = roster {
                plan.seats = zoom_seats(&plan, r, seating, &numbers);
            }
            (plan, warning)
        }
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

/// Zoom seats: the room's join attributes with the participant's `zoomUserName` (SEB Server sends the
/// client's user session id there, `ZoomProctoringService.java:226-267`); the SDK token names no user.
/// `numbers` are the planned rooms' numbers, by the index `seating` uses.
fn zoom_seats(plan: &Plan, roster: &Roster, seating: &[usize], numbers: &[u32]) -> Vec<Seat> {
    roster
        .participants
        .iter()
        .zip(seating)
        .filter_map(|(p, &i)| {
            let at = plan.rooms.iter().position(|r| {
                r.room.room_type == RoomType::Proctoring && Some(&r.room.number) == numbers.get(i)
            })?;
            Some(Seat::new(
                p,
                at,
                &plan.rooms[at],
                "zoomUserName",
                p.name.clone(),
            ))
        })
        .collect()
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
            seats: Vec::new(),
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
