//! The streaming Config Key (`config_key_of_xml`) gives the tree reader's key on every vector, every
//! fixture plist and random plists written in any key order, with repeated keys, comments, entities
//! and whitespace; its scanner handles all of those itself (it does not hand them to the tree reader),
//! and on broken input it answers exactly as the tree reader does.

mod common;
use common::*;
use plist::{Dictionary, Value};
use proptest::prelude::*;
use seb_format::configkey::{
    config_key, config_key_of_reader, config_key_of_xml, config_key_streamed,
    config_key_streamed_from,
};
use seb_format::plist::{Limits, PlistStyle, read_xml, write_xml};

/// The tree reader's answer: the key of the parsed dictionary, or its error.
fn tree_key(xml: &[u8]) -> Result<String, String> {
    read_xml(xml).map(|d| config_key(&d))
}

/// Asserts the scanner alone handles `xml` and agrees with the tree reader.
fn assert_streamed(xml: &[u8]) {
    let want = tree_key(xml).expect("the tree reader reads it");
    assert_eq!(
        config_key_streamed(xml, &Limits::default()).as_deref(),
        Some(want.as_str()),
        "{}",
        String::from_utf8_lossy(&xml[..xml.len().min(400)])
    );
    assert_eq!(config_key_of_xml(xml), Ok(want));
}

