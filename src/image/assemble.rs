//! `mlc image build`: an OCI image layout assembled from files given by path, with no
//! container engine. Layers, bottom to top: the base rootfs tarball (`--rootfs`), the host's
//! shared libraries (`--copy-host-libs`), and the application (`mlc-serve`, ONNX Runtime,
//! `/etc/mlc-serve`, `/tmp`). The config fragment is embedded byte for byte.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

use super::elf::architecture;
use super::host_libs::{self, HostLibError};
use super::layer::{self, Entries, Entry, Layer, insert_with_parents};
use super::oci_layout;
use super::settings::{BINARY_PATH, ORT_LIBRARY_PATH};

/// What `mlc image build` was given.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The layout directory to write (replaced when it already holds a layout).
    pub out: PathBuf,
    /// The `mlc-serve` binary.
    pub binary: PathBuf,
    /// The ONNX Runtime library; without it, `rootfs` must hold it at `ORT_DYLIB_PATH`.
    pub ort_lib: Option<PathBuf>,
    /// A base root filesystem tarball (plain or gzip), the bottom layer.
    pub rootfs: Option<PathBuf>,
    /// Add the shared libraries the binary and the library need, copied from this host.
    pub copy_host_libs: bool,
    /// The bytes of `image-config.json`.
    pub config: Vec<u8>,
    /// Where `config` came from, for messages.
    pub config_origin: String,
    /// The name of the image in the layout (default: the config's version label, else `latest`).
    pub tag: Option<String>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// `sha256:` of the image manifest: the image's identity.
    pub manifest_digest: String,
    /// `sha256:` of the image config.
    pub config_digest: String,
    /// The `org.opencontainers.image.ref.name` of the image.
    pub tag: String,
    /// The OCI architecture, read from the binary.
    pub architecture: String,
    /// The number of layers.
    pub layers: usize,
    /// The compressed size of the layers, in bytes.
    pub layer_bytes: u64,
    /// The host files added by `--copy-host-libs` (image paths, sorted).
    pub host_files: Vec<String>,
}

/// Why no layout was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// An input cannot be used (E0406): exit 1.
    Input(Box<Diagnostic>),
    /// mlc could not do its work (writing the layout failed): exit 2.
    Failed(String),
}

fn unusable(message: String, help: &str) -> BuildError {
    BuildError::Input(Box::new(Diagnostic::error("E0406", message).help(help)))
}

/// Reads an input file, or says which one cannot be used.
fn read_input(path: &Path, what: &str, help: &str) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|e| {
        unusable(
            format!(
                "cannot read the {what} `{}`: {}",
                path.display(),
                reason(&e)
            ),
            help,
        )
    })
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        std::io::ErrorKind::NotADirectory => "not a directory".to_owned(),
        _ => e.to_string().to_lowercase(),
    }
}

/// What the layout needs from the config fragment.
struct Fragment {
    ort_path: String,
    version: Option<String>,
}

