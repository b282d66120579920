//! `traffic` (project or environment), and a model's `expose` and `timeout`: lowered with
//! their hosts (`E0226`), paths (`E0227`) and Gateway or IngressClass references (`E0228`)
//! checked where they are written.

use super::ir::Spanned;
use super::ir_traffic::{Expose, GatewayRef, ServiceExposure, Traffic};
use super::reader::{Reader, no_children};
use super::rules::k8s::subdomain_problem;
use super::units::Duration;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

/// The namespace ingress-nginx runs in by default, for `expose ingress class=nginx`.
const NGINX_NAMESPACE: &str = "ingress-nginx";

/// `traffic mesh=istio [gateway=…]` or `traffic gateway-api parent=…`.
pub(super) fn lower_traffic(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<Traffic>> {
    let mut r = Reader::new(node, diags, &["mesh", "gateway", "parent"], 1);
    no_children(node, r.diags);
    let span = node.head_span();
    let gateway_api = match r.arg(0) {
        Some(v) if v.as_str() == Some("gateway-api") => true,
        Some(v) => {
            let v = v.clone();
            r.diags.push(
                Diagnostic::error(Code::E0206, format!("unknown traffic form {}", v.display()))
                    .label(v.span, "expected `gateway-api`, or `mesh=istio`")
                    .help("write `traffic mesh=istio` or `traffic gateway-api parent=\"infra/public\"`"),
            );
            return None;
        }
        None => false,
    };
    if gateway_api {
        if let Some(p) = node.prop("mesh").or_else(|| node.prop("gateway")) {
            r.diags.push(
                Diagnostic::error(
                    Code::E0103,
                    format!("`{}` does not apply to `traffic gateway-api`", p.key),
                )
                .label(p.key_span, "Istio only")
                .help("`traffic gateway-api` takes `parent=\"NAMESPACE/GATEWAY\"`"),
            );
        }
        let Some(parent) = r.str("parent") else {
            if node.prop("parent").is_none() {
                r.missing(
                    "a `parent` Gateway",
                    "traffic gateway-api parent=\"infra/public\"",
                );
            }
            return None;
        };
        let parent = gateway_ref(&parent, diags)?;
        return Some(Spanned::new(Traffic::GatewayApi { parent }, span));
    }
    r.choice_of(r.value("mesh"), "mesh", &[("istio", ())])
        .or_else(|| {
            if node.prop("mesh").is_none() {
                r.missing("a form", "traffic mesh=istio");
            }
            None
        })?;
    if let Some(p) = node.prop("parent") {
        r.diags.push(
            Diagnostic::error(
                Code::E0103,
                "`parent` does not apply to `traffic mesh=istio`",
            )
            .label(p.key_span, "Gateway API only")
            .help("bind the VirtualService to an Istio Gateway with `gateway=\"NAMESPACE/NAME\"`"),
        );
    }
    let gateway = match r.str("gateway") {
        Some(g) => Some(gateway_ref(&g, diags)?),
        None => None,
    };
    Some(Spanned::new(Traffic::Istio { gateway }, span))
}

/// `expose ingress …`, `expose gateway …` or `expose service …`.
pub(super) fn lower_expose(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<Expose>> {
    let span = node.head_span();
    let form = node.args.first().and_then(|v| v.as_str()).unwrap_or("");
    let expose = match form {
        "ingress" => {
            let props = ["class", "host", "path", "tls-secret", "namespace"];
            let mut r = Reader::new(node, diags, &props, 1);
            no_children(node, r.diags);
            let class = r.str("class");
            let host = r.str("host");
            let path = r.str("path");
            let tls_secret = r.str("tls-secret");
            let namespace = r.str("namespace");
            if class.is_none() && node.prop("class").is_none() {
                r.missing(
                    "an IngressClass",
                    "expose ingress class=nginx host=\"ranker.example.com\"",
                );
            }
            if host.is_none() && node.prop("host").is_none() {
                r.missing(
                    "a `host`",
                    "expose ingress class=nginx host=\"ranker.example.com\"",
                );
            }
            let class = class.filter(|c| class_name(c, diags))?;
            let namespace = match namespace {
                Some(ns) => ns.value,
                None if class.value == "nginx" => NGINX_NAMESPACE.to_owned(),
                None => {
                    Reader::new(node, diags, &props, 1).missing(
                        "the ingress controller's `namespace`",
                        "expose ingress class=traefik namespace=traefik host=\"ranker.example.com\"",
                    );
                    return None;
                }
            };
            let host = host.filter(|h| host_ok(h, diags))?;
            let path = path_or_root(path, span, diags)?;
            Expose::Ingress {
                class,
                host,
                path,
                tls_secret: tls_secret.map(|s| s.value),
                namespace,
            }
        }
        "gateway" => {
            let mut r = Reader::new(node, diags, &["parent", "host", "path"], 1);
            no_children(node, r.diags);
            let parent = r.str("parent");
            let host = r.str("host");
            let path = r.str("path");
            if parent.is_none() && node.prop("parent").is_none() {
                r.missing(
                    "a `parent` Gateway",
                    "expose gateway parent=\"infra/public\" host=\"ranker.example.com\"",
                );
            }
            let parent = gateway_ref(&parent?, diags)?;
            let host = match host {
                Some(h) => Some(h).filter(|h| host_ok(h, diags)),
                None => None,
            };
            if node.prop("host").is_some() && host.is_none() {
                return None;
            }
            let path = path_or_root(path, span, diags)?;
            Expose::Gateway { parent, host, path }
        }
        "service" => {
            let mut r = Reader::new(node, diags, &["type"], 1);
            no_children(node, r.diags);
            let kind = match r.value("type") {
                Some(v) => r.choice_of(
                    Some(v),
                    "Service type",
                    &[
                        ("LoadBalancer", ServiceExposure::LoadBalancer),
                        ("NodePort", ServiceExposure::NodePort),
                    ],
                )?,
                None => Spanned::new(ServiceExposure::LoadBalancer, span),
            };
            Expose::Service(kind.value)
        }
        _ => {
            let mut r = Reader::new(node, diags, &[], 1);
            match node.args.first() {
                Some(v) => {
                    let v = v.clone();
                    r.diags.push(
                        Diagnostic::error(Code::E0206, format!("unknown exposure {}", v.display()))
                            .label(v.span, "expected `ingress`, `gateway` or `service`")
                            .help("write `expose ingress …`, `expose gateway …` or `expose service type=LoadBalancer`"),
                    );
                }
                None => r.missing(
                    "a form",
                    "expose ingress class=nginx host=\"ranker.example.com\"",
                ),
            }
            return None;
        }
    };
    Some(Spanned::new(expose, span))
}

/// The longest `timeout`: a day, which Gateway API's duration (at most 5 digits a unit)
/// still spells in seconds.
const MAX_TIMEOUT_MILLIS: u64 = 86_400_000;

/// `timeout "30s"`: whole seconds from 1 s to 24 h (KServe's `timeout` is seconds).
pub(super) fn lower_timeout(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<Duration>> {
    let mut r = Reader::new(node, diags, &[], 1);
    no_children(node, r.diags);
    let Some(value) = r.arg(0) else {
        r.missing("a duration", "timeout \"30s\"");
        return None;
    };
    let Some(text) = value.as_str() else {
        r.diags.push(
            Diagnostic::error(
                Code::E0104,
                format!("expected a duration string, found {}", value.display()),
            )
            .label(value.span, "expected a duration string")
            .help("write e.g. `timeout \"30s\"`"),
        );
        return None;
    };
    match Duration::parse(text) {
        Some(d) if (1000..=MAX_TIMEOUT_MILLIS).contains(&d.millis) && d.millis % 1000 == 0 => {
            Some(Spanned::new(d, value.span))
        }
        Some(_) => {
            r.diags.push(
                Diagnostic::error(Code::E0214, format!("timeout `{text}` is not whole seconds from 1s to 24h"))
                    .label(value.span, "expected whole seconds, from 1s to 24h")
                    .help("KServe, Istio and Gateway API all take it in seconds: write e.g. `\"30s\"` or `\"2m\"`"),
            );
            None
        }
        None => {
            r.diags.push(
                Diagnostic::error(Code::E0205, format!("invalid duration `{text}`"))
                    .label(value.span, "not a duration")
                    .help("write whole numbers with units `s`, `m` or `h`, e.g. `\"30s\"`"),
            );
            None
        }
    }
}

/// `NAME` or `NAMESPACE/NAME`, each a DNS-1123 label (`E0228`).
fn gateway_ref(text: &Spanned<String>, diags: &mut Diagnostics) -> Option<GatewayRef> {
    let (namespace, name) = match text.value.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, text.value.as_str()),
    };
    let label_ok = |s: &str| {
        !s.is_empty() && s.len() <= 63 && !s.contains('.') && subdomain_problem(s).is_none()
    };
    if namespace.is_some_and(|ns| !label_ok(ns)) || !label_ok(name) {
        diags.push(
            Diagnostic::error(
                Code::E0228,
                format!("invalid Gateway reference `{}`", text.value),
            )
            .label(text.span, "expected `NAME` or `NAMESPACE/NAME`")
            .help("a Gateway is named by its namespace and name, each a DNS label, e.g. `\"infra/public\"`"),
        );
        return None;
    }
    Some(GatewayRef {
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
        span: text.span,
    })
}

/// An IngressClass name: a DNS-1123 subdomain (`E0228`).
fn class_name(class: &Spanned<String>, diags: &mut Diagnostics) -> bool {
    let Some(problem) = subdomain_problem(&class.value) else {
        return true;
    };
    diags.push(
        Diagnostic::error(
            Code::E0228,
            format!("invalid IngressClass name `{}`: {problem}", class.value),
        )
        .label(class.span, "not a DNS subdomain")
        .help("name the IngressClass the controller serves, e.g. `class=nginx`"),
    );
    false
}

/// Why `host` is not a host an Ingress or HTTPRoute accepts: a lower-case DNS name,
/// optionally starting with `*.`, with no scheme, port or path.
pub(crate) fn host_problem(host: &str) -> Option<&'static str> {
    if host.contains("://") {
        return Some("it has a scheme: write the host name alone");
    }
    if host.contains(':') {
        return Some("it has a port: routes match the host name alone");
    }
    if host.contains('/') {
        return Some("it has a path: give the path with `path=`");
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some("it is an IP address: routes match host names");
    }
    if !name.contains('.') && host.starts_with("*.") {
        return Some("a wildcard covers one label of a longer name, e.g. `*.example.com`");
    }
    subdomain_problem(name).map(|_| {
        "it must be lower-case letters, digits, `-` and `.` (a leading `*.` allowed), each label starting and ending with a letter or digit"
    })
}

