//! The bodies of mlc's fuzz targets, one function per target, shared by the libFuzzer
//! binaries (`fuzz_targets/`) and the corpus replay of `cargo test` (`tests/fuzz_corpus.rs`).
//! Each takes the fuzzer's bytes and panics only on a bug.

pub mod json;
pub mod project;

use arbitrary::{Arbitrary, Unstructured};
use mlc::source::FileId;
use mlc::syntax::{Node, parse, parse_fast, parse_with_kdl};

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: its name (the corpus directory under `fuzz/corpus/`) and its body.
pub const TARGETS: [(&str, Body); 8] = [
    ("front_end", front_end),
    ("syntax", syntax),
    ("model", model),
    ("validate", validate),
    ("render", render),
    ("yaml_reader", yaml_reader),
    ("pipeline", pipeline),
    ("structured", structured),
];

fn strip(nodes: &mut [Node]) {
    for n in nodes {
        n.span = n.name_span;
        if let Some(c) = n.children.as_mut() {
            strip(c);
        }
    }
}

/// Wherever the fast KDL parser accepts a file, the `kdl` crate accepts it with the same AST.
pub fn syntax(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for part in text.split('\0') {
        if let Some(mut fast) = parse_fast(FileId(0), part) {
            let (doc, diags) = parse_with_kdl(FileId(0), part);
            if !diags.is_empty() && (kdl_rs_107(part) || long_digit_run(part)) {
                continue;
            }
            assert!(
                diags.is_empty(),
                "fast parser accepted invalid KDL: {part:?}"
            );
            let mut reference = doc.nodes;
            strip(&mut fast);
            strip(&mut reference);
            assert!(fast == reference, "fast and kdl ASTs differ on {part:?}");
        }
    }
}

/// Whether the `kdl` crate's refusal of `part` is its open bug kdl-org/kdl-rs#107: a
/// slashdashed node ended by `;` (`/-a; b`) is refused although the KDL v2 grammar allows it
/// (`node := base-node node-terminator`, the slashdash being part of `base-node`). The crate
/// accepts the same text with each `;` terminator read as a newline, the other terminator.
fn kdl_rs_107(part: &str) -> bool {
    part.contains("/-")
        && part.contains(';')
        && parse_with_kdl(FileId(0), &terminators_as_newlines(part))
            .1
            .is_empty()
}

/// Whether `part` holds a run of 19 or more digits (`_` separators allowed): a number beyond what the `kdl` crate
/// represents (it parses integer and fraction digits into fixed-size integers and refuses
/// the rest), which the KDL grammar does not bound and the fast parser reads as a float.
fn long_digit_run(part: &str) -> bool {
    part.as_bytes()
        .split(|b| !(b.is_ascii_digit() || *b == b'_'))
        .any(|run| run.iter().filter(|b| b.is_ascii_digit()).count() >= 19)
}

