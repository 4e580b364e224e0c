//! Zoom's REST API as SEB Server calls it (seb-server `ZoomProctoringService.java`, "ZPS"): a
//! server-to-server OAuth token (`account_credentials`, ZPS:986-1003, 1088-1093), then users and
//! meetings under `v2/` (the paths of ZPS:712-720, the bodies of `ZoomRoomRequestResponse.java`, "ZRR").
//! HTTPS through `ureq` with rustls; every request has a timeout; 429 (after `Retry-After`) and 5xx
//! are retried with backoff; 401, 403 and 404 say what to check. No secret (client secret, access token,
//! meeting password) reaches an error message: messages show Zoom's own `message` only, scrubbed.

use crate::secret::{ExposeSecret, Secret};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::time::Duration;
use ureq::http::{Method, Request};

/// How many times one request is sent at most (the first try and the retries).
pub const MAX_ATTEMPTS: u32 = 4;
/// First backoff after a 5xx; it doubles each retry.
pub const FIRST_BACKOFF_MS: u64 = 500;
/// The longest `Retry-After` honoured (seconds); a longer one is an error, not a wait.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;
/// Largest response body read.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// What went wrong with a call, ready to show: no secret in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub message: String,
    pub hint: String,
    /// The HTTP status, when Zoom answered.
    pub status: Option<u16>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The OAuth credentials of a Server-to-Server OAuth app (the service's `accountId`, `clientId` and
/// `clientSecret`).
pub struct Credentials<'a> {
    pub account_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a [u8],
}

/// A client of one Zoom API base, authorized with an OAuth access token.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Secret,
    /// Secrets to scrub from anything shown (the client secret, the access token).
    scrub: Vec<Secret>,
}

/// A Zoom user created to host a room's meeting (ZRR:200-220).
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
}

/// What Zoom says about a created meeting (ZRR:266-304).
#[derive(Debug, Clone)]
pub struct CreatedMeeting {
    pub id: u64,
    pub uuid: Option<String>,
    pub join_url: String,
    pub encrypted_password: String,
}

