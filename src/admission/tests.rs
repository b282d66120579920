use serde_json::{Value, json};

use super::check;

fn codes(objects: &[Value]) -> Vec<(usize, &'static str, String)> {
    let refs: Vec<&Value> = objects.iter().collect();
    check(&refs)
        .into_iter()
        .map(|v| (v.object, v.code, v.pointer))
        .collect()
}

fn isvc(annotations: &Value, spec: &Value) -> Value {
    json!({
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "m", "namespace": "ns", "annotations": annotations},
        "spec": spec,
    })
}

fn scaled_object(target: &str, spec: Value) -> Value {
    let mut spec = spec;
    spec["scaleTargetRef"] = json!({"name": target});
    json!({
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "so", "namespace": "ns"},
        "spec": spec,
    })
}

fn hpa(target: &str) -> Value {
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}, "maxReplicas": 3},
    })
}

const KAFKA: &str = "kafka";

fn trigger(kind: &str) -> Value {
    json!([{"type": kind, "metadata": {}}])
}

#[test]
fn canaries_each_rule_once() {
    let spec = json!({
        "predictor": {"name": "main", "minReplicas": 1, "model": {}},
        "canary": [
            {"trafficPercent": 60, "predictor": {"name": "main", "model": {}}},
            {"trafficPercent": 50, "predictor": {"minReplicas": 2, "scaleMetric": "cpu", "model": {}}},
        ],
    });
    let found = codes(&[isvc(
        &json!({"serving.kserve.io/deploymentMode": "Standard"}),
        &spec,
    )]);
    let pointers: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/spec/canary",
            "/spec/canary/0/predictor/name",
            "/spec/canary/1/predictor",
            "/spec/canary/1/predictor/minReplicas",
            "/spec/canary/1/predictor/scaleMetric",
        ]
    );
    assert!(found.iter().all(|f| f.1 == "E0407"));
}

#[test]
fn knative_mode_allows_no_canary_list_and_ignores_the_class() {
    let spec = json!({"predictor": {"model": {}}, "canary": [{"trafficPercent": 10, "predictor": {"name": "c"}}]});
    let annotations = json!({"serving.kserve.io/deploymentMode": "Knative", "serving.kserve.io/autoscalerClass": "kpa"});
    assert_eq!(
        codes(&[isvc(&annotations, &spec)]),
        [(0, "E0407", "/spec/canary".into())]
    );
}

#[test]
fn keda_rules() {
    let resource_only = scaled_object("d", json!({"triggers": trigger("cpu")}));
    assert_eq!(codes(&[resource_only])[0].1, "E0411");
    let idle = scaled_object(
        "d",
        json!({"triggers": trigger(KAFKA), "idleReplicaCount": 0}),
    );
    assert_eq!(
        codes(&[idle]),
        [(0, "E0412", "/spec/idleReplicaCount".into())]
    );
    let fallback = scaled_object(
        "d",
        json!({"triggers": trigger("memory"), "minReplicaCount": 1, "fallback": {"failureThreshold": 3, "replicas": 1}}),
    );
    assert_eq!(codes(&[fallback]), [(0, "E0413", "/spec/fallback".into())]);
    let modifiers = scaled_object(
        "d",
        json!({"triggers": trigger("memory"), "minReplicaCount": 1, "fallback": {"failureThreshold": 3, "replicas": 1},
               "advanced": {"scalingModifiers": {"formula": "a", "target": "1"}}}),
    );
    assert!(codes(&[modifiers]).is_empty());
}

#[test]
fn behaviour_bounds_in_an_hpa_and_a_scaled_object() {
    let mut h = hpa("d");
    h["spec"]["behavior"] = json!({"scaleUp": {"stabilizationWindowSeconds": 3601}});
    let so = scaled_object(
        "e",
        json!({"triggers": trigger(KAFKA), "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 0}]}}}}}),
    );
    let found = codes(&[h, so]);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|f| f.1 == "E0414"));
}

#[test]
fn one_scaler_per_workload_unless_taken_over() {
    let so = scaled_object(
        "d",
        json!({"triggers": trigger(KAFKA), "minReplicaCount": 1}),
    );
    assert_eq!(
        codes(&[hpa("d"), so.clone()]),
        [(1, "E0415", "/spec/scaleTargetRef".into())]
    );
    let mut adopting = so;
    adopting["metadata"]["annotations"] =
        json!({"scaledobject.keda.sh/transfer-hpa-ownership": "true"});
    adopting["spec"]["advanced"] = json!({"horizontalPodAutoscalerConfig": {"name": "h"}});
    assert!(codes(&[hpa("d"), adopting]).is_empty());
    // Another namespace is another workload.
    let mut other = hpa("d");
    other["metadata"]["namespace"] = json!("elsewhere");
    assert!(codes(&[hpa("d"), other]).is_empty());
}

#[test]
fn kserve_makes_the_scaler_of_classes_hpa_and_keda() {
    let standard = |class: &str| {
        isvc(
            &json!({"serving.kserve.io/deploymentMode": "Standard", "serving.kserve.io/autoscalerClass": class}),
            &json!({"predictor": {"model": {}}}),
        )
    };
    let so = scaled_object(
        "m-predictor",
        json!({"triggers": trigger(KAFKA), "minReplicaCount": 1}),
    );
    assert_eq!(codes(&[standard("hpa"), so.clone()])[0].1, "E0415");
    assert!(codes(&[standard("external"), so]).is_empty());
}

