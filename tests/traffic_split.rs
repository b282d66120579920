//! A traffic split checked on a real router. No Istio or Gateway controller runs here, so the
//! test plays their part from the emitted objects themselves, for each VirtualService or
//! HTTPRoute of the output tree:
//!
//! 1. the routing object is followed object by object to the pods of the tree's Deployments
//!    (see `traffic/follow.rs`): a wrong selector, subset label, port or port name is an
//!    error, not a config;
//! 2. each Deployment it reaches becomes a real `mlc-serve` on 127.0.0.1 (a free port standing
//!    in for its pod's container port), run with the runtime config its serving container
//!    reads (followed through the mounted ConfigMap), the model file swapped for the real iris
//!    model and the version set to the Deployment's name, so that every answer's
//!    `model_version` says which variant gave it;
//! 3. a real HAProxy is configured from what was followed (weighted `server` lines, `balance
//!    roundrobin`), checked with `haproxy -c` and started on a free port;
//! 4. 2,000 inference requests go through it from kept-alive clients, and the observed share
//!    of each variant must be within ±3 points of the declared weight.
//!
//! The trees are what the real `mlc build` writes for `examples/traffic-istio` and
//! `examples/traffic-gateway` (both environments); the hand-made fixtures in
//! `tests/fixtures/traffic/` hold the broken links the follower must refuse.
//!
//! Needs `haproxy` (`.ci/setup.d/70-haproxy.sh`) and ONNX Runtime; a missing one skips the
//! test, counted, except under `CI=true`, where it fails. Takes a few seconds a route; every
//! process is killed when the test ends.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod support;
mod traffic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use traffic::objects::Tree;
use traffic::{follow, live, load, pods, proxy};

const REQUESTS: usize = 2_000;
const CLIENTS: usize = 4;
/// The largest allowed gap between the declared and the observed share, in percentage points.
const TOLERANCE: f64 = 3.0;
const IRIS_ROW: &str =
    r#"{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#;

/// The hand-made tree of a traffic form (`istio`, `gateway-api`).
fn fixture(form: &str) -> PathBuf {
    support::repo()
        .join("tests")
        .join("fixtures")
        .join("traffic")
        .join(form)
}

/// The project directory of an example.
fn example(name: &str) -> PathBuf {
    support::repo().join("examples").join(name)
}

/// The tree the real `mlc build` writes for the project in `project`, in a new directory.
fn emitted(project: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let run = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["build", "--out"])
        .arg(out.path())
        .arg(project)
        .output()
        .expect("run mlc");
    assert!(
        run.status.success(),
        "mlc build {} failed:\n{}",
        project.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

/// Whether `haproxy` runs; else a counted skip (a failure under `CI=true`).
fn haproxy() -> bool {
    let ok = Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        support::skip(
            "`haproxy` is not on PATH (Debian package `haproxy`; `.ci/setup.d/70-haproxy.sh` installs it)",
        );
    }
    ok
}

/// The declared share of each Deployment, in percent, for a request to `path` on `route`.
fn declared(route: &follow::Route, path: &str) -> BTreeMap<String, f64> {
    let rule = route
        .rules
        .iter()
        .find(|r| path.starts_with(&r.prefix))
        .unwrap_or_else(|| panic!("{}: no rule for {path}", route.source));
    let total: u32 = rule.backends.iter().map(|b| b.weight).sum();
    let mut share = BTreeMap::new();
    for b in &rule.backends {
        *share.entry(b.pod.deployment.clone()).or_insert(0.0) +=
            f64::from(b.weight) * 100.0 / f64::from(total);
    }
    share
}

/// Follows every routing object of the tree and checks each one's split through HAProxy.
fn check_split(tree_dir: &Path) {
    if !haproxy() {
        return;
    }
    let Some(ort) = support::ort_library() else {
        support::skip("ONNX Runtime library not found (`source .ci/setup` sets ORT_DYLIB_PATH)");
        return;
    };
    let tree = Tree::read(tree_dir);
    let routes = follow::routes(&tree).unwrap_or_else(|e| panic!("{e}"));
    let binary = live::mlc_serve();
    for route in &routes {
        check_route(route, &binary, &ort);
    }
}

