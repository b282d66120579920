//! Golden build tests: `golden/build/<case>/input/` is a project; `expected/` is the exact
//! tree `mlc build` writes (missing, extra or changed files fail) and `diagnostics.txt` the
//! rendered warnings. Every case is built at 1 and 4 threads and must be byte-identical.
//! Every expected YAML document is also validated with the upstream schemas in strict mode
//! (`tests/fixtures/upstream/check.py --strict`).
//! `MLC_BLESS=1 cargo test --test golden_build` rewrites `expected/` and `diagnostics.txt`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod support;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use mlc::diagnostics::render_human;
use mlc::image::ImageInputs;
use mlc::render::{tree::Tree, write};

fn build(input: &Path) -> (Option<Tree>, String) {
    let built = mlc::driver::build(input, &ImageInputs::default());
    let text = render_human(
        &built.checked.diagnostics,
        &built.checked.sources,
        false,
        100,
    );
    (built.tree, text)
}

fn run_case(case: &Path) -> Result<(), Failed> {
    let input = case.join("input");
    let (one, diags) = support::with_threads(1, || build(&input));
    let (four, diags4) = support::with_threads(4, || build(&input));
    if one != four || diags != diags4 {
        return Err("output differs between 1 and 4 threads".into());
    }
    let Some(tree) = one else {
        return Err(format!("the build failed:\n{diags}").into());
    };
    let expected_dir = case.join("expected");
    if support::bless() {
        if expected_dir.exists() {
            std::fs::remove_dir_all(&expected_dir)?;
        }
        write::write_tree(&expected_dir, &tree)?;
        std::fs::write(case.join("diagnostics.txt"), &diags)?;
        return Ok(());
    }
    let on_disk = write::read_tree(&expected_dir)?;
    let diffs = write::diff(&on_disk, &tree, "expected");
    if !diffs.is_empty() {
        return Err(format!(
            "the tree differs from {} (bless with MLC_BLESS=1):\n{}",
            expected_dir.display(),
            diffs.concat()
        )
        .into());
    }
    let expected_diags = std::fs::read_to_string(case.join("diagnostics.txt")).unwrap_or_default();
    if expected_diags != diags {
        return Err(format!(
            "diagnostics differ:\n--- expected\n{expected_diags}\n--- actual\n{diags}"
        )
        .into());
    }
    Ok(())
}

fn check_upstream(cases: &[PathBuf]) -> Result<(), Failed> {
    let check = support::upstream_dir().join("check.py");
    let mut files = Vec::new();
    for case in cases {
        for (path, _) in support::read_tree(&case.join("expected")) {
            if path.ends_with(".yaml") && !path.ends_with("kustomization.yaml") {
                files.push(case.join("expected").join(path));
            }
        }
    }
    if files.is_empty() {
        return Err("no golden YAML to validate".into());
    }
    let out = std::process::Command::new("python3")
        .arg(&check)
        .arg("--strict")
        .arg("--quiet")
        .args(&files)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "upstream schema validation failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

/// `kubectl kustomize` accepts every environment and cluster directory of every golden tree.
fn check_kustomize(cases: &[PathBuf]) -> Result<(), Failed> {
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        support::skip("kubectl is not on PATH: the `kubectl kustomize` check of every golden tree");
        return Ok(());
    }
    let mut dirs = 0;
    for case in cases {
        for (path, _) in support::read_tree(&case.join("expected")) {
            let Some(dir) = path.strip_suffix("/kustomization.yaml") else {
                continue;
            };
            let full = case.join("expected").join(dir);
            let out = std::process::Command::new("kubectl")
                .arg("kustomize")
                .arg(&full)
                .output()?;
            if !out.status.success() {
                return Err(format!(
                    "kubectl kustomize {} failed:\n{}",
                    full.display(),
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            dirs += 1;
        }
    }
    if dirs == 0 {
        return Err("no kustomization to check".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = support::repo().join("golden").join("build");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("input").is_dir())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    let mut trials: Vec<Trial> = cases
        .iter()
        .map(|case| {
            let name = format!(
                "build::{}",
                case.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            let case = case.clone();
            Trial::test(name, move || run_case(&case))
        })
        .collect();
    let kustomize_cases = cases.clone();
    trials.push(Trial::test(
        "kubectl_kustomize_accepts_every_directory",
        move || check_kustomize(&kustomize_cases),
    ));
    trials.push(Trial::test(
        "upstream_schemas_accept_every_golden_object_strictly",
        move || check_upstream(&cases),
    ));
    libtest_mimic::run(&args, trials).exit();
}
