//! Managed keys: labels and annotations mlc writes itself, or that change how KServe, KEDA,
//! Knative or Argo CD treat an object. Setting one through `labels`/`annotations` would be
//! silently replaced on some objects and copied onto others, so it is `E0218`, naming the KDL
//! that controls it.

use super::Owner;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Prop;

/// (key or prefix ending in `/` or `-`, applies to labels, applies to annotations, the KDL
/// that controls it).
const MANAGED: &[(&str, bool, bool, &str)] = &[
    ("app.kubernetes.io/name", true, false, "the `model` name"),
    (
        "app.kubernetes.io/instance",
        true,
        false,
        "the `project`, `environment` and `model` names",
    ),
    (
        "app.kubernetes.io/version",
        true,
        false,
        "the model's `version`",
    ),
    (
        "app.kubernetes.io/part-of",
        true,
        false,
        "the `project` name",
    ),
    (
        "app.kubernetes.io/managed-by",
        true,
        true,
        "mlc itself (every object it emits is managed by mlc)",
    ),
    (
        "serving.kserve.io/inferenceservice",
        true,
        false,
        "the `model` name (KServe sets it on the predictor pods)",
    ),
    (
        "serving.kserve.io/deploymentMode",
        true,
        true,
        "`serve kserve mode=…`",
    ),
    (
        "serving.kserve.io/autoscalerClass",
        true,
        true,
        "the `autoscale` policy (cpu/memory: hpa, prometheus: keda, other KEDA triggers: external, no policy: none)",
    ),
    (
        "autoscaling.knative.dev/",
        true,
        true,
        "`autoscale` (min, max, idle and its `concurrency`/`rps` policy)",
    ),
    (
        "argocd.argoproj.io/sync-wave",
        true,
        true,
        "mlc's fixed sync waves (cluster objects first, then environments, then models)",
    ),
    (
        "argocd.argoproj.io/sync-options",
        true,
        true,
        "mlc (it sets the options its objects need)",
    ),
    (
        "prometheus.io/",
        true,
        true,
        "mlc-serve's metrics endpoint (mlc sets it on the pods it serves)",
    ),
    (
        "mlc/",
        true,
        true,
        "mlc itself (`mlc/rollout-sha256` is derived from the artifacts and the runtime)",
    ),
    (
        "pod-security.kubernetes.io/",
        true,
        false,
        "mlc's namespace settings",
    ),
];

/// `E0218` when `prop` sets a managed key.
pub(super) fn check(prop: &Prop, label: bool, owner: Owner, diags: &mut Diagnostics) {
    // A ServiceAccount's annotations (cloud identities) are not read by the serving stack.
    if owner == Owner::ServiceAccount {
        return;
    }
    let Some((key, _, _, controls)) = MANAGED.iter().find(|(key, on_labels, on_annotations, _)| {
        let applies = if label { *on_labels } else { *on_annotations };
        let matches = if key.ends_with('/') {
            prop.key.starts_with(key)
        } else {
            prop.key == *key
        };
        applies && matches
    }) else {
        return;
    };
    let what = if label { "label" } else { "annotation" };
    let node = if label { "labels" } else { "annotations" };
    diags.push(
        Diagnostic::error(
            Code::E0218,
            format!("the {what} `{}` is managed by mlc", prop.key),
        )
        .label(prop.key_span, "managed key")
        .note(format!("`{key}` is set from {controls}"))
        .help(if controls.starts_with("mlc") {
            format!("remove it from `{node}`: mlc sets it")
        } else {
            format!("remove it from `{node}`; to change it, change {controls}")
        }),
    );
}
