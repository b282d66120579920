//! Gateway API: an HTTPRoute's parents, hostnames and `rules[].backendRefs[]` (core Services
//! in the route's namespace, by name and port).

use serde_json::Value;

use super::follow::{Route, Rule, backend, check_rule, strings, weight};
use super::objects::{self, Labels, Tree};
use super::pods::Pod;

/// An HTTPRoute followed to the pods.
pub fn route(tree: &Tree, pods: &[Pod], route: &Value) -> Result<Route, String> {
    let source = objects::describe(route);
    let ns = objects::namespace(route);
    if route["spec"]["parentRefs"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        return Err(format!("{source}: no parentRefs, so no Gateway serves it"));
    }
    let hosts = strings(&route["spec"]["hostnames"]);
    let mut rules = Vec::new();
    for (i, rule) in route["spec"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{source} rules[{i}]");
        if rule.get("filters").is_some() {
            return Err(format!("{at}: filters are not followed"));
        }
        let refs = rule["backendRefs"]
            .as_array()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("{at}: no backendRefs"))?;
        let mut backends = Vec::new();
        for (j, r) in refs.iter().enumerate() {
            let at = format!("{at}.backendRefs[{j}]");
            if r["group"].as_str().is_some_and(|g| !g.is_empty())
                || r["kind"].as_str().is_some_and(|k| k != "Service")
            {
                return Err(format!("{at}: {r} is not a core Service"));
            }
            if r["namespace"].as_str().is_some_and(|n| n != ns) {
                return Err(format!(
                    "{at}: a Service in another namespace needs a ReferenceGrant, not followed"
                ));
            }
            let name = r["name"].as_str().unwrap_or("");
            let service = tree
                .find("Service", ns, name)
                .ok_or_else(|| format!("{at}: Service {ns}/{name} is not in the tree"))?;
            let port = r["port"]
                .as_u64()
                .ok_or_else(|| format!("{at}: a Service backendRef needs a port"))?;
            let weight = weight(&r["weight"], 1, &at)?;
            let trail = format!("{source} backendRef {name}:{port}");
            backends.push(backend(
                pods,
                service,
                Some(port),
                &Labels::new(),
                weight,
                &trail,
                &at,
            )?);
        }
        check_rule(&backends, &at)?;
        for prefix in gateway_prefixes(&rule["matches"], &at)? {
            rules.push(Rule {
                prefix,
                backends: backends.clone(),
            });
        }
    }
    if rules.is_empty() {
        return Err(format!("{source}: no rules"));
    }
    // Gateway API: the longest matching path prefix wins, whatever the order of the rules.
    rules.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
    Ok(Route {
        source,
        hosts,
        rules,
    })
}

/// The path prefixes of an HTTPRoute rule's `matches` (none: every path).
fn gateway_prefixes(matches: &Value, at: &str) -> Result<Vec<String>, String> {
    let Some(matches) = matches.as_array().filter(|m| !m.is_empty()) else {
        return Ok(vec!["/".to_owned()]);
    };
    matches
        .iter()
        .map(|m| {
            let only_path = m.as_object().is_some_and(|o| o.keys().all(|k| k == "path"));
            match (
                only_path,
                m["path"]["type"].as_str(),
                m["path"]["value"].as_str(),
            ) {
                (true, None, None) => Ok("/".to_owned()),
                (true, Some("PathPrefix") | None, Some(prefix)) => Ok(prefix.to_owned()),
                _ => Err(format!(
                    "{at}: match {m} is not followed (only a PathPrefix path is)"
                )),
            }
        })
        .collect()
}
