//! The exam loader (YAML, TOML, JSON, chosen by the first byte) and validation of what loads.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sebc::load::{ExamTree, Syntax, parse_exam};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let syntax = match selector % 3 {
        0 => Syntax::Yaml,
        1 => Syntax::Toml,
        _ => Syntax::Json,
    };
    if let Ok(main) = parse_exam(text, syntax, Path::new("fuzz.exam"), "fuzz.exam") {
        let _ = sebc::validate::validate(ExamTree { main, bases: Vec::new() });
    }
});
