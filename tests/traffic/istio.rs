//! Istio: a VirtualService's hosts and `http[].route[].destination`s (Service host, subset,
//! port), each subset's labels from the one DestinationRule of that host.

use serde_json::Value;

use super::follow::{Route, Rule, backend, check_rule, strings, weight};
use super::objects::{self, Labels, Tree};
use super::pods::Pod;

/// The Service an Istio host names: `name`, `name.ns`, `name.ns.svc` or
/// `name.ns.svc.cluster.local`, short forms in `namespace`.
fn service_of_host<'a>(tree: &'a Tree, host: &str, namespace: &str) -> Option<&'a Value> {
    let parts: Vec<&str> = host.split('.').collect();
    let (name, ns) = match parts.as_slice() {
        [name] => (*name, namespace),
        [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
        _ => return None,
    };
    tree.find("Service", ns, name)
}

/// A VirtualService followed to the pods.
pub fn route(tree: &Tree, pods: &[Pod], vs: &Value) -> Result<Route, String> {
    let source = objects::describe(vs);
    let ns = objects::namespace(vs);
    let hosts = strings(&vs["spec"]["hosts"]);
    let gateways = strings(&vs["spec"]["gateways"]);
    if hosts.is_empty() {
        return Err(format!("{source}: no hosts"));
    }
    if (gateways.is_empty() || gateways.iter().any(|g| g == "mesh"))
        && !hosts.iter().any(|h| service_of_host(tree, h, ns).is_some())
    {
        return Err(format!(
            "{source}: hosts {hosts:?} name no Service of the tree, so calls to the Service inside the mesh never meet this route"
        ));
    }
    let mut rules = Vec::new();
    for (i, http) in vs["spec"]["http"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{source} http[{i}]");
        let destinations = http["route"]
            .as_array()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("{at}: no route"))?;
        let mut backends = Vec::new();
        for (j, d) in destinations.iter().enumerate() {
            let at = format!("{at}.route[{j}]");
            let dest = &d["destination"];
            let host = dest["host"].as_str().unwrap_or("");
            let service = service_of_host(tree, host, ns).ok_or_else(|| {
                format!("{at}: destination host {host:?} is not a Service in the tree")
            })?;
            // Relative weights; a single destination gets everything.
            let weight = if destinations.len() == 1 {
                1
            } else {
                weight(&d["weight"], 0, &at)?
            };
            let (subset, trail) = match dest["subset"].as_str() {
                Some(subset) => {
                    let labels = subset_labels(tree, service, subset, &at)?;
                    let trail = format!("subset {subset} ({})", objects::show(&labels));
                    (labels, trail)
                }
                None => (Labels::new(), "no subset".to_owned()),
            };
            let port = dest["port"]["number"].as_u64();
            let trail = format!("{source} host {host} → {trail}");
            backends.push(backend(pods, service, port, &subset, weight, &trail, &at)?);
        }
        check_rule(&backends, &at)?;
        for prefix in istio_prefixes(&http["match"], &at)? {
            rules.push(Rule {
                prefix,
                backends: backends.clone(),
            });
        }
    }
    if rules.is_empty() {
        return Err(format!("{source}: no http routes"));
    }
    Ok(Route {
        source,
        hosts,
        rules,
    })
}

/// The labels of `subset` in the one DestinationRule whose host is `service`.
fn subset_labels(tree: &Tree, service: &Value, subset: &str, at: &str) -> Result<Labels, String> {
    let same = |dr: &&Value| {
        dr["spec"]["host"]
            .as_str()
            .and_then(|h| service_of_host(tree, h, objects::namespace(dr)))
            .is_some_and(|s| std::ptr::eq(s, service))
    };
    let rules: Vec<&Value> = tree.of_kind("DestinationRule").filter(same).collect();
    let [rule] = rules.as_slice() else {
        return Err(format!(
            "{at}: subset {subset}: {} DestinationRules have the host of {}, not one",
            rules.len(),
            objects::describe(service)
        ));
    };
    let found = rule["spec"]["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == subset)
        .ok_or_else(|| {
            format!(
                "{at}: {} defines no subset {subset}",
                objects::describe(rule)
            )
        })?;
    objects::labels(&found["labels"], &format!("{at}: subset {subset} labels"))
}

/// The path prefixes of a VirtualService `match` list (none: every path).
fn istio_prefixes(matches: &Value, at: &str) -> Result<Vec<String>, String> {
    let Some(matches) = matches.as_array().filter(|m| !m.is_empty()) else {
        return Ok(vec!["/".to_owned()]);
    };
    matches
        .iter()
        .map(|m| {
            match (
                m.as_object().map(serde_json::Map::len),
                m["uri"]["prefix"].as_str(),
            ) {
                (Some(1), Some(prefix)) if m["uri"].as_object().is_some_and(|u| u.len() == 1) => {
                    Ok(prefix.to_owned())
                }
                _ => Err(format!(
                    "{at}: match {m} is not followed (only uri.prefix is)"
                )),
            }
        })
        .collect()
}
