//! The roster reader (a strict CSV parser and the id/name checks) on arbitrary text: no panic, and a
//! roster it accepts has valid ids, unique ignoring case, and names without control characters.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (roster, diags) = sebc::roster::parse("r.csv", text);
    let Some(roster) = roster else {
        assert!(diags.iter().any(|d| d.is_error()), "refused without an error");
        return;
    };
    let mut ids = std::collections::HashSet::new();
    for p in &roster.participants {
        assert!(sebc::roster::is_valid_id(&p.id), "{:?}", p.id);
        assert!(ids.insert(p.id.to_ascii_lowercase()), "duplicate {:?}", p.id);
        assert!(sebc::roster::name_problem(&p.name).is_none(), "{:?}", p.name);
    }
});
