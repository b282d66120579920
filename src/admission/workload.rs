//! Rules about workloads: one scaler per workload (KEDA's webhook, facts k8s-ml-facts §3.4,
//! DESIGN §8.7) and GPU placement only for pods that request GPUs (integration facts §1.10).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Found, Violation, annotation, escape, kind_of, name, namespace, text_at};

const SCALER_SOURCE: &str = "KEDA v2.20 webhook, verifyHpas and verifyScaledObjects (scaledobject_webhook.go); KServe creates the HPA or ScaledObject of classes hpa and keda; facts k8s-ml-facts §3.4, §1.4";
const GPU_SOURCE: &str = "GPU nodes are tainted nvidia.com/gpu and labelled by GPU Feature Discovery; a CPU-only pod gets no GPU toleration or placement; facts integration-facts §1.10, §1.7";

/// A scaler of one workload: what the one-scaler rule needs of an object, kept when the
/// object itself is not (a build drops each object once it is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaler {
    /// The scaler object's own name.
    own: String,
    pointer: String,
    what: String,
    /// Namespace, kind and name of the workload it scales.
    target: (String, String, String),
    /// The HPA name a ScaledObject takes over (`transfer-hpa-ownership`).
    adopts: Option<String>,
    /// An HPA exempted from KEDA's check.
    exempt: bool,
    /// Whether it is an HPA (KEDA's rule pairs a ScaledObject with HPAs and ScaledObjects).
    hpa: bool,
}

/// The scaler `object` is, if it is one (an HPA, a ScaledObject, or an InferenceService
/// whose class makes KServe create one).
pub fn scaler_of(object: &Value) -> Option<Scaler> {
    let ns = namespace(object).to_owned();
    match kind_of(object) {
        ("autoscaling/v2", "HorizontalPodAutoscaler") => Some(Scaler {
            own: name(object).to_owned(),
            pointer: "/spec/scaleTargetRef".into(),
            what: format!("HorizontalPodAutoscaler `{}`", name(object)),
            target: (
                ns,
                text_at(object, "/spec/scaleTargetRef/kind")
                    .unwrap_or_default()
                    .to_owned(),
                text_at(object, "/spec/scaleTargetRef/name")?.to_owned(),
            ),
            adopts: None,
            exempt: annotation(object, "validations.keda.sh/hpa-ownership") == Some("false"),
            hpa: true,
        }),
        ("keda.sh/v1alpha1", "ScaledObject") => Some(Scaler {
            own: name(object).to_owned(),
            pointer: "/spec/scaleTargetRef".into(),
            what: format!("ScaledObject `{}`", name(object)),
            target: (
                ns,
                text_at(object, "/spec/scaleTargetRef/kind")
                    .unwrap_or("Deployment")
                    .to_owned(),
                text_at(object, "/spec/scaleTargetRef/name")?.to_owned(),
            ),
            adopts: (annotation(object, "scaledobject.keda.sh/transfer-hpa-ownership")
                == Some("true"))
            .then(|| text_at(object, "/spec/advanced/horizontalPodAutoscalerConfig/name"))
            .flatten()
            .map(str::to_owned),
            exempt: false,
            hpa: false,
        }),
        ("serving.kserve.io/v1beta1", "InferenceService") => {
            let standard = matches!(
                annotation(object, "serving.kserve.io/deploymentMode"),
                Some("Standard" | "RawDeployment")
            );
            let class = annotation(object, "serving.kserve.io/autoscalerClass").unwrap_or("hpa");
            if !standard || !matches!(class, "hpa" | "keda") {
                return None;
            }
            let deployment = match text_at(object, "/spec/predictor/name") {
                Some(predictor) => format!("{}-{predictor}-predictor", name(object)),
                None => format!("{}-predictor", name(object)),
            };
            Some(Scaler {
                own: name(object).to_owned(),
                pointer: format!(
                    "/metadata/annotations/{}",
                    escape("serving.kserve.io/autoscalerClass")
                ),
                what: format!(
                    "InferenceService `{}` (KServe makes its {} for class `{class}`)",
                    name(object),
                    if class == "hpa" {
                        "HorizontalPodAutoscaler"
                    } else {
                        "ScaledObject"
                    }
                ),
                target: (ns, "Deployment".into(), deployment),
                adopts: None,
                exempt: false,
                hpa: class == "hpa",
            })
        }
        _ => None,
    }
}

/// Whether KEDA or the cluster would refuse `b` for scaling what `a` already scales.
fn conflict(a: &Scaler, b: &Scaler) -> bool {
    if a.target != b.target {
        return false;
    }
    let taken_over = |so: &Scaler, hpa: &Scaler| {
        !so.hpa && hpa.hpa && (hpa.exempt || so.adopts.as_deref() == Some(hpa.own.as_str()))
    };
    !(taken_over(a, b) || taken_over(b, a))
}

