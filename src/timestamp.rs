//! Times as sebc reads them: an RFC 3339 time (an exam's `start` and `end`, `--now`) as seconds since
//! the epoch. Shared by the validate stage (the exam's time range), proctoring (token lifetimes) and the
//! command line, so none of them depends on another for it.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Seconds since the epoch of an RFC 3339 time (fractions of a second dropped), or `None` when the
/// text is not one, a date such as month 13 included.
pub fn rfc3339_seconds(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_to_epoch() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-12-01T09:00:00Z"), Some(1_796_115_600));
        assert_eq!(
            rfc3339_seconds("2026-12-01T10:00:00+01:00"),
            Some(1_796_115_600)
        );
        assert_eq!(
            rfc3339_seconds("2026-12-01T09:00:00.250Z"),
            Some(1_796_115_600)
        );
    }

    #[test]
    fn impossible_dates_and_other_text_are_refused() {
        assert_eq!(rfc3339_seconds("2026-13-01T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2026-02-30T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2026-12-01T24:00:00Z"), None);
        assert_eq!(rfc3339_seconds("2026-12-01T09:00:00"), None, "no offset");
        assert_eq!(rfc3339_seconds("1 Dec 2026, 9am"), None);
        assert_eq!(rfc3339_seconds(""), None);
    }
}