/// Stands up the pods `route` reaches and HAProxy in front of them, and checks the split.
fn check_route(route: &follow::Route, binary: &Path, ort: &Path) {
    let started = Instant::now();
    let model = support::find_model("iris_logreg.onnx").expect("the committed iris model");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut local = BTreeMap::new();
    let mut servers = Vec::new();
    for b in route.rules.iter().flat_map(|r| &r.backends) {
        let pod = &b.pod;
        if local.contains_key(&pod.deployment) {
            continue;
        }
        let port = live::free_port();
        let config = dir.path().join(format!("{}.yaml", pod.deployment));
        std::fs::write(&config, pod.local_config(port, &model)).unwrap();
        servers.push(live::start_serve(binary, ort, &config, port));
        local.insert(pod.deployment.clone(), (pod.http_port(), port));
    }
    let proxy_port = live::free_port();
    let config = proxy::config(std::slice::from_ref(route), proxy_port, |pod, port| {
        local
            .get(&pod.deployment)
            .and_then(|(http, to)| (*http == port).then_some(*to))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let _proxy = proxy::start(dir.path(), &config, proxy_port);

    let model_name = route.rules[0].backends[0].pod.model().unwrap().to_owned();
    let path = format!("/v2/models/{model_name}/infer");
    let host = route
        .hosts
        .first()
        .map_or("ranker.example.com", String::as_str)
        .replace('*', "any");
    if !route.hosts.is_empty() {
        let (status, _) = load::Client::new(proxy_port)
            .post("elsewhere.example.com", &path, IRIS_ROW)
            .unwrap();
        assert_eq!(status, 503, "a host no route names must find no backend");
    }
    let seen = load::send(proxy_port, &host, &path, IRIS_ROW, REQUESTS, CLIENTS);
    assert!(
        seen.failures.is_empty(),
        "failed requests: {:?}",
        seen.failures
    );
    assert!(
        seen.connections < REQUESTS / 10,
        "the clients kept {} connections for {REQUESTS} requests: not kept alive",
        seen.connections
    );
    let want = declared(route, &path);
    let mut report = Vec::new();
    for (deployment, share) in &want {
        let got = seen.versions.get(deployment).copied().unwrap_or(0);
        #[expect(clippy::cast_precision_loss, reason = "counts below 2,000")]
        let observed = got as f64 * 100.0 / REQUESTS as f64;
        assert!(
            (observed - share).abs() <= TOLERANCE,
            "{}: {deployment} declared {share:.1} %, observed {observed:.1} % ({got} of {REQUESTS})\n{config}",
            route.source
        );
        report.push(format!(
            "{deployment} {share:.1} % declared, {observed:.1} % observed"
        ));
    }
    let unknown: Vec<&String> = seen
        .versions
        .keys()
        .filter(|v| !want.contains_key(*v))
        .collect();
    assert!(
        unknown.is_empty(),
        "answers from undeclared variants: {:?}",
        seen.versions
    );
    for b in &route.rules[0].backends {
        eprintln!("  {}", b.trail);
    }
    eprintln!(
        "traffic split {}: {} ({REQUESTS} requests, {} connections, {:.1} s)",
        route.source,
        report.join(", "),
        seen.connections,
        started.elapsed().as_secs_f64()
    );
    drop(servers);
}

#[test]
fn istio_weights_hold_through_a_real_router() {
    check_split(emitted(&example("traffic-istio")).path());
}

#[test]
fn gateway_api_weights_hold_through_a_real_router() {
    check_split(emitted(&example("traffic-gateway")).path());
}

/// (Deployment, weight) of each destination of the one route of a tree.
fn destinations(tree: &Tree) -> Vec<(String, u32)> {
    let routes = follow::routes(tree).unwrap_or_else(|e| panic!("{e}"));
    routes
        .iter()
        .flat_map(|r| &r.rules)
        .flat_map(|r| &r.backends)
        .map(|b| (b.pod.deployment.clone(), b.weight))
        .collect()
}

#[test]
fn the_fixtures_follow_to_one_deployment_per_variant() {
    let expected = |a: u32, b: u32| vec![("ranker".to_owned(), a), ("ranker-v4".to_owned(), b)];
    assert_eq!(
        destinations(&Tree::read(&fixture("istio"))),
        expected(80, 20)
    );
    assert_eq!(
        destinations(&Tree::read(&fixture("gateway-api"))),
        expected(90, 10)
    );
}

/// Each case of `tests/fixtures/traffic/broken-links.yaml` breaks the chain from the route
/// to the pods at one object; the follower must say where instead of producing a config.
#[test]
fn a_broken_link_is_an_error_not_a_config() {
    let file = support::repo().join("tests/fixtures/traffic/broken-links.yaml");
    let cases: Vec<Value> = serde_yaml::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for case in &cases {
        let field = |k: &str| case[k].as_str().unwrap_or_else(|| panic!("{case}: no {k}"));
        let (kind, name) = field("object").split_once(' ').unwrap();
        let mut tree = Tree::read(&fixture(field("tree")));
        *tree
            .object_mut(kind, name)
            .pointer_mut(field("at"))
            .unwrap_or_else(|| panic!("{case}: no such field")) = case["value"].clone();
        match follow::routes(&tree) {
            Ok(routes) => panic!("{case} was followed: {routes:?}"),
            Err(e) => assert!(e.contains(field("error")), "{case}: {e}"),
        }
    }
}

/// The emitter's Deployment today: its serving container is followed to the runtime config
/// in its ConfigMap, which answers HTTP on the container port named `http`.
#[test]
fn an_emitted_deployment_is_followed_to_its_runtime_config() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("mlc.kdl"),
        r#"
project shop {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f" revision="v0.1.0"
}
environment prod namespace=ml
model ranker {
    artifact "s3://models/ranker/1.2/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    serve deployment
}
"#,
    )
    .unwrap();
    let tree = Tree::read(emitted(project.path()).path());
    let pods = pods::pods(&tree).unwrap_or_else(|e| panic!("{e}"));
    let [pod] = pods.as_slice() else {
        panic!("{pods:?}");
    };
    assert_eq!(
        (pod.deployment.as_str(), pod.model()),
        ("ranker", Ok("ranker"))
    );
    assert!(
        pod.ports.contains(&("http".to_owned(), pod.http_port())),
        "{pod:?}"
    );
}

/// The fixtures are valid objects: `check.py --strict` against the upstream schemas.
#[test]
fn the_fixtures_pass_the_upstream_schemas() {
    let files: Vec<PathBuf> = ["istio", "gateway-api"]
        .iter()
        .flat_map(|form| {
            let dir = fixture(form);
            support::read_tree(&dir)
                .into_iter()
                .map(move |(rel, _)| dir.join(rel))
        })
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let out = Command::new("python3")
        .arg(support::upstream_dir().join("check.py"))
        .arg("--strict")
        .args(&files)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("# mode=strict") {
        support::skip(&format!(
            "check.py could not run (python3 with PyYAML and jsonschema): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("{} passed, 0 failed", files.len())),
        "{text}"
    );
}
