//! The built-in GPU catalog (facts §1.4, §1.5, §1.7): MIG profiles with their per-GPU
//! instance limits and memory slices, GPU Feature Discovery product-label spellings, and
//! usable memory where it was measured.
//!
//! Product labels follow GPU Feature Discovery's rule (the NVML name, sanitised): current
//! drivers report `NVIDIA-` prefixed names, older ones did not, so a GPU sold in both driver
//! eras (A100) lists both spellings; `catalog_labels.rs` checks every entry against the facts.
//!
//! An entry whose label spellings the facts do not give has no `product_labels`: a pool on
//! it must give its own selector labels (E0317). Memory-fit checks run only where usable
//! GiB is known.

/// One MIG profile of one GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MigProfile {
    /// Profile name as NVIDIA writes it (`1g.10gb`, `1g.10gb+me`).
    pub name: &'static str,
    /// Compute slices (the `G` of `<G>g`).
    pub compute: u32,
    /// Memory slices out of the GPU's total.
    pub memory: u32,
    /// Maximum instances per GPU.
    pub max: u32,
    /// Usable memory per instance in GiB, where measured on hardware.
    pub usable_gib: Option<f64>,
}

impl MigProfile {
    /// Whether this is a media-extension profile (`+me`).
    pub fn is_media(&self) -> bool {
        self.name.ends_with("+me")
    }

    /// The device-plugin resource name under the mixed strategy (`+` becomes `.`).
    pub fn resource_name(&self) -> String {
        format!("nvidia.com/mig-{}", self.name.replace('+', "."))
    }
}

/// MIG geometry of a GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MigSpec {
    /// Compute slices per GPU (7, or 4 on A30 and RTX PRO 6000).
    pub compute_slices: u32,
    /// Memory slices per GPU (8, or 4).
    pub memory_slices: u32,
    /// Every profile with its limits.
    pub profiles: &'static [MigProfile],
    /// The `all-balanced` layout of mig-parted's default config, where it exists.
    pub balanced: &'static [(&'static str, u32)],
}

impl MigSpec {
    /// The profile called `name` (the `+me` suffix may also be written `.me`).
    pub fn profile(&self, name: &str) -> Option<&'static MigProfile> {
        let normalized = name.replace(".me", "+me");
        self.profiles.iter().find(|p| p.name == normalized)
    }

    /// The profile names, for messages.
    pub fn names(&self) -> Vec<&'static str> {
        self.profiles.iter().map(|p| p.name).collect()
    }
}

/// One GPU model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuSpec {
    /// Catalog name as written in KDL (`H100-80GB`).
    pub name: &'static str,
    /// Other accepted spellings.
    pub aliases: &'static [&'static str],
    /// Known `nvidia.com/gpu.product` spellings; empty when the facts give none.
    pub product_labels: &'static [&'static str],
    /// Usable memory of a whole GPU in GiB, where measured.
    pub usable_gib: Option<f64>,
    /// MIG geometry, for MIG-capable GPUs.
    pub mig: Option<MigSpec>,
}

impl GpuSpec {
    /// Whether the facts give its product-label spellings.
    pub fn is_measured(&self) -> bool {
        !self.product_labels.is_empty()
    }
}

const fn p(
    name: &'static str,
    compute: u32,
    memory: u32,
    max: u32,
    gib: Option<f64>,
) -> MigProfile {
    MigProfile {
        name,
        compute,
        memory,
        max,
        usable_gib: gib,
    }
}

