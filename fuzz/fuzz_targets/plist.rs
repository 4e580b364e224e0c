//! The XML plist reader, and the Config Key and writer on whatever it accepts (a read plist must
//! write and read back to the same settings); the streamed Config Key answers as the tree reader does,
//! key or error, on every input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = seb_format::plist::read_xml(data);
    let tree_key = tree.as_ref().map(seb_format::configkey::config_key).map_err(Clone::clone);
    assert_eq!(seb_format::configkey::config_key_of_xml(data), tree_key);
    if let Ok(dict) = tree {
        let _ = seb_format::configkey::lint(&dict);
        let xml = seb_format::plist::write_xml(&dict, seb_format::plist::PlistStyle::Indented, &|_| false)
            .expect("the writer writes whatever the reader accepts");
        let back = seb_format::plist::read_xml(&xml).expect("sebc reads what it writes");
        assert_eq!(seb_format::configkey::config_key(&back), seb_format::configkey::config_key(&dict));
    }
});
