//! Traffic rules over the objects checked together, grouped by namespace: what Istio, the
//! Gateway API and Ingress controllers need of the links between objects, which no schema of
//! one object can say (observability-traffic-facts §3–4, §8):
//! - `routes.rs`: a VirtualService subset defined by a DestinationRule for that host (E0421);
//!   route weights istiod accepts, and HTTPRoute rules not weighted 0 throughout (E0424);
//! - `backends.rs`: an HTTPRoute or Ingress backend naming a Service checked with it, and a
//!   port of that Service; KServe's predictor Services count, with port 80 (E0422);
//! - `hosts.rs`: hosts that agree: the routes exposing one model, an Ingress's TLS hosts
//!   among its rules' hosts, `mesh` kept beside gateways (E0423).

mod backends;
mod hosts;
mod routes;

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Found, Violation, int_at, kind_of, name, namespace, text_at};

const ISTIO: &str = "networking.istio.io/v1";
const GATEWAY_API: &str = "gateway.networking.k8s.io/v1";
const INGRESS: &str = "networking.k8s.io/v1";

/// The port KServe's predictor Services listen on (the contract of the emitted routes).
const PREDICTOR_PORT: i64 = 80;

/// The ports of a Service routes may name.
enum Ports<'a> {
    /// An emitted Service: each port's number and name.
    Listed(Vec<(i64, Option<&'a str>)>),
    /// A predictor Service KServe makes from an InferenceService: port 80, names unknown.
    Predictor,
}

/// What routes in one namespace can point at.
#[derive(Default)]
struct Space<'a> {
    services: BTreeMap<String, Ports<'a>>,
    /// Each DestinationRule's host (fully qualified), name and subset names.
    rules: Vec<(String, &'a str, Vec<&'a str>)>,
}

/// The Services (emitted, or derived from an InferenceService) and DestinationRules of the
/// objects checked together, by namespace.
#[derive(Default)]
struct Index<'a> {
    spaces: BTreeMap<&'a str, Space<'a>>,
    empty: Space<'a>,
}

impl<'a> Index<'a> {
    fn of(objects: &[&'a Value]) -> Self {
        let mut index = Index::default();
        for &object in objects {
            let ns = namespace(object);
            match kind_of(object) {
                ("v1", "Service") => {
                    let ports = array(object, "/spec/ports")
                        .iter()
                        .filter_map(|p| Some((int_at(p, "/port")?, text_at(p, "/name"))))
                        .collect();
                    let space = index.spaces.entry(ns).or_default();
                    space
                        .services
                        .insert(name(object).to_owned(), Ports::Listed(ports));
                }
                ("serving.kserve.io/v1beta1", "InferenceService") => {
                    let space = index.spaces.entry(ns).or_default();
                    for service in predictor_services(object) {
                        space.services.entry(service).or_insert(Ports::Predictor);
                    }
                }
                (ISTIO, "DestinationRule") => {
                    let Some(host) = text_at(object, "/spec/host") else {
                        continue;
                    };
                    let names = array(object, "/spec/subsets")
                        .iter()
                        .filter_map(|s| text_at(s, "/name"))
                        .collect();
                    let space = index.spaces.entry(ns).or_default();
                    space.rules.push((fqdn(host, ns), name(object), names));
                }
                _ => {}
            }
        }
        index
    }

    /// What namespace `ns` holds (nothing when no object is there).
    fn space(&self, ns: &str) -> &Space<'a> {
        self.spaces.get(ns).unwrap_or(&self.empty)
    }
}

/// Every violation of the traffic rules in `objects` (numbered by their index there), sorted.
/// Objects of kinds no rule covers pass; a slice without routes costs one scan.
pub fn check(objects: &[&Value]) -> Vec<Violation> {
    let is_route = |o: &&Value| {
        matches!(
            kind_of(o),
            (ISTIO, "VirtualService") | (GATEWAY_API, "HTTPRoute") | (INGRESS, "Ingress")
        )
    };
    if !objects.iter().any(is_route) {
        return Vec::new();
    }
    let index = Index::of(objects);
    let mut out = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let mut found = Found {
            object: i,
            out: &mut out,
        };
        match kind_of(object) {
            (ISTIO, "VirtualService") => {
                routes::subsets(object, index.space(namespace(object)), &mut found);
                routes::istio_weights(object, &mut found);
                hosts::mesh_kept(object, &mut found);
            }
            (GATEWAY_API, "HTTPRoute") => {
                backends::route(object, &index, &mut found);
                routes::route_weights(object, &mut found);
            }
            (INGRESS, "Ingress") => {
                backends::ingress(object, index.space(namespace(object)), &mut found);
                hosts::tls(object, &mut found);
            }
            _ => {}
        }
    }
    hosts::same_model(objects, &mut out);
    out.sort();
    out.dedup();
    out
}

/// The predictor Services KServe makes for an InferenceService: `<name>-predictor`, and
/// `<name>-<predictor name>-predictor` for a named stable predictor and each named canary.
fn predictor_services(object: &Value) -> Vec<String> {
    let isvc = name(object);
    let canaries = array(object, "/spec/canary")
        .iter()
        .filter_map(|c| text_at(c, "/predictor/name"));
    let mut out = vec![format!("{isvc}-predictor")];
    for named in text_at(object, "/spec/predictor/name")
        .into_iter()
        .chain(canaries)
    {
        out.push(format!("{isvc}-{named}-predictor"));
    }
    out
}

/// An Istio host as Istio resolves it: a short name is a Service of the object's namespace.
fn fqdn(host: &str, ns: &str) -> String {
    if host.contains('.') || host.contains('*') {
        host.to_owned()
    } else {
        format!("{host}.{ns}.svc.cluster.local")
    }
}

/// The array at `pointer`, or nothing.
fn array<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `` `a`, `b` `` (or `none`), for a message.
fn listed<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests;
