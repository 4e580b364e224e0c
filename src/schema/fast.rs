//! The schema fast path: a small interpreter of the JSON Schema keywords sebc's two schemas use, which
//! answers `Valid`, `Invalid` or `Unknown` for a document without building the jsonschema validator
//! (compiling it costs more than the rest of a one-exam run). Only `Valid` is acted on: the validate
//! stage then reports nothing, and anything else runs the full validator, whose errors make the
//! diagnostics exactly as before. `Invalid` must be as sound as `Valid` (`oneOf` needs both).
//!
//! Soundness is the rule: every keyword, format or comparison it cannot decide exactly as jsonschema
//! 0.61 does is `Unknown` (`date-time` and `uri` are decided on a strict subset of what the RFCs allow,
//! patterns only in the syntax where ECMA and Rust regexes agree, floats where an integer is required
//! never). `tests/schema_fast_path.rs` holds it to jsonschema's verdict on every fixture and on random
//! mutations of them.

mod strings;

use serde_json::{Map, Number, Value};
use strings::{format, pattern};

/// What the fast path knows about a document (or a part of it) against a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// jsonschema reports no error.
    Valid,
    /// jsonschema reports at least one error.
    Invalid,
    /// Not decided here: ask jsonschema.
    Unknown,
}

use Verdict::{Invalid, Unknown, Valid};

impl Verdict {
    fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Invalid, _) | (_, Invalid) => Invalid,
            (Valid, Valid) => Valid,
            _ => Unknown,
        }
    }

    fn from_bool(ok: bool) -> Verdict {
        if ok { Valid } else { Invalid }
    }
}

/// Which schema document a `$ref` is resolved in.
#[derive(Debug, Clone, Copy)]
enum Doc {
    Exam,
    Settings,
}

/// Nesting beyond this is left to jsonschema (the loader refuses deeper documents anyway).
const MAX_DEPTH: usize = 96;

/// The exam schema's `$ref` to the settings schema, relative to `sebc:///schemas/exam.schema.json`.
const SETTINGS_REF: &str = "seb-settings.schema.json";

/// Annotations: no assertion in draft 2020-12 (`contentEncoding` included: jsonschema 0.61 compiles it
/// as an annotation for 2020-12, keywords/mod.rs `compile_content_encoding_annotation`).
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "$defs",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "contentEncoding",
    "contentMediaType",
];

/// The settings schema as the fast path reads it: its skeleton (the root and `$defs` with empty
/// `properties` at the root and in `$defs/proctoringTab`), and the function that gives what those
/// `properties` hold for one setting (`tab`: the Proctoring tab's), built for the settings a run uses.
pub(super) struct SettingsSchema<'s> {
    pub skeleton: &'s Value,
    pub property: fn(key: &str, tab: bool) -> Option<&'s Value>,
}

pub(super) struct Checker<'s> {
    exam: &'s Value,
    settings: SettingsSchema<'s>,
    /// The skeleton's two empty `properties` maps, which stand for the settings.
    settings_properties: [Option<&'s Map<String, Value>>; 2],
    /// A root `required` name not to assert (`exam`, for templates and bases).
    skip_root_required: Option<&'s str>,
}

impl<'s> Checker<'s> {
    pub(super) fn new(
        exam: &'s Value,
        settings: SettingsSchema<'s>,
        skip_root_required: Option<&'s str>,
    ) -> Self {
        let props = |v: Option<&'s Value>| v.and_then(|v| v.get("properties")?.as_object());
        let settings_properties = [
            props(Some(settings.skeleton)),
            props(settings.skeleton.pointer("/$defs/proctoringTab")),
        ];
        Checker {
            exam,
            settings,
            settings_properties,
            skip_root_required,
        }
    }

