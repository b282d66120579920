//! Golden tests: every case under `golden/` is a small project on disk.
//!
//! - `golden/errors/<CODE>-<slug>/input/`: the check must fail; `diagnostics.txt` holds the
//!   rendered diagnostics and must mention `<CODE>`.
//! - `golden/check/<slug>/input/`: the check must succeed; `diagnostics.txt` holds the
//!   rendered warnings (empty when clean).
//!
//! Each case runs at 1 and 4 threads and the results must be byte-identical.
//! `MLC_BLESS=1 cargo test --test golden` rewrites the expected files.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use mlc::diagnostics::render_human;

fn render(input: &Path) -> (String, bool) {
    let checked = mlc::driver::check(input);
    let text = render_human(&checked.diagnostics, &checked.sources, false, 100);
    (text, checked.diagnostics.has_errors())
}

fn run_case(case: &Path, must_fail: bool) -> Result<(), Failed> {
    let input = case.join("input");
    let (one, failed) = support::with_threads(1, || render(&input));
    let (four, _) = support::with_threads(4, || render(&input));
    if one != four {
        return Err(format!("output differs between 1 and 4 threads:\n{one}\n---\n{four}").into());
    }
    if failed != must_fail {
        return Err(format!(
            "expected the check to {}, got:\n{one}",
            if must_fail { "fail" } else { "pass" }
        )
        .into());
    }
    if must_fail {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let code = name.split('-').next().unwrap_or_default();
        if !one.contains(&format!("[{code}]")) {
            return Err(format!("case {name} does not raise {code}:\n{one}").into());
        }
    }
    let expected_path = case.join("diagnostics.txt");
    if support::bless() {
        std::fs::write(&expected_path, &one)?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (run with MLC_BLESS=1 to create it)",
            expected_path.display()
        )
    })?;
    if expected != one {
        return Err(format!(
            "diagnostics differ from {}:\n--- expected\n{expected}\n--- actual\n{one}",
            expected_path.display()
        )
        .into());
    }
    Ok(())
}

fn cases(kind: &str) -> Vec<std::path::PathBuf> {
    let dir = support::repo().join("golden").join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("input").is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (kind, must_fail) in [("errors", true), ("check", false)] {
        for case in cases(kind) {
            let name = format!(
                "{kind}::{}",
                case.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            trials.push(Trial::test(name, move || run_case(&case, must_fail)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