const A30: &[MigProfile] = &[
    p("1g.6gb", 1, 1, 4, None),
    p("1g.6gb+me", 1, 1, 1, None),
    p("2g.12gb", 2, 2, 2, None),
    p("2g.12gb+me", 2, 2, 1, None),
    p("4g.24gb", 4, 4, 1, None),
];
const A100_40: &[MigProfile] = &[
    p("1g.5gb", 1, 1, 7, None),
    p("1g.5gb+me", 1, 1, 1, None),
    p("1g.10gb", 1, 2, 4, None),
    p("2g.10gb", 2, 2, 3, None),
    p("3g.20gb", 3, 4, 2, None),
    p("4g.20gb", 4, 4, 1, None),
    p("7g.40gb", 7, 8, 1, None),
];
const CLASS_80: &[MigProfile] = &[
    p("1g.10gb", 1, 1, 7, None),
    p("1g.10gb+me", 1, 1, 1, None),
    p("1g.20gb", 1, 2, 4, None),
    p("2g.20gb", 2, 2, 3, None),
    p("3g.40gb", 3, 4, 2, None),
    p("4g.40gb", 4, 4, 1, None),
    p("7g.80gb", 7, 8, 1, None),
];
/// H100 80GB HBM3 read off hardware (`nvidia-smi mig -lgip`, facts §1.4).
const H100_80: &[MigProfile] = &[
    p("1g.10gb", 1, 1, 7, Some(9.75)),
    p("1g.10gb+me", 1, 1, 1, Some(9.75)),
    p("1g.20gb", 1, 2, 4, Some(19.62)),
    p("2g.20gb", 2, 2, 3, Some(19.62)),
    p("3g.40gb", 3, 4, 2, Some(39.50)),
    p("4g.40gb", 4, 4, 1, Some(39.50)),
    p("7g.80gb", 7, 8, 1, Some(79.25)),
];
const H100_94: &[MigProfile] = &[
    p("1g.12gb", 1, 1, 7, None),
    p("1g.12gb+me", 1, 1, 1, None),
    p("1g.24gb", 1, 2, 4, None),
    p("2g.24gb", 2, 2, 3, None),
    p("3g.47gb", 3, 4, 2, None),
    p("4g.47gb", 4, 4, 1, None),
    p("7g.94gb", 7, 8, 1, None),
];
const H100_96: &[MigProfile] = &[
    p("1g.12gb", 1, 1, 7, None),
    p("1g.12gb+me", 1, 1, 1, None),
    p("1g.24gb", 1, 2, 4, None),
    p("2g.24gb", 2, 2, 3, None),
    p("3g.48gb", 3, 4, 2, None),
    p("4g.48gb", 4, 4, 1, None),
    p("7g.96gb", 7, 8, 1, None),
];
/// H200 read off hardware (facts §1.4).
const H200: &[MigProfile] = &[
    p("1g.18gb", 1, 1, 7, Some(16.0)),
    p("1g.18gb+me", 1, 1, 1, Some(16.0)),
    p("1g.35gb", 1, 2, 4, Some(32.5)),
    p("2g.35gb", 2, 2, 3, Some(32.5)),
    p("3g.71gb", 3, 4, 2, Some(69.75)),
    p("4g.71gb", 4, 4, 1, Some(69.75)),
    p("7g.141gb", 7, 8, 1, Some(140.0)),
];
const GH200_144: &[MigProfile] = &[
    p("1g.18gb", 1, 1, 7, None),
    p("1g.18gb+me", 1, 1, 1, None),
    p("1g.36gb", 1, 2, 4, None),
    p("2g.36gb", 2, 2, 3, None),
    p("3g.72gb", 3, 4, 2, None),
    p("4g.72gb", 4, 4, 1, None),
    p("7g.144gb", 7, 8, 1, None),
];
const B200: &[MigProfile] = &[
    p("1g.23gb", 1, 1, 7, None),
    p("1g.23gb+me", 1, 1, 1, None),
    p("1g.45gb", 1, 2, 4, None),
    p("2g.45gb", 2, 2, 3, None),
    p("3g.90gb", 3, 4, 2, None),
    p("4g.90gb", 4, 4, 1, None),
    p("7g.180gb", 7, 8, 1, None),
];
const GB200: &[MigProfile] = &[
    p("1g.23gb", 1, 1, 7, None),
    p("1g.47gb", 1, 2, 4, None),
    p("2g.47gb", 2, 2, 3, None),
    p("3g.93gb", 3, 4, 2, None),
    p("4g.93gb", 4, 4, 1, None),
    p("7g.186gb", 7, 8, 1, None),
];
const B300: &[MigProfile] = &[
    p("1g.34gb", 1, 1, 7, None),
    p("1g.67gb", 1, 2, 4, None),
    p("2g.67gb", 2, 2, 3, None),
    p("3g.135gb", 3, 4, 2, None),
    p("4g.135gb", 4, 4, 1, None),
    p("7g.269gb", 7, 8, 1, None),
];
const GB300: &[MigProfile] = &[
    p("1g.35gb", 1, 1, 7, None),
    p("1g.70gb", 1, 2, 4, None),
    p("2g.70gb", 2, 2, 3, None),
    p("3g.139gb", 3, 4, 2, None),
    p("4g.139gb", 4, 4, 1, None),
    p("7g.278gb", 7, 8, 1, None),
];
const RTX_PRO_6000: &[MigProfile] = &[
    p("1g.24gb", 1, 1, 4, None),
    p("1g.24gb+gfx", 1, 1, 4, None),
    p("1g.24gb-me", 1, 1, 4, None),
    p("1g.24gb+me", 1, 1, 1, None),
    p("1g.24gb+me.all", 1, 1, 1, None),
    p("2g.48gb", 2, 2, 2, None),
    p("2g.48gb+gfx", 2, 2, 2, None),
    p("2g.48gb-me", 2, 2, 2, None),
    p("2g.48gb+me.all", 2, 2, 1, None),
    p("4g.96gb", 4, 4, 1, None),
    p("4g.96gb+gfx", 4, 4, 1, None),
];

const fn mig(
    compute_slices: u32,
    memory_slices: u32,
    profiles: &'static [MigProfile],
    balanced: &'static [(&'static str, u32)],
) -> Option<MigSpec> {
    Some(MigSpec {
        compute_slices,
        memory_slices,
        profiles,
        balanced,
    })
}

