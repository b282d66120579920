//! The ONNX Runtime library the image ships: the CPU build from the `onnxruntime` wheel on
//! PyPI, pinned by version and by the wheel's sha256.

/// The ONNX Runtime version `mlc-serve` is tested with and the image ships.
pub const ORT_VERSION: &str = "1.32.0";

/// The wheel the library is taken from (CPython 3.11, manylinux 2.28, x86-64).
pub const ORT_WHEEL: &str = "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl";

/// The sha256 of [`ORT_WHEEL`], as published on PyPI.
pub const ORT_WHEEL_SHA256: &str =
    "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d";

/// The library's file name in the wheel (`onnxruntime/capi/…`) and in the image.
pub const ORT_LIBRARY: &str = "libonnxruntime.so.1.32.0";

/// How `pip download` selects [`ORT_WHEEL`] whatever the platform of the build stage.
pub(crate) const ORT_WHEEL_PLATFORM: &[(&str, &str)] = &[
    ("--platform", "manylinux_2_28_x86_64"),
    ("--python-version", "3.11"),
    ("--implementation", "cp"),
    ("--abi", "cp311"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_and_library_names_carry_the_pinned_version() {
        assert!(ORT_WHEEL.starts_with(&format!("onnxruntime-{ORT_VERSION}-")));
        assert_eq!(ORT_LIBRARY, format!("libonnxruntime.so.{ORT_VERSION}"));
        assert_eq!(ORT_WHEEL_SHA256.len(), 64);
        assert!(ORT_WHEEL_SHA256.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