fn host_ok(host: &Spanned<String>, diags: &mut Diagnostics) -> bool {
    let Some(problem) = host_problem(&host.value) else {
        return true;
    };
    diags.push(
        Diagnostic::error(
            Code::E0226,
            format!("invalid host `{}`: {problem}", host.value),
        )
        .label(host.span, "not a host name")
        .help("write the name callers use, e.g. `host=\"ranker.example.com\"`"),
    );
    false
}

/// Why `path` is not a path prefix: it must start with `/` and hold only URL path characters.
pub(crate) fn path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        return Some("it must start with `/`");
    }
    if path.contains("//") {
        return Some("it has an empty segment (`//`)");
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._~/%!$&'()*+,;=:@".contains(c);
    if !path.chars().all(ok) {
        return Some("it may hold only URL path characters: no spaces, `?` or `#`");
    }
    None
}

fn path_or_root(
    path: Option<Spanned<String>>,
    span: crate::source::Span,
    diags: &mut Diagnostics,
) -> Option<Spanned<String>> {
    let Some(path) = path else {
        return Some(Spanned::new("/".to_owned(), span));
    };
    let Some(problem) = path_problem(&path.value) else {
        return Some(path);
    };
    diags.push(
        Diagnostic::error(
            Code::E0227,
            format!("invalid path `{}`: {problem}", path.value),
        )
        .label(path.span, "not a path prefix")
        .help("write an absolute path prefix, e.g. `path=\"/v2/models/ranker\"` or `path=\"/\"`"),
    );
    None
}
