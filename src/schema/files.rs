//! `mlc validate`'s engine: discover manifest files, parse and validate them in parallel, and
//! report each error as a diagnostic at the file:line:column of the offending field.
//!
//! Each file is first parsed without locations (`yaml_serde`, fast) and judged; only a file
//! with a problem, or one the fast parse declines, is parsed again with locations
//! (serde-saphyr), which then decides every verdict and message of that file.
//!
//! A `kustomization.yaml` is checked as kustomize reads it ([`super::kustomize`]); the files
//! mlc writes beside its manifests that are not manifests (`mlc.lock`, `images/**` next to
//! it) are skipped by name and counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::catalog::embedded;
use super::crd::CrdSchemas;
use super::error::{SchemaError, ValidateError};
use super::kustomize;
use super::locate::locate;
use super::yaml::{ByteSpan, Document, parse, parse_values};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, SourceMap, Span};

/// The largest manifest file read (a stream of thousands of objects fits many times over).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// What to validate and how.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Files, or directories walked for `*.yaml`, `*.yml` and `*.json`.
    pub paths: Vec<PathBuf>,
    /// CustomResourceDefinition files or directories whose schemas replace the embedded ones.
    pub crds: Vec<PathBuf>,
    /// Close CRD object schemas that neither close themselves nor preserve unknown fields.
    pub strict: bool,
    /// Skip documents whose apiVersion and kind have no schema instead of failing them.
    pub skip_unknown: bool,
}

/// The outcome of a validation run.
#[derive(Debug, Default)]
pub struct ValidateReport {
    /// Every problem, sorted by file and position.
    pub diagnostics: Diagnostics,
    /// The files diagnostics point into.
    pub sources: SourceMap,
    /// Manifest files read.
    pub files: usize,
    /// Objects checked (a `List` counts its items).
    pub objects: usize,
    /// Objects that failed their schema, or had no schema.
    pub invalid: usize,
    /// Objects skipped for want of a schema (`--skip-unknown`).
    pub skipped: usize,
    /// Files that could not be read or parsed.
    pub unparsed: usize,
    /// Files skipped because mlc writes them and they are not manifests (`mlc.lock`,
    /// `images/**` beside it), by display name.
    pub not_manifests: Vec<String>,
    /// mlc could not run as asked: a path or CRD file cannot be used.
    pub setup_failed: bool,
}

/// One problem found in a file, before the file has an id.
struct Found {
    code: &'static str,
    message: String,
    span: Option<ByteSpan>,
    label: String,
    help: Option<String>,
    notes: Vec<String>,
}

#[derive(Default)]
struct FileOutcome {
    name: String,
    path: PathBuf,
    text: String,
    found: Vec<Found>,
    objects: usize,
    invalid: usize,
    skipped: usize,
    unparsed: usize,
    /// Read as a kustomization (by its file name).
    kustomization: bool,
    /// The index of the document being checked (among the non-empty ones).
    doc: usize,
    /// The objects that passed their schema, for the admission rules: (document index,
    /// pointer prefix of a `List` item, object).
    admitted: Vec<(usize, String, Value)>,
}

fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}

fn is_manifest(path: &Path) -> bool {
    kustomize::is_kustomization_file(path)
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// Whether mlc wrote `path` beside its manifests and it is not a manifest: the tree's
/// `mlc.lock`, or a file under `images/` in a directory that holds an `mlc.lock`.
fn written_by_mlc_not_manifest(path: &Path) -> bool {
    if path.file_name().is_some_and(|n| n == "mlc.lock") {
        return true;
    }
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "images")
            && dir
                .parent()
                .is_some_and(|root| root.join("mlc.lock").is_file())
    })
}

/// Every manifest file under `paths`, sorted, each once; unreadable paths as diagnostics.
/// The files mlc writes that are not manifests go to `skipped` instead.
fn discover(
    paths: &[PathBuf],
    diagnostics: &mut Diagnostics,
    skipped: &mut Vec<String>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            if written_by_mlc_not_manifest(path) {
                skipped.push(display_name(path));
            } else {
                files.push(path.clone());
            }
        } else if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() && written_by_mlc_not_manifest(e.path()) => {
                        if is_manifest(e.path()) {
                            skipped.push(display_name(e.path()));
                        }
                    }
                    Ok(e) if e.file_type().is_file() && is_manifest(e.path()) => {
                        files.push(e.into_path());
                    }
                    Ok(_) => {}
                    Err(e) => diagnostics.push(Diagnostic::error(
                        "E0001",
                        format!("cannot read `{}`: {e}", display_name(path)),
                    )),
                }
            }
        } else {
            diagnostics.push(
                Diagnostic::error(
                    "E0001",
                    format!(
                        "cannot read `{}`: no such file or directory",
                        display_name(path)
                    ),
                )
                .help("pass existing manifest files or directories"),
            );
        }
    }
    files.sort();
    files.dedup();
    skipped.sort();
    skipped.dedup();
    files
}

