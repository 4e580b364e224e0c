//! One exam (`sebc compile FILE`, `sebc validate FILE`) is compiled on the calling thread: no thread
//! pool is started, not even rayon's global one, and the outputs are those a pool's worker writes.
//! A test binary of its own: the global pool is per process, and nothing else here may start it.

use sebc::compile::{CompileOptions, Input, compile_all};
use std::sync::Mutex;

fn exam(dir: &std::path::Path) -> Input {
    let path = dir.join("exam.yaml");
    std::fs::write(
        &path,
        "exam: { id: one, name: One, start: 2026-12-03T13:00:00Z, end: 2026-12-03T14:00:00Z }\n\
         seb: { startURL: 'https://lms.example.org/quiz', allowQuit: false }\n",
    )
    .unwrap();
    Input {
        path,
        display: "exam.yaml".into(),
        discovered: false,
    }
}

/// Compiles `input` into `out`; the threads that built it and the bytes written.
fn compile(input: &Input, out: &std::path::Path) -> (Vec<std::thread::ThreadId>, Vec<Vec<u8>>) {
    let opts = CompileOptions {
        out_dir: out.to_path_buf(),
        now: 1_795_996_800,
        ..CompileOptions::default()
    };
    let threads = Mutex::new(Vec::new());
    let outcomes = compile_all(vec![input.clone()], &opts, &|| {
        threads.lock().unwrap().push(std::thread::current().id())
    });
    assert_eq!(outcomes.len(), 1);
    assert!(
        outcomes[0].diags.iter().all(|d| !d.is_error()),
        "{:?}",
        outcomes[0].diags
    );
    let files: Vec<Vec<u8>> = outcomes[0]
        .files
        .iter()
        .map(|f| std::fs::read(&f.path).unwrap())
        .collect();
    assert!(!files.is_empty());
    (threads.into_inner().unwrap(), files)
}

#[test]
fn one_exam_outside_a_pool_starts_no_thread_and_writes_what_a_worker_writes() {
    let dir = tempfile::tempdir().unwrap();
    let input = exam(dir.path());
    let here = std::thread::current().id();

    let (threads, inline) = compile(&input, &dir.path().join("inline"));
    assert_eq!(threads, [here], "built on the calling thread");
    // rayon's global pool was never started: it can still be built here (it can be built once).
    assert!(
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global()
            .is_ok(),
        "compiling one exam started rayon's global pool"
    );

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (threads, pooled) = pool.install(|| compile(&input, &dir.path().join("pool")));
    assert_eq!(threads.len(), 1);
    assert_ne!(threads[0], here, "built on the pool's worker");
    assert_eq!(inline, pooled);
}
