//! The command line: argument parsing (clap), human diagnostics on stderr, results and machine-readable
//! diagnostics (`--message-format json|github`) on stdout, exit codes (0 success, 1 errors in the
//! inputs, 2 usage errors).

mod build;
mod diff;
mod import;
mod init;
mod inputs;
mod read;
mod settings;
mod token;
mod zoom;

use build::{CompileArgs, ValidateArgs, run_compile, run_validate};
use read::{ConfigKeyArgs, DecodeArgs, run_config_key, run_decode};
use token::{TokenCommand, run_token};
use zoom::{ZoomCommand, run_zoom};

use crate::compile::{CheckOptions, CompileOptions, Input, check};
use crate::diagnostic::cap::{cap, default_max};
use crate::diagnostic::{ColorChoice, Diagnostic, MessageFormat, Quoter, render_with, sort_dedup};
use crate::exam::OutputFormat;
use crate::merge::MergeOptions;
use crate::sandbox::Sandbox;
use crate::schema;
use crate::secret::{ExposeSecret, Secret, SecretRef};
use crate::source::Sources;
use clap::{Args, Parser, Subcommand};
use seb_format::container::{self, Keys};
use seb_format::plist::PlistStyle;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

#[derive(Parser)]
#[command(
    name = "sebc",
    version,
    about = "Compile and validate Safe Exam Browser exam configurations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is unset), always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto", value_parser = choice(&[
        ("auto", ColorChoice::Auto),
        ("always", ColorChoice::Always),
        ("never", ColorChoice::Never),
    ]))]
    color: ColorChoice,
}

/// Whether diagnostics on stderr are coloured: decided once from `--color`, before any is printed.
static COLOR: OnceLock<bool> = OnceLock::new();

/// Each subcommand's arguments are built only when it runs (or for help, completions and man pages):
/// `sebc --version` and every command start without building the other subcommands' ~200 arguments.
/// A deferred subcommand takes the `about` of any `#[derive(Args)]` struct it contains *after* its
/// own, so those structs carry plain `//` comments, never doc comments (`tests/help.rs` checks every
/// subcommand's help against its line in its parent's list).
#[derive(Subcommand)]
#[command(defer = true)]
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
    /// Look settings up by key or words: type, default, allowed values, and which SEB releases read them.
    Settings(settings::SettingsArgs),
    /// Write a commented starter exam file (ID.yaml) from a template.
    Init(init::InitArgs),
    /// Print the shell completion script for bash, zsh, fish or powershell.
    Completions(init::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --out-dir.
    Man(init::ManArgs),
    /// Turn .seb or plist files into exam files that compile back to the same Config Key.
    Import(import::ImportArgs),
    /// Compare two configurations (exam files, .seb, plist): settings, Config Key, clients.
    Diff(diff::DiffArgs),
    /// Create an exam's Zoom meetings once through Zoom's API (for `compile --meetings`), or delete them.
    #[command(subcommand)]
    Zoom(ZoomCommand),
}

#[derive(Args, Default)]
struct Report {
    /// How to print diagnostics.
    #[arg(long, default_value = "human", value_parser = choice(&[
        ("human", MessageFormat::Human),
        ("json", MessageFormat::Json),
        ("github", MessageFormat::Github),
    ]))]
    message_format: MessageFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Most diagnostics printed per code and file, the rest summed up in one line; 0 prints all
    /// (default: 20, or 200 for --message-format json). Exit codes and counts include every one.
    #[arg(long, value_name = "N")]
    max_diagnostics: Option<usize>,
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

// `--sandbox DIR`, for `compile`, `validate` and `config-key`.
#[derive(Args)]
struct SandboxArg {
    /// Treat the exams as untrusted: exam files, `extends` bases and walked directories must resolve
    /// (after symlinks) inside DIR, and secrets come only from environment variables (no `{ file: }`
    /// secrets, no --password-file).
    #[arg(long, value_name = "DIR")]
    sandbox: Option<PathBuf>,
}

impl SandboxArg {
    fn policy(&self) -> Result<Option<Sandbox>, String> {
        self.sandbox.as_deref().map(Sandbox::new).transpose()
    }
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
    let no_color = std::env::var_os("NO_COLOR");
    let _ = COLOR.set(
        cli.color
            .enabled(std::io::stderr().is_terminal(), no_color.as_deref()),
    );
    match cli.command {
        Command::Compile(a) => run_compile(a),
        Command::Validate(a) => run_validate(a),
        Command::Decode(a) => run_decode(a),
        Command::ConfigKey(a) => run_config_key(a),
        Command::Token(t) => run_token(t),
        Command::Schema(a) => run_schema(a),
        Command::Settings(a) => settings::run_settings(a),
        Command::Init(a) => init::run_init(a),
        Command::Completions(a) => init::run_completions(a),
        Command::Man(a) => init::run_man(a),
        Command::Import(a) => import::run_import(a),
        Command::Diff(a) => diff::run_diff(a),
        Command::Zoom(c) => run_zoom(c),
    }
}

