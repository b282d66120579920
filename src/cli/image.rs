//! `mlc image build`: assemble the runtime image of mlc-serve as an OCI image layout, from
//! files given by path, without a container engine.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stderr, stdout};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::driver;
use crate::image::{self, BuildError, BuildOptions, ImageInputs};
use crate::model::Image;
use crate::source::SourceMap;

/// Build the runtime image of mlc-serve (see `mlc image build --help`).
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    #[command(subcommand)]
    command: ImageCommand,
}

#[derive(Debug, Subcommand)]
enum ImageCommand {
    Build(BuildArgs),
}

/// Assemble a runnable OCI image layout of mlc-serve from files given by path.
///
/// Layers, bottom to top: the base rootfs tarball (`--rootfs`), the host's shared libraries
/// (`--copy-host-libs`), and the binary with the ONNX Runtime library. The image config
/// embeds `image-config.json` byte for byte. The same inputs give the same manifest digest,
/// which is printed on stdout. Nothing is read from the environment.
///
/// Example:
///
///   cargo build --release -p mlc-serve
///   mlc image build --out target/oci/mlc-serve --config examples/cpu-sklearn \
///       --ort-lib libonnxruntime.so.1.32.0 --copy-host-libs
///   skopeo inspect oci:target/oci/mlc-serve
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
struct BuildArgs {
    /// The OCI image layout directory to write (replaced when it already holds a layout).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The mlc-serve binary (a Linux ELF executable).
    #[arg(long, value_name = "PATH", default_value = "target/release/mlc-serve")]
    binary: PathBuf,
    /// The ONNX Runtime library, `libonnxruntime.so.1.32.0` from the `onnxruntime` wheel
    /// (without it, `--rootfs` must hold the library at `ORT_DYLIB_PATH`).
    #[arg(long, value_name = "PATH")]
    ort_lib: Option<PathBuf>,
    /// A tarball (tar or tar.gz) of the base root filesystem: the bottom layer, used as given.
    #[arg(long, value_name = "TARBALL")]
    rootfs: Option<PathBuf>,
    /// Add the shared libraries (and the dynamic loader) that the binary and the ONNX Runtime
    /// library need, copied from this host: reproducible only on the same host.
    #[arg(long)]
    copy_host_libs: bool,
    /// The `image-config.json` that `mlc build` wrote, or a project (directory or `.kdl` file)
    /// to derive it from [default: the built-in defaults, as for a project without `image`].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The image's name in the layout (`oci:DIR:TAG`) [default: the config's
    /// `org.opencontainers.image.version` label].
    #[arg(long, value_name = "NAME")]
    tag: Option<String>,
}

/// Runs `mlc image`.
pub(crate) fn run(args: &ImageArgs, global: &GlobalArgs) -> ExitStatus {
    match &args.command {
        ImageCommand::Build(build) => run_build(build, global),
    }
}

fn run_build(args: &BuildArgs, global: &GlobalArgs) -> ExitStatus {
    let (config, config_origin) = match config_bytes(args.config.as_deref(), global) {
        Ok(found) => found,
        Err(status) => return status,
    };
    let options = BuildOptions {
        out: args.out.clone(),
        binary: args.binary.clone(),
        ort_lib: args.ort_lib.clone(),
        rootfs: args.rootfs.clone(),
        copy_host_libs: args.copy_host_libs,
        config,
        config_origin,
        tag: args.tag.clone(),
    };
    match image::build_layout(&options) {
        Ok(built) => {
            if !global.quiet && global.format == OutputFormat::Human {
                #[expect(clippy::cast_precision_loss, reason = "a size for people")]
                let mib = built.layer_bytes as f64 / (1024.0 * 1024.0);
                let host = if built.host_files.is_empty() {
                    String::new()
                } else {
                    format!(", {} host file(s)", built.host_files.len())
                };
                stderr(&format!(
                    "mlc: wrote `{}`: image `{}` ({}, {} layer(s), {mib:.1} MiB compressed{host})\n",
                    args.out.display(),
                    built.tag,
                    built.architecture,
                    built.layers,
                ));
            }
            stdout(&format!("{}\n", built.manifest_digest));
            ExitStatus::Success
        }
        Err(BuildError::Input(diagnostic)) => fail(*diagnostic, global),
        Err(BuildError::Failed(message)) => {
            stderr(&format!("mlc: error: {message}\n"));
            ExitStatus::Error
        }
    }
}

/// The config fragment: the file given, derived from the project given, or the defaults.
fn config_bytes(path: Option<&Path>, global: &GlobalArgs) -> Result<(Vec<u8>, String), ExitStatus> {
    let Some(path) = path else {
        let bytes = image::config_json("", &Image::default(), &ImageInputs::default());
        return Ok((bytes, "the default image config".to_owned()));
    };
    let is_project = path.is_dir() || path.extension().is_some_and(|e| e == "kdl");
    if !is_project {
        return match std::fs::read(path) {
            Ok(bytes) => Ok((bytes, path.display().to_string())),
            Err(e) => Err(fail(
                Diagnostic::error(
                    "E0406",
                    format!(
                        "cannot read the image config `{}`: {}",
                        path.display(),
                        match e.kind() {
                            std::io::ErrorKind::NotFound => "no such file".to_owned(),
                            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                            _ => e.to_string().to_lowercase(),
                        }
                    ),
                )
                .help("give the `image-config.json` that `mlc build` writes, or the project directory"),
                global,
            )),
        };
    }
    let checked = driver::check(path);
    let project = match checked.project {
        Some(project) if !checked.diagnostics.has_errors() => project,
        _ => {
            print_diagnostics(&checked.diagnostics, &checked.sources, global);
            return Err(ExitStatus::Failure);
        }
    };
    let bytes = image::config_json(&project.name.value, &project.image, &ImageInputs::default());
    Ok((
        bytes,
        format!("the image config of `{}`", checked.root.display()),
    ))
}

fn fail(diagnostic: Diagnostic, global: &GlobalArgs) -> ExitStatus {
    let mut diags = Diagnostics::default();
    diags.push(diagnostic);
    print_diagnostics(&diags, &SourceMap::default(), global);
    ExitStatus::Failure
}
