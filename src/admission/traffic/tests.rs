use serde_json::{Value, json};

use super::check;

/// (object index, code, pointer) of every violation.
fn found(objects: &[Value]) -> Vec<(usize, &'static str, String)> {
    let refs: Vec<&Value> = objects.iter().collect();
    check(&refs)
        .into_iter()
        .map(|v| (v.object, v.code, v.pointer))
        .collect()
}

fn meta(name: &str) -> Value {
    json!({
        "name": name,
        "namespace": "ml",
        "labels": {"app.kubernetes.io/name": "ranker", "app.kubernetes.io/instance": "ranker-prod"},
    })
}

fn service(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service", "metadata": meta(name),
        "spec": {"ports": [
            {"name": "http", "port": 80, "targetPort": "http"},
            {"name": "grpc", "port": 8081, "targetPort": "grpc"},
        ]},
    })
}

const HOST: &str = "ranker.ml.svc.cluster.local";

fn destination_rule(subsets: &[&str]) -> Value {
    let subsets: Vec<Value> = subsets
        .iter()
        .map(|s| json!({"name": s, "labels": {"mlc/variant": s}}))
        .collect();
    json!({
        "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": meta("ranker"),
        "spec": {"host": HOST, "subsets": subsets},
    })
}

fn virtual_service(host: &str, routes: &[(&str, i64)], gateways: Option<Value>) -> Value {
    let route: Vec<Value> = routes
        .iter()
        .map(|(subset, weight)| {
            json!({"destination": {"host": host, "subset": subset, "port": {"number": 80}}, "weight": weight})
        })
        .collect();
    let mut vs = json!({
        "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": meta("ranker"),
        "spec": {"hosts": [HOST], "http": [{"route": route}]},
    });
    if let Some(gateways) = gateways {
        vs["spec"]["gateways"] = gateways;
        vs["spec"]["hosts"] = json!([HOST, "ranker.example.com"]);
    }
    vs
}

fn http_route(backends: Value, hostnames: Option<Value>) -> Value {
    let mut route = json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta("ranker"),
        "spec": {
            "parentRefs": [{"name": "public", "namespace": "infra"}],
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}],
        },
    });
    route["spec"]["rules"][0]["backendRefs"] = backends;
    if let Some(hostnames) = hostnames {
        route["spec"]["hostnames"] = hostnames;
    }
    route
}

fn ingress(host: &str, backend: Value, tls_hosts: Value) -> Value {
    let mut ingress = json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("ranker"),
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {}}]}}],
            "tls": [{"secretName": "ranker-tls"}],
        },
    });
    ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"] = backend;
    ingress["spec"]["tls"][0]["hosts"] = tls_hosts;
    ingress
}

fn isvc(predictor_name: Option<&str>, canary: &str) -> Value {
    let mut predictor = json!({"model": {}});
    if let Some(n) = predictor_name {
        predictor["name"] = json!(n);
    }
    json!({
        "apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": meta("ranker"),
        "spec": {"predictor": predictor, "canary": [{"trafficPercent": 10, "predictor": {"name": canary, "model": {}}}]},
    })
}

#[test]
fn the_emitted_istio_split_passes() {
    let objects = [
        service("ranker"),
        destination_rule(&["stable", "v4"]),
        virtual_service(
            HOST,
            &[("stable", 90), ("v4", 10)],
            Some(json!(["mesh", "infra/public"])),
        ),
    ];
    assert_eq!(found(&objects), []);
}

#[test]
fn a_short_destination_host_resolves_in_the_namespace() {
    let objects = [
        destination_rule(&["stable", "v4"]),
        virtual_service("ranker", &[("stable", 90), ("v4", 10)], None),
    ];
    assert_eq!(found(&objects), []);
}

#[test]
fn a_subset_no_destination_rule_defines_is_e0421() {
    let objects = [
        destination_rule(&["stable"]),
        virtual_service(HOST, &[("stable", 90), ("v4", 10)], None),
    ];
    assert_eq!(
        found(&objects),
        [(
            1,
            "E0421",
            "/spec/http/0/route/1/destination/subset".to_owned()
        )]
    );
}

