//! The routes themselves: VirtualService subsets defined by a DestinationRule (E0421) and
//! route weights (E0424).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Space, array, fqdn, listed};
use crate::admission::{Found, int_at, namespace, text_at};

const SUBSET_SOURCE: &str = "Istio 1.30 virtual_service.proto Destination.subset, destination_rule.proto Subset; observability-traffic-facts §3";
const WEIGHT_SOURCE: &str = "istiod 1.30 validateWeight and validateHTTPRouteDestinations (pkg/config/validation/validation.go); Gateway API v1.6 HTTPBackendRef.weight; observability-traffic-facts §3, §4";

/// Whether a DestinationRule host (possibly `*.suffix` or `*`) covers a destination host.
fn covers(rule: &str, host: &str) -> bool {
    rule == host
        || rule == "*"
        || rule
            .strip_prefix('*')
            .is_some_and(|suffix| suffix.starts_with('.') && host.ends_with(suffix))
}

/// E0421: each `http[].route[].destination.subset` is a subset of a DestinationRule of the
/// VirtualService's namespace whose host is the destination's.
pub(super) fn subsets(object: &Value, space: &Space<'_>, found: &mut Found<'_>) {
    let ns = namespace(object);
    for (i, http) in array(object, "/spec/http").iter().enumerate() {
        for (j, route) in array(http, "/route").iter().enumerate() {
            let (Some(host), Some(subset)) = (
                text_at(route, "/destination/host"),
                text_at(route, "/destination/subset"),
            ) else {
                continue;
            };
            let host = fqdn(host, ns);
            let rules: Vec<_> = space
                .rules
                .iter()
                .filter(|(h, _, _)| covers(h, &host))
                .collect();
            if rules.iter().any(|(_, _, names)| names.contains(&subset)) {
                continue;
            }
            let pointer = format!("/spec/http/{i}/route/{j}/destination/subset");
            if rules.is_empty() {
                found.push(
                    "E0421",
                    pointer,
                    format!(
                        "subset `{subset}` of `{host}`: no DestinationRule in namespace `{ns}` has that host"
                    ),
                    format!(
                        "add a DestinationRule with `host: {host}` and a subset `{subset}` (its pods' labels), or route without `subset`"
                    ),
                    SUBSET_SOURCE,
                );
                continue;
            }
            let defined: BTreeSet<&str> = rules
                .iter()
                .flat_map(|(_, _, names)| names.iter().copied())
                .collect();
            let owners = listed(rules.iter().map(|(_, n, _)| n));
            found.push(
                "E0421",
                pointer,
                format!("subset `{subset}` is not defined in DestinationRule {owners} for `{host}`"),
                format!(
                    "define `{subset}` in its `subsets` (with its pods' labels), or route to a defined subset: {}",
                    listed(defined.iter())
                ),
                SUBSET_SOURCE,
            );
        }
    }
}

/// E0424: istiod's weight rules on each `http[].route`: no negative weight, and with more
/// than one destination a total above 0 (an unset weight counts 0).
pub(super) fn istio_weights(object: &Value, found: &mut Found<'_>) {
    for (i, http) in array(object, "/spec/http").iter().enumerate() {
        let route = array(http, "/route");
        let mut total: i64 = 0;
        for (j, d) in route.iter().enumerate() {
            let weight = int_at(d, "/weight").unwrap_or(0);
            if weight < 0 {
                found.push(
                    "E0424",
                    format!("/spec/http/{i}/route/{j}/weight"),
                    format!("weight {weight} is negative"),
                    "give each destination a weight of 0 or more (mlc writes weights that add up to 100)",
                    WEIGHT_SOURCE,
                );
            }
            total = total.saturating_add(weight);
        }
        if route.len() > 1 && total == 0 {
            found.push(
                "E0424",
                format!("/spec/http/{i}/route"),
                "the destinations' weights add up to 0",
                "weights are relative: give the destinations that should take traffic a weight above 0",
                WEIGHT_SOURCE,
            );
        }
    }
}

/// E0424: an HTTPRoute rule with more than one backend, every one of weight 0 (unset is 1).
pub(super) fn route_weights(object: &Value, found: &mut Found<'_>) {
    for (i, rule) in array(object, "/spec/rules").iter().enumerate() {
        let refs = array(rule, "/backendRefs");
        if refs.len() > 1 && refs.iter().all(|r| int_at(r, "/weight") == Some(0)) {
            found.push(
                "E0424",
                format!("/spec/rules/{i}/backendRefs"),
                "every backendRef has weight 0: the rule sends no traffic",
                "weights are relative shares (0 to 1,000,000): give the backends that should take traffic a weight above 0",
                WEIGHT_SOURCE,
            );
        }
    }
}
