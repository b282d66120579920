//! Seldon rules beyond the CRD schemas (`docs/facts/pipelines-seldon.md`, shared facts
//! §5–6): SeldonDeployment predictors, traffic and shadows as Seldon Core v1's webhook
//! checks them (E0418); Core 2 Experiments as the scheduler validates them (E0419).

use serde_json::Value;

use super::{Found, int_at, text_at};

const SDEP_SOURCE: &str = "Seldon Core v1.18 webhook, checkTraffic and validateShadow (seldondeployment_webhook.go); observability-traffic-facts §5";
const EXPERIMENT_SOURCE: &str =
    "Seldon Core 2.10 scheduler, experiment validate.go; observability-traffic-facts §6";

pub(super) fn check_deployment(object: &Value, found: &mut Found<'_>) {
    let Some(predictors) = object.pointer("/spec/predictors").and_then(Value::as_array) else {
        return;
    };
    let mut names: Vec<&str> = Vec::new();
    let mut shadows = 0;
    let mut live = Vec::new();
    for (i, p) in predictors.iter().enumerate() {
        if let Some(n) = text_at(p, "/name") {
            if names.contains(&n) {
                found.push(
                    "E0418",
                    format!("/spec/predictors/{i}/name"),
                    format!("two predictors are named `{n}`"),
                    "predictor names are unique in a SeldonDeployment",
                    SDEP_SOURCE,
                );
            }
            names.push(n);
        }
        if p.get("shadow").and_then(Value::as_bool) == Some(true) {
            shadows += 1;
        } else {
            live.push((i, int_at(p, "/traffic")));
        }
    }
    if shadows > 1 {
        found.push(
            "E0418",
            "/spec/predictors",
            "more than one shadow predictor",
            "keep at most one predictor with `shadow: true`",
            SDEP_SOURCE,
        );
    }
    if shadows > 0 && live.is_empty() {
        found.push(
            "E0418",
            "/spec/predictors",
            "a shadow cannot be the only predictor",
            "add the predictor the shadow mirrors",
            SDEP_SOURCE,
        );
    }
    match live.as_slice() {
        [(i, Some(t))] if *t != 100 => found.push(
            "E0418",
            format!("/spec/predictors/{i}/traffic"),
            format!("the only predictor has traffic {t}"),
            "a single predictor takes all the traffic: set 100 or remove `traffic`",
            SDEP_SOURCE,
        ),
        [_] | [] => {}
        several => {
            let sum: i64 = several.iter().map(|(_, t)| t.unwrap_or(0)).sum();
            if sum != 100 {
                found.push(
                    "E0418",
                    "/spec/predictors",
                    format!("the predictors' traffic adds up to {sum}, not 100"),
                    "give each non-shadow predictor its share; the shares add up to 100",
                    SDEP_SOURCE,
                );
            }
        }
    }
}

pub(super) fn check_experiment(object: &Value, found: &mut Found<'_>) {
    let candidates = object
        .pointer("/spec/candidates")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut names: Vec<&str> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(n) = text_at(c, "/name") {
            if names.contains(&n) {
                found.push(
                    "E0419",
                    format!("/spec/candidates/{i}/name"),
                    format!("candidate `{n}` is given twice"),
                    "list each candidate once",
                    EXPERIMENT_SOURCE,
                );
            }
            names.push(n);
        }
    }
    if candidates.is_empty() && object.pointer("/spec/mirror").is_none() {
        found.push(
            "E0419",
            "/spec/candidates",
            "an Experiment needs a candidate or a mirror",
            "list the Models (or Pipelines) that share the traffic",
            EXPERIMENT_SOURCE,
        );
    }
    if let Some(d) = text_at(object, "/spec/default")
        && !names.contains(&d)
    {
        found.push(
            "E0419",
            "/spec/default",
            format!("the default `{d}` is not a candidate"),
            "make `default` one of the candidates",
            EXPERIMENT_SOURCE,
        );
    }
}
