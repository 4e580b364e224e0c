//! Jitsi Meet rooms' tokens and SEB join attributes, signed one of three ways: HS256 with sebc's
//! default claims, HS256 byte for byte as SEB Server signs (`--token-profile seb-server`), or RS256 for
//! 8x8's Jitsi as a Service (`service.jaas`). With a roster each participant gets their own SEB token.
//!
//! SEB Server's format (`webservice/servicelayer/session/impl/proctoring/JitsiProctoringService.java` @
//! ab20dca3): header `{"alg":"HS256","typ":"JWT"}` (line 79), payload fields in the declaration order of
//! `JWTContext` — `context, moderator, aud, iss, sub, room, exp` (lines 498-505, `nbf` always null and
//! left out) — `context.user` holding only `name` (the `User(id, name)` constructor drops the id,
//! lines 558-565), `aud` `seb-server`/`seb-client` (lines 76-77), `sub` the server URL's host (line 377),
//! `exp` in epoch **milliseconds**: the exam's end, or now + one day (`forExam`, lines 477-490). The
//! user name is the proctor's login or the client's user session id (lines 298, 326).

use super::jaas::{self, JaasClaims};
use super::rooms::Room;
use super::tokens::{self, AUD_CLIENT, AUD_PROCTOR, JitsiClaims, Profile};
use super::{LifetimeWarning, Plan, PlannedRoom, Seat, TOKEN_DEFAULT_LIFETIME, TOKEN_GRACE};
use crate::exam::{JaasFeature, ServiceSettings};
use crate::roster::Roster;
use rsa::RsaPrivateKey;

/// How the tokens of one exam are signed.
pub(super) enum Signing<'a> {
    /// A Jitsi server's app secret (Prosody's `app_secret`).
    Hs256 {
        secret: &'a [u8],
        app_key: String,
        /// The server URL's bare host.
        sub: String,
        profile: Profile,
    },
    /// Jitsi as a Service: the API key's private key.
    Jaas {
        app_id: String,
        kid: String,
        features: Vec<JaasFeature>,
        key: Box<RsaPrivateKey>,
    },
}

/// Who a token is for.
struct User<'a> {
    /// A roster participant's id; the shared tokens have none (JaaS's name them `proctor` and `seb`).
    id: Option<&'a str>,
    name: &'a str,
    moderator: bool,
}

const PROCTOR: User<'static> = User {
    id: None,
    name: "Proctor",
    moderator: true,
};
const SEB: User<'static> = User {
    id: None,
    name: "SEB",
    moderator: false,
};

impl Signing<'_> {
    fn token(&self, room: &str, user: &User<'_>, times: &Times) -> String {
        match self {
            Signing::Hs256 {
                secret,
                app_key,
                sub,
                profile,
            } => {
                let claims = JitsiClaims {
                    name: user.name,
                    user_id: user.id.filter(|_| *profile == Profile::Default),
                    moderator: user.moderator,
                    aud: if user.moderator {
                        AUD_PROCTOR
                    } else {
                        AUD_CLIENT
                    },
                    iss: app_key.trim(),
                    sub,
                    room,
                    exp: times.exp_claim,
                };
                tokens::jitsi_token(&claims, *profile, secret)
            }
            Signing::Jaas {
                app_id,
                kid,
                features,
                key,
            } => {
                let claims = JaasClaims {
                    app_id,
                    room,
                    user_id: user
                        .id
                        .unwrap_or(if user.moderator { "proctor" } else { "seb" }),
                    name: user.name,
                    moderator: user.moderator,
                    features,
                    nbf: times.nbf,
                    exp: times.exp_claim,
                };
                jaas::token(&claims, kid, key)
            }
        }
    }

    /// SEB's `jitsiMeetRoom` for a room.
    fn seb_room(&self, room: &str) -> String {
        match self {
            Signing::Hs256 { .. } => room.to_string(),
            Signing::Jaas { app_id, .. } => jaas::seb_room(app_id, room),
        }
    }
}

/// Token times: the `exp` claim as written (milliseconds in SEB Server's format), the expiry in
/// seconds, and `nbf` (JaaS only).
struct Times {
    exp_claim: i64,
    expires: i64,
    nbf: i64,
}

fn times(signing: &Signing<'_>, now: i64, end: Option<i64>) -> Times {
    if let Signing::Hs256 {
        profile: Profile::SebServer,
        ..
    } = signing
    {
        // JitsiProctoringService.forExam: the end itself, or now + a day, in milliseconds.
        let expires = end.unwrap_or(now + TOKEN_DEFAULT_LIFETIME);
        return Times {
            exp_claim: expires * 1000,
            expires,
            nbf: now,
        };
    }
    let expires = end.map_or(now + TOKEN_DEFAULT_LIFETIME, |e| e + TOKEN_GRACE);
    Times {
        exp_claim: expires,
        expires,
        nbf: now - jaas::NBF_SKEW_SECONDS,
    }
}

/// The plan of a Jitsi exam: each room's proctor token and SEB join attributes (SEB Server's
/// `SEB_PROCTORING` instruction, `JitsiProctoringService.createJoinInstructionAttributes`, lines
/// 260-285), and with a roster each participant's own, in the room `seating` gives them.
pub(super) fn plan(
    service: &ServiceSettings,
    signing: &Signing<'_>,
    rooms: Vec<Room>,
    roster: Option<(&Roster, &[usize])>,
    now: i64,
    end: Option<i64>,
) -> (Plan, LifetimeWarning) {
    let times = times(signing, now, end);
    let warning = (times.expires <= now).then(|| {
        (
            "the exam is over: its tokens are already expired".to_string(),
            "compile with --now before the exam ends",
        )
    });
    let url = service.server_url.clone().unwrap_or_default();
    let planned: Vec<PlannedRoom> = rooms
        .into_iter()
        .map(|room| {
            let seb = vec![
                ("service-type", "JITSI_MEET".to_string()),
                ("method", "JOIN".to_string()),
                ("jitsiMeetServerURL", url.clone()),
                ("jitsiMeetRoom", signing.seb_room(&room.name)),
                ("jitsiMeetSubject", room.subject.clone()),
                ("jitsiMeetToken", signing.token(&room.name, &SEB, &times)),
                ("roomType", super::room_type(room.room_type).to_string()),
            ];
            PlannedRoom {
                proctor_token: signing.token(&room.name, &PROCTOR, &times),
                room,
                seb,
            }
        })
        .collect();
    let seats = roster.map_or_else(Vec::new, |(roster, seating)| {
        roster
            .participants
            .iter()
            .zip(seating)
            .map(|(p, &room)| {
                let user = User {
                    id: Some(&p.id),
                    name: &p.name,
                    moderator: false,
                };
                let token = signing.token(&planned[room].room.name, &user, &times);
                Seat::new(p, room, &planned[room], "jitsiMeetToken", token)
            })
            .collect()
    });
    let plan = Plan {
        rooms: planned,
        expires: times.expires,
        seats,
    };
    (plan, warning)
}
