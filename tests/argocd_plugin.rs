//! The Argo CD config-management plugin (`argocd/`), run the way the repo-server's sidecar
//! runs it: the example project copied into a scratch "repository", the `generate` command of
//! `argocd/plugin.yaml` executed verbatim with the app path as working directory and the
//! environment Argo CD sets (build variables, `ARGOCD_ENV_*`, parameters), and its stdout read
//! as the multi-document stream Argo CD decodes.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where the example Applications point (`spec.source.path`).
const EXAMPLE: &str = "examples/environments";

/// Argo CD's default repo-server timeout; generation must stay far inside it.
const ARGOCD_TIMEOUT: Duration = Duration::from_mins(1);

fn read_yaml(rel: &str) -> Value {
    let text = std::fs::read_to_string(support::repo().join(rel)).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string at {pointer} in {v}"))
        .to_owned()
}

/// The plugin as the sidecar reads it.
struct Plugin {
    /// `<metadata.name>-<spec.version>`: the socket and the name Applications use.
    name: String,
    /// `command[0]`, then `command[1:]`, then `args`, as `cmpserver/plugin` runs them.
    argv: Vec<String>,
    /// `spec.discover.fileName`.
    discover_file: String,
}

fn plugin() -> Plugin {
    let doc = read_yaml("argocd/plugin.yaml");
    let strings = |pointer: &str| -> Vec<String> {
        doc.pointer(pointer)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().expect("string").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut argv = strings("/spec/generate/command");
    argv.extend(strings("/spec/generate/args"));
    Plugin {
        name: format!(
            "{}-{}",
            text(&doc, "/metadata/name"),
            text(&doc, "/spec/version")
        ),
        argv,
        discover_file: text(&doc, "/spec/discover/fileName"),
    }
}

/// An Application's `spec.source`, turned into what the repo-server gives the plugin.
struct Source {
    plugin: String,
    path: String,
    repo_url: String,
    env: Vec<(String, String)>,
}

/// Argo CD's parameter-name escaping: upper case, anything outside `[A-Z0-9_]` becomes `_`.
fn escaped(name: &str) -> String {
    name.to_ascii_uppercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn application(rel: &str) -> Source {
    let app = read_yaml(rel);
    let source = app.pointer("/spec/source").expect("spec.source");
    let mut env = Vec::new();
    for e in source
        .pointer("/plugin/env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        env.push((
            format!("ARGOCD_ENV_{}", text(e, "/name")),
            text(e, "/value"),
        ));
    }
    let params = source
        .pointer("/plugin/parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for p in &params {
        env.push((
            format!("PARAM_{}", escaped(&text(p, "/name"))),
            text(p, "/string"),
        ));
    }
    if !params.is_empty() {
        env.push((
            "ARGOCD_APP_PARAMETERS".to_owned(),
            Value::Array(params).to_string(),
        ));
    }
    env.push(("ARGOCD_APP_NAME".to_owned(), text(&app, "/metadata/name")));
    env.push((
        "ARGOCD_APP_NAMESPACE".to_owned(),
        app.pointer("/spec/destination/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    ));
    Source {
        plugin: text(source, "/plugin/name"),
        path: text(source, "/path"),
        repo_url: text(source, "/repoURL"),
        env,
    }
}

/// A scratch checkout: the example project at `spec.source.path` inside a repository that has
/// other files at its root, as the repo-server unpacks it.
fn checkout() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    for (rel, bytes) in support::read_tree(&support::repo().join(EXAMPLE)) {
        let path = repo.join(EXAMPLE).join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(repo.join("README.md"), "models\n").unwrap();
    let app = repo.join(EXAMPLE);
    (dir, app)
}

fn mlc_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_mlc"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `KUBE_API_VERSIONS` as Argo CD writes it: sorted, comma-joined, both `group/version` and
/// `group/version/Kind` entries for every API the cluster serves.
fn kube_api_versions(served: &[(&str, &str)]) -> String {
    let mut list: Vec<String> = Vec::new();
    for (api, kind) in served {
        list.push((*api).to_owned());
        list.push(format!("{api}/{kind}"));
    }
    list.sort();
    list.dedup();
    list.join(",")
}

/// A cluster with KServe, KEDA and the built-in APIs.
fn full_cluster() -> Vec<(&'static str, &'static str)> {
    vec![
        ("apps/v1", "Deployment"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("keda.sh/v1alpha1", "ScaledObject"),
        ("keda.sh/v1alpha1", "TriggerAuthentication"),
        ("policy/v1", "PodDisruptionBudget"),
        ("scheduling.k8s.io/v1", "PriorityClass"),
        ("serving.kserve.io/v1alpha1", "ServingRuntime"),
        ("serving.kserve.io/v1beta1", "InferenceService"),
        ("v1", "ConfigMap"),
        ("v1", "LimitRange"),
        ("v1", "Namespace"),
        ("v1", "ResourceQuota"),
        ("v1", "ServiceAccount"),
    ]
}

/// Runs the plugin's generate command as the sidecar does: `cwd` = the app path, the
/// sidecar's own environment (PATH with `mlc`, HOME) plus what the repo-server passes.
fn generate(app_dir: &Path, source: &Source, extra: &[(&str, String)]) -> (Output, Duration) {
    let plugin = plugin();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", mlc_dir().display());
    generate_with_path(app_dir, source, extra, &plugin, &path)
}

fn generate_with_path(
    app_dir: &Path,
    source: &Source,
    extra: &[(&str, String)],
    plugin: &Plugin,
    path: &str,
) -> (Output, Duration) {
    let revision = "4f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6";
    let mut cmd = Command::new(&plugin.argv[0]);
    cmd.args(&plugin.argv[1..])
        .current_dir(app_dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", app_dir.parent().unwrap())
        .env("ARGOCD_APP_PROJECT_NAME", "default")
        .env("ARGOCD_APP_REVISION", revision)
        .env("ARGOCD_APP_REVISION_SHORT", &revision[..7])
        .env("ARGOCD_APP_REVISION_SHORT_8", &revision[..8])
        .env("ARGOCD_APP_SOURCE_PATH", &source.path)
        .env("ARGOCD_APP_SOURCE_REPO_URL", &source.repo_url)
        .env("ARGOCD_APP_SOURCE_TARGET_REVISION", "main")
        .env("KUBE_VERSION", "1.33.4")
        .env("KUBE_API_VERSIONS", kube_api_versions(&full_cluster()));
    for (k, v) in &source.env {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run the plugin's generate command");
    let took = start.elapsed();
    eprintln!(
        "argocd generate ({}): {} ms",
        source.plugin,
        took.as_millis()
    );
    (out, took)
}

fn mlc_stdout(app_dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(app_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every `---` document of the stream, parsed; each must be a Kubernetes object.
fn documents(stream: &[u8]) -> Vec<Value> {
    let stream = std::str::from_utf8(stream).expect("utf-8");
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if !current.trim().is_empty() {
            let doc: Value = serde_saphyr::from_str(current)
                .unwrap_or_else(|e| panic!("invalid YAML document: {e}\n{current}"));
            docs.push(doc);
        }
        current.clear();
    };
    for line in stream.lines() {
        if line == "---" {
            flush(&mut current);
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    flush(&mut current);
    let whole: Vec<Value> = serde_saphyr::from_multiple(stream).expect("the whole stream parses");
    assert_eq!(
        whole.len(),
        docs.len(),
        "document count differs between the stream and its parts"
    );
    for doc in &docs {
        for key in ["/apiVersion", "/kind", "/metadata/name"] {
            let v = doc.pointer(key).and_then(Value::as_str).unwrap_or("");
            assert!(!v.is_empty(), "document without {key}: {doc}");
        }
        assert_ne!(doc["kind"], "List", "Argo CD does not flatten `kind: List`");
    }
    docs
}

fn assert_generated(out: &Output, took: Duration, expected: &[u8]) -> Vec<Value> {
    assert!(
        out.status.success(),
        "generate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty(), "generate printed nothing");
    assert!(
        out.stdout == expected,
        "generate's stdout differs from `mlc build --stdout`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        took < ARGOCD_TIMEOUT / 6,
        "generate took {took:?}, too close to Argo CD's {ARGOCD_TIMEOUT:?}"
    );
    documents(&out.stdout)
}

fn assert_failed(out: &Output, stderr_has: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "generate succeeded; stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "a failed generate must print no manifests, got:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(stderr_has),
        "stderr lacks `{stderr_has}`:\n{stderr}"
    );
}

#[test]
fn plugin_yaml_passes_the_sidecars_validation() {
    let doc = read_yaml("argocd/plugin.yaml");
    assert_eq!(text(&doc, "/kind"), "ConfigManagementPlugin");
    assert_eq!(text(&doc, "/apiVersion"), "argoproj.io/v1alpha1");
    let plugin = plugin();
    assert_eq!(plugin.name, "mlc-v1");
    assert!(!plugin.argv.is_empty(), "spec.generate.command is required");
    assert_eq!(plugin.argv[..2], ["sh", "-c"]);
    let script = &plugin.argv[2];
    assert!(script.starts_with("set -eu\n"), "{script}");
    assert!(
        !script.contains(" | "),
        "a pipe would hide mlc's exit status"
    );
    let params: Vec<String> = doc
        .pointer("/spec/parameters/static")
        .and_then(Value::as_array)
        .expect("parameters.static")
        .iter()
        .map(|p| {
            assert_eq!(text(p, "/collectionType"), "string");
            text(p, "/name")
        })
        .collect();
    assert_eq!(params, ["env", "cluster"]);
}

#[test]
fn configmap_carries_plugin_yaml_verbatim() {
    let plugin_yaml = std::fs::read_to_string(support::repo().join("argocd/plugin.yaml")).unwrap();
    let cm = read_yaml("argocd/configmap-plugin.yaml");
    assert_eq!(text(&cm, "/kind"), "ConfigMap");
    assert_eq!(
        text(&cm, "/data/plugin.yaml"),
        plugin_yaml,
        "argocd/configmap-plugin.yaml is out of date with argocd/plugin.yaml"
    );

    // The sidecar patch mounts that ConfigMap and the volumes Argo CD's stock Deployment has.
    let patch = read_yaml("argocd/argocd-repo-server-patch.yaml");
    let container = &patch.pointer("/spec/template/spec/containers/0").unwrap();
    assert_eq!(container["command"][0], "/var/run/argocd/argocd-cmp-server");
    assert_eq!(container["securityContext"]["runAsNonRoot"], true);
    assert_eq!(container["securityContext"]["runAsUser"], 999);
    let mounts: Vec<(String, String, String)> = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                text(m, "/mountPath"),
                text(m, "/name"),
                m["subPath"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let volumes = patch
        .pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .unwrap();
    let volume = |name: &str| volumes.iter().find(|v| v["name"] == name);
    let mount = |path: &str| {
        mounts
            .iter()
            .find(|m| m.0 == path)
            .unwrap_or_else(|| panic!("no mount at {path}"))
    };
    assert_eq!(mount("/var/run/argocd").1, "var-files");
    assert_eq!(mount("/home/argocd/cmp-server/plugins").1, "plugins");
    let config = mount("/home/argocd/cmp-server/config/plugin.yaml");
    assert_eq!(config.2, "plugin.yaml");
    assert_eq!(
        volume(&config.1).unwrap()["configMap"]["name"],
        cm["metadata"]["name"]
    );
    let tmp = mount("/tmp");
    assert!(
        volume(&tmp.1).unwrap().get("emptyDir").is_some(),
        "/tmp must be the sidecar's own emptyDir"
    );

    // The image runs as Argo CD's numeric user.
    let containerfile =
        std::fs::read_to_string(support::repo().join("argocd/Containerfile")).unwrap();
    let user = containerfile
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .unwrap();
    assert!(user.starts_with("USER 999"), "{user}");
    assert_eq!(
        containerfile
            .lines()
            .filter(|l| l.starts_with("FROM "))
            .count(),
        2
    );
}

#[test]
fn discovery_matches_the_app_path_and_not_the_repository_root() {
    let plugin = plugin();
    assert_eq!(plugin.discover_file, "./mlc.kdl");
    // Go's filepath.Glob on a pattern without meta characters is an existence check.
    assert!(!plugin.discover_file.contains(['*', '?', '[', '\\']));
    let (_dir, app) = checkout();
    assert!(app.join(&plugin.discover_file).is_file());
    let root = app.parent().unwrap().parent().unwrap();
    assert!(!root.join(&plugin.discover_file).exists());
}

#[test]
fn generate_for_the_environment_application_is_mlc_build_stdout_env() {
    let source = application("argocd/application-prod.yaml");
    assert_eq!(source.plugin, plugin().name);
    assert_eq!(source.path, EXAMPLE);
    assert!(
        source
            .env
            .iter()
            .any(|(k, v)| k == "PARAM_ENV" && v == "prod")
    );
    let (_dir, app) = checkout();
    let (out, took) = generate(&app, &source, &[]);
    let expected = mlc_stdout(&app, &["build", "--stdout", "--env", "prod"]);
    let docs = assert_generated(&out, took, &expected);
    for doc in &docs {
        if let Some(ns) = doc.pointer("/metadata/namespace") {
            assert_eq!(ns, "search-prod");
        }
    }
    assert!(docs.iter().any(|d| d["kind"] == "InferenceService"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("W0401"), "{stderr}");
}

#[test]
fn generate_reads_the_environment_from_plugin_env() {
    let mut source = application("argocd/application-prod.yaml");
    source
        .env
        .retain(|(k, _)| !k.starts_with("PARAM_") && k != "ARGOCD_APP_PARAMETERS");
    source
        .env
        .push(("ARGOCD_ENV_MLC_ENV".to_owned(), "staging".to_owned()));
    let (_dir, app) = checkout();
    let (out, took) = generate(&app, &source, &[]);
    let expected = mlc_stdout(&app, &["build", "--stdout", "--env", "staging"]);
    assert_generated(&out, took, &expected);
}

#[test]
fn generate_for_the_cluster_application_is_mlc_build_stdout_cluster() {
    let source = application("argocd/application-cluster.yaml");
    assert_eq!(source.plugin, plugin().name);
    let (_dir, app) = checkout();
    let (out, took) = generate(&app, &source, &[]);
    let expected = mlc_stdout(&app, &["build", "--stdout", "--cluster", "prod-gpu"]);
    let docs = assert_generated(&out, took, &expected);
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert!(kinds.contains(&"Namespace"), "{kinds:?}");
    assert!(!kinds.contains(&"InferenceService"), "{kinds:?}");
}

#[test]
fn broken_project_fails_with_empty_stdout_and_the_error_on_stderr() {
    let source = application("argocd/application-prod.yaml");
    let (_dir, app) = checkout();
    let mlc_kdl = app.join("mlc.kdl");
    let mut kdl = std::fs::read_to_string(&mlc_kdl).unwrap();
    kdl.push_str("\nmodel broken {\n    accelerator pool=nonexistent\n}\n");
    std::fs::write(&mlc_kdl, kdl).unwrap();
    let (out, _) = generate(&app, &source, &[]);
    assert_failed(&out, "error[E");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unknown_environment_or_both_selectors_fail_with_empty_stdout() {
    let (_dir, app) = checkout();
    let mut source = application("argocd/application-prod.yaml");
    let (out, _) = generate(&app, &source, &[("PARAM_ENV", "nope".to_owned())]);
    assert_failed(&out, "`nope`");

    source
        .env
        .push(("PARAM_CLUSTER".to_owned(), "prod-gpu".to_owned()));
    let (out, _) = generate(&app, &source, &[]);
    assert_failed(&out, "not both");

    // No selector on a project with several environments: mlc lists them.
    let mut bare = application("argocd/application-prod.yaml");
    bare.env.retain(|(k, _)| !k.starts_with("PARAM_"));
    let (out, _) = generate(&app, &bare, &[]);
    assert_failed(&out, "`prod`");
}

#[test]
fn missing_mlc_on_the_sidecar_fails_with_empty_stdout() {
    let source = application("argocd/application-prod.yaml");
    let (_dir, app) = checkout();
    let (out, _) = generate_with_path(&app, &source, &[], &plugin(), "/usr/bin:/bin");
    assert_failed(&out, "mlc");
}

#[test]
fn missing_kserve_api_warns_w0401_and_still_prints_the_manifests() {
    let source = application("argocd/application-prod.yaml");
    let (_dir, app) = checkout();
    let without_kserve: Vec<_> = full_cluster()
        .into_iter()
        .filter(|(api, _)| !api.starts_with("serving.kserve.io/"))
        .collect();
    let (out, took) = generate(
        &app,
        &source,
        &[("KUBE_API_VERSIONS", kube_api_versions(&without_kserve))],
    );
    let expected = mlc_stdout(&app, &["build", "--stdout", "--env", "prod"]);
    assert_generated(&out, took, &expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning[W0401]"), "{stderr}");
    assert!(stderr.contains("serving.kserve.io/v1beta1"), "{stderr}");
}
