//! Labels, annotations and Argo CD sync waves (DESIGN §8.5).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::model::plan::{Plan, VARIANT_LABEL};
use crate::model::{Model, Project};

/// Argo CD sync wave of a kind.
fn sync_wave(kind: &str) -> &'static str {
    match kind {
        "Namespace" | "PriorityClass" => "-2",
        "ServiceAccount"
        | "ConfigMap"
        | "TriggerAuthentication"
        | "ServingRuntime"
        | "ResourceQuota" => "-1",
        _ => "0",
    }
}

/// Whether `kind` is a custom resource (Argo CD must skip its dry run when the CRD is missing).
fn is_custom(kind: &str) -> bool {
    matches!(
        kind,
        "InferenceService"
            | "InferenceGraph"
            | "SeldonDeployment"
            | "Model"
            | "Experiment"
            | "Pipeline"
            | "Server"
            | "ServingRuntime"
            | "ScaledObject"
            | "TriggerAuthentication"
            | "PrometheusRule"
            | "ServiceMonitor"
            | "PodMonitor"
            | "VerticalPodAutoscaler"
            | "VirtualService"
            | "DestinationRule"
            | "HTTPRoute"
    )
}

/// Who an object belongs to: its name label, instance and version.
pub(crate) struct Owner<'a> {
    pub(crate) project: &'a Project,
    pub(crate) name: String,
    pub(crate) instance: String,
    pub(crate) version: Option<String>,
    pub(crate) extra_labels: BTreeMap<String, String>,
    pub(crate) extra_annotations: BTreeMap<String, String>,
    /// The variant its pods belong to, when a router tells variants apart: the pods carry
    /// it as `mlc/variant` (through [`Owner::selector`]); other objects do not.
    pub(crate) variant: Option<String>,
}

impl<'a> Owner<'a> {
    /// The owner of a model's objects in one environment.
    pub(crate) fn model(project: &'a Project, model: &Model, plan: &Plan) -> Self {
        Owner {
            project,
            name: model.name.value.clone(),
            instance: plan.instance.clone(),
            version: model.version.clone(),
            extra_labels: model.labels.clone(),
            extra_annotations: model.annotations.clone(),
            variant: None,
        }
    }

    /// The owner of shared objects (runtime, namespace, device-plugin config).
    pub(crate) fn shared(project: &'a Project, name: &str, instance: &str) -> Self {
        Owner {
            project,
            name: name.to_owned(),
            instance: instance.to_owned(),
            version: None,
            extra_labels: BTreeMap::new(),
            variant: None,
            extra_annotations: BTreeMap::new(),
        }
    }

    /// The common labels.
    pub(crate) fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.project.labels.clone();
        labels.extend(self.extra_labels.clone());
        labels.insert("app.kubernetes.io/name".into(), self.name.clone());
        labels.insert("app.kubernetes.io/instance".into(), self.instance.clone());
        labels.insert(
            "app.kubernetes.io/part-of".into(),
            self.project.name.value.clone(),
        );
        labels.insert("app.kubernetes.io/managed-by".into(), "mlc".into());
        if let Some(v) = &self.version {
            labels.insert("app.kubernetes.io/version".into(), v.clone());
        }
        labels
    }

    /// The labels that select this owner's pods (of its variant, when it has one).
    pub(crate) fn selector(&self) -> BTreeMap<String, String> {
        let mut s = self.selector_all();
        if let Some(v) = &self.variant {
            s.insert(VARIANT_LABEL.to_owned(), v.clone());
        }
        s
    }

    /// The labels that select the pods of every variant of this owner.
    pub(crate) fn selector_all(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("app.kubernetes.io/name".to_owned(), self.name.clone()),
            (
                "app.kubernetes.io/instance".to_owned(),
                self.instance.clone(),
            ),
        ])
    }

    /// Object metadata for an object of `kind` named `name` in `namespace`.
    pub(crate) fn meta(&self, kind: &str, name: &str, namespace: Option<&str>) -> ObjectMeta {
        let mut annotations = self.project.annotations.clone();
        annotations.extend(self.extra_annotations.clone());
        annotations.insert(
            "argocd.argoproj.io/sync-wave".into(),
            sync_wave(kind).into(),
        );
        if is_custom(kind) {
            annotations.insert(
                "argocd.argoproj.io/sync-options".into(),
                "SkipDryRunOnMissingResource=true".into(),
            );
        }
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: namespace.map(str::to_owned),
            labels: Some(self.labels()),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        }
    }
}
