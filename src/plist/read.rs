//! Reading XML property lists from files sebc did not write: a quick-xml pre-scan bounds nesting
//! and refuses DTD internal subsets (entity declarations, external entities) before the `plist` crate
//! parses the document.

use quick_xml::events::Event;

/// Deepest element nesting accepted in a plist.
pub const MAX_PLIST_DEPTH: usize = 64;

/// Parses an XML plist whose root is a dictionary.
pub fn read_xml(bytes: &[u8]) -> Result<plist::Dictionary, String> {
    prescan(bytes)?;
    let value = plist::Value::from_reader_xml(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a valid XML property list: {e}"))?;
    match value {
        plist::Value::Dictionary(d) => Ok(d),
        _ => Err("the property list's root is not a dictionary".to_string()),
    }
}

fn prescan(bytes: &[u8]) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let pos = reader.buffer_position();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if !seen_root && e.name().0 != "plist" {
                    return Err(format!(
                        "not a property list (root element <{}>)",
                        e.name().0
                    ));
                }
                seen_root = true;
                depth += 1;
                if depth > MAX_PLIST_DEPTH {
                    return Err(format!(
                        "property list nested deeper than {MAX_PLIST_DEPTH} levels (byte {pos})"
                    ));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Empty(e)) if !seen_root => {
                return Err(format!(
                    "not a property list (root element <{}/>)",
                    e.name().0
                ));
            }
            Ok(Event::DocType(d)) => {
                let text: &str = d.as_ref();
                if text.contains('[') || text.contains("<!ENTITY") {
                    return Err(
                        "the XML declares a DTD internal subset (entity declarations are refused)"
                            .to_string(),
                    );
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "malformed XML at byte {}: {e}",
                    reader.buffer_position()
                ));
            }
        }
        buf.clear();
    }
    if !seen_root {
        return Err("not a property list (no <plist> element)".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_dict() {
        let d = read_xml(b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>a</key><true/><key>n</key><integer>3</integer></dict></plist>").unwrap();
        assert_eq!(d.get("a"), Some(&plist::Value::Boolean(true)));
    }

    #[test]
    fn refuses_entities_depth_and_non_plists() {
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><plist><dict><key>x</key><string>&b;</string></dict></plist>";
        assert!(read_xml(bomb).unwrap_err().contains("entity"));
        let deep = format!(
            "<plist>{}{}</plist>",
            "<array>".repeat(100),
            "</array>".repeat(100)
        );
        assert!(
            read_xml(deep.as_bytes())
                .unwrap_err()
                .contains("nested deeper")
        );
        assert!(
            read_xml(b"<html><body/></html>")
                .unwrap_err()
                .contains("not a property list")
        );
        assert!(
            read_xml(b"<plist><array/></plist>")
                .unwrap_err()
                .contains("root is not a dictionary")
        );
        assert!(read_xml(b"<plist><dict><key>a</key>").is_err());
    }
}
