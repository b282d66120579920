//! Per-model rules: resources, traffic split, derived names, artifacts, formats, and the
//! project-level image warning.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::Plan;
use crate::model::{Format, Model, Project, ServeTarget, Spanned, units::Quantity};

fn check_limit(
    what: &str,
    request: Option<&Spanned<Quantity>>,
    limit: Option<&Spanned<Quantity>>,
    diags: &mut Diagnostics,
) {
    if let (Some(r), Some(l)) = (request, limit)
        && r.value.value > l.value.value
    {
        diags.push(
            Diagnostic::error(Code::E0312, format!("{what} request `{}` exceeds its limit `{}`", r.value, l.value))
                .label(r.span, "request")
                .label(l.span, "limit")
                .help("Kubernetes rejects a request above its limit: raise the limit or lower the request"),
        );
    }
}

fn formats_for(target: ServeTarget) -> &'static [Format] {
    match target {
        ServeTarget::Deployment => &[
            Format::Onnx,
            Format::Tensorflow,
            Format::Triton,
            Format::Custom,
        ],
        // Seldon Core v1's prepackaged servers, mlc-serve for ONNX, or a custom container.
        ServeTarget::SeldonV1 => &[
            Format::Onnx,
            Format::Sklearn,
            Format::Xgboost,
            Format::Mlflow,
            Format::Tensorflow,
            Format::Triton,
            Format::Huggingface,
            Format::Custom,
        ],
        // What Core 2's MLServer and Triton ServerConfigs advertise.
        ServeTarget::SeldonCore2 => &[
            Format::Onnx,
            Format::Sklearn,
            Format::Xgboost,
            Format::Lightgbm,
            Format::Mlflow,
            Format::Pytorch,
            Format::Tensorflow,
            Format::Triton,
            Format::Huggingface,
        ],
        ServeTarget::KserveStandard | ServeTarget::KserveKnative => &[
            Format::Onnx,
            Format::Sklearn,
            Format::Xgboost,
            Format::Lightgbm,
            Format::Mlflow,
            Format::Pytorch,
            Format::Tensorflow,
            Format::Triton,
            Format::Huggingface,
            Format::Custom,
        ],
    }
}

