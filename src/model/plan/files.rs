//! Where a model's files are in a pod mlc builds itself (`serve deployment`): a claim
//! mounted read-only, or a directory a storage initializer fills.

use crate::model::ir::{Format, Location, Model};

/// Where model files are mounted.
pub const MODEL_DIR: &str = "/mnt/models";

/// The main artifact's files, as the pod sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelFiles {
    /// `pvc://claim/path`: the claim mounted read-only at `mount_path`.
    Claim {
        /// The PersistentVolumeClaim.
        claim: String,
        /// The directory inside the claim that is mounted (empty for its root).
        sub_path: String,
        /// Where it is mounted.
        mount_path: String,
        /// The path the runtime reads (the file, or the directory).
        path: String,
    },
    /// A remote (or project) URI that a storage initializer copies into an `emptyDir`.
    Fetched {
        /// The URI handed to the storage initializer.
        uri: String,
        /// The path the runtime reads.
        path: String,
    },
}

impl ModelFiles {
    /// The files of `model`'s main artifact.
    pub(super) fn of(model: &Model) -> ModelFiles {
        let uri = &model.artifact.uri.value;
        if let Location::Pvc { claim, path } = &model.artifact.location {
            let (sub_path, file) = if path.is_empty() || path.ends_with('/') {
                (path.trim_end_matches('/').to_owned(), None)
            } else {
                match path.rsplit_once('/') {
                    Some((dir, file)) => (dir.to_owned(), Some(file.to_owned())),
                    None => (String::new(), Some(path.clone())),
                }
            };
            // TF Serving reads numbered version directories below its base path: a URI that
            // names one version directory is mounted as that version below `/mnt/models`.
            let version_dir = sub_path
                .rsplit('/')
                .next()
                .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()));
            let mount_path = match (model.format.value, version_dir, &file) {
                (Format::Tensorflow, Some(v), None) => format!("{MODEL_DIR}/{v}"),
                _ => MODEL_DIR.to_owned(),
            };
            let path = file.map_or_else(|| MODEL_DIR.to_owned(), |f| format!("{MODEL_DIR}/{f}"));
            return ModelFiles::Claim {
                claim: claim.clone(),
                sub_path,
                mount_path,
                path,
            };
        }
        let file = uri
            .rsplit('/')
            .next()
            .filter(|f| f.ends_with(".onnx"))
            .map(str::to_owned);
        ModelFiles::Fetched {
            uri: uri.clone(),
            path: file.map_or_else(|| MODEL_DIR.to_owned(), |f| format!("{MODEL_DIR}/{f}")),
        }
    }

    /// The path the runtime reads.
    pub fn path(&self) -> &str {
        match self {
            ModelFiles::Claim { path, .. } | ModelFiles::Fetched { path, .. } => path,
        }
    }
}
