//! The tokens of live proctoring: Jitsi Meet JWTs (SEB Server's claims, in its order) and Zoom Meeting
//! SDK JWTs, plus `verify`, which runs the checks Jitsi's Prosody runs and returns its reason strings.

use super::jwt;
use serde_json::{Map, Value, json};

/// Payload variants of a Jitsi token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// SEB Server's claims plus `context.user.moderator` (what Jitsi's token-affiliation module reads).
    #[default]
    Default,
    /// SEB Server's payload byte for byte: no extra claims, `exp` exactly as given.
    SebServer,
}

/// The claims of one Jitsi token.
#[derive(Debug, Clone)]
pub struct JitsiClaims<'a> {
    /// `context.user.name`.
    pub name: &'a str,
    /// `context.user.id` (a roster's participant id; SEB Server's format has none).
    pub user_id: Option<&'a str>,
    pub moderator: bool,
    /// `seb-server` for the proctor, `seb-client` for SEB.
    pub aud: &'a str,
    /// The app key (Prosody's `app_id`).
    pub iss: &'a str,
    /// The bare host of the server URL.
    pub sub: &'a str,
    pub room: &'a str,
    /// Expiry in seconds since the epoch.
    pub exp: i64,
}

pub const AUD_PROCTOR: &str = "seb-server";
pub const AUD_CLIENT: &str = "seb-client";

/// The payload JSON in SEB Server's claim order: `context, moderator, aud, iss, sub, room, exp`.
pub fn jitsi_payload(c: &JitsiClaims<'_>, profile: Profile) -> String {
    let mut user = Map::new();
    if let (Some(id), Profile::Default) = (c.user_id, profile) {
        user.insert("id".into(), json!(id));
    }
    user.insert("name".into(), json!(c.name));
    if profile == Profile::Default {
        user.insert("moderator".into(), json!(c.moderator));
    }
    let mut p = Map::new();
    p.insert("context".into(), json!({ "user": Value::Object(user) }));
    p.insert("moderator".into(), json!(c.moderator));
    p.insert("aud".into(), json!(c.aud));
    p.insert("iss".into(), json!(c.iss));
    p.insert("sub".into(), json!(c.sub));
    p.insert("room".into(), json!(c.room));
    p.insert("exp".into(), json!(c.exp));
    Value::Object(p).to_string()
}

pub fn jitsi_token(c: &JitsiClaims<'_>, profile: Profile, secret: &[u8]) -> String {
    jwt::sign(jitsi_payload(c, profile).as_bytes(), secret)
}

/// The bare host of a server URL, as SEB Server's `sub` (shared with the validate stage's URL checks).
pub use crate::address::host_of;

/// Zoom Meeting SDK token lifetimes Zoom accepts (`exp - iat`), in seconds.
pub const ZOOM_MIN_LIFETIME: i64 = 1800;
pub const ZOOM_MAX_LIFETIME: i64 = 172_800;

/// The claims of one Zoom Meeting SDK token.
#[derive(Debug, Clone)]
pub struct ZoomClaims<'a> {
    pub sdk_key: &'a str,
    /// Meeting number.
    pub mn: u64,
    /// 1 host (proctor), 0 participant (SEB).
    pub role: u8,
    pub iat: i64,
    pub exp: i64,
}

/// `{"appKey","sdkKey","mn","role","iat","exp","tokenExp"}` in SEB Server's order.
pub fn zoom_payload(c: &ZoomClaims<'_>) -> String {
    let mut p = Map::new();
    p.insert("appKey".into(), json!(c.sdk_key));
    p.insert("sdkKey".into(), json!(c.sdk_key));
    p.insert("mn".into(), json!(c.mn));
    p.insert("role".into(), json!(c.role));
    p.insert("iat".into(), json!(c.iat));
    p.insert("exp".into(), json!(c.exp));
    p.insert("tokenExp".into(), json!(c.exp));
    Value::Object(p).to_string()
}

/// A Zoom SDK token; the lifetime must be within Zoom's 30 minutes to 48 hours.
pub fn zoom_token(c: &ZoomClaims<'_>, secret: &[u8]) -> Result<String, String> {
    let lifetime = c.exp - c.iat;
    if !(ZOOM_MIN_LIFETIME..=ZOOM_MAX_LIFETIME).contains(&lifetime) {
        return Err(format!(
            "Zoom accepts SDK tokens living {ZOOM_MIN_LIFETIME} to {ZOOM_MAX_LIFETIME} seconds; this one lives {lifetime}"
        ));
    }
    if c.role > 1 {
        return Err(format!(
            "Zoom roles are 0 (participant) and 1 (host), not {}",
            c.role
        ));
    }
    Ok(jwt::sign(zoom_payload(c).as_bytes(), secret))
}

