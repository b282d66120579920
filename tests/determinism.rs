//! Output depends on the input only: not on thread count, file discovery order or repeats.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;
use std::process::Command;

use mlc::source::{SourceFile, SourceMap};

fn stream(dir: &Path, threads: Option<&str>) -> Vec<u8> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlc"));
    cmd.args(["build", "--stdout", "--env", "prod"])
        .current_dir(dir);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let out = cmd.output().expect("run mlc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn rayon_thread_count_does_not_change_the_output() {
    let dir = support::repo().join("golden/build/environments/input");
    let one = stream(&dir, Some("1"));
    assert!(!one.is_empty());
    assert_eq!(one, stream(&dir, Some("4")));
    assert_eq!(one, stream(&dir, None));
    assert_eq!(one, stream(&dir, None), "a repeated run differs");
}

fn objects(root: &Path, sources: &SourceMap) -> Vec<(String, String)> {
    let (project, diags) = mlc::driver::check_sources(root, sources);
    assert!(!diags.has_errors(), "{diags:?}");
    let (objects, _) = mlc::emit::emit(
        &project.unwrap(),
        &mlc::emit::EmitOptions {
            mlc_serve_image: "img".into(),
        },
    );
    objects
        .iter()
        .map(|o| (o.path(), mlc::render::yaml::to_yaml(&o.value)))
        .collect()
}

#[test]
fn file_discovery_order_does_not_change_the_output() {
    let root = support::repo().join("golden/build/matrix-mig-mixed/input");
    let extra = support::repo().join("golden/build/environments/input");
    for dir in [root, extra] {
        let (sources, _) = mlc::driver::load(&dir);
        let files: Vec<SourceFile> = sources.iter().map(|(_, f)| f.clone()).collect();
        let mut reversed = SourceMap::default();
        for f in files.iter().rev() {
            reversed.add(f.clone());
        }
        assert_eq!(
            objects(&dir, &sources),
            objects(&dir, &reversed),
            "{}",
            dir.display()
        );
    }
}