fn load_crds(options: &ValidateOptions, report: &mut ValidateReport) -> CrdSchemas {
    let mut crds = CrdSchemas::default();
    let mut setup = Diagnostics::default();
    let files = discover(&options.crds, &mut setup, &mut Vec::new());
    for path in files {
        let name = display_name(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                setup.push(Diagnostic::error(
                    "E0001",
                    format!("cannot read `{name}`: {e}"),
                ));
                continue;
            }
        };
        let mut problems: Vec<(String, Option<ByteSpan>)> = Vec::new();
        match parse(&text) {
            Err(e) => problems.push((format!("not valid YAML: {}", e.message), e.span)),
            Ok(docs) => {
                for doc in docs {
                    if let Err(message) = crds.add(&doc.value, options.strict) {
                        problems.push((message, Some(doc.node.span)));
                    }
                }
            }
        }
        if problems.is_empty() {
            continue;
        }
        let id = report
            .sources
            .add(SourceFile::new(name.clone(), path.clone(), text));
        for (message, span) in problems {
            let mut d = Diagnostic::error(
                "E0405",
                format!("`{name}` is not a usable CustomResourceDefinition: {message}"),
            )
            .help("pass the CRD manifests exactly as installed (`kubectl get crd NAME -o yaml`)");
            if let Some(span) = span {
                d = d.label(Span::new(id, span.start, span.start + span.len), "here");
            }
            setup.push(d);
        }
    }
    if setup.has_errors() {
        report.setup_failed = true;
    }
    report.diagnostics.extend(setup);
    crds
}

fn object_label(object: &Value) -> String {
    let get = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    let (api, kind) = (get("/apiVersion"), get("/kind"));
    let (ns, name) = (get("/metadata/namespace"), get("/metadata/name"));
    let name = if name.is_empty() { "?" } else { name };
    if ns.is_empty() {
        format!("`{api}` `{kind}` `{name}`")
    } else {
        format!("`{api}` `{kind}` `{ns}/{name}`")
    }
}

fn schema_found(error: &SchemaError, doc: &Document, item: &str, label: &str) -> Found {
    let unknown = error.message.starts_with("unknown field");
    let pointer = format!("{item}{}", error.pointer);
    let span = locate(&doc.node, &pointer, unknown);
    let at = if error.pointer.is_empty() {
        "/"
    } else {
        error.pointer.as_str()
    };
    Found {
        code: "E0402",
        message: format!("{}: {}", at, error.message),
        span: Some(span),
        label: error.message.clone(),
        help: unknown.then(|| {
            "remove the field or correct its spelling: the API server rejects or silently drops unknown fields".to_owned()
        }),
        notes: vec![format!("in {label}")],
    }
}

/// An object's verdict: a CRD given with `--crd` first, then the embedded schemas.
fn judge(object: &Value, crds: &CrdSchemas) -> Result<(), ValidateError> {
    match crds.validate(object) {
        Some(errors) if errors.is_empty() => Ok(()),
        Some(errors) => Err(ValidateError::Invalid(errors)),
        None => embedded().validate(object),
    }
}

fn check_object(
    object: &Value,
    doc: &Document,
    item: &str,
    crds: &CrdSchemas,
    options: &ValidateOptions,
    out: &mut FileOutcome,
) {
    out.objects += 1;
    let label = object_label(object);
    let result = if out.kustomization {
        kustomize::validate(object)
    } else {
        judge(object, crds)
    };
    match result {
        Ok(()) => {
            if !out.kustomization {
                out.admitted
                    .push((out.doc, item.to_owned(), object.clone()));
            }
        }
        Err(ValidateError::UnknownKind { api_version, kind }) => {
            if options.skip_unknown {
                out.skipped += 1;
                return;
            }
            out.invalid += 1;
            let span = locate(&doc.node, &format!("{item}/kind"), false);
            out.found.push(Found {
                code: "E0404",
                message: if api_version.is_empty() || kind.is_empty() {
                    "object without `apiVersion` and `kind`".to_owned()
                } else {
                    format!("no schema for apiVersion `{api_version}` kind `{kind}`")
                },
                span: Some(span),
                label: "unknown kind".to_owned(),
                help: Some(
                    "pass its CustomResourceDefinition with `--crd`, or skip such objects with `--skip-unknown`"
                        .to_owned(),
                ),
                notes: Vec::new(),
            });
        }
        Err(ValidateError::Invalid(errors)) => {
            out.invalid += 1;
            out.found
                .extend(errors.iter().map(|e| schema_found(e, doc, item, &label)));
        }
    }
}

