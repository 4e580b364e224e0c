//! `sebc decode` and `sebc config-key`: reading someone else's `.seb` or plist file.

use super::*;

#[derive(Args)]
pub(super) struct DecodeArgs {
    /// A .seb file (any container), a plist, or a .json file `decode --json` wrote.
    file: PathBuf,
    #[command(flatten)]
    secrets: ReadSecrets,
    /// Print the settings as JSON instead of XML (<data> as {"$data": Base64}, <date> as {"$date": text}).
    #[arg(long)]
    json: bool,
    /// Largest decompressed size accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = container::DEFAULT_MAX_DECOMPRESSED)]
    max_decompressed: u64,
}

// What it takes to open someone else's `.seb` file.
#[derive(Args)]
pub(super) struct ReadSecrets {
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
pub(super) struct ConfigKeyArgs {
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
    sandbox: SandboxArg,
    #[command(flatten)]
    report: Report,
}

/// Reads the settings of a `.seb` or plist file; `Err` is the exit code after reporting (as `how`
/// says). Under a `sandbox` the file must be inside it, and no key or password is read from a file.
pub(super) fn read_settings(
    file: &Path,
    secrets: &ReadSecrets,
    max_decompressed: u64,
    sandbox: Option<&Sandbox>,
    how: &Report,
) -> Result<plist::Dictionary, ExitCode> {
    let display = display_of(file);
    if sandbox.is_some() && secrets.key.is_some() {
        return Err(usage_error(
            "--key is refused with --sandbox: no secret is read from a file",
        ));
    }
    if let Some(s) = sandbox.filter(|s| !s.admits(file)) {
        let msg = format!(
            "`{display}` resolves to {}, outside the sandbox {}",
            s.resolved(file).display(),
            s.root().display()
        );
        let d = Diagnostic::error("sandbox-escape", msg)
            .at(&display, Default::default())
            .hint("with --sandbox DIR, give only files inside DIR");
        report(&mut vec![d], how, &Sources::default());
        return Err(ExitCode::from(1));
    }
    let password = read_password(&secrets.password, sandbox).map_err(|msg| usage_error(&msg))?;
    let admin = secrets
        .admin_password_env
        .as_deref()
        .map(|name| SecretRef::env(name).resolve(Path::new(""), None))
        .transpose()
        .map_err(|e| usage_error(&e.to_string()))?;
    let fail_with = |msg: String, hint: Option<&str>| {
        let mut d = Diagnostic::error("decode", msg).at(&display, Default::default());
        d.hint = hint.map(str::to_string);
        report(&mut vec![d], how, &Sources::default());
        ExitCode::from(1)
    };
    let fail = |msg: String| fail_with(msg, None);
    let private_key = match &secrets.key {
        Some(path) => {
            let pem = crate::source::read_bounded(path, crate::secret::MAX_SECRET_FILE_BYTES)
                .map_err(|e| usage_error(&format!("cannot read {}: {e}", path.display())))
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| {
                        usage_error(&format!("{} is not a PEM file (not UTF-8)", path.display()))
                    })
                })?;
            Some(
                seb_format::certificate::PrivateKey::from_pem(&pem)
                    .map_err(|e| usage_error(&format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let bytes = crate::load::read_file(file, &display).map_err(|d| fail(d.message))?;
    if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return settings_from_json(&bytes).map_err(fail);
    }
    let keys = Keys {
        password: password.as_ref().map(|s| s.expose_secret()),
        admin_password: admin.as_ref().map(|s| s.expose_secret()),
        max_decompressed: Some(max_decompressed),
        private_key: private_key.as_ref(),
    };
    seb_format::read_settings(&bytes, &keys, &crate::load::PLIST_LIMITS)
        .map(|(settings, _)| settings)
        .map_err(|e| match e {
            seb_format::SettingsError::Container(e) => fail_with(e.to_string(), container_hint(&e)),
            e => fail(e.to_string()),
        })
}

/// The settings of a file `decode --json` wrote (see [`crate::plist_json`]).
fn settings_from_json(bytes: &[u8]) -> Result<plist::Dictionary, String> {
    let json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not JSON: {e} (line {}, column {})", e.line(), e.column()))?;
    match crate::plist_json::from_json(&json)? {
        plist::Value::Dictionary(d) => Ok(d),
        _ => Err("the settings must be a JSON object, as `sebc decode --json` prints them".into()),
    }
}

/// The option of `decode` and `config-key` that supplies what a container needs.
fn container_hint(e: &container::ContainerError) -> Option<&'static str> {
    use container::ContainerError as E;
    match e {
        E::PasswordNeeded("pwcc") => Some(
            "give the admin password with --admin-password-env NAME (a settings password: --password-env NAME)",
        ),
        E::PasswordNeeded(_) => {
            Some("give the password with --password-env NAME or --password-file PATH")
        }
        E::TooLarge(_) => Some("raise the limit with --max-decompressed BYTES"),
        E::Certificate(_) => Some("give the identity's private key with --key PEM"),
        _ => None,
    }
}

pub(super) fn run_decode(a: DecodeArgs) -> ExitCode {
    let dict = match read_settings(
        &a.file,
        &a.secrets,
        a.max_decompressed,
        None,
        &Report::default(),
    ) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let out = if a.json {
        let mut s = serde_json::to_string_pretty(&crate::plist_json::to_json(
            &plist::Value::Dictionary(dict),
        ))
        .unwrap_or_default();
        s.push('\n');
        s.into_bytes()
    } else {
        // The reader refuses what the writer cannot write, so this fails only on a broken invariant.
        match seb_format::plist::write_xml(&dict, PlistStyle::Indented, &|_| false) {
            Ok(xml) => xml,
            Err(e) => {
                let d = Diagnostic::error("invalid-character", e.to_string())
                    .at(&display_of(&a.file), Default::default());
                report(&mut vec![d], &Report::default(), &Sources::default());
                return ExitCode::from(1);
            }
        }
    };
    let _ = std::io::stdout().lock().write_all(&out);
    ExitCode::SUCCESS
}

pub(super) fn run_config_key(a: ConfigKeyArgs) -> ExitCode {
    let display = display_of(&a.file);
    let sandbox = match a.sandbox.policy() {
        Ok(s) => s,
        Err(msg) => return usage_error(&msg),
    };
    let mut diags = Vec::new();
    let mut sources = Sources::default();
    let settings = if crate::load::Syntax::of(&a.file).is_some() {
        let now = match now(None) {
            Ok(n) => n,
            Err(msg) => return usage_error(&msg),
        };
        let input = Input {
            path: a.file.clone(),
            display: display.clone(),
            discovered: false,
        };
        let opts = CheckOptions {
            merge: MergeOptions { minimal: a.minimal },
            ..CheckOptions::default()
        };
        let checked = check(&input, opts, now, sandbox.as_ref());
        diags = checked.diags;
        sources = checked.sources;
        match checked.merged {
            Some(m) if !diags.iter().any(Diagnostic::is_error) => m.settings.into_dictionary(),
            _ => {
                report(&mut diags, &a.report, &sources);
                return ExitCode::from(1);
            }
        }
    } else {
        let max = container::DEFAULT_MAX_DECOMPRESSED;
        let dict = match read_settings(&a.file, &a.secrets, max, sandbox.as_ref(), &a.report) {
            Ok(d) => d,
            Err(code) => return code,
        };
        // Someone else's file: divergences are warnings (sebc refuses to write them).
        for d in seb_format::configkey::lint(&dict) {
            diags.push(
                Diagnostic::warning("config-key-divergence", d.message)
                    .at(&display, Default::default())
                    .pointer(d.pointer)
                    .hint("SEB for Windows and macOS may compute different keys for this file"),
            );
        }
        dict
    };
    for d in seb_format::moodle::differences(&settings) {
        diags.push(
            Diagnostic::warning("moodle-config-key-differs", d.message)
                .at(&display, Default::default())
                .pointer(d.pointer)
                .hint("Moodle's quizaccess_seb computes another Config Key for this file, so its key check would refuse SEB; change the setting, or let Moodle check the Browser Exam Key instead"),
        );
    }
    let (errors, warnings) = report(&mut diags, &a.report, &sources);
    let json = seb_format::configkey::seb_json(&settings);
    let key = seb_format::configkey::config_key_of_seb_json(&json);
    let hash = a
        .url
        .as_deref()
        .map(|url| seb_format::configkey::config_key_hash(url, &key));
    let mut out = std::io::stdout().lock();
    if a.report.message_format == MessageFormat::Json {
        // Every line on stdout is one JSON object: the result is one too (`configKey`, no `code`).
        let mut result = serde_json::Map::new();
        result.insert("file".into(), display.clone().into());
        result.insert("configKey".into(), key.clone().into());
        if a.show_json {
            result.insert("sebJson".into(), json.clone().into());
        }
        if let Some(hash) = &hash {
            result.insert("configKeyHash".into(), hash.clone().into());
        }
        let _ = writeln!(out, "{}", serde_json::Value::Object(result));
        return outcome(errors, warnings, a.report.deny_warnings);
    }
    if a.show_json {
        let _ = writeln!(out, "{json}");
    }
    let _ = writeln!(out, "{key}");
    if let Some(hash) = hash {
        let _ = writeln!(out, "X-SafeExamBrowser-ConfigKeyHash: {hash}");
    }
    outcome(errors, warnings, a.report.deny_warnings)
}
