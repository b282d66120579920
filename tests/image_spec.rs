//! The image spec `mlc build` writes under `manifests/images/mlc-serve/`: golden text for every
//! example project (`golden/image/<example>/`, rewritten with `MLC_BLESS=1`), the same bytes
//! at 1 and 4 threads, and the image reference the manifests use.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;

use mlc::image::{ImageInputs, SPEC_DIR, image_ref, spec_files};
use mlc::model::Project;

fn project(dir: &Path) -> Project {
    let checked = mlc::driver::check(dir);
    assert!(
        !checked.diagnostics.has_errors(),
        "{} does not check: {:?}",
        dir.display(),
        checked.diagnostics
    );
    checked.project.expect("a project")
}

fn examples() -> Vec<(String, std::path::PathBuf)> {
    let mut dirs: Vec<_> = std::fs::read_dir(support::repo().join("examples"))
        .expect("examples/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("mlc.kdl").is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    dirs.sort();
    dirs
}

/// The spec files of `dir`, named as in `golden/image/<example>/`.
fn spec_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let files = spec_files(&project(dir), &ImageInputs::default());
    files
        .into_iter()
        .map(|(path, bytes)| {
            let name = path
                .strip_prefix(&format!("{SPEC_DIR}/"))
                .expect("spec files live in the spec directory")
                .to_owned();
            (name, bytes)
        })
        .collect()
}