#[test]
fn a_subset_without_a_destination_rule_for_its_host_is_e0421() {
    let other_namespace = {
        let mut dr = destination_rule(&["stable", "v4"]);
        dr["metadata"]["namespace"] = json!("other");
        dr
    };
    let objects = [
        other_namespace,
        virtual_service(HOST, &[("stable", 100)], None),
    ];
    let codes: Vec<_> = found(&objects).into_iter().map(|f| f.1).collect();
    assert_eq!(codes, ["E0421"]);
}

#[test]
fn a_wildcard_destination_rule_covers_the_host() {
    let mut dr = destination_rule(&["stable"]);
    dr["spec"]["host"] = json!("*.ml.svc.cluster.local");
    let objects = [dr, virtual_service(HOST, &[("stable", 100)], None)];
    assert_eq!(found(&objects), []);
}

#[test]
fn the_emitted_gateway_api_split_passes() {
    let objects = [
        service("ranker"),
        service("ranker-v4"),
        http_route(
            json!([{"name": "ranker", "port": 80, "weight": 90}, {"name": "ranker-v4", "port": 80, "weight": 10}]),
            Some(json!(["ranker.example.com"])),
        ),
    ];
    assert_eq!(found(&objects), []);
}

#[test]
fn kserve_predictor_services_count_as_backends_on_port_80() {
    let objects = [
        isvc(Some("v1"), "v4"),
        http_route(
            json!([{"name": "ranker-v1-predictor", "port": 80, "weight": 90}, {"name": "ranker-v4-predictor", "port": 80, "weight": 10}]),
            None,
        ),
        ingress(
            "ranker.example.com",
            json!({"name": "ranker-predictor", "port": {"number": 80}}),
            json!(["ranker.example.com"]),
        ),
    ];
    assert_eq!(found(&objects), []);
    let wrong_port = [
        isvc(None, "v4"),
        http_route(json!([{"name": "ranker-v4-predictor", "port": 8080}]), None),
    ];
    assert_eq!(
        found(&wrong_port),
        [(1, "E0422", "/spec/rules/0/backendRefs/0/port".to_owned())]
    );
}

#[test]
fn a_backend_service_missing_or_without_the_port_is_e0422() {
    let objects = [
        service("ranker"),
        http_route(
            json!([
                {"name": "ranker", "port": 8080, "weight": 90},
                {"name": "ranker-v4", "port": 80, "weight": 10},
                {"name": "ranker"},
                {"name": "bucket", "kind": "StorageBucket", "group": "example.com"},
            ]),
            None,
        ),
    ];
    assert_eq!(
        found(&objects),
        [
            (1, "E0422", "/spec/rules/0/backendRefs/0/port".to_owned()),
            (1, "E0422", "/spec/rules/0/backendRefs/1/name".to_owned()),
            (1, "E0422", "/spec/rules/0/backendRefs/2".to_owned()),
        ]
    );
}

#[test]
fn a_backend_in_another_namespace_is_looked_up_there() {
    let mut elsewhere = service("shared");
    elsewhere["metadata"]["namespace"] = json!("infra");
    let objects = [
        elsewhere,
        http_route(
            json!([{"name": "shared", "namespace": "infra", "port": 80}, {"name": "shared", "port": 80}]),
            None,
        ),
    ];
    assert_eq!(
        found(&objects),
        [(1, "E0422", "/spec/rules/0/backendRefs/1/name".to_owned())]
    );
}

#[test]
fn ingress_backends_by_number_or_name() {
    let good = [
        service("ranker"),
        ingress(
            "ranker.example.com",
            json!({"name": "ranker", "port": {"name": "grpc"}}),
            json!(["ranker.example.com"]),
        ),
    ];
    assert_eq!(found(&good), []);
    let mut bad = [
        service("ranker"),
        ingress(
            "ranker.example.com",
            json!({"name": "ranker", "port": {"name": "metrics"}}),
            json!(["ranker.example.com"]),
        ),
    ];
    bad[1]["spec"]["defaultBackend"] = json!({"service": {"name": "ranker"}});
    assert_eq!(
        found(&bad),
        [
            (1, "E0422", "/spec/defaultBackend/service".to_owned()),
            (
                1,
                "E0422",
                "/spec/rules/0/http/paths/0/backend/service/port".to_owned()
            ),
        ]
    );
}

