//! The root object of the configuration file and its whole-file checks.

use serde::{Deserialize, Serialize};

use crate::model::ModelConfig;
use crate::server::ServerConfig;

/// A whole `mlc-serve` configuration file: server settings and the models it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listener, limits, timeouts and logging; every field has a default.
    #[serde(default)]
    pub server: ServerConfig,
    /// The models served, at least one, names unique.
    pub models: Vec<ModelConfig>,
}

impl Config {
    /// Checks the rules that the types alone cannot express; returns one message per problem.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = self.server.validate();
        if self.models.is_empty() {
            problems.push("`models` is empty: list at least one model".to_owned());
        }
        let mut seen = std::collections::BTreeSet::new();
        for model in &self.models {
            if !seen.insert(model.name.as_str()) {
                problems.push(format!("model `{}` is listed twice", model.name));
            }
            problems.extend(model.validate());
        }
        problems
    }
}
