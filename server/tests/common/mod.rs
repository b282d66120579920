//! Test support: real fixtures (the ONNX Runtime library, the test models), the real
//! `mlc-serve` binary on an ephemeral loopback port, and a tiny HTTP/1.1 client.
//!
//! A missing fixture skips the test with a notice, except under `CI=true`, where it fails.

#![allow(dead_code, reason = "each test binary uses part of the support code")]
#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "test support: a failure panics, FP32 values are rounded on purpose"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "../../../tests/support/models.rs"]
mod models;
#[path = "../../../tests/support/skip.rs"]
mod skip;
#[allow(
    unused_imports,
    reason = "each test binary uses part of the support code"
)]
pub(crate) use skip::{in_ci, skip};

/// Every model file the runtime tests use (see `tests/fixtures/models/README.md`).
pub(crate) const MODELS: [&str; 5] = [
    "iris_logreg.onnx",
    "magika_standard_v3_3.onnx",
    "magika_standard_v3_3.config.min.json",
    "silero_vad.onnx",
    "ppocrv4_det.onnx",
];

/// The ONNX Runtime library and where each test model is.
#[derive(Debug, Clone)]
pub(crate) struct Fixtures {
    pub(crate) ort_library: PathBuf,
    /// (file name, path) of each of [`MODELS`].
    models: Vec<(&'static str, PathBuf)>,
}

impl Fixtures {
    /// The path of the test model `file`, which must be one of [`MODELS`].
    pub(crate) fn model(&self, file: &str) -> PathBuf {
        self.models
            .iter()
            .find(|(name, _)| *name == file)
            .map_or_else(
                || panic!("{file} is not one of the test models in common::MODELS"),
                |(_, path)| path.clone(),
            )
    }
}

fn missing(what: &str) -> Option<Fixtures> {
    skip(what);
    None
}

/// The fixtures, or `None` (test skipped, counted) when one is missing outside CI.
pub(crate) fn fixtures() -> Option<Fixtures> {
    let dirs = models::model_dirs(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let mut models = Vec::new();
    let mut absent = Vec::new();
    for file in MODELS {
        match dirs.iter().map(|d| d.join(file)).find(|p| p.is_file()) {
            Some(path) => models.push((file, path)),
            None => absent.push(file),
        }
    }
    if !absent.is_empty() {
        return missing(&format!(
            "test models {} not found (`source .ci/setup` fetches them into .cache/models)",
            absent.join(", ")
        ));
    }
    let ort_library = std::env::var_os("ORT_DYLIB_PATH")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(python_ort_library);
    let Some(ort_library) = ort_library else {
        return missing(
            "ONNX Runtime library not found (`source .ci/setup` installs onnxruntime==1.32.0 and sets ORT_DYLIB_PATH)",
        );
    };
    Some(Fixtures {
        ort_library,
        models,
    })
}

fn python_ort_library() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim()).join("capi");
    let mut libs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so.1"))
        })
        .collect();
    libs.sort();
    libs.pop()
}

/// A running `mlc-serve` process, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    pub(crate) log: Arc<Mutex<Vec<String>>>,
}

pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_mlc-serve")
}

/// Writes `config` (YAML) to a fresh file and returns its path.
pub(crate) fn write_config(name: &str, config: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mlc-serve-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.yaml", std::process::id()));
    std::fs::write(&path, config).unwrap();
    path
}

impl Server {
    /// Starts the binary with `config` (YAML), on 127.0.0.1 and a free port.
    pub(crate) fn start(fixtures: &Fixtures, name: &str, config: &str) -> Self {
        let path = write_config(name, config);
        Self::spawn(fixtures, &["--config", path.to_str().unwrap()])
    }

    /// Starts the binary with `args`, adding `--host 127.0.0.1 --port 0`.
    pub(crate) fn spawn(fixtures: &Fixtures, args: &[&str]) -> Self {
        let mut child = Command::new(binary())
            .args(args)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .env("ORT_DYLIB_PATH", &fixtures.ort_library)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push(line.clone());
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest
                        .split(|c: char| c.is_whitespace() || c == '"')
                        .next()
                        .unwrap_or("");
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let Ok(addr) = rx.recv_timeout(Duration::from_mins(1)) else {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
            panic!(
                "mlc-serve did not start; log:\n{}",
                log.lock().unwrap().join("\n")
            );
        };
        Self {
            child,
            addr: addr.parse().unwrap(),
            log,
        }
    }

