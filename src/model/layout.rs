//! A pool's MIG layout resolved against its GPU: how many instances of each profile one GPU
//! holds. Validate (capacity, requests) and emit (device-plugin resources) both read it.

use std::collections::BTreeMap;

use super::catalog::MigSpec;
use super::ir::{Pool, Sharing};

/// The per-GPU instance counts of a pool's MIG layout, resolved against its GPU.
pub fn layout_counts(pool: &Pool) -> Option<BTreeMap<&'static str, u32>> {
    let mig = pool.gpu.value.mig()?;
    match &pool.sharing {
        Sharing::MigMixed(layout) => match &layout.config {
            Some(name) => named_layout(mig, name),
            None => Some(
                layout
                    .counts
                    .iter()
                    .filter_map(|(p, n)| mig.profile(p).map(|p| (p.name, n.value)))
                    .collect(),
            ),
        },
        Sharing::MigSingle(profile) => mig
            .profile(&profile.value)
            .map(|p| BTreeMap::from([(p.name, p.max)])),
        Sharing::Whole => None,
    }
}

/// The per-GPU counts of a named mig-parted layout (`all-balanced`, `all-<profile>`).
pub fn named_layout(mig: &MigSpec, name: &str) -> Option<BTreeMap<&'static str, u32>> {
    if name == "all-balanced" {
        return (!mig.balanced.is_empty()).then(|| {
            mig.balanced
                .iter()
                .filter_map(|(p, n)| mig.profile(p).map(|p| (p.name, *n)))
                .collect()
        });
    }
    let profile = name.strip_prefix("all-")?;
    let profile = mig
        .profiles
        .iter()
        .find(|p| p.name.replace('+', ".") == profile)?;
    Some(BTreeMap::from([(profile.name, profile.max)]))
}