const BAL_80: &[(&str, u32)] = &[("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)];

/// Every GPU the catalog knows.
pub static CATALOG: &[GpuSpec] = &[
    GpuSpec {
        name: "A30-24GB",
        aliases: &["A30"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(4, 4, A30, &[("1g.6gb", 2), ("2g.12gb", 1)]),
    },
    GpuSpec {
        name: "A100-40GB",
        aliases: &["A100-SXM4-40GB", "A800-40GB"],
        // Current drivers name it with the `NVIDIA-` prefix, older ones without (facts §1.7).
        product_labels: &["NVIDIA-A100-SXM4-40GB", "A100-SXM4-40GB"],
        usable_gib: None,
        mig: mig(
            7,
            8,
            A100_40,
            &[("1g.5gb", 2), ("2g.10gb", 1), ("3g.20gb", 1)],
        ),
    },
    GpuSpec {
        name: "A100-80GB",
        aliases: &["A100-SXM4-80GB", "A800-80GB"],
        // As for the 40GB part: both driver eras' spellings (facts §1.7).
        product_labels: &["NVIDIA-A100-SXM4-80GB", "A100-SXM4-80GB"],
        usable_gib: None,
        mig: mig(7, 8, CLASS_80, BAL_80),
    },
    GpuSpec {
        name: "H100-80GB",
        aliases: &["H100", "H100-80GB-HBM3", "H800-80GB"],
        product_labels: &["NVIDIA-H100-80GB-HBM3"],
        usable_gib: Some(79.25),
        mig: mig(7, 8, H100_80, BAL_80),
    },
    GpuSpec {
        name: "H100-NVL",
        aliases: &["H100-94GB", "H800-NVL"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(
            7,
            8,
            H100_94,
            &[("1g.12gb", 2), ("2g.24gb", 1), ("3g.47gb", 1)],
        ),
    },
    GpuSpec {
        name: "H100-96GB",
        aliases: &["GH200-96GB", "H20"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(7, 8, H100_96, &[]),
    },
    GpuSpec {
        name: "H200-141GB",
        aliases: &["H200"],
        product_labels: &["NVIDIA-H200"],
        usable_gib: Some(140.0),
        mig: mig(
            7,
            8,
            H200,
            &[("1g.18gb", 2), ("2g.35gb", 1), ("3g.71gb", 1)],
        ),
    },
    GpuSpec {
        name: "GH200-144GB",
        aliases: &["GH200"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(7, 8, GH200_144, &[]),
    },
    GpuSpec {
        name: "B200-180GB",
        aliases: &["B200"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(
            7,
            8,
            B200,
            &[("1g.23gb", 2), ("2g.45gb", 1), ("3g.90gb", 1)],
        ),
    },
    GpuSpec {
        name: "GB200",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: mig(7, 8, GB200, &[]),
    },
    GpuSpec {
        name: "B300",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: mig(7, 8, B300, &[]),
    },
    GpuSpec {
        name: "GB300",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: mig(7, 8, GB300, &[]),
    },
    GpuSpec {
        name: "RTX-PRO-6000",
        aliases: &["RTX-PRO-6000-Blackwell"],
        product_labels: &[],
        usable_gib: None,
        mig: mig(4, 4, RTX_PRO_6000, &[]),
    },
    GpuSpec {
        name: "T4",
        aliases: &["Tesla-T4"],
        product_labels: &["Tesla-T4", "TESLA-T4"],
        usable_gib: Some(15.0),
        mig: None,
    },
    GpuSpec {
        name: "L4",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: None,
    },
    GpuSpec {
        name: "A10G",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: None,
    },
    GpuSpec {
        name: "L40S",
        aliases: &[],
        product_labels: &[],
        usable_gib: None,
        mig: None,
    },
];

/// The catalog entry called `name` (or one of its aliases), case-insensitive.
pub fn lookup(name: &str) -> Option<&'static GpuSpec> {
    CATALOG.iter().find(|g| {
        g.name.eq_ignore_ascii_case(name) || g.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The catalog names, for "did you mean".
pub fn names() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|g| g.name)
}

#[cfg(test)]
#[path = "catalog_labels.rs"]
mod catalog_labels;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_profile_name_differs_per_gpu() {
        let a40 = lookup("A100-40GB").and_then(|g| g.mig).unwrap();
        let h100 = lookup("H100").and_then(|g| g.mig).unwrap();
        assert_eq!(a40.profile("1g.10gb").map(|p| p.max), Some(4));
        assert_eq!(h100.profile("1g.10gb").map(|p| p.max), Some(7));
        assert!(h100.profile("1g.5gb").is_none());
    }

    #[test]
    fn balanced_layouts_fit_their_gpu() {
        for gpu in CATALOG {
            let Some(mig) = gpu.mig else { continue };
            let (mut c, mut m) = (0, 0);
            for (name, count) in mig.balanced {
                let profile = mig.profile(name).unwrap();
                c += profile.compute * count;
                m += profile.memory * count;
            }
            assert!(
                c <= mig.compute_slices && m <= mig.memory_slices,
                "{}",
                gpu.name
            );
        }
    }

    #[test]
    fn mixed_resource_names_replace_plus() {
        let h100 = lookup("H100-80GB").and_then(|g| g.mig).unwrap();
        assert_eq!(
            h100.profile("1g.10gb.me").unwrap().resource_name(),
            "nvidia.com/mig-1g.10gb.me"
        );
    }
}
