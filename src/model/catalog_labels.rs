//! Every catalog entry's `nvidia.com/gpu.product` spellings against the facts (integration
//! facts §1.7, GPU Feature Discovery): one test per entry, so a wrong or missing spelling names
//! its GPU. A pod placed by node affinity `In` over these values never schedules on a node whose
//! label is spelled otherwise.

use super::{CATALOG, lookup};

/// The label spellings §1.7 gives (or, for A100-80GB, that its driver-era rule implies), per
/// catalog entry; `&[]` where the facts give none (the entry is unmeasured: E0317).
const FACTS: &[(&str, &[&str])] = &[
    ("A30-24GB", &[]),
    // "`A100-SXM4-40GB` (older drivers)"; "current ones have [the `NVIDIA-` prefix]".
    ("A100-40GB", &["NVIDIA-A100-SXM4-40GB", "A100-SXM4-40GB"]),
    // "`NVIDIA-A100-SXM4-80GB`"; the same part under older drivers loses the prefix.
    ("A100-80GB", &["NVIDIA-A100-SXM4-80GB", "A100-SXM4-80GB"]),
    // "`NVIDIA-H100-80GB-HBM3`" (also read off hardware, §1.4).
    ("H100-80GB", &["NVIDIA-H100-80GB-HBM3"]),
    ("H100-NVL", &[]),
    ("H100-96GB", &[]),
    // "product name `NVIDIA H200`, so GFD label `NVIDIA-H200`" (§1.4).
    ("H200-141GB", &["NVIDIA-H200"]),
    ("GH200-144GB", &[]),
    ("B200-180GB", &[]),
    ("GB200", &[]),
    ("B300", &[]),
    ("GB300", &[]),
    ("RTX-PRO-6000", &[]),
    // "`Tesla-T4`" in the GFD table; "`TESLA-T4`" in the README's selector example.
    ("T4", &["Tesla-T4", "TESLA-T4"]),
    ("L4", &[]),
    ("A10G", &[]),
    ("L40S", &[]),
];

fn check(name: &str) {
    let entry = lookup(name).unwrap_or_else(|| panic!("no catalog entry {name}"));
    let expected = FACTS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| panic!("no facts row for {name}"), |(_, labels)| *labels);
    assert_eq!(entry.product_labels, expected, "{name}");
    for label in entry.product_labels {
        // GFD's sanitise: only `[A-Za-z0-9-_.]` survive, spaces became dashes.
        assert!(
            label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{name}: `{label}` is not a sanitised product name"
        );
    }
}

macro_rules! per_entry {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*

        #[test]
        fn every_entry_has_its_own_test() {
            let tested = [$($name),*];
            let names: Vec<&str> = CATALOG.iter().map(|g| g.name).collect();
            assert_eq!(names, tested);
            assert_eq!(FACTS.len(), CATALOG.len());
        }
    };
}

per_entry! {
    a30_24gb => "A30-24GB",
    a100_40gb => "A100-40GB",
    a100_80gb => "A100-80GB",
    h100_80gb => "H100-80GB",
    h100_nvl => "H100-NVL",
    h100_96gb => "H100-96GB",
    h200_141gb => "H200-141GB",
    gh200_144gb => "GH200-144GB",
    b200_180gb => "B200-180GB",
    gb200 => "GB200",
    b300 => "B300",
    gb300 => "GB300",
    rtx_pro_6000 => "RTX-PRO-6000",
    t4 => "T4",
    l4 => "L4",
    a10g => "A10G",
    l40s => "L40S",
}
