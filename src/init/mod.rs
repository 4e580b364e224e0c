//! `sebc init`'s starter exam files: one commented YAML template per kind of exam (`templates/`),
//! filled in with the exam id, the file name and the editor's schema reference. Writing the file is the
//! CLI's job; this module only makes its text.

/// A kind of starter exam file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A lockdown exam with one start page and a quit password.
    Plain,
    /// A Moodle quiz (quizaccess_seb's "Upload my own config").
    MoodleQuiz,
    /// Screen proctoring through SEB Server's bundled service.
    ScreenProctoring,
    /// Live proctoring with a self-hosted Jitsi Meet.
    Jitsi,
}

impl Template {
    /// Every template, with the name `--template` takes.
    pub const ALL: [(&'static str, Template); 4] = [
        ("plain", Template::Plain),
        ("moodle-quiz", Template::MoodleQuiz),
        ("screen-proctoring", Template::ScreenProctoring),
        ("jitsi", Template::Jitsi),
    ];

    fn text(self) -> &'static str {
        match self {
            Template::Plain => include_str!("templates/plain.yaml"),
            Template::MoodleQuiz => include_str!("templates/moodle-quiz.yaml"),
            Template::ScreenProctoring => include_str!("templates/screen-proctoring.yaml"),
            Template::Jitsi => include_str!("templates/jitsi.yaml"),
        }
    }

    /// The environment variables the template's secrets name (`{ env: NAME }` outside comments), as its
    /// `# Environment:` line lists them.
    pub fn env_vars(self) -> Vec<&'static str> {
        let mut vars: Vec<&str> = self
            .text()
            .lines()
            .map(|line| line.split('#').next().unwrap_or(""))
            .flat_map(|code| code.split("{ env: ").skip(1))
            .filter_map(|rest| rest.split(' ').next())
            .collect();
        vars.sort_unstable();
        vars.dedup();
        vars
    }
}

/// Where the starter file's `# yaml-language-server: $schema=` line points by default: the schemas
/// `sebc schema --out-dir schemas` writes beside the exam file.
pub const DEFAULT_SCHEMA_REF: &str = "schemas/exam.schema.json";

/// The most characters an exam id has (the exam schema's `maxLength`).
pub const MAX_ID_CHARS: usize = 64;

/// Checks an exam id against the exam schema's pattern `^[a-z0-9][a-z0-9_-]*$` and length; the error
/// says what is wrong and suggests an id that passes.
pub fn check_id(id: &str) -> Result<(), String> {
    let first_ok = id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if first_ok && rest_ok && id.chars().count() <= MAX_ID_CHARS {
        return Ok(());
    }
    let why = if id.is_empty() {
        "it is empty".to_string()
    } else if id.chars().count() > MAX_ID_CHARS {
        format!("it has more than {MAX_ID_CHARS} characters")
    } else if !first_ok {
        "it must start with a lowercase letter or a digit".to_string()
    } else {
        "it may hold only lowercase letters, digits, `_` and `-`".to_string()
    };
    let suggestion = suggest_id(id);
    let hint = if suggestion.is_empty() {
        String::new()
    } else {
        format!(" (try `{suggestion}`)")
    };
    Err(format!(
        "the exam id {id:?} is not of the form [a-z0-9][a-z0-9_-]* (at most {MAX_ID_CHARS} characters): {why}{hint}"
    ))
}

/// An id that passes [`check_id`], made from `id`: lowercased, other characters as `-`, leading
/// `_`/`-` dropped, cut to the maximum length (empty when nothing usable is left).
fn suggest_id(id: &str) -> String {
    let mapped: String = id
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::new();
    for c in mapped.trim_start_matches(['-', '_']).chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.truncate(MAX_ID_CHARS);
    out.trim_end_matches('-').to_string()
}

/// The starter file's text: the editor's schema comment, then the template with the id (quoted where
/// YAML would read it as another type, e.g. `123` or `true`) and the file name filled in.
pub fn starter(template: Template, id: &str, file_name: &str, schema_ref: &str) -> String {
    let scalar = yaml_string(id);
    let mut out = format!(
        "# yaml-language-server: $schema={schema_ref}\n\
         # (Editor completion: `sebc schema --out-dir {dir}` writes the schemas this line names.)\n",
        dir = schema_dir(schema_ref),
    );
    out.push_str(
        &template
            .text()
            .replace("{{raw_id}}", id)
            .replace("{{id}}", &scalar)
            .replace("{{file}}", file_name),
    );
    out
}

/// The directory part of a schema reference (`.` when it has none).
fn schema_dir(schema_ref: &str) -> &str {
    match schema_ref.rsplit_once('/') {
        Some((dir, _)) if !dir.is_empty() => dir,
        _ => ".",
    }
}

/// `id` as a YAML scalar that reads back as the same string: plain when YAML reads it as a string,
/// double-quoted otherwise (ids are `[a-z0-9_-]`, so quoting needs no escapes).
fn yaml_string(id: &str) -> String {
    match serde_saphyr::from_str::<serde_json::Value>(id) {
        Ok(serde_json::Value::String(s)) if s == id => id.to_string(),
        _ => format!("\"{id}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_exam_schema_pattern() {
        for ok in ["math-101", "a", "0", "x_y-z", &"a".repeat(64)] {
            assert_eq!(check_id(ok), Ok(()), "{ok}");
        }
        for (bad, suggestion) in [
            ("Math 101", Some("math-101")),
            ("-x", Some("x")),
            ("_x", Some("x")),
            ("", None),
            ("é", None),
            ("a.b", Some("a-b")),
        ] {
            let err = check_id(bad).unwrap_err();
            match suggestion {
                Some(s) => {
                    assert!(err.contains(&format!("(try `{s}`)")), "{err}");
                    assert_eq!(check_id(s), Ok(()));
                }
                None => assert!(!err.contains("try"), "{err}"),
            }
        }
        let long = "a".repeat(65);
        let err = check_id(&long).unwrap_err();
        assert!(err.contains("more than 64"), "{err}");
        assert_eq!(check_id(&suggest_id(&long)), Ok(()));
    }

    #[test]
    fn ids_yaml_would_read_as_other_types_are_quoted() {
        assert_eq!(yaml_string("math-101"), "math-101");
        assert_eq!(yaml_string("123"), "\"123\"");
        assert_eq!(yaml_string("true"), "\"true\"");
        for id in [
            "math-101", "123", "true", "null", "no", "1e5", "0x1f", "0o7", "1_000", "nan",
        ] {
            let back: serde_json::Value = serde_saphyr::from_str(&yaml_string(id)).unwrap();
            assert_eq!(back, serde_json::Value::String(id.into()), "{id}");
        }
    }

    #[test]
    fn every_template_names_its_environment_variables_in_its_header() {
        for (name, t) in Template::ALL {
            let header = t
                .text()
                .lines()
                .find(|l| l.starts_with("# Environment:"))
                .unwrap_or_else(|| panic!("{name}: no `# Environment:` line"));
            let vars = t.env_vars();
            if vars.is_empty() {
                assert!(header.ends_with("none"), "{name}: {header}");
            }
            let text = t.text();
            for v in vars {
                assert!(
                    text.lines()
                        .take_while(|l| l.starts_with('#'))
                        .any(|l| l.contains(&format!("{v} ("))),
                    "{name}: {v} is not explained in the header"
                );
            }
        }
    }
}
