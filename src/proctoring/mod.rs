//! Live and screen proctoring: the checks of the `service` and `screenProctoring` sections (SEB Server's
//! rules and error codes, plus an operator's), the room plan, and the tokens and SEB join attributes of
//! each room. The validate stage calls [`check`]; the compile step calls [`build`] after merging.

pub mod jwt;
pub mod rooms;
pub mod tokens;

use crate::diagnostic::Diagnostic;
use crate::exam::{ProctoringServerType, RoomType};
use crate::load::LoadedExam;
use crate::resolve::ResolvedSecrets;
use crate::validate::{ValidExam, rfc3339_seconds};
use rooms::Room;
use serde_json::Value;
use tokens::{AUD_CLIENT, AUD_PROCTOR, JitsiClaims, Profile, ZoomClaims};

/// Tokens outlive the exam's end by this much (seconds).
pub const TOKEN_GRACE: i64 = 1800;
/// Lifetime of tokens for exams without an end (seconds), as SEB Server's.
pub const TOKEN_DEFAULT_LIFETIME: i64 = 86_400;

/// `https://host[:port][/path]` without query or fragment: what SEB Server and an operator accept.
fn url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Some("must be an absolute https:// URL");
    };
    if url.contains('?') || url.contains('#') {
        return Some("must not have a query or fragment (SEB Server rejects `?`)");
    }
    if url.contains(char::is_whitespace) || tokens::host_of(url).is_none() || rest.starts_with('/')
    {
        return Some("is not a valid URL");
    }
    None
}

fn zoom_url_ok(url: &str) -> bool {
    let host = tokens::host_of(url)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let path = url.splitn(4, '/').nth(3).unwrap_or("");
    path.is_empty()
        && (host == "zoom.us"
            || host
                .strip_suffix(".zoom.us")
                .is_some_and(|org| !org.is_empty() && !org.contains('.')))
}

