//! Differential test: wherever the fast KDL parser accepts a file, it must produce exactly
//! the AST the `kdl` crate produces (names, values and every span but the node's own).

mod support;

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

/// Compares both parsers on `text`; returns whether the fast path took it.
pub fn compare(name: &str, text: &str) -> bool {
    let Some(mut fast) = parse_fast(FileId(0), text) else {
        return false;
    };
    let (doc, diags) = parse_with_kdl(FileId(0), text);
    assert!(
        diags.is_empty(),
        "{name}: fast parser accepted text that kdl rejects: {diags:?}"
    );
    let mut reference = doc.nodes;
    strip(&mut fast);
    strip(&mut reference);
    assert_eq!(fast, reference, "{name}: fast and kdl ASTs differ");
    true
}

#[test]
fn fast_parser_agrees_with_kdl_on_every_project_file() {
    let mut files = Vec::new();
    for dir in ["examples", "golden", "fuzz/corpus/front_end"] {
        files.extend(support::read_tree(&support::repo().join(dir)));
    }
    let mut taken = 0;
    let mut total = 0;
    for (name, bytes) in &files {
        if !(name.ends_with(".kdl") || name.contains("corpus")) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for part in text.split('\0') {
            total += 1;
            if compare(name, part) {
                taken += 1;
            }
        }
    }
    assert!(
        taken * 2 > total,
        "the fast path took only {taken} of {total} files"
    );
}

#[test]
fn fast_parser_agrees_on_tricky_inputs() {
    let cases = [
        "a\n",
        "a;b;c\n",
        "node 1 2.5 -3 +4 1_000 1e3 1.5E-2 #true #false #null\n",
        "node key=value \"quoted key\"=\"v\" k = 1\n",
        "node \"esc \\n \\t \\\\ \\\" \\u{1F600}\"\n",
        "node #\"raw \"json\" {}\"#\n",
        "node /-skipped kept /-k=v\n",
        "/-node gone\nkept\n",
        "parent {\n    child 1\n    /-child 2\n    child { grandchild; }\n}\n",
        "node /* block /* nested */ */ arg // trailing\n",
        "node{ child }\n",
        "vers/-ion \"3.0.0\"\n",
        "// comment\u{b}node 1\n",
        "node \"a\u{1}b\"\n",
        ";;\n",
        "node \"a b=c\"=1 \"x=\" = \"y\"\n",
        "node /-{ a } b\n",
        "node /-\n  b\n",
        "a;;b\n",
        "a; b;\n",
        "node \"a\u{202e}b\"\n",
        "a // c\u{2028}b\n",
        "node /-{ a } { b }\n",
        "a.b-c_d arg-with-dash x=y.z\n",
        "\"quoted node\" 1\n",
        "node -\n",
        "node ﻿x\n",
        "node \"a\" {\n}\n  \n",
    ];
    for case in cases {
        compare(case, case);
    }
    let rejected = [
        "node 8Gi\n",
        "node a=8Gi\n",
        "node .5\n",
        "node 1.\n",
        "(t)node\n",
        "node (t)1\n",
        "node true\n",
        "node {\n",
        "node }\n",
        "node \"a\nb\"\n",
        "node 0x1F\n",
    ];
    for case in rejected {
        compare(case, case);
    }
}
