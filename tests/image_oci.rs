//! End to end: `mlc image build` assembles an OCI image layout of the release `mlc-serve` with
//! the ONNX Runtime library and the host's libraries; building twice gives the same digest;
//! `skopeo` accepts the layout; `umoci` unpacks it; the unpacked runtime, started under
//! `chroot` as the image's numeric user on 127.0.0.1, answers 200 on `/v2/health/ready` and
//! serves an inference.
//!
//! Needs root, `skopeo`, `umoci`, `chroot`, the ONNX Runtime library (`ORT_DYLIB_PATH`, set by
//! `.ci/setup`) and the test models; without them it skips (counted by `.ci/run`),
//! except under `CI=true`, where it fails.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::manual_assert,
    clippy::cast_precision_loss,
    reason = "tests fail loudly and print their figures"
)]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Skips, counted, or fails under `CI=true`.
fn unavailable(what: &str) {
    support::skip(what);
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

fn chroot() -> Option<PathBuf> {
    ["/usr/sbin/chroot", "/usr/bin/chroot", "/sbin/chroot"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Builds the release `mlc-serve` in this test's target directory (a no-op when up to date).
fn release_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    // <target>/debug/deps/image_oci-…
    let target = exe
        .ancestors()
        .nth(3)
        .expect("target directory")
        .to_path_buf();
    let started = Instant::now();
    let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args(["build", "--release", "--quiet", "--package", "mlc-serve"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(support::repo())
        .status()
        .expect("run cargo");
    assert!(
        status.success(),
        "cargo build --release -p mlc-serve failed"
    );
    eprintln!(
        "release mlc-serve ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    target.join("release").join("mlc-serve")
}

/// Runs `mlc image build`, returns the manifest digest it prints.
fn image_build(out: &Path, binary: &Path, ort: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["image", "build", "--out"])
        .arg(out)
        .arg("--binary")
        .arg(binary)
        .arg("--ort-lib")
        .arg(ort)
        .arg("--copy-host-libs")
        .arg("--config")
        .arg(support::repo().join("examples").join("cpu-sklearn"))
        .output()
        .expect("run mlc");
    assert!(
        output.status.success(),
        "mlc image build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn run_ok(command: &mut Command) -> String {
    let output = command.output().expect("run tool");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// One HTTP/1.1 request; the status code, or `None` when the server is not there yet.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response))
}

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn unpacked_image_serves_under_chroot() {
    let Some(model) = support::find_model("iris_logreg.onnx") else {
        return unavailable("iris_logreg.onnx is in none of the test model directories");
    };
    if !is_root() {
        return unavailable("not running as root (umoci unpack and chroot need it)");
    }
    if !runs("skopeo", "--version") || !runs("umoci", "--version") {
        return unavailable("skopeo or umoci is not installed (.ci/setup.d/40-image-tools.sh)");
    }
    let Some(chroot) = chroot() else {
        return unavailable("chroot is not installed");
    };
    let Some(ort) = support::ort_library() else {
        return unavailable("no ONNX Runtime library (ORT_DYLIB_PATH, .ci/setup)");
    };
    let binary = release_binary();

    let work = tempfile::tempdir().expect("tempdir");
    let layout = work.path().join("oci");
    let started = Instant::now();
    let digest = image_build(&layout, &binary, &ort);
    let first = started.elapsed();
    let again = image_build(&work.path().join("oci-again"), &binary, &ort);
    assert_eq!(
        digest, again,
        "building twice gives the same manifest digest"
    );
    assert_eq!(
        std::fs::read(layout.join("index.json")).unwrap(),
        std::fs::read(work.path().join("oci-again").join("index.json")).unwrap()
    );
    let blobs: u64 = std::fs::read_dir(layout.join("blobs").join("sha256"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    eprintln!(
        "image {digest}: {:.1} MiB of blobs, built in {:.1} s (debug mlc)",
        blobs as f64 / 1_048_576.0,
        first.as_secs_f64()
    );

    let tag = env!("CARGO_PKG_VERSION");
    let inspect = run_ok(
        Command::new("skopeo")
            .arg("inspect")
            .arg(format!("oci:{}:{tag}", layout.display())),
    );
    let inspect: serde_json::Value = serde_json::from_str(&inspect).expect("skopeo JSON");
    assert_eq!(inspect["Digest"], digest.as_str());
    assert_eq!(inspect["Architecture"], "amd64");
    assert_eq!(inspect["Os"], "linux");
    assert_eq!(inspect["Labels"]["org.opencontainers.image.version"], tag);
    assert_eq!(inspect["Labels"]["mlc.onnxruntime.version"], "1.32.0");

    let bundle = work.path().join("bundle");
    run_ok(
        Command::new("umoci")
            .args(["unpack", "--image"])
            .arg(format!("{}:{tag}", layout.display()))
            .arg(&bundle),
    );
    let rootfs = bundle.join("rootfs");
    let runtime: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    let process = &runtime["process"];
    assert_eq!(process["user"]["uid"], 65532);
    assert_eq!(process["user"]["gid"], 65532);
    let args: Vec<String> = process["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        args,
        ["mlc-serve", "--config", "/etc/mlc-serve/config.yaml"]
    );
    std::fs::create_dir_all(rootfs.join("models")).unwrap();
    std::fs::copy(&model, rootfs.join("models").join("iris.onnx")).unwrap();

    let port = free_port();
    let mut command = Command::new(chroot);
    command
        .arg("--userspec=65532:65532")
        .arg(&rootfs)
        .args(&args)
        .args(["--model", "/models/iris.onnx", "--host", "127.0.0.1"])
        .arg("--port")
        .arg(port.to_string())
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for pair in process["env"].as_array().unwrap() {
        let (key, value) = pair.as_str().unwrap().split_once('=').unwrap();
        command.env(key, value);
    }
    let mut server = Server(command.spawn().expect("start mlc-serve under chroot"));

    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some((status, _)) = http(port, "GET", "/v2/health/ready", "") {
            break status;
        }
        if let Ok(Some(exit)) = server.0.try_wait() {
            let mut err = String::new();
            let _ = server
                .0
                .stderr
                .take()
                .map(|mut e| e.read_to_string(&mut err));
            panic!("mlc-serve exited with {exit} under chroot:\n{err}");
        }
        assert!(
            Instant::now() < deadline,
            "mlc-serve did not answer in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(ready, 200);
    let body =
        r#"{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#;
    let (status, response) = http(port, "POST", "/v2/models/iris/infer", body).expect("infer");
    assert_eq!(status, 200, "{response}");
    assert!(response.contains("\"model_name\":\"iris\""), "{response}");
    drop(server);
}