/// E0415 for every scaler of a workload an earlier one already scales; `scalers` are
/// (object index, scaler) in object order.
pub fn check_scalers(scalers: &[(usize, &Scaler)]) -> Vec<Violation> {
    // Only scalers of the same target can conflict: group them (in object order), so a
    // fleet of thousands of workloads costs one pass, not a comparison of every pair.
    let mut by_target: BTreeMap<&(String, String, String), Vec<&Scaler>> = BTreeMap::new();
    for (_, s) in scalers {
        by_target.entry(&s.target).or_default().push(s);
    }
    let mut out = Vec::new();
    for (object, later) in scalers {
        let group = by_target.get(&later.target).map_or(&[][..], Vec::as_slice);
        let at = group
            .iter()
            .position(|s| std::ptr::eq(*s, *later))
            .unwrap_or(0);
        let Some(first) = group[..at].iter().find(|s| conflict(s, later)) else {
            continue;
        };
        let (_, kind, target) = &later.target;
        out.push(Violation {
            object: *object,
            pointer: later.pointer.clone(),
            code: "E0415",
            message: format!(
                "{} scales {kind} `{target}`, which {} already scales",
                later.what, first.what
            ),
            help: "keep one scaler per workload: remove one of them, or let the ScaledObject take the HPA over (`scaledobject.keda.sh/transfer-hpa-ownership: \"true\"` with `advanced.horizontalPodAutoscalerConfig.name`)".into(),
            source: SCALER_SOURCE,
        });
    }
    out
}

/// The pod specs of an object, as JSON pointers.
fn pod_specs(object: &Value) -> Vec<String> {
    match kind_of(object) {
        ("apps/v1", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch/v1", "Job") => vec!["/spec/template/spec".into()],
        ("batch/v1", "CronJob") => vec!["/spec/jobTemplate/spec/template/spec".into()],
        ("serving.kserve.io/v1beta1", "InferenceService") => {
            let mut specs = vec!["/spec/predictor".to_owned()];
            let canaries = object.pointer("/spec/canary").and_then(Value::as_array);
            for (i, _) in canaries.into_iter().flatten().enumerate() {
                specs.push(format!("/spec/canary/{i}/predictor"));
            }
            specs
        }
        _ => Vec::new(),
    }
}

fn is_gpu_key(key: &str) -> bool {
    key.starts_with("nvidia.com/gpu") || key.starts_with("nvidia.com/mig")
}

/// Whether a container asks for a GPU (or a MIG device) in its requests or limits.
fn asks_for_gpu(container: &Value) -> bool {
    ["limits", "requests"].iter().any(|part| {
        container
            .pointer(&format!("/resources/{part}"))
            .and_then(Value::as_object)
            .is_some_and(|m| m.keys().any(|k| is_gpu_key(k)))
    })
}

/// Where a pod spec places itself on GPU nodes: tolerations, node selector and node affinity
/// keyed by GPU labels or taints.
fn gpu_placement(pod: &Value, at: &str) -> Vec<String> {
    let mut found = Vec::new();
    let tolerations = pod.get("tolerations").and_then(Value::as_array);
    for (i, t) in tolerations.into_iter().flatten().enumerate() {
        if t.get("key").and_then(Value::as_str).is_some_and(is_gpu_key) {
            found.push(format!("{at}/tolerations/{i}"));
        }
    }
    if let Some(selector) = pod.get("nodeSelector").and_then(Value::as_object) {
        for key in selector.keys().filter(|k| is_gpu_key(k)) {
            found.push(format!("{at}/nodeSelector/{}", escape(key)));
        }
    }
    let affinity = "/affinity/nodeAffinity";
    let required = pod
        .pointer(&format!(
            "{affinity}/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms"
        ))
        .and_then(Value::as_array);
    for (i, term) in required.into_iter().flatten().enumerate() {
        let exprs = term.get("matchExpressions").and_then(Value::as_array);
        for (j, e) in exprs.into_iter().flatten().enumerate() {
            if e.get("key").and_then(Value::as_str).is_some_and(is_gpu_key) {
                found.push(format!(
                    "{at}{affinity}/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/{i}/matchExpressions/{j}"
                ));
            }
        }
    }
    let preferred = pod
        .pointer(&format!(
            "{affinity}/preferredDuringSchedulingIgnoredDuringExecution"
        ))
        .and_then(Value::as_array);
    for (i, term) in preferred.into_iter().flatten().enumerate() {
        let exprs = term
            .pointer("/preference/matchExpressions")
            .and_then(Value::as_array);
        for (j, e) in exprs.into_iter().flatten().enumerate() {
            if e.get("key").and_then(Value::as_str).is_some_and(is_gpu_key) {
                found.push(format!(
                    "{at}{affinity}/preferredDuringSchedulingIgnoredDuringExecution/{i}/preference/matchExpressions/{j}"
                ));
            }
        }
    }
    found
}

pub(super) fn check_pods(object: &Value, found: &mut Found<'_>) {
    for at in pod_specs(object) {
        let Some(pod) = object.pointer(&at) else {
            continue;
        };
        let containers = pod.get("containers").and_then(Value::as_array);
        let mut asks = containers.into_iter().flatten().any(asks_for_gpu);
        // An InferenceService predictor's `model` is a container too.
        asks |= pod.get("model").is_some_and(asks_for_gpu);
        if asks {
            continue;
        }
        let places = gpu_placement(pod, &at);
        let Some(first) = places.first() else {
            continue;
        };
        found.push(
            "E0416",
            first.clone(),
            format!(
                "the pod at `{at}` requests no GPU but is placed on GPU nodes ({} GPU toleration, selector or affinity term(s))",
                places.len()
            ),
            "remove the GPU tolerations and GPU node affinity, or request `nvidia.com/gpu` (or a MIG device) in the container's resources",
            GPU_SOURCE,
        );
    }
}
