//! `mlc_fuzz::yaml_reader`: see its documentation in `fuzz/src/lib.rs` and `docs/fuzzing.md`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mlc_fuzz::yaml_reader(data));
