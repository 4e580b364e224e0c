//! `sebc import`: `.seb`/plist files in, exam files (and verbatim plist bases) out, each checked to
//! compile back to the original's settings and Config Key.

use super::read::{ReadSecrets, read_settings};
use super::*;
use crate::import::{ImportFormat, Nulls, exam_id, import, render, verify};

#[derive(Args)]
pub(super) struct ImportArgs {
    /// .seb files (any container) or plists.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Directory the exam files are written to.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", default_value = ".")]
    out_dir: PathBuf,
    /// Syntax of the exam files.
    #[arg(long, default_value = "yaml", value_parser = super::choice(&[
        ("yaml", ImportFormat::Yaml),
        ("toml", ImportFormat::Toml),
        ("json", ImportFormat::Json),
    ]))]
    format: ImportFormat,
    /// Replace exam files that already exist.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    secrets: ReadSecrets,
}

pub(super) fn run_import(a: ImportArgs) -> ExitCode {
    let mut ids: Vec<(String, String)> = Vec::new();
    for file in &a.files {
        let id = exam_id(file);
        if let Some((_, other)) = ids.iter().find(|(i, _)| *i == id) {
            return usage_error(&format!(
                "{} and {other} would both be imported as `{id}`: import them into different directories",
                display_of(file)
            ));
        }
        ids.push((id, display_of(file)));
    }
    let mut failed = false;
    for (file, (id, display)) in a.files.iter().zip(&ids) {
        match import_one(&a, file, id, display) {
            Ok(()) => {}
            Err(code) if code == ExitCode::from(2) => return code,
            Err(_) => failed = true,
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn import_one(a: &ImportArgs, file: &Path, id: &str, display: &str) -> Result<(), ExitCode> {
    let original = read_settings(
        file,
        &a.secrets,
        container::DEFAULT_MAX_DECOMPRESSED,
        None,
        &Report::default(),
    )?;
    let nulls = match a.format {
        ImportFormat::Toml => Nulls::Forbidden,
        _ => Nulls::Allowed,
    };
    let mut imported = import(&original, id, display, nulls);
    let exam_path = a.out_dir.join(format!("{id}.{}", a.format.extension()));
    let exam_display = display_of(&exam_path);
    let verdict = verify::settle(&mut imported, &original, a.format, &exam_display)
        .map_err(|e| usage_error(&e))?;
    let mut outputs = vec![(exam_path.clone(), render(&imported, a.format).into_bytes())];
    if let Some(name) = imported.verbatim_file() {
        let bytes = verify::verbatim_bytes(&imported).map_err(|e| {
            let d = Diagnostic::error("invalid-character", e).at(display, Default::default());
            report(&mut vec![d], &Report::default(), &Sources::default());
            ExitCode::from(1)
        })?;
        outputs.push((a.out_dir.join(name), bytes));
    }
    if !a.force
        && let Some((existing, _)) = outputs.iter().find(|(p, _)| p.exists())
    {
        return Err(usage_error(&format!(
            "{} exists: give --force to replace it, or another --out-dir",
            existing.display()
        )));
    }
    for (path, bytes) in &outputs {
        if let Err(e) = crate::emit::write_atomic(path, bytes, false) {
            let d = Diagnostic::error(
                "io",
                format!(
                    "cannot write {}: {}",
                    path.display(),
                    crate::source::io_reason(&e)
                ),
            )
            .at(display, Default::default());
            report(&mut vec![d], &Report::default(), &Sources::default());
            return Err(ExitCode::from(1));
        }
    }
    let mut diags: Vec<Diagnostic> = verdict
        .diags
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    if !verdict.exact(&imported.config_key) {
        let what = if verdict.differences.is_empty() {
            "it does not compile".to_string()
        } else {
            format!("these settings differ: {}", verdict.differences.join(", "))
        };
        diags.push(
            Diagnostic::error(
                "import-inexact",
                format!("{exam_display} does not compile back to the settings of {display}: {what}"),
            )
            .at(&exam_display, Default::default())
            .hint(format!(
                "edit {exam_display} (or its verbatim base) until `sebc validate {exam_display}` passes"
            )),
        );
    }
    let (errors, _) = report(&mut diags, &Report::default(), &Sources::default());
    let _ = writeln!(
        std::io::stdout(),
        "{display}\t{exam_display}\t{}",
        imported.config_key
    );
    if errors > 0 {
        Err(ExitCode::from(1))
    } else {
        Ok(())
    }
}
