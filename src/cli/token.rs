//! `sebc token jitsi|zoom|verify`: one token from explicit claims, or Prosody's verdict on a token.

use super::*;

#[derive(Subcommand)]
// Deferred like `Command`'s subcommands (see there).
#[command(defer = true)]
pub(super) enum TokenCommand {
    /// A Jitsi Meet JWT: HS256 with SEB Server's claims, or RS256 (`--rs256-key-file`; for 8x8's Jitsi as
    /// a Service when `--app-key` is its AppID).
    Jitsi(JitsiArgs),
    /// A Zoom Meeting SDK JWT (HS256).
    Zoom(ZoomArgs),
    /// Run the checks Jitsi's Prosody runs on a token and print the reason it would give.
    Verify(VerifyArgs),
}

// The signing secret, never from argv.
#[derive(Args)]
pub(super) struct SecretArgs {
    /// Environment variable holding the secret.
    #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
    secret_env: Option<String>,
    /// File holding the secret (one trailing newline is ignored).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct JitsiArgs {
    /// The Jitsi server's URL; `sub` is its bare host.
    #[arg(long, value_name = "URL")]
    server_url: String,
    /// The app key (`iss`; Prosody's app_id).
    #[arg(long, value_name = "KEY")]
    app_key: String,
    #[command(flatten)]
    secret: SecretArgs,
    #[arg(long, value_name = "ROOM")]
    room: String,
    /// `context.user.name`.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// `context.user.id` (default: none; JaaS: the name).
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// Sign RS256 with this PEM private key (PKCS#8 or PKCS#1) instead of HS256 with a secret. With a
    /// JaaS AppID (`vpaas-magic-cookie-…`) as --app-key, the token has JaaS's claims.
    #[arg(long, value_name = "PEM", requires = "kid", conflicts_with_all = ["secret_env", "secret_file"])]
    rs256_key_file: Option<PathBuf>,
    /// The key id for the RS256 header (`kid`); for JaaS as the console lists it (`<AppID>/<key>`), or
    /// the part after the slash.
    #[arg(long, value_name = "KID", requires = "rs256_key_file")]
    kid: Option<String>,
    /// A proctor's token (moderator; `aud` seb-server).
    #[arg(long)]
    moderator: bool,
    /// Overrides `aud` (default: seb-server with --moderator, else seb-client).
    #[arg(long, value_name = "AUD")]
    aud: Option<String>,
    /// Expiry, epoch seconds (default: now + 24 h; required with --profile seb-server).
    #[arg(long, value_name = "EPOCH_SECONDS", allow_negative_numbers = true)]
    exp: Option<i64>,
    /// `default`: SEB Server's claims plus `context.user.moderator`; `seb-server`: SEB Server's bytes.
    #[arg(long, default_value = "default", value_parser = super::choice(&[
        ("default", crate::proctoring::tokens::Profile::Default),
        ("seb-server", crate::proctoring::tokens::Profile::SebServer),
    ]))]
    profile: crate::proctoring::tokens::Profile,
    /// The current time (epoch seconds or RFC 3339) for the default expiry.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

#[derive(Args)]
pub(super) struct ZoomArgs {
    /// The Meeting SDK key (or Client ID).
    #[arg(long, value_name = "KEY")]
    sdk_key: String,
    #[command(flatten)]
    secret: SecretArgs,
    /// The meeting number.
    #[arg(long, value_name = "NUMBER")]
    meeting: u64,
    /// 1 host (proctor), 0 participant (SEB).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=1))]
    role: u8,
    /// Issued at, epoch seconds (default: now).
    #[arg(long, value_name = "EPOCH_SECONDS")]
    iat: Option<i64>,
    /// Expiry, epoch seconds (default: iat + 24 h - 10 s, as SEB Server); Zoom accepts 30 min to 48 h.
    #[arg(long, value_name = "EPOCH_SECONDS")]
    exp: Option<i64>,
}

