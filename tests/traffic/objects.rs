//! An emitted output tree as objects: every `*.yaml` file below it (kustomizations aside),
//! with lookups by kind, namespace and name, and label selection as Kubernetes does it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Labels or a selector: key to value, sorted.
pub type Labels = BTreeMap<String, String>;

/// The objects of an output tree, each with its path relative to the tree.
#[derive(Debug, Clone)]
pub struct Tree {
    /// (path relative to the tree, object), sorted by path.
    pub objects: Vec<(String, Value)>,
}

impl Tree {
    /// Every object below `dir` (one object per file, as `mlc build` writes them).
    pub fn read(dir: &Path) -> Self {
        let objects: Vec<(String, Value)> = crate::support::read_tree(dir)
            .into_iter()
            .filter(|(p, _)| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
            .filter_map(|(p, bytes)| {
                let v: Value = serde_yaml::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{p} in {} is not YAML: {e}", dir.display()));
                v.get("kind").is_some().then_some((p, v))
            })
            .collect();
        assert!(!objects.is_empty(), "no objects below {}", dir.display());
        Self { objects }
    }

    /// Every object of `kind`.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &Value> + '_ {
        let kind = kind.to_owned();
        self.objects
            .iter()
            .map(|(_, v)| v)
            .filter(move |v| v["kind"] == kind.as_str())
    }

    /// The object of `kind` named `name` in `namespace`.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<&Value> {
        self.of_kind(kind)
            .find(|v| self::name(v) == name && self::namespace(v) == namespace)
    }

    /// The only object of `kind` named `name` (for a test to change it in place).
    pub fn object_mut(&mut self, kind: &str, name: &str) -> &mut Value {
        let mut found = self
            .objects
            .iter_mut()
            .map(|(_, v)| v)
            .filter(|v| v["kind"] == kind && v["metadata"]["name"] == name);
        let object = found
            .next()
            .unwrap_or_else(|| panic!("no {kind} {name} in the tree"));
        assert!(found.next().is_none(), "two objects {kind} {name}");
        object
    }
}

/// `metadata.name`.
pub fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or("")
}

/// `metadata.namespace` (`default` when absent, as the API server would set it).
pub fn namespace(object: &Value) -> &str {
    object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
}

/// `kind namespace/name`, for messages.
pub fn describe(object: &Value) -> String {
    format!(
        "{} {}/{}",
        object["kind"].as_str().unwrap_or("?"),
        namespace(object),
        name(object)
    )
}

/// A string map (labels, a selector); an error naming `what` when a value is not a string.
pub fn labels(map: &Value, what: &str) -> Result<Labels, String> {
    let Some(map) = map.as_object() else {
        return if map.is_null() {
            Ok(Labels::new())
        } else {
            Err(format!("{what} is not a map: {map}"))
        };
    };
    map.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.clone(), v.to_owned()))
                .ok_or_else(|| format!("{what}: the value of {k} is not a string: {v}"))
        })
        .collect()
}

/// Whether every label of `selector` is among `labels` with the same value.
pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// `{a: 1, b: 2}` as `a=1,b=2`, for messages.
pub fn show(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}
