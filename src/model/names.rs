//! Name rules (DESIGN §8.2): DNS-1035 labels, and the names derived from them.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::ir::Spanned;

/// Why `name` is not a DNS-1035 label, if it is not.
pub fn dns1035_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 63 {
        Some("it is longer than 63 characters")
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it must start with a lower-case letter")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("it may contain only lower-case letters, digits and `-`")
    } else if name.ends_with('-') {
        Some("it must end with a letter or digit")
    } else {
        None
    }
}

/// A suggested DNS-1035 spelling of `name`.
pub fn suggest_dns1035(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let trimmed = out
        .trim_matches(|c: char| c == '-' || c.is_ascii_digit())
        .to_owned();
    let mut s = if trimmed.is_empty() {
        "m".to_owned()
    } else {
        trimmed
    };
    s.truncate(63);
    s.trim_end_matches('-').to_owned()
}

/// Reports `E0201` when `name` is not a DNS-1035 label.
pub(crate) fn check_name(kind: &str, name: &Spanned<String>, diags: &mut Diagnostics) -> bool {
    let Some(problem) = dns1035_problem(&name.value) else {
        return true;
    };
    diags.push(
        Diagnostic::error(Code::E0201, format!("invalid {kind} name `{}`: {problem}", name.value))
            .label(name.span, "not a DNS-1035 label")
            .help(format!(
                "names are DNS-1035 labels (lower-case letters, digits and `-`, starting with a letter): try `{}`",
                suggest_dns1035(&name.value)
            )),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1035_rules() {
        assert!(dns1035_problem("bert-sentiment").is_none());
        assert!(dns1035_problem("1bert").is_some());
        assert!(dns1035_problem("Bert").is_some());
        assert!(dns1035_problem("bert_x").is_some());
        assert!(dns1035_problem("bert-").is_some());
        assert_eq!(suggest_dns1035("Bert_Sentiment"), "bert-sentiment");
    }
}
