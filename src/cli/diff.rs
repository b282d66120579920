//! `mlc diff`: what a change does to the manifests and to GPU capacity, for review.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stderr, stdout};
use crate::driver;
use crate::report::diff::{Side, diff, json, markdown, text};

/// Compare two versions of a project: objects added, removed and changed (with the changed
/// fields, old → new) per environment and cluster, and the capacity change per pool at min
/// and max replicas (with the cost where pools set `price-per-hour`). Exits 0 whatever the
/// diff: it reports; `mlc build --check` gates.
///
/// Example: `mlc diff --git origin/main` (the working tree against a revision),
/// `mlc diff old/ new/ --markdown` (two directories).
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The base: a project directory, or with `--git` a revision.
    pub base: String,
    /// The head: a project directory, or with `--git` a revision (default: the working tree).
    pub head: Option<String>,
    /// Read BASE and HEAD as git revisions of the repository holding `--project`.
    #[arg(long)]
    pub git: bool,
    /// With `--git`: the project directory in the working tree (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    /// Print Markdown, ready to post as a pull-request comment.
    #[arg(long)]
    pub markdown: bool,
}

/// Runs `mlc diff`.
pub(crate) fn run(args: &DiffArgs, global: &GlobalArgs) -> ExitStatus {
    let sides = if args.git {
        git_sides(args, global)
    } else {
        let head = args.head.as_deref().unwrap_or(".");
        load_both(Path::new(&args.base), Path::new(head), global)
    };
    let (base, head) = match sides {
        Ok(sides) => sides,
        Err(e) => {
            stderr(&format!("error: {e}\n"));
            return ExitStatus::Failure;
        }
    };
    let d = diff(&base, &head);
    if args.markdown {
        stdout(&markdown(&d));
    } else {
        match global.format {
            OutputFormat::Json | OutputFormat::Sarif => stdout(&json(&d)),
            OutputFormat::Human => stdout(&text(&d)),
        }
    }
    ExitStatus::Success
}

/// Checks both projects at once (each check is parallel inside, but not all of it); the
/// objects are compared as emitted, without rendering them to YAML.
fn load_both(base: &Path, head: &Path, global: &GlobalArgs) -> Result<(Side, Side), String> {
    let inputs = crate::image::ImageInputs::default();
    let (b, h) = rayon::join(
        || driver::check_with(base, &inputs),
        || driver::check_with(head, &inputs),
    );
    let base = side("BASE", &b, global)?;
    let head = side("HEAD", &h, global)?;
    Ok((base, head))
}

/// Checks the project at `dir` (see [`side`]).
fn load(which: &str, dir: &Path, global: &GlobalArgs) -> Result<Side, String> {
    side(
        which,
        &driver::check_with(dir, &crate::image::ImageInputs::default()),
        global,
    )
}

/// The side of a checked project; when it did not compile, shows why and falls back to its
/// committed `manifests/` tree (for BASE only).
fn side(which: &str, checked: &driver::Checked, global: &GlobalArgs) -> Result<Side, String> {
    if let Some(project) = &checked.project {
        return Ok(Side::from_project(project));
    }
    let quiet = GlobalArgs {
        format: OutputFormat::Human,
        color: global.color,
        quiet: global.quiet,
    };
    stderr(&format!("mlc diff: {which} does not compile:\n"));
    print_diagnostics(&checked.diagnostics, &checked.sources, &quiet);
    let manifests = checked.root.join(driver::OUTPUT_DIR);
    if which != "BASE" || !manifests.is_dir() {
        return Err(format!(
            "{which} does not compile, so there is nothing to compare"
        ));
    }
    stderr("mlc diff: comparing with BASE's committed manifests/ instead\n");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&manifests).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&manifests) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if let Ok(bytes) = std::fs::read(entry.path()) {
            files.push((rel, bytes));
        }
    }
    let mut side = Side::from_files(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    side.from_manifests = true;
    Ok(side)
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// A directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes revision `rev` of the repository at `top` into a fresh directory.
fn checkout(top: &Path, rev: &str, n: usize) -> Result<Scratch, String> {
    let tar = git(top, &["archive", "--format=tar", rev])?;
    let dir = std::env::temp_dir().join(format!("mlc-diff-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let scratch = Scratch(dir);
    tar::Archive::new(tar.as_slice())
        .unpack(&scratch.0)
        .map_err(|e| format!("cannot unpack revision {rev}: {e}"))?;
    Ok(scratch)
}

fn git_sides(args: &DiffArgs, global: &GlobalArgs) -> Result<(Side, Side), String> {
    let top = String::from_utf8_lossy(&git(&args.project, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_owned();
    let prefix = String::from_utf8_lossy(&git(&args.project, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_owned();
    let top = PathBuf::from(top);
    let base_tree = checkout(&top, &args.base, 0)?;
    let base = load("BASE", &base_tree.0.join(&prefix), global)?;
    let head = match &args.head {
        Some(rev) => {
            let head_tree = checkout(&top, rev, 1)?;
            load("HEAD", &head_tree.0.join(&prefix), global)?
        }
        None => load("HEAD", &args.project, global)?,
    };
    Ok((base, head))
}
