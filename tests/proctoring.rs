//! Live proctoring end to end: the room plan and tokens in `<id>.server.json`, checked with an
//! independent JWT library (jsonwebtoken, a test-only dependency) and with `sebc token verify`;
//! per-room `.seb` files; SEB Server's token bytes; the service's place in `--explain`.

mod common;
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::Value;

fn secret(var: &str) -> &'static str {
    SECRETS.iter().find(|(k, _)| *k == var).unwrap().1
}

fn claims(token: &str, secret: &str, aud: Option<&str>) -> Value {
    let mut v = Validation::new(Algorithm::HS256);
    match aud {
        Some(a) => v.set_audience(&[a]),
        None => v.validate_aud = false,
    }
    v.validate_exp = false; // the fixtures' exams lie in the future of the fixed clock, not of the real one
    decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .unwrap_or_else(|e| panic!("{e}: {token}"))
        .claims
}

#[test]
fn jitsi_rooms_and_tokens_verify_with_an_independent_jwt_library() {
    let (_dir, server, _) = compile_server_json("fixtures/valid/jitsi-proctored.yaml", &[]);
    let rooms = server["rooms"].as_array().unwrap();
    // 120 participants in rooms of 20, TOWN_HALL and ONE_TO_ONE.
    assert_eq!(rooms.len(), 8);
    let subjects: Vec<&str> = rooms
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "Room 1",
            "Room 2",
            "Room 3",
            "Room 4",
            "Room 5",
            "Room 6",
            "Townhall Room",
            "One to One Room"
        ]
    );
    assert_eq!(rooms[6]["type"], "townhall");
    // ONE_TO_ONE: SEB Server's break-out room type (ClientInstruction.java:39-42).
    assert_eq!(rooms[7]["type"], "breakout");
    assert_eq!(rooms[7]["seb"]["roomType"], "breakout");
    let end = 1_796_122_800; // 2026-12-01T11:00:00Z
    assert_eq!(server["tokensExpire"], end + 1800);
    let key = secret("SEBC_FIXTURE_JITSI_SECRET");
    let mut names = std::collections::HashSet::new();
    for room in rooms {
        let name = room["name"].as_str().unwrap();
        assert!(
            name.len() == 32
                && name
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(names.insert(name.to_string()), "room names are distinct");
        let proctor = claims(
            room["proctorToken"].as_str().unwrap(),
            key,
            Some("seb-server"),
        );
        assert_eq!(proctor["iss"], "seb-exams");
        assert_eq!(proctor["sub"], "meet.example.org");
        assert_eq!(proctor["room"], name);
        assert_eq!(proctor["exp"], end + 1800);
        assert_eq!(proctor["moderator"], true);
        assert_eq!(proctor["context"]["user"]["moderator"], true);
        let seb = &room["seb"];
        assert_eq!(seb["jitsiMeetServerURL"], "https://meet.example.org");
        assert_eq!(seb["jitsiMeetRoom"], name);
        assert_eq!(seb["jitsiMeetSubject"], room["subject"]);
        assert_eq!(seb["roomType"], room["type"]);
        let client = claims(
            seb["jitsiMeetToken"].as_str().unwrap(),
            key,
            Some("seb-client"),
        );
        assert_eq!(client["moderator"], false);
        assert_eq!(client["context"]["user"]["moderator"], false);
        // Claim order is SEB Server's.
        let payload = String::from_utf8(
            base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                seb["jitsiMeetToken"]
                    .as_str()
                    .unwrap()
                    .split('.')
                    .nth(1)
                    .unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let order: Vec<usize> = [
            "\"context\"",
            "\"moderator\":false,\"aud\"",
            "\"iss\"",
            "\"sub\"",
            "\"room\"",
            "\"exp\"",
        ]
        .iter()
        .map(|k| payload.find(k).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{payload}");
        // Prosody's checks pass, with the signature.
        let o = sebc()
            .args([
                "token",
                "verify",
                seb["jitsiMeetToken"].as_str().unwrap(),
                "--secret-env",
                "SEBC_FIXTURE_JITSI_SECRET",
                "--iss",
                "seb-exams",
            ])
            .output()
            .unwrap();
        assert!(stdout(&o).starts_with("OK"), "{}{}", stdout(&o), stderr(&o));
    }
    let planned: u64 = rooms.iter().map(|r| r["size"].as_u64().unwrap()).sum();
    assert_eq!(planned, 120);
}

/// A Zoom exam without meetings compiles: its rooms are planned, each marked as needing a meeting and
/// without tokens (the tokens for provisioned meetings are checked in `tests/zoom.rs`).
#[test]
fn zoom_rooms_without_meetings_are_planned_without_tokens() {
    let (_dir, server, _) = compile_server_json("fixtures/valid/zoom-proctored.json", &[]);
    let rooms = server["rooms"].as_array().unwrap();
    let plan: Vec<(&str, &str, u64)> = rooms
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap(),
                r["subject"].as_str().unwrap(),
                r["size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        plan,
        [
            ("proctoring", "Proctoring Room 1", 15),
            ("proctoring", "Proctoring Room 2", 15),
            ("proctoring", "Proctoring Room 3", 15),
            ("breakout", "One to One Room", 0),
        ],
        "45 participants in rooms of 15, ONE_TO_ONE, no town hall"
    );
    for room in rooms {
        assert_eq!(room["needsMeeting"], true);
        assert!(room.get("proctorToken").is_none() && room.get("seb").is_none());
    }
}

#[test]
fn per_room_configurations_embed_each_rooms_join_settings() {
    let (dir, server, _) = compile_server_json(
        "fixtures/valid/jitsi-proctored.yaml",
        &["--per-room", "--format", "seb"],
    );
    let main = seb_format::container::decode(
        &read(dir.path().join("math-101-final.seb")),
        &Default::default(),
    )
    .unwrap()
    .0;
    let main = seb_format::plist::read_xml(&main).unwrap();
    assert_eq!(
        main["jitsiMeetToken"].as_string(),
        Some(""),
        "the shared file carries no token"
    );
    let mut keys = std::collections::HashSet::new();
    for room in server["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "proctoring")
    {
        let n = room["number"].as_u64().unwrap();
        let file = dir.path().join(format!("math-101-final-room-{n}.seb"));
        assert_eq!(room["file"], format!("math-101-final-room-{n}.seb"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
                0o600,
                "holds a token"
            );
        }
        let xml = seb_format::container::decode(&read(&file), &Default::default())
            .unwrap()
            .0;
        let settings = seb_format::plist::read_xml(&xml).unwrap();
        for k in [
            "jitsiMeetServerURL",
            "jitsiMeetRoom",
            "jitsiMeetSubject",
            "jitsiMeetToken",
        ] {
            assert_eq!(
                settings[k].as_string().unwrap(),
                room["seb"][k].as_str().unwrap(),
                "{k}"
            );
        }
        assert_eq!(settings["jitsiMeetEnable"], plist::Value::Boolean(true));
        keys.insert(seb_format::configkey::config_key(&settings));
    }
    assert_eq!(keys.len(), 6, "each room file has its own Config Key");
}

#[test]
fn room_names_are_reproducible_and_depend_on_the_secret() {
    let (_a, first, _) = compile_server_json("fixtures/valid/jitsi-proctored.yaml", &[]);
    let (_b, again, _) = compile_server_json("fixtures/valid/jitsi-proctored.yaml", &[]);
    assert_eq!(first, again);
    let out = tempfile::tempdir().unwrap();
    let o = sebc()
        .args([
            "compile",
            "fixtures/valid/jitsi-proctored.yaml",
            "-o",
            out.path().to_str().unwrap(),
        ])
        .env("SEBC_FIXTURE_JITSI_SECRET", "another-secret")
        .output()
        .unwrap();
    assert!(o.status.success());
    let other: Value =
        serde_json::from_slice(&read(out.path().join("math-101-final.server.json"))).unwrap();
    assert_ne!(first["rooms"][0]["name"], other["rooms"][0]["name"]);
}

#[test]
fn token_commands_reproduce_seb_server_and_zoom_vectors() {
    let o = sebc()
        .args([
            "token",
            "jitsi",
            "--server-url",
            "https://seb-jitsi.example.ch",
            "--app-key",
            "test-app",
            "--secret-env",
            "T",
            "--room",
            "SomeRoom",
            "--name",
            "Test Name",
            "--moderator",
            "--aud",
            "test-client",
            "--exp",
            "1609459200",
            "--profile",
            "seb-server",
        ])
        .env("T", "fbvgeghergrgrthrehreg123")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o).trim(),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb250ZXh0Ijp7InVzZXIiOnsibmFtZSI6IlRlc3QgTmFtZSJ9fSwibW9kZXJhdG9yIjp0cnVlLCJhdWQiOiJ0ZXN0LWNsaWVudCIsImlzcyI6InRlc3QtYXBwIiwic3ViIjoic2ViLWppdHNpLmV4YW1wbGUuY2giLCJyb29tIjoiU29tZVJvb20iLCJleHAiOjE2MDk0NTkyMDB9.47qoBCXG34ITeMmrwxlTmDcc6JLSVVF1HAOlcSkCvqw"
    );
    let o = sebc()
        .args([
            "token",
            "zoom",
            "--sdk-key",
            "sdk-key",
            "--secret-env",
            "T",
            "--meeting",
            "123456789",
            "--role",
            "1",
            "--iat",
            "1609459200",
            "--exp",
            "1609545590",
        ])
        .env("T", "sdk-secret")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o).trim(),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBLZXkiOiJzZGsta2V5Iiwic2RrS2V5Ijoic2RrLWtleSIsIm1uIjoxMjM0NTY3ODksInJvbGUiOjEsImlhdCI6MTYwOTQ1OTIwMCwiZXhwIjoxNjA5NTQ1NTkwLCJ0b2tlbkV4cCI6MTYwOTU0NTU5MH0.GFb6c-ANwSFhiYXLJ1N20R1y2U-A5VmAoI-SXqO-Cwk"
    );
    let too_long = sebc()
        .args([
            "token",
            "zoom",
            "--sdk-key",
            "k",
            "--secret-env",
            "T",
            "--meeting",
            "1",
            "--role",
            "0",
            "--iat",
            "0",
            "--exp",
            "999999",
        ])
        .env("T", "s")
        .output()
        .unwrap();
    assert_eq!(too_long.status.code(), Some(1));
    assert!(stderr(&too_long).contains("1800 to 172800 seconds"));
    assert_eq!(
        run(&[
            "token",
            "zoom",
            "--sdk-key",
            "k",
            "--secret-env",
            "T",
            "--meeting",
            "1",
            "--role",
            "2"
        ])
        .status
        .code(),
        Some(2)
    );
    // The default profile: exp in seconds, context.user.moderator, and verify reports Prosody's reasons.
    let t = sebc()
        .args([
            "token",
            "jitsi",
            "--server-url",
            "https://meet.example.org:8443/",
            "--app-key",
            "app",
            "--secret-env",
            "T",
            "--room",
            "r1",
            "--name",
            "P",
            "--moderator",
            "--now",
            "1000",
        ])
        .env("T", "s3")
        .output()
        .unwrap();
    let token = stdout(&t).trim().to_string();
    let c = claims(&token, "s3", Some("seb-server"));
    assert_eq!(
        (c["exp"].as_i64(), c["sub"].as_str()),
        (Some(1000 + 86_400), Some("meet.example.org"))
    );
    let verify = |now: &str, secret: &str| {
        sebc()
            .args([
                "token",
                "verify",
                &token,
                "--secret-env",
                "T",
                "--iss",
                "app",
                "--now",
                now,
            ])
            .env("T", secret)
            .output()
            .unwrap()
    };
    assert!(stdout(&verify("2000", "s3")).starts_with("OK"));
    let expired = verify("87400", "s3");
    assert_eq!(
        (expired.status.code(), stdout(&expired).trim()),
        (Some(1), "not-allowed: Not acceptable by exp")
    );
    assert_eq!(
        stdout(&verify("2000", "wrong")).trim(),
        "not-allowed: Invalid signature"
    );
}

#[test]
fn explain_names_the_service_and_the_plan_needs_no_network() {
    let o = run(&[
        "validate",
        "fixtures/valid/jitsi-proctored.yaml",
        "--explain",
        "jitsiMeetEnable",
    ]);
    assert!(o.status.success());
    let text = stdout(&o);
    let (head, clients) = text.split_at(text.find("\n  SEB for Windows").unwrap());
    assert_eq!(
        head,
        "fixtures/valid/jitsi-proctored.yaml: jitsiMeetEnable = true\n  set by the exam's service settings (/service/enableProctoring)"
    );
    assert!(clients.contains("SEB for iOS: read since 3.0"), "{clients}");
}