#[test]
fn tls_hosts_outside_the_rules_are_e0423() {
    let backend = json!({"name": "ranker", "port": {"number": 80}});
    let good = [
        service("ranker"),
        ingress(
            "*.example.com",
            backend.clone(),
            json!(["ranker.example.com"]),
        ),
    ];
    assert_eq!(found(&good), []);
    let bad = [
        service("ranker"),
        ingress(
            "*.example.com",
            backend,
            json!(["a.b.example.com", "ranker.example.com"]),
        ),
    ];
    assert_eq!(
        found(&bad),
        [(1, "E0423", "/spec/tls/0/hosts/0".to_owned())]
    );
}

#[test]
fn one_model_exposed_under_two_sets_of_hosts_is_e0423() {
    let objects = |hostnames: Value| {
        [
            service("ranker"),
            http_route(json!([{"name": "ranker", "port": 80}]), Some(hostnames)),
            ingress(
                "ranker.example.com",
                json!({"name": "ranker", "port": {"number": 80}}),
                json!(["ranker.example.com"]),
            ),
        ]
    };
    assert_eq!(found(&objects(json!(["ranker.example.com"]))), []);
    assert_eq!(
        found(&objects(json!(["ranker.example.org"]))),
        [(1, "E0423", "/spec/hostnames".to_owned())]
    );
    let mut other_model = objects(json!(["ranker.example.org"]));
    other_model[2]["metadata"]["labels"]["app.kubernetes.io/instance"] = json!("ranker-dev");
    assert_eq!(found(&other_model), []);
}

#[test]
fn gateways_without_mesh_on_a_cluster_host_are_e0423() {
    let objects = [
        destination_rule(&["stable", "v4"]),
        virtual_service(
            HOST,
            &[("stable", 90), ("v4", 10)],
            Some(json!(["infra/public"])),
        ),
    ];
    assert_eq!(found(&objects), [(1, "E0423", "/spec/gateways".to_owned())]);
}

#[test]
fn istio_weights_negative_or_adding_up_to_zero_are_e0424() {
    let dr = destination_rule(&["stable", "v4"]);
    let objects = |routes: &[(&str, i64)]| [dr.clone(), virtual_service(HOST, routes, None)];
    assert_eq!(found(&objects(&[("stable", 100), ("v4", 0)])), []);
    assert_eq!(found(&objects(&[("stable", 0)])), []);
    assert_eq!(
        found(&objects(&[("stable", 0), ("v4", 0)])),
        [(1, "E0424", "/spec/http/0/route".to_owned())]
    );
    assert_eq!(
        found(&objects(&[("stable", 110), ("v4", -10)])),
        [(1, "E0424", "/spec/http/0/route/1/weight".to_owned())]
    );
}

#[test]
fn http_route_weights_all_zero_are_e0424() {
    let objects = |backends: Value| [service("ranker"), http_route(backends, None)];
    assert_eq!(
        found(&objects(
            json!([{"name": "ranker", "port": 80, "weight": 0}])
        )),
        []
    );
    assert_eq!(
        found(&objects(
            json!([{"name": "ranker", "port": 80, "weight": 0}, {"name": "ranker", "port": 80}])
        )),
        []
    );
    assert_eq!(
        found(&objects(json!([
            {"name": "ranker", "port": 80, "weight": 0},
            {"name": "ranker", "port": 8081, "weight": 0},
        ]))),
        [(1, "E0424", "/spec/rules/0/backendRefs".to_owned())]
    );
}

#[test]
fn objects_without_routes_cost_nothing_and_pass() {
    let objects = [service("ranker"), destination_rule(&["stable"])];
    assert_eq!(found(&objects), []);
}

#[test]
fn a_gateway_bound_virtual_service_exposes_the_ingress_hosts() {
    let objects = |host: &str| {
        [
            service("ranker"),
            destination_rule(&["stable", "v4"]),
            virtual_service(
                HOST,
                &[("stable", 90), ("v4", 10)],
                Some(json!(["mesh", "infra/public"])),
            ),
            ingress(
                host,
                json!({"name": "ranker", "port": {"number": 80}}),
                json!([host]),
            ),
        ]
    };
    assert_eq!(found(&objects("ranker.example.com")), []);
    assert_eq!(
        found(&objects("ranker.example.org")),
        [(2, "E0423", "/spec/hosts".to_owned())]
    );
}
