//! The artifact family of a `model`: `artifact` and `format` (or its inference from the
//! artifact path).

use super::ir::{Artifact, Format, Location, Spanned};
use super::lower_model::SCHEMES;
use super::reader::{Reader, list, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

pub(crate) fn lower_artifact(node: &Node, diags: &mut Diagnostics) -> Option<Artifact> {
    let mut r = Reader::new(node, diags, &["sha256"], 1);
    no_children(node, r.diags);
    let sha = r.str("sha256");
    let Some(uri) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing("a URI", "artifact \"s3://models/bert/1.0/model.onnx\"");
        }
        return None;
    };
    let scheme = uri.value.split_once("://").map(|(s, _)| s.to_owned());
    let rest_ok = uri
        .value
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.contains(char::is_whitespace));
    let location = Location::parse(&uri.value).filter(|_| rest_ok);
    let location = match (location, scheme) {
        (Some(location), _) => location,
        (None, other) => {
            let why = match other {
                Some(s) if !SCHEMES.contains(&s.as_str()) => format!("unsupported scheme `{s}`"),
                Some(_) => "the URI has no path".to_owned(),
                None => "it has no `scheme://`".to_owned(),
            };
            diags.push(
                Diagnostic::error(
                    Code::E0209,
                    format!("invalid artifact URI `{}`: {why}", uri.value),
                )
                .label(uri.span, "invalid URI")
                .help(format!(
                    "use one of the schemes {}, e.g. `\"s3://bucket/model.onnx\"`",
                    list(SCHEMES)
                )),
            );
            return None;
        }
    };
    let sha256 = sha.and_then(|s| {
        let hex = s
            .value
            .strip_prefix("sha256:")
            .unwrap_or(&s.value)
            .to_owned();
        if super::units::is_sha256_hex(&hex) {
            Some(Spanned::new(hex, s.span))
        } else {
            diags.push(
                Diagnostic::error(Code::E0210, "malformed sha256 digest")
                    .label(
                        s.span,
                        format!(
                            "{} characters; expected 64 lower-case hex digits",
                            hex.len()
                        ),
                    )
                    .help("compute it with `sha256sum model.onnx` and paste the 64 hex digits"),
            );
            None
        }
    });
    Some(Artifact {
        uri,
        location,
        sha256,
    })
}

/// The `format`, or `onnx` inferred from an artifact path ending in `.onnx`.
pub(super) fn lower_format(
    node: &Node,
    children: &[Node],
    diags: &mut Diagnostics,
) -> Option<Spanned<Format>> {
    let head = node.head_span();
    let find = |n: &str| children.iter().find(|c| c.name == n);
    match find("format") {
        Some(c) => {
            let mut r = Reader::new(c, diags, &[], 1);
            no_children(c, r.diags);
            let f = r.choice_of(r.arg(0), "model format", Format::ALL);
            if f.is_none() && c.args.is_empty() {
                r.missing("a format", "format onnx");
            }
            f
        }
        None => match find("artifact")
            .and_then(|a| a.args.first())
            .and_then(|v| v.as_str())
        {
            // Infer from the path as written, even when the URI itself is rejected.
            Some(uri)
                if std::path::Path::new(uri)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("onnx")) =>
            {
                Some(Spanned::new(Format::Onnx, head))
            }
            _ => {
                Reader::new(node, diags, &[], 1).missing("a `format`", "format onnx");
                None
            }
        },
    }
}