fn read_fragment(bytes: &[u8], origin: &str) -> Result<Fragment, BuildError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        unusable(
            format!("`{origin}` is not valid JSON: {e}"),
            "give the `image-config.json` that `mlc build` writes, or the project directory",
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(unusable(
            format!("`{origin}` is not a JSON object"),
            "give the `image-config.json` that `mlc build` writes, or the project directory",
        ));
    };
    let ort_path = object
        .get("Env")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .find_map(|e| e.strip_prefix("ORT_DYLIB_PATH="))
        .unwrap_or(ORT_LIBRARY_PATH)
        .to_owned();
    if !ort_path.starts_with('/') || ort_path.split('/').any(|p| p == "..") {
        return Err(unusable(
            format!("`ORT_DYLIB_PATH` in `{origin}` is not an absolute path: `{ort_path}`"),
            "write it as an absolute path inside the image, e.g. `/usr/local/lib/onnxruntime/libonnxruntime.so.1.32.0`",
        ));
    }
    let version = object
        .get("Labels")
        .and_then(|l| l.get("org.opencontainers.image.version"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    Ok(Fragment { ort_path, version })
}

/// Whether `tag` is a valid OCI tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Assembles the layout and writes it to `options.out`.
pub fn build_layout(options: &BuildOptions) -> Result<Built, BuildError> {
    let fragment = read_fragment(&options.config, &options.config_origin)?;
    let tag = options
        .tag
        .clone()
        .or(fragment.version.clone())
        .unwrap_or_else(|| "latest".to_owned());
    if !valid_tag(&tag) {
        return Err(unusable(
            format!("`{tag}` is not a valid image tag"),
            "a tag is letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`, at most 128 characters: `--tag 0.1.0`",
        ));
    }

    let binary = read_input(
        &options.binary,
        "binary",
        "build it with `cargo build --release -p mlc-serve`, or give its path with `--binary PATH`",
    )?;
    let Some(arch) = architecture(&binary) else {
        return Err(unusable(
            format!(
                "the binary `{}` is not an ELF executable of a known architecture",
                options.binary.display()
            ),
            "give the `mlc-serve` binary built for Linux with `--binary PATH`",
        ));
    };
    let ort_lib = match &options.ort_lib {
        Some(path) => {
            let bytes = read_input(
                path,
                "ONNX Runtime library",
                "give `libonnxruntime.so.1.32.0` from the `onnxruntime` wheel: `--ort-lib PATH`",
            )?;
            let lib_arch = architecture(&bytes);
            if lib_arch != Some(arch) {
                return Err(unusable(
                    format!(
                        "the ONNX Runtime library `{}` is not an ELF library for `{arch}`, the binary's architecture",
                        path.display()
                    ),
                    "give the library of the same platform as the binary with `--ort-lib PATH`",
                ));
            }
            Some(bytes)
        }
        None => None,
    };

    let mut layers: Vec<Layer> = Vec::new();
    if let Some(path) = &options.rootfs {
        let bytes = read_input(
            path,
            "base rootfs tarball",
            "give a tar or tar.gz of the base image's root filesystem with `--rootfs PATH`",
        )?;
        let paths = layer::tarball_paths(&bytes).map_err(|e| {
            unusable(
                format!(
                    "the base rootfs `{}` is not a tar or gzip-compressed tar archive: {}",
                    path.display(),
                    reason(&e)
                ),
                "give a tar or tar.gz of the base image's root filesystem with `--rootfs PATH` (decompress other formats first)",
            )
        })?;
        let wanted = fragment.ort_path.trim_start_matches('/');
        if ort_lib.is_none() && !paths.iter().any(|p| p == wanted) {
            return Err(no_ort_library(&fragment.ort_path));
        }
        layers.push(layer::from_tarball(bytes).map_err(failed)?);
    } else if ort_lib.is_none() {
        return Err(no_ort_library(&fragment.ort_path));
    }

    let replaceable = oci_layout::replaceable(&options.out).map_err(|e| {
        unusable(
            format!(
                "cannot use `{}` as the layout directory: {}",
                options.out.display(),
                reason(&e)
            ),
            "give an empty or new directory with `--out DIR`",
        )
    })?;
    if !replaceable {
        return Err(unusable(
            format!(
                "`{}` exists and is not an OCI image layout: it will not be replaced",
                options.out.display()
            ),
            "give an empty or new directory with `--out DIR`",
        ));
    }

    let mut host_files = Vec::new();
    if options.copy_host_libs {
        let mut entries = Entries::new();
        let mut needed = host_libs::needed(&options.binary).map_err(host_lib_error)?;
        if let Some(path) = &options.ort_lib {
            needed.extend(host_libs::needed(path).map_err(host_lib_error)?);
        }
        needed.sort();
        needed.dedup();
        for path in &needed {
            host_libs::add_path(&mut entries, path).map_err(host_lib_error)?;
        }
        host_files = entries
            .iter()
            .filter(|(_, e)| e.kind != layer::Kind::Dir)
            .map(|(p, _)| format!("/{p}"))
            .collect();
        if !entries.is_empty() {
            layers.push(layer::build(&entries).map_err(failed)?);
        }
    }

    let mut app = Entries::new();
    insert_with_parents(&mut app, BINARY_PATH, Entry::file(binary, 0o755));
    if let Some(bytes) = ort_lib {
        insert_with_parents(&mut app, &fragment.ort_path, Entry::file(bytes, 0o755));
    }
    insert_with_parents(&mut app, "etc/mlc-serve", Entry::dir(0o755));
    insert_with_parents(&mut app, "tmp", Entry::dir(0o1777));
    layers.push(layer::build(&app).map_err(failed)?);

    let layer_count = layers.len();
    let layer_bytes = layers.iter().map(|l| l.blob.len() as u64).sum();
    let files = oci_layout::render(layers, &options.config, arch, &tag);
    oci_layout::write(&options.out, &files.files).map_err(|e| {
        BuildError::Failed(format!(
            "cannot write the image layout `{}`: {}",
            options.out.display(),
            reason(&e)
        ))
    })?;
    Ok(Built {
        manifest_digest: files.manifest_digest,
        config_digest: files.config_digest,
        tag,
        architecture: arch.to_owned(),
        layers: layer_count,
        layer_bytes,
        host_files,
    })
}

fn no_ort_library(path: &str) -> BuildError {
    unusable(
        format!("the image would have no ONNX Runtime library at `{path}` (`ORT_DYLIB_PATH`)"),
        "give the library with `--ort-lib PATH` (`libonnxruntime.so.1.32.0` from the `onnxruntime` wheel), or a `--rootfs` that holds it",
    )
}

fn host_lib_error(e: HostLibError) -> BuildError {
    match e {
        HostLibError::NoLdd(why) => unusable(
            format!("cannot list the shared libraries with `ldd`: {why}"),
            "`--copy-host-libs` needs `ldd` (Debian package `libc-bin`); or give a `--rootfs` that has the libraries",
        ),
        HostLibError::NotFound { file, library } => unusable(
            format!(
                "`{}` needs `{library}`, which this host does not have",
                file.display()
            ),
            "install the library on this host, or give a `--rootfs` that has it",
        ),
        HostLibError::Unreadable { path, reason } => unusable(
            format!(
                "cannot copy the host library `{}`: {reason}",
                path.display()
            ),
            "check the file's permissions, or give a `--rootfs` that has the libraries",
        ),
    }
}

#[expect(clippy::needless_pass_by_value, reason = "used as `map_err(failed)`")]
fn failed(e: std::io::Error) -> BuildError {
    BuildError::Failed(format!("cannot assemble a layer: {}", reason(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::elf::header;
    use crate::image::oci_layout::REF_NAME;

    fn options(dir: &Path) -> BuildOptions {
        let binary = dir.join("mlc-serve");
        let lib = dir.join("libonnxruntime.so.1.32.0");
        std::fs::write(&binary, header(62)).unwrap();
        std::fs::write(&lib, header(62)).unwrap();
        BuildOptions {
            out: dir.join("layout"),
            binary,
            ort_lib: Some(lib),
            rootfs: None,
            copy_host_libs: false,
            config: crate::image::config_json(
                "demo",
                &crate::model::Image::default(),
                &crate::image::ImageInputs::default(),
            ),
            config_origin: "image-config.json".to_owned(),
            tag: None,
        }
    }

    fn code(result: Result<Built, BuildError>) -> &'static str {
        match result {
            Err(BuildError::Input(d)) => d.code,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    /// E0406 is raised by no KDL input; this test covers it for the code registry.
    #[test]
    fn unusable_image_inputs_are_e0406() {
        let dir = tempfile::tempdir().unwrap();
        let good = options(dir.path());

        let missing = BuildOptions {
            binary: dir.path().join("nope"),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&missing)), "E0406");

        std::fs::write(dir.path().join("script"), b"#!/bin/sh\n").unwrap();
        let not_elf = BuildOptions {
            binary: dir.path().join("script"),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&not_elf)), "E0406");

        std::fs::write(dir.path().join("arm.so"), header(183)).unwrap();
        let other_arch = BuildOptions {
            ort_lib: Some(dir.path().join("arm.so")),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&other_arch)), "E0406");

        let no_lib = BuildOptions {
            ort_lib: None,
            ..good.clone()
        };
        assert_eq!(code(build_layout(&no_lib)), "E0406");

        let bad_config = BuildOptions {
            config: b"[1]".to_vec(),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&bad_config)), "E0406");

        let bad_tag = BuildOptions {
            tag: Some("-x".to_owned()),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&bad_tag)), "E0406");

        std::fs::write(dir.path().join("rootfs.tar"), b"not a tarball at all").unwrap();
        let bad_rootfs = BuildOptions {
            rootfs: Some(dir.path().join("rootfs.tar")),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&bad_rootfs)), "E0406");

        std::fs::create_dir(dir.path().join("precious")).unwrap();
        std::fs::write(dir.path().join("precious/keep.txt"), b"x").unwrap();
        let occupied = BuildOptions {
            out: dir.path().join("precious"),
            ..good.clone()
        };
        assert_eq!(code(build_layout(&occupied)), "E0406");
        assert!(dir.path().join("precious/keep.txt").is_file());
        assert!(
            !dir.path().join("layout").exists(),
            "nothing written on errors"
        );
    }

    #[test]
    fn building_twice_gives_the_same_digest() {
        let dir = tempfile::tempdir().unwrap();
        let o = options(dir.path());
        let a = build_layout(&o).unwrap();
        let b = build_layout(&o).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.tag, env!("CARGO_PKG_VERSION"));
        assert_eq!(a.architecture, "amd64");
        let index = std::fs::read_to_string(o.out.join("index.json")).unwrap();
        assert!(index.contains(&a.manifest_digest), "{index}");
        assert!(index.contains(REF_NAME));
        let config = std::fs::read(
            o.out
                .join("blobs/sha256")
                .join(a.config_digest.trim_start_matches("sha256:")),
        )
        .unwrap();
        let fragment_at = config
            .windows(o.config.len())
            .position(|w| w == o.config.as_slice());
        assert!(
            fragment_at.is_some(),
            "the fragment is embedded byte for byte"
        );
    }

    #[test]
    fn a_rootfs_tarball_can_hold_the_library() {
        let dir = tempfile::tempdir().unwrap();
        let mut entries = Entries::new();
        insert_with_parents(
            &mut entries,
            ORT_LIBRARY_PATH,
            Entry::file(header(62), 0o755),
        );
        let rootfs = layer::build(&entries).unwrap();
        std::fs::write(dir.path().join("rootfs.tar.gz"), &rootfs.blob).unwrap();
        let o = BuildOptions {
            ort_lib: None,
            rootfs: Some(dir.path().join("rootfs.tar.gz")),
            ..options(dir.path())
        };
        let built = build_layout(&o).unwrap();
        assert_eq!(built.layers, 2);
    }
}
