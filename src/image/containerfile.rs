//! The `Containerfile` (multi-stage) and its `.dockerignore`.
//!
//! Stage `build` compiles `mlc-serve` from the mlc source at the pinned revision; stage
//! `onnxruntime` downloads the pinned wheel with pip in hash-checking mode and extracts the
//! library; the runtime stage starts from the project's base image and copies both, then sets
//! what `image-config.json` says, instruction by instruction.

use std::fmt::Write as _;

use super::config::{entrypoint, env, exposed_ports, labels};
use super::onnxruntime::{
    ORT_LIBRARY, ORT_VERSION, ORT_WHEEL, ORT_WHEEL_PLATFORM, ORT_WHEEL_SHA256,
};
use super::settings::{
    BINARY_PATH, ORT_LIBRARY_PATH, PLATFORM, PYTHON_IMAGE, RUST_IMAGE, Settings, USER,
};

/// The bytes of `Containerfile`.
pub(crate) fn containerfile(s: &Settings) -> Vec<u8> {
    let mut f = String::new();
    let version = env!("CARGO_PKG_VERSION");
    let mut pip_platform = String::new();
    for (flag, value) in ORT_WHEEL_PLATFORM {
        let _ = write!(pip_platform, " {flag} {value}");
    }
    let base_note = if s.base_digest().is_some() {
        "pinned by digest"
    } else {
        "NOT pinned by digest: pin it with `image base=\"name:tag@sha256:…\"` (W0304)"
    };
    let (build_arg, revision_note, fetch) = match &s.revision {
        Some(revision) => (
            String::new(),
            format!("at revision `{revision}`"),
            format!(
                "RUN git init --quiet . \\\n    && git fetch --quiet --depth 1 {} {} \\\n",
                shell_quote(&s.source),
                shell_quote(revision)
            ),
        ),
        None => (
            " --build-arg MLC_REVISION=<tag or commit>".to_owned(),
            "at the build argument `MLC_REVISION` (no default: pin it\n\
             # with the KDL `image revision=\"…\"` or `mlc build --revision`, W0402)"
                .to_owned(),
            format!(
                "ARG MLC_REVISION\n\
                 RUN test -n \"$MLC_REVISION\" \\\n    \
                 || {{ echo 'MLC_REVISION is not set: build with --build-arg MLC_REVISION=<tag or commit of the mlc source>' >&2; exit 1; }}\n\
                 RUN git init --quiet . \\\n    \
                 && git fetch --quiet --depth 1 {} \"$MLC_REVISION\" \\\n",
                shell_quote(&s.source)
            ),
        ),
    };
    let _ = write!(
        f,
        "\
# The runtime image of mlc-serve for project `{project}`, written by `mlc build` (mlc {version}).
# Do not edit: change the project's `image` node and run `mlc build` again.
#
#   docker build --file Containerfile{build_arg} --tag {registry}/mlc-serve:{tag} .
#   podman build --file Containerfile{build_arg} --tag {registry}/mlc-serve:{tag} .
#
# Nothing is taken from the build context (see Containerfile.dockerignore): the source is fetched
# at a pinned revision and ONNX Runtime from a wheel pinned by sha256. Only core instructions are
# used (no `# syntax=` frontend image to fetch).

# mlc-serve, built from the mlc source {revision_note}.
FROM --platform={PLATFORM} {RUST_IMAGE} AS build
WORKDIR /src
{fetch}    && git checkout --quiet --detach FETCH_HEAD
RUN cargo build --release --locked --package mlc-serve \\
    && install -D -m 0755 target/release/mlc-serve /out/mlc-serve

# ONNX Runtime {ORT_VERSION}: the library from the `onnxruntime` wheel, checked by sha256.
FROM --platform={PLATFORM} {PYTHON_IMAGE} AS onnxruntime
WORKDIR /tmp/onnxruntime
RUN echo 'onnxruntime=={ORT_VERSION} --hash=sha256:{ORT_WHEEL_SHA256}' > requirements.txt \\
    && python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \\
        --only-binary=:all:{pip_platform} --dest . --requirement requirements.txt \\
    && echo '{ORT_WHEEL_SHA256}  {ORT_WHEEL}' | sha256sum --check --strict --quiet - \\
    && python3 -m zipfile --extract {ORT_WHEEL} wheel \\
    && install -D -m 0755 wheel/onnxruntime/capi/{ORT_LIBRARY} /out/{ORT_LIBRARY}

# The runtime, on the project's base image ({base_note}).
FROM --platform={PLATFORM} {base}
COPY --from=build /out/mlc-serve {BINARY_PATH}
COPY --from=onnxruntime /out/{ORT_LIBRARY} {ORT_LIBRARY_PATH}
",
        project = s.project,
        registry = s.registry,
        tag = s.tag,
        base = s.base,
    );
    for (key, value) in env() {
        let _ = writeln!(f, "ENV {key}={}", dockerfile_quote(value));
    }
    let labels = labels(s);
    let last = labels.len().saturating_sub(1);
    for (i, (key, value)) in labels.iter().enumerate() {
        let head = if i == 0 { "LABEL" } else { "     " };
        let tail = if i == last { "" } else { " \\" };
        let _ = writeln!(f, "{head} {key}={}{tail}", dockerfile_quote(value));
    }
    let entry: Vec<String> = entrypoint().iter().map(|a| json_string(a)).collect();
    let _ = write!(
        f,
        "USER {USER}\nEXPOSE {}\nENTRYPOINT [{}]\n",
        exposed_ports().join(" "),
        entry.join(", ")
    );
    f.into_bytes()
}

/// The bytes of `Containerfile.dockerignore`: the build needs no context at all.
pub(crate) fn dockerignore() -> Vec<u8> {
    b"# The Containerfile fetches the mlc source at a pinned revision and ONNX Runtime from a wheel\n\
# pinned by sha256: it uses nothing from the build context, so none is sent.\n\
*\n"
        .to_vec()
}

/// A POSIX shell word for `value`: single-quoted, `'` written as `'\''`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A double-quoted Containerfile value (`ENV`, `LABEL`): `\`, `"` and `$` escaped.
fn dockerfile_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn json_string(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::settings::ImageInputs;
    use crate::model::Image;

    #[test]
    fn shell_values_are_quoted() {
        assert_eq!(shell_quote("v1"), "'v1'");
        assert_eq!(shell_quote("a'b; rm -rf /"), r"'a'\''b; rm -rf /'");
        assert_eq!(dockerfile_quote(r#"a"$b\"#), r#""a\"\$b\\""#);
    }

    #[test]
    fn runtime_stage_runs_as_numeric_non_root_user() {
        let s = Settings::resolve("demo", &Image::default(), &ImageInputs::default());
        let text = String::from_utf8(containerfile(&s)).unwrap();
        assert!(text.contains("\nUSER 65532:65532\n"));
        assert!(text.contains("\nEXPOSE 8080/tcp 8081/tcp\n"));
        assert!(text.contains(
            "\nENTRYPOINT [\"mlc-serve\", \"--config\", \"/etc/mlc-serve/config.yaml\"]\n"
        ));
        assert!(text.contains("NOT pinned by digest"));
        assert_eq!(text.matches("\nFROM ").count(), 3);
    }
}
