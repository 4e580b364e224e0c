//! Jitsi as a Service (RS256) and one identity per participant, through the real binary: tokens checked
//! with independent implementations (jsonwebtoken, a test-only dependency, and `openssl dgst -verify`),
//! keys made by openssl in the test; roster files with their diagnostics at file:line:column; each
//! participant's own `.seb`; SEB Server's token bytes (`--token-profile seb-server`).

mod common;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const APP_ID: &str = "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe";

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs")
}

/// A fresh RSA key pair in `dir`: `name.pem` (private, PKCS#8, or PKCS#1 with `traditional`) and
/// `name.pub.pem` (SubjectPublicKeyInfo).
fn key_pair(dir: &Path, name: &str, traditional: bool) {
    let private = format!("{name}.pem");
    let o = openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &private,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    if traditional {
        let o = openssl(
            &["rsa", "-in", &private, "-traditional", "-out", &private],
            dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            std::fs::read_to_string(dir.join(&private))
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
    }
    let o = openssl(
        &[
            "rsa",
            "-in",
            &private,
            "-pubout",
            "-out",
            &format!("{name}.pub.pem"),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `openssl dgst -sha256 -verify PUB -signature SIG` over the token's signing input.
fn openssl_verifies(token: &str, public: &Path, dir: &Path) -> bool {
    let (input, sig) = token.rsplit_once('.').unwrap();
    std::fs::write(dir.join("input.txt"), input).unwrap();
    std::fs::write(dir.join("sig.bin"), URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
    let public = public.to_str().unwrap();
    openssl(
        &[
            "dgst",
            "-sha256",
            "-verify",
            public,
            "-signature",
            "sig.bin",
            "input.txt",
        ],
        dir,
    )
    .status
    .success()
}

fn rs256_claims(
    token: &str,
    public_pem: &[u8],
    aud: &str,
) -> Result<Value, jsonwebtoken::errors::Error> {
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[aud]);
    v.validate_exp = false; // exams lie in the future of the fixed clock, not of the real one
    decode::<Value>(token, &DecodingKey::from_rsa_pem(public_pem)?, &v).map(|d| d.claims)
}

fn hs256_claims(token: &str, secret: &str) -> Value {
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_aud = false;
    v.validate_exp = false;
    decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .unwrap_or_else(|e| panic!("{e}: {token}"))
        .claims
}

fn secret(var: &str) -> &'static str {
    SECRETS.iter().find(|(k, _)| *k == var).unwrap().1
}

fn payload_bytes(token: &str) -> String {
    String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

fn jaas_token(dir: &Path, key: &str, extra: &[&str]) -> std::process::Output {
    let key = dir.join(key);
    let mut args = vec![
        "token",
        "jitsi",
        "--server-url",
        "https://8x8.vc",
        "--app-key",
        APP_ID,
        "--room",
        "chem-room-1",
        "--name",
        "Ana Muster",
        "--rs256-key-file",
        key.to_str().unwrap(),
        "--kid",
        "4f4910",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn rs256_tokens_verify_with_jsonwebtoken_and_openssl_and_fail_with_another_key() {
    let dir = tempfile::tempdir().unwrap();
    key_pair(dir.path(), "jaas", false);
    key_pair(dir.path(), "pkcs1", true);
    key_pair(dir.path(), "other", false);
    for key in ["jaas", "pkcs1"] {
        let o = jaas_token(dir.path(), &format!("{key}.pem"), &["--user-id", "s-1001"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let token = stdout(&o).trim().to_string();
        let public = read(dir.path().join(format!("{key}.pub.pem")));
        let header = decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(&*format!("{APP_ID}/4f4910")));
        let claims = rs256_claims(&token, &public, "jitsi").unwrap();
        assert_eq!(claims["iss"], "chat");
        assert_eq!(claims["sub"], APP_ID);
        assert_eq!(claims["room"], "chem-room-1");
        assert_eq!(claims["context"]["user"]["id"], "s-1001");
        assert_eq!(claims["context"]["user"]["name"], "Ana Muster");
        assert_eq!(claims["context"]["user"]["moderator"], "false");
        assert!(claims["context"]["features"].is_object());
        assert!(openssl_verifies(
            &token,
            &dir.path().join(format!("{key}.pub.pem")),
            dir.path()
        ));
        // The wrong public key: both verifiers refuse.
        let other = read(dir.path().join("other.pub.pem"));
        assert!(rs256_claims(&token, &other, "jitsi").is_err());
        assert!(!openssl_verifies(
            &token,
            &dir.path().join("other.pub.pem"),
            dir.path()
        ));
        // sebc's own verifier, with the right and the wrong key.
        let pubkey = dir.path().join(format!("{key}.pub.pem"));
        let v = run(&[
            "token",
            "verify",
            &token,
            "--public-key",
            pubkey.to_str().unwrap(),
        ]);
        assert!(v.status.success(), "{}", stderr(&v));
        assert!(
            stdout(&v).starts_with("OK: Prosody accepts this token\n"),
            "{}",
            stdout(&v)
        );
        let wrong = dir.path().join("other.pub.pem");
        let v = run(&[
            "token",
            "verify",
            &token,
            "--public-key",
            wrong.to_str().unwrap(),
        ]);
        assert_eq!(v.status.code(), Some(1));
        assert_eq!(stdout(&v), "not-allowed: Invalid signature\n");
        // Without a key, an HS256 secret does not check an RS256 token.
        let v = sebc()
            .args(["token", "verify", &token, "--secret-env", "K"])
            .env("K", "x")
            .output()
            .unwrap();
        assert_eq!(stdout(&v), "not-allowed: Invalid or incorrect alg\n");
    }
    // Deterministic: PKCS#1 v1.5 signatures do not depend on randomness.
    let a = stdout(&jaas_token(dir.path(), "jaas.pem", &[]));
    assert_eq!(a, stdout(&jaas_token(dir.path(), "jaas.pem", &[])));
    // A JaaS kid of another app is a usage error; a public key is not a private key.
    let o = jaas_token(
        dir.path(),
        "jaas.pem",
        &["--kid", "vpaas-magic-cookie-0ther/4f4910"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = jaas_token(dir.path(), "jaas.pub.pem", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("BEGIN PRIVATE KEY"), "{}", stderr(&o));
    // The key's contents never reach the output, whatever happens.
    let pem = std::fs::read_to_string(dir.path().join("jaas.pem")).unwrap();
    let body = pem.lines().nth(3).unwrap();
    assert!(!stderr(&o).contains(body) && !stdout(&o).contains(body));
}

#[test]
fn rs256_without_jaas_app_keeps_sebc_claims_for_prosody_key_servers() {
    let dir = tempfile::tempdir().unwrap();
    key_pair(dir.path(), "k", false);
    let key = dir.path().join("k.pem");
    let o = run(&[
        "token",
        "jitsi",
        "--server-url",
        "https://meet.example.org",
        "--app-key",
        "seb-exams",
        "--room",
        "r1",
        "--name",
        "SEB",
        "--rs256-key-file",
        key.to_str().unwrap(),
        "--kid",
        "seb/1",
        "--now",
        "1000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&o).trim().to_string();
    let claims = rs256_claims(&token, &read(dir.path().join("k.pub.pem")), "seb-client").unwrap();
    assert_eq!(claims["iss"], "seb-exams");
    assert_eq!(claims["sub"], "meet.example.org");
    assert_eq!(claims["exp"], 1000 + 86_400);
    assert!(openssl_verifies(
        &token,
        &dir.path().join("k.pub.pem"),
        dir.path()
    ));
    // --profile seb-server is HS256 only; --kid needs the key file.
    let o = run(&[
        "token",
        "jitsi",
        "--server-url",
        "https://x.org",
        "--app-key",
        "a",
        "--room",
        "r",
        "--name",
        "n",
        "--rs256-key-file",
        key.to_str().unwrap(),
        "--kid",
        "k",
        "--profile",
        "seb-server",
        "--exp",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "token",
        "jitsi",
        "--server-url",
        "https://x.org",
        "--app-key",
        "a",
        "--room",
        "r",
        "--name",
        "n",
        "--kid",
        "k",
        "--secret-env",
        "SEBC_FIXTURE_JITSI_SECRET",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// The fixture's key pair: its public half made by openssl.
fn fixture_public_key(dir: &Path) -> Vec<u8> {
    let private = root().join("fixtures/secrets/jaas-private.pem");
    let o = openssl(
        &[
            "rsa",
            "-in",
            private.to_str().unwrap(),
            "-pubout",
            "-out",
            "fixture.pub.pem",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    read(dir.join("fixture.pub.pem"))
}

/// Compiles `exam` with `extra` flags expecting a refusal: exit 1, nothing written; the diagnostics.
fn compile_refused(exam: &str, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["compile", exam, "-o", dir.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--message-format", "json"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
    json_diags(&o)
}

#[test]
fn jaas_exam_compiles_to_rs256_tokens_under_the_app_id() {
    let (out, server, o) = compile_server_json("fixtures/valid/jaas-proctored.yaml", &[]);
    let public = fixture_public_key(out.path());
    assert_eq!(server["jaas"]["kid"], format!("{APP_ID}/4f4910"));
    let rooms = server["rooms"].as_array().unwrap();
    let types: Vec<&str> = rooms.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["proctoring", "proctoring", "townhall", "breakout"],
        "two collecting rooms, the town hall, and the one-to-one room (ONE_TO_ONE)"
    );
    for room in rooms {
        let name = room["name"].as_str().unwrap();
        let proctor =
            rs256_claims(room["proctorToken"].as_str().unwrap(), &public, "jitsi").unwrap();
        assert_eq!(proctor["sub"], APP_ID);
        assert_eq!(proctor["iss"], "chat");
        assert_eq!(proctor["room"], name, "the token's room is the bare name");
        assert_eq!(proctor["context"]["user"]["moderator"], "true");
        assert_eq!(proctor["context"]["features"]["recording"], "true");
        assert_eq!(proctor["context"]["features"]["livestreaming"], "false");
        assert_eq!(
            proctor["exp"],
            1_796_378_400 + 1800,
            "the end plus the grace"
        );
        assert_eq!(proctor["nbf"], NOW - 300);
        let seb = &room["seb"];
        assert_eq!(seb["jitsiMeetServerURL"], "https://8x8.vc");
        assert_eq!(
            seb["jitsiMeetRoom"],
            format!("{APP_ID}/{name}"),
            "SEB joins <AppID>/<room>"
        );
        let client = seb["jitsiMeetToken"].as_str().unwrap();
        let claims = rs256_claims(client, &public, "jitsi").unwrap();
        assert_eq!(claims["context"]["user"]["moderator"], "false");
        assert_eq!(claims["context"]["features"]["recording"], "false");
        assert!(openssl_verifies(
            client,
            &out.path().join("fixture.pub.pem"),
            out.path()
        ));
        let pubkey = out.path().join("fixture.pub.pem");
        let v = run(&[
            "token",
            "verify",
            client,
            "--public-key",
            pubkey.to_str().unwrap(),
        ]);
        assert!(v.status.success(), "{}", stdout(&v));
    }
    // The private key reaches no output: not in the server file, not on stdout or stderr.
    let pem = std::fs::read_to_string(root().join("fixtures/secrets/jaas-private.pem")).unwrap();
    let text = String::from_utf8(read(out.path().join("chem-210-final.server.json"))).unwrap();
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line) && !stdout(&o).contains(line) && !stderr(&o).contains(line));
    }
    assert!(!text.contains("privateKey") && !text.contains("jaas-private.pem"));
    // SEB Server's format cannot be JaaS.
    let o = run(&["validate", "fixtures/valid/jaas-proctored.yaml"]);
    assert!(o.status.success());
    let diags = compile_refused(
        "fixtures/valid/jaas-proctored.yaml",
        &["--token-profile", "seb-server"],
    );
    let d = &with_code(&diags, "token-profile-jaas")[0];
    assert_eq!(d["pointer"], "/service/jaas");
}

#[test]
fn roster_gives_each_participant_their_own_verified_token_and_file() {
    let (out, server, o) =
        compile_server_json("fixtures/valid/jitsi-roster.yaml", &["--per-participant"]);
    let jitsi = secret("SEBC_FIXTURE_JITSI_SECRET");
    let all_rooms = server["rooms"].as_array().unwrap();
    // The collecting rooms; the one-to-one room (ONE_TO_ONE) seats nobody.
    let rooms: Vec<&Value> = all_rooms
        .iter()
        .filter(|r| r["type"] != "breakout")
        .collect();
    let sizes: Vec<u64> = rooms.iter().map(|r| r["size"].as_u64().unwrap()).collect();
    assert_eq!(
        sizes,
        [2, 2, 1],
        "rooms of 2, in roster order; s-1003 asked for room 2"
    );
    let people = server["participants"].as_array().unwrap();
    let expected = [
        ("s-1001", "Ana Muster", 1),
        ("s-1002", "Doe, Jane", 1),
        ("s-1003", "Zoë Brandt", 2),
        ("s-1004", "Luca Rossi", 2),
        ("s-1005", "Noah Keller", 3),
    ];
    assert_eq!(people.len(), expected.len());
    let mut tokens = std::collections::BTreeSet::new();
    for (p, (id, name, number)) in people.iter().zip(expected) {
        assert_eq!(
            (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()),
            (id, name)
        );
        assert_eq!(p["roomNumber"], number);
        let room = &rooms[number - 1];
        assert_eq!(p["room"], room["name"]);
        let token = p["seb"]["jitsiMeetToken"].as_str().unwrap();
        let claims = hs256_claims(token, jitsi);
        assert_eq!(claims["context"]["user"]["id"], id);
        assert_eq!(claims["context"]["user"]["name"], name);
        assert_eq!(claims["context"]["user"]["moderator"], false);
        assert_eq!(claims["aud"], "seb-client");
        assert_eq!(claims["room"], room["name"]);
        assert_eq!(p["seb"]["jitsiMeetRoom"], room["name"]);
        assert!(
            tokens.insert(token.to_string()),
            "one token per participant"
        );
        // Their own configuration file carries their own token.
        let file = format!("bio-202-quiz-participant-{id}.plist");
        assert_eq!(p["file"], file);
        let xml = String::from_utf8(read(out.path().join(&file))).unwrap();
        assert!(xml.contains(token) && xml.contains("<key>jitsiMeetToken</key>"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.path().join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "holds a token");
        }
        let v = sebc()
            .args([
                "token",
                "verify",
                token,
                "--secret-env",
                "SEBC_FIXTURE_JITSI_SECRET",
                "--iss",
                "seb-exams",
            ])
            .output()
            .unwrap();
        assert!(v.status.success(), "{}", stdout(&v));
    }
    assert_eq!(
        stdout(&o).lines().count(),
        1 + 5,
        "the exam's file and one per participant"
    );
    // Without --per-participant: the tokens are in the server file, no files per participant.
    let (out, server, _) = compile_server_json("fixtures/valid/jitsi-roster.yaml", &[]);
    assert_eq!(server["participants"].as_array().unwrap().len(), 5);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 2);
    // --per-participant without a roster is an error that says what to write.
    let diags = compile_refused(
        "fixtures/valid/jitsi-proctored.yaml",
        &["--per-participant"],
    );
    let d = &with_code(&diags, "per-participant-without-roster")[0];
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("participants: { roster: students.csv }")
    );
}

/// A Jitsi exam in `dir` whose roster is `csv`.
fn roster_exam(dir: &Path, csv: &str) -> String {
    write(&dir.join("students.csv"), csv);
    let exam = dir.join("exam.yaml");
    write(
        &exam,
        "exam: { id: r, participants: { roster: students.csv } }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  serverURL: https://meet.example.org\n  appKey: k\n  appSecret: { env: SEBC_FIXTURE_JITSI_SECRET }\n  collectingRoomSize: 2\nclients: { windows: false, macos: false, ios: \"3.4\" }\n",
    );
    exam.to_str().unwrap().to_string()
}

#[test]
fn roster_mistakes_are_reported_at_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let exam = roster_exam(
        dir.path(),
        "id,name,room\ns1,Ana,\ns1,Bo,\n\"s 3\",Cy,\ns4,,\ns5,Ed,7\n",
    );
    let o = run(&["validate", &exam, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diags = json_diags(&o);
    let at = |code: &str| -> Vec<(String, u64, u64)> {
        with_code(&diags, code)
            .iter()
            .map(|d| {
                let file = d["file"].as_str().unwrap();
                (
                    file.rsplit('/').next().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["col"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let csv = "students.csv".to_string();
    assert_eq!(at("roster-duplicate-id"), [(csv.clone(), 3, 1)]);
    assert_eq!(at("roster-invalid-id"), [(csv.clone(), 4, 1)]);
    assert_eq!(at("roster-invalid-name"), [(csv.clone(), 5, 4)]);
    // Rooms are checked once the rows are fine.
    let exam = roster_exam(dir.path(), "id,name,room\ns1,Ana,\ns5,Ed,7\n");
    let o = run(&["validate", &exam, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let diags = json_diags(&o);
    let d = &with_code(&diags, "roster-unknown-room")[0];
    assert_eq!((d["line"].as_u64(), d["col"].as_u64()), (Some(3), Some(7)));
    assert!(d["hint"].as_str().unwrap().contains("(1 to 1)"));
    // The human form quotes the roster line.
    let o = run(&["validate", &exam, "--color", "never"]);
    assert!(
        stderr(&o).contains("students.csv:3:7") && stderr(&o).contains("s5,Ed,7"),
        "{}",
        stderr(&o)
    );
    // Following the hint (a room that exists, or an empty cell) fixes it.
    let exam = roster_exam(dir.path(), "id,name,room\ns1,Ana,\ns5,Ed,1\n");
    assert!(run(&["validate", &exam]).status.success());
    // A name SEB Server's proctor window cannot show is a warning that passes.
    let exam = roster_exam(dir.path(), "id,name\ns1,Antonín Dvořák\n");
    let o = run(&["validate", &exam, "--message-format", "json"]);
    assert!(o.status.success());
    assert_eq!(
        with_code(&json_diags(&o), "participant-name-charset").len(),
        1
    );
    // A missing roster names the file; a roster outside the sandbox is not read.
    std::fs::remove_file(dir.path().join("students.csv")).unwrap();
    let o = run(&["validate", &exam, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let d = &json_diags(&o)[0];
    assert_eq!(d["pointer"], "/exam/participants/roster");
    assert!(d["message"].as_str().unwrap().contains("students.csv"));
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    write(&dir.path().join("outside.csv"), "id,name\na,A\n");
    let exam = inner.join("e.yaml");
    write(
        &exam,
        "exam: { id: r, participants: { roster: ../outside.csv } }\n",
    );
    let o = run(&[
        "validate",
        exam.to_str().unwrap(),
        "--sandbox",
        inner.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(with_code(&json_diags(&o), "sandbox-escape").len(), 1);
}

#[test]
fn seb_server_token_profile_reproduces_seb_servers_bytes() {
    let (_out, server, _) = compile_server_json(
        "fixtures/valid/jitsi-proctored.yaml",
        &["--token-profile", "seb-server"],
    );
    let jitsi = secret("SEBC_FIXTURE_JITSI_SECRET");
    let end_ms = 1_796_122_800_000i64; // 2026-12-01T11:00:00Z: JitsiProctoringService.forExam
    for room in server["rooms"].as_array().unwrap() {
        let name = room["name"].as_str().unwrap();
        let client = room["seb"]["jitsiMeetToken"].as_str().unwrap();
        assert_eq!(
            payload_bytes(client),
            format!(
                r#"{{"context":{{"user":{{"name":"SEB"}}}},"moderator":false,"aud":"seb-client","iss":"seb-exams","sub":"meet.example.org","room":"{name}","exp":{end_ms}}}"#
            )
        );
        assert!(
            client.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."),
            "SEB Server's header bytes"
        );
        let proctor = room["proctorToken"].as_str().unwrap();
        assert!(payload_bytes(proctor).starts_with(
            r#"{"context":{"user":{"name":"Proctor"}},"moderator":true,"aud":"seb-server","#
        ));
        hs256_claims(client, jitsi);
        hs256_claims(proctor, jitsi);
    }
    assert_eq!(server["tokensExpire"], end_ms / 1000);
    // With a roster, the participant's name is the user name (SEB Server's user session id), no id.
    let (_out, server, _) = compile_server_json(
        "fixtures/valid/jitsi-roster.yaml",
        &["--token-profile", "seb-server"],
    );
    let token = server["participants"][2]["seb"]["jitsiMeetToken"]
        .as_str()
        .unwrap();
    assert!(
        payload_bytes(token)
            .starts_with(r#"{"context":{"user":{"name":"Zoë Brandt"}},"moderator":false,"#)
    );
}

#[test]
fn zoom_roster_gives_each_participant_their_user_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut exam: Value =
        serde_json::from_slice(&read(root().join("fixtures/valid/zoom-proctored.json"))).unwrap();
    exam["exam"]["participants"] = serde_json::json!({ "roster": "students.csv" });
    // Meetings given by hand (the fixture itself has none: `sebc zoom provision` makes them).
    exam["service"]["rooms"] = serde_json::json!([
        { "meetingNumber": 81234567890u64, "joinURL": "https://example-university.zoom.us/j/81234567890", "meetingKey": "Zk8Qm2" },
        { "meetingNumber": 81234567891u64, "joinURL": "https://example-university.zoom.us/j/81234567891", "meetingKey": "Px4Lr7" },
    ]);
    write(
        &dir.path().join("students.csv"),
        "id,name,room\na1,Ana Muster,2\nb2,Bo Chen,\n",
    );
    let path = dir.path().join("zoom.json");
    write(&path, &exam.to_string());
    let (_out, server, _) = compile_server_json(path.to_str().unwrap(), &[]);
    let people = server["participants"].as_array().unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(people[0]["seb"]["zoomUserName"], "Ana Muster");
    assert_eq!(people[0]["roomNumber"], 2);
    assert_eq!(people[1]["seb"]["zoomUserName"], "Bo Chen");
    assert_eq!(people[1]["roomNumber"], 1);
    let room = &server["rooms"][1];
    assert_eq!(people[0]["seb"]["zoomRoom"], room["seb"]["zoomRoom"]);
    assert_eq!(
        room["seb"]["zoomUserName"], "SEB",
        "the room's shared attributes are unchanged"
    );
}
