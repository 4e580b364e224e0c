//! Many exams at once: built in parallel in bounded chunks, exam ids claimed in input order, outputs
//! delivered (written or checked) per exam; one failing exam never stops the others.

use super::{Built, CompileOptions, Input, build, deliver};
use crate::diagnostic::Diagnostic;
use crate::emit::Configuration;
use crate::source::Sources;

/// The result of one input of [`compile_all`].
pub struct Outcome {
    pub input: Input,
    /// The configuration files written (or checked); empty when the exam failed or was a skipped template.
    pub files: Vec<Configuration>,
    pub id: Option<String>,
    pub diags: Vec<Diagnostic>,
    /// The texts the diagnostics point into.
    pub sources: Sources,
}

/// Exams built in memory at once: bounds memory whatever the number of exams.
const CHUNK: usize = 256;

/// Compiles many exams in parallel (rayon, all cores); one failing exam never stops the others. Results come
/// back in input order, and exam ids are claimed in input order, so a duplicate id is always reported on the
/// later file and never overwrites the earlier one's outputs. `progress` is called once per exam.
/// Inside a rayon pool the exams are built on its threads; called from outside one (the CLI runs a
/// single exam on the main thread when [`super::main_thread_stack_suffices`]) everything runs on the
/// calling thread.
pub fn compile_all(
    inputs: Vec<Input>,
    opts: &CompileOptions,
    progress: &(dyn Fn() + Sync),
) -> Vec<Outcome> {
    use rayon::prelude::*;
    if !opts.check_only {
        crate::emit::files::sweep_stale_temporaries(&opts.out_dir);
    }
    let parallel = rayon::current_thread_index().is_some();
    let mut claimed: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(CHUNK) {
        let build_one = |input: &Input| {
            let r = build(input, opts);
            progress();
            r
        };
        let built: Vec<(Option<Built>, Vec<Diagnostic>, Sources)> = if parallel {
            chunk.par_iter().map(build_one).collect()
        } else {
            chunk.iter().map(build_one).collect()
        };
        let mut deliverable = Vec::new();
        for (input, (built, mut diags, sources)) in chunk.iter().zip(built) {
            let built = built.and_then(|b| match claimed.get(&b.id) {
                Some(first) => {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-exam-id",
                            format!("exam id `{}` is also used by {first}", b.id),
                        )
                        .at(&b.id_at.0, b.id_at.1)
                        .pointer("/exam/id")
                        .hint("each exam needs its own id: it names the output files"),
                    );
                    None
                }
                None => {
                    claimed.insert(b.id.clone(), input.display.clone());
                    Some(b)
                }
            });
            deliverable.push((input.clone(), built, diags, sources));
        }
        let deliver_one = |(input, built, mut diags, mut sources): (
            Input,
            Option<Built>,
            Vec<Diagnostic>,
            Sources,
        )| {
            let (id, files) = match built {
                Some(b) => {
                    let mut more = deliver(&b, opts, &input.display);
                    let ok = !more.iter().any(Diagnostic::is_error);
                    diags.append(&mut more);
                    let files = if ok {
                        b.rendered.configurations
                    } else {
                        Vec::new()
                    };
                    (Some(b.id), files)
                }
                None => (None, Vec::new()),
            };
            // Keep only the texts that diagnostics quote.
            sources.retain(|file| {
                diags
                    .iter()
                    .any(|d| d.file == file || d.related.iter().any(|r| r.file == file))
            });
            Outcome {
                input,
                id,
                files,
                diags,
                sources,
            }
        };
        let delivered: Vec<Outcome> = if parallel {
            deliverable.into_par_iter().map(deliver_one).collect()
        } else {
            deliverable.into_iter().map(deliver_one).collect()
        };
        outcomes.extend(delivered);
    }
    outcomes
}