/// `<base>/<path>`, with exactly one `/` between (SEB Server's `UriComponentsBuilder.path`).
pub fn url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("sebc/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

impl Client {
    /// Gets an access token: `POST <base>/oauth/token` with `grant_type=account_credentials` and
    /// `account_id`, the client id and secret as HTTP Basic authentication, as Spring's OAuth2 client
    /// sends them for SEB Server (ZPS:998-1003, 1091-1093).
    pub fn authorize(
        base: &str,
        credentials: &Credentials<'_>,
        timeout: Duration,
    ) -> Result<Client, ApiError> {
        let agent = agent(timeout);
        let mut basic = credentials.client_id.as_bytes().to_vec();
        basic.push(b':');
        basic.extend_from_slice(credentials.client_secret);
        let authorization = Secret::from(format!("Basic {}", STANDARD.encode(&basic)).into_bytes());
        zeroize::Zeroize::zeroize(&mut basic);
        let scrub = vec![Secret::from(credentials.client_secret.to_vec())];
        let body = format!(
            "grant_type=account_credentials&account_id={}",
            form_encode(credentials.account_id)
        );
        let target = url(base, "oauth/token");
        let (status, text) = send(
            &agent,
            Method::POST,
            &target,
            authorization.expose_secret(),
            Some(("application/x-www-form-urlencoded", body.into_bytes())),
        )?;
        if status != 200 {
            return Err(failure(status, &text, &target, Step::OAuth, &scrub));
        }
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let Some(token) = value.get("access_token").and_then(Value::as_str) else {
            return Err(ApiError {
                message: format!("{target} answered without an access_token"),
                hint:
                    "check that the API base is Zoom's (https://zoom.us or https://<name>.zoom.us)"
                        .into(),
                status: Some(status),
            });
        };
        let token = Secret::from(format!("Bearer {token}").into_bytes());
        let mut scrub = scrub;
        scrub.push(Secret::from(
            token.expose_secret()[b"Bearer ".len()..].to_vec(),
        ));
        Ok(Client {
            agent,
            base: base.to_string(),
            token,
            scrub,
        })
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        step: Step,
    ) -> Result<(u16, String), ApiError> {
        let target = url(&self.base, path);
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        let (status, text) = send(
            &self.agent,
            method,
            &target,
            self.token.expose_secret(),
            body,
        )?;
        if status >= 400 {
            return Err(failure(status, &text, &target, step, &self.scrub));
        }
        Ok((status, text))
    }

    /// `POST v2/users`: a licensed user (type 2) per room, `custCreate`, e-mail `<room>@<host>`, first
    /// name the room's name, last name `SEBProctoringRoomUser` (ZPS:773-793, ZRR:122-143).
    pub fn create_user(&self, room_name: &str, host: &str) -> Result<User, ApiError> {
        let body = json!({
            "action": "custCreate",
            "user_info": {
                "email": format!("{room_name}@{host}"),
                "type": 2,
                "first_name": room_name,
                "last_name": "SEBProctoringRoomUser",
            }
        });
        let (_, text) = self.call(Method::POST, "v2/users", Some(&body), Step::CreateUser)?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match v.get("id").and_then(Value::as_str) {
            Some(id) => Ok(User {
                id: id.to_string(),
                email: v
                    .get("email")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("{room_name}@{host}"), str::to_string),
            }),
            None => Err(unexpected("v2/users", "a user id")),
        }
    }

    /// `PATCH v2/users/{userId}/settings` with SEB Server's in-meeting settings (ZPS:801-826,
    /// ZRR:145-196). SEB Server only logs a failure here; so does the caller.
    pub fn apply_user_settings(&self, user_id: &str) -> Result<(), ApiError> {
        let body = json!({
            "in_meeting": {
                "virtual_background": false,
                "virtual_background_settings": {
                    "enable": false,
                    "allow_upload_custom": false,
                    "allow_videos": false,
                },
                "auto_saving_chat": true,
                "allow_users_save_chats": 3,
                "allow_participants_chat_with": 3,
            }
        });
        let path = format!("v2/users/{}/settings", path_segment(user_id));
        self.call(Method::PATCH, &path, Some(&body), Step::UserSettings)
            .map(drop)
    }

    /// `POST v2/users/{userId}/meetings`: a scheduled meeting (type 2) with SEB Server's settings, join
    /// before host and no waiting room (SEB Server's default: `enableWaitingRoom` false; ZPS:828-858,
    /// ZRR:222-264). `start_time` is `yyyy-MM-ddTHH:mm:ss` in UTC, `duration` in minutes.
    pub fn create_meeting(
        &self,
        user_id: &str,
        topic: &str,
        start_time: &str,
        duration_minutes: i64,
        password: &str,
    ) -> Result<CreatedMeeting, ApiError> {
        let body = json!({
            "topic": topic,
            "type": 2,
            "start_time": start_time,
            "timezone": "UTC",
            "duration": duration_minutes,
            "password": password,
            "settings": {
                "host_video": false,
                "mute_upon_entry": false,
                "join_before_host": true,
                "jbh_time": 0,
                "use_pmi": false,
                "audio": "voip",
                "waiting_room": false,
                "allow_multiple_devices": false,
            }
        });
        let path = format!("v2/users/{}/meetings", path_segment(user_id));
        let (_, text) = self.call(Method::POST, &path, Some(&body), Step::CreateMeeting)?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let text_of = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        match (v.get("id").and_then(Value::as_u64), text_of("join_url")) {
            (Some(id), Some(join_url)) => Ok(CreatedMeeting {
                id,
                uuid: text_of("uuid"),
                join_url,
                encrypted_password: text_of("encrypted_password").unwrap_or_default(),
            }),
            _ => Err(unexpected(&path, "a meeting id and join_url")),
        }
    }

    /// Ends a meeting (`PUT v2/meetings/{id}/status`, `{"action": "end"}`), deletes it (`DELETE
    /// v2/meetings/{id}`) and its user (`DELETE v2/users/{id}?action=delete`), as SEB Server disposes of
    /// a room (ZPS:860-931). Ending may fail (a meeting never started); a meeting or user already gone
    /// (404) counts as deleted.
    pub fn delete_meeting_and_user(&self, meeting_id: u64, user_id: &str) -> Result<(), ApiError> {
        let _ = self.call(
            Method::PUT,
            &format!("v2/meetings/{meeting_id}/status"),
            Some(&json!({ "action": "end" })),
            Step::Release,
        );
        gone(self.call(
            Method::DELETE,
            &format!("v2/meetings/{meeting_id}"),
            None,
            Step::Release,
        ))?;
        self.delete_user(user_id)
    }

    /// `DELETE v2/users/{id}?action=delete` (ZPS:912-931); a user already gone (404) counts as deleted.
    pub fn delete_user(&self, user_id: &str) -> Result<(), ApiError> {
        gone(self.call(
            Method::DELETE,
            &format!("v2/users/{}?action=delete", path_segment(user_id)),
            None,
            Step::Release,
        ))
    }
}

