//! Criterion benchmarks of the format crate against their floors, with the ratios printed after:
//! - the streamed Config Key of a 12 MB plist (SEB's key order and macOS's case-sensitive one, from
//!   memory and through the file window) against SHA-256 of the same bytes, the tree reader, and
//!   macOS's order against SEB's;
//! - `container::encode` with `Protection::Password` of a typical 15 KB plist against its floor, the
//!   two PBKDF2-HMAC-SHA1 derivations of RNCryptor v3 (10,000 rounds each).
//!
//! `cargo bench -p seb-format --bench floors` runs both, then the ratios (interleaved repeats,
//! median and min–max); `-- --ratios[=pswd|config-key]` measures only the ratios, which
//! `benches/pswd_floor.sh` uses to put our PBKDF2 beside OpenSSL's.

use criterion::{Criterion, Throughput, criterion_group};
use plist::{Dictionary, Value};
use seb_format::configkey::{config_key_of_reader, config_key_of_xml};
use seb_format::container::{Protection, encode};
use seb_format::rncryptor::derive_key;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// URL filter rules per MB of plist (about 230 bytes of XML each).
const RULES_PER_MB: usize = 4400;

/// The plist of `benches/config_key_memory.sh`: a few settings and a long URL filter table, written
/// in SEB's key order or in macOS's (every uppercase key first).
fn large_plist(mb: usize, mac_order: bool) -> Vec<u8> {
    let rules = (0..mb * RULES_PER_MB)
        .map(|i| {
            let mut rule = Dictionary::new();
            rule.insert("action".into(), Value::Integer(1.into()));
            rule.insert("active".into(), Value::Boolean(true));
            let expression = format!("host-{i}.exam.example.org/path/to/resource/*");
            rule.insert("expression".into(), Value::String(expression));
            rule.insert("regex".into(), Value::Boolean(false));
            Value::Dictionary(rule)
        })
        .collect();
    let mut entries: Vec<(String, Value)> = vec![
        ("allowQuit".into(), Value::Boolean(true)),
        ("browserViewMode".into(), Value::Integer(1.into())),
        (
            "originatorVersion".into(),
            Value::String("SEB_OSX_3.4".into()),
        ),
        ("quitURL".into(), Value::String(String::new())),
        (
            "startURL".into(),
            Value::String("https://lms.example.org/".into()),
        ),
        ("URLFilterEnable".into(), Value::Boolean(true)),
        ("URLFilterRules".into(), Value::Array(rules)),
    ];
    if mac_order {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let dict: Dictionary = entries.into_iter().collect();
    let mut out = Vec::new();
    Value::Dictionary(dict)
        .to_writer_xml(&mut out)
        .expect("writable");
    out
}

/// A typical exam's plist, about 15 KB: 400 settings of every kind, in SEB's order.
fn typical_plist() -> Vec<u8> {
    let mut dict = Dictionary::new();
    for i in 0..400 {
        let key = format!("setting{i:03}");
        let value = match i % 4 {
            0 => Value::Boolean(i % 3 == 0),
            1 => Value::Integer((i as i64 * 7).into()),
            2 => Value::String(format!("https://lms.example.org/{i}")),
            _ => Value::Boolean(false),
        };
        dict.insert(key, value);
    }
    seb_format::plist::write_xml(&dict, seb_format::plist::PlistStyle::Indented, &|_| false)
        .expect("writable")
}

fn config_key(c: &mut Criterion) {
    let seb = large_plist(12, false);
    let mac = large_plist(12, true);
    assert_eq!(config_key_of_xml(&seb), config_key_of_xml(&mac));
    let mut g = c.benchmark_group("config-key-12MB");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(seb.len() as u64));
    g.bench_function("floor: SHA-256 of the XML bytes", |b| {
        b.iter(|| Sha256::digest(black_box(&seb)))
    });
    g.bench_function("streamed, SEB order, from memory", |b| {
        b.iter(|| config_key_of_xml(black_box(&seb)))
    });
    g.bench_function("streamed, macOS order, from memory", |b| {
        b.iter(|| config_key_of_xml(black_box(&mac)))
    });
    g.bench_function("streamed, macOS order, through the window", |b| {
        b.iter(|| config_key_of_reader(std::io::Cursor::new(black_box(&mac))))
    });
    g.bench_function("tree: read values, then hash", |b| {
        b.iter(|| {
            seb_format::plist::read_xml(black_box(&seb))
                .map(|d| seb_format::configkey::config_key(&d))
        })
    });
    g.finish();
}

