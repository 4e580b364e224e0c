//! `extends` graphs: up to eight exam/template files whose `extends` lists (cycles, repeats, diamonds,
//! missing files) come from the input, through the whole check (load, validate, resolve, merge). The
//! work must stay bounded (libFuzzer's timeout) and the layers at most one per distinct base.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sebc::compile::{CheckOptions, Input, check};
use sebc::merge::MergeOptions;
use std::fmt::Write as _;
use std::path::PathBuf;

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sebc-fuzz-extends-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.iter().copied();
    let files = usize::from(bytes.next().unwrap_or(0) % 8) + 1;
    let dir = dir();
    for i in 0..files {
        let mut text = String::new();
        if i == 0 {
            text.push_str("exam: { id: fuzz }\n");
        }
        let refs = bytes.next().unwrap_or(0) % 6;
        if refs > 0 {
            text.push_str("extends:\n");
            for _ in 0..refs {
                let target = bytes.next().unwrap_or(0);
                // Index 8 and above: a file that does not exist.
                let _ = writeln!(text, "  - t{}.yaml", target % 10);
            }
        }
        match bytes.next().unwrap_or(0) % 4 {
            0 => text.push_str("seb:\n  allowQuit: true\n"),
            1 => text.push_str("seb:\n  allowQuit: false\n  quitPassword: pw\n"),
            2 => text.push_str("proctoring:\n  jitsiMeetEnable: false\n"),
            _ => {}
        }
        let name = if i == 0 { "exam.yaml".to_string() } else { format!("t{i}.yaml") };
        let _ = std::fs::write(dir.join(name), text);
    }
    for i in files..10 {
        let _ = std::fs::remove_file(dir.join(format!("t{i}.yaml")));
    }
    sebc::load::clear_base_cache();
    let input = Input {
        path: dir.join("exam.yaml"),
        display: "exam.yaml".into(),
        discovered: false,
    };
    let opts = CheckOptions {
        merge: MergeOptions { minimal: true },
        clients: None,
        ..CheckOptions::default()
    };
    let checked = check(&input, opts, 0, None);
    if let Some(exam) = &checked.exam {
        assert!(exam.bases.len() <= files, "{} layers from {files} files", exam.bases.len());
    }
});
