//! Credential-looking literals masked out of everything a diagnostic prints: the source
//! excerpt of the human report, and the messages, labels, help and notes of every format.
//!
//! A masked literal keeps its byte length (each byte becomes `*`), so spans stay valid.
//! What counts as a credential: the password of a URL's userinfo (`https://user:PASS@host`);
//! the literal value given to a name that says it is one (`password`, `passwd`, `token`,
//! `api_key`, `secret_key`, `access_key`, `private_key`, `client_secret`, `credentials`, in any
//! case and as a suffix: `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`), in KDL (`password="…"`,
//! `env NAME "…"`, `env NAME value="…"`) and in YAML (`password: …`, `- name: NAME` followed by
//! `value: …`); and well-known token formats (AWS access key ids, GitHub, Slack, OpenAI and
//! Stripe tokens, Google API keys, JWTs, PEM private keys); and a high-entropy value (16
//! characters or more, letters and digits, at least 3.5 bits of entropy per character) given to a name that ends
//! in `KEY` or `SECRET` (`SIGNING_KEY`, `webhook-secret`). Secret *references*
//! (`secret=name key=k`, `secretKeyRef`) name no value and stay readable.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// A name that says its value is a credential (matched as a whole name or its suffix).
const NAME: &str = r"(?i:[A-Za-z0-9_.-]*(?:password|passwd|pwd|token|api[_-]?key|apikey|secret[_-]?key|secret[_-]?access[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?))";

/// A name ending in `KEY` or `SECRET`: its value is masked only when it looks random.
const KEYISH: &str = r"(?i:[A-Za-z0-9_.-]*[_.-](?:key|secret))";

/// A positional KDL literal: a quoted string, or a bare word that is not a property.
const ENV_VALUE: &str = r#"("(?:[^"\\\n]|\\.)*"|[^\s"=;{}]+)(?:[\s;}]|$)"#;

/// A literal value: a quoted string or a bare word.
const VALUE: &str = r#"("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',}\]#;)]+)"#;

/// The sources of [`PATTERNS`].
fn pattern_sources() -> Vec<String> {
    vec![
        // URL userinfo: the password.
        r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:([^\s@/]+)@".to_owned(),
        // KDL `env NAME "value"` and `env NAME value="value"`.
        format!(r#"(?-u:\b)env\s+"?{NAME}"?\s+(?:value\s*=\s*{VALUE}|{ENV_VALUE})"#),
        // `name=value`, `name: value`, `"name": value`.
        format!(r#"(?-u:\b){NAME}["']?\s*[=:]\s*{VALUE}"#),
        // YAML `- name: NAME` then `value: …` on the next line.
        format!(r#"name:\s*["']?{NAME}["']?\s*\n\s*value:\s*{VALUE}"#),
        // Token formats: the whole token.
        r"(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16})".to_owned(),
        r"(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})".to_owned(),
        r"(xox[abprs]-[A-Za-z0-9-]{10,})".to_owned(),
        r"(sk-[A-Za-z0-9_-]{20,}|sk_live_[A-Za-z0-9]{16,}|rk_live_[A-Za-z0-9]{16,})".to_owned(),
        r"(AIza[0-9A-Za-z_-]{35})".to_owned(),
        r"(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})".to_owned(),
        r"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\z))"
            .to_owned(),
    ]
}

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    pattern_sources()
        .iter()
        .filter_map(|s| Regex::new(s).ok())
        .collect()
});

/// Names that hold a credential when their value looks random (see [`high_entropy`]).
static KEYISH_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    keyish_sources()
        .iter()
        .filter_map(|s| Regex::new(s).ok())
        .collect()
});

