//! The driver: find the project root, discover its files (sorted), run the per-file
//! stages in parallel, then the global stages, stopping between stages once errors exist.

use std::path::{Path, PathBuf};

mod back;

use rayon::prelude::*;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{self, ArtifactDirs, Project};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::{self, Document};
use crate::validate;

/// The file that marks a project root.
pub const ROOT_FILE: &str = "mlc.kdl";

/// The default output directory, skipped when discovering sources.
pub const OUTPUT_DIR: &str = "manifests";

/// The result of reading and checking a project.
#[derive(Debug)]
pub struct Checked {
    /// The project root directory.
    pub root: PathBuf,
    /// Every source file.
    pub sources: SourceMap,
    /// Every diagnostic, sorted.
    pub diagnostics: Diagnostics,
    /// The resolved project, when every stage passed.
    pub project: Option<Project>,
    /// Every emitted object as the back end keeps it, in output order (empty when a stage
    /// failed; without bytes for a check, which writes nothing).
    pub rendered: Vec<crate::render::Rendered>,
}

/// Walks up from `path` (a file or directory) to the directory holding `mlc.kdl`.
pub fn find_root(path: &Path) -> Result<PathBuf, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            Code::E0001,
            format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
        )
        .help("check the path: `mlc check` takes a project directory or any file in it")
    })?;
    let start = if meta.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    let absolute = std::path::absolute(&start).unwrap_or_else(|_| start.clone());
    let mut dir = absolute.as_path();
    loop {
        if dir.join(ROOT_FILE).is_file() {
            // Keep the path as the user gave it where possible, for relative messages.
            let depth = absolute.components().count() - dir.components().count();
            let mut given = start.clone();
            for _ in 0..depth {
                given.push("..");
            }
            return Ok(if depth == 0 { start } else { given });
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => {
                return Err(Diagnostic::error(
                    Code::E0002,
                    format!("no `{ROOT_FILE}` found in `{}` or any parent directory", path.display()),
                )
                .help(format!("run `mlc init` at the project root, or create `{ROOT_FILE}` with `project NAME {{ kubernetes \"1.33\" }}` there")));
            }
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Every `.kdl` file below `root`, sorted, skipping hidden directories and `manifests/`.
pub fn discover(root: &Path) -> (Vec<PathBuf>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || (e.file_type().is_dir() && e.depth() == 1 && name == OUTPUT_DIR))
        });
    for entry in walker {
        match entry {
            Ok(e)
                if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "kdl") =>
            {
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => diags.push(
                Diagnostic::error(
                    Code::E0001,
                    format!(
                        "cannot read `{}`: {}",
                        e.path().map_or_else(
                            || root.display().to_string(),
                            |p| p.display().to_string()
                        ),
                        e.io_error().map_or_else(|| e.to_string(), io_reason)
                    ),
                )
                .help("check the directory's permissions"),
            ),
        }
    }
    (files, diags)
}

/// Reads every file; unreadable ones become `E0001`.
pub fn load(root: &Path) -> (SourceMap, Diagnostics) {
    let (files, mut diags) = discover(root);
    let mut sources = SourceMap::default();
    let read: Vec<_> = files
        .par_iter()
        .map(|p| (p, std::fs::read_to_string(p)))
        .collect();
    for (path, text) in read {
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match text {
            Ok(text) => {
                sources.add(SourceFile::new(name, path.clone(), text));
            }
            Err(e) => diags.push(
                Diagnostic::error(
                    Code::E0001,
                    format!("cannot read `{name}`: {}", io_reason(&e)),
                )
                .help("project files must be readable UTF-8 text"),
            ),
        }
    }
    (sources, diags)
}

/// Parses every file in parallel; results keep the source order.
pub fn parse_all(sources: &SourceMap) -> (Vec<Document>, Diagnostics) {
    let parsed: Vec<_> = sources
        .iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(id, file)| syntax::parse(id, &file.text))
        .collect();
    let mut diags = Diagnostics::default();
    let mut docs = Vec::with_capacity(parsed.len());
    for (doc, d) in parsed {
        docs.push(doc);
        diags.extend(d);
    }
    (docs, diags)
}

/// Runs the front end (parse → model → validate) over the files already in `sources`.
pub fn check_sources(root: &Path, sources: &SourceMap) -> (Option<Project>, Diagnostics) {
    check_sources_with(root, sources, &ArtifactDirs::default())
}

