//! The `.seb` container reader on arbitrary bytes, with a password for the encrypted layouts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = sebc::container::Keys {
        password: Some(b"test1234"),
        admin_password: Some(b"admin"),
        max_decompressed: Some(1 << 20),
        private_key: None,
    };
    if let Ok((xml, _)) = sebc::container::decode(data, &keys) {
        let _ = sebc::plist::read_xml(&xml);
    }
});
