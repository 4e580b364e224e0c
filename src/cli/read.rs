//! `sebc decode` and `sebc config-key`: reading someone else's `.seb` or plist file.

use super::*;

#[derive(Args)]
pub(super) struct DecodeArgs {
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
    report: Report,
}

/// Reads the settings of a `.seb` or plist file; `Err` is the exit code after reporting.
fn read_settings(
    file: &Path,
    secrets: &ReadSecrets,
    max_decompressed: u64,
) -> Result<plist::Dictionary, ExitCode> {
    let display = display_of(file);
    let password = read_password(&secrets.password).map_err(|msg| usage_error(&msg))?;
    let admin = secrets
        .admin_password_env
        .as_deref()
        .map(|name| SecretRef::env(name).resolve(Path::new("")))
        .transpose()
        .map_err(|msg| usage_error(&msg))?;
    let fail_with = |msg: String, hint: Option<&str>| {
        let mut d = Diagnostic::error("decode", msg).at(&display, Default::default());
        d.hint = hint.map(str::to_string);
        report(&mut vec![d], &Report::default(), &Sources::default());
        ExitCode::from(1)
    };
    let fail = |msg: String| fail_with(msg, None);
    let private_key = match &secrets.key {
        Some(path) => {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                usage_error(&format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::source::io_reason(&e)
                ))
            })?;
            Some(
                seb_format::certificate::PrivateKey::from_pem(&pem)
                    .map_err(|e| usage_error(&format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let bytes = crate::load::read_file(file, &display).map_err(|d| fail(d.message))?;
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
    let dict = match read_settings(&a.file, &a.secrets, a.max_decompressed) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let out = if a.json {
        let mut s = serde_json::to_string_pretty(&plist_to_json(&plist::Value::Dictionary(dict)))
            .unwrap_or_default();
        s.push('\n');
        s.into_bytes()
    } else {
        seb_format::plist::write_xml(&dict, PlistStyle::Indented, &|_| false)
    };
    let _ = std::io::stdout().lock().write_all(&out);
    ExitCode::SUCCESS
}

pub(super) fn run_config_key(a: ConfigKeyArgs) -> ExitCode {
    let display = display_of(&a.file);
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
        let checked = check(&input, MergeOptions { minimal: a.minimal }, now);
        diags = checked.diags;
        sources = checked.sources;
        match checked.merged {
            Some(m) if !diags.iter().any(Diagnostic::is_error) => m.settings,
            _ => {
                report(&mut diags, &a.report, &sources);
                return ExitCode::from(1);
            }
        }
    } else {
        let dict = match read_settings(&a.file, &a.secrets, container::DEFAULT_MAX_DECOMPRESSED) {
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
    let (errors, warnings) = report(&mut diags, &a.report, &sources);
    let json = seb_format::configkey::seb_json(&settings);
    let key = seb_format::configkey::config_key(&settings);
    let mut out = std::io::stdout().lock();
    if a.show_json {
        let _ = writeln!(out, "{json}");
    }
    let _ = writeln!(out, "{key}");
    if let Some(url) = &a.url {
        let _ = writeln!(
            out,
            "X-SafeExamBrowser-ConfigKeyHash: {}",
            seb_format::configkey::config_key_hash(url, &key)
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

/// A plist value as JSON (for `decode --json` and `--explain`): data as Base64, dates as text.
pub(super) fn plist_to_json(v: &plist::Value) -> serde_json::Value {
    use base64::Engine;
    use serde_json::Value as J;
    match v {
        plist::Value::Boolean(b) => J::Bool(*b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(J::from)
            .or_else(|| i.as_unsigned().map(J::from))
            .unwrap_or(J::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(*r).map_or(J::Null, J::Number),
        plist::Value::String(s) => J::String(s.clone()),
        plist::Value::Data(d) => J::String(base64::engine::general_purpose::STANDARD.encode(d)),
        plist::Value::Date(d) => J::String(d.to_xml_format()),
        plist::Value::Array(a) => J::Array(a.iter().map(plist_to_json).collect()),
        plist::Value::Dictionary(d) => {
            let mut entries: Vec<_> = d.iter().collect();
            entries.sort_by(|a, b| seb_format::plist::key_order(a.0, b.0));
            J::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), plist_to_json(v)))
                    .collect(),
            )
        }
        _ => J::Null,
    }
}
