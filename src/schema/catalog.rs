//! The embedded schemas: which apiVersion/kind uses which schema, compiled once per kind.

use std::sync::{LazyLock, OnceLock};

use jsonschema::{Registry, Resource, Validator};
use serde_json::{Value, json};

use super::error::{SchemaError, ValidateError, collect_errors, name_rule};

/// Where the generated core definitions are registered (never fetched: mlc is offline).
pub(crate) const DEFINITIONS_ID: &str = "https://mlc.invalid/schemas/k8s/definitions.json";
const DEFINITIONS: &str = include_str!("../../schemas/k8s/definitions.json");

/// What one kind is checked against.
#[derive(Clone, Copy)]
enum Source {
    /// A definition in the generated core file.
    Core(&'static str),
    /// A hand-written schema file: its text.
    File(&'static str),
}

struct Entry {
    api_version: &'static str,
    kind: &'static str,
    source: Source,
    compiled: OnceLock<Result<Validator, String>>,
}

const fn entry(api_version: &'static str, kind: &'static str, source: Source) -> Entry {
    Entry {
        api_version,
        kind,
        source,
        compiled: OnceLock::new(),
    }
}

const ISVC: &str = include_str!("../../schemas/kserve/inferenceservice-serving-v1beta1.json");
const GRAPH: &str = include_str!("../../schemas/kserve/inferencegraph-serving-v1alpha1.json");
const SDEP: &str = include_str!("../../schemas/seldon/seldondeployment-machinelearning-v1.json");
const CORE2_MODEL: &str = include_str!("../../schemas/seldon/model-mlops-v1alpha1.json");
const CORE2_EXPERIMENT: &str = include_str!("../../schemas/seldon/experiment-mlops-v1alpha1.json");
const CORE2_PIPELINE: &str = include_str!("../../schemas/seldon/pipeline-mlops-v1alpha1.json");
const CORE2_SERVER: &str = include_str!("../../schemas/seldon/server-mlops-v1alpha1.json");
const RUNTIME: &str = include_str!("../../schemas/kserve/servingruntime-serving-v1alpha1.json");
const SCALED_OBJECT: &str = include_str!("../../schemas/keda/scaledobject-keda-v1alpha1.json");
const VPA: &str = include_str!("../../schemas/vpa/verticalpodautoscaler-autoscaling-v1.json");
const TRIGGER_AUTH: &str =
    include_str!("../../schemas/keda/triggerauthentication-keda-v1alpha1.json");
const PROMETHEUS_RULE: &str =
    include_str!("../../schemas/monitoring/prometheusrule-monitoring-v1.json");
const SERVICE_MONITOR: &str =
    include_str!("../../schemas/monitoring/servicemonitor-monitoring-v1.json");
const POD_MONITOR: &str = include_str!("../../schemas/monitoring/podmonitor-monitoring-v1.json");
const VIRTUAL_SERVICE: &str = include_str!("../../schemas/istio/virtualservice-networking-v1.json");
const DESTINATION_RULE: &str =
    include_str!("../../schemas/istio/destinationrule-networking-v1.json");
const HTTP_ROUTE: &str = include_str!("../../schemas/gateway-api/httproute-gateway-v1.json");

/// The embedded schemas, each compiled on first use.
pub struct Schemas {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("kinds", &self.entries.len())
            .finish()
    }
}

static REGISTRY: LazyLock<Result<Registry<'static>, String>> = LazyLock::new(|| {
    let definitions: Value = serde_json::from_str(DEFINITIONS).map_err(|e| e.to_string())?;
    Registry::new()
        .add(DEFINITIONS_ID, Resource::from_contents(definitions))
        .and_then(jsonschema::RegistryBuilder::prepare)
        .map_err(|e| e.to_string())
});

