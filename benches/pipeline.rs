//! Criterion benchmarks of each stage and format: parsing one exam in each syntax, load+validate of
//! one exam, merge, plist emit (whole dictionary, matched against the defaults rendered once, or as
//! changes over them),
//! `.seb` plnd/pswd encode and decode against the PBKDF2 floor, Config Key of a 1 MB plist (from
//! values, from XML through values, and streamed from XML in SEB's key order and in macOS's).
//! The `floor` group: what one exam's outputs cost at the least (gzip, SHA-256, one read, two atomic
//! writes). Run with `cargo bench --bench pipeline`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seb_format::container::{Keys, Protection, decode, encode};
use seb_format::plist::{PlistStyle, write_xml};
use sebc::merge::{MergeOptions, merge};
use std::hint::black_box;
use std::path::Path;

const EXAM: &str = "fixtures/valid/same-in-three-syntaxes/phys-120.yaml";

fn loaded() -> sebc::load::ExamTree {
    sebc::load::load_tree(Path::new(EXAM), EXAM, &mut Default::default(), None)
        .expect("fixture loads")
        .0
}

/// A plist of about 1 MB: the full default settings plus a long URL filter table.
fn big_plist() -> plist::Dictionary {
    let tree = loaded();
    let (exam, _) = sebc::validate::validate(tree);
    let exam = exam.expect("valid");
    let secrets = sebc::resolve::resolve(&exam, None).expect("secrets");
    let (merged, _) = merge(&exam, &secrets, MergeOptions::default());
    let mut dict = merged.expect("merged").settings.into_dictionary();
    let rules: Vec<plist::Value> = (0..6000)
        .map(|i| {
            let mut rule = plist::Dictionary::new();
            rule.insert("action".into(), plist::Value::Integer(1.into()));
            rule.insert("active".into(), plist::Value::Boolean(true));
            rule.insert(
                "expression".into(),
                plist::Value::String(format!("host-{i}.exam.example.org/path/to/resource/*")),
            );
            rule.insert("regex".into(), plist::Value::Boolean(false));
            plist::Value::Dictionary(rule)
        })
        .collect();
    dict.insert("URLFilterRules".into(), plist::Value::Array(rules));
    dict
}

/// The same exam in YAML, TOML and JSON, parsed into its value and source map (no file read): what each
/// syntax costs the loader.
fn parsing(c: &mut Criterion) {
    use sebc::load::{Syntax, parse_exam};
    let mut g = c.benchmark_group("parse");
    for (name, syntax) in [
        ("yaml", Syntax::Yaml),
        ("toml", Syntax::Toml),
        ("json", Syntax::Json),
    ] {
        let path = format!("fixtures/valid/same-in-three-syntaxes/phys-120.{name}");
        let text = std::fs::read_to_string(&path).expect("fixture");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("one exam, {name}"), |b| {
            b.iter(|| {
                parse_exam(black_box(&text), syntax, Path::new(&path), &path).expect("parses")
            })
        });
    }
    g.finish();
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("stages");
    g.bench_function("load+validate one exam", |b| {
        b.iter(|| sebc::validate::validate(black_box(loaded())))
    });
    let (exam, _) = sebc::validate::validate(loaded());
    let exam = exam.expect("valid");
    let secrets = sebc::resolve::resolve(&exam, None).expect("secrets");
    g.bench_function("merge (full defaults)", |b| {
        b.iter(|| merge(black_box(&exam), &secrets, MergeOptions::default()))
    });
    let (merged, _) = merge(&exam, &secrets, MergeOptions::default());
    let merged = merged.expect("merged");
    // The whole dictionary, for the straightforward writer.
    let settings = merged.settings.to_dictionary();
    g.bench_function("plist emit (indented)", |b| {
        b.iter(|| {
            write_xml(
                black_box(&settings),
                PlistStyle::Indented,
                &sebc::merge::is_table,
            )
            .expect("writable")
        })
    });
    // The fast path against the straightforward one, same bytes (tests/fast_path.rs proves it).
    g.bench_function("plist + Config Key, straightforward", |b| {
        b.iter(|| {
            let xml = write_xml(
                black_box(&settings),
                PlistStyle::Indented,
                &sebc::merge::is_table,
            )
            .expect("writable");
            (xml, seb_format::configkey::config_key(&settings))
        })
    });
    let rendered = sebc::emit::defaults_rendered();
    g.bench_function("plist + Config Key, defaults rendered once", |b| {
        b.iter(|| {
            rendered
                .write_xml_and_key(
                    black_box(&settings),
                    PlistStyle::Indented,
                    &sebc::merge::is_table,
                )
                .expect("writable")
        })
    });
    // What `emit::render` does: the exam's changes over the defaults rendered once.
    g.bench_function("plist + Config Key, changes over the defaults", |b| {
        b.iter(|| {
            let changed: Vec<_> = black_box(&merged.settings).changed().collect();
            rendered
                .write_xml_and_key_of_changes(
                    &changed,
                    &merged.settings.removed_from_base(),
                    PlistStyle::Indented,
                    &sebc::merge::is_table,
                )
                .expect("writable")
        })
    });
    // One exam end to end in memory (load, validate, merge, clients, rooms and tokens, render).
    let input = sebc::compile::Input {
        path: EXAM.into(),
        display: EXAM.into(),
        discovered: false,
    };
    let opts = sebc::compile::CompileOptions {
        out_dir: std::env::temp_dir(),
        now: 1_795_996_800,
        ..Default::default()
    };
    g.bench_function("one exam built in memory (.seb + server file)", |b| {
        b.iter(|| sebc::compile::build(black_box(&input), &opts))
    });
    g.finish();
}