#[derive(Args)]
pub(super) struct VerifyArgs {
    /// The token (`-` reads it from standard input).
    token: String,
    /// The app secret, to check an HS256 signature.
    #[command(flatten)]
    secret: SecretArgs,
    /// The public key (PEM: `BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`), to check an RS256 signature.
    #[arg(long, value_name = "PEM", conflicts_with_all = ["secret_env", "secret_file"])]
    public_key: Option<PathBuf>,
    /// Accepted issuers (Prosody's default is the app id); `*` accepts any.
    #[arg(long = "iss", value_name = "ISS")]
    issuers: Vec<String>,
    /// Accepted audiences (Prosody's default is `*`).
    #[arg(long = "aud", value_name = "AUD")]
    audiences: Vec<String>,
    /// The current time (epoch seconds or RFC 3339).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

fn read_secret(a: &SecretArgs) -> Result<Option<Secret>, String> {
    read_password(
        &PasswordArgs {
            password_env: a.secret_env.clone(),
            password_file: a.secret_file.clone(),
        },
        None,
    )
}

pub(super) fn run_token(t: TokenCommand) -> ExitCode {
    let result = match t {
        TokenCommand::Jitsi(a) => run_jitsi(a),
        TokenCommand::Zoom(a) => run_zoom(a),
        TokenCommand::Verify(a) => run_verify(a),
    };
    result.unwrap_or_else(|code| code)
}

/// The signing secret, required; `Err` is the usage error's exit code.
fn require_secret(a: &SecretArgs) -> Result<Secret, ExitCode> {
    match read_secret(a) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(usage_error(
            "give the secret with --secret-env NAME or --secret-file PATH",
        )),
        Err(msg) => Err(usage_error(&msg)),
    }
}

fn run_jitsi(a: JitsiArgs) -> Result<ExitCode, ExitCode> {
    use crate::proctoring::tokens;
    let Some(sub) = tokens::host_of(&a.server_url) else {
        return Err(usage_error(&format!(
            "--server-url {:?} is not an absolute URL",
            a.server_url
        )));
    };
    let exp = match (a.exp, a.profile) {
        (Some(e), _) => e,
        (None, tokens::Profile::SebServer) => {
            return Err(usage_error("--profile seb-server needs an explicit --exp"));
        }
        (None, tokens::Profile::Default) => {
            now(a.now.as_deref()).map_err(|msg| usage_error(&msg))?
                + crate::proctoring::TOKEN_DEFAULT_LIFETIME
        }
    };
    if !crate::proctoring::rooms::is_safe_room_name(&a.room) {
        let _ = writeln!(
            std::io::stderr(),
            "warning: room {:?} is not of the form [a-z0-9][a-z0-9_-]{{0,63}}; Jitsi clients lowercase and percent-encode it",
            a.room
        );
    }
    let default_aud = if a.moderator {
        tokens::AUD_PROCTOR
    } else {
        tokens::AUD_CLIENT
    };
    let claims = tokens::JitsiClaims {
        name: &a.name,
        user_id: a.user_id.as_deref(),
        moderator: a.moderator,
        aud: a.aud.as_deref().unwrap_or(default_aud),
        iss: a.app_key.trim(),
        sub: &sub,
        room: &a.room,
        exp,
    };
    let token = match (&a.rs256_key_file, &a.kid) {
        (Some(pem), Some(kid)) => rs256_token(&a, pem, kid, &claims)?,
        (Some(_), None) | (None, Some(_)) => {
            return Err(usage_error(
                "--rs256-key-file PEM and --kid KID go together: the key signs, the kid names it",
            ));
        }
        (None, None) => {
            let secret = require_secret(&a.secret)?;
            tokens::jitsi_token(&claims, a.profile, secret.expose_secret())
        }
    };
    let _ = writeln!(std::io::stdout(), "{token}");
    Ok(ExitCode::SUCCESS)
}