    pub(crate) fn get(&self, path: &str) -> Response {
        request(self.addr, "GET", path, &[], b"")
    }

    pub(crate) fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        request(
            self.addr,
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    pub(crate) fn metrics(&self) -> String {
        String::from_utf8(self.get("/metrics").body).unwrap()
    }

    pub(crate) fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Waits for the process to exit, at most `limit`.
    pub(crate) fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub(crate) fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP response.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the whole response.
pub(crate) fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_mins(1)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        use std::fmt::Write as _;
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before reading a large body.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("incomplete response: {}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// An iris request of `rows` rows (flat `data`).
pub(crate) fn iris_request(rows: &[[f32; 4]]) -> serde_json::Value {
    let data: Vec<f32> = rows.iter().flatten().copied().collect();
    serde_json::json!({
        "inputs": [{"name": "X", "shape": [rows.len(), 4], "datatype": "FP32", "data": data}]
    })
}

/// Rows whose classes are known: setosa (0), versicolor (1), virginica (2).
pub(crate) const IRIS_ROWS: [([f32; 4], i64); 3] = [
    ([5.1, 3.5, 1.4, 0.2], 0),
    ([5.9, 3.0, 4.2, 1.5], 1),
    ([6.7, 3.0, 5.2, 2.3], 2),
];

/// The value of a metric line `name{labels} value`, summed over matching lines.
pub(crate) fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name_and_labels) && l[name_and_labels.len()..].starts_with(' '))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Whether `python3` can import every module of `modules`; when not, skips with a notice
/// (fails under `CI=true`), naming `install` as the way to get them.
pub(crate) fn python_modules(modules: &[&str], install: &str) -> bool {
    let code = format!("import {}", modules.join(", "));
    let ok = Command::new("python3")
        .args(["-c", &code])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip(&format!(
            "Python modules {} not importable ({install})",
            modules.join(", ")
        ));
    }
    ok
}

/// Runs `python3 script args…` with a time limit; panics with its output when it fails.
pub(crate) fn run_python(script: &Path, args: &[&str], limit: Duration) -> String {
    let mut child = Command::new("python3")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{} timed out after {limit:?}:\n{}{}",
                script.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{} failed:\n{text}", script.display());
    text
}

/// The size in bytes of one element of an OIP datatype.
pub(crate) fn datatype_size(datatype: &str) -> usize {
    match datatype {
        "BOOL" | "INT8" | "UINT8" => 1,
        "INT16" | "UINT16" | "FP16" | "BF16" => 2,
        "INT32" | "UINT32" | "FP32" => 4,
        "INT64" | "UINT64" | "FP64" => 8,
        other => panic!("unknown datatype {other}"),
    }
}

/// JSON values (numbers or booleans) as the little-endian bytes of the binary extension.
pub(crate) fn encode_binary(datatype: &str, values: &[serde_json::Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * datatype_size(datatype));
    for v in values {
        let f = || v.as_f64().unwrap();
        match datatype {
            "BOOL" => out.push(u8::from(v.as_bool().unwrap())),
            "INT8" => out.extend(i8::try_from(v.as_i64().unwrap()).unwrap().to_le_bytes()),
            "INT16" => out.extend(i16::try_from(v.as_i64().unwrap()).unwrap().to_le_bytes()),
            "INT32" => out.extend(i32::try_from(v.as_i64().unwrap()).unwrap().to_le_bytes()),
            "INT64" => out.extend(v.as_i64().unwrap().to_le_bytes()),
            "UINT8" => out.extend(u8::try_from(v.as_u64().unwrap()).unwrap().to_le_bytes()),
            "UINT16" => out.extend(u16::try_from(v.as_u64().unwrap()).unwrap().to_le_bytes()),
            "UINT32" => out.extend(u32::try_from(v.as_u64().unwrap()).unwrap().to_le_bytes()),
            "UINT64" => out.extend(v.as_u64().unwrap().to_le_bytes()),
            "FP16" => out.extend(half::f16::from_f64(f()).to_le_bytes()),
            "BF16" => out.extend(half::bf16::from_f64(f()).to_le_bytes()),
            "FP32" => out.extend((f() as f32).to_le_bytes()),
            "FP64" => out.extend(f().to_le_bytes()),
            other => panic!("unknown datatype {other}"),
        }
    }
    out
}

