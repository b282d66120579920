//! The core-kind schemas in `schemas/k8s/` are generated from k8s-openapi: this test
//! regenerates them and fails when the committed file differs.
//! `MLC_BLESS=1 cargo test --test schema_drift` rewrites it.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, LimitRange, Namespace, PersistentVolumeClaim, PodSpec, ResourceQuota,
    Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The Kubernetes quantity grammar (the pattern the apiserver's CRD schemas use).
const QUANTITY: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";
const DEFINITIONS_ID: &str = "https://mlc.invalid/schemas/k8s/definitions.json";

fn strip_descriptions(schema: &mut Value) {
    mlc::schema::walk(schema, &mut |node| {
        if let Value::Object(map) = node
            && map.get("description").is_some_and(Value::is_string)
        {
            map.remove("description");
        }
    });
}

/// A copy of a definition with no `required` list and no closing keyword, for hand-written
/// schemas that inline its fields (a KServe predictor is a PodSpec plus its own fields) and
/// close themselves with `propertyNames` (the `mlc.names.*` lists below).
fn open_variant(defs: &Map<String, Value>, name: &str) -> Value {
    let mut def = defs.get(name).cloned().expect("definition exists");
    if let Value::Object(map) = &mut def {
        map.remove("required");
        map.remove("additionalProperties");
    }
    def
}

/// The Ingress rules that k8s-openapi's types leave to plain strings and optional fields, as
/// the API server's validation and the field documentation of Kubernetes v1.33 state them:
/// `pathType` is `Exact`, `Prefix` or `ImplementationSpecific`; a path begins with `/`; a
/// backend is a `service` or a `resource`, not both; a Service port is a `name` or a
/// `number`, not both.
fn tighten_ingress(defs: &mut Map<String, Value>) {
    let path = &mut defs["io.k8s.api.networking.v1.HTTPIngressPath"]["properties"];
    path["pathType"] = json!({"enum": ["Exact", "Prefix", "ImplementationSpecific"]});
    path["path"] = json!({"type": "string", "pattern": "^/"});
    for one_of in [
        "io.k8s.api.networking.v1.IngressBackend",
        "io.k8s.api.networking.v1.ServiceBackendPort",
    ] {
        let def = &mut defs[one_of];
        def["minProperties"] = json!(1);
        def["maxProperties"] = json!(1);
    }
}

fn generate() -> String {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    generator.subschema_for::<ConfigMap>();
    generator.subschema_for::<Deployment>();
    generator.subschema_for::<HorizontalPodAutoscaler>();
    generator.subschema_for::<Ingress>();
    generator.subschema_for::<LimitRange>();
    generator.subschema_for::<Namespace>();
    generator.subschema_for::<ResourceQuota>();
    generator.subschema_for::<NetworkPolicy>();
    generator.subschema_for::<PersistentVolumeClaim>();
    generator.subschema_for::<PodDisruptionBudget>();
    generator.subschema_for::<PriorityClass>();
    generator.subschema_for::<Secret>();
    generator.subschema_for::<Service>();
    generator.subschema_for::<ServiceAccount>();
    generator.subschema_for::<PodSpec>();
    generator.subschema_for::<Container>();
    let mut defs = generator.take_definitions(true);
    defs.insert(
        "io.k8s.apimachinery.pkg.api.resource.Quantity".into(),
        json!({"type": ["string", "number"], "pattern": QUANTITY}),
    );
    defs.insert(
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString".into(),
        json!({"type": ["string", "integer"]}),
    );
    let defs = Value::Object(defs);
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": DEFINITIONS_ID,
        "$comment": "GENERATED from k8s-openapi (v1_33) by tests/schema_drift.rs: do not edit; MLC_BLESS=1 cargo test --test schema_drift",
        "$defs": defs,
    });
    strip_descriptions(&mut root);
    mlc::schema::close_objects(&mut root);
    tighten_ingress(root["$defs"].as_object_mut().expect("defs"));
    let defs = root["$defs"].as_object().cloned().expect("defs");
    let open_pod = open_variant(&defs, "io.k8s.api.core.v1.PodSpec");
    let open_container = open_variant(&defs, "io.k8s.api.core.v1.Container");
    let map = root["$defs"].as_object_mut().expect("defs");
    let names = |def: &Value| {
        let keys: Vec<Value> = def["properties"]
            .as_object()
            .map(|m| m.keys().map(|k| Value::from(k.as_str())).collect())
            .unwrap_or_default();
        json!({ "enum": keys })
    };
    map.insert("mlc.names.PodSpec".into(), names(&open_pod));
    map.insert("mlc.names.Container".into(), names(&open_container));
    map.insert("mlc.open.PodSpec".into(), open_pod);
    map.insert("mlc.open.Container".into(), open_container);
    // Sorted keys whatever serde_json's map order is, so the file is stable.
    let sorted: Value =
        serde_json::from_str(&serde_json::to_string(&root).expect("json")).expect("json");
    let mut text = serde_json::to_string_pretty(&sort(sorted)).expect("json");
    text.push('\n');
    text
}

fn sort(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: std::collections::BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sort(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(list) => Value::Array(list.into_iter().map(sort).collect()),
        other => other,
    }
}

#[test]
fn generated_core_schemas_match_the_committed_files() {
    let path = support::repo().join("schemas/k8s/definitions.json");
    let fresh = generate();
    if support::bless() {
        std::fs::write(&path, &fresh).expect("write schemas/k8s/definitions.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date with k8s-openapi: run `MLC_BLESS=1 cargo test --test schema_drift` and review the diff",
        path.display()
    );
}
