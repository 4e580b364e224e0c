//! The XML plist reader, and the Config Key and writer on whatever it accepts (a read plist must
//! write and read back to the same settings).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dict) = sebc::plist::read_xml(data) {
        let _ = sebc::configkey::config_key(&dict);
        let _ = sebc::configkey::lint(&dict);
        let xml = sebc::plist::write_xml(&dict, sebc::plist::PlistStyle::Indented, &|_| false);
        let back = sebc::plist::read_xml(&xml).expect("sebc reads what it writes");
        assert_eq!(sebc::configkey::config_key(&back), sebc::configkey::config_key(&dict));
    }
});