/// An RS256 token: JaaS's claims when the app key is a JaaS AppID, else sebc's claims (Prosody with
/// public-key validation). The key file is read as a secret and never echoed.
fn rs256_token(
    a: &JitsiArgs,
    pem: &Path,
    kid: &str,
    claims: &crate::proctoring::tokens::JitsiClaims<'_>,
) -> Result<String, ExitCode> {
    use crate::proctoring::{jaas, rs256, tokens};
    if a.profile == tokens::Profile::SebServer {
        return Err(usage_error(
            "--profile seb-server is SEB Server's HS256 format; it cannot be signed with --rs256-key-file",
        ));
    }
    let bytes = SecretRef::file(pem)
        .resolve(Path::new(""), None)
        .map_err(|e| usage_error(&format!("--rs256-key-file: {e}")))?;
    let key = rs256::private_key_from_pem(bytes.expose_secret())
        .map_err(|e| usage_error(&format!("--rs256-key-file {}: {e}", pem.display())))?;
    let app_id = a.app_key.trim();
    if !app_id.starts_with("vpaas-magic-cookie-") {
        let payload = tokens::jitsi_payload(claims, tokens::Profile::Default);
        return Ok(rs256::sign(kid, payload.as_bytes(), &key));
    }
    let kid = if kid.contains('/') {
        kid.to_string()
    } else {
        format!("{app_id}/{kid}")
    };
    if !kid.starts_with(&format!("{app_id}/")) {
        return Err(usage_error(&format!(
            "--kid {kid} belongs to another JaaS app than --app-key {app_id}"
        )));
    }
    let now = now(a.now.as_deref()).map_err(|msg| usage_error(&msg))?;
    let jaas_claims = jaas::JaasClaims {
        app_id,
        room: &a.room,
        user_id: a.user_id.as_deref().unwrap_or(&a.name),
        name: &a.name,
        moderator: a.moderator,
        features: &[],
        nbf: now - jaas::NBF_SKEW_SECONDS,
        exp: claims.exp,
    };
    let mut payload: serde_json::Value =
        serde_json::from_str(&jaas::payload(&jaas_claims)).unwrap_or_default();
    if let Some(aud) = &a.aud {
        payload["aud"] = serde_json::Value::from(aud.as_str());
    }
    Ok(rs256::sign(&kid, payload.to_string().as_bytes(), &key))
}

fn run_zoom(a: ZoomArgs) -> Result<ExitCode, ExitCode> {
    use crate::proctoring::tokens;
    let secret = require_secret(&a.secret)?;
    let iat = a
        .iat
        .map_or_else(|| now(None), Ok)
        .map_err(|msg| usage_error(&msg))?;
    let exp = a
        .exp
        .unwrap_or(iat + crate::proctoring::TOKEN_DEFAULT_LIFETIME - 10);
    let claims = tokens::ZoomClaims {
        sdk_key: a.sdk_key.trim(),
        mn: a.meeting,
        role: a.role,
        iat,
        exp,
    };
    match tokens::zoom_token(&claims, secret.expose_secret()) {
        Ok(t) => {
            let _ = writeln!(std::io::stdout(), "{t}");
            Ok(ExitCode::SUCCESS)
        }
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "error[zoom-token]: {msg}");
            Ok(ExitCode::from(1))
        }
    }
}

/// Longest token read from standard input (`sebc token verify -`).
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

fn run_verify(a: VerifyArgs) -> Result<ExitCode, ExitCode> {
    use crate::proctoring::tokens;
    let token = if a.token == "-" {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(
            &mut std::io::Read::take(std::io::stdin(), MAX_TOKEN_BYTES),
            &mut s,
        );
        s
    } else {
        a.token.clone()
    };
    let secret = read_secret(&a.secret).map_err(|msg| usage_error(&msg))?;
    let public_key = match &a.public_key {
        Some(path) => {
            let bytes = crate::source::read_bounded(path, crate::secret::MAX_SECRET_FILE_BYTES)
                .map_err(|e| usage_error(&format!("--public-key {}: {e}", path.display())))?;
            Some(
                crate::proctoring::rs256::public_key_from_pem(&bytes)
                    .map_err(|e| usage_error(&format!("--public-key {}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let now = now(a.now.as_deref()).map_err(|msg| usage_error(&msg))?;
    let acc = tokens::Acceptance {
        secret: secret.as_ref().map(|s| s.expose_secret()),
        public_key: public_key.as_ref(),
        issuers: a.issuers,
        audiences: a.audiences,
        now,
    };
    let mut out = std::io::stdout();
    match tokens::verify(&token, &acc) {
        Ok(v) => {
            let checked = if v.signature_checked {
                ""
            } else {
                " (signature not checked)"
            };
            let _ = writeln!(out, "OK: Prosody accepts this token{checked}");
            let _ = writeln!(out, "header: {}", v.header);
            let _ = writeln!(out, "payload: {}", v.payload);
            for w in &v.warnings {
                let _ = writeln!(std::io::stderr(), "warning: {w}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            let _ = writeln!(out, "not-allowed: {reason}");
            let _ = writeln!(
                std::io::stderr(),
                "error[token-rejected]: Prosody refuses this token: {reason}"
            );
            Ok(ExitCode::from(1))
        }
    }
}
