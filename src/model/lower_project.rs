//! Lowering the whole project: top-level nodes across files, name resolution, the implicit
//! `default` cluster and environment (environments and their overrides: `overrides.rs`), and
//! the serving plan of every (environment, model).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::grammar;
use super::ir::{Cluster, Environment, GpuRef, Image, Model, Project, Spanned};
use super::lower_model::{check_model_children, lower_model, string_map};
use super::lower_pool::{lower_cluster, lower_gpu_model, lower_pool};
use super::names::check_name;
use super::overrides::lower_environment;
use super::reader::{Reader, check_children, list, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::{FileId, Span};
use crate::syntax::{Document, Node};

/// Kubernetes versions accepted by `kubernetes "…"`.
pub const KUBERNETES_VERSIONS: &[&str] = &["1.33"];

/// Lowers every document of a project. `root` is `mlc.kdl`.
pub fn lower(docs: &[Document], root: FileId) -> (Option<Project>, Diagnostics) {
    let mut diags = Diagnostics::default();
    super::rules::check(docs, &mut diags);
    let mut by_kind: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for doc in docs {
        for node in &doc.nodes {
            if let Some(kind) = grammar::TOP.child(&node.name) {
                by_kind.entry(kind.name).or_default().push(node);
            } else {
                let top = grammar::TOP.names();
                let help = did_you_mean(&node.name, top.iter().copied())
                    .unwrap_or_else(|| format!("a project file may contain: {}", list(&top)));
                diags.push(
                    Diagnostic::error(
                        Code::E0102,
                        format!("unknown top-level node `{}`", node.name),
                    )
                    .label(node.name_span, "unknown node")
                    .help(help),
                );
            }
        }
    }
    let get = |k: &str| by_kind.get(k).cloned().unwrap_or_default();

    let project = lower_project_node(&get("project"), root, &mut diags);
    let project_monitoring = get("project").first().and_then(|p| {
        p.children()
            .iter()
            .find(|c| c.name == "monitoring")
            .map(|m| super::monitoring::lower_monitoring(m, true, &mut diags))
    });
    let project_traffic = get("project").first().and_then(|p| {
        p.children()
            .iter()
            .find(|c| c.name == "traffic")
            .and_then(|t| super::lower_traffic::lower_traffic(t, &mut diags))
    });

    let mut declared_gpus: BTreeMap<String, GpuRef> = BTreeMap::new();
    let mut gpu_spans: BTreeMap<String, Span> = BTreeMap::new();
    for node in get("gpu-model") {
        if let Some((name, gpu)) = lower_gpu_model(node, &mut diags)
            && unique("GPU model", &name, &mut gpu_spans, &mut diags)
        {
            declared_gpus.insert(name.value, gpu);
        }
    }

    let mut clusters: BTreeMap<String, Cluster> = BTreeMap::new();
    let mut cluster_spans = BTreeMap::new();
    for node in get("cluster") {
        if let Some(cluster) = lower_cluster(node, &mut diags)
            && check_name("cluster", &cluster.name, &mut diags)
            && unique("cluster", &cluster.name, &mut cluster_spans, &mut diags)
        {
            clusters.insert(cluster.name.value.clone(), cluster);
        }
    }
    let anchor = project.as_ref().map_or(Span::new(root, 0, 0), |p| p.0.span);
    clusters
        .entry("default".to_owned())
        .or_insert_with(|| Cluster {
            name: Spanned::new("default".to_owned(), anchor),
            gpu_operator_namespace: "gpu-operator".to_owned(),
            declared: false,
            priority_classes: Vec::new(),
        });

    let mut pools = BTreeMap::new();
    let mut pool_spans = BTreeMap::new();
    for node in get("pool") {
        if let Some(pool) = lower_pool(node, &declared_gpus, &mut diags)
            && check_name("pool", &pool.name, &mut diags)
            && unique("pool", &pool.name, &mut pool_spans, &mut diags)
        {
            check_ref("cluster", &pool.cluster, clusters.keys(), &mut diags);
            pools.insert(pool.name.value.clone(), std::sync::Arc::new(pool));
        }
    }

    let mut model_nodes: BTreeMap<String, (&Node, Spanned<String>)> = BTreeMap::new();
    let mut model_spans = BTreeMap::new();
    for node in get("model") {
        let mut r = Reader::new(node, &mut diags, &[], 1);
        let Some(name) = r.arg_str(0) else {
            if node.args.is_empty() {
                r.missing("a name", "model bert-sentiment { … }");
            }
            continue;
        };
        check_model_children(node, &mut diags);
        if check_name("model", &name, &mut diags)
            && unique("model", &name, &mut model_spans, &mut diags)
        {
            model_nodes.insert(name.value.clone(), (node, name));
        }
    }
    // Models lower independently: in parallel, each with its own diagnostics.
    let lowered: Vec<(&String, Option<Model>, Diagnostics)> = {
        use rayon::prelude::*;
        let nodes: Vec<_> = model_nodes.iter().collect();
        nodes
            .into_par_iter()
            .map(|(key, (node, name))| {
                let mut d = Diagnostics::default();
                let model = lower_model(node, name.clone(), node.children(), &mut d);
                (key, model, d)
            })
            .collect()
    };
    let mut models = BTreeMap::new();
    for (key, model, d) in lowered {
        diags.extend(d);
        if let Some(model) = model {
            models.insert(key.clone(), Arc::new(model));
        }
    }

    let mut seldon_servers = BTreeMap::new();
    let mut server_spans = BTreeMap::new();
    for node in get("seldon-server") {
        if let Some(s) = lower_seldon_server(node, &mut diags)
            && check_name("Seldon server", &s.name, &mut diags)
            && unique("Seldon server", &s.name, &mut server_spans, &mut diags)
        {
            seldon_servers.insert(s.name.value.clone(), s);
        }
    }

    let mut pipelines = BTreeMap::new();
    let mut pipeline_spans = BTreeMap::new();
    for node in get("pipeline") {
        if let Some(p) = super::lower_pipeline::lower_pipeline(node, &model_spans, &mut diags)
            && unique("pipeline", &p.name, &mut pipeline_spans, &mut diags)
        {
            pipelines.insert(p.name.value.clone(), p);
        }
    }

    let declared_clusters: Vec<String> = clusters
        .values()
        .filter(|c| c.declared)
        .map(|c| c.name.value.clone())
        .collect();
    let project_name = project
        .as_ref()
        .map(|p| p.0.value.clone())
        .unwrap_or_default();
    let mut environments = BTreeMap::new();
    let mut env_spans = BTreeMap::new();
    for node in get("environment") {
        let Some(env) = lower_environment(node, &model_nodes, &models, &clusters, &mut diags)
        else {
            continue;
        };
        if check_name("environment", &env.name, &mut diags)
            && unique("environment", &env.name, &mut env_spans, &mut diags)
        {
            let clash = environments.values().find(|e: &&Environment| {
                e.cluster.value == env.cluster.value && e.namespace.value == env.namespace.value
            });
            if let Some(first) = clash {
                diags.push(
                    Diagnostic::error(
                        Code::E0202,
                        format!(
                            "namespace `{}` of cluster `{}` is used by two environments",
                            env.namespace.value, env.cluster.value
                        ),
                    )
                    .label(env.namespace.span, "used again here")
                    .label(
                        first.namespace.span,
                        format!("used by environment `{}`", first.name.value),
                    )
                    .help("give each environment its own namespace, or its own cluster"),
                );
                continue;
            }
            environments.insert(env.name.value.clone(), env);
        }
    }
    if environments.is_empty() && get("environment").is_empty() {
        environments.insert(
            "default".to_owned(),
            Environment {
                name: Spanned::new("default".to_owned(), anchor),
                // With no environment declared, the implicit one targets the only declared
                // cluster when there is exactly one, else the implicit `default` cluster.
                cluster: Spanned::new(
                    match declared_clusters.as_slice() {
                        [only] => only.clone(),
                        _ => "default".to_owned(),
                    },
                    anchor,
                ),
                namespace: Spanned::new(project_name.clone(), anchor),
                models: models.clone(),
                plans: BTreeMap::new(),
                pipelines: BTreeMap::new(),
                runtime: None,
                declared: false,
                quota: None,
                monitoring: None,
                traffic: None,
            },
        );
    }

    for env in environments.values_mut() {
        if env.traffic.is_none() {
            env.traffic.clone_from(&project_traffic);
        }
        env.plans = super::plan::plan_environment(
            &env.name.value,
            &env.namespace.value,
            &env.models,
            &pools,
            env.traffic.as_ref().map(|t| &t.value),
        );
        env.pipelines = super::plan::plan_pipelines(
            &env.name.value,
            &env.namespace.value,
            &pipelines,
            &env.models,
            &env.plans,
        );
        env.runtime = super::plan::SharedRuntime::of(env);
        super::plan::plan_monitoring(env, project_monitoring.as_ref(), &project_name, &mut diags);
    }

    let Some((name, kubernetes, labels, annotations, image)) = project else {
        return (None, diags);
    };
    let cluster_plans = super::plan::plan_clusters(name.span, &clusters, &pools, &environments);
    let project = Project {
        name,
        kubernetes,
        labels,
        annotations,
        image,
        clusters,
        pools,
        models,
        seldon_servers,
        pipelines,
        environments,
        monitoring: project_monitoring,
        traffic: project_traffic,
        cluster_plans,
    };
    (Some(project), diags)
}

type ProjectHead = (
    Spanned<String>,
    String,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    Image,
);

fn lower_project_node(
    nodes: &[&Node],
    root: FileId,
    diags: &mut Diagnostics,
) -> Option<ProjectHead> {
    let Some(node) = nodes.first() else {
        diags.push(
            Diagnostic::error(Code::E0208, "`mlc.kdl` has no `project` node")
                .label(Span::new(root, 0, 0), "the project root file")
                .help("start `mlc.kdl` with `project NAME { kubernetes \"1.33\" }`"),
        );
        return None;
    };
    for extra in &nodes[1..] {
        diags.push(
            Diagnostic::error(Code::E0208, "a project has exactly one `project` node")
                .label(extra.name_span, "second `project`")
                .label(node.name_span, "first `project`")
                .help("remove this one; one project per `mlc.kdl`"),
        );
    }
    if node.name_span.file != root {
        diags.push(
            Diagnostic::error(Code::E0208, "the `project` node belongs in `mlc.kdl`")
                .label(node.name_span, "outside the project root file")
                .help("move it to `mlc.kdl` at the project root"),
        );
    }
    let mut r = Reader::new(node, diags, &[], 1);
    let name = r.arg_str(0);
    if name.is_none() && node.args.is_empty() {
        r.missing("a name", "project recsys { kubernetes \"1.33\" }");
    }
    check_children(node, diags, &grammar::PROJECT);
    let mut kubernetes = KUBERNETES_VERSIONS[0].to_owned();
    let mut labels = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    let mut image = Image {
        span: Some(node.head_span()),
        ..Image::default()
    };
    for child in node.children() {
        match child.name.as_str() {
            "kubernetes" => {
                let mut c = Reader::new(child, diags, &[], 1);
                no_children(child, c.diags);
                let version = match c.arg(0) {
                    Some(v) => match &v.kind {
                        crate::syntax::ValueKind::String(s) => {
                            Some(Spanned::new(s.clone(), v.span))
                        }
                        crate::syntax::ValueKind::Float(f) => {
                            Some(Spanned::new(f.to_string(), v.span))
                        }
                        _ => c.arg_str(0),
                    },
                    None => None,
                };
                if let Some(v) = version {
                    if KUBERNETES_VERSIONS.contains(&v.value.as_str()) {
                        kubernetes = v.value;
                    } else {
                        c.diags.push(
                            Diagnostic::error(
                                Code::E0207,
                                format!("Kubernetes {} is not supported", v.value),
                            )
                            .label(v.span, "unsupported version")
                            .help(format!("accepted values: {}", list(KUBERNETES_VERSIONS))),
                        );
                    }
                }
            }
            "labels" => labels = string_map(child, diags),
            "annotations" => annotations = string_map(child, diags),
            "image" => {
                let mut c = Reader::new(
                    child,
                    diags,
                    &["registry", "tag", "digest", "base", "source", "revision"],
                    0,
                );
                no_children(child, c.diags);
                image.registry =
                    checked_image_value(c.str("registry"), ImageField::Registry, c.diags);
                image.tag = checked_image_value(c.str("tag"), ImageField::Tag, c.diags);
                image.base = c.str("base").filter(|b| {
                    checked_image_value(Some(b.clone()), ImageField::Base, c.diags).is_some()
                });
                image.source = checked_image_value(c.str("source"), ImageField::Source, c.diags);
                image.revision =
                    checked_image_value(c.str("revision"), ImageField::Revision, c.diags);
                if let Some(d) = c.str("digest") {
                    let hex = d.value.strip_prefix("sha256:").unwrap_or("");
                    if super::units::is_sha256_hex(hex) {
                        image.digest = Some(d.value);
                    } else {
                        c.diags.push(
                            Diagnostic::error(Code::E0210, "malformed image digest")
                                .label(d.span, "expected `sha256:` and 64 lower-case hex digits")
                                .help("copy the digest from `crane digest` or your registry, e.g. `sha256:4f5e…`"),
                        );
                    }
                }
                image.span = Some(child.head_span());
            }
            _ => {}
        }
    }
    let name = name?;
    check_name("project", &name, diags);
    Some((name, kubernetes, labels, annotations, image))
}

/// Records `name` in `seen`; reports `E0202` and returns false when it was seen before.
fn unique(
    kind: &str,
    name: &Spanned<String>,
    seen: &mut BTreeMap<String, Span>,
    diags: &mut Diagnostics,
) -> bool {
    if let Some(first) = seen.get(&name.value) {
        diags.push(
            Diagnostic::error(
                Code::E0202,
                format!("{kind} `{}` is defined more than once", name.value),
            )
            .label(name.span, "defined again here")
            .label(*first, "first defined here")
            .help(format!(
                "rename one of them; {kind} names are unique in a project"
            )),
        );
        return false;
    }
    seen.insert(name.value.clone(), name.span);
    true
}

/// Reports `E0203` when `name` is not among `known`.
pub fn check_ref<'a>(
    kind: &str,
    name: &Spanned<String>,
    known: impl Iterator<Item = &'a String> + Clone,
    diags: &mut Diagnostics,
) -> bool {
    if known.clone().any(|k| *k == name.value) {
        return true;
    }
    let names: Vec<&str> = known.map(String::as_str).collect();
    let help = did_you_mean(&name.value, names.iter().copied()).unwrap_or_else(|| {
        if names.is_empty() {
            format!("declare the {kind} first")
        } else {
            format!("known {kind}s: {}", list(&names))
        }
    });
    diags.push(
        Diagnostic::error(Code::E0203, format!("unknown {kind} `{}`", name.value))
            .label(name.span, format!("no such {kind}"))
            .help(help),
    );
    false
}

