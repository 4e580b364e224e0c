//! The command line: argument parsing (clap), diagnostics on stderr, results on stdout, exit codes
//! (0 success, 1 errors in the inputs, 2 usage errors).

use crate::compile::{CompileOptions, check, compile};
use crate::container::{self, Keys};
use crate::diagnostic::{Diagnostic, MessageFormat, render, sort};
use crate::exam::OutputFormat;
use crate::merge::MergeOptions;
use crate::plist::PlistStyle;
use crate::schema;
use crate::secret::Secret;
use clap::{Args, Parser, Subcommand};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sebc",
    version,
    about = "Compile and validate Safe Exam Browser exam configurations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile exam files into SEB configuration files.
    Compile(CompileArgs),
    /// Load, validate and merge exam files without writing anything.
    Validate(ValidateArgs),
    /// Read any .seb or plist file and print its canonical XML (or JSON).
    Decode(DecodeArgs),
    /// Print the Config Key of a .seb, plist or exam file.
    ConfigKey(ConfigKeyArgs),
    /// Sign a Jitsi or Zoom token from explicit claims, or explain a token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the generated JSON Schemas (exam file, SEB settings).
    Schema(SchemaArgs),
}

#[derive(Args)]
struct Report {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Args)]
struct CompileArgs {
    /// Exam files (.yaml, .yml, .toml, .json).
    #[arg(required = true)]
    exams: Vec<PathBuf>,
    /// Output directory.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: PathBuf,
    /// Output format, overriding the exam file's `output.format`.
    #[arg(long, value_enum)]
    format: Option<OutputFormat>,
    /// Plist byte format: indented, or SEB Server's compact export bytes.
    #[arg(long, value_enum, default_value_t = PlistStyle::Indented)]
    plist_style: PlistStyle,
    /// Write only the settings the exam and its bases set, not every SEB default.
    #[arg(long)]
    minimal: bool,
    /// Write unencrypted .seb files as raw XML (what Moodle accepts) instead of gzip("plnd" + gzip(XML)).
    #[arg(long)]
    raw_xml: bool,
    /// Also write one configuration per collecting room (`<id>-room-N`) with the room's join settings
    /// and token embedded, so SEB joins proctoring without SEB Server.
    #[arg(long)]
    per_room: bool,
    /// The current time for token lifetimes: epoch seconds or RFC 3339 (default: SOURCE_DATE_EPOCH, else the clock).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    report: Report,
}

#[derive(Args)]
struct ValidateArgs {
    /// Exam files (.yaml, .yml, .toml, .json).
    #[arg(required = true)]
    exams: Vec<PathBuf>,
    /// Tell which layer (default, base, exam file, service) set this SEB key, and its value.
    #[arg(long, value_name = "KEY")]
    explain: Option<String>,
    /// The current time for token lifetimes: epoch seconds or RFC 3339.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[arg(long)]
    minimal: bool,
    #[command(flatten)]
    report: Report,
}

#[derive(Args)]
struct PasswordArgs {
    /// Environment variable holding the password (never pass secrets as arguments).
    #[arg(long, value_name = "NAME", conflicts_with = "password_file")]
    password_env: Option<String>,
    /// File holding the password (one trailing newline is ignored).
    #[arg(long, value_name = "PATH")]
    password_file: Option<PathBuf>,
}

#[derive(Args)]
struct DecodeArgs {
    /// A .seb file (any container) or a plist.
    file: PathBuf,
    #[command(flatten)]
    secrets: ReadSecrets,
    /// Print the settings as JSON instead of XML.
    #[arg(long)]
    json: bool,
    /// Largest decompressed size accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = container::DEFAULT_MAX_DECOMPRESSED)]
    max_decompressed: u64,
}

/// What it takes to open someone else's `.seb` file.
#[derive(Args)]
struct ReadSecrets {
    #[command(flatten)]
    password: PasswordArgs,
    /// Environment variable holding the admin password (for `pwcc` files).
    #[arg(long, value_name = "NAME")]
    admin_password_env: Option<String>,
    /// PEM file with the identity's RSA private key (for `pkhs`/`phsk` files).
    #[arg(long, value_name = "PEM")]
    key: Option<PathBuf>,
}

