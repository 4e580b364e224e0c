//! `sebc completions SHELL` and `sebc man`: each generates a script or page that names the subcommands;
//! the bash script, sourced in bash, registers its completion function for `sebc` and completes
//! subcommands and `--template` values.

mod common;
use common::*;

const SUBCOMMANDS: [&str; 8] = [
    "compile",
    "validate",
    "decode",
    "config-key",
    "settings",
    "init",
    "completions",
    "man",
];

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.len() > 1000, "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: {sub} missing");
        }
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("powershell"), "{}", stderr(&o));
}

#[test]
fn the_bash_script_defines_its_completion_function_when_sourced() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sebc.bash");
    std::fs::write(&script, run(&["completions", "bash"]).stdout).unwrap();
    // Source it, show the registration, then ask for completions as bash would on `sebc in<TAB>` and
    // `sebc init x --template <TAB>`.
    let probe = format!(
        r#"source {script}
complete -p sebc
declare -F _sebc
COMP_WORDS=(sebc in); COMP_CWORD=1; COMP_LINE="sebc in"; COMP_POINT=${{#COMP_LINE}}
_sebc sebc in sebc; echo "subcommands: ${{COMPREPLY[*]}}"
COMP_WORDS=(sebc init x --template ""); COMP_CWORD=4; COMP_LINE="sebc init x --template "; COMP_POINT=${{#COMP_LINE}}
_sebc sebc "" --template; echo "templates: ${{COMPREPLY[*]}}"
"#,
        script = script.display()
    );
    let o = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &probe])
        .output()
        .expect("bash runs");
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(
        out.lines()
            .any(|l| l.starts_with("complete ") && l.ends_with(" -F _sebc sebc")),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "_sebc"), "{out}");
    let subs = out.lines().find(|l| l.starts_with("subcommands:")).unwrap();
    assert!(subs.contains("init") && !subs.contains("compile"), "{subs}");
    let templates = out.lines().find(|l| l.starts_with("templates:")).unwrap();
    for t in ["plain", "moodle-quiz", "screen-proctoring", "jitsi"] {
        assert!(templates.contains(t), "{templates}");
    }
}

#[test]
fn the_manual_page_documents_every_subcommand() {
    let o = run(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH sebc 1"),
        "{page}"
    );
    assert!(page.contains(".TH sebc 1"), "{page}");
    for sub in SUBCOMMANDS {
        // roff writes `-` as `\-`.
        assert!(page.contains(&sub.replace('-', "\\-")), "{sub} missing");
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = run(&["man", "--out-dir", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let top = String::from_utf8(read(out.join("sebc.1"))).unwrap();
    assert!(
        top.contains(".TH sebc 1") && top.contains("sebc\\-compile(1)"),
        "{top}"
    );
    for sub in SUBCOMMANDS {
        let sub_page = String::from_utf8(read(out.join(format!("sebc-{sub}.1")))).unwrap();
        assert!(
            sub_page.contains(&format!(".TH sebc-{sub} 1")),
            "{sub_page}"
        );
    }
    // `sebc compile`'s page lists its options.
    let compile = String::from_utf8(read(out.join("sebc-compile.1"))).unwrap();
    assert!(
        compile.contains("check") && compile.contains("message\\-format"),
        "{compile}"
    );
}
