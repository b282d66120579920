//! A trigger's credentials: the `auth=` shorthand and the `auth` child, with the
//! parameters each KEDA scaler reads (facts: `docs/facts/keda-scalers.md`).

use super::ir::Spanned;
use super::ir_scaling::{CredentialSource, Credentials};
use super::reader::{Reader, list, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

/// The KEDA authentication parameters a trigger may take from a Secret.
fn secret_params(trigger: &str) -> &'static [&'static str] {
    match trigger {
        "prometheus" => &["bearerToken", "ca", "cert", "key", "password", "username"],
        "kafka" => &["ca", "cert", "key", "keyPassword", "password", "username"],
        "rabbitmq" => &["host", "password", "username"],
        "redis" | "redis-streams" => &[
            "ca",
            "cert",
            "key",
            "keyPassword",
            "password",
            "sentinelPassword",
            "sentinelUsername",
            "username",
        ],
        "nats-jetstream" => &["account", "natsServerMonitoringEndpoint"],
        "gcp-pubsub" => &["GoogleApplicationCredentials"],
        "azure-servicebus" => &["connection"],
        _ => &["awsAccessKeyID", "awsSecretAccessKey", "awsSessionToken"],
    }
}

/// The settings (not Secret keys) a trigger's `auth` takes.
fn settings(trigger: &str) -> &'static [&'static str] {
    match trigger {
        "prometheus" => &["secret", "cluster", "mode"],
        "kafka" => &["secret", "cluster", "sasl", "tls"],
        _ => &["secret", "cluster"],
    }
}

/// `auth=NAME`: the Secret with the keys mlc has always read for this trigger (for
/// `nats-jetstream`, the endpoint and account its trigger does not write).
fn shorthand(node: &Node, secret: Spanned<String>) -> Credentials {
    let trigger = node.name.as_str();
    let nats: Vec<(&str, &str)> = nats_wanted(node).into_iter().map(|p| (p, p)).collect();
    let pairs: &[(&str, &str)] = match trigger {
        "redis" | "redis-streams" => &[("password", "password")],
        "nats-jetstream" => &nats,
        "gcp-pubsub" => &[(
            "GoogleApplicationCredentials",
            "GoogleApplicationCredentials",
        )],
        "azure-servicebus" => &[("connection", "connection")],
        "prometheus" => &[("bearerToken", "bearerToken")],
        "kafka" => &[
            ("password", "password"),
            ("sasl", "sasl"),
            ("username", "username"),
        ],
        "rabbitmq" => &[("host", "host")],
        _ => &[
            ("awsAccessKeyID", "AWS_ACCESS_KEY_ID"),
            ("awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
        ],
    };
    let mut c = Credentials::secret(secret.value, pairs, secret.span);
    if trigger == "prometheus" {
        c.metadata.push(("authModes", "bearer".to_owned()));
    }
    c
}

/// The credentials of trigger node `node` (`prometheus`, `kafka`, `rabbitmq`, `sqs`, `redis`,
/// `redis-streams`, `nats-jetstream`, `gcp-pubsub`, `azure-servicebus`):
/// `shorthand` is its `auth=` property. `None` when neither is written or on error.
pub(super) fn lower_credentials(
    node: &Node,
    shorthand_secret: Option<Spanned<String>>,
    diags: &mut Diagnostics,
) -> Option<Credentials> {
    let trigger = node.name.as_str();
    let mut children = node.children().iter();
    let child = children.next();
    if let Some(other) = children
        .next()
        .or_else(|| child.filter(|c| c.name != "auth"))
    {
        diags.push(
            Diagnostic::error(
                Code::E0102,
                format!("unknown node `{}` in `{trigger}`", other.name),
            )
            .label(other.name_span, "unexpected child node")
            .help(format!("`{trigger}` takes one `auth` child")),
        );
        return None;
    }
    match (shorthand_secret, child) {
        (None, None) => None,
        (Some(s), None) if trigger == "nats-jetstream" && nats_wanted(node).is_empty() => {
            diags.push(
                Diagnostic::error(Code::E0206, "`auth` reads nothing: the trigger writes both `endpoint` and `account`")
                    .label(s.span, "nothing to read")
                    .help("the NATS monitoring endpoint needs no login, so drop `auth`, or remove `endpoint`/`account` from the trigger to read them from the Secret"),
            );
            None
        }
        (Some(s), None) => Some(shorthand(node, s)),
        (Some(s), Some(c)) => {
            diags.push(
                Diagnostic::error(Code::E0212, "`auth=` and an `auth` block cannot both be set")
                    .label(s.span, "auth=")
                    .label(c.name_span, "auth block")
                    .help("keep the `auth` block: `auth=NAME` is its shorthand with the default Secret keys"),
            );
            None
        }
        (None, Some(c)) => auth_block(node, c, diags),
    }
}

fn auth_block(trigger_node: &Node, node: &Node, diags: &mut Diagnostics) -> Option<Credentials> {
    let trigger = trigger_node.name.as_str();
    let keys = secret_params(trigger);
    let mut props: Vec<&str> = settings(trigger).to_vec();
    props.extend_from_slice(keys);
    let mut r = Reader::new(node, diags, &props, 0);
    no_children(node, r.diags);
    let span = node.head_span();
    let secret = r.str("secret");
    let cluster = r.str("cluster");
    let source = match (secret, cluster) {
        (Some(s), None) => CredentialSource::Secret(s.value),
        (None, Some(c)) => CredentialSource::Cluster(c.value),
        (Some(s), Some(c)) => {
            r.diags.push(
                Diagnostic::error(Code::E0212, "`secret` and `cluster` cannot both be set")
                    .label(s.span, "a Secret in the model's namespace")
                    .label(c.span, "a ClusterTriggerAuthentication")
                    .help("`secret=NAME` makes a TriggerAuthentication from a Secret; `cluster=NAME` uses a shared ClusterTriggerAuthentication: keep one"),
            );
            return None;
        }
        (None, None) => {
            r.missing(
                "`secret` or `cluster`",
                &format!("auth secret={trigger}-credentials"),
            );
            return None;
        }
    };
    let (wanted, metadata) = modes(trigger_node, &mut r)?;
    let mut params = Vec::new();
    let mut ok = true;
    for &param in keys {
        let key = r.str(param);
        let needed = wanted.contains(&param);
        match (&source, key, needed) {
            (CredentialSource::Secret(_), Some(k), true) => {
                params.push((param.to_owned(), k.value));
            }
            (CredentialSource::Secret(_), None, true) => {
                params.push((param.to_owned(), param.to_owned()));
            }
            (CredentialSource::Cluster(_), Some(k), _) => {
                ok = false;
                r.diags.push(
                    Diagnostic::error(Code::E0212, format!("`{param}` names a Secret key, but `cluster` uses a ClusterTriggerAuthentication"))
                        .label(k.span, "Secret key")
                        .help("the ClusterTriggerAuthentication lists its own Secret keys: remove the key, or use `secret=NAME`"),
                );
            }
            (CredentialSource::Secret(_), Some(k), false) => {
                ok = false;
                r.diags.push(
                    Diagnostic::error(
                        Code::E0212,
                        format!("`{param}` is not read with these settings"),
                    )
                    .label(k.span, "not read")
                    .help(format!(
                        "with these settings `{trigger}` reads: {}",
                        list(&wanted)
                    )),
                );
            }
            (_, None, _) => {}
        }
    }
    if !ok {
        return None;
    }
    Some(Credentials {
        source,
        params,
        metadata,
        span,
    })
}

type Modes = (Vec<&'static str>, Vec<(&'static str, String)>);