fn containers(c: &mut Criterion) {
    let xml = write_xml(&big_plist(), PlistStyle::Indented, &|_| false).expect("writable");
    let small = {
        let (exam, _) = sebc::validate::validate(loaded());
        let exam = exam.expect("valid");
        let secrets = sebc::resolve::resolve(&exam, None).expect("secrets");
        let (m, _) = merge(&exam, &secrets, MergeOptions::default());
        write_xml(
            &m.expect("merged").settings.to_dictionary(),
            PlistStyle::Indented,
            &|_| false,
        )
        .expect("writable")
    };
    let mut g = c.benchmark_group("container");
    g.sample_size(20);
    g.bench_function("PBKDF2 floor (2 x 10,000 rounds)", |b| {
        b.iter(|| {
            black_box(seb_format::rncryptor::derive_key(b"password", b"saltsalt"));
            black_box(seb_format::rncryptor::derive_key(b"password", b"tlastlas"));
        })
    });
    g.throughput(Throughput::Bytes(small.len() as u64));
    g.bench_function("plnd encode (35 KB exam)", |b| {
        b.iter(|| encode(black_box(&small), Protection::Plain))
    });
    g.bench_function("pswd encode (35 KB exam)", |b| {
        b.iter(|| encode(black_box(&small), Protection::Password(b"pw")))
    });
    let pswd = encode(&small, Protection::Password(b"pw")).expect("encode");
    let keys = Keys {
        password: Some(b"pw"),
        ..Default::default()
    };
    g.bench_function("pswd decode (35 KB exam)", |b| {
        b.iter(|| decode(black_box(&pswd), &keys))
    });
    let plnd = encode(&small, Protection::Plain).expect("encode");
    g.bench_function("plnd decode (35 KB exam)", |b| {
        b.iter(|| decode(black_box(&plnd), &Keys::default()))
    });
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.bench_function("pswd encode (1 MB plist)", |b| {
        b.iter(|| encode(black_box(&xml), Protection::Password(b"pw")))
    });
    g.finish();
}