fn check_file(path: &Path, crds: &CrdSchemas, options: &ValidateOptions) -> FileOutcome {
    let mut out = FileOutcome {
        name: display_name(path),
        path: path.to_path_buf(),
        kustomization: kustomize::is_kustomization_file(path),
        ..FileOutcome::default()
    };
    let text = match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(format!(
            "the file has {} bytes, more than the {} MiB mlc reads (the API server keeps at most about 1.5 MiB per object)",
            meta.len(),
            MAX_FILE_BYTES >> 20
        )),
        _ => match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                format!(
                    "the file is not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            }),
            Err(e) => Err(e.to_string()),
        },
    };
    let text = match text {
        Ok(text) => text,
        Err(message) => {
            out.found.push(Found {
                code: "E0403",
                message: format!("cannot read `{}`: {message}", out.name),
                span: None,
                label: String::new(),
                help: None,
                notes: Vec::new(),
            });
            out.unparsed += 1;
            return out;
        }
    };
    // The fast path: parse without locations and only give verdicts. A file with any invalid
    // object, or that the fast parser cannot read, is checked again with locations below.
    let kustomization = out.kustomization;
    if let Some(docs) = parse_values(&text)
        && let Some(verdicts) = fast_verdicts(&docs, kustomization, crds, options)
    {
        out.objects = verdicts.objects;
        out.skipped = verdicts.skipped;
        if !kustomization {
            out.admitted = admitted(docs);
        }
        return out;
    }
    check_located(&text, crds, options, &mut out);
    out.text = text;
    out
}

/// Counts of a file whose every object passed.
struct Verdicts {
    objects: usize,
    skipped: usize,
}

/// Whether one object passes, as [`check_object`] would judge it: `Some(skipped)` when it
/// does, `None` when it needs a located report.
fn passes(
    object: &Value,
    kustomization: bool,
    crds: &CrdSchemas,
    options: &ValidateOptions,
) -> Option<bool> {
    if !object.is_object() {
        return None;
    }
    if kustomization {
        return kustomize::validate(object).is_ok().then_some(false);
    }
    match crds.validate(object) {
        Some(errors) => errors.is_empty().then_some(false),
        None => match embedded().validate(object) {
            Ok(()) => Some(false),
            Err(ValidateError::UnknownKind { .. }) if options.skip_unknown => Some(true),
            Err(_) => None,
        },
    }
}

/// The counts of a file whose documents all pass, or `None` as soon as one does not.
fn fast_verdicts(
    docs: &[Value],
    kustomization: bool,
    crds: &CrdSchemas,
    options: &ValidateOptions,
) -> Option<Verdicts> {
    let mut verdicts = Verdicts {
        objects: 0,
        skipped: 0,
    };
    let mut judge = |object: &Value| {
        verdicts.objects += 1;
        verdicts.skipped += usize::from(passes(object, kustomization, crds, options)?);
        Some(())
    };
    for doc in docs {
        if is_list(doc) && !kustomization {
            for item in doc
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                judge(item)?;
            }
        } else {
            judge(doc)?;
        }
    }
    Some(verdicts)
}

/// Every object of `docs` (a `List`'s items one by one), for the admission rules.
fn admitted(docs: Vec<Value>) -> Vec<(usize, String, Value)> {
    let mut out = Vec::new();
    for (i, mut doc) in docs.into_iter().enumerate() {
        if is_list(&doc) {
            let items = match doc.get_mut("items") {
                Some(Value::Array(items)) => std::mem::take(items),
                _ => Vec::new(),
            };
            for (j, item) in items.into_iter().enumerate() {
                out.push((i, format!("/items/{j}"), item));
            }
        } else {
            out.push((i, String::new(), doc));
        }
    }
    out
}

