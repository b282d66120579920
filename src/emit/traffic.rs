//! The router and exposure objects of a model, a function of its traffic and expose plans
//! (DESIGN §8.15): Istio's DestinationRule and VirtualService, Gateway API's HTTPRoute, the
//! Ingress and the external Service. Facts: observability-traffic §3 (Istio), §4 (Gateway
//! API); the Ingress is the core `networking.k8s.io/v1` kind.

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use serde_json::{Value, json};

use super::meta::Owner;
use super::object::to_value;
use crate::model::plan::{Backend, ExposePlan, Plan, SERVICE_PORT, Split, TrafficPlan};
use crate::model::{Expose, GatewayRef, Model};

/// Istio's reserved gateway name for the sidecars of the mesh.
const MESH: &str = "mesh";

/// The router and exposure objects of `model`, with their file stems.
pub(super) fn objects(owner: &Owner<'_>, model: &Model, plan: &Plan) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let timeout = model
        .timeout
        .as_ref()
        .map(|t| format!("{}s", t.value.millis / 1000));
    let traffic = plan.traffic.as_ref();
    let expose = plan.expose.as_ref();
    match traffic.map(|t| (&t.split, t)) {
        Some((Split::Istio { gateway }, t)) => {
            out.push(("destinationrule".into(), destination_rule(owner, plan, t)));
            let hosts: Vec<&str> = match gateway {
                Some(_) => expose.and_then(|e| e.expose.host()).into_iter().collect(),
                None => Vec::new(),
            };
            out.push((
                "virtualservice".into(),
                virtual_service(owner, plan, t, gateway.as_ref(), &hosts, timeout.as_deref()),
            ));
        }
        Some((Split::GatewayApi { parent }, t)) => {
            // One route: the exposure's host and path, when it is a gateway route too.
            let (mut parents, host, path) = match expose.map(|e| &e.expose) {
                Some(Expose::Gateway {
                    parent: p,
                    host,
                    path,
                }) => (
                    vec![p.clone()],
                    host.as_ref().map(|h| h.value.as_str()),
                    path.value.as_str(),
                ),
                _ => (Vec::new(), None, "/"),
            };
            if !parents.iter().any(|p| p.reference() == parent.reference()) {
                parents.insert(0, parent.clone());
            }
            let backends: Vec<Backend> = t
                .variants
                .iter()
                .map(|v| Backend {
                    service: v.service.clone(),
                    port: SERVICE_PORT,
                    weight: v.weight,
                })
                .collect();
            let route = Route {
                parents: &parents,
                host,
                path,
                backends: &backends,
                timeout: timeout.as_deref(),
            };
            out.push(("httproute".into(), http_route(owner, plan, &route)));
        }
        Some((Split::Target, _)) | None => {}
    }
    let routed_by_gateway_api =
        traffic.is_some_and(|t| matches!(t.split, Split::GatewayApi { .. }));
    if let Some(e) = expose {
        match &e.expose {
            Expose::Ingress { .. } => out.push(("ingress".into(), ingress(owner, plan, e))),
            Expose::Gateway { parent, host, path } if !routed_by_gateway_api => {
                let route = Route {
                    parents: std::slice::from_ref(parent),
                    host: host.as_ref().map(|h| h.value.as_str()),
                    path: &path.value,
                    backends: &e.backends,
                    timeout: timeout.as_deref(),
                };
                out.push(("httproute".into(), http_route(owner, plan, &route)));
            }
            Expose::Gateway { .. } | Expose::Service(_) => {}
        }
    }
    out
}

fn metadata(owner: &Owner<'_>, kind: &str, plan: &Plan, name: &str) -> Value {
    to_value(&owner.meta(kind, name, Some(&plan.namespace)))
}

/// One subset per variant, selected by its `mlc/variant` label.
fn destination_rule(owner: &Owner<'_>, plan: &Plan, t: &TrafficPlan) -> Value {
    let subsets: Vec<Value> = t
        .variants
        .iter()
        .map(|v| {
            json!({
                "name": v.name,
                "labels": { crate::model::plan::VARIANT_LABEL: v.name },
            })
        })
        .collect();
    json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": metadata(owner, "DestinationRule", plan, plan.workload.name()),
        "spec": { "host": t.host, "subsets": subsets },
    })
}

