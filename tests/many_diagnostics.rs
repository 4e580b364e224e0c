//! Files that produce a diagnostic per value: 99,990 URL filter rules of the wrong type, 99,900 unknown
//! settings. Each is generated into a tempdir and validated through the binary in every format: the
//! time is bounded as ratios to runs timed in the same test — to the same file a tenth the size (linear
//! work gives about 10×, the quadratic rendering these files once hit about 100×) and, generously, to a
//! tiny exam (a 1 MB file is about 50× a tiny exam in a release build, 100–150× in a loaded debug build;
//! the quadratic rendering was over 10,000×) — the exit code is 1, repeats are capped with one summary
//! line per code and file, and every count is exact.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

/// Most the full-size run may take, as a multiple of the tenth-size run.
const MAX_RATIO: f64 = 30.0;

/// Most the full-size run may take, as a multiple of a tiny exam's run (mostly process start-up).
const MAX_RATIO_TO_TINY: f64 = 1000.0;

fn rules_file(dir: &Path, items: usize) -> String {
    let path = dir.join(format!("rules-{items}.yaml"));
    let text = format!(
        "exam: {{ id: rules }}\nseb:\n  URLFilterRules:\n{}",
        "    - 1\n".repeat(items)
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn keys_file(dir: &Path, keys: usize) -> String {
    let path = dir.join(format!("keys-{keys}.yaml"));
    let body: String = (0..keys)
        .map(|i| format!("  unknownKey{i:06}: 1\n"))
        .collect();
    std::fs::write(&path, format!("exam: {{ id: keys }}\nseb:\n{body}")).unwrap();
    path.to_str().unwrap().to_string()
}

/// The output and the CPU time of `sebc ARGS`.
fn timed(args: &[&str]) -> (std::process::Output, Duration) {
    run_cpu(args)
}

/// The full-size file takes at most [`MAX_RATIO`] times the tenth-size one and [`MAX_RATIO_TO_TINY`]
/// times a tiny exam, in the human form (the one that was quadratic).
fn assert_linear(small: &str, big: &str) {
    let tiny_dir = tempfile::tempdir().unwrap();
    let tiny = tiny_dir.path().join("tiny.yaml");
    std::fs::write(&tiny, "exam: { id: tiny }\nseb: { alowQuit: true }\n").unwrap();
    // The median of three: a tiny run is short enough for one hiccup to matter.
    let mut tiny_runs: Vec<Duration> = (0..3)
        .map(|_| timed(&["validate", tiny.to_str().unwrap()]).1)
        .collect();
    tiny_runs.sort();
    let t_tiny = tiny_runs[1];
    let (o, t_small) = timed(&["validate", small]);
    assert_eq!(o.status.code(), Some(1));
    let (o, t_big) = timed(&["validate", big]);
    assert_eq!(o.status.code(), Some(1));
    let ratio = t_big.as_secs_f64() / t_small.as_secs_f64().max(1e-3);
    let to_tiny = t_big.as_secs_f64() / t_tiny.as_secs_f64().max(1e-3);
    eprintln!(
        "tiny {t_tiny:?}, tenth {t_small:?}, full {t_big:?}: {ratio:.1}× the tenth, {to_tiny:.0}× the tiny exam"
    );
    assert!(
        ratio <= MAX_RATIO,
        "{big}: {t_big:?} is {ratio:.1}× the tenth-size file's {t_small:?}"
    );
    assert!(
        to_tiny <= MAX_RATIO_TO_TINY,
        "{big}: {t_big:?} is {to_tiny:.0}× a tiny exam's {t_tiny:?}"
    );
}

#[test]
fn ninety_nine_thousand_wrong_rules() {
    let dir = tempfile::tempdir().unwrap();
    let big = rules_file(dir.path(), 99_990);
    assert_linear(&rules_file(dir.path(), 9_999), &big);

    // Every rule is two errors: not a mapping, and no expression.
    let o = run(&["validate", &big]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.matches("error[wrong-type]").count(), 20);
    assert_eq!(err.matches("error[empty-url-filter]").count(), 20);
    for code in ["wrong-type", "empty-url-filter"] {
        let summary = format!(
            "note: … and 99,970 more `{code}` errors in {big} (--max-diagnostics 0 shows them all)\n"
        );
        assert_eq!(err.matches(&summary).count(), 1, "{code}: {err}");
    }
    assert!(
        err.ends_with("1 exam(s) checked, 199980 error(s), 0 warning(s)\n"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );

    // JSON keeps 200 of each code by default, and all of them when asked.
    let o = run(&["validate", &big, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = json_lines(&o);
    let omitted: Vec<u64> = lines.iter().filter_map(|l| l["omitted"].as_u64()).collect();
    assert_eq!(lines.len(), 2 * 200 + 2);
    assert_eq!(omitted, [99_790, 99_790]);
    let o = run(&[
        "validate",
        &big,
        "--message-format",
        "json",
        "--max-diagnostics",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o).len(), 199_980);

    // GitHub: 20 annotations of each code, then one notice each.
    let o = run(&["validate", &big, "--message-format", "github"]);
    let err = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.matches("::error ").count(), 40);
    assert_eq!(
        err.matches("::notice ").count(),
        2,
        "{}",
        &err[err.len().saturating_sub(600)..]
    );
    assert!(err.contains("::… and 99,970 more `wrong-type` errors in "));
}

#[test]
fn ninety_nine_thousand_unknown_settings() {
    let dir = tempfile::tempdir().unwrap();
    let big = keys_file(dir.path(), 99_900);
    assert_linear(&keys_file(dir.path(), 9_990), &big);

    let o = run(&["validate", &big, "--max-diagnostics", "5"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.matches("error[unknown-setting]").count(), 5);
    assert!(err.contains(&format!(
        "note: … and 99,895 more `unknown-setting` errors in {big} (--max-diagnostics 0 shows them all)\n"
    )));
    assert!(
        err.ends_with("1 exam(s) checked, 99900 error(s), 0 warning(s)\n"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
}

/// All on one line: every diagnostic quotes the same 100 KB line, windowed around its column, and the
/// header keeps the real column.
#[test]
fn twenty_thousand_wrong_rules_on_one_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = |items: usize| {
        let path = dir.path().join(format!("line-{items}.json"));
        let rules = vec!["1"; items].join(",");
        let text = format!(
            "{{\"exam\": {{\"id\": \"line\"}}, \"seb\": {{\"URLFilterRules\": [{rules}]}}}}\n"
        );
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (small, big) = (file(2_000), file(20_000));
    let all = ["--max-diagnostics", "0"];
    let (o, t_small) = timed(&["validate", &small, all[0], all[1]]);
    assert_eq!(o.status.code(), Some(1));
    let (o, t_big) = timed(&["validate", &big, all[0], all[1]]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    let ratio = t_big.as_secs_f64() / t_small.as_secs_f64().max(1e-3);
    assert!(ratio <= MAX_RATIO, "{t_big:?} is {ratio:.1}× {t_small:?}");
    assert_eq!(err.matches("error[wrong-type]").count(), 20_000);
    // The last rule: `[` is at column 47, each rule takes two characters.
    let col = 47 + 2 * 19_999;
    assert!(
        err.contains(&format!("--> {big}:1:{col}\n")),
        "{}",
        &err[err.len() - 2000..]
    );
    assert!(err.lines().all(|l| l.chars().count() <= 160));
    assert!(err.ends_with("1 exam(s) checked, 40000 error(s), 0 warning(s)\n"));
}

/// Diagnostics are printed on stdout, one JSON object a line.
fn json_lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}