/// A delete that found nothing (404) has nothing left to do.
fn gone(r: Result<(u16, String), ApiError>) -> Result<(), ApiError> {
    match r {
        Err(e) if e.status == Some(404) => Ok(()),
        other => other.map(drop),
    }
}

/// What a request was for, to say what to check when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    OAuth,
    CreateUser,
    UserSettings,
    CreateMeeting,
    Release,
}

/// Sends one request, retrying 429 (after `Retry-After`) and 5xx with backoff. Returns the status and
/// body of the last answer; transport failures (timeout, refused connection) are errors at once.
fn send(
    agent: &ureq::Agent,
    method: Method,
    target: &str,
    authorization: &[u8],
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, String), ApiError> {
    let mut backoff = Duration::from_millis(FIRST_BACKOFF_MS);
    let mut attempt = 1;
    loop {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(target)
            .header("Accept", "application/json")
            .header("Authorization", authorization);
        if let Some((content_type, _)) = &body {
            request = request.header("Content-Type", *content_type);
        }
        let bytes = body.as_ref().map(|(_, b)| b.clone()).unwrap_or_default();
        let request = request.body(bytes).map_err(|e| ApiError {
            message: format!("cannot make a request to {target}: {e}"),
            hint: "check the API base (--api-base or the service's serverURL)".into(),
            status: None,
        })?;
        let mut response = agent.run(request).map_err(|e| transport(e, target))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .unwrap_or_default();
        let retryable = status == 429 || (500..600).contains(&status);
        if !retryable || attempt >= MAX_ATTEMPTS {
            return Ok((status, text));
        }
        let wait = match (status, retry_after) {
            (429, Some(secs)) if secs > MAX_RETRY_AFTER_SECS => {
                return Err(ApiError {
                    message: format!(
                        "Zoom's rate limit at {target}: it asks to wait {secs} s (Retry-After)"
                    ),
                    hint: "Zoom's daily limits reset at midnight UTC; try again later".into(),
                    status: Some(429),
                });
            }
            (429, Some(secs)) => Duration::from_secs(secs),
            _ => backoff,
        };
        std::thread::sleep(wait);
        backoff *= 2;
        attempt += 1;
    }
}

fn transport(e: ureq::Error, target: &str) -> ApiError {
    let (message, hint) = match &e {
        ureq::Error::Timeout(_) => (
            format!("{target} did not answer in time"),
            "check the network and the API base; give more time with --timeout SECONDS",
        ),
        ureq::Error::HostNotFound => (
            format!("cannot resolve the host of {target}"),
            "check the service's serverURL (https://zoom.us or https://<name>.zoom.us) or --api-base",
        ),
        _ => (
            format!("cannot reach {target}: {e}"),
            "check the network and the API base (--api-base or the service's serverURL)",
        ),
    };
    ApiError {
        message,
        hint: hint.into(),
        status: None,
    }
}

