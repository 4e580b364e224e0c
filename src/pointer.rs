//! JSON pointers (RFC 6901), the paths diagnostics and source maps use for settings.

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Appends `/` and `key` escaped as one segment ([`escape_segment`]), with no string of its own
/// unless the key holds `~` or `/`.
pub fn push_segment(pointer: &mut String, key: &str) {
    pointer.push('/');
    if key.contains(['~', '/']) {
        pointer.push_str(&escape_segment(key));
    } else {
        pointer.push_str(key);
    }
}

/// The key one JSON pointer segment names (RFC 6901: `~1` is `/`, `~0` is `~`).
pub fn unescape_segment(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('~') {
        s.replace("~1", "/").replace("~0", "~").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip() {
        for key in ["plain", "a/b", "~", "~1", "a~0/b~1", ""] {
            assert_eq!(unescape_segment(&escape_segment(key)), key);
        }
        let value = serde_json::json!({ "a/b~c": 1 });
        let mut pushed = String::from("/x");
        push_segment(&mut pushed, "a/b~c");
        assert_eq!(pushed, format!("/x/{}", escape_segment("a/b~c")));
        let seg = escape_segment("a/b~c");
        assert_eq!(
            value.get(&*unescape_segment(&seg)),
            value.pointer(&format!("/{seg}"))
        );
    }
}
