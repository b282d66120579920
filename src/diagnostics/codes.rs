//! The error-code registry: every code, its title and its long explanation.
//!
//! Codes are `E` (error), `W` (warning) or `N` (note) plus four digits, in blocks: 00xx input and I/O, 01xx syntax,
//! 02xx model, 03xx validation, 04xx emit and schema. A code is never reused (W0306, the
//! warning a blocking disruption budget used to raise, is now the error E0322). Each has
//! `explain/<CODE>.md` with an erroneous and a fixed example (checked by a test).

use super::Severity;

/// One registered code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The code, such as `E0301`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// The long explanation (markdown).
    pub explanation: &'static str,
}

macro_rules! registry {
    ($($code:ident $sev:ident $title:literal,)*) => {
        /// Every registered code, in order.
        pub static REGISTRY: &[CodeInfo] = &[
            $(CodeInfo {
                code: stringify!($code),
                severity: Severity::$sev,
                title: $title,
                explanation: include_str!(concat!("explain/", stringify!($code), ".md")),
            },)*
        ];

        /// A registered code, generated from the registry: a mistyped code does not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $title]
                $code,
            )*
        }

        impl Code {
            /// The code as written, such as `E0301`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }
        }
    };
}

/// What [`super::Diagnostic::error`] and [`super::Diagnostic::warning`] take: a [`Code`], or
/// a code written as a string (kept so that existing call sites compile; the registry test
/// checks every such string is registered).
pub trait IntoCode {
    /// The code as written.
    fn code_str(self) -> &'static str;
}

impl IntoCode for Code {
    fn code_str(self) -> &'static str {
        self.as_str()
    }
}

impl IntoCode for &'static str {
    fn code_str(self) -> &'static str {
        self
    }
}