fn config_key(c: &mut Criterion) {
    let dict = big_plist();
    let xml = write_xml(&dict, PlistStyle::Indented, &|_| false).expect("writable");
    let mut g = c.benchmark_group("config-key");
    g.throughput(Throughput::Bytes(xml.len() as u64));
    g.bench_function(
        format!("key of a {} KB plist (parsed)", xml.len() / 1024),
        |b| b.iter(|| seb_format::configkey::config_key(black_box(&dict))),
    );
    g.bench_function(
        format!("read + key of a {} KB plist", xml.len() / 1024),
        |b| {
            b.iter(|| {
                seb_format::configkey::config_key(
                    &seb_format::plist::read_xml(black_box(&xml)).expect("plist"),
                )
            })
        },
    );
    g.bench_function(
        format!("streamed key of a {} KB plist (in order)", xml.len() / 1024),
        |b| b.iter(|| seb_format::configkey::config_key_of_xml(black_box(&xml))),
    );
    // SEB for macOS writes keys in case-sensitive order: every uppercase key first.
    let mac = {
        let mut sorted: Vec<(String, plist::Value)> = dict.clone().into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let unsorted: plist::Dictionary = sorted.into_iter().collect();
        write_unsorted(&unsorted)
    };
    g.throughput(Throughput::Bytes(mac.len() as u64));
    g.bench_function(
        format!(
            "streamed key of a {} KB plist (macOS order)",
            mac.len() / 1024
        ),
        |b| b.iter(|| seb_format::configkey::config_key_of_xml(black_box(&mac))),
    );
    g.finish();
}

/// `dict` as XML in its own key order (the canonical writer sorts).
fn write_unsorted(dict: &plist::Dictionary) -> Vec<u8> {
    let mut out = Vec::new();
    plist::Value::Dictionary(dict.clone())
        .to_writer_xml(&mut out)
        .expect("writable");
    out
}

/// The work no faster implementation can skip for one exam's outputs: gzip of its plist in both of the
/// `.seb`'s layers, SHA-256 of its SEB-JSON (the Config Key the server file carries), reading its file,
/// and writing its two files atomically (temporary file, then rename). #17's 100 µs per exam is
/// measured against their sum.
fn floor(c: &mut Criterion) {
    let (exam, _) = sebc::validate::validate(loaded());
    let exam = exam.expect("valid");
    let secrets = sebc::resolve::resolve(&exam, None).expect("secrets");
    let (merged, _) = merge(&exam, &secrets, MergeOptions::default());
    let dict = merged.expect("merged").settings.to_dictionary();
    let xml = write_xml(&dict, PlistStyle::Indented, &|_| false).expect("writable");
    let json = seb_format::configkey::seb_json(&dict);
    let seb = encode(&xml, Protection::Plain).expect("encode");
    // New files on tmpfs when there is one, as `benches/compile_many.sh` writes them (on ext4,
    // renaming over an existing file also starts its writeback: ten times the cost).
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("temporary directory");
    let (seb_path, server_path) = (dir.path().join("e.seb"), dir.path().join("e.server.json"));
    let server = &json.as_bytes()[..json.len().min(5 * 1024)]; // a server file is about 5 KB
    let mut g = c.benchmark_group("floor");
    g.bench_function(
        format!("gzip both layers ({} KB plist)", xml.len() / 1024),
        |b| b.iter(|| encode(black_box(&xml), Protection::Plain)),
    );
    g.bench_function(
        format!("SHA-256 of the SEB-JSON ({} KB)", json.len() / 1024),
        |b| b.iter(|| seb_format::configkey::config_key_of_seb_json(black_box(&json))),
    );
    g.bench_function("read the exam file", |b| {
        b.iter(|| std::fs::read(black_box(EXAM)).expect("readable"))
    });
    g.bench_function("write a new .seb + server file atomically", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_file(&seb_path);
                let _ = std::fs::remove_file(&server_path);
            },
            |()| {
                sebc::emit::files::write_atomic(&seb_path, black_box(&seb), false)
                    .expect("written");
                sebc::emit::files::write_atomic(&server_path, black_box(server), false)
                    .expect("written");
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, parsing, stages, containers, config_key, floor);
criterion_main!(benches);