/// Every plist inside the vectors (containers opened with the vectors' passwords) and the fixtures.
fn every_plist() -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut roots = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")];
    roots.extend(vectors_dir());
    for root in roots {
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy().into_owned();
                if !(name.ends_with(".plist") || name.ends_with(".seb") || name.ends_with(".xml")) {
                    continue;
                }
                let bytes = read(&path);
                for password in [None, Some("test"), Some("123"), Some("password")] {
                    let keys = seb_format::container::Keys {
                        password: password.map(str::as_bytes),
                        ..Default::default()
                    };
                    if let Ok((xml, _)) = seb_format::container::decode(&bytes, &keys) {
                        if read_xml(&xml).is_ok() {
                            found.push((name.clone(), xml));
                        }
                        break;
                    }
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_vector_and_fixture_plist_streams_to_the_same_key() {
    let plists = every_plist();
    // The fixtures alone hold several plists; with the vectors there are many more.
    eprintln!("{} plists", plists.len());
    assert!(
        plists.len() >= 5,
        "found only {:?}",
        plists.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    for (name, xml) in &plists {
        let want = tree_key(xml).unwrap();
        assert_eq!(config_key_of_xml(xml).as_ref(), Ok(&want), "{name}");
        assert_eq!(
            config_key_streamed(xml, &Limits::default()).as_ref(),
            Some(&want),
            "{name}: the scanner handed this file to the tree reader"
        );
    }
}

#[test]
fn keys_out_of_order_repeated_and_left_out() {
    let doc = |body: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
             \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\r\n<!-- a comment -->\r\n<plist version=\"1.0\">\r\n<dict>{body}</dict>\r\n</plist>\r\n"
        )
    };
    for body in [
        // Out of order at the root, in a nested dictionary, in a dictionary inside an array.
        "<key>zeta</key><true/><key>URLFilterEnable</key><false/><key>alpha</key><integer>3</integer>",
        "<key>a</key><dict><key>y</key><string>1</string><key>X</key><string>2</string></dict>",
        "<key>rules</key><array><dict><key>regex</key><false/><key>action</key><integer>1</integer></dict><dict/></array>",
        // Keys equal but for case, and repeated keys (the last value counts).
        "<key>allowWLAN</key><true/><key>allowWlan</key><false/>",
        "<key>a</key><integer>1</integer><key>b</key><true/><key>a</key><integer>2</integer>",
        "<key>a</key><integer>1</integer><key>a</key><dict/>",
        "<key>a</key><dict/><key>a</key><integer>5</integer>",
        // originatorVersion at every level, empty dictionaries dropped (but kept in arrays).
        "<key>originatorVersion</key><string>SEB_Win_3.0</string><key>d</key><dict><key>originatorVersion</key><string>x</string></dict>",
        "<key>e</key><dict></dict><key>f</key><dict><!-- nothing --></dict><key>g</key><array><dict/><dict></dict></array>",
        // Entities in keys and strings (the decoded key is what is sorted), comments between tokens.
        "<key>b&amp;</key><string>&lt;x&gt; &quot;&apos; &#233;&#x1F600;</string><key>a</key><!-- c --><string>v</string>",
        "<key></key><string/><key/><true /><key>n</key><integer> -0x1F </integer><key>r</key><real>1e-5</real>",
        "<key>d</key><data>AAEC\n  AwQ=</data><key>t</key><date>2019-02-20T12:30:00Z</date><key>s</key><string>a\nb\tc</string>",
        "",
    ] {
        assert_streamed(doc(body).as_bytes());
    }
}

#[test]
fn broken_files_get_the_tree_readers_error() {
    let cases: &[&str] = &[
        "",
        // `<?` with no target name is no processing instruction (found by the damaged-file proptest).
        "<?>xml version=\"1.0\"?><plist version=\"1.0\"><dict></dict></plist>",
        "<plist><dict><key>a</key></dict></plist>",
        "<plist><dict><key>a</key><true/></dict>",
        "<plist><dict><key>a</key><true/></array></plist>",
        "<plist><dict><key>a</key><integer>x</integer></dict></plist>",
        "<plist><dict><key>a</key><integer/></dict></plist>",
        "<plist><dict><key>a</key><string>&bogus;</string></dict></plist>",
        "<plist><dict><key>a</key><string>&#0;</string></dict></plist>",
        "<plist><dict><key>a</key><string>\u{1b}</string></dict></plist>",
        "<plist><dict><key>a</key><foo/></dict></plist>",
        "<plist><array/></plist>",
        "<plist><dict/></plist><plist><dict/></plist>",
        "<plist><dict/></plist>trailing",
        "<!DOCTYPE plist [<!ENTITY a \"b\">]><plist><dict/></plist>",
        // An entity declaration inside the DOCTYPE without brackets (found by the plist fuzz target).
        "<!DOCTYPE plist PUB<!ENTITYLIC \"-//Apple//DTD PLIST 1.0//EN\" \"x.dtd\"><plist><dict/></plist>",
        "<!DOCTYPE plist <!-- x --> SYSTEM \"x.dtd\"><plist><dict/></plist>",
        "<plist><dict><true/></dict></plist>",
        // A repeated key whose first value is broken is still an error, although its value is dropped.
        "<plist><dict><key>a</key><integer>x</integer><key>a</key><true/></dict></plist>",
        "<plist><dict><key>originatorVersion</key><dict><key>x</key></dict></dict></plist>",
    ];
    for xml in cases {
        let want = tree_key(xml.as_bytes());
        assert!(want.is_err(), "{xml}");
        assert_eq!(config_key_of_xml(xml.as_bytes()), want, "{xml}");
        assert_eq!(
            config_key_streamed(xml.as_bytes(), &Limits::default()),
            None,
            "{xml}"
        );
    }
}

#[test]
fn limits_are_the_tree_readers() {
    let deep = |n: usize| {
        format!(
            "<plist><dict>{}<key>x</key><true/>{}</dict></plist>",
            "<key>k</key><dict>".repeat(n),
            "</dict>".repeat(n)
        )
    };
    // 64 levels are read, 65 are refused with the tree reader's message.
    assert_streamed(deep(63).as_bytes());
    let err = config_key_of_xml(deep(64).as_bytes()).unwrap_err();
    assert!(err.contains("nested deeper than 64"), "{err}");
    let long = format!(
        "<plist><dict><key>s</key><string>{}</string></dict></plist>",
        "x".repeat(2 * 1024 * 1024)
    );
    assert_eq!(
        config_key_of_xml(long.as_bytes()),
        tree_key(long.as_bytes())
    );
    assert!(config_key_of_xml(long.as_bytes()).is_err());
}

#[test]
fn hostile_nesting_of_unsorted_dictionaries_is_bounded() {
    // Every level out of order: reading each level again would cost 3^depth; the scanner gives up
    // within its budget and the tree reader answers.
    let mut inner = String::from("<key>b</key><true/><key>a</key><true/>");
    for _ in 0..60 {
        inner = format!("<key>z</key><dict>{inner}</dict><key>a</key><true/>");
    }
    let xml = format!("<plist><dict>{inner}</dict></plist>");
    assert_eq!(config_key_of_xml(xml.as_bytes()), tree_key(xml.as_bytes()));
    assert!(config_key_of_xml(xml.as_bytes()).is_ok());
}

/// A tiny deterministic generator for the writer below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Escapes text, choosing at random between entities, character references and raw characters.
fn escape(s: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if rng.pick(2) == 0 => out.push_str("&gt;"),
            '"' if rng.pick(2) == 0 => out.push_str("&quot;"),
            'é' if rng.pick(2) == 0 => out.push_str("&#233;"),
            'x' if rng.pick(3) == 0 => out.push_str("&#x78;"),
            c => out.push(c),
        }
    }
    out
}