/// Rules for one resolved model.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let r = &model.resources;
    check_limit("cpu", r.cpu.as_ref(), r.cpu_limit.as_ref(), diags);
    check_limit("memory", r.memory.as_ref(), r.memory_limit.as_ref(), diags);

    let target = model.serve.value;
    if !model.canaries.is_empty() {
        let total: i64 = model
            .canaries
            .iter()
            .map(|c| c.percent.value.clamp(0, 100))
            .sum();
        for c in &model.canaries {
            if !(0..=100).contains(&c.percent.value) {
                diags.push(
                    Diagnostic::error(
                        Code::E0313,
                        format!("traffic percentage {} is out of range", c.percent.value),
                    )
                    .label(c.percent.span, "expected 0 to 100")
                    .help("write a whole percentage from 0 to 100"),
                );
            }
        }
        if total > 100 {
            let mut d = Diagnostic::error(
                Code::E0313,
                format!("canary percentages add up to {total}, above 100"),
            );
            for c in &model.canaries {
                d = d.label(c.percent.span, format!("{}%", c.percent.value));
            }
            diags.push(d.help(
                "the variants share 100% of the traffic with the main predictor: lower them",
            ));
        }
        match target {
            ServeTarget::Deployment if plan.traffic.as_ref().is_none_or(|t| !t.routed()) => {
                diags.push(
                    Diagnostic::error(
                        Code::E0314,
                        "`serve deployment` splits traffic only through a router, and none is declared",
                    )
                    .label(model.canaries[0].name.span, "canary")
                    .label(model.serve.span, "serve target")
                    .help("declare `traffic mesh=istio` or `traffic gateway-api parent=\"NAMESPACE/GATEWAY\"` in the project or environment, or use `serve kserve`"),
                );
            }
            ServeTarget::KserveKnative if model.canaries.len() > 1 => diags.push(
                Diagnostic::error(
                    Code::E0314,
                    "KServe Knative mode splits traffic between two revisions only",
                )
                .label(model.canaries[1].name.span, "second canary")
                .help("keep one canary, or use `serve kserve mode=standard` for several variants"),
            ),
            _ => {}
        }
    }

    // One diagnostic per model, on the longest derived name that must be a DNS-1035 label
    // (Services, and the Deployments and HPAs named like them): on the canary that makes it
    // when there is one, else on the model name.
    if let Some(longest) = plan
        .derived_names()
        .into_iter()
        .filter(|d| {
            matches!(
                d.kind,
                "Deployment" | "HorizontalPodAutoscaler" | "Service" | "Model"
            )
        })
        .filter(|d| d.name.len() > 63)
        .max_by_key(|d| d.name.len())
    {
        let canary = longest.canary.and_then(|i| model.canaries.get(i));
        let (span, what) = match canary {
            Some(c) => (c.name.span, "the canary name (or the model name)"),
            None => (model.name.span, "the model name"),
        };
        let longest = longest.name;
        diags.push(
            Diagnostic::error(
                Code::E0315,
                format!(
                    "derived name `{longest}` is {} characters, above Kubernetes' 63",
                    longest.len()
                ),
            )
            .label(span, "makes the derived name too long")
            .help(format!(
                "shorten {what} by at least {} characters",
                longest.len() - 63
            )),
        );
    }

    for artifact in
        std::iter::once(&model.artifact).chain(model.canaries.iter().map(|c| &c.artifact))
    {
        match &artifact.sha256 {
            Some(sha) if artifact.is_directory() => diags.push(
                Diagnostic::error(
                    Code::E0316,
                    "a sha256 pins a single file, but this artifact is a directory",
                )
                .label(sha.span, "digest")
                .label(artifact.uri.span, "directory artifact")
                .help("point the URI at the model file, or drop `sha256` for a directory"),
            ),
            None if !artifact.is_directory()
                && !matches!(artifact.location, crate::model::Location::Pvc { .. }) => diags.push(
                Diagnostic::warning(
                    Code::W0301,
                    format!("artifact of `{}` has no sha256", model.name.value),
                )
                .label(artifact.uri.span, "not pinned")
                .help(
                    "add `sha256=\"…\"` so a changed file is a reviewed change and rolls the pods",
                ),
            ),
            _ => {}
        }
    }

    let format = model.format.value;
    if !formats_for(target).contains(&format) {
        diags.push(
            Diagnostic::error(Code::E0318, format!("`{}` models cannot be served with {}", format.as_str(), target.describe()))
                .label(model.format.span, "format")
                .label(model.serve.span, "serve target")
                .help(match target {
                    ServeTarget::SeldonV1 => "Seldon Core v1's prepackaged servers take sklearn, xgboost, mlflow, tensorflow, triton and huggingface; onnx runs on mlc-serve and `custom` on its image: use `serve kserve` or `serve seldon mode=core2` for this format",
                    ServeTarget::SeldonCore2 => "Seldon Core 2 runs models on its MLServer and Triton servers only: use `serve seldon` (Core v1) or `serve kserve` for a custom image",
                    _ => "plain Deployments serve onnx (mlc-serve), tensorflow (TF Serving), triton and custom images; use `serve kserve` for the other formats",
                }),
        );
    } else if format == Format::Custom && model.runtime.image.is_none() {
        diags.push(
            Diagnostic::error(Code::E0318, "a `custom` model needs its image")
                .label(model.format.span, "custom format")
                .help("add `runtime image=\"registry/image:tag\" port=8080 health=\"/healthz\"`"),
        );
    }

    if let Some(d) = &model.disruption
        && model.autoscale.min.value > 0
        && !d.value.allows_eviction(model.autoscale.min.value)
    {
        diags.push(
            Diagnostic::error(
                Code::E0322,
                "this disruption budget would block every voluntary eviction",
            )
            .label(
                d.span,
                format!(
                    "at `min={}` no pod may be evicted",
                    model.autoscale.min.value
                ),
            )
            .note("node drains, cluster upgrades and node removal would hang on this model")
            .help("allow one eviction: `disruption max-unavailable=1`, or raise `autoscale min`"),
        );
    }
    if model.autoscale.min.value == 1 {
        diags.push(
            Diagnostic::warning(Code::W0302, format!("`{}` can run on a single replica", model.name.value))
                .label(model.autoscale.min.span, "one replica")
                .help("any eviction or node drain is downtime: use `autoscale min=2` for serving that must stay up"),
        );
    }
}

/// Whether any resolved model runs on mlc-serve (onnx without another runtime).
pub(crate) fn uses_mlc_serve(project: &Project) -> bool {
    project
        .environments
        .values()
        .flat_map(|e| e.models.values())
        .any(|m| m.uses_mlc_serve())
}

/// Project-level warnings.
pub(crate) fn check_project(project: &Project, diags: &mut Diagnostics) {
    if !uses_mlc_serve(project) {
        return;
    }
    let pinned = project
        .image
        .base
        .as_ref()
        .is_some_and(|b| b.value.contains("@sha256:"));
    if !pinned {
        let span = project
            .image
            .base
            .as_ref()
            .map_or(project.image.span.unwrap_or(project.name.span), |b| b.span);
        diags.push(
            Diagnostic::warning(Code::W0304, "the runtime base image is not pinned by digest")
                .label(span, "unpinned base image")
                .help("write `image base=\"debian:bookworm-slim@sha256:…\"` so the runtime image is reproducible"),
        );
    }
}