/// Checks of the `service`, `screenProctoring` and proctoring-tab settings of one exam file.
pub fn check(src: &LoadedExam, diags: &mut Vec<Diagnostic>) {
    let v = &src.value;
    let file = src.display.as_str();
    let mut push = |severity_error: bool,
                    code: &'static str,
                    pointer: &str,
                    key_pos: bool,
                    msg: String,
                    hint: &str| {
        let at = if key_pos {
            src.map.key(pointer)
        } else {
            src.map.value(pointer)
        };
        let d = if severity_error {
            Diagnostic::error(code, msg)
        } else {
            Diagnostic::warning(code, msg)
        };
        diags.push(d.at(file, at).pointer(pointer).hint(hint));
    };
    let blank = |x: Option<&Value>| {
        x.is_none_or(|x| x.is_null() || x.as_str().is_some_and(|s| s.trim().is_empty()))
    };
    if let Some(service) = v.get("service").filter(|s| s.is_object()) {
        let zoom = service.get("serverType").and_then(Value::as_str) != Some("JITSI_MEET");
        if service.get("serverType").is_none() {
            push(
                false,
                "service-type-defaulted",
                "/service",
                true,
                "`serverType` is not set: SEB Server's default is ZOOM".into(),
                "write serverType: JITSI_MEET or serverType: ZOOM",
            );
        }
        match service.get("serverURL").and_then(Value::as_str) {
            _ if blank(service.get("serverURL")) => push(
                true,
                "proctoringSettings:serverURL:notNull",
                "/service",
                true,
                "`serverURL` is mandatory".into(),
                "the proctoring server's address, e.g. https://meet.example.org",
            ),
            Some(url) => {
                if let Some(problem) = url_problem(url) {
                    push(
                        true,
                        "proctoringSettings:serverURL:invalidURL",
                        "/service/serverURL",
                        false,
                        format!("`serverURL` {problem}"),
                        "write the server's address, e.g. https://meet.example.org",
                    );
                } else if zoom && !zoom_url_ok(url) {
                    push(
                        true,
                        "proctoringSettings:serverURL:invalidURL",
                        "/service/serverURL",
                        false,
                        "a Zoom `serverURL` must be https://zoom.us or https://<org>.zoom.us"
                            .into(),
                        "SEB Server calls Zoom's API at this address",
                    );
                }
            }
            None => {}
        }
        let required: &[&str] = if zoom {
            &[
                "accountId",
                "clientId",
                "clientSecret",
                "sdkKey",
                "sdkSecret",
            ]
        } else {
            &["appKey", "appSecret"]
        };
        for key in required {
            if blank(service.get(*key)) {
                let code: &'static str = match *key {
                    "appKey" => "proctoringSettings:appKey:notNull",
                    "appSecret" => "proctoringSettings:appSecret:notNull",
                    "accountId" => "proctoringSettings:accountId:notNull",
                    "clientId" => "proctoringSettings:clientId:notNull",
                    "clientSecret" => "proctoringSettings:clientSecret:notNull",
                    "sdkKey" => "proctoringSettings:sdkKey:notNull",
                    _ => "proctoringSettings:sdkSecret:notNull",
                };
                let server = if zoom { "Zoom" } else { "Jitsi Meet" };
                push(
                    true,
                    code,
                    "/service",
                    true,
                    format!("`{key}` is mandatory for {server}"),
                    "secrets are written as { env: NAME } or { file: PATH }",
                );
            }
        }
        if service
            .get("collectingRoomSize")
            .and_then(Value::as_i64)
            .is_some_and(|n| n <= 0)
        {
            push(
                false,
                "unlimited-room-size",
                "/service/collectingRoomSize",
                false,
                "`collectingRoomSize` <= 0 means unlimited: every participant joins one room"
                    .into(),
                "a proctor can watch about 20 participants at once",
            );
        }
        if let Some(rooms) = service.get("rooms").and_then(Value::as_array) {
            for (i, room) in rooms.iter().enumerate() {
                if let Some(subject) = room.get("subject").and_then(Value::as_str)
                    && !subject.chars().all(|c| (' '..='~').contains(&c))
                {
                    let p = format!("/service/rooms/{i}/subject");
                    push(
                        false,
                        "non-ascii-name",
                        &p,
                        false,
                        "the room subject is not printable ASCII".into(),
                        "some Jitsi and Zoom clients show such subjects garbled",
                    );
                }
            }
        }
    }
    if let Some(sps) = v
        .get("screenProctoring")
        .filter(|s| s.get("enableScreenProctoring") == Some(&Value::Bool(true)))
    {
        match sps.get("spsServiceURL").and_then(Value::as_str) {
            _ if blank(sps.get("spsServiceURL")) => push(
                true,
                "screenProctoringSettings:spsServiceURL:notNull",
                "/screenProctoring",
                true,
                "`spsServiceURL` is mandatory when screen proctoring is enabled".into(),
                "the screen proctoring service's address",
            ),
            Some(url) => {
                if let Some(problem) = url_problem(url) {
                    push(
                        true,
                        "screenProctoringSettings:spsServiceURL:invalidURL",
                        "/screenProctoring/spsServiceURL",
                        false,
                        format!("`spsServiceURL` {problem}"),
                        "write the service's address, e.g. https://sps.example.org",
                    );
                }
            }
            None => {}
        }
        for (key, code) in [
            ("spsAPIKey", "screenProctoringSettings:spsAPIKey:notNull"),
            (
                "spsAPISecret",
                "screenProctoringSettings:spsAPISecret:notNull",
            ),
            (
                "spsAccountId",
                "screenProctoringSettings:spsAccountId:notNull",
            ),
            (
                "spsAccountPassword",
                "screenProctoringSettings:spsAccountPassword:notNull",
            ),
        ] {
            if blank(sps.get(key)) {
                push(
                    true,
                    code,
                    "/screenProctoring",
                    true,
                    format!("`{key}` is mandatory when screen proctoring is enabled"),
                    "secrets are written as { env: NAME } or { file: PATH }",
                );
            }
        }
        if sps.get("spsCollectingStrategy").and_then(Value::as_str) == Some("APPLY_SEB_GROUPS")
            && blank(sps.get("spsSEBGroupsSelection"))
        {
            push(
                true,
                "screenProctoringSettings:spsSEBGroupsSelection:notNull",
                "/screenProctoring",
                true,
                "`spsSEBGroupsSelection` is mandatory with APPLY_SEB_GROUPS".into(),
                "the comma-separated ids of the SEB client groups",
            );
        }
    }
    let tab = |key: &str, default: i64| {
        v.pointer(&format!("/proctoring/{key}"))
            .or_else(|| v.pointer(&format!("/seb/{key}")))
            .and_then(Value::as_i64)
            .unwrap_or(default)
    };
    let (min, max) = (
        tab("screenProctoringScreenshotMinInterval", 1000),
        tab("screenProctoringScreenshotMaxInterval", 5000),
    );
    if min > max {
        let p = if v
            .pointer("/proctoring/screenProctoringScreenshotMinInterval")
            .is_some()
        {
            "/proctoring/screenProctoringScreenshotMinInterval"
        } else {
            "/seb/screenProctoringScreenshotMinInterval"
        };
        push(
            true,
            "screenshot-interval",
            p,
            false,
            format!(
                "the minimal screenshot interval ({min} ms) is above the maximal one ({max} ms)"
            ),
            "screenProctoringScreenshotMinInterval must not exceed screenProctoringScreenshotMaxInterval",
        );
    }
    if let Some(name) = v
        .pointer("/proctoring/jitsiMeetUserInfoDisplayName")
        .and_then(Value::as_str)
        && !name.chars().all(|c| (' '..='~').contains(&c))
    {
        push(
            false,
            "non-ascii-name",
            "/proctoring/jitsiMeetUserInfoDisplayName",
            false,
            "the display name is not printable ASCII".into(),
            "Jitsi requires context and display names it can pass through XMPP unchanged",
        );
    }
}

