//! Every command block in `README.md`, `docs/*.md` and `examples/*/README.md` is marked
//! `<!-- run -->` or `<!-- no-run: REASON -->` (`.ci/doc_commands.py check`); the `run` blocks
//! are executed by `.ci/extra.d/docs.sh` after the tests, when cargo's build lock is free.

#![allow(clippy::expect_used, reason = "tests fail loudly")]

mod support;

use std::process::Command;

#[test]
fn every_command_block_in_the_docs_is_marked_run_or_no_run() {
    let importable = Command::new("python3")
        .args(["-c", "import markdown_it"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !importable {
        support::skip("python3 cannot import markdown_it (`source .ci/setup` installs it)");
        return;
    }
    let out = Command::new("python3")
        .arg(support::repo().join(".ci/doc_commands.py"))
        .arg("check")
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