static EMBEDDED: LazyLock<Schemas> = LazyLock::new(|| Schemas {
    entries: vec![
        entry(
            "v1",
            "ConfigMap",
            Source::Core("io.k8s.api.core.v1.ConfigMap"),
        ),
        entry(
            "v1",
            "Namespace",
            Source::Core("io.k8s.api.core.v1.Namespace"),
        ),
        entry(
            "v1",
            "PersistentVolumeClaim",
            Source::Core("io.k8s.api.core.v1.PersistentVolumeClaim"),
        ),
        entry(
            "v1",
            "LimitRange",
            Source::Core("io.k8s.api.core.v1.LimitRange"),
        ),
        entry(
            "v1",
            "ResourceQuota",
            Source::Core("io.k8s.api.core.v1.ResourceQuota"),
        ),
        entry("v1", "Secret", Source::Core("io.k8s.api.core.v1.Secret")),
        entry("v1", "Service", Source::Core("io.k8s.api.core.v1.Service")),
        entry(
            "v1",
            "ServiceAccount",
            Source::Core("io.k8s.api.core.v1.ServiceAccount"),
        ),
        entry(
            "apps/v1",
            "Deployment",
            Source::Core("io.k8s.api.apps.v1.Deployment"),
        ),
        entry(
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            Source::Core("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"),
        ),
        entry(
            "networking.k8s.io/v1",
            "NetworkPolicy",
            Source::Core("io.k8s.api.networking.v1.NetworkPolicy"),
        ),
        entry(
            "networking.k8s.io/v1",
            "Ingress",
            Source::Core("io.k8s.api.networking.v1.Ingress"),
        ),
        entry(
            "policy/v1",
            "PodDisruptionBudget",
            Source::Core("io.k8s.api.policy.v1.PodDisruptionBudget"),
        ),
        entry(
            "scheduling.k8s.io/v1",
            "PriorityClass",
            Source::Core("io.k8s.api.scheduling.v1.PriorityClass"),
        ),
        entry(
            "serving.kserve.io/v1beta1",
            "InferenceService",
            Source::File(ISVC),
        ),
        entry(
            "serving.kserve.io/v1alpha1",
            "InferenceGraph",
            Source::File(GRAPH),
        ),
        entry(
            "serving.kserve.io/v1alpha1",
            "ServingRuntime",
            Source::File(RUNTIME),
        ),
        entry(
            "serving.kserve.io/v1alpha1",
            "ClusterServingRuntime",
            Source::File(RUNTIME),
        ),
        entry(
            "keda.sh/v1alpha1",
            "ScaledObject",
            Source::File(SCALED_OBJECT),
        ),
        entry(
            "keda.sh/v1alpha1",
            "TriggerAuthentication",
            Source::File(TRIGGER_AUTH),
        ),
        entry(
            "keda.sh/v1alpha1",
            "ClusterTriggerAuthentication",
            Source::File(TRIGGER_AUTH),
        ),
        entry(
            "monitoring.coreos.com/v1",
            "PrometheusRule",
            Source::File(PROMETHEUS_RULE),
        ),
        entry(
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            Source::File(SERVICE_MONITOR),
        ),
        entry(
            "monitoring.coreos.com/v1",
            "PodMonitor",
            Source::File(POD_MONITOR),
        ),
        entry(
            "autoscaling.k8s.io/v1",
            "VerticalPodAutoscaler",
            Source::File(VPA),
        ),
        entry(
            "networking.istio.io/v1",
            "VirtualService",
            Source::File(VIRTUAL_SERVICE),
        ),
        entry(
            "networking.istio.io/v1",
            "DestinationRule",
            Source::File(DESTINATION_RULE),
        ),
        entry(
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            Source::File(HTTP_ROUTE),
        ),
        entry(
            "machinelearning.seldon.io/v1",
            "SeldonDeployment",
            Source::File(SDEP),
        ),
        entry(
            "mlops.seldon.io/v1alpha1",
            "Model",
            Source::File(CORE2_MODEL),
        ),
        entry(
            "mlops.seldon.io/v1alpha1",
            "Experiment",
            Source::File(CORE2_EXPERIMENT),
        ),
        entry(
            "mlops.seldon.io/v1alpha1",
            "Pipeline",
            Source::File(CORE2_PIPELINE),
        ),
        entry(
            "mlops.seldon.io/v1alpha1",
            "Server",
            Source::File(CORE2_SERVER),
        ),
    ],
});

/// The embedded schemas, compiled once per kind on first use (thread-safe).
pub fn embedded() -> &'static Schemas {
    &EMBEDDED
}

/// Compiles `schema` against the registry holding the core definitions.
pub(crate) fn compile(schema: &Value) -> Result<Validator, String> {
    let registry = REGISTRY.as_ref().map_err(Clone::clone)?;
    jsonschema::options()
        .with_registry(registry)
        .build(schema)
        .map_err(|e| e.to_string())
}

impl Entry {
    fn validator(&self) -> Result<&Validator, String> {
        self.compiled
            .get_or_init(|| {
                let schema = match self.source {
                    Source::Core(name) => json!({
                        "$schema": "https://json-schema.org/draft/2020-12/schema",
                        "$ref": format!("{DEFINITIONS_ID}#/$defs/{name}"),
                    }),
                    Source::File(text) => serde_json::from_str(text).map_err(|e| e.to_string())?,
                };
                compile(&schema)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Schemas {
    /// Validates one object; `UnknownKind` when no schema covers its apiVersion and kind.
    pub fn validate(&self, object: &Value) -> Result<(), ValidateError> {
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        let kind = object.get("kind").and_then(Value::as_str);
        let found = self
            .entries
            .iter()
            .find(|e| Some(e.api_version) == api_version && Some(e.kind) == kind);
        let Some(entry) = found else {
            return Err(ValidateError::UnknownKind {
                api_version: api_version.unwrap_or_default().to_owned(),
                kind: kind.unwrap_or_default().to_owned(),
            });
        };
        let errors = match entry.validator() {
            Ok(validator) => {
                let mut errors = collect_errors(validator, object);
                errors.extend(name_rule(object));
                errors
            }
            Err(message) => vec![SchemaError {
                pointer: String::new(),
                message: format!("the embedded schema does not compile: {message}"),
            }],
        };
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidateError::Invalid(errors))
        }
    }

    /// Whether an embedded schema covers this apiVersion and kind.
    pub fn knows(&self, api_version: &str, kind: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.api_version == api_version && e.kind == kind)
    }

    /// Every apiVersion and kind with an embedded schema.
    pub fn kinds(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.entries.iter().map(|e| (e.api_version, e.kind))
    }
}