/// One planned room with its tokens.
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
    pub server_type: ProctoringServerType,
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
/// the signing secret comes from `secrets`.
pub fn build(
    exam: &ValidExam,
    secrets: &ResolvedSecrets,
    now: i64,
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
        return Err(Vec::new()); // a missing secret is reported by `check`
    };
    let rooms = rooms::plan(&exam.exam, secret)
        .map_err(|ds| ds.into_iter().map(locate).collect::<Vec<_>>())?;
    let end = exam.exam.exam.end.as_deref().and_then(rfc3339_seconds);
    let url = service.server_url.clone().unwrap_or_default();
    let mut warnings = Vec::new();
    let warn = |msg: String, hint: &str| {
        locate(
            Diagnostic::warning("token-lifetime", msg)
                .pointer("/exam/end")
                .hint(hint),
        )
    };
    let (planned, expires) = match service.server_type {
        ProctoringServerType::JitsiMeet => {
            let exp = end.map_or(now + TOKEN_DEFAULT_LIFETIME, |e| e + TOKEN_GRACE);
            if exp <= now {
                warnings.push(warn(
                    "the exam is over: its tokens are already expired".into(),
                    "compile with --now before the exam ends",
                ));
            }
            let sub = tokens::host_of(&url).unwrap_or_default();
            let app_key = service.app_key.clone().unwrap_or_default();
            let planned = rooms
                .into_iter()
                .map(|room| {
                    let claims =
                        |moderator: bool, aud: &'static str, name: &'static str| JitsiClaims {
                            name,
                            moderator,
                            aud,
                            iss: app_key.trim(),
                            sub: &sub,
                            room: &room.name,
                            exp,
                        };
                    let proctor_token = tokens::jitsi_token(
                        &claims(true, AUD_PROCTOR, "Proctor"),
                        Profile::Default,
                        secret,
                    );
                    let client_token = tokens::jitsi_token(
                        &claims(false, AUD_CLIENT, "SEB"),
                        Profile::Default,
                        secret,
                    );
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
            (planned, exp)
        }
        ProctoringServerType::Zoom => {
            let wanted = end.map_or(now + TOKEN_DEFAULT_LIFETIME - 10, |e| e + TOKEN_GRACE);
            let exp = wanted.clamp(
                now + tokens::ZOOM_MIN_LIFETIME,
                now + tokens::ZOOM_MAX_LIFETIME,
            );
            if exp < wanted {
                warnings.push(warn(
                    "Zoom SDK tokens live at most 48 hours: they expire before the exam ends"
                        .into(),
                    "compile within two days of the exam (pass --now to plan ahead)",
                ));
            }
            let sdk_key = service.sdk_key.clone().unwrap_or_default();
            let mut planned = Vec::new();
            for room in rooms {
                let mn = room.meeting_number.unwrap_or_default();
                let token = |role| {
                    tokens::zoom_token(
                        &ZoomClaims {
                            sdk_key: sdk_key.trim(),
                            mn,
                            role,
                            iat: now,
                            exp,
                        },
                        secret,
                    )
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
                if let Some(key) = &room.meeting_key {
                    seb.push(("zoomMeetingKey", key.clone()));
                }
                seb.push(("zoomUserName", "SEB".to_string()));
                seb.push(("zoomSubject", room.subject.clone()));
                seb.push(("roomType", room_type(room.room_type).to_string()));
                planned.push(PlannedRoom {
                    room,
                    proctor_token,
                    seb,
                });
            }
            (planned, exp)
        }
    };
    Ok((
        Some(Plan {
            server_type: service.server_type,
            rooms: planned,
            expires,
        }),
        warnings,
    ))
}

fn room_type(t: RoomType) -> &'static str {
    match t {
        RoomType::Proctoring => "proctoring",
        RoomType::Townhall => "townhall",
    }
}
