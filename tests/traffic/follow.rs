//! Following the emitted routing objects to the pods, as the mesh or the gateway would:
//!
//! - Istio: VirtualService host → `http[].route[].destination` (host, subset, port) → the
//!   Service that host names → the DestinationRule subset's labels → the pods that the Service
//!   selector and the subset labels both select → the Service port's `targetPort` → that pod's
//!   container port;
//! - Gateway API: HTTPRoute (parents, hostnames) → `rules[].backendRefs[]` (Service name and
//!   port) → the Service's selector → its pods → the port's `targetPort` → the container port.
//!
//! Each weighted destination must end at exactly one Deployment's pod and at the port its
//! mlc-serve answers HTTP on; anything else is an error naming the object that breaks the
//! chain, never a guess.

use serde_json::Value;

use super::objects::{self, Labels, Tree};
use super::pods::{self, Pod};
use super::{gateway_api, istio};

/// One routing object, followed.
#[derive(Debug, Clone)]
pub struct Route {
    /// `VirtualService ml/ranker`, `HTTPRoute ml/ranker`.
    pub source: String,
    /// The hosts it routes; empty: every host (an HTTPRoute without hostnames).
    pub hosts: Vec<String>,
    /// Its rules, in the order the router tries them.
    pub rules: Vec<Rule>,
}

/// The requests whose path starts with `prefix`, split between `backends`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The path prefix it matches.
    pub prefix: String,
    /// Its weighted destinations.
    pub backends: Vec<Backend>,
}

/// A weighted destination and the pod and port it ends at.
#[derive(Debug, Clone)]
pub struct Backend {
    /// The weight as written (relative to the rule's other destinations).
    pub weight: u32,
    /// The one pod the destination selects.
    pub pod: Pod,
    /// The container port, where the pod's mlc-serve answers HTTP.
    pub port: u16,
    /// How it was reached, object by object.
    pub trail: String,
}

/// Every VirtualService and HTTPRoute of the tree, followed to the pods.
pub fn routes(tree: &Tree) -> Result<Vec<Route>, String> {
    let pods = pods::pods(tree)?;
    let mut routes = Vec::new();
    for vs in tree.of_kind("VirtualService") {
        routes.push(istio::route(tree, &pods, vs)?);
    }
    for route in tree.of_kind("HTTPRoute") {
        routes.push(gateway_api::route(tree, &pods, route)?);
    }
    if routes.is_empty() {
        return Err("no VirtualService or HTTPRoute in the tree".to_owned());
    }
    Ok(routes)
}

/// The strings of a list (none when absent).
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// A rule's destinations must end at different Deployments (two that end at one would send
/// the other variant's share there, silently), and their weights must not all be 0.
pub fn check_rule(backends: &[Backend], at: &str) -> Result<(), String> {
    for (i, b) in backends.iter().enumerate() {
        if backends[..i]
            .iter()
            .any(|a| a.pod.deployment == b.pod.deployment)
        {
            return Err(format!(
                "{at}: two weighted destinations end at Deployment {}",
                b.pod.deployment
            ));
        }
    }
    if backends.iter().all(|b| b.weight == 0) {
        return Err(format!("{at}: every weight is 0, so nothing is served"));
    }
    Ok(())
}

/// A destination's weight, `absent` when it has none (Istio: 0, Gateway API: 1).
pub fn weight(w: &Value, absent: u32, at: &str) -> Result<u32, String> {
    match w.as_u64() {
        Some(w) => u32::try_from(w).map_err(|_| format!("{at}: weight {w} is out of range")),
        None if w.is_null() => Ok(absent),
        None => Err(format!("{at}: weight {w} is not a whole number")),
    }
}

/// The pod and container port that `port` (a port number, or the only port) of `service`
/// reaches, among the pods its selector and `subset` select.
pub fn backend(
    pods: &[Pod],
    service: &Value,
    port: Option<u64>,
    subset: &Labels,
    weight: u32,
    trail: &str,
    at: &str,
) -> Result<Backend, String> {
    let svc = objects::describe(service);
    let ports = service["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let service_port = match port {
        Some(n) => ports.iter().find(|p| p["port"].as_u64() == Some(n)),
        None if ports.len() == 1 => ports.first(),
        None => None,
    }
    .ok_or_else(|| {
        format!(
            "{at}: {svc} has no port {}",
            port.map_or("(only one)".to_owned(), |n| n.to_string())
        )
    })?;
    let number = service_port["port"].as_u64().unwrap_or(0);
    let selector = objects::labels(&service["spec"]["selector"], &format!("{svc}: selector"))?;
    if selector.is_empty() {
        return Err(format!("{at}: {svc} has no selector, so no pod behind it"));
    }
    let mut wanted = selector.clone();
    for (k, v) in subset {
        if wanted
            .insert(k.clone(), v.clone())
            .is_some_and(|old| old != *v)
        {
            return Err(format!(
                "{at}: subset label {k}={v} contradicts {svc}'s selector {k}={}",
                selector[k]
            ));
        }
    }
    let ns = objects::namespace(service);
    let chosen: Vec<&Pod> = pods
        .iter()
        .filter(|p| p.namespace == ns && objects::selects(&wanted, &p.labels))
        .collect();
    let pod = match chosen.as_slice() {
        [pod] => *pod,
        [] => {
            return Err(format!(
                "{at}: {} selects no pod of the tree's Deployments",
                objects::show(&wanted)
            ));
        }
        many => {
            let mut names: Vec<&str> = many.iter().map(|p| p.deployment.as_str()).collect();
            names.sort_unstable();
            return Err(format!(
                "{at}: {} selects the pods of {names:?}; a weighted destination must be one variant",
                objects::show(&wanted)
            ));
        }
    };
    let target = &service_port["targetPort"];
    let container = match (target.as_str(), target.as_u64()) {
        (Some(name), _) => pod.ports.iter().find(|(n, _)| n == name),
        (None, Some(n)) => pod.ports.iter().find(|(_, p)| u64::from(*p) == n),
        (None, None) => pod.ports.iter().find(|(_, p)| u64::from(*p) == number),
    }
    .ok_or_else(|| {
        format!(
            "{at}: {svc} port {number} targets {target}, which Deployment {} does not declare",
            pod.deployment
        )
    })?;
    if container.1 != pod.http_port() {
        return Err(format!(
            "{at}: {svc} port {number} → container port {}={}, but mlc-serve in Deployment {} answers HTTP on {}",
            container.0,
            container.1,
            pod.deployment,
            pod.http_port()
        ));
    }
    Ok(Backend {
        weight,
        pod: pod.clone(),
        port: container.1,
        trail: format!(
            "{trail} → {svc} port {number} → targetPort {target} → Deployment {} ({}) port {}={}",
            pod.deployment,
            objects::show(&wanted),
            container.0,
            container.1
        ),
    })
}
