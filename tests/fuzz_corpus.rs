//! Replays the saved fuzz corpus (`fuzz/corpus/front_end`) through the front end, so CI
//! exercises every input the fuzzer kept without building with libFuzzer.

mod support;

#[test]
fn fuzz_corpus_replays_without_panic() {
    let dir = support::repo()
        .join("fuzz")
        .join("corpus")
        .join("front_end");
    let files = support::read_tree(&dir);
    assert!(
        !files.is_empty(),
        "the corpus at {} is empty",
        dir.display()
    );
    for (name, bytes) in &files {
        let result = std::panic::catch_unwind(|| mlc::driver::check_bytes(bytes));
        assert!(result.is_ok(), "front end panicked on corpus file {name}");
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