#[derive(Args)]
struct ConfigKeyArgs {
    /// A .seb file (any container), a plist, or an exam file (the key of what `compile` writes).
    file: PathBuf,
    /// Also print the exact SEB-JSON string that was hashed (before the key).
    #[arg(long)]
    show_json: bool,
    /// Also print the X-SafeExamBrowser-ConfigKeyHash header value for this URL (fragment removed).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// For exam files: the key of `compile --minimal` output.
    #[arg(long)]
    minimal: bool,
    #[command(flatten)]
    secrets: ReadSecrets,
    #[command(flatten)]
    report: Report,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// A Jitsi Meet JWT (HS256) with SEB Server's claims.
    Jitsi(JitsiArgs),
    /// A Zoom Meeting SDK JWT (HS256).
    Zoom(ZoomArgs),
    /// Run the checks Jitsi's Prosody runs on a token and print the reason it would give.
    Verify(VerifyArgs),
}

/// The signing secret, never from argv.
#[derive(Args)]
struct SecretArgs {
    /// Environment variable holding the secret.
    #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
    secret_env: Option<String>,
    /// File holding the secret (one trailing newline is ignored).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
}

#[derive(Args)]
struct JitsiArgs {
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
    /// A proctor's token (moderator; `aud` seb-server).
    #[arg(long)]
    moderator: bool,
    /// Overrides `aud` (default: seb-server with --moderator, else seb-client).
    #[arg(long, value_name = "AUD")]
    aud: Option<String>,
    /// Expiry, epoch seconds (default: now + 24 h; required with --profile seb-server).
    #[arg(long, value_name = "EPOCH_SECONDS", allow_negative_numbers = true)]
    exp: Option<i64>,
    #[arg(long, value_enum, default_value_t = crate::proctoring::tokens::Profile::Default)]
    profile: crate::proctoring::tokens::Profile,
    /// The current time (epoch seconds or RFC 3339) for the default expiry.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
}

