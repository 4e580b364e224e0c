//! The plist writer and reader agree: whatever the writer accepts, the reader reads back equal (in both
//! styles; the compact style writes reals as SEB Server does, to 14 decimals), and what the writer
//! refuses holds a character XML 1.0 does not allow.

use plist::{Dictionary, Value};
use proptest::prelude::*;
use seb_format::plist::{
    PlistStyle, WriteError, first_invalid_char, is_xml_char, read_xml, write_xml,
};

/// Characters XML treats specially, or that are easy to get wrong, and some it does not allow.
const TRICKY: &[char] = &[
    '<', '>', '&', '"', '\'', ']', ';', '#', '\t', '\n', '\r', ' ', 'é', '😀', '\u{7f}', '\u{85}',
    '\u{2028}', '\u{feff}', '\u{fffd}', '\0', '\u{1b}', '\u{b}', '\u{fffe}', '\u{ffff}',
];

fn text() -> impl Strategy<Value = String> {
    let allowed = prop::collection::vec(
        prop_oneof![
            3 => any::<char>().prop_filter("an XML character", |&c| is_xml_char(c)),
            2 => prop::sample::select(TRICKY).prop_filter("an XML character", |&c| is_xml_char(c)),
        ],
        0..10,
    );
    let any_chars = prop::collection::vec(
        prop_oneof![any::<char>(), prop::sample::select(TRICKY)],
        0..10,
    );
    prop_oneof![9 => allowed, 1 => any_chars].prop_map(|cs| cs.into_iter().collect())
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|u| Value::Integer(u.into())),
        any::<f64>()
            .prop_filter("not NaN (NaN is not equal to itself)", |r| !r.is_nan())
            .prop_map(Value::Real),
        text().prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Value::Data),
        (0u64..4_102_444_800).prop_map(|s| {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(s);
            Value::Date(plist::Date::from(t))
        }),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6)
                .prop_map(|entries| Value::Dictionary(entries.into_iter().collect())),
        ]
    })
}

/// Whether some key or string under `v` holds a character XML does not allow.
fn holds_invalid(v: &Value) -> bool {
    match v {
        Value::String(s) => first_invalid_char(s).is_some(),
        Value::Array(items) => items.iter().any(holds_invalid),
        Value::Dictionary(d) => d
            .iter()
            .any(|(k, v)| first_invalid_char(k).is_some() || holds_invalid(v)),
        _ => false,
    }
}

/// `v` as the compact style keeps it: SEB Server's `DecimalFormat("0.##############")` rounds reals to
/// 14 decimals.
fn as_compact(v: &Value) -> Value {
    match v {
        Value::Real(r) => Value::Real(format!("{r:.14}").parse().unwrap_or(*r)),
        Value::Array(items) => Value::Array(items.iter().map(as_compact).collect()),
        Value::Dictionary(d) => {
            Value::Dictionary(d.iter().map(|(k, v)| (k.clone(), as_compact(v))).collect())
        }
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn what_the_writer_accepts_reads_back_equal(
        entries in prop::collection::vec((text(), value()), 0..8)
    ) {
        let dict: Dictionary = entries.into_iter().collect();
        let invalid = holds_invalid(&Value::Dictionary(dict.clone()));
        let compact = match as_compact(&Value::Dictionary(dict.clone())) {
            Value::Dictionary(d) => d,
            _ => unreachable!(),
        };
        for (style, expected) in [(PlistStyle::Indented, &dict), (PlistStyle::Compact, &compact)] {
            match write_xml(&dict, style, &|_| false) {
                Ok(xml) => {
                    prop_assert!(!invalid);
                    prop_assert_eq!(read_xml(&xml), Ok(expected.clone()));
                }
                Err(WriteError::InvalidCharacter { character, .. }) => {
                    prop_assert!(invalid);
                    prop_assert!(!is_xml_char(character));
                }
            }
        }
    }
}
