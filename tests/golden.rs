//! Golden tests: every case under `golden/` is a small project on disk.
//!
//! - `golden/errors/<CODE>-<slug>/input/`: the check must fail; `diagnostics.txt` holds the
//!   rendered diagnostics and must mention `<CODE>`.
//! - `golden/check/<slug>/input/`: the check must succeed; `diagnostics.txt` holds the
//!   rendered warnings (empty when clean).
//! - `golden/cli/<CODE>-<slug>/`: a command line for codes no KDL input can raise. `cmd`
//!   holds the arguments of `mlc` (split on whitespace), run with the case directory as the
//!   working directory; `stdout.txt`, `stderr.txt` and `status` hold what it printed and its
//!   exit status, and the output must mention `<CODE>`.
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

/// Runs the `mlc` binary with `args` in `dir` on a pool of `threads` threads.
fn run_cli(dir: &Path, args: &[String], threads: usize) -> (String, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .env_remove("CI")
        .output()
        .expect("run mlc");
    let status = out
        .status
        .code()
        .map_or_else(|| "signal".to_owned(), |c| c.to_string());
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        format!("{status}\n"),
    )
}

fn run_cli_case(case: &Path) -> Result<(), Failed> {
    let cmd = std::fs::read_to_string(case.join("cmd"))?;
    let args: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
    let one = run_cli(case, &args, 1);
    let four = run_cli(case, &args, 4);
    if one != four {
        return Err(
            format!("output differs between 1 and 4 threads:\n{one:?}\n---\n{four:?}").into(),
        );
    }
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let code = name.split('-').next().unwrap_or_default();
    if !one.0.contains(code) && !one.1.contains(code) {
        return Err(format!("case {name} does not raise {code}:\n{}{}", one.0, one.1).into());
    }
    let files = [
        ("stdout.txt", &one.0),
        ("stderr.txt", &one.1),
        ("status", &one.2),
    ];
    if support::bless() {
        for (file, text) in files {
            std::fs::write(case.join(file), text)?;
        }
        return Ok(());
    }
    for (file, actual) in files {
        let path = case.join(file);
        let expected = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: {e} (run with MLC_BLESS=1 to create it)",
                path.display()
            )
        })?;
        if &expected != actual {
            return Err(format!(
                "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display()
            )
            .into());
        }
    }
    Ok(())
}

fn cli_cases() -> Vec<std::path::PathBuf> {
    let dir = support::repo().join("golden").join("cli");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("cmd").is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
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
    for case in cli_cases() {
        let name = format!(
            "cli::{}",
            case.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        trials.push(Trial::test(name, move || run_cli_case(&case)));
    }
    libtest_mimic::run(&args, trials).exit();
}