#[derive(Args)]
struct ZoomArgs {
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
struct VerifyArgs {
    /// The token (`-` reads it from standard input).
    token: String,
    /// The app secret, to check the signature.
    #[command(flatten)]
    secret: SecretArgs,
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

#[derive(Args)]
struct SchemaArgs {
    /// Which schema to print.
    #[arg(value_enum, default_value_t = WhichSchema::Exam)]
    which: WhichSchema,
    /// Write both schemas into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum WhichSchema {
    Exam,
    Settings,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Compile(a) => run_compile(a),
        Command::Validate(a) => run_validate(a),
        Command::Decode(a) => run_decode(a),
        Command::ConfigKey(a) => run_config_key(a),
        Command::Token(t) => run_token(t),
        Command::Schema(a) => run_schema(a),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn display_of(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Prints diagnostics to stderr, quoting source lines for the human format. Returns (errors, warnings).
fn report(diags: &mut [Diagnostic], format: MessageFormat) -> (usize, usize) {
    sort(diags);
    let mut sources: HashMap<String, Option<String>> = HashMap::new();
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    for d in diags.iter() {
        let src = sources
            .entry(d.file.clone())
            .or_insert_with(|| std::fs::read_to_string(&d.file).ok())
            .as_deref();
        let text = render(d, format, src);
        let _ = writeln!(out, "{text}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

fn outcome(errors: usize, warnings: usize, deny_warnings: bool) -> ExitCode {
    if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_password(args: &PasswordArgs) -> Result<Option<Secret>, String> {
    if let Some(name) = &args.password_env {
        return std::env::var(name)
            .map(|v| Some(Secret::new(v.into_bytes())))
            .map_err(|_| format!("environment variable `{name}` is not set"));
    }
    if let Some(path) = &args.password_file {
        let r = crate::secret::SecretRef::File(crate::secret::FileRef {
            file: path.to_string_lossy().into_owned(),
        });
        return r.resolve(Path::new("")).map(Some);
    }
    Ok(None)
}

/// The current time: `--now` (epoch seconds or RFC 3339), else `SOURCE_DATE_EPOCH`, else the clock.
fn now(arg: Option<&str>) -> Result<i64, String> {
    let parse = |s: &str| {
        s.trim()
            .parse::<i64>()
            .ok()
            .or_else(|| crate::validate::rfc3339_seconds(s.trim()))
    };
    if let Some(s) = arg {
        return parse(s)
            .ok_or_else(|| format!("--now {s:?} is neither epoch seconds nor an RFC 3339 time"));
    }
    if let Ok(s) = std::env::var("SOURCE_DATE_EPOCH") {
        return parse(&s).ok_or_else(|| format!("SOURCE_DATE_EPOCH {s:?} is not epoch seconds"));
    }
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64))
}

fn run_compile(a: CompileArgs) -> ExitCode {
    let password = match read_password(&a.password) {
        Ok(p) => p,
        Err(msg) => return usage_error(&msg),
    };
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let opts = CompileOptions {
        out_dir: a.out_dir.clone(),
        format: a.format,
        style: a.plist_style,
        merge: MergeOptions { minimal: a.minimal },
        password,
        raw_xml: a.raw_xml,
        per_room: a.per_room,
        now,
    };
    let mut all = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut written = 0;
    let stdout = std::io::stdout();
    for path in &a.exams {
        let display = display_of(path);
        let mut claim = |id: &str| match ids.get(id) {
            Some(first) => Err(first.clone()),
            None => {
                ids.insert(id.to_string(), display.clone());
                Ok(())
            }
        };
        let (compiled, mut diags) = compile(path, &display, &opts, &mut claim);
        if let Some(c) = compiled {
            let mut out = stdout.lock();
            for f in &c.files {
                written += 1;
                let _ = writeln!(out, "{}\t{}\t{}", c.id, f.path.display(), f.config_key);
            }
        }
        all.append(&mut diags);
    }
    let (errors, warnings) = report(&mut all, a.report.message_format);
    if a.report.message_format == MessageFormat::Human {
        eprintln!(
            "{} exam(s), {written} configuration(s) written, {errors} error(s), {warnings} warning(s)",
            a.exams.len()
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

fn run_validate(a: ValidateArgs) -> ExitCode {
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let mut all = Vec::new();
    for path in &a.exams {
        let display = display_of(path);
        let mut checked = check(path, &display, MergeOptions { minimal: a.minimal }, now);
        if let (Some(key), Some(merged)) = (&a.explain, &checked.merged) {
            println!("{}", explain(&display, key, merged));
        }
        all.append(&mut checked.diags);
    }
    let (errors, warnings) = report(&mut all, a.report.message_format);
    if a.report.message_format == MessageFormat::Human {
        eprintln!(
            "{} exam(s) checked, {errors} error(s), {warnings} warning(s)",
            a.exams.len()
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

/// `--explain KEY`: the final value of a key and the layer that set it.
fn explain(display: &str, key: &str, merged: &crate::merge::Merged) -> String {
    match (merged.settings.get(key), merged.origins.get(key)) {
        (Some(value), Some(layer)) => {
            let shown = if key.starts_with("hashed") {
                "(a SHA-256 hash, not shown)".to_string()
            } else {
                let mut v = plist::Value::Dictionary(plist::Dictionary::new());
                if let plist::Value::Dictionary(d) = &mut v {
                    d.insert(key.to_string(), value.clone());
                }
                serde_json::to_string(&crate::plist::to_json(value)).unwrap_or_default()
            };
            format!("{display}: {key} = {shown}\n  set by {layer}")
        }
        _ => {
            let hint = crate::diagnostic::did_you_mean(key, crate::catalog::Catalog::get().keys())
                .filter(|k| *k != key)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            format!("{display}: {key} is not set{hint}")
        }
    }
}

/// Reads the settings of a `.seb` or plist file; `Err` is the exit code after reporting.
fn read_settings(
    file: &Path,
    secrets: &ReadSecrets,
    max_decompressed: u64,
) -> Result<plist::Dictionary, ExitCode> {
    let display = display_of(file);
    let password = read_password(&secrets.password).map_err(|msg| usage_error(&msg))?;
    let admin = match &secrets.admin_password_env {
        Some(name) => match std::env::var(name) {
            Ok(v) => Some(Secret::new(v.into_bytes())),
            Err(_) => {
                return Err(usage_error(&format!(
                    "environment variable `{name}` is not set"
                )));
            }
        },
        None => None,
    };
    let fail = |msg: String| {
        let mut d = [Diagnostic::error("decode", msg).at(&display, Default::default())];
        report(&mut d, MessageFormat::Human);
        ExitCode::from(1)
    };
    let private_key = match &secrets.key {
        Some(path) => {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                usage_error(&format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::load::io_reason(&e)
                ))
            })?;
            Some(
                crate::certificate::PrivateKey::from_pem(&pem)
                    .map_err(|e| usage_error(&format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let bytes = crate::load::read_file(file, &display).map_err(|d| fail(d.message))?;
    let keys = Keys {
        password: password.as_ref().map(Secret::expose),
        admin_password: admin.as_ref().map(Secret::expose),
        max_decompressed: Some(max_decompressed),
        private_key: private_key.as_ref(),
    };
    let (xml, _) = container::decode(&bytes, &keys).map_err(|e| fail(e.to_string()))?;
    crate::plist::read_xml(&xml).map_err(fail)
}

fn run_decode(a: DecodeArgs) -> ExitCode {
    let dict = match read_settings(&a.file, &a.secrets, a.max_decompressed) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let out = if a.json {
        let mut s =
            serde_json::to_string_pretty(&crate::plist::to_json(&plist::Value::Dictionary(dict)))
                .unwrap_or_default();
        s.push('\n');
        s.into_bytes()
    } else {
        crate::plist::write_xml(&dict, PlistStyle::Indented, &|_| false)
    };
    let _ = std::io::stdout().lock().write_all(&out);
    ExitCode::SUCCESS
}

fn run_config_key(a: ConfigKeyArgs) -> ExitCode {
    let display = display_of(&a.file);
    let mut diags = Vec::new();
    let settings = if crate::load::Syntax::of(&a.file).is_some() {
        let now = match now(None) {
            Ok(n) => n,
            Err(msg) => return usage_error(&msg),
        };
        let checked = check(&a.file, &display, MergeOptions { minimal: a.minimal }, now);
        diags = checked.diags;
        match checked.merged {
            Some(m) if !diags.iter().any(Diagnostic::is_error) => m.settings,
            _ => {
                report(&mut diags, a.report.message_format);
                return ExitCode::from(1);
            }
        }
    } else {
        let dict = match read_settings(&a.file, &a.secrets, container::DEFAULT_MAX_DECOMPRESSED) {
            Ok(d) => d,
            Err(code) => return code,
        };
        // Someone else's file: divergences are warnings (sebc refuses to write them).
        for d in crate::configkey::lint(&dict) {
            diags.push(
                Diagnostic::warning("config-key-divergence", d.message)
                    .at(&display, Default::default())
                    .pointer(d.pointer)
                    .hint("SEB for Windows and macOS may compute different keys for this file"),
            );
        }
        dict
    };
    let (errors, warnings) = report(&mut diags, a.report.message_format);
    let json = crate::configkey::seb_json(&settings);
    let key = crate::configkey::config_key(&settings);
    let mut out = std::io::stdout().lock();
    if a.show_json {
        let _ = writeln!(out, "{json}");
    }
    let _ = writeln!(out, "{key}");
    if let Some(url) = &a.url {
        let _ = writeln!(
            out,
            "X-SafeExamBrowser-ConfigKeyHash: {}",
            crate::configkey::config_key_hash(url, &key)
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

fn read_secret(a: &SecretArgs) -> Result<Option<Secret>, String> {
    read_password(&PasswordArgs {
        password_env: a.secret_env.clone(),
        password_file: a.secret_file.clone(),
    })
}

fn run_token(t: TokenCommand) -> ExitCode {
    use crate::proctoring::tokens;
    let require_secret = |a: &SecretArgs| match read_secret(a) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(usage_error(
            "give the secret with --secret-env NAME or --secret-file PATH",
        )),
        Err(msg) => Err(usage_error(&msg)),
    };
    match t {
        TokenCommand::Jitsi(a) => {
            let secret = match require_secret(&a.secret) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let Some(sub) = tokens::host_of(&a.server_url) else {
                return usage_error(&format!(
                    "--server-url {:?} is not an absolute URL",
                    a.server_url
                ));
            };
            let exp = match (a.exp, a.profile) {
                (Some(e), _) => e,
                (None, tokens::Profile::SebServer) => {
                    return usage_error("--profile seb-server needs an explicit --exp");
                }
                (None, tokens::Profile::Default) => match now(a.now.as_deref()) {
                    Ok(n) => n + crate::proctoring::TOKEN_DEFAULT_LIFETIME,
                    Err(msg) => return usage_error(&msg),
                },
            };
            if !crate::proctoring::rooms::is_safe_room_name(&a.room) {
                eprintln!(
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
                moderator: a.moderator,
                aud: a.aud.as_deref().unwrap_or(default_aud),
                iss: a.app_key.trim(),
                sub: &sub,
                room: &a.room,
                exp,
            };
            println!(
                "{}",
                tokens::jitsi_token(&claims, a.profile, secret.expose())
            );
            ExitCode::SUCCESS
        }
        TokenCommand::Zoom(a) => {
            let secret = match require_secret(&a.secret) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let iat = match a.iat.map_or_else(|| now(None), Ok) {
                Ok(i) => i,
                Err(msg) => return usage_error(&msg),
            };
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
            match tokens::zoom_token(&claims, secret.expose()) {
                Ok(t) => {
                    println!("{t}");
                    ExitCode::SUCCESS
                }
                Err(msg) => {
                    eprintln!("error[zoom-token]: {msg}");
                    ExitCode::from(1)
                }
            }
        }
        TokenCommand::Verify(a) => {
            let token = if a.token == "-" {
                let mut s = String::new();
                let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s);
                s
            } else {
                a.token.clone()
            };
            let secret = match read_secret(&a.secret) {
                Ok(s) => s,
                Err(msg) => return usage_error(&msg),
            };
            let now = match now(a.now.as_deref()) {
                Ok(n) => n,
                Err(msg) => return usage_error(&msg),
            };
            let acc = tokens::Acceptance {
                secret: secret.as_ref().map(Secret::expose),
                issuers: a.issuers,
                audiences: a.audiences,
                now,
            };
            match tokens::verify(&token, &acc) {
                Ok(v) => {
                    println!(
                        "OK: Prosody accepts this token{}",
                        if v.signature_checked {
                            ""
                        } else {
                            " (signature not checked)"
                        }
                    );
                    println!("header: {}", v.header);
                    println!("payload: {}", v.payload);
                    for w in &v.warnings {
                        eprintln!("warning: {w}");
                    }
                    ExitCode::SUCCESS
                }
                Err(reason) => {
                    println!("not-allowed: {reason}");
                    eprintln!("error[token-rejected]: Prosody refuses this token: {reason}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn run_schema(a: SchemaArgs) -> ExitCode {
    if let Some(dir) = a.out_dir {
        for (name, value) in [
            (schema::EXAM_SCHEMA_FILE, schema::exam_schema()),
            (schema::SETTINGS_SCHEMA_FILE, schema::settings_schema()),
        ] {
            if let Err(e) = crate::emit::write_atomic(
                &dir.join(name),
                schema::to_pretty(&value).as_bytes(),
                false,
            ) {
                eprintln!("error: cannot write {}: {e}", dir.join(name).display());
                return ExitCode::from(1);
            }
        }
        return ExitCode::SUCCESS;
    }
    let value = match a.which {
        WhichSchema::Exam => schema::exam_schema(),
        WhichSchema::Settings => schema::settings_schema(),
    };
    print!("{}", schema::to_pretty(&value));
    ExitCode::SUCCESS
}
