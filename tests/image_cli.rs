//! `mlc image build` on the command line: exit 0 with the digest on stdout, 1 with `E0406`
//! for an input that cannot be used (nothing written), 2 when the layout cannot be written;
//! the help carries an example. Small synthetic inputs: no ONNX Runtime, no tools needed.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// A 64-byte ELF header of an x86-64 shared object: enough for `mlc image build`.
fn elf() -> Vec<u8> {
    let mut h = vec![0_u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2;
    h[5] = 1;
    h[6] = 1;
    h[16] = 3;
    h[18..20].copy_from_slice(&62_u16.to_le_bytes());
    h
}

fn mlc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlc")
}

fn inputs(dir: &Path) {
    std::fs::write(dir.join("mlc-serve"), elf()).unwrap();
    std::fs::write(dir.join("libonnxruntime.so.1.32.0"), elf()).unwrap();
}

const BUILD: &[&str] = &[
    "image",
    "build",
    "--binary",
    "mlc-serve",
    "--ort-lib",
    "libonnxruntime.so.1.32.0",
    "--out",
];

#[test]
fn prints_the_same_digest_for_the_same_inputs() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let first = mlc(dir.path(), &[BUILD, &["oci", "--tag", "t1"]].concat());
    assert!(first.status.success(), "{first:?}");
    let digest = String::from_utf8(first.stdout).unwrap();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 72,
        "{digest:?}"
    );
    // Rebuilding over an existing layout replaces it.
    let second = mlc(
        dir.path(),
        &[BUILD, &["oci", "--tag", "t1", "--quiet"]].concat(),
    );
    assert!(second.status.success());
    assert_eq!(String::from_utf8(second.stdout).unwrap(), digest);
    assert!(second.stderr.is_empty(), "--quiet prints nothing on stderr");
    let index = std::fs::read_to_string(dir.path().join("oci/index.json")).unwrap();
    assert!(
        index.contains(r#""org.opencontainers.image.ref.name":"t1""#),
        "{index}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("oci/oci-layout")).unwrap(),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );
}

#[test]
fn a_project_path_gives_the_config_mlc_build_writes() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let example = support::repo().join("examples").join("bert-kafka-mig");
    let golden = support::repo().join("golden/image/bert-kafka-mig/image-config.json");
    let from_project = mlc(
        dir.path(),
        &[BUILD, &["a", "--config", example.to_str().unwrap()]].concat(),
    );
    let from_file = mlc(
        dir.path(),
        &[BUILD, &["b", "--config", golden.to_str().unwrap()]].concat(),
    );
    assert!(from_project.status.success(), "{from_project:?}");
    assert_eq!(from_project.stdout, from_file.stdout);
}

#[test]
fn unusable_inputs_exit_1_with_e0406_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    std::fs::write(dir.path().join("notes.txt"), b"x").unwrap();
    std::fs::write(dir.path().join("bad.json"), b"{").unwrap();
    let cases: &[&[&str]] = &[
        &["image", "build", "--out", "oci", "--binary", "missing"],
        &["image", "build", "--out", "oci", "--binary", "notes.txt"],
        &["image", "build", "--out", "oci", "--binary", "mlc-serve"],
        &[BUILD, &["oci", "--config", "bad.json"]].concat(),
        &[BUILD, &["oci", "--config", "missing.json"]].concat(),
        &[BUILD, &["oci", "--tag", "no/slash"]].concat(),
        &[BUILD, &["oci", "--rootfs", "notes.txt"]].concat(),
        &[BUILD, &["notes.txt"]].concat(),
        &[BUILD, &["notes.txt/oci"]].concat(),
    ];
    for args in cases {
        let out = mlc(dir.path(), &[&["--color", "never"], *args].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("error[E0406]"), "{args:?}: {stderr}");
        assert!(stderr.contains("help:"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!dir.path().join("oci").exists(), "{args:?} wrote a layout");
    }
    let json = mlc(
        dir.path(),
        &[
            "--format", "json", "image", "build", "--out", "oci", "--binary", "missing",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "E0406");
}

#[test]
fn a_project_with_errors_exits_1_with_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/mlc.kdl"),
        "project demo { kubernetes \"1.20\" }\n",
    )
    .unwrap();
    let out = mlc(dir.path(), &[BUILD, &["oci", "--config", "p"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0207"));
}

#[test]
fn an_unwritable_layout_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path());
    let out = mlc(dir.path(), &[BUILD, &["/proc/mlc-image-test/oci"]].concat());
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the image layout"));
}

#[test]
fn help_has_an_example() {
    let out = mlc(Path::new("."), &["image", "build", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Example:"), "{help}");
    assert!(help.contains("mlc image build --out"), "{help}");
    assert!(help.contains("--copy-host-libs"), "{help}");
}
