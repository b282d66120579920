//! The pods the tree's Deployments would run: each pod's labels, its containers' ports and the
//! mlc-serve runtime config its serving container reads, followed from the container's
//! `--config FILE` through the volume mounted there to the ConfigMap key in the tree.

use std::path::Path;

use serde_json::Value;

use super::objects::{self, Labels, Tree};

/// One Deployment's pod.
#[derive(Debug, Clone)]
pub struct Pod {
    /// The Deployment's name.
    pub deployment: String,
    /// The Deployment's namespace.
    pub namespace: String,
    /// The pod template's labels.
    pub labels: Labels,
    /// Every declared container port: (port name, number).
    pub ports: Vec<(String, u16)>,
    /// The mlc-serve config the serving container reads.
    pub runtime: Value,
}

impl Pod {
    /// The port mlc-serve answers HTTP on in the pod (`server.port`, default 8080).
    pub fn http_port(&self) -> u16 {
        self.runtime["server"]["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(8080)
    }

    /// The name of the first model the pod serves (its inference URL segment).
    pub fn model(&self) -> Result<&str, String> {
        self.runtime["models"][0]["name"].as_str().ok_or_else(|| {
            format!(
                "Deployment {}: the runtime config serves no model",
                self.deployment
            )
        })
    }

    /// The runtime config for running this pod on 127.0.0.1:`port`: HTTP only, every model
    /// read from `model_file` and reporting the Deployment's name as its version, so that an
    /// answer tells which pod gave it.
    pub fn local_config(&self, port: u16, model_file: &Path) -> String {
        let mut config = self.runtime.clone();
        config["server"]["host"] = "127.0.0.1".into();
        config["server"]["port"] = port.into();
        if let Some(server) = config["server"].as_object_mut() {
            server.remove("grpc_port");
        }
        for model in config["models"].as_array_mut().into_iter().flatten() {
            model["path"] = model_file.display().to_string().into();
            model["version"] = self.deployment.clone().into();
            if let Some(model) = model.as_object_mut() {
                model.remove("signature");
            }
        }
        serde_yaml::to_string(&config).unwrap_or_default()
    }
}

/// The pod of every Deployment in the tree.
pub fn pods(tree: &Tree) -> Result<Vec<Pod>, String> {
    tree.of_kind("Deployment").map(|d| pod(tree, d)).collect()
}

fn pod(tree: &Tree, deployment: &Value) -> Result<Pod, String> {
    let what = objects::describe(deployment);
    let template = &deployment["spec"]["template"];
    let labels = objects::labels(
        &template["metadata"]["labels"],
        &format!("{what}: pod labels"),
    )?;
    let selector = &deployment["spec"]["selector"];
    if selector.get("matchExpressions").is_some() {
        return Err(format!("{what}: selector.matchExpressions is not followed"));
    }
    let match_labels = objects::labels(&selector["matchLabels"], &format!("{what}: selector"))?;
    if match_labels.is_empty() || !objects::selects(&match_labels, &labels) {
        return Err(format!(
            "{what}: selector {} does not select its own pod labels {}",
            objects::show(&match_labels),
            objects::show(&labels)
        ));
    }
    let containers = template["spec"]["containers"]
        .as_array()
        .ok_or_else(|| format!("{what}: no containers"))?;
    let mut ports = Vec::new();
    for c in containers {
        for p in c["ports"].as_array().into_iter().flatten() {
            let number = p["containerPort"]
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| format!("{what}: a container port without a number: {p}"))?;
            ports.push((p["name"].as_str().unwrap_or("").to_owned(), number));
        }
    }
    let runtime = containers
        .iter()
        .find_map(|c| config_arg(c).map(|file| runtime_config(tree, deployment, c, file)))
        .ok_or_else(|| format!("{what}: no container runs with --config FILE"))??;
    Ok(Pod {
        deployment: objects::name(deployment).to_owned(),
        namespace: objects::namespace(deployment).to_owned(),
        labels,
        ports,
        runtime,
    })
}

/// The FILE of a container's `--config FILE` or `--config=FILE`.
fn config_arg(container: &Value) -> Option<&str> {
    let args: Vec<&str> = container["args"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--config=").or_else(|| {
            (*a == "--config")
                .then(|| args.get(i + 1).copied())
                .flatten()
        })
    })
}

/// The YAML at `file` in `container`: the ConfigMap key of the volume mounted over it.
fn runtime_config(
    tree: &Tree,
    deployment: &Value,
    container: &Value,
    file: &str,
) -> Result<Value, String> {
    let what = format!("{}: --config {file}", objects::describe(deployment));
    let (mount, rest) = container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|m| {
            let dir = m["mountPath"].as_str()?.trim_end_matches('/');
            let rest = file.strip_prefix(dir)?.strip_prefix('/')?;
            Some((m, rest))
        })
        .ok_or_else(|| format!("{what}: no volume is mounted there"))?;
    let volume = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["name"] == mount["name"])
        .ok_or_else(|| {
            format!(
                "{what}: the mounted volume {} is not declared",
                mount["name"]
            )
        })?;
    let map_name = volume["configMap"]["name"]
        .as_str()
        .ok_or_else(|| format!("{what}: volume {} is not a ConfigMap", volume["name"]))?;
    let key = volume["configMap"]["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["path"] == rest))
        .map_or(Some(rest), |i| i["key"].as_str())
        .unwrap_or(rest);
    let map = tree
        .find("ConfigMap", objects::namespace(deployment), map_name)
        .ok_or_else(|| format!("{what}: ConfigMap {map_name} is not in the tree"))?;
    let text = map["data"][key]
        .as_str()
        .ok_or_else(|| format!("{what}: ConfigMap {map_name} has no key {key}"))?;
    serde_yaml::from_str(text).map_err(|e| format!("{what}: ConfigMap {map_name} key {key}: {e}"))
}