/// [`check_sources`], reading local copies of remote artifacts from `dirs`.
pub fn check_sources_with(
    root: &Path,
    sources: &SourceMap,
    dirs: &ArtifactDirs,
) -> (Option<Project>, Diagnostics) {
    let (docs, mut diags) = parse_all(sources);
    if diags.has_errors() {
        return (None, diags);
    }
    let root_id = sources
        .iter()
        .find(|(_, f)| f.name == ROOT_FILE)
        .map_or(FileId(0), |(id, _)| id);
    let (mut project, lowered) = model::lower(&docs, root_id);
    diags.extend(lowered);
    if diags.has_errors() {
        return (None, diags);
    }
    if let Some(project) = project.as_mut() {
        diags.extend(model::read_artifacts(project, root, dirs));
    }
    if let Some(project) = &project {
        diags.extend(validate::validate(project, root));
    }
    (project, diags)
}

/// The result of building a project.
#[derive(Debug)]
pub struct Built {
    /// The check of the sources (diagnostics of every stage end up here).
    pub checked: Checked,
    /// Every emitted object, in output order (empty on errors); its bytes are in `tree`
    /// when there is one.
    pub rendered: Vec<crate::render::Rendered>,
    /// The whole output tree (`None` on errors, and from [`build_objects`]).
    pub tree: Option<crate::render::tree::Tree>,
}

/// Checks, emits and renders the project around `path`, with the image inputs given by
/// flags (nothing is written).
pub fn build(path: &Path, inputs: &crate::image::ImageInputs) -> Built {
    build_with(path, inputs, &ArtifactDirs::default())
}

/// [`build`], reading local copies of remote artifacts from `dirs`.
pub fn build_with(path: &Path, inputs: &crate::image::ImageInputs, dirs: &ArtifactDirs) -> Built {
    let mut checked = check_front_with(path, dirs);
    emit_checked(&mut checked, inputs, true);
    into_built(checked, inputs)
}

/// Checks and emits the project around `path` and writes every object to bytes, without
/// making the tree (`tree` is `None`): what `mlc build --stdout` prints, from `rendered`.
pub fn build_objects(
    path: &Path,
    inputs: &crate::image::ImageInputs,
    dirs: &ArtifactDirs,
) -> Built {
    let mut checked = check_front_with(path, dirs);
    emit_checked(&mut checked, inputs, true);
    Built {
        rendered: std::mem::take(&mut checked.rendered),
        checked,
        tree: None,
    }
}

/// The tree of a checked project whose objects were written.
fn into_built(mut checked: Checked, inputs: &crate::image::ImageInputs) -> Built {
    let mut rendered = std::mem::take(&mut checked.rendered);
    let tree = checked.project.as_ref().map(|project| {
        let files = crate::image::spec_files(project, inputs);
        crate::render::tree::build(project, &mut rendered, &checked.sources, files)
    });
    Built {
        rendered: if tree.is_some() { rendered } else { Vec::new() },
        checked,
        tree,
    }
}

/// Emits the checked project, checks every object against its schema and the admission
/// rules and (when `write`) writes it to bytes, streamed per model (`back.rs`), adding the
/// diagnostics; on errors the project and objects are dropped.
fn emit_checked(checked: &mut Checked, inputs: &crate::image::ImageInputs, write: bool) {
    let Some(project) = checked.project.as_ref() else {
        return;
    };
    let options = crate::emit::EmitOptions {
        mlc_serve_image: crate::image::image_ref(project, inputs),
    };
    let back = back::run(project, &options, write);
    checked.diagnostics.extend(back.diagnostics);
    checked
        .diagnostics
        .extend(crate::image::revision_warning(project, inputs));
    checked.diagnostics.sort();
    if checked.diagnostics.has_errors() {
        checked.project = None;
    } else {
        checked.rendered = back.rendered;
    }
}

/// Validates every emitted object against its embedded schema (in parallel; each kind's
/// validator is compiled on first use): `E0401` for each failure.
pub fn validate_objects(objects: &[crate::emit::Object]) -> Diagnostics {
    let schemas = crate::schema::embedded();
    let failures: Vec<Diagnostic> = objects
        .par_iter()
        .filter_map(|o| back::schema_failure(o, schemas))
        .collect();
    let mut diags = Diagnostics::default();
    diags.extend(failures);
    diags
}

/// The in-memory project of [`check_bytes`]: the bytes up to a NUL are `mlc.kdl`, the rest
/// (if any) `models/m.kdl`.
fn sources_of_bytes(data: &[u8]) -> SourceMap {
    let mut sources = SourceMap::default();
    let mut parts = data.splitn(2, |b| *b == 0);
    for name in [ROOT_FILE, "models/m.kdl"] {
        if let Some(part) = parts.next() {
            let text = String::from_utf8_lossy(part).into_owned();
            sources.add(SourceFile::new(name.to_owned(), PathBuf::from(name), text));
        }
    }
    sources
}

