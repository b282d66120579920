//! A test that cannot run says so where it will be seen, and is counted.
//!
//! libtest captures only what `print!`/`eprint!` write, so the notice goes to the real standard
//! error through `std::io::stderr()` and survives `cargo test`'s capture. The skip is also
//! appended to `MLC_SKIP_LOG` (set by `.ci/setup`), from which `.ci/run` prints the summary
//! `N tests skipped: …`. Under `CI=true` a skip is a failure: CI must run everything.
//!
//! Shared by the root crate's tests (`tests/support/mod.rs`) and mlc-serve's
//! (`server/tests/common/mod.rs`, through `#[path]`).

use std::io::Write as _;

/// Whether the tests run under CI (`CI=true`), where nothing may be skipped.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Records that the calling test is skipped because of `why` (what is missing and how to get
/// it); panics instead under `CI=true`.
pub(crate) fn skip(why: &str) {
    let thread = std::thread::current();
    let test = format!(
        "{}::{}",
        env!("CARGO_CRATE_NAME"),
        thread.name().unwrap_or("main")
    );
    assert!(
        !in_ci(),
        "{test}: required test fixture missing under CI=true: {why}"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
    if let Some(log) = std::env::var_os("MLC_SKIP_LOG") {
        let line = format!("test\t{test}\t{}\n", why.replace(['\t', '\n'], " "));
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
}
