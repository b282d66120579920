//! Kubernetes' own syntax rules for the values the language passes through: DNS-1123
//! subdomains, qualified names (label and annotation keys), label values, ConfigMap and
//! Secret keys, and mount paths. Each function says why a value is refused, or `None`.

/// Why `s` is not a DNS-1123 subdomain (Secret, ConfigMap, claim, service-account and
/// PriorityClass names), if it is not.
pub(crate) fn subdomain_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("it is empty");
    }
    if s.len() > 253 {
        return Some("it is longer than 253 characters");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if s.split('.').all(label_ok) {
        None
    } else {
        Some(
            "it must be lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit",
        )
    }
}

/// Why `s` is not the name part of a qualified name (at most 63 characters, alphanumeric at
/// both ends, `-`, `_` and `.` inside).
fn name_part_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("its name part is empty");
    }
    if s.len() > 63 {
        return Some("its name part is longer than 63 characters");
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(s.chars().next()) || !alnum(s.chars().last()) {
        return Some("it must start and end with a letter or digit");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Some("it may contain only letters, digits, `-`, `_` and `.`");
    }
    None
}

/// Why `key` is not a qualified name (`[prefix/]name`: a label, annotation or taint key).
pub(crate) fn key_problem(key: &str) -> Option<&'static str> {
    match key.split_once('/') {
        Some((prefix, name)) => {
            if subdomain_problem(prefix).is_some() {
                Some("its prefix (before `/`) must be a DNS subdomain such as `example.com`")
            } else {
                name_part_problem(name)
            }
        }
        None => name_part_problem(key),
    }
}

/// Why `value` is not a label value (empty, or at most 63 characters shaped like a name).
pub(crate) fn label_value_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        None
    } else if value.len() > 63 {
        Some("it is longer than 63 characters")
    } else {
        name_part_problem(value).map(|_| {
            "it must be at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
        })
    }
}

/// Why `key` is not a ConfigMap or Secret data key.
pub(crate) fn data_key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("it is empty")
    } else if key.len() > 253 {
        Some("it is longer than 253 characters")
    } else if key == "." || key == ".." {
        Some("it cannot be `.` or `..`")
    } else if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Some("it may contain only letters, digits, `-`, `_` and `.`")
    } else {
        None
    }
}

/// Why `path` is not an absolute, normalized container mount path, and its normal form when
/// there is one.
pub(crate) fn mount_path_problem(path: &str) -> Option<(&'static str, Option<String>)> {
    if path.is_empty() {
        return Some(("it is empty", None));
    }
    if !path.starts_with('/') {
        return Some((
            "it is not absolute",
            Some(format!("/{}", path.trim_start_matches("./"))),
        ));
    }
    if path.contains(':') {
        return Some(("it contains `:`", None));
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.contains(&"..") {
        return Some(("it contains a `..` component", None));
    }
    let normal = format!(
        "/{}",
        parts
            .iter()
            .filter(|p| **p != ".")
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    );
    if normal != path {
        return Some(("it is not normalized", Some(normal)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_syntax() {
        assert!(subdomain_problem("api-credentials").is_none());
        assert!(subdomain_problem("a.b-c").is_none());
        assert!(subdomain_problem("").is_some());
        assert!(subdomain_problem("Creds").is_some());
        assert!(subdomain_problem("a..b").is_some());
        assert!(key_problem("app.kubernetes.io/team").is_none());
        assert!(key_problem("team").is_none());
        assert!(key_problem("Team_1.x").is_none());
        assert!(key_problem("a/b/c").is_some());
        assert!(key_problem("-team").is_some());
        assert!(key_problem("Example.com/x").is_some());
        assert!(label_value_problem("").is_none());
        assert!(label_value_problem("search").is_none());
        assert!(label_value_problem("search team").is_some());
        assert!(label_value_problem(&"x".repeat(64)).is_some());
        assert!(data_key_problem("token").is_none());
        assert!(data_key_problem("").is_some());
        assert!(data_key_problem("a/b").is_some());
        assert!(mount_path_problem("/cache").is_none());
        assert!(mount_path_problem("/").is_none());
        assert_eq!(mount_path_problem("").map(|p| p.0), Some("it is empty"));
        assert_eq!(
            mount_path_problem("cache").and_then(|p| p.1).as_deref(),
            Some("/cache")
        );
        assert!(mount_path_problem("/a/../b").is_some());
        assert_eq!(
            mount_path_problem("/a//b/").and_then(|p| p.1).as_deref(),
            Some("/a/b")
        );
    }
}
