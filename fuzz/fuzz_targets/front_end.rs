//! Fuzzes the whole front end (parse → model → validate → render) on one `mlc.kdl`, or on
//! two files when the input holds a NUL byte (the second becomes `models/m.kdl`), and checks
//! that wherever the fast KDL parser accepts a file it agrees with the `kdl` crate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlc::source::FileId;
use mlc::syntax::{Node, parse_fast, parse_with_kdl};

fn strip(nodes: &mut [Node]) {
    for n in nodes {
        n.span = n.name_span;
        if let Some(c) = n.children.as_mut() {
            strip(c);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    mlc::driver::check_bytes(data);
    let text = String::from_utf8_lossy(data);
    for part in text.split('\0') {
        if let Some(mut fast) = parse_fast(FileId(0), part) {
            let (doc, diags) = parse_with_kdl(FileId(0), part);
            assert!(diags.is_empty(), "fast parser accepted invalid KDL: {part:?}");
            let mut reference = doc.nodes;
            strip(&mut fast);
            strip(&mut reference);
            assert!(fast == reference, "fast and kdl ASTs differ on {part:?}");
        }
    }
});
