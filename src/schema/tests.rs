//! Unit tests of the embedded schemas: every kind compiles, accepts a good object and
//! rejects a deliberately broken one (what `mlc build` reports as E0401).

use serde_json::{Value, json};

use super::{SchemaError, ValidateError, embedded};

fn errors(object: &Value) -> Vec<SchemaError> {
    match embedded().validate(object) {
        Ok(()) => Vec::new(),
        Err(ValidateError::Invalid(errors)) => errors,
        Err(other) => panic!("unexpected {other:?}"),
    }
}

/// Sets `pointer` in `object`, creating the last key in its parent.
fn set(object: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    match object.pointer_mut(parent).expect("parent exists") {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(list) => list[key.parse::<usize>().expect("index")] = value,
        _ => panic!("{parent} is a scalar"),
    }
}

fn isvc() -> Value {
    json!({
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "bert", "annotations": {"serving.kserve.io/deploymentMode": "Standard"}},
        "spec": {"predictor": {
            "minReplicas": 1, "maxReplicas": 3, "scaleMetric": "cpu", "scaleTarget": 70,
            "serviceAccountName": "bert", "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            "model": {
                "modelFormat": {"name": "onnx", "version": "1"},
                "runtime": "mlc-onnx", "protocolVersion": "v2", "storageUri": "s3://m/bert",
                "resources": {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "4Gi", "nvidia.com/gpu": 1}},
                "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": 8080}}
            }
        },
        "canary": [{"trafficPercent": 10, "predictor": {"name": "next", "model": {
            "name": "kserve-container", "modelFormat": {"name": "onnx"}, "storageUri": "s3://m/bert2"}}}]}
    })
}

#[test]
fn every_embedded_schema_compiles() {
    for (api_version, kind) in embedded().kinds() {
        let object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
        // Any verdict is fine; a schema that does not compile reports so at the root.
        let errors = errors(&object);
        assert!(
            !errors
                .iter()
                .any(|e| e.message.contains("does not compile")),
            "{api_version} {kind}: {errors:?}"
        );
    }
}

#[test]
fn accepts_a_good_inference_service() {
    assert_eq!(errors(&isvc()), Vec::new());
}

/// What `mlc build` reports as E0401: an emitter typo and a wrong type are both caught.
#[test]
fn rejects_a_broken_emitted_object() {
    let mut object = isvc();
    object["spec"]["predictor"]["minReplica"] = json!(0);
    object["spec"]["predictor"]["maxReplicas"] = json!("3");
    let errors = errors(&object);
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/spec/predictor/maxReplicas", "/spec/predictor/minReplica"],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("expected integer"), "{errors:?}");
    assert_eq!(errors[1].message, "unknown field `minReplica`");
}

#[test]
fn inference_service_constraints() {
    let cases = [
        ("/spec/predictor/scaleMetric", json!("gpu")),
        ("/spec/canary/0/trafficPercent", json!(101)),
        ("/spec/predictor/minReplicas", json!(-1)),
        ("/spec/predictor/name", json!("Bad_Name")),
    ];
    for (pointer, value) in cases {
        let mut object = isvc();
        set(&mut object, pointer, value);
        assert!(
            errors(&object).iter().any(|e| e.pointer == pointer),
            "{pointer} not rejected"
        );
    }
    let mut object = isvc();
    object["spec"]["canary"][0]["predictor"]
        .as_object_mut()
        .map(|p| p.remove("name"));
    assert!(!errors(&object).is_empty(), "canary predictor without name");
    let mut object = isvc();
    object["spec"]["canary"][0]["predictor"]["model"]
        .as_object_mut()
        .map(|p| p.remove("name"));
    assert!(
        !errors(&object).is_empty(),
        "canary model without container name"
    );
}

fn scaled_object() -> Value {
    json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": {"name": "bert"},
        "spec": {
            "scaleTargetRef": {"name": "bert-predictor"},
            "minReplicaCount": 0, "maxReplicaCount": 4,
            "triggers": [{"type": "kafka", "metadata": {"bootstrapServers": "k:9092", "consumerGroup": "g", "topic": "t", "lagThreshold": "50"},
                          "authenticationRef": {"name": "kafka"}}]
        }
    })
}

#[test]
fn scaled_object_constraints() {
    assert_eq!(errors(&scaled_object()), Vec::new());
    for (pointer, value) in [
        ("/spec/triggers/0/metadata/lagThreshold", json!(50)),
        ("/spec/minReplicaCount", json!(-1)),
        ("/spec/maxReplicaCount", json!(0)),
        ("/spec/triggers", json!([])),
        ("/spec/triggers/0/authenticationRef/kind", json!("Secret")),
    ] {
        let mut object = scaled_object();
        set(&mut object, pointer, value);
        assert!(!errors(&object).is_empty(), "{pointer} not rejected");
    }
}

#[test]
fn trigger_authentication_and_serving_runtime_constraints() {
    let good = json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication", "metadata": {"name": "kafka"},
        "spec": {"secretTargetRef": [{"parameter": "sasl", "name": "s", "key": "sasl"}], "podIdentity": {"provider": "aws"}}
    });
    assert_eq!(errors(&good), Vec::new());
    let mut bad = good.clone();
    bad["spec"]["podIdentity"]["provider"] = json!("azure");
    bad["spec"]["secretTargetRef"][0]
        .as_object_mut()
        .map(|m| m.remove("key"));
    assert_eq!(errors(&bad).len(), 2, "{:?}", errors(&bad));

    let runtime = json!({
        "apiVersion": "serving.kserve.io/v1alpha1", "kind": "ServingRuntime", "metadata": {"name": "mlc-onnx"},
        "spec": {"supportedModelFormats": [{"name": "onnx", "autoSelect": true, "priority": 1}],
                 "protocolVersions": ["v2"],
                 "containers": [{"name": "kserve-container", "image": "mlc/server:1"}]}
    });
    assert_eq!(errors(&runtime), Vec::new());
    let mut bad = runtime.clone();
    bad["spec"]["serviceAccountName"] = json!("x");
    bad["spec"]["supportedModelFormats"][0]["priority"] = json!(0);
    assert_eq!(errors(&bad).len(), 2, "{:?}", errors(&bad));
}

#[test]
fn core_kinds_are_strict_and_type_quantities() {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "strategy": {"rollingUpdate": {"maxUnavailable": "25%"}},
                 "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "w", "image": "i",
                   "ports": [{"name": "http", "containerPort": 8080}],
                   "livenessProbe": {"httpGet": {"port": "http", "path": "/"}},
                   "resources": {"limits": {"cpu": 1, "memory": "1Gi"}}}]}}}
    });
    assert_eq!(errors(&deployment), Vec::new());
    for (pointer, value) in [
        (
            "/spec/template/spec/containers/0/resources/limits/memory",
            json!({"a": 1}),
        ),
        (
            "/spec/template/spec/containers/0/resources/limits/cpu",
            json!("one"),
        ),
        ("/spec/strategy/rollingUpdate/maxUnavailable", json!(true)),
        ("/spec/template/spec/nodeSelectr", json!({})),
    ] {
        let mut object = deployment.clone();
        set(&mut object, pointer, value);
        assert!(!errors(&object).is_empty(), "{pointer} not rejected");
    }
}

#[test]
fn unknown_kinds_are_reported_as_such() {
    let object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
    assert_eq!(
        embedded().validate(&object),
        Err(ValidateError::UnknownKind {
            api_version: "v1".into(),
            kind: "Pod".into()
        })
    );
}