/// A flag whose values are a library enum's, by name: the library's types stay free of clap, and
/// `--help` and error messages still list the possible values.
fn choice<T: Copy + Send + Sync + 'static>(
    names: &'static [(&'static str, T)],
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(names.iter().map(|(name, _)| *name)).map(move |s| {
        names
            .iter()
            .find(|(name, _)| *name == s)
            .map_or(names[0].1, |(_, value)| *value)
    })
}

/// Writes one line to stderr in a single system call: stderr is unbuffered, and `writeln!` makes one
/// call per formatted piece (fourteen for the compile summary).
fn status_line(line: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

fn usage_error(msg: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {msg}");
    ExitCode::from(2)
}

fn display_of(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Prints diagnostics — the human form to stderr, the machine forms (`json`, `github`) to stdout, where
/// tools read them — quoting source lines for the human format from the texts read during the run
/// (`sources`; no file is read again) and redacting the literal secrets found in them; repeats beyond
/// `--max-diagnostics` per code and file are summed up. Returns (errors, warnings), counting every
/// diagnostic, printed or not.
fn report(diags: &mut Vec<Diagnostic>, how: &Report, sources: &Sources) -> (usize, usize) {
    sort_dedup(diags);
    let format = how.message_format;
    // Colour is for the human form only (and decided for stderr).
    let color = format == MessageFormat::Human && COLOR.get().copied().unwrap_or(false);
    let quoter = Quoter::new(sources);
    let (shown, omitted) = cap(diags, how.max_diagnostics.unwrap_or(default_max(format)));
    let mut out: std::io::BufWriter<Box<dyn Write>> = std::io::BufWriter::new(match format {
        MessageFormat::Human => Box::new(std::io::stderr().lock()),
        MessageFormat::Json | MessageFormat::Github => Box::new(std::io::stdout().lock()),
    });
    for d in shown {
        let _ = writeln!(out, "{}", render_with(d, format, color, &quoter));
    }
    for o in &omitted {
        let _ = writeln!(out, "{}", o.render(format, color));
    }
    let _ = out.flush();
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

/// `--*-env NAME` / `--*-file PATH`, through the same resolver as the exam file's secrets (so
/// `--sandbox` refuses `--password-file`).
fn read_password(args: &PasswordArgs, sandbox: Option<&Sandbox>) -> Result<Option<Secret>, String> {
    let reference = match (&args.password_env, &args.password_file) {
        (Some(name), _) => SecretRef::env(name),
        (None, Some(path)) => SecretRef::file(path),
        (None, None) => return Ok(None),
    };
    match reference.resolve(Path::new(""), sandbox) {
        Ok(secret) => Ok(Some(secret)),
        Err(crate::secret::SecretError::Refused(_)) => Err(
            "--password-file is refused with --sandbox: give the password with --password-env NAME"
                .to_string(),
        ),
        Err(e) => Err(e.to_string()),
    }
}

/// The current time: `--now` (epoch seconds or RFC 3339), else `SOURCE_DATE_EPOCH`, else the clock.
fn now(arg: Option<&str>) -> Result<i64, String> {
    let parse = |s: &str| {
        s.trim()
            .parse::<i64>()
            .ok()
            .or_else(|| crate::timestamp::rfc3339_seconds(s.trim()))
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
                let _ = writeln!(
                    std::io::stderr(),
                    "error: cannot write {}: {e}",
                    dir.join(name).display()
                );
                return ExitCode::from(1);
            }
        }
        return ExitCode::SUCCESS;
    }
    let value = match a.which {
        WhichSchema::Exam => schema::exam_schema(),
        WhichSchema::Settings => schema::settings_schema(),
    };
    let _ = write!(std::io::stdout(), "{}", schema::to_pretty(&value));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_epoch_seconds_or_an_rfc3339_time() {
        assert_eq!(now(Some("1796115600")), Ok(1_796_115_600));
        assert_eq!(now(Some(" 2026-12-01T09:00:00Z ")), Ok(1_796_115_600));
        assert_eq!(now(Some("2026-12-01T10:00:00+01:00")), Ok(1_796_115_600));
        assert!(now(Some("2026-13-01T00:00:00Z")).is_err());
        assert!(now(Some("tomorrow")).is_err());
    }
}