/// Little-endian bytes of the binary extension as JSON values (numbers or booleans).
pub(crate) fn decode_binary(datatype: &str, bytes: &[u8]) -> Vec<serde_json::Value> {
    let size = datatype_size(datatype);
    assert_eq!(bytes.len() % size, 0, "{datatype}: {} bytes", bytes.len());
    bytes
        .chunks(size)
        .map(|b| match datatype {
            "BOOL" => serde_json::json!(b[0] != 0),
            "INT8" => serde_json::json!(i8::from_le_bytes([b[0]])),
            "INT16" => serde_json::json!(i16::from_le_bytes(b.try_into().unwrap())),
            "INT32" => serde_json::json!(i32::from_le_bytes(b.try_into().unwrap())),
            "INT64" => serde_json::json!(i64::from_le_bytes(b.try_into().unwrap())),
            "UINT8" => serde_json::json!(b[0]),
            "UINT16" => serde_json::json!(u16::from_le_bytes(b.try_into().unwrap())),
            "UINT32" => serde_json::json!(u32::from_le_bytes(b.try_into().unwrap())),
            "UINT64" => serde_json::json!(u64::from_le_bytes(b.try_into().unwrap())),
            "FP16" => serde_json::json!(half::f16::from_le_bytes(b.try_into().unwrap()).to_f64()),
            "BF16" => serde_json::json!(half::bf16::from_le_bytes(b.try_into().unwrap()).to_f64()),
            "FP32" => serde_json::json!(f64::from(f32::from_le_bytes(b.try_into().unwrap()))),
            "FP64" => serde_json::json!(f64::from_le_bytes(b.try_into().unwrap())),
            other => panic!("unknown datatype {other}"),
        })
        .collect()
}

/// Sends an OIP request whose inputs all go as binary data, asking for every output as binary;
/// returns the response's JSON header with each output's `data` filled from its binary part.
pub(crate) fn infer_binary(
    addr: SocketAddr,
    path: &str,
    inputs: &[serde_json::Value],
) -> serde_json::Value {
    let mut header_inputs = Vec::new();
    let mut binary = Vec::new();
    for input in inputs {
        let datatype = input["datatype"].as_str().unwrap();
        let raw = encode_binary(datatype, input["data"].as_array().unwrap());
        header_inputs.push(serde_json::json!({
            "name": input["name"], "datatype": datatype, "shape": input["shape"],
            "parameters": {"binary_data_size": raw.len()}
        }));
        binary.extend(raw);
    }
    let header = serde_json::json!({
        "inputs": header_inputs,
        "parameters": {"binary_data_output": true}
    })
    .to_string();
    let len = header.len().to_string();
    let mut body = header.into_bytes();
    body.extend(binary);
    let response = request(
        addr,
        "POST",
        path,
        &[
            ("Content-Type", "application/octet-stream"),
            ("Inference-Header-Content-Length", &len),
        ],
        &body,
    );
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let json_len: usize = response
        .header("Inference-Header-Content-Length")
        .expect("binary response without Inference-Header-Content-Length")
        .parse()
        .unwrap();
    let mut out: serde_json::Value = serde_json::from_slice(&response.body[..json_len]).unwrap();
    let mut rest = &response.body[json_len..];
    for output in out["outputs"].as_array_mut().unwrap() {
        let size =
            usize::try_from(output["parameters"]["binary_data_size"].as_u64().unwrap()).unwrap();
        let datatype = output["datatype"].as_str().unwrap().to_owned();
        output["data"] = serde_json::Value::Array(decode_binary(&datatype, &rest[..size]));
        rest = &rest[size..];
    }
    assert!(rest.is_empty(), "{} bytes left over", rest.len());
    out
}

/// The `Content-Length` of a response head (0 when it has none).
pub(crate) fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
