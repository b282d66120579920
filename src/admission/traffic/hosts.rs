//! Hosts that agree (E0423): `mesh` kept beside a VirtualService's gateways, an Ingress's TLS
//! hosts among its rules' hosts, and one model's HTTPRoute and Ingress under the same hosts.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{GATEWAY_API, INGRESS, array, listed};
use crate::admission::{Found, Violation, kind_of, name, namespace, text_at};

const MESH_SOURCE: &str =
    "Istio 1.30 virtual_service.proto VirtualService.gateways; observability-traffic-facts §3";
const TLS_SOURCE: &str = "Kubernetes v1.33 IngressTLS.hosts and IngressRule.host";
const MODEL_SOURCE: &str = "mlc's exposure: one model is reached under one set of hosts, whatever the route (docs/validate.md)";
const INSTANCE: &str = "app.kubernetes.io/instance";

/// Whether an Istio host names a Service inside the cluster (what sidecars route).
fn cluster_local(host: &str) -> bool {
    !host.contains('.') || host.ends_with(".svc.cluster.local") || host.ends_with(".svc")
}

/// Whether an Ingress rule host (possibly `*.suffix`, one label) covers `host`.
fn covers(rule: &str, host: &str) -> bool {
    if rule == host {
        return true;
    }
    let Some(suffix) = rule.strip_prefix("*.") else {
        return false;
    };
    host.strip_suffix(suffix)
        .and_then(|head| head.strip_suffix('.'))
        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

/// E0423: a VirtualService that lists gateways keeps `mesh` when it routes a Service of the
/// cluster, or sidecars stop applying its routes.
pub(super) fn mesh_kept(object: &Value, found: &mut Found<'_>) {
    let gateways: Vec<&str> = array(object, "/spec/gateways")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if gateways.is_empty() || gateways.contains(&"mesh") {
        return;
    }
    let Some(host) = array(object, "/spec/hosts")
        .iter()
        .filter_map(Value::as_str)
        .find(|h| cluster_local(h))
    else {
        return;
    };
    found.push(
        "E0423",
        "/spec/gateways",
        format!(
            "the VirtualService lists gateways without `mesh`: sidecars no longer apply its routes to `{host}`"
        ),
        "add `mesh` to `gateways` (the reserved name for every sidecar), or drop the cluster-local host",
        MESH_SOURCE,
    );
}

/// The hosts an Ingress's rules name, or `None` when a rule has none (it serves every host).
fn rule_hosts(object: &Value) -> Option<Vec<&str>> {
    array(object, "/spec/rules")
        .iter()
        .map(|r| text_at(r, "/host"))
        .collect()
}

/// E0423: every TLS host of an Ingress is a host of one of its rules (when every rule names
/// one), or the certificate is for a host nothing routes.
pub(super) fn tls(object: &Value, found: &mut Found<'_>) {
    let Some(hosts) = rule_hosts(object).filter(|h| !h.is_empty()) else {
        return;
    };
    for (i, tls) in array(object, "/spec/tls").iter().enumerate() {
        for (j, host) in array(tls, "/hosts").iter().enumerate() {
            let Some(host) = host.as_str() else {
                continue;
            };
            if !hosts.iter().any(|rule| covers(rule, host)) {
                found.push(
                    "E0423",
                    format!("/spec/tls/{i}/hosts/{j}"),
                    format!("TLS host `{host}` is not the host of any rule"),
                    format!("list the hosts the rules serve: {}", listed(hosts.iter())),
                    TLS_SOURCE,
                );
            }
        }
    }
}

/// A model's key: its namespace and `app.kubernetes.io/instance` label.
fn instance(object: &Value) -> Option<(&str, &str)> {
    let label = object
        .pointer("/metadata/labels")
        .and_then(|l| l.get(INSTANCE))
        .and_then(Value::as_str)?;
    Some((namespace(object), label))
}

/// E0423: an HTTPRoute's `hostnames` and an Ingress's rule hosts of the same model (same
/// namespace and instance label), both given, are the same set.
pub(super) fn same_model(objects: &[&Value], out: &mut Vec<Violation>) {
    type Hosts<'a> = Vec<(&'a str, BTreeSet<&'a str>)>;
    let mut ingresses: BTreeMap<(&str, &str), Hosts<'_>> = BTreeMap::new();
    for &object in objects {
        if kind_of(object) != (INGRESS, "Ingress") {
            continue;
        }
        let (Some(key), Some(hosts)) = (instance(object), rule_hosts(object)) else {
            continue;
        };
        if !hosts.is_empty() {
            let hosts = hosts.into_iter().collect();
            ingresses
                .entry(key)
                .or_default()
                .push((name(object), hosts));
        }
    }
    if ingresses.is_empty() {
        return;
    }
    for (i, &object) in objects.iter().enumerate() {
        if kind_of(object) != (GATEWAY_API, "HTTPRoute") {
            continue;
        }
        let Some(key) = instance(object) else {
            continue;
        };
        let hostnames: BTreeSet<&str> = array(object, "/spec/hostnames")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if hostnames.is_empty() {
            continue;
        }
        for (ingress, hosts) in ingresses.get(&key).into_iter().flatten() {
            if *hosts == hostnames {
                continue;
            }
            let mut found = Found {
                object: i,
                out: &mut *out,
            };
            found.push(
                "E0423",
                "/spec/hostnames",
                format!(
                    "the HTTPRoute's hostnames {} differ from the hosts {} of Ingress `{ingress}` of the same model (`{INSTANCE}: {}`)",
                    listed(hostnames.iter()),
                    listed(hosts.iter()),
                    key.1
                ),
                "expose the model under one set of hosts: give the route and the Ingress the same hosts",
                MODEL_SOURCE,
            );
        }
    }
}
