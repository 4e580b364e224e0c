//! `sebc init`, `sebc completions` and `sebc man`: a starter exam file, shell completion scripts and the
//! manual page.

use super::*;
use crate::init::{DEFAULT_SCHEMA_REF, Template, check_id, starter};

#[derive(Args)]
pub(super) struct InitArgs {
    /// The exam id ([a-z0-9][a-z0-9_-]*, at most 64 characters): names the file and the outputs.
    id: String,
    /// The kind of exam to start from.
    #[arg(long, default_value = "plain", value_parser = choice(&Template::ALL))]
    template: Template,
    /// Where to write the file (default: ID.yaml in the current directory).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    output: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
    /// What the editor's `# yaml-language-server: $schema=` line points at (a path relative to the
    /// file, or a URL).
    #[arg(long, value_name = "REF", default_value = DEFAULT_SCHEMA_REF)]
    schema: String,
}

pub(super) fn run_init(a: InitArgs) -> ExitCode {
    if let Err(msg) = check_id(&a.id) {
        return usage_error(&msg);
    }
    let path = a
        .output
        .unwrap_or_else(|| PathBuf::from(format!("{}.yaml", a.id)));
    let file_name = path
        .file_name()
        .map_or_else(|| display_of(&path), |n| n.to_string_lossy().into_owned());
    let text = starter(a.template, &a.id, &file_name, &a.schema);
    match write_new(&path, text.as_bytes(), a.force) {
        Ok(()) => {
            let vars = a.template.env_vars();
            let set = if vars.is_empty() {
                String::new()
            } else {
                format!("set {} in the environment, then ", vars.join(", "))
            };
            let _ = writeln!(
                std::io::stderr(),
                "wrote {}; {set}check it with `sebc validate {}`",
                path.display(),
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = writeln!(
                std::io::stderr(),
                "error: {} already exists; sebc init does not overwrite it (pass --force to replace it, or -o PATH to write elsewhere)",
                path.display()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write {}: {e}",
                path.display()
            );
            ExitCode::from(1)
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so the file appears whole
/// or not at all; without `force`, an existing file is left alone (`AlreadyExists`), atomically.
fn write_new(path: &Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".sebc-init.")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    let persisted = if force {
        tmp.persist(path)
    } else {
        tmp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| e.error)
}

#[derive(Args)]
pub(super) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Prints the completion script for a shell on stdout.
pub(super) fn run_completions(a: CompletionsArgs) -> ExitCode {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(a.shell, &mut cmd, "sebc", &mut out);
    ExitCode::SUCCESS
}

#[derive(Args)]
pub(super) struct ManArgs {
    /// Write one page per command (sebc.1, sebc-compile.1, …) into this directory instead of printing
    /// sebc.1.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Prints the manual page `sebc.1` (roff), or writes a page per command into `--out-dir`.
pub(super) fn run_man(a: ManArgs) -> ExitCode {
    let cmd = <Cli as clap::CommandFactory>::command();
    let result = match &a.out_dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map_err(|e| format!("cannot write the manual pages into {}: {e}", dir.display())),
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| e.to_string())
                .map(|()| {
                    let _ = std::io::stdout().lock().write_all(&page);
                })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(1)
        }
    }
}
