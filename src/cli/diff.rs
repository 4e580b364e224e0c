//! `sebc diff A B`: exit 0 when the two configurations are equal, 1 when they differ, 2 on error
//! (like diff(1)).

use super::read::{ReadSecrets, read_settings};
use super::*;
use crate::diff::{Side, diff, render_human};

#[derive(Args)]
pub(super) struct DiffArgs {
    /// The old configuration: an exam file, a .seb file (any container) or a plist.
    old: PathBuf,
    /// The new configuration.
    new: PathBuf,
    /// Print the differences as one JSON object.
    #[arg(long)]
    json: bool,
    /// For exam files: compare what `compile --minimal` writes.
    #[arg(long)]
    minimal: bool,
    /// The passwords and key given open both files, where they need them.
    #[command(flatten)]
    secrets: ReadSecrets,
}

pub(super) fn run_diff(a: DiffArgs) -> ExitCode {
    let (Some(old), Some(new)) = (side(&a, &a.old), side(&a, &a.new)) else {
        return ExitCode::from(2);
    };
    let d = diff(&old, &new);
    let text = if a.json {
        let mut s = serde_json::to_string_pretty(&d).unwrap_or_default();
        s.push('\n');
        s
    } else {
        render_human(&d)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if d.is_equal() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One side's settings; `None` after reporting why it cannot be read.
fn side(a: &DiffArgs, file: &Path) -> Option<Side> {
    let display = display_of(file);
    if crate::load::Syntax::of(file).is_none() {
        let settings = read_settings(
            file,
            &a.secrets,
            container::DEFAULT_MAX_DECOMPRESSED,
            None,
            &Report::default(),
        )
        .ok()?;
        return Some(Side {
            display,
            settings,
            origins: None,
            targets: crate::clients::Targets::default(),
        });
    }
    let now = now(None).ok()?;
    let input = Input {
        path: file.to_path_buf(),
        display: display.clone(),
        discovered: false,
    };
    let opts = CheckOptions {
        merge: MergeOptions { minimal: a.minimal },
        ..CheckOptions::default()
    };
    let mut checked = check(&input, opts, now, None);
    let errors = checked.diags.iter().any(Diagnostic::is_error);
    let (Some(exam), Some(merged), false) = (checked.exam.as_ref(), checked.merged, errors) else {
        checked.diags.retain(Diagnostic::is_error);
        report(&mut checked.diags, &Report::default(), &checked.sources);
        return None;
    };
    let (targets, _) = crate::clients::targets_of(exam, None);
    let origins = merged.all_origins();
    Some(Side {
        display,
        settings: merged.settings.into_dictionary(),
        origins: Some((origins, merged.removed)),
        targets,
    })
}
