//! The `.seb` container reader on arbitrary bytes, with a password for the encrypted layouts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = seb_format::container::Keys {
        password: Some(b"test1234"),
        admin_password: Some(b"admin"),
        max_decompressed: Some(1 << 20),
        private_key: None,
    };
    if let Ok((xml, _)) = seb_format::container::decode(data, &keys) {
        let _ = seb_format::plist::read_xml(&xml);
    }
});