/// What the server accepts, for [`verify`].
#[derive(Debug, Clone, Default)]
pub struct Acceptance<'a> {
    /// The app secret (HS256); without it or a public key the signature is not checked (and the
    /// result says so).
    pub secret: Option<&'a [u8]>,
    /// The public key (RS256: Prosody's `asap_key_server`, JaaS's uploaded API key).
    pub public_key: Option<&'a rsa::RsaPublicKey>,
    /// Accepted `iss` values (Prosody's default is the app id); `*` accepts any. Empty: not checked.
    pub issuers: Vec<String>,
    /// Accepted `aud` values (Prosody's default is `*`).
    pub audiences: Vec<String>,
    /// The current time, seconds since the epoch.
    pub now: i64,
}

/// The decoded token and what Prosody would not reject but an operator should know.
#[derive(Debug)]
pub struct Verified {
    pub header: Value,
    pub payload: Value,
    pub warnings: Vec<String>,
    pub signature_checked: bool,
}

/// Runs the checks of Prosody's `luajwtjitsi.verify` and `token/util.lib.lua`, in their order. The error
/// is the reason string the server sends to the client.
pub fn verify(token: &str, acc: &Acceptance<'_>) -> Result<Verified, &'static str> {
    let parts = jwt::split(token)?;
    let header: Value = serde_json::from_slice(&parts.header).map_err(|_| "Invalid header")?;
    let payload: Value = serde_json::from_slice(&parts.payload).map_err(|_| "Invalid body")?;
    if !payload.is_object() {
        return Err("Invalid body");
    }
    if header.get("typ").and_then(Value::as_str) != Some("JWT") {
        return Err("Invalid typ");
    }
    // Prosody expects the one algorithm it is configured with: HS256 with an app secret, RS256 with
    // public keys. Without either, both are read.
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let accepted: &[&str] = match (acc.public_key, acc.secret) {
        (Some(_), _) => &["RS256"],
        (None, Some(_)) => &["HS256"],
        (None, None) => &["HS256", "RS256"],
    };
    if !accepted.contains(&alg) {
        return Err("Invalid or incorrect alg");
    }
    if alg == "RS256" && !header.get("kid").is_some_and(Value::is_string) {
        return Err("'kid' claim is missing");
    }
    let signature_ok = match (acc.public_key, acc.secret) {
        (Some(key), _) => super::rs256::verify_signature(&parts, key),
        (None, Some(secret)) => jwt::verify_signature(&parts, secret),
        (None, None) => true,
    };
    if !signature_ok {
        return Err("Invalid signature");
    }
    let signature_checked = acc.secret.is_some() || acc.public_key.is_some();
    check_times(&payload, acc.now)?;
    check_claims(&payload, acc)?;
    check_jaas(&header, &payload)?;
    let warnings = warnings(&payload, signature_checked);
    Ok(Verified {
        header,
        payload,
        warnings,
        signature_checked,
    })
}

/// What jitsi-meet's `validateJwt` requires of a JaaS token (`sub` starting with
/// `vpaas-magic-cookie-`): its reasons `audInvalid`, `issInvalid`, `kidMismatch`, `featuresNotFound`
/// (react/features/jwt/functions.ts; `tokenAuthFailedReason.*` in its language file).
fn check_jaas(header: &Value, payload: &Value) -> Result<(), &'static str> {
    let sub = payload.get("sub").and_then(Value::as_str).unwrap_or("");
    if !sub.starts_with("vpaas-magic-cookie-") {
        return Ok(());
    }
    if payload.get("aud").and_then(Value::as_str) != Some(super::jaas::AUD) {
        return Err("JaaS: 'aud' should be 'jitsi'");
    }
    if payload.get("iss").and_then(Value::as_str) != Some(super::jaas::ISS) {
        return Err("JaaS: 'iss' should be 'chat'");
    }
    let kid = header.get("kid").and_then(Value::as_str).unwrap_or("");
    if !kid.starts_with(&format!("{sub}/")) {
        return Err("JaaS: 'kid' does not belong to the 'sub' tenant");
    }
    if !payload
        .pointer("/context/features")
        .is_some_and(Value::is_object)
    {
        return Err("JaaS: 'context.features' is missing");
    }
    Ok(())
}