fn is_list(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("List")
        && doc.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Parses `text` with locations and reports every problem at its file:line:column.
fn check_located(text: &str, crds: &CrdSchemas, options: &ValidateOptions, out: &mut FileOutcome) {
    match parse(text) {
        Err(e) => {
            out.unparsed += 1;
            out.found.push(Found {
                code: "E0403",
                message: format!("`{}` is not valid YAML or JSON", out.name),
                span: e.span,
                label: e.message,
                help: Some("fix the syntax; nothing in this file was validated".to_owned()),
                notes: Vec::new(),
            });
        }
        Ok(docs) => {
            for (i, doc) in docs.iter().enumerate() {
                out.doc = i;
                if is_list(&doc.value) && !out.kustomization {
                    let items = doc.value.get("items").and_then(Value::as_array);
                    for (i, item) in items.into_iter().flatten().enumerate() {
                        check_object(item, doc, &format!("/items/{i}"), crds, options, out);
                    }
                } else if doc.value.is_object() {
                    check_object(&doc.value, doc, "", crds, options, out);
                } else {
                    out.objects += 1;
                    out.invalid += 1;
                    out.found.push(Found {
                        code: "E0402",
                        message: "a manifest document must be a mapping".to_owned(),
                        span: Some(doc.node.span),
                        label: "not a mapping".to_owned(),
                        help: None,
                        notes: Vec::new(),
                    });
                }
            }
        }
    }
}

/// Runs the admission rules over every object that passed its schema, in every file (some
/// rules pair objects of different files), and adds each violation to its file's findings,
/// located in a file parsed again with locations when the fast parse read it.
fn admit(outcomes: &mut [FileOutcome]) {
    let mut owners = Vec::new();
    let mut values = Vec::new();
    for (f, outcome) in outcomes.iter().enumerate() {
        for (a, (_, _, value)) in outcome.admitted.iter().enumerate() {
            owners.push((f, a));
            values.push(value);
        }
    }
    let violations = crate::admission::check(&values);
    let mut located: BTreeMap<usize, Vec<Document>> = BTreeMap::new();
    let mut invalid: BTreeSet<usize> = BTreeSet::new();
    for v in violations {
        let Some(&(f, a)) = owners.get(v.object) else {
            continue;
        };
        let Some(outcome) = outcomes.get_mut(f) else {
            continue;
        };
        if outcome.text.is_empty() {
            outcome.text = std::fs::read_to_string(&outcome.path).unwrap_or_default();
        }
        let docs = located
            .entry(f)
            .or_insert_with(|| parse(&outcome.text).unwrap_or_default());
        let Some((doc, item, object)) = outcome.admitted.get(a) else {
            continue;
        };
        // A collection is pointed at by its key, a scalar by its value.
        let span = docs.get(*doc).map(|d| {
            let pointer = format!("{item}{}", v.pointer);
            let value = locate(&d.node, &pointer, false);
            if value.len == 0 {
                locate(&d.node, &pointer, true)
            } else {
                value
            }
        });
        if invalid.insert(v.object) {
            outcome.invalid += 1;
        }
        let at = if v.pointer.is_empty() {
            "/"
        } else {
            v.pointer.as_str()
        };
        outcome.found.push(Found {
            code: v.code,
            message: format!("{at}: {}", v.message),
            span,
            label: "rejected here".to_owned(),
            help: Some(v.help),
            notes: vec![
                format!("in {}", object_label(object)),
                format!("rule: {}", v.source),
            ],
        });
    }
}

/// Validates every manifest under `options.paths`, in parallel; the report is the same
/// whatever the thread count.
pub fn validate_paths(options: &ValidateOptions) -> ValidateReport {
    let mut report = ValidateReport::default();
    let crds = load_crds(options, &mut report);
    let mut setup = Diagnostics::default();
    let files = discover(&options.paths, &mut setup, &mut report.not_manifests);
    if setup.has_errors() {
        report.setup_failed = true;
    }
    report.diagnostics.extend(setup);
    report.files = files.len();
    let mut outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|path| check_file(path, &crds, options))
        .collect();
    admit(&mut outcomes);
    for outcome in outcomes {
        report.objects += outcome.objects;
        report.invalid += outcome.invalid;
        report.skipped += outcome.skipped;
        report.unparsed += outcome.unparsed;
        if outcome.found.is_empty() {
            continue;
        }
        let id = report
            .sources
            .add(SourceFile::new(outcome.name, outcome.path, outcome.text));
        for found in outcome.found {
            let mut d = Diagnostic::error(found.code, found.message);
            if let Some(span) = found.span {
                d = d.label(
                    Span::new(id, span.start, span.start + span.len),
                    found.label,
                );
            }
            d = d.maybe_help(found.help);
            for note in found.notes {
                d = d.note(note);
            }
            report.diagnostics.push(d);
        }
    }
    report.diagnostics.sort();
    report
}
