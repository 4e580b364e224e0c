//! `sebc settings [QUERY]`: settings looked up by key or by words, with what each SEB release does with
//! them (the catalog and the client data; see `crate::clients`).

use super::*;

#[derive(Args)]
pub(super) struct SettingsArgs {
    /// A setting's key, or words found in keys and tabs (all settings when left out).
    query: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run_settings(a: SettingsArgs) -> ExitCode {
    let query = a.query.join(" ");
    let found = crate::clients::search(&query);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if found.is_empty() {
        let hint = crate::diagnostic::did_you_mean(&query, crate::catalog::Catalog::get().keys())
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: no setting matches `{query}`{hint}"
        );
        return ExitCode::from(1);
    }
    let text = if a.json {
        let all: Vec<serde_json::Value> = found
            .iter()
            .map(|s| crate::clients::describe_json(s))
            .collect();
        serde_json::to_string_pretty(&all).unwrap_or_default()
    } else if found.len() == 1 {
        found.iter().map(|s| crate::clients::describe(s)).collect()
    } else {
        found
            .iter()
            .map(|s| crate::clients::summary(s))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let _ = writeln!(out, "{text}");
    ExitCode::SUCCESS
}