#[test]
fn spec_files_match_golden_text_for_every_example() {
    let golden = support::repo().join("golden").join("image");
    let mut failures = Vec::new();
    let examples = examples();
    assert!(!examples.is_empty(), "no example projects found");
    for (name, dir) in &examples {
        let actual = spec_of(dir);
        let case = golden.join(name);
        if support::bless() {
            let _ = std::fs::remove_dir_all(&case);
            std::fs::create_dir_all(&case).expect("create golden dir");
            for (file, bytes) in &actual {
                std::fs::write(case.join(file), bytes).expect("write golden file");
            }
            continue;
        }
        let expected = support::read_tree(&case);
        if expected
            .iter()
            .map(|(p, _)| p)
            .ne(actual.iter().map(|(p, _)| p))
        {
            failures.push(format!(
                "{name}: files differ: expected {:?}, got {:?}",
                expected.iter().map(|(p, _)| p).collect::<Vec<_>>(),
                actual.iter().map(|(p, _)| p).collect::<Vec<_>>()
            ));
            continue;
        }
        for ((file, want), (_, got)) in expected.iter().zip(&actual) {
            if want != got {
                let diff = similar::TextDiff::from_lines(
                    &*String::from_utf8_lossy(want),
                    &*String::from_utf8_lossy(got),
                )
                .unified_diff()
                .header("expected", "actual")
                .to_string();
                failures.push(format!("{name}/{file}:\n{diff}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(rewrite with MLC_BLESS=1 cargo test --test image_spec)",
        failures.join("\n")
    );
}

#[test]
fn spec_files_are_the_same_at_1_and_4_threads() {
    for (name, dir) in examples() {
        let one = support::with_threads(1, || spec_of(&dir));
        let four = support::with_threads(4, || spec_of(&dir));
        assert_eq!(one, four, "{name}");
        assert_eq!(one, spec_of(&dir), "{name}: a second run differs");
    }
}

#[test]
fn spec_files_are_sorted_and_in_the_spec_directory() {
    for (name, dir) in examples() {
        let files = spec_files(&project(&dir), &ImageInputs::default());
        let paths: Vec<_> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "images/mlc-serve/Containerfile",
                "images/mlc-serve/Containerfile.dockerignore",
                "images/mlc-serve/image-config.json"
            ],
            "{name}"
        );
    }
}

#[test]
fn image_config_is_what_the_containerfile_sets() {
    for (name, dir) in examples() {
        let files = spec_of(&dir);
        let containerfile = String::from_utf8(files[0].1.clone()).expect("utf-8");
        let config: serde_json::Value = serde_json::from_slice(&files[2].1).expect("json");
        for env in config["Env"].as_array().expect("Env") {
            let (key, value) = env.as_str().expect("string").split_once('=').expect("k=v");
            assert!(
                containerfile.contains(&format!("ENV {key}=\"{value}\"\n")),
                "{name}: {key}"
            );
        }
        for (key, value) in config["Labels"].as_object().expect("Labels") {
            assert!(
                containerfile.contains(&format!("{key}=\"{}\"", value.as_str().expect("string"))),
                "{name}: label {key}"
            );
        }
        assert!(containerfile.contains(&format!(
            "\nUSER {}\n",
            config["User"].as_str().expect("User")
        )));
        let entrypoint = serde_json::to_string(&config["Entrypoint"])
            .expect("json")
            .replace(',', ", ");
        assert!(
            containerfile.contains(&format!("\nENTRYPOINT {entrypoint}\n")),
            "{name}"
        );
    }
}

#[test]
fn image_reference_uses_the_project_registry_and_the_pinned_digest() {
    let dir = support::repo().join("examples").join("bert-kafka-mig");
    let p = project(&dir);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        image_ref(&p, &ImageInputs::default()),
        format!("ghcr.io/acme/mlc-serve:{version}")
    );
    let digest = format!("sha256:{}", "ab".repeat(32));
    let pinned = ImageInputs {
        digest: Some(digest.clone()),
        revision: Some("0123abc".to_owned()),
    };
    assert_eq!(
        image_ref(&p, &pinned),
        format!("ghcr.io/acme/mlc-serve:{version}@{digest}")
    );
    let files = spec_files(&p, &pinned);
    let config = String::from_utf8(files[2].1.clone()).expect("utf-8");
    assert!(config.contains("\"org.opencontainers.image.revision\": \"0123abc\""));
    let containerfile = String::from_utf8(files[0].1.clone()).expect("utf-8");
    assert!(containerfile.contains(" 'https://github.com/mlc-project/mlc' '0123abc' "));
}

/// The build stage's guard: the `RUN test -n "$MLC_REVISION" || …` instruction, as a shell
/// command.
fn revision_guard(containerfile: &str) -> String {
    let start = containerfile
        .find("RUN test -n \"$MLC_REVISION\"")
        .expect("a revision guard");
    let rest = &containerfile[start + "RUN ".len()..];
    let end = rest.find("\nRUN ").expect("the next instruction");
    rest[..end].replace("\\\n", "")
}

#[test]
fn without_a_revision_the_spec_invents_none_and_stops_the_build_clearly_w0402() {
    let dir = support::repo().join("examples").join("bert-kafka-mig");
    let p = project(&dir);
    let files = spec_files(&p, &ImageInputs::default());
    let containerfile = String::from_utf8(files[0].1.clone()).expect("utf-8");
    let config = String::from_utf8(files[2].1.clone()).expect("utf-8");
    assert!(
        !config.contains("org.opencontainers.image.revision"),
        "{config}"
    );
    assert!(
        containerfile.contains("\nARG MLC_REVISION\n"),
        "{containerfile}"
    );
    assert!(
        !containerfile.contains("v0.1.0"),
        "no invented default revision"
    );
    // The guard, run by a real shell as the build would: stops without the build argument,
    // with a message that says what to pass; passes with it.
    let guard = revision_guard(&containerfile);
    let run = |revision: Option<&str>| {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c").arg(&guard).env_remove("MLC_REVISION");
        if let Some(r) = revision {
            cmd.env("MLC_REVISION", r);
        }
        cmd.output().expect("sh")
    };
    let out = run(None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--build-arg MLC_REVISION="), "{err}");
    assert!(run(Some("0123abc")).status.success());

    let built = mlc::driver::build(&dir, &ImageInputs::default());
    let codes: Vec<&str> = built.checked.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"W0402"), "{codes:?}");
    let pinned = ImageInputs {
        digest: None,
        revision: Some("0123abc".to_owned()),
    };
    let built = mlc::driver::build(&dir, &pinned);
    assert!(
        built.checked.diagnostics.iter().all(|d| d.code != "W0402"),
        "--revision silences W0402"
    );
}

#[test]
fn a_project_without_mlc_serve_gets_no_w0402() {
    let dir = support::repo().join("examples").join("cpu-sklearn");
    let built = mlc::driver::build(&dir, &ImageInputs::default());
    assert!(built.checked.diagnostics.iter().all(|d| d.code != "W0402"));
}