/// The sources of [`KEYISH_PATTERNS`].
fn keyish_sources() -> Vec<String> {
    vec![
        format!(r#"(?-u:\b)env\s+"?{KEYISH}"?\s+(?:value\s*=\s*{VALUE}|{ENV_VALUE})"#),
        format!(r#"(?-u:\b){KEYISH}["']?\s*[=:]\s*{VALUE}"#),
        format!(r#"name:\s*["']?{KEYISH}["']?\s*\n\s*value:\s*{VALUE}"#),
    ]
}

/// Every pattern at once: one pass over a text tells whether any pattern can match, and
/// which (most texts match none, and skip the per-pattern searches).
static ANY: LazyLock<Option<RegexSet>> = LazyLock::new(|| {
    let mut sources = pattern_sources();
    sources.extend(keyish_sources());
    RegexSet::new(sources).ok()
});

/// Whether `value` looks random: at least 16 characters without spaces, letters and digits,
/// and 3.5 bits of Shannon entropy per character.
fn high_entropy(value: &str) -> bool {
    let value = value.trim_matches(['"', '\'']);
    let has = |f: fn(&char) -> bool| value.chars().any(|c| f(&c));
    let mixed = has(char::is_ascii_digit)
        && (has(char::is_ascii_lowercase) || has(char::is_ascii_uppercase));
    if value.chars().count() < 16 || !mixed || has(|c| c.is_whitespace()) {
        return false;
    }
    let mut counts = std::collections::BTreeMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    let n: f64 = counts.values().map(|&k| f64::from(k)).sum();
    let bits: f64 = counts
        .values()
        .map(|&k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum();
    bits >= 3.5
}

/// `text` with every credential-looking literal masked; unchanged (borrowed) when it has none.
pub(crate) fn mask_secrets(text: &str) -> Cow<'_, str> {
    let mut ranges = Vec::new();
    let matched = ANY.as_ref().map(|set| set.matches(text));
    if matched.as_ref().is_some_and(|m| !m.matched_any()) {
        return Cow::Borrowed(text);
    }
    let all = PATTERNS.iter().map(|p| (p, false));
    let keyish = KEYISH_PATTERNS.iter().map(|p| (p, true));
    for (i, (pattern, needs_entropy)) in all.chain(keyish).enumerate() {
        if matched.as_ref().is_some_and(|m| !m.matched(i)) {
            continue;
        }
        for captures in pattern.captures_iter(text) {
            // The last participating group is the value; a quoted one keeps its quotes.
            let Some(value) = captures.iter().skip(1).flatten().last() else {
                continue;
            };
            if needs_entropy && !high_entropy(value.as_str()) {
                continue;
            }
            let (mut start, mut end) = (value.start(), value.end());
            let bytes = value.as_str().as_bytes();
            if bytes.len() >= 2
                && matches!(bytes.first(), Some(b'"' | b'\''))
                && bytes.first() == bytes.last()
            {
                start += 1;
                end -= 1;
            }
            if start < end {
                ranges.push((start, end));
            }
        }
    }
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (start, end) in ranges {
        for b in bytes.get_mut(start..end).into_iter().flatten() {
            // Keep line structure so that spans keep their lines and columns.
            if *b != b'\n' {
                *b = b'*';
            }
        }
    }
    // Only ASCII bytes were written, over whole characters or (inside a multi-byte character)
    // over all of its bytes, so the result is UTF-8; fall back to a lossy copy regardless.
    Cow::Owned(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let out = mask_secrets(text).into_owned();
        assert_eq!(out.len(), text.len(), "length kept");
        out
    }

    #[test]
    fn masks_credentials_and_keeps_references() {
        assert_eq!(
            masked("url=\"https://admin:hunter2@prom:9090\""),
            "url=\"https://admin:*******@prom:9090\""
        );
        assert_eq!(masked("password=\"s3cr3t\" x"), "password=\"******\" x");
        assert_eq!(
            masked("env AWS_SECRET_ACCESS_KEY \"wJalrXUtnFEMI\""),
            "env AWS_SECRET_ACCESS_KEY \"*************\""
        );
        assert_eq!(
            masked("- name: API_TOKEN\n  value: abc123"),
            "- name: API_TOKEN\n  value: ******"
        );
        assert_eq!(masked("id AKIAIOSFODNN7EXAMPLE"), "id ********************");
        assert_eq!(
            masked("env SIGNING_KEY \"q8Zr2LmX9vB4nT7wK1pY\""),
            "env SIGNING_KEY \"********************\""
        );
        let plain = "env CACHE_KEY \"models-by-version\"";
        assert_eq!(masked(plain), plain);
        let reference = "env API_TOKEN secret=api-credentials key=token";
        assert_eq!(masked(reference), reference);
        assert!(matches!(mask_secrets("nothing here"), Cow::Borrowed(_)));
    }
}
