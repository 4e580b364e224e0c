//! Checks of URL-valued settings SEB would otherwise fail on silently: a `startURL` without an http(s)
//! scheme, and URL-filter rules whose regular expression does not parse.
//!
//! SEB for Windows takes `startURL` as it is (seb-win-refactoring
//! `SafeExamBrowser.Configuration/ConfigurationData/DataMapping/BrowserDataMapper.cs:526-531`) and hands it
//! to the browser control unchanged (`SafeExamBrowser.Browser/BrowserWindow.cs:152`); a text without a
//! scheme is no URL to Chromium, so the exam opens on an empty page. Other schemes (`file:`, `data:`) do
//! load, hence a warning.
//!
//! SEB compiles URL-filter expressions with `regex: true` in its platform's dialect: .NET on Windows
//! (`SafeExamBrowser.Browser/Filters/Rules/RegexRule.cs:32, 44`, where an invalid one throws), ICU's
//! `NSRegularExpression` on macOS and iOS. sebc checks them with Rust's `regex` crate: a true syntax
//! error (an unclosed group, a dangling quantifier) is an error; what only Rust's dialect lacks
//! (look-around, backreferences, atomic groups, some escapes) is a warning that sebc could not check it.

use crate::diagnostic::Diagnostic;
use regex_syntax::ast::ErrorKind;
use regex_syntax::hir::ErrorKind as HirErrorKind;

/// What is wrong with a `startURL`: the code, severity, message and hint, if anything.
pub(super) fn start_url_problem(url: &str) -> Option<Diagnostic> {
    let trimmed = url.trim();
    let scheme = trimmed
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| (is_scheme(s) && trimmed.contains("://")) || *s == "data" || *s == "about");
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        Some("http" | "https") => None,
        Some(other) => Some(
            Diagnostic::warning(
                "start-url-scheme",
                format!("`startURL` uses the `{other}:` scheme, not http(s)"),
            )
            .hint("SEB loads it, but an exam normally starts on the LMS's https:// page; write https://…"),
        ),
        None => Some(
            Diagnostic::error(
                "start-url-scheme",
                format!("`startURL` \"{trimmed}\" has no http:// or https:// scheme"),
            )
            .hint(format!(
                "SEB passes the text to its browser as it is, which opens an empty page; write https://{}",
                trimmed.trim_start_matches('/')
            )),
        ),
    }
}

/// RFC 3986 scheme: a letter, then letters, digits, `+`, `-`, `.`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// What is wrong with a URL-filter expression with `regex: true`, if anything.
pub(super) fn regex_problem(expression: &str) -> Option<Diagnostic> {
    let error = regex::Regex::new(expression).err()?;
    let at = |span: &regex_syntax::ast::Span| span.start.column;
    let (dialect, detail) = match regex_syntax::ast::parse::Parser::new().parse(expression) {
        Err(e) => (
            dialect_only(e.kind(), expression),
            format!("{} at character {}", e.kind(), at(e.span())),
        ),
        Ok(ast) => match regex_syntax::hir::translate::Translator::new().translate(expression, &ast) {
            Err(e) => (
                matches!(
                    e.kind(),
                    HirErrorKind::UnicodePropertyNotFound | HirErrorKind::UnicodePropertyValueNotFound
                )
                .then_some("a Unicode property or block name Rust's regex does not know (such as .NET's block \\p{IsBasicLatin})"),
                format!("{} at character {}", e.kind(), at(e.span())),
            ),
            Ok(_) => (
                matches!(error, regex::Error::CompiledTooBig(_))
                    .then_some("a pattern larger than Rust's regex compiles"),
                error.to_string().lines().last().unwrap_or_default().to_string(),
            ),
        },
    };
    Some(match dialect {
        Some(feature) => Diagnostic::warning(
            "regex-dialect",
            format!("the URL filter expression uses {feature}, which sebc cannot check ({detail})"),
        )
        .hint("SEB for Windows (.NET) and macOS/iOS (ICU) accept it; test the rule in SEB, or write it without that feature"),
        None => Diagnostic::error(
            "invalid-regex",
            format!("the URL filter expression is not a valid regular expression: {detail}"),
        )
        .hint("SEB refuses the rule; fix the expression, or set `regex: false` to use SEB's wildcard syntax (lms.example.org/*)"),
    })
}

/// The feature of .NET's and ICU's dialects that Rust's lacks, when it is the reason `expression`
/// does not parse.
fn dialect_only(kind: &ErrorKind, expression: &str) -> Option<&'static str> {
    match kind {
        ErrorKind::UnsupportedLookAround => Some("look-around"),
        ErrorKind::UnsupportedBackreference => Some("a backreference"),
        ErrorKind::EscapeUnrecognized => {
            Some("an escape sequence Rust's regex lacks (such as \\Z, \\G or \\k<name>)")
        }
        ErrorKind::FlagUnrecognized | ErrorKind::GroupUnclosed
            if expression.contains("(?>") || expression.contains("(?#") =>
        {
            Some("an atomic group or an inline comment")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(expression: &str) -> Option<(&'static str, bool)> {
        regex_problem(expression).map(|d| (d.code, d.is_error()))
    }

    #[test]
    fn valid_expressions_are_quiet() {
        for e in [
            r"^https?://lms\.example\.org/.*$",
            r"(?i)exam[0-9]{2}\/quiz",
            r"^https://(www\.)?example\.org/(?<page>\w+)$",
        ] {
            assert_eq!(regex(e), None, "{e}");
        }
    }

    #[test]
    fn syntax_errors_are_errors() {
        for e in [
            r"^https://(lms\.example\.org",
            r"*.example.org",
            r"[a-",
            r"a{2,1}",
        ] {
            assert_eq!(regex(e), Some(("invalid-regex", true)), "{e}");
        }
    }

    #[test]
    fn what_only_rusts_dialect_lacks_is_a_warning() {
        for e in [
            r"^https://(?!admin\.)\w+\.example\.org",
            r"(?<=/)quiz",
            r"(a)\1",
            r"example\.org\Z",
            r"(?>abc)",
            r"\p{IsBasicLatin}+",
            r"(a{1000}){1000}",
        ] {
            assert_eq!(regex(e), Some(("regex-dialect", false)), "{e}");
        }
    }

    #[test]
    fn start_url_needs_a_scheme() {
        let check = |url| start_url_problem(url).map(|d| (d.code, d.is_error(), d.hint));
        assert_eq!(check("https://lms.example.org/quiz"), None);
        assert_eq!(check("HTTP://lms.example.org"), None);
        assert_eq!(
            check("lms.example.org/mod/quiz/view.php?id=1"),
            Some((
                "start-url-scheme",
                true,
                Some("SEB passes the text to its browser as it is, which opens an empty page; write https://lms.example.org/mod/quiz/view.php?id=1".into())
            ))
        );
        assert_eq!(check("lms.example.org:443/quiz").map(|c| c.1), Some(true));
        assert_eq!(
            check("file:///C:/exam/index.html").map(|c| (c.0, c.1)),
            Some(("start-url-scheme", false))
        );
        assert_eq!(check("about:blank").map(|c| c.1), Some(false));
    }
}
