//! Replays every fuzz target's saved corpus (`fuzz/corpus/<target>/`) through that target's
//! body, so CI exercises every input the fuzzer kept without building with libFuzzer. The
//! bodies are the fuzz crate's own (`fuzz/src/`), compiled into this test.

#![allow(clippy::expect_used, reason = "tests fail loudly")]

mod support;

#[allow(
    unreachable_pub,
    dead_code,
    clippy::pedantic,
    reason = "the fuzz crate's library, included as it is"
)]
#[path = "../fuzz/src/lib.rs"]
mod targets;

#[test]
fn every_target_has_a_corpus_that_replays_without_panic() {
    replay(&targets::TARGETS);
}

fn replay(targets: &[(&str, targets::Body)]) {
    for &(target, body) in targets {
        let dir = support::repo().join("fuzz").join("corpus").join(target);
        let files = support::read_tree(&dir);
        assert!(
            !files.is_empty(),
            "the corpus at {} is empty",
            dir.display()
        );
        for (name, bytes) in &files {
            // The fuzzer runs optimized on the main thread's 8 MiB stack; an unoptimized
            // build needs more for the deepest values the generators make.
            let bytes = bytes.clone();
            let result = std::thread::Builder::new()
                .stack_size(1 << 30)
                .spawn(move || body(&bytes))
                .expect("spawn")
                .join();
            assert!(result.is_ok(), "fuzz target {target} panicked on {name}");
        }
    }
}

#[test]
fn truncated_inputs_never_panic() {
    // Every prefix of every example: the shapes a user produces while typing.
    let examples = support::read_tree(&support::repo().join("examples"));
    for (name, bytes) in examples.iter().filter(|(n, _)| n.ends_with(".kdl")) {
        for end in (0..=bytes.len()).step_by(7) {
            let result = std::panic::catch_unwind(|| mlc::driver::check_bytes(&bytes[..end]));
            assert!(
                result.is_ok(),
                "front end panicked on {name} truncated at {end}"
            );
        }
    }
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    for depth in [8, 16, 17, 100, 5000] {
        let text = format!("{}{}", "a {".repeat(depth), "}".repeat(depth));
        // The default 2 MiB test-thread stack, in a debug build: the worst case.
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || mlc::driver::check_bytes(text.as_bytes()))
            .unwrap();
        let diags = handle.join().expect("no stack overflow");
        let deep = diags.iter().any(|d| d.message.contains("nested more than"));
        assert_eq!(deep, depth > 16, "depth {depth}");
    }
}