#[test]
fn gpu_placement_needs_a_gpu_request() {
    let deployment = |resources: Value| {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "ns"},
            "spec": {"template": {"spec": {
                "containers": [{"name": "c", "resources": resources}],
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "nvidia.com/gpu.product", "operator": "In", "values": ["Tesla-T4"]}]}
                ]}}},
            }}},
        })
    };
    let found = codes(&[deployment(json!({"requests": {"cpu": "1"}}))]);
    assert_eq!(
        found,
        [(0, "E0416", "/spec/template/spec/tolerations/0".into())]
    );
    assert!(codes(&[deployment(json!({"limits": {"nvidia.com/gpu": 1}}))]).is_empty());
    assert!(codes(&[deployment(json!({"limits": {"nvidia.com/mig-1g.10gb": 1}}))]).is_empty());
}

#[test]
fn objects_without_the_fields_pass() {
    let bare = [
        json!({}),
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject"}),
        json!({"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService"}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": []}),
    ];
    assert!(codes(&bare).is_empty());
}

fn graph(name: &str, nodes: &Value) -> Value {
    json!({
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "InferenceGraph",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"nodes": nodes},
    })
}

#[test]
fn inference_graph_rules_of_kserves_webhook() {
    let good = graph(
        "chain",
        &json!({"root": {"routerType": "Splitter", "steps": [
            {"name": "a", "serviceName": "a", "weight": 70},
            {"name": "b", "nodeName": "n", "weight": 30},
        ]}, "n": {"routerType": "Sequence", "steps": [{"serviceUrl": "http://x"}]}}),
    );
    assert!(codes(&[good]).is_empty());
    let no_root = graph(
        "chain",
        &json!({"start": {"routerType": "Sequence", "steps": [{"serviceName": "a"}]}}),
    );
    assert_eq!(codes(&[no_root]), [(0, "E0417", "/spec/nodes".to_owned())]);
    let bad = graph(
        "Chain",
        &json!({"root": {"routerType": "Splitter", "steps": [
            {"name": "a", "serviceName": "a", "nodeName": "n", "weight": 70},
            {"name": "a", "weight": 20},
        ]}}),
    );
    let found = codes(&[bad]);
    let pointers: Vec<&str> = found.iter().map(|(_, _, p)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/metadata/name",
            "/spec/nodes/root/steps",
            "/spec/nodes/root/steps/0",
            "/spec/nodes/root/steps/1",
            "/spec/nodes/root/steps/1/name",
        ]
    );
    let missing_weight = graph(
        "chain",
        &json!({"root": {"routerType": "Splitter", "steps": [{"serviceName": "a", "weight": 100}, {"serviceName": "b"}]}}),
    );
    assert_eq!(
        codes(&[missing_weight]),
        [(0, "E0417", "/spec/nodes/root/steps/1".to_owned())]
    );
}

fn sdep(predictors: &Value) -> Value {
    json!({
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": "m", "namespace": "ns"},
        "spec": {"predictors": predictors},
    })
}

#[test]
fn seldon_deployment_traffic_and_shadows() {
    let g = json!({"name": "m"});
    let ok = sdep(
        &json!([{"name": "a", "graph": g, "traffic": 75}, {"name": "b", "graph": g, "traffic": 25}]),
    );
    assert!(codes(&[ok]).is_empty());
    let alone = sdep(&json!([{"name": "a", "graph": g}]));
    assert!(codes(&[alone]).is_empty());
    let short = sdep(
        &json!([{"name": "a", "graph": g, "traffic": 75}, {"name": "a", "graph": g, "traffic": 5}]),
    );
    assert_eq!(
        codes(&[short]),
        [
            (0, "E0418", "/spec/predictors".to_owned()),
            (0, "E0418", "/spec/predictors/1/name".to_owned()),
        ]
    );
    let lone = sdep(
        &json!([{"name": "a", "graph": g, "traffic": 50}, {"name": "s", "graph": g, "shadow": true}]),
    );
    assert_eq!(
        codes(&[lone]),
        [(0, "E0418", "/spec/predictors/0/traffic".to_owned())]
    );
    let only_shadow = sdep(&json!([{"name": "s", "graph": g, "shadow": true}]));
    assert_eq!(
        codes(&[only_shadow]),
        [(0, "E0418", "/spec/predictors".to_owned())]
    );
}

#[test]
fn experiment_rules_of_seldons_scheduler() {
    let exp = |spec: Value| {
        json!({"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "Experiment",
               "metadata": {"name": "e", "namespace": "ns"}, "spec": spec})
    };
    let ok = exp(
        json!({"default": "a", "candidates": [{"name": "a", "weight": 1}, {"name": "b", "weight": 1}]}),
    );
    assert!(codes(&[ok]).is_empty());
    let bad = exp(
        json!({"default": "c", "candidates": [{"name": "a", "weight": 1}, {"name": "a", "weight": 1}]}),
    );
    assert_eq!(
        codes(&[bad]),
        [
            (0, "E0419", "/spec/candidates/1/name".to_owned()),
            (0, "E0419", "/spec/default".to_owned()),
        ]
    );
    let empty = exp(json!({"candidates": []}));
    assert_eq!(
        codes(&[empty]),
        [(0, "E0419", "/spec/candidates".to_owned())]
    );
}
