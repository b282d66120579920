//! Credentials written inline (`E0217`): every string literal of a project goes through the
//! detector the diagnostics printers mask with ([`crate::diagnostics::mask_secrets`]), so
//! what is refused here is exactly what a report would hide.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, mask_secrets};
use crate::syntax::{Node, Value};

/// Properties that name a Secret or a key rather than hold a value.
const REFERENCES: &[&str] = &["secret", "key", "config-map", "auth"];

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether the detector masks anything in `text`.
fn credential(text: &str) -> bool {
    matches!(mask_secrets(text), std::borrow::Cow::Owned(_))
}

fn report(value: &Value, help: String, diags: &mut Diagnostics) {
    let in_url = value.as_str().is_some_and(|s| {
        s.split_once("://")
            .is_some_and(|(_, rest)| rest.contains('@'))
    });
    let help = if in_url {
        "remove `user:password@` from the URL and give the credentials through a Secret: `storage secret=<secret-name>` for an artifact, a trigger's `auth=<secret-name>`, or `env NAME secret=<secret-name> key=<key>`".to_owned()
    } else {
        help
    };
    diags.push(
        Diagnostic::error(Code::E0217, "this literal looks like a credential")
            .label(value.span, "credential written inline")
            .note("whatever is written here ends up in the emitted YAML, committed to git and shown by Argo CD")
            .help(help),
    );
}

/// Checks `node` and its children.
pub(super) fn check_node(node: &Node, diags: &mut Diagnostics) {
    let env_name = (node.name == "env")
        .then(|| node.args.first().and_then(Value::as_str))
        .flatten();
    let env_help = |name: &str| {
        format!("keep it in a Secret and refer to it: `env {name} secret=<secret-name> key=<key>`")
    };
    let generic = "keep it in a Secret and refer to it: `env NAME secret=<secret-name> key=<key>`, `storage secret=<secret-name>` or a trigger's `auth=<secret-name>`; a URL must not carry `user:password@`".to_owned();
    for (i, arg) in node.args.iter().enumerate() {
        let Some(s) = arg.as_str() else { continue };
        let hit = match (env_name, i) {
            (Some(name), 1) => credential(&format!("env {name} {}", quoted(s))),
            _ => credential(&quoted(s)),
        };
        if hit {
            let help = env_name.map_or_else(|| generic.clone(), env_help);
            report(arg, help, diags);
        }
    }
    // In a trigger's `auth` block every property value names a key of the Secret
    // (`bearerToken=token`), never a credential itself.
    let names_keys = node.name == "auth";
    for prop in &node.props {
        if names_keys || REFERENCES.contains(&prop.key.as_str()) {
            continue;
        }
        let Some(s) = prop.value.as_str() else {
            continue;
        };
        let hit = match env_name {
            Some(name) if prop.key == "value" => {
                credential(&format!("env {name} value={}", quoted(s)))
            }
            _ => credential(&format!("{}={}", prop.key, quoted(s))) || credential(&quoted(s)),
        };
        if hit {
            let help = env_name.map_or_else(|| generic.clone(), env_help);
            report(&prop.value, help, diags);
        }
    }
    for child in node.children() {
        check_node(child, diags);
    }
}