registry! {
    E0001 Error "a file or directory cannot be read",
    E0002 Error "no project root (`mlc.kdl`) was found",
    E0003 Error "`mlc init` cannot create the project",
    E0101 Error "KDL syntax error",
    E0102 Error "unknown node",
    E0103 Error "unknown property",
    E0104 Error "value of the wrong type",
    E0105 Error "missing argument or property",
    E0106 Error "unexpected argument",
    E0107 Error "node given more than once",
    E0108 Error "type annotations are not supported",
    E0201 Error "invalid name",
    E0202 Error "duplicate name",
    E0203 Error "unknown reference",
    E0204 Error "invalid Kubernetes quantity",
    E0205 Error "invalid duration",
    E0206 Error "invalid value",
    E0207 Error "unsupported Kubernetes version",
    E0208 Error "missing or misplaced `project` node",
    E0209 Error "invalid artifact URI",
    E0210 Error "malformed sha256 digest",
    E0211 Error "unknown GPU model",
    E0212 Error "conflicting settings",
    E0213 Error "more than one autoscaling policy",
    E0214 Error "number out of range",
    E0215 Error "invalid label, annotation or taint syntax",
    E0216 Error "invalid mount path",
    E0217 Error "credential written inline",
    E0218 Error "label or annotation managed by mlc",
    E0219 Error "pipeline step calls an unknown model or node",
    E0220 Error "pipeline nodes call each other in a loop",
    E0221 Error "splitter weights do not add up to 100",
    E0222 Error "invalid pipeline structure",
    E0225 Error "pool price is not a number",
    E0226 Error "invalid route host",
    E0227 Error "invalid route path",
    E0228 Error "invalid Gateway or IngressClass reference",
    E0301 Error "MIG profile not offered by the pool's GPU",
    E0302 Error "more MIG instances than the GPU allows",
    E0303 Error "MIG layout does not fit one GPU",
    E0304 Error "MPS cannot share MIG devices",
    E0305 Error "sharing replicas out of range",
    E0306 Error "GPU count out of range",
    E0307 Error "GPU pool capacity exceeded",
    E0308 Error "accelerator request does not match the pool",
    E0309 Error "minimum replicas above maximum",
    E0310 Error "scale to zero is not possible here",
    E0311 Error "autoscaling policy not available for this serve target",
    E0312 Error "resource requests exceed limits",
    E0313 Error "traffic percentages out of range",
    E0314 Error "traffic split not supported by this serve target",
    E0315 Error "derived object name longer than 63 characters",
    E0316 Error "sha256 given for a directory artifact",
    E0317 Error "GPU without known node labels needs a selector",
    E0318 Error "model format not servable by this target",
    E0319 Error "pool belongs to another cluster",
    E0320 Error "model artifact does not fit the accelerator memory",
    E0321 Error "two definitions derive the same object name",
    E0322 Error "disruption budget would block every eviction",
    E0323 Error "VPA controls a resource the HPA scales on",
    E0324 Error "scrape timeout longer than the scrape interval",
    E0325 Error "canary runs more replicas than the stable predictor",
    E0326 Error "canary setting not available on this serve target",
    E0327 Error "exposure not available here",
    E0328 Error "request timeout not enforced by anything this target runs",
    E0330 Error "pipeline step served by another target",
    E0331 Error "setting not available with Seldon",
    E0332 Error "pipeline router not available with Seldon",
    E0340 Error "batching on a model without a dynamic first dimension",
    E0341 Error "model weights do not fit the pod's memory",
    E0342 Error "local artifact copy does not match its sha256",
    E0343 Error "model file cannot be read",
    E0344 Error "external-data file of the model missing",
    E0401 Error "emitted object fails its schema",
    E0402 Error "manifest does not match its schema",
    E0403 Error "manifest file is not valid YAML or JSON",
    E0404 Error "unknown apiVersion or kind",
    E0405 Error "invalid CustomResourceDefinition file",
    E0406 Error "image input cannot be used",
    E0407 Error "canary predictor KServe rejects",
    E0408 Error "autoscaler class KServe rejects",
    E0409 Error "unknown KServe deployment mode",
    E0410 Error "unknown KServe protocol version",
    E0411 Error "KEDA cannot scale cpu/memory triggers to zero",
    E0412 Error "idle replicas not below the minimum",
    E0413 Error "KEDA fallback without an external trigger",
    E0414 Error "HPA behaviour outside the API server's bounds",
    E0415 Error "more than one scaler on a workload",
    E0416 Error "GPU placement without a GPU request",
    E0417 Error "InferenceGraph KServe rejects",
    E0418 Error "SeldonDeployment traffic Seldon rejects",
    E0419 Error "Experiment the Seldon scheduler rejects",
    E0421 Error "VirtualService subset no DestinationRule defines",
    E0422 Error "route backend that is not a Service checked with it",
    E0423 Error "route hosts that do not match the exposure",
    E0424 Error "route weights the router rejects",
    W0401 Warning "the target cluster does not serve an API the output needs",
    W0402 Warning "runtime image spec without a source revision",
    W0301 Warning "artifact without sha256",
    W0302 Warning "single-replica model",
    W0303 Warning "GPU pool without a taint",
    W0304 Warning "base image not pinned by digest",
    W0305 Warning "custom MIG layout",
    W0307 Warning "pool too small for the models' maximum replicas",
    W0308 Warning "GPU model with the default memory request",
    W0309 Warning "alert not available for the model's runtime",
    W0315 Warning "thin memory margin for the model's weights",
    W0317 Warning "ONNX artifact cannot be read",
    N0301 Note "KServe model moved to `autoscalerClass: external`",
    N0302 Note "default scaling policy applied",
    N0305 Note "memory request derived from the model size",
}

/// The registered code `code`, if any (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    REGISTRY.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes still written as strings (`Diagnostic::error("E0212", …)`) must be registered,
    /// since only [`Code`] is checked by the compiler.
    #[test]
    fn every_code_written_as_a_string_is_registered() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut unknown = Vec::new();
        for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for call in [
                "Diagnostic::error(",
                "Diagnostic::warning(",
                "Diagnostic::notice(",
            ] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    let Some(quoted) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let code = quoted.split('"').next().unwrap_or_default();
                    let shaped = code.len() == 5
                        && code.starts_with(['E', 'W', 'N'])
                        && code[1..].chars().all(|c| c.is_ascii_digit());
                    if !shaped {
                        continue;
                    }
                    if lookup(code).is_none_or(|c| c.code != code) {
                        unknown.push(format!("{}: {code}", entry.path().display()));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "unregistered codes: {unknown:?}");
    }

    #[test]
    fn code_enum_follows_the_registry() {
        assert_eq!(Code::E0001.as_str(), REGISTRY[0].code);
        assert_eq!(Code::E0321.as_str(), "E0321");
        assert!(lookup(Code::E0322.as_str()).is_some());
    }
}
