//! Backends: an HTTPRoute backendRef or an Ingress backend names a Service checked with it,
//! and a port that Service has (E0422).

use serde_json::Value;

use super::{Index, PREDICTOR_PORT, Ports, Space, array, listed};
use crate::admission::{Found, int_at, namespace, text_at};

const SOURCE: &str = "Gateway API v1.6 HTTPBackendRef (CEL `Must have port for Service reference`), Kubernetes v1.33 IngressServiceBackend; observability-traffic-facts §4; KServe predictor Services (`<name>-predictor`)";

/// The port a backend names.
enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

/// Where a backend is: its pointer, and its port's.
struct At {
    backend: String,
    port: String,
}

impl At {
    fn new(backend: String) -> Self {
        let port = format!("{backend}/port");
        At { backend, port }
    }
}

/// The ports of a Service, for a message.
fn port_list(ports: &Ports<'_>) -> String {
    match ports {
        Ports::Listed(ports) => listed(ports.iter().map(|(number, name)| match name {
            Some(name) => format!("{number} ({name})"),
            None => number.to_string(),
        })),
        Ports::Predictor => format!("`{PREDICTOR_PORT}`"),
    }
}

/// E0422 for one backend: the Service `service` of `space` (namespace `ns`) exists and has
/// `port`.
fn backend(
    space: &Space<'_>,
    (ns, service): (&str, &str),
    port: Option<PortRef<'_>>,
    at: At,
    found: &mut Found<'_>,
) {
    let Some(port) = port else {
        found.push(
            "E0422",
            at.backend,
            format!("the backend Service `{service}` has no port"),
            "set the Service's port (`port: 80` on a backendRef, `port: {number: 80}` on an Ingress backend), not the container's",
            SOURCE,
        );
        return;
    };
    let Some(ports) = space.services.get(service) else {
        found.push(
            "E0422",
            format!("{}/name", at.backend),
            format!("the backend Service `{ns}/{service}` is not among the objects checked together"),
            "name a Service emitted beside the route (a KServe model's predictor Service is `<name>-predictor`), or check the Service's manifest with the route",
            SOURCE,
        );
        return;
    };
    let has = match (&port, ports) {
        (PortRef::Number(n), Ports::Listed(listed)) => listed.iter().any(|(p, _)| p == n),
        (PortRef::Name(n), Ports::Listed(listed)) => listed.iter().any(|(_, p)| *p == Some(*n)),
        (PortRef::Number(n), Ports::Predictor) => *n == PREDICTOR_PORT,
        (PortRef::Name(_), Ports::Predictor) => true,
    };
    if !has {
        let wanted = match port {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(n) => format!("`{n}`"),
        };
        found.push(
            "E0422",
            at.port,
            format!("the Service `{service}` has no port {wanted}"),
            format!("name one of its ports: {}", port_list(ports)),
            SOURCE,
        );
    }
}

/// E0422 over an HTTPRoute's backendRefs to Services (`kind` Service of the core group, the
/// defaults); a backend in another namespace is looked up there.
pub(super) fn route(object: &Value, index: &Index<'_>, found: &mut Found<'_>) {
    for (i, rule) in array(object, "/spec/rules").iter().enumerate() {
        for (j, r) in array(rule, "/backendRefs").iter().enumerate() {
            let kind = text_at(r, "/kind").unwrap_or("Service");
            let group = text_at(r, "/group").unwrap_or_default();
            let Some(service) = text_at(r, "/name") else {
                continue;
            };
            if kind != "Service" || !group.is_empty() {
                continue;
            }
            let ns = text_at(r, "/namespace").unwrap_or_else(|| namespace(object));
            let port = int_at(r, "/port").map(PortRef::Number);
            let at = At::new(format!("/spec/rules/{i}/backendRefs/{j}"));
            backend(index.space(ns), (ns, service), port, at, found);
        }
    }
}

/// E0422 over an Ingress's default backend and path backends that name a Service.
pub(super) fn ingress(object: &Value, space: &Space<'_>, found: &mut Found<'_>) {
    let ns = namespace(object);
    let mut backends = vec!["/spec/defaultBackend/service".to_owned()];
    for (i, rule) in array(object, "/spec/rules").iter().enumerate() {
        for j in 0..array(rule, "/http/paths").len() {
            backends.push(format!("/spec/rules/{i}/http/paths/{j}/backend/service"));
        }
    }
    for pointer in backends {
        let Some(service) = object.pointer(&pointer) else {
            continue;
        };
        let Some(name) = text_at(service, "/name") else {
            continue;
        };
        let port = int_at(service, "/port/number")
            .map(PortRef::Number)
            .or_else(|| text_at(service, "/port/name").map(PortRef::Name));
        backend(space, (ns, name), port, At::new(pointer), found);
    }
}
