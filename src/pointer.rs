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

/// The value `pointer` names in `value`, as [`serde_json::Value::pointer`] finds it, without a string
/// per segment (serde_json unescapes every segment into two new strings).
pub fn get<'v>(value: &'v serde_json::Value, pointer: &str) -> Option<&'v serde_json::Value> {
    use serde_json::Value;
    if pointer.is_empty() {
        return Some(value);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(value, |at, seg| match at {
            Value::Object(map) => map.get(&*unescape_segment(seg)),
            // An index is digits without a leading zero (RFC 6901), as serde_json reads it.
            Value::Array(items) if seg == "0" || !seg.starts_with(['0', '+']) => {
                items.get(seg.parse::<usize>().ok()?)
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_what_serde_json_finds() {
        let value = serde_json::json!({
            "a": { "b/c": [10, { "~": true }], "": 1, "0": "zero" },
            "list": [[1, 2], 3]
        });
        let pointers = [
            "",
            "/",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/a/b~1c/2",
            "/a/b~1c/-1",
            "/a/",
            "/a/0",
            "/list/0/1",
            "/list/1/0",
            "/list/x",
            "a",
            "/missing/x",
            "/a/b~1c/1/~0/x",
            "/a/b~2c",
            "/list/18446744073709551616",
        ];
        for p in pointers {
            assert_eq!(get(&value, p), value.pointer(p), "{p}");
        }
        assert_eq!(get(&value, "/a/b~1c/1/~0"), Some(&serde_json::json!(true)));
    }

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
