//! The OCI image layout: `oci-layout`, `index.json` (one manifest, named by an
//! `org.opencontainers.image.ref.name` annotation), and `blobs/sha256/…` holding the manifest,
//! the image config and the layers. Every JSON document is compact, with a fixed key order.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::layer::{Layer, sha256_digest};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";
const CONFIG_TYPE: &str = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// The annotation that names the image inside the layout (`oci:DIR:TAG`).
pub(crate) const REF_NAME: &str = "org.opencontainers.image.ref.name";

#[derive(Serialize)]
struct Descriptor<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
struct Index<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    manifests: Vec<Descriptor<'a>>,
}

/// The files of a layout, paths relative to its directory, and the manifest digest.
pub(crate) struct LayoutFiles {
    /// (path, bytes), the blobs first, `index.json` and `oci-layout` last.
    pub files: Vec<(String, Vec<u8>)>,
    /// `sha256:` of the manifest.
    pub manifest_digest: String,
    /// `sha256:` of the image config.
    pub config_digest: String,
}

/// Makes the layout of one image: `fragment` is embedded byte for byte as the config's
/// `config`.
pub(crate) fn render(
    layers: Vec<Layer>,
    fragment: &[u8],
    architecture: &str,
    tag: &str,
) -> LayoutFiles {
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.diff_id.as_str()).collect();
    let diff_ids = serde_json::to_string(&diff_ids).unwrap_or_default();
    let mut config = Vec::with_capacity(fragment.len() + 256);
    config.extend_from_slice(b"{\"architecture\":");
    config.extend_from_slice(json(&architecture).as_bytes());
    config.extend_from_slice(b",\"config\":");
    config.extend_from_slice(fragment);
    config.extend_from_slice(b",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":");
    config.extend_from_slice(diff_ids.as_bytes());
    config.extend_from_slice(b",\"type\":\"layers\"}}");
    let config_digest = sha256_digest(&config);

    let manifest = Manifest {
        schema_version: 2,
        media_type: MANIFEST_TYPE,
        config: Descriptor {
            media_type: CONFIG_TYPE,
            digest: config_digest.clone(),
            size: config.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: layers
            .iter()
            .map(|l| Descriptor {
                media_type: LAYER_TYPE,
                digest: l.digest.clone(),
                size: l.blob.len() as u64,
                annotations: BTreeMap::new(),
            })
            .collect(),
    };
    let manifest = json(&manifest).into_bytes();
    let manifest_digest = sha256_digest(&manifest);
    let index = Index {
        schema_version: 2,
        media_type: INDEX_TYPE,
        manifests: vec![Descriptor {
            media_type: MANIFEST_TYPE,
            digest: manifest_digest.clone(),
            size: manifest.len() as u64,
            annotations: BTreeMap::from([(REF_NAME, tag)]),
        }],
    };
    let index = json(&index).into_bytes();

    let mut blobs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for layer in layers {
        blobs.insert(blob_path(&layer.digest), layer.blob);
    }
    blobs.insert(blob_path(&config_digest), config);
    blobs.insert(blob_path(&manifest_digest), manifest);
    let mut files: Vec<(String, Vec<u8>)> = blobs.into_iter().collect();
    files.push(("index.json".to_owned(), index));
    files.push((
        "oci-layout".to_owned(),
        b"{\"imageLayoutVersion\":\"1.0.0\"}".to_vec(),
    ));
    LayoutFiles {
        files,
        manifest_digest,
        config_digest,
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
}

fn json<T: Serialize>(value: &T) -> String {
    // Plain structs, strings and BTreeMaps always serialize.
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether `dir` may be replaced: it does not exist, is empty, or holds an OCI layout.
/// `Err` when it cannot be told (not a directory, unreadable).
pub(crate) fn replaceable(dir: &Path) -> io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none() || dir.join("oci-layout").is_file()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Writes the files into a fresh directory beside `dir`, then puts it in place of `dir`.
pub(crate) fn write(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = dir
        .file_name()
        .map_or_else(|| "layout".into(), |n| n.to_string_lossy().into_owned());
    // The staging directory's name only has to be unique while this process runs.
    let staging = parent.join(format!(".{name}.mlc-staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let written = write_all(&staging, files).and_then(|()| {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::rename(&staging, dir)
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    written
}

fn write_all(staging: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    std::fs::create_dir(staging)?;
    for (path, bytes) in files {
        let target = staging.join(path);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&target, bytes)?;
    }
    Ok(())
}