    /// The schema `properties` holds for `key`, the settings' looked up.
    fn property(&self, properties: &'s Map<String, Value>, key: &str) -> Option<&'s Value> {
        let is = |m: Option<&Map<String, Value>>| m.is_some_and(|m| std::ptr::eq(m, properties));
        if is(self.settings_properties[0]) {
            (self.settings.property)(key, false)
        } else if is(self.settings_properties[1]) {
            (self.settings.property)(key, true)
        } else {
            properties.get(key)
        }
    }

    /// The verdict for `instance` against the exam schema's root.
    pub(super) fn check_exam(&self, instance: &Value) -> Verdict {
        self.check(self.exam, Doc::Exam, instance, 0)
    }

    fn check(&self, schema: &'s Value, doc: Doc, instance: &Value, depth: usize) -> Verdict {
        if depth > MAX_DEPTH {
            return Unknown;
        }
        let keywords = match schema {
            Value::Bool(b) => return Verdict::from_bool(*b),
            Value::Object(keywords) => keywords,
            _ => return Unknown,
        };
        let mut verdict = Valid;
        for (keyword, value) in keywords {
            let v = match keyword.as_str() {
                "type" => type_of(value, instance),
                "enum" => match value {
                    Value::Array(options) => any_equal(options, instance),
                    _ => Unknown,
                },
                "const" => equal(value, instance).map_or(Unknown, Verdict::from_bool),
                "properties" | "additionalProperties" => {
                    // Both read together, once, at `properties` (or at `additionalProperties` alone).
                    if keyword == "additionalProperties" && keywords.contains_key("properties") {
                        Valid
                    } else {
                        self.properties(keywords, doc, instance, depth)
                    }
                }
                "required" => self.required(value, instance, depth),
                "items" => match instance {
                    Value::Array(items) => items.iter().fold(Valid, |acc, item| {
                        if acc == Invalid {
                            acc
                        } else {
                            acc.and(self.check(value, doc, item, depth + 1))
                        }
                    }),
                    _ => Valid,
                },
                "minimum" => bound(value, instance, |o| o.is_ge()),
                "maximum" => bound(value, instance, |o| o.is_le()),
                "minLength" => length(value, instance, |len, n| len >= n),
                "maxLength" => length(value, instance, |len, n| len <= n),
                "pattern" => pattern(value, instance),
                "format" => format(value, instance),
                "$ref" => match value.as_str().and_then(|r| self.resolve(r, doc)) {
                    Some((target, doc)) => self.check(target, doc, instance, depth + 1),
                    None => Unknown,
                },
                "allOf" | "anyOf" | "oneOf" => match value {
                    Value::Array(branches) => self.combine(keyword, branches, doc, instance, depth),
                    _ => Unknown,
                },
                k if ANNOTATIONS.contains(&k) => Valid,
                _ => Unknown,
            };
            verdict = verdict.and(v);
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn combine(
        &self,
        keyword: &str,
        branches: &'s [Value],
        doc: Doc,
        instance: &Value,
        depth: usize,
    ) -> Verdict {
        let verdicts = branches
            .iter()
            .map(|b| self.check(b, doc, instance, depth + 1));
        match keyword {
            "allOf" => verdicts.fold(Valid, Verdict::and),
            "anyOf" => {
                let mut out = Invalid;
                for v in verdicts {
                    match v {
                        Valid => return Valid,
                        Unknown => out = Unknown,
                        Invalid => {}
                    }
                }
                if branches.is_empty() { Unknown } else { out }
            }
            _ => {
                let (mut valid, mut unknown) = (0, 0);
                for v in verdicts {
                    match v {
                        Valid => valid += 1,
                        Unknown => unknown += 1,
                        Invalid => {}
                    }
                }
                match (valid, unknown) {
                    (v, _) if v > 1 => Invalid,
                    (_, u) if u > 0 => Unknown,
                    (v, _) => Verdict::from_bool(v == 1),
                }
            }
        }
    }

    fn properties(
        &self,
        keywords: &'s Map<String, Value>,
        doc: Doc,
        instance: &Value,
        depth: usize,
    ) -> Verdict {
        let Value::Object(entries) = instance else {
            return Valid;
        };
        if keywords.contains_key("patternProperties") {
            return Unknown;
        }
        let properties = match keywords.get("properties") {
            None => None,
            Some(Value::Object(p)) => Some(p),
            Some(_) => return Unknown,
        };
        let additional = keywords.get("additionalProperties");
        let mut verdict = Valid;
        for (key, value) in entries {
            let v = match (properties.and_then(|p| self.property(p, key)), additional) {
                (Some(schema), _) => self.check(schema, doc, value, depth + 1),
                (None, Some(schema)) => self.check(schema, doc, value, depth + 1),
                (None, None) => Valid,
            };
            verdict = verdict.and(v);
            if verdict == Invalid {
                return Invalid;
            }
        }
        verdict
    }

    fn required(&self, names: &Value, instance: &Value, depth: usize) -> Verdict {
        let Value::Object(entries) = instance else {
            return Valid;
        };
        let Value::Array(names) = names else {
            return Unknown;
        };
        let mut verdict = Valid;
        for name in names {
            let Some(name) = name.as_str() else {
                return Unknown;
            };
            if depth == 0 && Some(name) == self.skip_root_required {
                continue;
            }
            if !entries.contains_key(name) {
                verdict = Invalid;
            }
        }
        verdict
    }

    /// The schema a `$ref` names: within the document (`#/$defs/...`), or the settings schema from the
    /// exam schema. Anything else is left to jsonschema.
    fn resolve(&self, reference: &str, doc: Doc) -> Option<(&'s Value, Doc)> {
        let (target, fragment) = match reference.split_once('#') {
            Some((target, fragment)) => (target, fragment),
            None => (reference, ""),
        };
        let doc = match (target, doc) {
            ("", doc) => doc,
            (SETTINGS_REF, Doc::Exam) => Doc::Settings,
            _ => return None,
        };
        if fragment.contains(['%', '~']) {
            return None;
        }
        let root = match doc {
            Doc::Exam => self.exam,
            Doc::Settings => {
                // `#/properties/KEY` (the Proctoring tab's entries) names a setting's schema.
                if let Some(key) = fragment.strip_prefix("/properties/")
                    && !key.contains('/')
                {
                    return Some(((self.settings.property)(key, false)?, doc));
                }
                self.settings.skeleton
            }
        };
        // A JSON pointer without escapes (none in `fragment`, checked above).
        let mut found = root;
        for segment in fragment.split('/').skip(1) {
            found = match found {
                Value::Object(o) => o.get(segment)?,
                Value::Array(a) => a.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some((found, doc))
    }
}

fn type_of(types: &Value, instance: &Value) -> Verdict {
    match types {
        Value::String(t) => is_type(t, instance),
        Value::Array(ts) => {
            let mut out = Invalid;
            for t in ts {
                match t.as_str().map_or(Unknown, |t| is_type(t, instance)) {
                    Valid => return Valid,
                    Unknown => out = Unknown,
                    Invalid => {}
                }
            }
            out
        }
        _ => Unknown,
    }
}

fn is_type(name: &str, instance: &Value) -> Verdict {
    match (name, instance) {
        ("integer", Value::Number(n)) => {
            match n.as_f64() {
                _ if n.is_i64() || n.is_u64() => Valid,
                Some(f) if f.is_finite() && f.fract() != 0.0 => Invalid,
                // A float with no fraction counts as an integer in draft 2020-12: jsonschema decides.
                _ => Unknown,
            }
        }
        ("number", Value::Number(_))
        | ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("null", Value::Null)
        | ("object", Value::Object(_))
        | ("array", Value::Array(_)) => Valid,
        ("integer" | "number" | "string" | "boolean" | "null" | "object" | "array", _) => Invalid,
        _ => Unknown,
    }
}

fn any_equal(options: &[Value], instance: &Value) -> Verdict {
    let mut out = Invalid;
    for option in options {
        match equal(option, instance) {
            Some(true) => return Valid,
            Some(false) => {}
            None => out = Unknown,
        }
    }
    out
}

/// JSON Schema equality where it is certain: strings, booleans, null, integers; values of different
/// kinds are unequal. Floats, arrays and objects are certain only when identical.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Null, Value::Null) => Some(true),
        (Value::Number(x), Value::Number(y)) => match (integer(x), integer(y)) {
            (Some(x), Some(y)) => Some(x == y),
            _ => (x == y).then_some(true),
        },
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            (a == b).then_some(true)
        }
        _ => Some(false),
    }
}

fn integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// `instance` compared with a `minimum`/`maximum` bound, where the comparison is exact: both integers,
/// or both exactly representable as `f64`.
fn bound(limit: &Value, instance: &Value, holds: impl Fn(std::cmp::Ordering) -> bool) -> Verdict {
    let Value::Number(n) = instance else {
        return Valid;
    };
    let Value::Number(limit) = limit else {
        return Unknown;
    };
    let order = match (integer(n), integer(limit)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => match (exact_f64(n), exact_f64(limit)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
    };
    order.map_or(Unknown, |o| Verdict::from_bool(holds(o)))
}

/// The number as an `f64` when that is exact.
fn exact_f64(n: &Number) -> Option<f64> {
    const EXACT: i128 = 1 << 53;
    match integer(n) {
        Some(i) if i.abs() <= EXACT => Some(i as f64),
        Some(_) => None,
        None => n.as_f64().filter(|f| f.is_finite()),
    }
}

fn length(limit: &Value, instance: &Value, holds: impl Fn(u64, u64) -> bool) -> Verdict {
    let Value::String(s) = instance else {
        return Valid;
    };
    match limit.as_u64() {
        // jsonschema counts characters (code points), as `chars` does.
        Some(n) => Verdict::from_bool(holds(s.chars().count() as u64, n)),
        None => Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_needs_exactly_one_certain_branch() {
        let exam = serde_json::json!({ "oneOf": [{ "type": "integer" }, { "type": "number" }] });
        let skeleton = serde_json::json!({});
        let settings = SettingsSchema {
            skeleton: &skeleton,
            property: |_, _| None,
        };
        let c = Checker::new(&exam, settings, None);
        assert_eq!(c.check_exam(&serde_json::json!(1)), Invalid);
        assert_eq!(c.check_exam(&serde_json::json!(1.5)), Valid);
        assert_eq!(c.check_exam(&serde_json::json!(1.0)), Unknown);
        assert_eq!(c.check_exam(&serde_json::json!("1")), Invalid);
    }
}
