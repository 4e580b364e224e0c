//! The README's "Bring existing files in" tour, run as written: each `sebc` line of its `sh` block in
//! a scratch copy of the file it names, and the edit its comment describes (`change `A` to `B``).

mod common;
use common::*;

#[test]
fn the_import_edit_compile_diff_tour_works_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Bring existing files in")
        .nth(1)
        .expect("README has the tour");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let original = "fixtures/templates/lockdown-common.plist";
    std::fs::create_dir_all(tmp.path().join("fixtures/templates")).unwrap();
    std::fs::copy(root().join(original), tmp.path().join(original)).unwrap();
    let mut outputs = Vec::new();
    for line in block.lines() {
        if let Some(edit) = line.strip_prefix("# edit ") {
            // `# edit FILE: change `OLD` to `NEW``
            let (file, what) = edit.split_once(": change ").unwrap();
            let parts: Vec<&str> = what.split('`').collect();
            let (old, new) = (parts[1], parts[3]);
            let path = tmp.path().join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(old),
                "the tour's edit applies: {old:?} in\n{text}"
            );
            std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
            continue;
        }
        let command = line.split(" #").next().unwrap().trim();
        let args: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(args[0], "sebc", "{line}");
        let o = sebc()
            .current_dir(tmp.path())
            .args(&args[1..])
            .output()
            .unwrap();
        outputs.push((command.to_string(), o));
    }
    let names: Vec<&str> = outputs
        .iter()
        .map(|(c, _)| c.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(names, ["import", "compile", "diff"]);
    for (command, o) in &outputs[..2] {
        assert!(o.status.success(), "{command}: {}", stderr(o));
    }
    let (_, diff) = &outputs[2];
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(diff));
    let out = stdout(diff);
    assert!(out.contains("~ showTime: false -> true"), "{out}");
    assert!(out.contains("1 setting differs"), "{out}");
    assert!(out.contains("Config Key changes: "), "{out}");
    assert!(tmp.path().join("my-exams/lockdown-common.yaml").is_file());
    assert!(tmp.path().join("out/lockdown-common.seb").is_file());
}