/// The endpoint and account a `nats-jetstream` trigger reads from its Secret: those it
/// does not write itself.
fn nats_wanted(node: &Node) -> Vec<&'static str> {
    let mut wanted = Vec::new();
    if node.prop("account").is_none() {
        wanted.push("account");
    }
    if node.prop("endpoint").is_none() {
        wanted.push("natsServerMonitoringEndpoint");
    }
    wanted
}

/// The Secret parameters the trigger's modes read, and the trigger metadata naming them.
fn modes(trigger_node: &Node, r: &mut Reader<'_>) -> Option<Modes> {
    let trigger = trigger_node.name.as_str();
    match trigger {
        "prometheus" => prometheus_modes(r),
        "redis" | "redis-streams" => redis_modes(trigger_node, r),
        "nats-jetstream" => {
            let wanted = nats_wanted(trigger_node);
            if wanted.is_empty() {
                r.diags.push(
                    Diagnostic::error(Code::E0206, "`auth` reads nothing: the trigger writes both `endpoint` and `account`")
                        .label(r.span(), "nothing to read")
                        .help("the NATS monitoring endpoint needs no login, so drop `auth`, or remove `endpoint`/`account` from the trigger to read them from the Secret"),
                );
                return None;
            }
            Some((wanted, Vec::new()))
        }
        "gcp-pubsub" => Some((vec!["GoogleApplicationCredentials"], Vec::new())),
        "azure-servicebus" => Some((vec!["connection"], Vec::new())),
        "kafka" => {
            let sasl = match r.value("sasl") {
                Some(v) => {
                    r.choice_of(
                        Some(v),
                        "Kafka SASL mechanism",
                        &[
                            ("none", "none"),
                            ("plaintext", "plaintext"),
                            ("scram_sha256", "scram_sha256"),
                            ("scram_sha512", "scram_sha512"),
                        ],
                    )?
                    .value
                }
                None => "plaintext",
            };
            let tls = r.bool("tls").is_some_and(|b| b.value);
            let mut wanted = Vec::new();
            if sasl != "none" {
                wanted.extend(["password", "username"]);
            }
            if tls {
                wanted.extend(["ca", "cert", "key"]);
                if r.value("keyPassword").is_some() {
                    wanted.push("keyPassword");
                }
            }
            if wanted.is_empty() {
                r.diags.push(
                    Diagnostic::error(Code::E0206, "`auth` with `sasl=none` and no TLS reads no credentials")
                        .label(r.span(), "nothing to read")
                        .help("set `sasl=plaintext` (or scram_sha256/scram_sha512), `tls=#true`, or remove `auth`"),
                );
                return None;
            }
            let metadata = vec![
                ("sasl", sasl.to_owned()),
                ("tls", if tls { "enable" } else { "disable" }.to_owned()),
            ];
            Some((wanted, metadata))
        }
        "rabbitmq" => {
            let user = r.value("username").is_some();
            let pass = r.value("password").is_some();
            if user != pass {
                r.diags.push(
                    Diagnostic::error(
                        Code::E0212,
                        "RabbitMQ takes `username` and `password` together",
                    )
                    .label(r.span(), "only one of them")
                    .help("name both Secret keys, or neither (the `host` URL then carries them)"),
                );
                return None;
            }
            let mut wanted = vec!["host"];
            if user {
                wanted.extend(["password", "username"]);
            }
            Some((wanted, Vec::new()))
        }
        _ => {
            let mut wanted = vec!["awsAccessKeyID", "awsSecretAccessKey"];
            if r.value("awsSessionToken").is_some() {
                wanted.push("awsSessionToken");
            }
            Some((wanted, Vec::new()))
        }
    }
}