/// The weights over the subsets; for the mesh, and the Istio Gateway when one is named
/// (`mesh` then listed too, or sidecars would lose the route: facts §3).
fn virtual_service(
    owner: &Owner<'_>,
    plan: &Plan,
    t: &TrafficPlan,
    gateway: Option<&GatewayRef>,
    extra_hosts: &[&str],
    timeout: Option<&str>,
) -> Value {
    let route: Vec<Value> = t
        .variants
        .iter()
        .map(|v| {
            json!({
                "destination": {
                    "host": t.host,
                    "subset": v.name,
                    "port": { "number": SERVICE_PORT },
                },
                "weight": v.weight,
            })
        })
        .collect();
    let mut http = json!({ "route": route });
    if let Some(t) = timeout {
        http["timeout"] = json!(t);
    }
    let mut hosts = vec![t.host.clone()];
    hosts.extend(extra_hosts.iter().map(|h| (*h).to_owned()));
    let mut spec = json!({ "hosts": hosts, "http": [http] });
    if let Some(g) = gateway {
        spec["gateways"] = json!([MESH, g.reference()]);
    }
    json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": metadata(owner, "VirtualService", plan, plan.workload.name()),
        "spec": spec,
    })
}

/// What one HTTPRoute says.
struct Route<'a> {
    parents: &'a [GatewayRef],
    host: Option<&'a str>,
    path: &'a str,
    backends: &'a [Backend],
    timeout: Option<&'a str>,
}

/// An HTTPRoute: the path prefix to weighted Service backends (each with its port, which
/// Gateway API requires for a Service: facts §4), attached to the parent Gateways.
fn http_route(owner: &Owner<'_>, plan: &Plan, route: &Route<'_>) -> Value {
    let parents: Vec<Value> = route
        .parents
        .iter()
        .map(|p| {
            let mut v = json!({ "name": p.name });
            if let Some(ns) = p.namespace.as_ref().filter(|ns| **ns != plan.namespace) {
                v["namespace"] = json!(ns);
            }
            v
        })
        .collect();
    let backends: Vec<Value> = route
        .backends
        .iter()
        .map(|b| json!({ "name": b.service, "port": b.port, "weight": b.weight }))
        .collect();
    let mut rule = json!({
        "matches": [{ "path": { "type": "PathPrefix", "value": route.path } }],
        "backendRefs": backends,
    });
    if let Some(t) = route.timeout {
        rule["timeouts"] = json!({ "request": t });
    }
    let mut spec = json!({ "parentRefs": parents, "rules": [rule] });
    if let Some(h) = route.host {
        spec["hostnames"] = json!([h]);
    }
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata(owner, "HTTPRoute", plan, plan.workload.name()),
        "spec": spec,
    })
}

/// The Ingress of `expose ingress`: the host and path prefix to the model's Service.
fn ingress(owner: &Owner<'_>, plan: &Plan, e: &ExposePlan) -> Value {
    let Expose::Ingress {
        class,
        host,
        path,
        tls_secret,
        ..
    } = &e.expose
    else {
        return Value::Null;
    };
    let backend = e
        .backends
        .first()
        .map_or_else(|| plan.workload.name().to_owned(), |b| b.service.clone());
    let ingress = Ingress {
        metadata: owner.meta("Ingress", &e.name, Some(&plan.namespace)),
        spec: Some(IngressSpec {
            ingress_class_name: Some(class.value.clone()),
            rules: Some(vec![IngressRule {
                host: Some(host.value.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some(path.value.clone()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: backend,
                                port: Some(ServiceBackendPort {
                                    number: Some(i32::from(SERVICE_PORT)),
                                    name: None,
                                }),
                            }),
                            resource: None,
                        },
                    }],
                }),
            }]),
            tls: tls_secret.as_ref().map(|s| {
                vec![IngressTLS {
                    hosts: Some(vec![host.value.clone()]),
                    secret_name: Some(s.clone()),
                }]
            }),
            default_backend: None,
        }),
        status: None,
    };
    to_value(&ingress)
}