fn pswd(c: &mut Criterion) {
    let xml = typical_plist();
    let mut g = c.benchmark_group("pswd");
    g.sample_size(20);
    g.bench_function(
        "floor: 2 PBKDF2-HMAC-SHA1 derivations (10,000 rounds)",
        |b| {
            b.iter(|| {
                black_box(derive_key(black_box(b"password"), b"saltsalt"));
                black_box(derive_key(black_box(b"password"), b"tlastlas"));
            })
        },
    );
    g.bench_function(format!("encode, {} KB plist", xml.len() / 1024), |b| {
        b.iter(|| encode(black_box(&xml), Protection::Password(b"password")))
    });
    g.finish();
}

/// The median time of `f` over `runs` calls.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Median and min–max of `values`.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

/// Interleaved repeats, each comparing a measured path to its floor in the same moment of a noisy
/// machine; prints the median ratio and the spread of the repeats.
fn ratios(which: &str) {
    if which != "config-key" {
        pswd_ratio();
    }
    if which != "pswd" {
        config_key_ratio();
    }
}

const REPEATS: usize = 11;

fn pswd_ratio() {
    let xml = typical_plist();
    let (mut floor_ms, mut pswd_ratio) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let floor = median(5, || {
            black_box(derive_key(black_box(b"password"), b"saltsalt"));
            black_box(derive_key(black_box(b"password"), b"tlastlas"));
        });
        let pswd = median(5, || {
            black_box(encode(black_box(&xml), Protection::Password(b"password")).ok());
        });
        floor_ms.push(floor.as_secs_f64() * 1e3);
        pswd_ratio.push(pswd.as_secs_f64() / floor.as_secs_f64());
    }
    let (m, lo, hi) = spread(floor_ms);
    println!("pbkdf2-pair-ms median {m:.3} min {lo:.3} max {hi:.3}");
    let (m, lo, hi) = spread(pswd_ratio);
    println!(
        "pswd encode of a {} KB plist / 2 PBKDF2 derivations: {m:.3}x (min {lo:.3}, max {hi:.3}, {REPEATS} repeats)",
        xml.len() / 1024
    );
}

fn config_key_ratio() {
    let seb = large_plist(12, false);
    let mac = large_plist(12, true);
    let mb = seb.len() as f64 / 1e6;
    let mut rows: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        ("streamed, SEB order, memory", Vec::new(), Vec::new()),
        ("streamed, macOS order, memory", Vec::new(), Vec::new()),
        ("streamed, macOS order, window", Vec::new(), Vec::new()),
    ];
    // macOS's order against SEB's, from memory and through the window, in the same repeats.
    let (mut mac_memory, mut mac_window) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let floor = median(3, || {
            black_box(Sha256::digest(black_box(&seb)));
        });
        let times = [
            median(3, || drop(black_box(config_key_of_xml(black_box(&seb))))),
            median(3, || drop(black_box(config_key_of_xml(black_box(&mac))))),
            median(3, || {
                drop(black_box(config_key_of_reader(std::io::Cursor::new(&mac))))
            }),
        ];
        mac_memory.push(times[1].as_secs_f64() / times[0].as_secs_f64());
        mac_window.push(times[2].as_secs_f64() / times[0].as_secs_f64());
        for (row, t) in rows.iter_mut().zip(times) {
            row.1.push(mb / t.as_secs_f64());
            row.2.push(t.as_secs_f64() / floor.as_secs_f64());
        }
    }
    for (name, speeds, ratios) in rows {
        let (s, slo, shi) = spread(speeds);
        let (r, rlo, rhi) = spread(ratios);
        println!(
            "config key of a {mb:.1} MB plist, {name}: {s:.0} MB/s (min {slo:.0}, max {shi:.0}); \
             {r:.2}x SHA-256 of the bytes (min {rlo:.2}, max {rhi:.2})"
        );
    }
    for (name, ratios) in [("memory", mac_memory), ("window", mac_window)] {
        let (r, lo, hi) = spread(ratios);
        println!(
            "config key, macOS order ({name}) / SEB order (memory): {r:.3}x (min {lo:.3}, max {hi:.3})"
        );
    }
}

criterion_group!(benches, config_key, pswd);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(which) = args.iter().find_map(|a| a.strip_prefix("--ratios")) {
        ratios(which.trim_start_matches('='));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and only checks the benches run.
    if args.iter().any(|a| a == "--bench") {
        ratios("all");
    }
}
