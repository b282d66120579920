//! Fuzzes the whole front end (parse → model → validate) on one `mlc.kdl`, or on two files
//! when the input holds a NUL byte (the second becomes `models/m.kdl`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mlc::driver::check_bytes(data);
});
