//! InferenceService rules of KServe v0.20's validating webhook (facts §1.1, §1.2, §1.4:
//! `pkg/apis/serving/v1beta1/inference_service_validation.go`, `pkg/constants/constants.go`).

use serde_json::Value;

use super::{Found, annotation, escape, int_at, text_at};

const MODE: &str = "serving.kserve.io/deploymentMode";
const CLASS: &str = "serving.kserve.io/autoscalerClass";

const CANARY_SOURCE: &str = "KServe v0.20 webhook, validateCanarySpecs (inference_service_validation.go); facts k8s-ml-facts §1.1";
const CLASS_SOURCE: &str = "KServe v0.20 AutoscalerAllowedClassList (constants.go) and the webhook's KEDA check; facts k8s-ml-facts §1.4, §1.3";
const MODE_SOURCE: &str =
    "KServe v0.20 DeploymentModeType, ParseDeploymentMode (constants.go); facts k8s-ml-facts §1.4";
const PROTOCOL_SOURCE: &str =
    "KServe v0.20 ProtocolV1..ProtocolGRPCV2 (constants.go); facts k8s-ml-facts §1.2, §9.4";

/// The deployment mode the annotation selects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Standard,
    Knative,
    ModelMesh,
    /// No annotation: the cluster's default decides.
    Unset,
}

fn mode_of(object: &Value, found: &mut Found<'_>) -> Mode {
    match annotation(object, MODE) {
        None => Mode::Unset,
        Some("Standard" | "RawDeployment") => Mode::Standard,
        Some("Knative" | "Serverless") => Mode::Knative,
        Some("ModelMesh") => Mode::ModelMesh,
        Some(other) => {
            found.push(
                "E0409",
                format!("/metadata/annotations/{}", escape(MODE)),
                format!("KServe has no deployment mode `{other}`"),
                "use `Standard` or `Knative` (`RawDeployment` and `Serverless` are their old names; `ModelMesh` needs ModelMesh Serving)",
                MODE_SOURCE,
            );
            Mode::Unset
        }
    }
}

pub(super) fn check(object: &Value, found: &mut Found<'_>) {
    let mode = mode_of(object, found);
    check_class(object, mode, found);
    check_protocol(object, "/spec/predictor", found);
    let canaries = object.pointer("/spec/canary").and_then(Value::as_array);
    for (i, _) in canaries.into_iter().flatten().enumerate() {
        check_protocol(object, &format!("/spec/canary/{i}/predictor"), found);
    }
    check_canaries(object, mode, found);
}

fn check_class(object: &Value, mode: Mode, found: &mut Found<'_>) {
    if matches!(mode, Mode::Knative | Mode::ModelMesh) {
        return;
    }
    let class = annotation(object, CLASS);
    if let Some(class) = class
        && !matches!(class, "hpa" | "keda" | "external" | "none")
    {
        found.push(
            "E0408",
            format!("/metadata/annotations/{}", escape(CLASS)),
            format!("KServe accepts no autoscaler class `{class}` in Standard mode"),
            "use `hpa`, `keda`, `external` or `none` (`kpa` is Knative's autoscaler: use the Knative deployment mode for it)",
            CLASS_SOURCE,
        );
    }
    if class == Some("keda") && object.pointer("/spec/predictor/scaleMetric").is_some() {
        found.push(
            "E0408",
            "/spec/predictor/scaleMetric",
            "`scaleMetric` is not supported with autoscaler class `keda`",
            "remove `scaleMetric` and give the metric in `autoScaling.metrics`",
            CLASS_SOURCE,
        );
    }
}

fn check_protocol(object: &Value, predictor: &str, found: &mut Found<'_>) {
    let pointer = format!("{predictor}/model/protocolVersion");
    if let Some(protocol) = text_at(object, &pointer)
        && !matches!(protocol, "v1" | "v2" | "grpc-v1" | "grpc-v2")
    {
        found.push(
            "E0410",
            pointer,
            format!("KServe knows no protocol version `{protocol}`"),
            "use `v1`, `v2`, `grpc-v1` or `grpc-v2` (lower case): no serving runtime declares any other, so KServe finds no runtime for the model",
            PROTOCOL_SOURCE,
        );
    }
}

fn check_canaries(object: &Value, mode: Mode, found: &mut Found<'_>) {
    let Some(canaries) = object.pointer("/spec/canary").and_then(Value::as_array) else {
        return;
    };
    if canaries.is_empty() {
        return;
    }
    if mode == Mode::Knative {
        found.push(
            "E0407",
            "/spec/canary",
            "`spec.canary` is only accepted in the Standard deployment mode",
            "in Knative mode split traffic with `canaryTrafficPercent`, or use the Standard mode",
            CANARY_SOURCE,
        );
    }
    let stable_name = text_at(object, "/spec/predictor/name");
    let stable_min = int_at(object, "/spec/predictor/minReplicas").unwrap_or(1);
    let mut names: Vec<&str> = Vec::new();
    let mut total = 0;
    for (i, canary) in canaries.iter().enumerate() {
        let at = format!("/spec/canary/{i}/predictor");
        total += canary
            .get("trafficPercent")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        match canary.pointer("/predictor/name").and_then(Value::as_str) {
            None => found.push(
                "E0407",
                at.clone(),
                "a canary predictor needs a `name`",
                "name each canary predictor; KServe names its objects `<isvc>-<name>-predictor`",
                CANARY_SOURCE,
            ),
            Some(name) if Some(name) == stable_name || names.contains(&name) => found.push(
                "E0407",
                format!("{at}/name"),
                format!("canary predictor name `{name}` is already used"),
                "give every canary predictor a name of its own, different from the stable predictor's",
                CANARY_SOURCE,
            ),
            Some(name) => names.push(name),
        }
        for field in [
            "workerSpec",
            "maxReplicas",
            "scaleTarget",
            "scaleMetric",
            "autoScaling",
        ] {
            if canary.pointer(&format!("/predictor/{field}")).is_some() {
                found.push(
                    "E0407",
                    format!("{at}/{field}"),
                    format!("a canary predictor must not set `{field}`"),
                    "remove it: a canary takes its scaling from the stable predictor",
                    CANARY_SOURCE,
                );
            }
        }
        if let Some(min) = canary
            .pointer("/predictor/minReplicas")
            .and_then(Value::as_i64)
            && min > stable_min
        {
            found.push(
                "E0407",
                format!("{at}/minReplicas"),
                format!("canary `minReplicas` {min} is above the stable predictor's {stable_min}"),
                "lower the canary's `minReplicas` to at most the stable predictor's",
                CANARY_SOURCE,
            );
        }
    }
    if total > 100 {
        found.push(
            "E0407",
            "/spec/canary",
            format!("the canaries' `trafficPercent` add up to {total}, above 100"),
            "lower the canary percentages so that together they are at most 100",
            CANARY_SOURCE,
        );
    }
}