/// Checks an in-memory project made from raw bytes, as the fuzzer and its corpus replay do:
/// the bytes up to a NUL are `mlc.kdl`, the rest (if any) `models/m.kdl`. Never panics.
pub fn check_bytes(data: &[u8]) -> Diagnostics {
    let sources = sources_of_bytes(data);
    let (_, mut diags) = check_sources(Path::new("/nonexistent-mlc-fuzz-root"), &sources);
    diags.sort();
    // Rendering is part of the front end a user sees: it must not panic either.
    let _ = crate::diagnostics::render_human(&diags, &sources, false, 80);
    let _ = crate::diagnostics::render_json(&diags, &sources);
    diags
}

/// Builds, in memory, the project [`check_bytes`] reads from `data`, as `mlc build` would
/// (check, emit, schemas, admission rules, then the rendered tree), for the whole-pipeline
/// fuzzer and its corpus replay. Never panics.
pub fn build_bytes(data: &[u8]) -> Built {
    let sources = sources_of_bytes(data);
    let root = PathBuf::from("/nonexistent-mlc-fuzz-root");
    let (project, mut diagnostics) = check_sources(&root, &sources);
    diagnostics.sort();
    let project = if diagnostics.has_errors() {
        None
    } else {
        project
    };
    let mut checked = Checked {
        root,
        sources,
        diagnostics,
        project,
        rendered: Vec::new(),
    };
    let inputs = crate::image::ImageInputs::default();
    emit_checked(&mut checked, &inputs, true);
    let built = into_built(checked, &inputs);
    let _ = crate::diagnostics::render_human(
        &built.checked.diagnostics,
        &built.checked.sources,
        false,
        80,
    );
    built
}

/// Finds the project around `path` and checks it as `mlc check` does: parse, resolve,
/// validate, then emit and validate every object against its schema in memory, so that
/// whatever `mlc build` refuses is refused here too. Nothing is written.
pub fn check(path: &Path) -> Checked {
    check_with(path, &crate::image::ImageInputs::default())
}

/// [`check`] with the image inputs given by flags.
pub fn check_with(path: &Path, inputs: &crate::image::ImageInputs) -> Checked {
    check_with_artifacts(path, inputs, &ArtifactDirs::default())
}

/// [`check_with`], reading local copies of remote artifacts from `dirs` (`--artifacts`).
pub fn check_with_artifacts(
    path: &Path,
    inputs: &crate::image::ImageInputs,
    dirs: &ArtifactDirs,
) -> Checked {
    let mut checked = check_front_with(path, dirs);
    emit_checked(&mut checked, inputs, false);
    checked
}

/// Finds the project around `path`, reads it and runs the front end (parse → model →
/// validate) only.
pub fn check_front(path: &Path) -> Checked {
    check_front_with(path, &ArtifactDirs::default())
}

/// [`check_front`], reading local copies of remote artifacts from `dirs`.
pub fn check_front_with(path: &Path, dirs: &ArtifactDirs) -> Checked {
    let root = match find_root(path) {
        Ok(root) => root,
        Err(d) => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.push(d);
            return Checked {
                root: path.to_path_buf(),
                sources: SourceMap::default(),
                diagnostics,
                project: None,
                rendered: Vec::new(),
            };
        }
    };
    let (sources, mut diagnostics) = load(&root);
    let (project, diags) = if diagnostics.has_errors() {
        (None, Diagnostics::default())
    } else {
        check_sources_with(&root, &sources, dirs)
    };
    diagnostics.extend(diags);
    diagnostics.sort();
    let project = if diagnostics.has_errors() {
        None
    } else {
        project
    };
    Checked {
        root,
        sources,
        diagnostics,
        project,
        rendered: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_e0001() {
        let checked = check(Path::new("/nonexistent/mlc-test-path"));
        let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0001"]);
    }

    #[test]
    fn directory_without_root_is_e0002() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.kdl"), "model a {}\n").unwrap();
        let checked = check(dir.path());
        let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0002"]);
    }

    #[test]
    fn unreadable_file_is_e0001() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mlc.kdl"), "project p\n").unwrap();
        std::fs::write(dir.path().join("bad.kdl"), [0xff, 0xfe, 0x00]).unwrap();
        let checked = check(dir.path());
        let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0001"]);
    }

    #[test]
    fn subdirectory_walks_up_to_root_and_skips_hidden_and_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mlc.kdl"), "project p\n").unwrap();
        for sub in ["models", ".hidden", "manifests"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("x.kdl"), "garbage {{{\n").unwrap();
        }
        std::fs::write(dir.path().join("models").join("x.kdl"), "cluster c\n").unwrap();
        let checked = check(&dir.path().join("models"));
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        let names: Vec<_> = checked
            .sources
            .iter()
            .map(|(_, f)| f.name.clone())
            .collect();
        assert_eq!(names, ["mlc.kdl", "models/x.kdl"]);
    }
}