/// Prosody's `exp` and `nbf` checks, with its reason strings.
fn check_times(payload: &Value, now: i64) -> Result<(), &'static str> {
    let number = |claim: &str| payload.get(claim).map(Value::as_f64);
    match number("exp") {
        Some(None) => return Err("exp must be number"),
        Some(Some(exp)) if now as f64 >= exp => return Err("Not acceptable by exp"),
        _ => {}
    }
    match number("nbf") {
        Some(None) => Err("nbf must be number"),
        Some(Some(nbf)) if (now as f64) < nbf => Err("Not acceptable by nbf"),
        _ => Ok(()),
    }
}

/// Prosody's issuer, audience, room and subject checks, with its reason strings.
fn check_claims(payload: &Value, acc: &Acceptance<'_>) -> Result<(), &'static str> {
    let accepted = |list: &[String], claim: &str| -> Option<bool> {
        let v = payload.get(claim)?;
        Some(
            list.iter().any(|a| a == "*")
                || v.as_str().is_some_and(|s| list.iter().any(|a| a == s)),
        )
    };
    if !acc.issuers.is_empty() {
        match accepted(&acc.issuers, "iss") {
            None => return Err("'iss' claim is missing"),
            Some(false) => return Err("invalid 'iss' claim"),
            Some(true) => {}
        }
    }
    let audiences = if acc.audiences.is_empty() {
        vec!["*".to_string()]
    } else {
        acc.audiences.clone()
    };
    match accepted(&audiences, "aud") {
        None => return Err("'aud' claim is missing"),
        Some(false) => return Err("invalid 'aud' claim"),
        Some(true) => {}
    }
    if payload.get("room").is_none() {
        return Err("room claim is missing");
    }
    if payload.get("sub").is_none() {
        return Err("sub claim is missing");
    }
    Ok(())
}

/// What Prosody accepts but an operator should know: lifetimes, audiences, rooms and user claims that
/// Jitsi handles differently from what the token's author likely meant.
fn warnings(payload: &Value, signature_checked: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    match payload.get("exp").and_then(Value::as_f64) {
        Some(exp) if exp > 1e11 => warnings.push("`exp` looks like milliseconds (SEB Server writes those): the token practically never expires".to_string()),
        Some(_) => {}
        None => warnings.push("no `exp`: the token never expires".to_string()),
    }
    if payload.get("aud").is_some_and(Value::is_array) {
        warnings.push(
            "`aud` is an array: Prosody accepts it only when every audience is accepted (`*`)"
                .to_string(),
        );
    }
    let room = payload.get("room").and_then(Value::as_str).unwrap_or("");
    if room == "*" {
        warnings.push("`room` is `*`: the token opens every room".to_string());
    } else if !super::rooms::is_safe_room_name(room) {
        warnings.push("`room` is not of the form [a-z0-9][a-z0-9_-]{0,63}: clients lowercase and percent-encode it, which may not match".to_string());
    }
    let user = payload.pointer("/context/user");
    if payload.get("moderator").is_some() && user.and_then(|u| u.get("moderator")).is_none() {
        warnings.push("top-level `moderator` only: Jitsi's token-affiliation module reads `context.user.moderator`".to_string());
    }
    if let Some(Value::Object(u)) = user {
        for (k, v) in u {
            if k != "moderator" && !v.is_string() {
                warnings.push(format!(
                    "`context.user.{k}` is not a string: Jitsi's presence identity rejects it"
                ));
            }
        }
    }
    if !signature_checked {
        warnings.push(
            "signature not checked (give the app secret with --secret-env or --secret-file, or the public key with --public-key)"
                .to_string(),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> JitsiClaims<'static> {
        JitsiClaims {
            name: "Test Name",
            user_id: None,
            moderator: true,
            aud: "test-client",
            iss: "test-app",
            sub: "seb-jitsi.example.ch",
            room: "SomeRoom",
            exp,
        }
    }

    #[test]
    fn seb_server_profile_is_byte_identical() {
        let c = JitsiClaims {
            moderator: false,
            sub: "https://test.ch",
            ..claims(1609459200)
        };
        assert_eq!(
            jitsi_payload(&c, Profile::SebServer),
            r#"{"context":{"user":{"name":"Test Name"}},"moderator":false,"aud":"test-client","iss":"test-app","sub":"https://test.ch","room":"SomeRoom","exp":1609459200}"#
        );
        assert_eq!(
            jitsi_token(
                &claims(1609459200),
                Profile::SebServer,
                b"fbvgeghergrgrthrehreg123"
            ),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb250ZXh0Ijp7InVzZXIiOnsibmFtZSI6IlRlc3QgTmFtZSJ9fSwibW9kZXJhdG9yIjp0cnVlLCJhdWQiOiJ0ZXN0LWNsaWVudCIsImlzcyI6InRlc3QtYXBwIiwic3ViIjoic2ViLWppdHNpLmV4YW1wbGUuY2giLCJyb29tIjoiU29tZVJvb20iLCJleHAiOjE2MDk0NTkyMDB9.47qoBCXG34ITeMmrwxlTmDcc6JLSVVF1HAOlcSkCvqw"
        );
        assert!(jitsi_payload(&claims(1), Profile::Default).starts_with(
            r#"{"context":{"user":{"name":"Test Name","moderator":true}},"moderator":true,"#
        ));
    }

    #[test]
    fn zoom_payload_and_derived_token() {
        let c = ZoomClaims {
            sdk_key: "sdk-key",
            mn: 123456789,
            role: 1,
            iat: 1609459200,
            exp: 1609545590,
        };
        assert_eq!(
            zoom_payload(&c),
            r#"{"appKey":"sdk-key","sdkKey":"sdk-key","mn":123456789,"role":1,"iat":1609459200,"exp":1609545590,"tokenExp":1609545590}"#
        );
        assert_eq!(
            zoom_token(&c, b"sdk-secret").unwrap(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBLZXkiOiJzZGsta2V5Iiwic2RrS2V5Ijoic2RrLWtleSIsIm1uIjoxMjM0NTY3ODksInJvbGUiOjEsImlhdCI6MTYwOTQ1OTIwMCwiZXhwIjoxNjA5NTQ1NTkwLCJ0b2tlbkV4cCI6MTYwOTU0NTU5MH0.GFb6c-ANwSFhiYXLJ1N20R1y2U-A5VmAoI-SXqO-Cwk"
        );
        assert!(
            zoom_token(
                &ZoomClaims {
                    exp: 1609459200 + 60,
                    ..c.clone()
                },
                b"s"
            )
            .is_err()
        );
        assert!(zoom_token(&ZoomClaims { role: 2, ..c }, b"s").is_err());
    }

    #[test]
    fn prosody_checks_in_order() {
        let secret = b"s3cret";
        let acc = |now| Acceptance {
            secret: Some(secret),
            public_key: None,
            issuers: vec!["test-app".into()],
            audiences: vec![],
            now,
        };
        let good = jitsi_token(&claims(2_000), Profile::Default, secret);
        let v = verify(&good, &acc(1_000)).unwrap();
        assert_eq!(v.payload["room"], "SomeRoom");
        assert!(
            v.warnings.iter().any(|w| w.contains("[a-z0-9]")),
            "SomeRoom has capitals"
        );
        assert_eq!(
            verify(&good, &acc(2_000)).unwrap_err(),
            "Not acceptable by exp"
        );
        assert_eq!(verify("a.b", &acc(0)).unwrap_err(), "Invalid token");
        assert_eq!(verify("!!.e30.AA", &acc(0)).unwrap_err(), "Invalid header");
        assert_eq!(
            verify(
                &good,
                &Acceptance {
                    secret: Some(b"wrong"),
                    ..acc(0)
                }
            )
            .unwrap_err(),
            "Invalid signature"
        );
        assert_eq!(
            verify(
                &good,
                &Acceptance {
                    issuers: vec!["other".into()],
                    ..acc(0)
                }
            )
            .unwrap_err(),
            "invalid 'iss' claim"
        );
        assert_eq!(
            verify(
                &good,
                &Acceptance {
                    audiences: vec!["jitsi".into()],
                    ..acc(0)
                }
            )
            .unwrap_err(),
            "invalid 'aud' claim"
        );
        let no_room = jwt::sign(
            br#"{"aud":"a","iss":"test-app","sub":"x","exp":5000}"#,
            secret,
        );
        assert_eq!(
            verify(&no_room, &acc(0)).unwrap_err(),
            "room claim is missing"
        );
        let no_sub = jwt::sign(
            br#"{"aud":"a","iss":"test-app","room":"r","exp":5000}"#,
            secret,
        );
        assert_eq!(
            verify(&no_sub, &acc(0)).unwrap_err(),
            "sub claim is missing"
        );
        let string_exp = jwt::sign(
            br#"{"aud":"a","iss":"test-app","room":"r","sub":"x","exp":"5000"}"#,
            secret,
        );
        assert_eq!(
            verify(&string_exp, &acc(0)).unwrap_err(),
            "exp must be number"
        );
        let millis = jitsi_token(&claims(1_609_459_200_000), Profile::SebServer, secret);
        let v = verify(&millis, &acc(0)).unwrap();
        assert!(v.warnings.iter().any(|w| w.contains("milliseconds")));
        assert!(
            v.warnings
                .iter()
                .any(|w| w.contains("context.user.moderator"))
        );
    }
}
