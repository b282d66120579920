//! The fast YAML writer against the reference writer (serde-saphyr): every YAML file the
//! repository holds (goldens and example trees), read back as data and written by both,
//! must give the same bytes; and so must generated documents full of awkward strings.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;

use mlc::canonical::yaml::{reference, to_yaml};
use serde_json::{Map, Value, json};

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().is_file()
            && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
        {
            out.push(path.to_path_buf());
        }
    }
}

#[test]
fn every_repository_yaml_file_writes_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["golden", "examples"] {
        yaml_files(&root.join(dir), &mut files);
    }
    let mut documents = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(values) = serde_saphyr::from_multiple::<Value>(&text) else {
            continue;
        };
        for value in values {
            assert_eq!(
                to_yaml(&value),
                reference(&value),
                "{} differs",
                path.display()
            );
            documents += 1;
        }
    }
    assert!(documents > 1000, "only {documents} documents found");
}

/// A small deterministic generator (xorshift), so the test needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

const PIECES: [&str; 55] = [
    "a", "Z", "0", "7", "8080", "1.5", "e", "E", "x", "0x", "0o", "0b", "-", ".", "_", "/", ":",
    ": ", "#", " #", " ", "=", "~", "yes", "No", "ON", "null", "true", ".inf", "nan", "'", "\"",
    "\\", "é", "\t", "*", "&", "!", "%", "---", "(", ")", "{", "}", "[", "]", ",", "?", "|", ">",
    "@", "`", "\n", "\n\n", "line\n",
];

fn string(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(5) {
        s.push_str(PIECES[rng.below(PIECES.len())]);
    }
    s
}

fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(i64::try_from(rng.next() % 100_000).unwrap() - 500),
        3 => json!(f64::from(u32::try_from(rng.next() % 1000).unwrap()) / 8.0),
        4 => Value::String(string(rng)),
        5 | 6 => {
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                m.insert(string(rng), value(rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
    }
}

#[test]
fn generated_documents_write_the_same() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..50_000 {
        let mut m = Map::new();
        for _ in 0..=rng.below(4) {
            m.insert(string(&mut rng), value(&mut rng, 0));
        }
        let doc = Value::Object(m);
        assert_eq!(to_yaml(&doc), reference(&doc), "{doc}");
    }
}
