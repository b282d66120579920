//! Which metrics each serving runtime exports, and so which alerts exist for it (the table in
//! `docs/monitoring.md`, from facts §2.3 and §9 and `docs/runtime.md`). Saturation and GPU
//! memory come from cluster-side exporters (kube-state-metrics, DCGM) and exist for every
//! runtime whose model has an HPA or a GPU.

use crate::model::ir::{Format, Model};
use crate::model::monitoring::AlertKind;

/// The runtime behind a model's `/metrics`, as far as alerts are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsRuntime {
    /// mlc-serve: `mlc_serve_*` on the HTTP port's `/metrics`.
    MlcServe,
    /// KServe's Python ModelServer (sklearn, xgboost, lightgbm, huggingface): the
    /// `request_*_seconds` histograms on the REST port; no request or error counter.
    KserveModelServer,
    /// TF Serving: nothing without `--monitoring_config_file`.
    TfServing,
    /// Triton: metrics on port 8002, which mlc's pods do not declare.
    Triton,
    /// TorchServe, a named ServingRuntime or a custom image: metric names unknown.
    Other,
}

impl MetricsRuntime {
    /// The runtime that serves `model`.
    pub fn of(model: &Model) -> MetricsRuntime {
        if model.uses_mlc_serve() {
            return MetricsRuntime::MlcServe;
        }
        let named = model.runtime.name.is_some() || model.runtime.image.is_some();
        let kserve = model.serve.value.is_kserve();
        match model.format.value {
            Format::Sklearn
            | Format::Xgboost
            | Format::Lightgbm
            | Format::Huggingface
            | Format::Mlflow
                if kserve && !named =>
            {
                MetricsRuntime::KserveModelServer
            }
            Format::Tensorflow => MetricsRuntime::TfServing,
            Format::Triton => MetricsRuntime::Triton,
            _ => MetricsRuntime::Other,
        }
    }

    /// The name used in messages and the docs table.
    pub fn describe(self) -> &'static str {
        match self {
            MetricsRuntime::MlcServe => "mlc-serve",
            MetricsRuntime::KserveModelServer => "KServe's ModelServer",
            MetricsRuntime::TfServing => "TF Serving",
            MetricsRuntime::Triton => "Triton",
            MetricsRuntime::Other => "this runtime",
        }
    }

    /// Whether mlc can point a monitor at the runtime's `/metrics` (on the `http` port).
    pub fn scraped(self) -> bool {
        matches!(
            self,
            MetricsRuntime::MlcServe | MetricsRuntime::KserveModelServer
        )
    }

    /// `Ok` when the runtime exports what `alert` needs, else why not. Saturation and GPU
    /// memory also need an HPA or a GPU, which the plan checks.
    pub fn supports(self, alert: AlertKind) -> Result<(), &'static str> {
        use AlertKind as A;
        use MetricsRuntime as R;
        match (self, alert) {
            (_, A::Saturation | A::GpuMemory)
            | (R::MlcServe, _)
            | (R::KserveModelServer, A::Latency) => Ok(()),
            (R::KserveModelServer, _) => Err(
                "KServe's ModelServer exports latency histograms only: no request, error or queue metrics",
            ),
            (R::TfServing, _) => {
                Err("TF Serving exports no metrics without `--monitoring_config_file`")
            }
            (R::Triton, _) => {
                Err("Triton serves its metrics on port 8002, which mlc's pods do not declare")
            }
            (R::Other, _) => Err("mlc does not know this runtime's metric names"),
        }
    }
}