/// The error for an answer of 400 or more: Zoom's `message` (scrubbed, shortened) and what to check.
fn failure(status: u16, body: &str, target: &str, step: Step, scrub: &[Secret]) -> ApiError {
    let zoom_says = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("reason"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .map(|m| format!(": {}", scrubbed(&m, scrub)))
        .unwrap_or_default();
    let hint = match (status, step) {
        (400 | 401, Step::OAuth) => {
            "check the service's `accountId`, `clientId` and `clientSecret`: the credentials of a Server-to-Server OAuth app of that Zoom account, activated"
        }
        (401, _) => {
            "Zoom did not accept the access token: check that the Server-to-Server OAuth app is activated and that the API base serves Zoom's API"
        }
        (403, _) => {
            "the app lacks permission: give it the scopes to create, update and delete users and meetings (user:write:admin, meeting:write:admin), and an account that can add licensed users"
        }
        (404, Step::OAuth) => {
            "no OAuth endpoint there: the service's serverURL (or --api-base) must be Zoom's, https://zoom.us or https://<name>.zoom.us, without a path"
        }
        (404, _) => {
            "not found: check the API base (the service's serverURL or --api-base; Zoom's API lies under <base>/v2)"
        }
        (429, _) => "Zoom's rate limit: try again later",
        (500..=599, _) => "Zoom's service failed repeatedly: try again later",
        _ => "check the service settings and the API base",
    };
    ApiError {
        message: format!("{target} answered HTTP {status}{zoom_says}"),
        hint: hint.into(),
        status: Some(status),
    }
}

fn unexpected(path: &str, what: &str) -> ApiError {
    ApiError {
        message: format!("Zoom's answer to {path} has no {what}"),
        hint: "check that the API base serves Zoom's API (the service's serverURL or --api-base)"
            .into(),
        status: None,
    }
}

/// `text` with every secret of `scrub` replaced by `********`.
fn scrubbed(text: &str, scrub: &[Secret]) -> String {
    let mut out = text.chars().take(300).collect::<String>();
    for s in scrub {
        if let Ok(s) = std::str::from_utf8(s.expose_secret())
            && !s.is_empty()
        {
            out = out.replace(s, "********");
        }
    }
    out
}

/// `application/x-www-form-urlencoded` of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A path segment from an id Zoom gave: percent-encoded so that it stays one segment.
fn path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(
            url("https://zoom.us", "v2/users"),
            "https://zoom.us/v2/users"
        );
        assert_eq!(
            url("https://zoom.us/", "/oauth/token"),
            "https://zoom.us/oauth/token"
        );
    }

    #[test]
    fn encodings_keep_values_in_their_place() {
        assert_eq!(form_encode("Ab1 C&d=é"), "Ab1+C%26d%3D%C3%A9");
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
    }

    #[test]
    fn errors_scrub_secrets_and_say_what_to_check() {
        let scrub = [Secret::from(b"s3cret-value".to_vec())];
        let e = failure(
            401,
            r#"{"reason":"bad client s3cret-value","error":"invalid_client"}"#,
            "https://zoom.us/oauth/token",
            Step::OAuth,
            &scrub,
        );
        assert_eq!(
            e.message,
            "https://zoom.us/oauth/token answered HTTP 401: bad client ********"
        );
        assert!(e.hint.contains("accountId"), "{}", e.hint);
        let e = failure(403, "not json", "u", Step::CreateUser, &scrub);
        assert!(e.hint.contains("scopes") && e.message == "u answered HTTP 403");
        let e = failure(404, "", "u", Step::OAuth, &scrub);
        assert!(e.hint.contains("without a path"), "{}", e.hint);
        let e = failure(404, "", "u", Step::CreateMeeting, &scrub);
        assert!(e.hint.contains("<base>/v2"), "{}", e.hint);
        let e = failure(401, "", "u", Step::CreateUser, &scrub);
        assert!(e.hint.contains("activated"), "{}", e.hint);
    }
}