fn prometheus_modes(r: &mut Reader<'_>) -> Option<Modes> {
    let (text, span) = match r.str("mode") {
        Some(m) => (m.value, m.span),
        None => ("bearer".to_owned(), r.span()),
    };
    let mut chosen: Vec<&'static str> = Vec::new();
    for word in text.split(',').map(str::trim) {
        let Some(mode) = ["basic", "bearer", "tls"].into_iter().find(|m| *m == word) else {
            r.diags.push(
                Diagnostic::error(
                    Code::E0206,
                    format!("unknown Prometheus auth mode `{word}`"),
                )
                .label(span, "expected `bearer`, `basic` or `tls`")
                .help("write e.g. `mode=bearer` or `mode=\"tls,basic\"`"),
            );
            return None;
        };
        if !chosen.contains(&mode) {
            chosen.push(mode);
        }
    }
    if chosen.contains(&"bearer") && chosen.contains(&"basic") {
        r.diags.push(
            Diagnostic::error(
                Code::E0212,
                "Prometheus auth modes `bearer` and `basic` exclude each other",
            )
            .label(span, "both")
            .help("KEDA takes one of bearer or basic (either may be combined with tls): keep one"),
        );
        return None;
    }
    chosen.sort_unstable();
    let mut wanted = Vec::new();
    for mode in &chosen {
        match *mode {
            "basic" => wanted.extend(["password", "username"]),
            "bearer" => wanted.push("bearerToken"),
            _ => wanted.extend(["ca", "cert", "key"]),
        }
    }
    Some((wanted, vec![("authModes", chosen.join(","))]))
}

/// Redis: the password always; the username, the sentinels' credentials and the TLS client
/// certificate when their keys are named (KEDA reads TLS material only with `enableTLS`).
fn redis_modes(trigger: &Node, r: &mut Reader<'_>) -> Option<Modes> {
    let named = |p: &str| r.value(p).is_some();
    let mut wanted = vec!["password"];
    for p in ["username", "ca", "cert", "key", "keyPassword"] {
        if named(p) {
            wanted.push(p);
        }
    }
    let tls = trigger
        .prop("tls")
        .is_some_and(|p| matches!(p.value.kind, crate::syntax::ValueKind::Bool(true)));
    let sentinel = trigger
        .prop("topology")
        .and_then(|p| p.value.as_str())
        .is_some_and(|t| t == "sentinel");
    let problem = if !tls
        && ["ca", "cert", "key", "keyPassword"]
            .iter()
            .any(|p| named(p))
    {
        Some((
            "TLS keys are read only with `tls=#true` on the trigger",
            "add `tls=#true` to the trigger, or remove `ca`/`cert`/`key`/`keyPassword`",
        ))
    } else if named("cert") != named("key") {
        Some((
            "a TLS client certificate takes `cert` and `key` together",
            "name both Secret keys, or neither (`ca` alone verifies the server)",
        ))
    } else if named("keyPassword") && !named("key") {
        Some((
            "`keyPassword` needs `key`",
            "name the encrypted key with `key=`, or remove `keyPassword`",
        ))
    } else {
        None
    };
    if let Some((message, help)) = problem {
        r.diags.push(
            Diagnostic::error(Code::E0212, message)
                .label(r.span(), "these Secret keys")
                .help(help),
        );
        return None;
    }
    if sentinel {
        for p in ["sentinelPassword", "sentinelUsername"] {
            if named(p) {
                wanted.push(p);
            }
        }
    }
    wanted.sort_unstable();
    Some((wanted, Vec::new()))
}
