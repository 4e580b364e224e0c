//! Every subcommand's own help starts with the line its parent's help lists it with. The subcommands'
//! arguments are built only when needed (`#[command(defer = true)]` in src/cli), and a deferred
//! subcommand would take the `about` of an argument struct it flattens if that struct had a doc
//! comment: `sebc compile --help` would open with "`--sandbox DIR`, for …" instead of "Compile exam
//! files …". This walks the whole tree through the binary, as a user reads it.

mod common;
use common::run;

/// The `Commands:` section of a help text: each name with its summary (wrapped lines joined).
fn listed(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_section = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_section = true;
            continue;
        }
        if !in_section {
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        let body = &line[2..];
        if body.starts_with(' ') {
            // A wrapped summary continues the entry above.
            if let Some((_, about)) = out.last_mut() {
                about.push(' ');
                about.push_str(body.trim());
            }
            continue;
        }
        let (name, about) = body.split_once(' ').unwrap_or((body, ""));
        out.push((name.to_string(), about.trim().to_string()));
    }
    out
}

/// The first paragraph of a help text, its lines joined.
fn first_paragraph(help: &str) -> String {
    help.lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks the subcommands listed in `path`'s help, recursively; returns how many were checked.
fn check(path: &[String]) -> usize {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = run(&args);
    assert!(out.status.success(), "sebc {args:?} failed");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut checked = 0;
    for (name, about) in listed(&help) {
        if name == "help" {
            continue;
        }
        let mut child = path.to_vec();
        child.push(name.clone());
        let mut child_args: Vec<&str> = child.iter().map(String::as_str).collect();
        child_args.push("--help");
        let out = run(&child_args);
        assert!(out.status.success(), "sebc {child_args:?} failed");
        let own = first_paragraph(&String::from_utf8_lossy(&out.stdout));
        // The list shows the summary without its final full stop; the page may go on after it.
        assert!(
            own.starts_with(about.trim_end_matches('.')),
            "`sebc {}` is listed as {about:?} but its help opens with {own:?}",
            child.join(" ")
        );
        checked += 1 + check(&child);
    }
    checked
}

#[test]
fn every_subcommand_opens_its_help_with_its_listed_summary() {
    let checked = check(&[]);
    // 13 commands, `token`'s 3 and `zoom`'s 2.
    assert!(checked >= 18, "only {checked} subcommands found");
}
