//! Default resources of a GPU model (`W0308`): without `resources memory=…`, a pod gets
//! mlc's documented defaults (`cpu: 1`, `memory: 2Gi`, requests = limits), far below the
//! memory a model that fills its accelerator needs while loading.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Model;

/// mlc's default memory request and limit, in GiB (`emit/pod.rs`).
const DEFAULT_MEMORY_GIB: f64 = 2.0;

/// Warns when a GPU model relies on the default memory and its accelerator holds more.
pub(crate) fn check_default_memory(
    model: &Model,
    usable_gib: Option<f64>,
    diags: &mut Diagnostics,
) {
    let Some(gib) = usable_gib else { return };
    if model.resources.memory.is_some() || gib <= DEFAULT_MEMORY_GIB {
        return;
    }
    let suggested = gib.ceil();
    diags.push(
        Diagnostic::warning(
            Code::W0308,
            format!(
                "`{}` gets the default memory of 2Gi, below its accelerator's {suggested:.0} GiB",
                model.name.value
            ),
        )
        .label(model.accelerator.span, format!("{suggested:.0} GiB of accelerator memory"))
        .note("a model that fills its accelerator is staged in host memory while it loads: at 2Gi the pod is OOM-killed")
        .help(format!(
            "set `resources memory=\"{suggested:.0}Gi\"` (at least the model's size; the limit defaults to the request)"
        )),
    );
}
