//! Traffic rules over a model's plan: a canary's own sizing where the target cannot run it
//! (`E0326`) or KServe refuses it (`E0325`), a variant's disruption budget at its own
//! minimum (`E0322`), an exposure that cannot reach every variant (`E0327`) and a timeout
//! nothing enforces (`E0328`).

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::{Plan, Split, TrafficPlan};
use crate::model::{Expose, Model, ServeTarget};

/// The traffic rules of `model`.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    canaries(model, plan, diags);
    expose(model, plan, diags);
    timeout(model, plan, diags);
}

fn target_name(t: ServeTarget) -> &'static str {
    match t {
        ServeTarget::KserveStandard => "`serve kserve mode=standard`",
        ServeTarget::KserveKnative => "`serve kserve mode=knative`",
        ServeTarget::Deployment => "`serve deployment`",
        ServeTarget::SeldonV1 => "`serve seldon`",
        ServeTarget::SeldonCore2 => "`serve seldon mode=core2`",
    }
}

fn canaries(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let target = model.serve.value;
    let own_pods = match target {
        ServeTarget::KserveStandard => true,
        ServeTarget::Deployment => plan.traffic.as_ref().is_some_and(TrafficPlan::routed),
        ServeTarget::KserveKnative | ServeTarget::SeldonV1 | ServeTarget::SeldonCore2 => false,
    };
    let seldon = matches!(target, ServeTarget::SeldonV1 | ServeTarget::SeldonCore2);
    if seldon && let Some(s) = &model.stable {
        diags.push(
            Diagnostic::error(
                Code::E0326,
                format!("{} names the stable variant itself", target_name(target)),
            )
            .label(s.span, "not available here")
            .help("Seldon names the main predictor `default` (Core v1) or after the model (Core 2): remove `stable`"),
        );
    }
    let stable_min = model.autoscale.min.value;
    for c in &model.canaries {
        if !own_pods && target != ServeTarget::Deployment {
            // Seldon Core v1 gives each predictor its own componentSpecs, but not its own
            // server image.
            let sizing = c
                .sizing
                .iter()
                .filter(|(s, _)| target != ServeTarget::SeldonV1 || *s == "runtime");
            for (setting, span) in sizing {
                let why = match target {
                    ServeTarget::KserveKnative => {
                        "Knative splits traffic between two revisions of one spec: the canary is the latest revision, so it differs only by its artifact"
                    }
                    ServeTarget::SeldonV1 => {
                        "a SeldonDeployment's predictors share the model's Seldon server"
                    }
                    _ => "Seldon Core 2 runs Models on its shared Servers, sized by the Server",
                };
                diags.push(
                    Diagnostic::error(
                        Code::E0326,
                        format!(
                            "canary `{}` sets `{setting}`, which {} cannot give a canary",
                            c.name.value,
                            target_name(target)
                        ),
                    )
                    .label(*span, "not available on this target")
                    .label(model.serve.span, "serve target")
                    .note(why)
                    .help("size canaries on `serve kserve mode=standard`, or on `serve deployment` with `traffic`; or remove the setting"),
                );
            }
        }
        if target == ServeTarget::KserveStandard
            && let Some(min) = &c.min
            && min.value > stable_min
        {
            diags.push(
                Diagnostic::error(
                    Code::E0325,
                    format!(
                        "canary `{}` runs {} replicas at minimum, more than the stable predictor's {stable_min}",
                        c.name.value, min.value
                    ),
                )
                .label(min.span, format!("above `autoscale min={stable_min}`"))
                .label(model.autoscale.min.span, "the stable predictor's minimum")
                .help(format!("KServe refuses a canary minReplicas above the stable one: lower it to at most {stable_min}")),
            );
        }
        // Each variant of a routed Deployment has its own budget, at its own minimum.
        if own_pods
            && target == ServeTarget::Deployment
            && let (Some(d), Some(min)) = (&model.disruption, &c.min)
            && min.value > 0
            && !d.value.allows_eviction(min.value)
        {
            diags.push(
                Diagnostic::error(
                    Code::E0322,
                    format!(
                        "this disruption budget would block every voluntary eviction of canary `{}`",
                        c.name.value
                    ),
                )
                .label(d.span, format!("at the canary's `min={}` no pod may be evicted", min.value))
                .label(min.span, "the canary's minimum")
                .note("each variant's Deployment gets the model's budget, counted at its own minimum")
                .help("allow one eviction (`disruption max-unavailable=1`), or raise the canary's `min=`"),
            );
        }
    }
}

