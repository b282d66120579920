//! `mlc-serve`: the inference runtime.

fn main() {}