/// The properties of `image` whose shape matters to the Containerfile and image references.
#[derive(Clone, Copy)]
enum ImageField {
    Registry,
    Tag,
    Base,
    Source,
    Revision,
}

/// Returns the value when it has the shape its field needs, else reports `E0206`.
fn checked_image_value(
    value: Option<Spanned<String>>,
    field: ImageField,
    diags: &mut Diagnostics,
) -> Option<String> {
    let v = value?;
    let s = v.value.as_str();
    let ref_char = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
    let (ok, what, example) = match field {
        ImageField::Registry => (
            !s.is_empty()
                && !s.contains("://")
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c)),
            "a registry and optional path without a scheme",
            "registry=\"ghcr.io/acme\"",
        ),
        ImageField::Tag => (
            s.len() <= 128
                && s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "an OCI tag (letters, digits, `_`, `.`, `-`, at most 128, not starting with `.` or `-`)",
            "tag=\"1.4.0\"",
        ),
        ImageField::Base => (
            !s.is_empty()
                && s.chars().all(ref_char)
                && s.starts_with(|c: char| c.is_ascii_alphanumeric()),
            "an image reference",
            "base=\"debian:bookworm-slim@sha256:…\"",
        ),
        ImageField::Source => (
            (s.starts_with("https://") || s.starts_with("http://"))
                && !s.contains(char::is_whitespace)
                && s.len() > 8,
            "an http(s) URL of the mlc source repository",
            "source=\"https://git.example.com/ml/mlc\"",
        ),
        ImageField::Revision => (
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c)),
            "a tag or commit",
            "revision=\"v0.1.0\"",
        ),
    };
    if ok {
        return Some(v.value);
    }
    diags.push(
        Diagnostic::error(Code::E0206, format!("`{s}` is not {what}"))
            .label(v.span, "invalid value")
            .help(format!("write e.g. `{example}`")),
    );
    None
}

/// `seldon-server NAME config=mlserver replicas=N capabilities="a,b"`: a Seldon Core 2 Server.
fn lower_seldon_server(node: &Node, diags: &mut Diagnostics) -> Option<super::ir::SeldonServer> {
    let mut r = Reader::new(node, diags, &["config", "replicas", "capabilities"], 1);
    no_children(node, r.diags);
    let Some(name) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing(
                "a name",
                "seldon-server mlserver-cpu config=mlserver replicas=2",
            );
        }
        return None;
    };
    let config = r.str("config");
    if config.is_none() && node.prop("config").is_none() {
        r.missing(
            "a `config`",
            "seldon-server mlserver-cpu config=mlserver replicas=2",
        );
    }
    let replicas = r.u32("replicas").map(|v| v.value);
    let capabilities = r
        .str("capabilities")
        .map(|c| {
            c.value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(super::ir::SeldonServer {
        name,
        config: config?.value,
        replicas,
        capabilities,
        span: node.head_span(),
    })
}