fn space(rng: &mut Rng) -> &'static str {
    ["", " ", "\n", "\r\n\t", "<!-- c -->", "\n  "][rng.pick(6) as usize]
}

/// Writes `v` as XML with keys shuffled, sometimes repeated (an earlier throwaway value, which the
/// later one overrides), random whitespace and comments between tokens, and random escapes.
fn write_messy(v: &Value, rng: &mut Rng, out: &mut String) {
    match v {
        Value::Dictionary(d) if d.is_empty() && rng.pick(2) == 0 => out.push_str("<dict/>"),
        Value::Dictionary(d) => {
            let mut entries: Vec<(&String, &Value)> = d.iter().collect();
            for i in (1..entries.len()).rev() {
                entries.swap(i, rng.pick(i as u64 + 1) as usize);
            }
            out.push_str("<dict>");
            for (k, v) in entries {
                if rng.pick(8) == 0 {
                    out.push_str(&format!(
                        "<key>{}</key><integer>7</integer>",
                        escape(k, rng)
                    ));
                }
                out.push_str(space(rng));
                out.push_str(&format!("<key>{}</key>", escape(k, rng)));
                out.push_str(space(rng));
                write_messy(v, rng, out);
            }
            out.push_str(space(rng));
            out.push_str("</dict>");
        }
        Value::Array(items) => {
            out.push_str("<array>");
            for item in items {
                out.push_str(space(rng));
                write_messy(item, rng, out);
            }
            out.push_str("</array>");
        }
        Value::String(s) if s.is_empty() && rng.pick(2) == 0 => out.push_str("<string/>"),
        Value::String(s) => out.push_str(&format!("<string>{}</string>", escape(s, rng))),
        Value::Boolean(b) => out.push_str(["<false/>", "<true/>"][usize::from(*b)]),
        Value::Integer(i) => out.push_str(&format!("<integer> {i}</integer>")),
        Value::Real(r) => out.push_str(&format!("<real>{r:?}</real>")),
        Value::Data(d) => {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(d);
            let (a, b) = b64.split_at(b64.len() / 2);
            out.push_str(&format!("<data>{a}\n\t{b}</data>"));
        }
        other => panic!("the strategy makes no {other:?}"),
    }
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.&<>\"'é😀/\n\t-]{0,10}"
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        1 => Just("originatorVersion".to_string()),
        1 => Just("allowWLAN".to_string()),
        1 => Just("allowWlan".to_string()),
        1 => text(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|u| Value::Integer(u.into())),
        any::<f64>()
            .prop_filter("finite", |r| r.is_finite())
            .prop_map(Value::Real),
        text().prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(Value::Data),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|entries| Value::Dictionary(entries.into_iter().collect())),
        ]
    })
}

