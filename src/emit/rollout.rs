//! The rollout hash (DESIGN §8.4, ARCHITECTURE.md): the pod-template annotation
//! `mlc/rollout-sha256` over everything that should roll the pods.

use super::pod::Serving;
use crate::canonical::digest::sha256_hex;
use crate::model::Model;
use crate::model::plan::Plan;

/// The sha256 over the artifact URIs and digests (main, then canaries), the runtime config
/// text and the serving image (mlc-serve's from the flags, when the runtime provides none).
pub(super) fn hash(model: &Model, plan: &Plan, serving: &Serving, mlc_serve_image: &str) -> String {
    let mut hashed = String::new();
    for a in std::iter::once(&model.artifact).chain(model.canaries.iter().map(|c| &c.artifact)) {
        hashed.push_str(&a.uri.value);
        hashed.push('\n');
        hashed.push_str(a.sha256.as_ref().map_or("", |s| s.value.as_str()));
        hashed.push('\n');
    }
    if let Some(rc) = &plan.runtime_config {
        hashed.push_str(rc.text());
    }
    hashed.push_str(serving.image.as_deref().unwrap_or(if serving.mlc_serve {
        mlc_serve_image
    } else {
        ""
    }));
    sha256_hex(hashed.as_bytes())
}
