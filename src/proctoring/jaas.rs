//! Tokens for 8x8's Jitsi as a Service (JaaS), which SEB Server cannot sign (seb-server #75: it only
//! makes HS256 tokens). From the JaaS documentation ("The Jitsi JSON Web Token", developer.8x8.com/jaas):
//!
//! ```text
//! header:  alg "RS256", kid "<the kid listed for the uploaded API key>", typ "JWT"
//! body:    aud "jitsi" (hardcoded), iss "chat" (hardcoded), sub "<AppID>" (vpaas-magic-cookie-…),
//!          room (a room name, or *), exp, nbf,
//!          context.user: id, name, avatar, email, moderator "true"/"false" (strings),
//!          context.features: key → "true"/"false"; "a participant needs to be moderator as a
//!          prerequisite to enable feature permissions"
//! IFrame:  roomName "must be in the format <AppID>/<room>", domain 8x8.vc
//! ```
//!
//! So the token's `room` is the bare room name and SEB's `jitsiMeetRoom` is `<AppID>/<room>`: SEB for
//! Windows hands `jitsiMeetRoom` to `JitsiMeetExternalAPI` as `roomName` and the server URL without its
//! scheme as the domain (seb-win-refactoring `SafeExamBrowser.Proctoring/JitsiMeet/index.html:36-40`,
//! `ProctoringControl.cs:92-95` @ v3.5.0).

use super::rs256;
use crate::exam::JaasFeature;
use rsa::RsaPrivateKey;
use serde_json::{Map, Value, json};

pub const AUD: &str = "jitsi";
pub const ISS: &str = "chat";

/// Tokens are valid from this long before they are made (seconds): JaaS and Prosody check `nbf` without
/// leeway, and a client's clock may be behind the machine that compiled.
pub const NBF_SKEW_SECONDS: i64 = 300;

/// The claims of one JaaS token.
#[derive(Debug, Clone)]
pub struct JaasClaims<'a> {
    /// The AppID: `sub`.
    pub app_id: &'a str,
    /// The bare room name (without the AppID).
    pub room: &'a str,
    /// `context.user.id`.
    pub user_id: &'a str,
    /// `context.user.name`.
    pub name: &'a str,
    pub moderator: bool,
    /// Features enabled (only a moderator's count); every known feature is written, the rest "false".
    pub features: &'a [JaasFeature],
    pub nbf: i64,
    pub exp: i64,
}

fn flag(on: bool) -> Value {
    json!(if on { "true" } else { "false" })
}

/// The payload JSON: `aud, iss, sub, room, nbf, exp, context`.
pub fn payload(c: &JaasClaims<'_>) -> String {
    let mut user = Map::new();
    user.insert("id".into(), json!(c.user_id));
    user.insert("name".into(), json!(c.name));
    user.insert("moderator".into(), flag(c.moderator));
    let features: Map<String, Value> = JaasFeature::ALL
        .iter()
        .map(|f| {
            let on = c.moderator && c.features.contains(f);
            (f.claim().to_string(), flag(on))
        })
        .collect();
    let mut p = Map::new();
    p.insert("aud".into(), json!(AUD));
    p.insert("iss".into(), json!(ISS));
    p.insert("sub".into(), json!(c.app_id));
    p.insert("room".into(), json!(c.room));
    p.insert("nbf".into(), json!(c.nbf));
    p.insert("exp".into(), json!(c.exp));
    p.insert(
        "context".into(),
        json!({ "user": Value::Object(user), "features": Value::Object(features) }),
    );
    Value::Object(p).to_string()
}

/// A signed JaaS token.
pub fn token(c: &JaasClaims<'_>, kid: &str, key: &RsaPrivateKey) -> String {
    rs256::sign(kid, payload(c).as_bytes(), key)
}

/// SEB's `jitsiMeetRoom` for a JaaS room: `<AppID>/<room>`.
pub fn seb_room(app_id: &str, room: &str) -> String {
    format!("{app_id}/{room}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_has_jaas_claims_and_string_flags() {
        let c = JaasClaims {
            app_id: "vpaas-magic-cookie-abc",
            room: "r1",
            user_id: "s-1",
            name: "Ana",
            moderator: false,
            features: &[JaasFeature::Recording],
            nbf: 100,
            exp: 200,
        };
        let p: Value = serde_json::from_str(&payload(&c)).unwrap();
        assert_eq!(p["aud"], "jitsi");
        assert_eq!(p["iss"], "chat");
        assert_eq!(p["sub"], "vpaas-magic-cookie-abc");
        assert_eq!(p["room"], "r1");
        assert_eq!(p["context"]["user"]["moderator"], "false");
        assert_eq!(
            p["context"]["features"]["recording"], "false",
            "features need a moderator"
        );
        let m: Value = serde_json::from_str(&payload(&JaasClaims {
            moderator: true,
            ..c
        }))
        .unwrap();
        assert_eq!(m["context"]["user"]["moderator"], "true");
        assert_eq!(m["context"]["features"]["recording"], "true");
        assert_eq!(m["context"]["features"]["livestreaming"], "false");
        assert_eq!(
            seb_room("vpaas-magic-cookie-abc", "r1"),
            "vpaas-magic-cookie-abc/r1"
        );
    }
}