/// `text` with every `;` outside strings and comments replaced by a newline.
fn terminators_as_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => out.push('\n'),
            '"' => {
                out.push(c);
                while let Some(s) = chars.next() {
                    out.push(s);
                    match s {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '#' if chars.peek().is_some_and(|n| *n == '"' || *n == '#') => {
                let mut hashes = 1;
                out.push(c);
                while chars.peek() == Some(&'#') {
                    hashes += 1;
                    out.extend(chars.next());
                }
                out.extend(chars.next_if_eq(&'"'));
                let mut run: Option<usize> = None;
                for s in chars.by_ref() {
                    out.push(s);
                    run = match (s, run) {
                        ('"', _) => Some(0),
                        ('#', Some(n)) => Some(n + 1),
                        _ => None,
                    };
                    if run == Some(hashes) {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                out.push(c);
                for s in chars.by_ref() {
                    out.push(s);
                    // KDL's newlines: CR, LF, NEL, FF, LS, PS (and VT).
                    if matches!(
                        s,
                        '\r' | '\n' | '\u{85}' | '\u{b}' | '\u{c}' | '\u{2028}' | '\u{2029}'
                    ) {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                out.push(c);
                out.extend(chars.next());
                let mut depth = 1;
                let mut prev = ' ';
                for s in chars.by_ref() {
                    out.push(s);
                    match (prev, s) {
                        ('/', '*') => (depth, prev) = (depth + 1, ' '),
                        ('*', '/') => (depth, prev) = (depth - 1, ' '),
                        _ => prev = s,
                    }
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The original target: the whole front end, then the parser differential.
pub fn front_end(data: &[u8]) {
    mlc::driver::check_bytes(data);
    syntax(data);
}

/// Model lowering of every file that parses.
pub fn model(data: &[u8]) {
    if !parses(data) {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let mut docs = Vec::new();
    for (i, part) in text.splitn(2, '\0').enumerate() {
        let (doc, diags) = parse(FileId(u32::try_from(i).unwrap_or(0)), part);
        if diags.has_errors() {
            return;
        }
        docs.push(doc);
    }
    let _ = mlc::model::lower(&docs, FileId(0));
}

/// Whether every file of `data` (split at the first NUL, as `driver::check_bytes` does) is
/// accepted by the fast KDL parser. The stage targets after parsing skip other inputs: the
/// recovering parser that reports syntax errors is the `syntax` and `front_end` targets'
/// ground, and spending each execution there would keep them from the later stages.
fn parses(data: &[u8]) -> bool {
    data.splitn(2, |b| *b == 0)
        .all(|part| parse_fast(FileId(0), &String::from_utf8_lossy(part)).is_some())
}

/// The front end (parse, model, validate) and the diagnostics printers, on input that parses.
pub fn validate(data: &[u8]) {
    if parses(data) {
        mlc::driver::check_bytes(data);
    }
}

/// The YAML writer: the fast writer gives the reference writer's bytes for any JSON value, and
/// what it writes reads back as the same value.
pub fn render(data: &[u8]) {
    let Ok(value) = json::Json::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let value = value.into_value();
    if depth(&value) > READER_DEPTH {
        // Deeper than the reader's nesting budget: refused by design, not a writer bug.
        return;
    }
    let yaml = mlc::canonical::yaml::to_yaml(&value);
    let reference = mlc::canonical::yaml::reference(&value);
    assert!(
        yaml == reference,
        "the fast writer differs from the reference:\n{value}\n--- fast\n{yaml}--- reference\n{reference}"
    );
    let back: serde_json::Value = match serde_saphyr::from_str(&yaml) {
        Ok(v) => v,
        Err(e) => panic!("written YAML does not parse ({e}):\n{yaml}"),
    };
    assert!(
        back == value,
        "YAML does not read back:\n{value}\n{yaml}\n{back}"
    );
}

/// The nesting serde-saphyr reads by default (its `Depth` budget).
const READER_DEPTH: usize = 60;

fn depth(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// `mlc validate` on one manifest file held in memory; the first byte picks the file name.
pub fn yaml_reader(data: &[u8]) {
    let (name, rest) = match data.split_first() {
        Some((b, rest)) if b % 4 == 0 => ("kustomization.yaml", rest),
        Some((_, rest)) => ("m.yaml", rest),
        None => ("m.yaml", data),
    };
    let report = mlc::schema::validate_text(name, String::from_utf8_lossy(rest).into_owned());
    let _ = mlc::diagnostics::render_human(&report.diagnostics, &report.sources, false, 80);
}

/// The whole pipeline in memory, as `mlc build` runs it, on raw bytes that parse.
pub fn pipeline(data: &[u8]) {
    if parses(data) {
        let _ = mlc::driver::build_bytes(data);
    }
}

/// A generated project (valid KDL by construction), then mutated: through the whole
/// pipeline. Unmutated, it must be valid KDL (no `E0101`/`E0108`), and no emitted object may fail its schema unless a
/// `patch` made it so.
pub fn structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(project) = project::Project::arbitrary(&mut u) else {
        return;
    };
    let mutations: Vec<project::Mutation> = Vec::arbitrary(&mut u).unwrap_or_default();
    let text = project.render();
    let bytes = project::mutate(&text, &mutations);
    let built = mlc::driver::build_bytes(&bytes);
    if mutations.is_empty() {
        for d in built.checked.diagnostics.iter() {
            let code = d.code;
            assert!(
                code != "E0101" && code != "E0108",
                "generated KDL fails to parse ({code}: {}):\n{text}",
                d.message
            );
            assert!(
                !(code == "E0401" && d.help.as_deref().is_some_and(|h| h.contains("mlc bug"))),
                "an emitted object fails its schema ({}):\n{text}",
                d.message
            );
        }
    }
}