fn root() -> impl Strategy<Value = Dictionary> {
    prop::collection::vec((key(), value()), 0..12).prop_map(|e| e.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Written canonically (both styles) or messily, the scanner alone gives the tree reader's key.
    #[test]
    fn random_plists_stream_to_the_tree_key(dict in root(), seed in any::<u64>()) {
        let want = config_key(&dict);
        for style in [PlistStyle::Indented, PlistStyle::Compact] {
            let xml = write_xml(&dict, style, &|_| false).unwrap();
            let tree = tree_key(&xml).unwrap();
            prop_assert_eq!(config_key_streamed(&xml, &Limits::default()), Some(tree));
        }
        let mut rng = Rng(seed);
        let mut body = String::new();
        write_messy(&Value::Dictionary(dict.clone()), &mut rng, &mut body);
        let xml = format!("<?xml version=\"1.0\"?>\n<plist version=\"1.0\">{body}</plist>\n");
        let tree = tree_key(xml.as_bytes()).unwrap();
        prop_assert_eq!(config_key_streamed(xml.as_bytes(), &Limits::default()), Some(tree.clone()));
        // A repeated key's earlier value is overridden: the settings are the same.
        prop_assert_eq!(tree, want);
    }

    /// Cut or spliced files: the streaming answer is the tree reader's, key or error.
    #[test]
    fn damaged_plists_answer_as_the_tree_reader(dict in root(), cut in any::<prop::sample::Index>(), junk in "[<>/&;a-z\"!?-]{0,4}") {
        let xml = write_xml(&dict, PlistStyle::Compact, &|_| false).unwrap();
        let at = cut.index(xml.len() + 1);
        let mut damaged = xml[..at].to_vec();
        damaged.extend_from_slice(junk.as_bytes());
        damaged.extend_from_slice(&xml[at..]);
        prop_assert_eq!(config_key_of_xml(&damaged), tree_key(&damaged));
        let truncated = &xml[..at];
        prop_assert_eq!(config_key_of_xml(truncated), tree_key(truncated));
    }
}

/// Limits whose longest leaf is short, so that the window onto a reader is about 2 KB and moves
/// many times through a plist of a few dozen KB.
fn small_window_limits() -> Limits {
    Limits {
        max_string_bytes: 64,
        ..Limits::default()
    }
}

/// `body` (a dictionary's entries) repeated under `n` keys of a root dictionary, in SEB's key order
/// or reversed (which the scanner reads through the root's key index).
fn repeated(body: &str, n: usize, reversed: bool) -> String {
    let mut keys: Vec<String> = (0..n).map(|i| format!("k{i:05}")).collect();
    if reversed {
        keys.reverse();
    }
    let entries: String = keys
        .iter()
        .map(|k| format!("<key>{k}</key>\n\t<dict>{body}</dict>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n{entries}</dict>\n</plist>\n"
    )
}

#[test]
fn a_reader_through_a_small_window_gives_the_same_key() {
    let body = "<key>zeta</key><string>é😀 &amp; x</string><key>Alpha</key><array><integer>7</integer>\
                <dict><key>b</key><true/><key>a</key><data>AAEC</data></dict></array>\
                <!-- a comment --><key>mid</key><real>0.5</real>";
    for reversed in [false, true] {
        let xml = repeated(body, 600, reversed);
        assert!(xml.len() > 100_000);
        let want = tree_key(xml.as_bytes()).unwrap();
        for window in [0, 3000, 7777, 65536] {
            let cursor = std::io::Cursor::new(xml.as_bytes());
            assert_eq!(
                config_key_streamed_from(cursor, &small_window_limits(), window).as_ref(),
                Some(&want),
                "window {window}, reversed {reversed}"
            );
        }
        let cursor = std::io::Cursor::new(xml.as_bytes());
        assert_eq!(config_key_of_reader(cursor), Ok(want));
    }
}

#[test]
fn a_reader_answers_as_the_tree_reader_on_broken_files() {
    let good = repeated("<key>a</key><string>é</string>", 300, true);
    let cases = [
        // Truncated in a multi-byte character, and anywhere.
        good.as_bytes()[..good.len() - 30].to_vec(),
        good.replacen("é", "\u{1b}", 1).into_bytes(),
        {
            let mut b = good.clone().into_bytes();
            let at = b.len() / 2 + 40;
            b[at] = 0xFF;
            b
        },
        good.replace("</plist>", "</plist><x/>").into_bytes(),
    ];
    for xml in cases {
        let cursor = std::io::Cursor::new(&xml);
        assert_eq!(
            config_key_streamed_from(cursor, &small_window_limits(), 0),
            None
        );
        assert_eq!(
            config_key_of_reader(std::io::Cursor::new(&xml)),
            tree_key(&xml)
        );
        assert!(tree_key(&xml).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Through windows of any size, the reader's scanner answers as the scanner over the bytes,
    /// with keys in any order, entities, comments and multi-byte characters cut by the window.
    #[test]
    fn windows_of_any_size_change_nothing(dict in root(), seed in any::<u64>(), window in 0usize..6000, reversed in any::<bool>()) {
        let mut rng = Rng(seed);
        let mut body = String::new();
        write_messy(&Value::Dictionary(dict), &mut rng, &mut body);
        // The root's entries, without its own tags (`<dict/>` when it is empty).
        let body = body
            .strip_prefix("<dict>")
            .and_then(|b| b.strip_suffix("</dict>"))
            .unwrap_or("");
        let xml = repeated(body, 24, reversed);
        let limits = small_window_limits();
        let cursor = std::io::Cursor::new(xml.as_bytes());
        let streamed = config_key_streamed_from(cursor, &limits, window);
        prop_assert_eq!(&streamed, &config_key_streamed(xml.as_bytes(), &limits));
        // Strings within the limit: the scanner reads the file itself, the tree reader agrees.
        let tree = seb_format::plist::read_xml_limited(xml.as_bytes(), &limits).map(|d| config_key(&d));
        prop_assert_eq!(streamed, tree.ok());
    }
}

/// A reader that counts the bytes read from it.
struct Counting<'a> {
    inner: std::io::Cursor<&'a [u8]>,
    read: usize,
}

impl std::io::Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

impl std::io::Seek for Counting<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

#[test]
fn a_file_in_order_is_read_once_and_out_of_order_about_twice() {
    // 2,000 dictionaries of 9 entries under keys in SEB's order, then the same reversed.
    let body = "<key>action</key><integer>1</integer><key>active</key><true/>\
                <key>expression</key><string>host.example.org/*</string><key>regex</key><false/>";
    for (reversed, most) in [(false, 1.0), (true, 2.1)] {
        let xml = repeated(body, 20_000, reversed);
        let mut reader = Counting {
            inner: std::io::Cursor::new(xml.as_bytes()),
            read: 0,
        };
        let window = 64 * 1024;
        let key = config_key_streamed_from(&mut reader, &small_window_limits(), window);
        assert_eq!(key, tree_key(xml.as_bytes()).ok());
        let times = reader.read as f64 / xml.len() as f64;
        assert!(
            times <= most,
            "read {times:.2} times the {} bytes (reversed: {reversed})",
            xml.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Keys written in macOS's order (case-sensitive, every uppercase key first) or reversed, at
    /// every level, with escapes in keys and strings: the scanner alone gives the tree reader's key.
    #[test]
    fn keys_in_any_fixed_order_stream_to_the_tree_key(dict in root(), reversed in any::<bool>()) {
        fn sorted(v: &Value, reversed: bool) -> Value {
            match v {
                Value::Dictionary(d) => {
                    let mut entries: Vec<(String, Value)> =
                        d.iter().map(|(k, v)| (k.clone(), sorted(v, reversed))).collect();
                    entries.sort_by(|a, b| a.0.cmp(&b.0));
                    if reversed {
                        entries.reverse();
                    }
                    Value::Dictionary(entries.into_iter().collect())
                }
                Value::Array(items) => Value::Array(items.iter().map(|i| sorted(i, reversed)).collect()),
                other => other.clone(),
            }
        }
        let mut xml = Vec::new();
        sorted(&Value::Dictionary(dict.clone()), reversed).to_writer_xml(&mut xml).unwrap();
        prop_assert_eq!(config_key_streamed(&xml, &Limits::default()), Some(config_key(&dict)));
    }
}

/// A reader of `len` bytes that are all zero (not XML), which it does not hold.
struct Zeros {
    len: u64,
    at: u64,
}

impl std::io::Read for Zeros {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.len - self.at.min(self.len)) as usize;
        buf[..n].fill(0);
        self.at += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Zeros {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.at = match to {
            std::io::SeekFrom::Start(n) => n,
            std::io::SeekFrom::End(d) => self.len.saturating_add_signed(d),
            std::io::SeekFrom::Current(d) => self.at.saturating_add_signed(d),
        };
        Ok(self.at)
    }
}

#[test]
fn a_huge_file_the_scanner_refuses_is_not_read_whole() {
    let err = config_key_of_reader(Zeros {
        len: 1 << 40,
        at: 0,
    })
    .unwrap_err();
    assert_eq!(
        err,
        "the plist is 1099511627776 bytes and is not one the streaming reader reads; the tree \
         reader reads at most 64 MiB"
    );
    // A small one is read whole, and the tree reader says what is wrong.
    let small = Zeros { len: 10, at: 0 };
    assert_eq!(config_key_of_reader(small), tree_key(&[0; 10]));
}

/// `n` URL filter rules as SEB writes them (about 190 bytes each), numbered from `from`.
fn rules(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| {
            format!(
                "\n\t\t<dict>\n\t\t\t<key>action</key>\n\t\t\t<integer>1</integer>\n\t\t\t\
                 <key>active</key>\n\t\t\t<true/>\n\t\t\t<key>expression</key>\n\t\t\t\
                 <string>host-{i}.exam.example.org/*</string>\n\t\t\t<key>regex</key>\n\t\t\t<false/>\n\t\t</dict>"
            )
        })
        .collect()
}

/// A plist whose root holds `entries` (`<key>…</key>` and value each) in this order.
fn plist_of(entries: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{}</dict>\n</plist>\n",
        entries.concat()
    )
}

fn entry(key: &str, value: &str) -> String {
    format!("\t<key>{key}</key>\n\t{value}\n")
}

/// Asserts the same key from the bytes, through a file window of every size given, through
/// `config_key_of_reader`, and from the tree reader, and that the scanner alone gave it.
fn assert_same_everywhere(xml: &str, windows: &[usize]) {
    let want = tree_key(xml.as_bytes());
    assert_eq!(config_key_of_xml(xml.as_bytes()), want);
    let want = want.ok();
    assert!(want.is_some(), "the tree reader reads it");
    assert_eq!(
        config_key_streamed(xml.as_bytes(), &Limits::default()),
        want
    );
    for &window in windows {
        let cursor = std::io::Cursor::new(xml.as_bytes());
        assert_eq!(
            config_key_streamed_from(cursor, &Limits::default(), window),
            want,
            "window {window}"
        );
    }
    assert_eq!(
        config_key_of_reader(std::io::Cursor::new(xml.as_bytes())).ok(),
        want
    );
}

/// macOS's order: every key that starts in uppercase first, so the URL filter table, the largest
/// value, comes before what SEB's order hashes first.
fn macos_order(rule_count: usize, tail: &[String]) -> String {
    let mut entries = vec![
        entry("URLFilterEnable", "<true/>"),
        entry(
            "URLFilterRules",
            &format!("<array>{}\n\t</array>", rules(0, rule_count)),
        ),
        entry("allowQuit", "<true/>"),
        entry("browserViewMode", "<integer>1</integer>"),
        entry("originatorVersion", "<string>SEB_OSX_3.4</string>"),
        entry("quitURL", "<string/>"),
    ];
    entries.extend_from_slice(tail);
    entries.push(entry(
        "startURL",
        "<string>https://lms.example.org/</string>",
    ));
    plist_of(&entries)
}

#[test]
fn a_large_value_early_in_macos_order_is_read_once() {
    // About 4 MB, almost all of it the URL filter table (four times the window at the end).
    let xml = macos_order(21_000, &[]);
    assert!(xml.len() > 4_000_000, "{}", xml.len());
    assert_same_everywhere(&xml, &[]);
    // Skimming the table to find what follows it would read the file about twice; the entries
    // after it are found from the end (the last window read once more when the table is read).
    let mut reader = Counting {
        inner: std::io::Cursor::new(xml.as_bytes()),
        read: 0,
    };
    assert_eq!(config_key_of_reader(&mut reader), tree_key(xml.as_bytes()));
    let times = reader.read as f64 / xml.len() as f64;
    assert!(times < 1.2, "read {times:.2} times the {} bytes", xml.len());
}

#[test]
fn what_follows_a_large_value_is_found_from_the_end_or_skimmed() {
    let nested = "<dict><key>b</key><string>x</string><key>B</key><array><dict><key>y</key><true/>\
                  <key>x</key><false/></dict><string/></array><key>a</key><dict/></dict>";
    let tails: Vec<Vec<String>> = vec![
        // Nothing after the table but what `macos_order` writes, or containers out of order.
        vec![],
        vec![
            entry("nested", nested),
            entry("list", "<array><integer>1</integer><dict/></array>"),
        ],
        // A repeated key (the last value counts), one repeating the table's key.
        vec![
            entry("allowQuit", "<false/>"),
            entry("URLFilterRules", "<array/>"),
        ],
        // A comment between the entries after the table: they are found by skimming it.
        vec![
            entry("c", "<true/>"),
            "<!-- a comment -->\n".into(),
            entry("d", "<false/>"),
        ],
        // A second table after the first, and a container after the table larger than the look
        // back: the first guess of where the table ends is wrong, and the root is skimmed.
        vec![entry(
            "ZSecond",
            &format!("<array>{}</array>", rules(9, 800)),
        )],
        vec![entry(
            "bigDict",
            &format!(
                "<dict>{}</dict>",
                (0..3000)
                    .map(|i| format!("<key>k{i:05}</key><integer>{i}</integer>"))
                    .collect::<String>()
            ),
        )],
        // More after the table than the window at the end holds.
        vec![entry(
            "many",
            &format!("<array>{}</array>", "<integer>7</integer>".repeat(60_000)),
        )],
    ];
    for tail in &tails {
        // Tables on either side of the look-ahead (64 KiB: about 350 rules).
        for rule_count in [300, 345, 360, 1000] {
            let xml = macos_order(rule_count, tail);
            assert_same_everywhere(&xml, &[3000, 65536, 300_000]);
        }
    }
    // A large string early is found when skimmed, not from the end.
    let xml = plist_of(&[
        entry("Z", &format!("<string>{}</string>", "s".repeat(200_000))),
        entry("a", "<true/>"),
    ]);
    assert_same_everywhere(&xml, &[3000, 300_000]);
}

#[test]
fn a_damaged_end_after_a_large_value_gets_the_tree_readers_answer() {
    let good = macos_order(
        1000,
        &[entry(
            "nested",
            "<dict><key>b</key><true/><key>a</key><false/></dict>",
        )],
    );
    let end = good.len();
    let mut cases: Vec<String> = [60, 45, 30, 20, 9, 2]
        .iter()
        .map(|&cut| good[..end - cut].to_string())
        .collect();
    cases.push(good.replace("</dict>\n</plist>", "</dict></dict>\n</plist>"));
    cases.push(good.replace("<key>startURL</key>", "<key>startURL</key><key>x</key>"));
    cases.push(good.replace("<key>quitURL</key>", "<kez>quitURL</key>"));
    cases.push(good.replace(
        "<string>SEB_OSX_3.4</string>",
        "<string>SEB_OSX_3.4</strin>",
    ));
    cases.push(good.replace("\n\t</array>", "\n\t</arry>"));
    cases.push(good.replace("</plist>", "</plist><!-- after -->"));
    // A character XML forbids, and a byte that is no UTF-8, in the middle of the table: through a
    // small window, the bytes the file's end is found from are read before these.
    cases.push(good.replacen("host-500.", "host-\u{1}.", 1));
    // And in what follows the table, which is read out of turn.
    cases.push(good.replace("https://lms", "\u{1}https://lms"));
    let mut cases: Vec<Vec<u8>> = cases.into_iter().map(String::into_bytes).collect();
    let mut bad = good.clone().into_bytes();
    bad[good.find("host-500.").unwrap()] = 0xFF;
    cases.push(bad);
    for xml in cases {
        let want = tree_key(&xml);
        assert_eq!(config_key_of_xml(&xml), want);
        for window in [3000, 65536] {
            let cursor = std::io::Cursor::new(&xml);
            assert_eq!(
                config_key_streamed_from(cursor, &Limits::default(), window),
                config_key_streamed(&xml, &Limits::default()),
            );
        }
        assert_eq!(config_key_of_reader(std::io::Cursor::new(&xml)), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A root in any key order holding one or two large tables (on either side of the 64 KiB
    /// the scanner skims before it looks from the end) among random entries, written messily:
    /// the same key from the bytes, through any window, and from the tree reader.
    #[test]
    fn large_values_anywhere_in_an_unsorted_root(
        dict in root(),
        seed in any::<u64>(),
        first in 330usize..380,
        second in prop::option::of(200usize..700),
        at in any::<prop::sample::Index>(),
        at_second in any::<prop::sample::Index>(),
        window in 2000usize..100_000,
    ) {
        let mut rng = Rng(seed);
        let mut entries: Vec<String> = dict
            .iter()
            .map(|(k, v)| {
                let mut value = String::new();
                write_messy(v, &mut rng, &mut value);
                format!("<key>{}</key>{}{value}{}", escape(k, &mut rng), space(&mut rng), space(&mut rng))
            })
            .collect();
        let table = |n: usize, from: usize| format!("<key>URLFilterRules</key><array>{}</array>", rules(from, n));
        entries.insert(at.index(entries.len() + 1), table(first, 0));
        if let Some(n) = second {
            entries.insert(at_second.index(entries.len() + 1), table(n, 7).replace("URLFilterRules", "Zz"));
        }
        let xml = format!("<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>{}</dict>\n</plist>\n", entries.concat());
        let want = tree_key(xml.as_bytes()).ok();
        prop_assert!(want.is_some());
        prop_assert_eq!(&config_key_streamed(xml.as_bytes(), &Limits::default()), &want);
        let cursor = std::io::Cursor::new(xml.as_bytes());
        prop_assert_eq!(&config_key_streamed_from(cursor, &Limits::default(), window), &want);
    }

    /// Strings longer than the scanner first asks the window to hold (4 KiB), anywhere against
    /// the window's end: read again with all a string may take, the same key.
    #[test]
    fn long_strings_across_the_window_end(
        lengths in prop::collection::vec(0usize..12_000, 1..12),
        window in 0usize..20_000,
        reversed in any::<bool>(),
    ) {
        let limits = Limits { max_string_bytes: 16 * 1024, ..Limits::default() };
        let mut entries: Vec<String> = lengths
            .iter()
            .enumerate()
            .map(|(i, &n)| entry(&format!("k{i:02}"), &format!("<string>{}&amp;é</string>", "x".repeat(n))))
            .collect();
        if reversed {
            entries.reverse();
        }
        let xml = plist_of(&entries);
        let streamed = config_key_streamed(xml.as_bytes(), &limits);
        prop_assert!(streamed.is_some());
        let cursor = std::io::Cursor::new(xml.as_bytes());
        prop_assert_eq!(&config_key_streamed_from(cursor, &limits, window), &streamed);
        let tree = seb_format::plist::read_xml_limited(xml.as_bytes(), &limits).map(|d| config_key(&d));
        prop_assert_eq!(streamed, tree.ok());
    }
}