fn expose(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let Some(e) = &model.expose else {
        return;
    };
    let target = model.serve.value;
    let split = plan.traffic.as_ref().map(|t| &t.split);
    let has_canaries = !model.canaries.is_empty();
    let problem = match (&e.value, target) {
        (_, ServeTarget::KserveKnative) => Some((
            format!(
                "{} is exposed through Knative's own ingress",
                target_name(target)
            ),
            "Knative serves the InferenceService at its URL (the cluster's domain template): remove `expose`, or use `serve kserve mode=standard`",
        )),
        (_, ServeTarget::SeldonV1 | ServeTarget::SeldonCore2) => Some((
            format!(
                "{} is exposed through Seldon's own ingress",
                target_name(target)
            ),
            "Seldon routes through its Istio or Ambassador settings (Core v1) or its mesh (Core 2): remove `expose`",
        )),
        (Expose::Gateway { .. }, _) if matches!(split, Some(Split::Istio { .. })) => Some((
            "`expose gateway` beside `traffic mesh=istio`".to_owned(),
            "with Istio the VirtualService is the route: name the Istio Gateway with `traffic mesh=istio gateway=\"NAMESPACE/NAME\"` or use `traffic gateway-api` with `expose gateway`",
        )),
        (Expose::Service(_), _) if has_canaries => Some((
            format!(
                "`{}` cannot weight the model's variants",
                e.value.describe()
            ),
            "a LoadBalancer or NodePort Service reaches the pods directly, past any split: use `expose gateway parent=\"NAMESPACE/GATEWAY\"` (an HTTPRoute with a weighted backend per variant)",
        )),
        (Expose::Ingress { .. }, _)
            if has_canaries && !matches!(split, Some(Split::Istio { .. })) =>
        {
            Some((
                format!(
                    "`{}` cannot weight the model's variants",
                    e.value.describe()
                ),
                "an Ingress has no weights: use `expose gateway parent=\"NAMESPACE/GATEWAY\"` (an HTTPRoute with a weighted backend per variant)",
            ))
        }
        _ => None,
    };
    if let Some((message, help)) = problem {
        let mut d = Diagnostic::error(Code::E0327, message)
            .label(e.span, "not available here")
            .label(model.serve.span, "serve target");
        if let Some(c) = model.canaries.first() {
            d = d.label(c.name.span, "canary");
        }
        diags.push(d.help(help));
    }
}

fn timeout(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let Some(t) = &model.timeout else {
        return;
    };
    let kserve = matches!(
        model.serve.value,
        ServeTarget::KserveStandard | ServeTarget::KserveKnative
    );
    let routed = plan.traffic.as_ref().is_some_and(TrafficPlan::routed)
        || matches!(
            plan.expose.as_ref().map(|e| &e.expose),
            Some(Expose::Gateway { .. })
        );
    if plan.runtime_config.is_some() || kserve || routed {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::E0328,
            format!("nothing {} runs here enforces `timeout`", target_name(model.serve.value)),
        )
        .label(t.span, "not enforced")
        .label(model.serve.span, "serve target")
        .note("mlc-serve, KServe, Istio and Gateway API routes enforce a request timeout; this runtime has none of them")
        .help("remove `timeout`, set the runtime's own timeout, or route the model (`traffic`, `expose gateway`)"),
    );
}
