//! What SEB Server's `notNull` checks count as missing (blank texts, absent or blank secrets), and the
//! `server-field-ignored` warning for the fields of SEB Server's GET JSON that are not settings. Shared
//! by the live and screen proctoring checks.

use super::document::Site;
use crate::diagnostic::Diagnostic;
use crate::secret::SecretRef;

/// Fields of SEB Server's GET JSON in `section` that are not settings: each a `server-field-ignored`
/// warning at its key.
pub(super) fn server_fields_ignored(
    section: &str,
    keys: &[&str],
    site: &Site,
    diags: &mut Vec<Diagnostic>,
) {
    for key in keys {
        diags.push(
            site.at_key(
                Diagnostic::warning(
                    "server-field-ignored",
                    format!("`{key}` is SEB Server's state, not a setting: sebc ignores it"),
                ),
                &format!("/{section}/{key}"),
            )
            .hint(format!(
                "SEB Server's GET JSON carries `{key}` beside the settings; remove it to silence this warning"
            )),
        );
    }
}

/// One credential SEB Server requires: its key, SEB Server's error code, and whether it is missing.
pub(super) type Credential = (&'static str, &'static str, bool);

/// `credential!("proctoringSettings", "appKey", missing)`: a [`Credential`] whose code is SEB Server's
/// `proctoringSettings:appKey:notNull`.
macro_rules! credential {
    ($owner:literal, $key:literal, $missing:expr) => {
        ($key, concat!($owner, ":", $key, ":notNull"), $missing)
    };
}
pub(super) use credential;

/// A `<code>` error at `/<section>` for each missing credential, the message saying when it is needed;
/// the hint says how to write a secret where the field is one, else to write the value.
pub(super) fn missing_credentials(
    credentials: &[Credential],
    section: &str,
    needed: &str,
    site: &Site,
    diags: &mut Vec<Diagnostic>,
) {
    for (key, code, _) in credentials.iter().filter(|(_, _, missing)| *missing) {
        let pointer = format!("/{section}/{key}");
        let hint = if crate::schema::is_secret_pointer(&pointer) {
            format!("write `{key}: {{ env: NAME }}` or `{key}: {{ file: PATH }}` in `{section}`")
        } else {
            format!("write `{key}: VALUE` in `{section}`, as the service's account gives it")
        };
        diags.push(
            site.at_key(
                Diagnostic::error(code, format!("`{key}` is mandatory {needed}")),
                &format!("/{section}"),
            )
            .hint(hint),
        );
    }
}

/// Empty or only whitespace (Apache Commons' `StringUtils.isBlank`, which SEB Server uses).
pub(super) fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A required text that is not there: missing, null or only whitespace (SEB Server's `notNull`).
pub(super) fn is_missing(text: Option<&str>) -> bool {
    text.is_none_or(is_blank)
}

/// A required secret that is not there: missing, null, or a literal of only whitespace. A reference
/// (`{ env: NAME }`, `{ file: PATH }`) is there; whether it resolves is the compile step's concern.
pub(super) fn is_missing_secret(secret: Option<&SecretRef>) -> bool {
    match secret {
        None => true,
        Some(SecretRef::Literal(text)) => is_blank(text),
        Some(SecretRef::Env(_) | SecretRef::File(_)) => false,
    }
}
