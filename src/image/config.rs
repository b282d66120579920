//! `image-config.json`: the `config` fragment of the OCI image config (entrypoint, environment,
//! exposed port, numeric user, labels), which `mlc image build` embeds byte for byte and the
//! Containerfile reproduces instruction by instruction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Image;

use super::onnxruntime::{ORT_VERSION, ORT_WHEEL_SHA256};
use super::settings::{CONFIG_PATH, ImageInputs, ORT_LIBRARY_PATH, PATH, PORTS, Settings, USER};

/// The entrypoint: the binary (found on `PATH`) and the mounted configuration.
pub(crate) fn entrypoint() -> [&'static str; 3] {
    ["mlc-serve", "--config", CONFIG_PATH]
}

/// The environment, in the order the Containerfile sets it.
pub(crate) fn env() -> [(&'static str, &'static str); 2] {
    [("PATH", PATH), ("ORT_DYLIB_PATH", ORT_LIBRARY_PATH)]
}

/// The exposed ports as the OCI config and `EXPOSE` write them (`8080/tcp`), in [`PORTS`] order.
pub(crate) fn exposed_ports() -> Vec<String> {
    PORTS.iter().map(|port| format!("{port}/tcp")).collect()
}

/// The image labels: where the source comes from, which revision, which ONNX Runtime.
pub(crate) fn labels(s: &Settings) -> BTreeMap<&'static str, String> {
    let mut labels = BTreeMap::from([
        ("mlc.onnxruntime.version", ORT_VERSION.to_owned()),
        ("mlc.onnxruntime.wheel.sha256", ORT_WHEEL_SHA256.to_owned()),
        ("org.opencontainers.image.base.name", s.base.clone()),
        ("org.opencontainers.image.licenses", "Apache-2.0".to_owned()),
        ("org.opencontainers.image.source", s.source.clone()),
        ("org.opencontainers.image.title", "mlc-serve".to_owned()),
        ("org.opencontainers.image.version", s.tag.clone()),
    ]);
    if !s.project.is_empty() {
        labels.insert("mlc.project", s.project.clone());
    }
    if let Some(revision) = &s.revision {
        labels.insert("org.opencontainers.image.revision", revision.clone());
    }
    if let Some(digest) = s.base_digest() {
        labels.insert("org.opencontainers.image.base.digest", digest.to_owned());
    }
    labels
}

/// The fragment, keys in the order serde writes struct fields (sorted by hand here).
#[derive(Serialize)]
struct Fragment<'a> {
    #[serde(rename = "Entrypoint")]
    entrypoint: [&'a str; 3],
    #[serde(rename = "Env")]
    env: Vec<String>,
    #[serde(rename = "ExposedPorts")]
    exposed_ports: BTreeMap<String, serde_json::Value>,
    #[serde(rename = "Labels")]
    labels: BTreeMap<&'a str, String>,
    #[serde(rename = "User")]
    user: &'a str,
}

/// The bytes of `image-config.json` for these settings: pretty JSON, sorted keys, final newline.
pub(crate) fn render(s: &Settings) -> Vec<u8> {
    let fragment = Fragment {
        entrypoint: entrypoint(),
        env: env().iter().map(|(k, v)| format!("{k}={v}")).collect(),
        exposed_ports: exposed_ports()
            .into_iter()
            .map(|port| (port, serde_json::json!({})))
            .collect(),
        labels: labels(s),
        user: USER,
    };
    // Serializing plain structs and BTreeMaps into a Vec cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&fragment).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `image-config.json` for a project's `image` node and the `mlc build` flags, as
/// `mlc image build --config` embeds it.
pub fn config_json(project: &str, image: &Image, inputs: &ImageInputs) -> Vec<u8> {
    render(&Settings::resolve(project, image, inputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_keys_are_sorted_and_user_is_numeric() {
        let bytes = config_json("demo", &Image::default(), &ImageInputs::default());
        let text = String::from_utf8(bytes).unwrap();
        let keys: Vec<_> = [
            "\"Entrypoint\"",
            "\"Env\"",
            "\"ExposedPorts\"",
            "\"Labels\"",
            "\"User\"",
        ]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["User"], "65532:65532");
        assert_eq!(value["ExposedPorts"]["8080/tcp"], serde_json::json!({}));
        assert_eq!(value["ExposedPorts"]["8081/tcp"], serde_json::json!({}));
        assert!(text.ends_with("}\n"));
    }
}
