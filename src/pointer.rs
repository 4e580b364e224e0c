//! JSON pointers (RFC 6901), the paths diagnostics and source maps use for settings.

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
