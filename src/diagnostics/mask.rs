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
//! Stripe tokens, Google API keys, JWTs, PEM private keys). Secret *references*
//! (`secret=name key=k`, `secretKeyRef`) name no value and stay readable.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// A name that says its value is a credential (matched as a whole name or its suffix).
const NAME: &str = r"(?i:[A-Za-z0-9_.-]*(?:password|passwd|pwd|token|api[_-]?key|apikey|secret[_-]?key|secret[_-]?access[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?))";

/// A positional KDL literal: a quoted string, or a bare word that is not a property.
const ENV_VALUE: &str = r#"("(?:[^"\\\n]|\\.)*"|[^\s"=;{}]+)(?:[\s;}]|$)"#;

/// A literal value: a quoted string or a bare word.
const VALUE: &str = r#"("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',}\]#;)]+)"#;

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let sources = [
        // URL userinfo: the password.
        r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:([^\s@/]+)@".to_owned(),
        // KDL `env NAME "value"` and `env NAME value="value"`.
        format!(r#"\benv\s+"?{NAME}"?\s+(?:value\s*=\s*{VALUE}|{ENV_VALUE})"#),
        // `name=value`, `name: value`, `"name": value`.
        format!(r#"\b{NAME}["']?\s*[=:]\s*{VALUE}"#),
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
    ];
    sources.iter().filter_map(|s| Regex::new(s).ok()).collect()
});

/// `text` with every credential-looking literal masked; unchanged (borrowed) when it has none.
pub(crate) fn mask_secrets(text: &str) -> Cow<'_, str> {
    let mut ranges = Vec::new();
    for pattern in PATTERNS.iter() {
        for captures in pattern.captures_iter(text) {
            // The last participating group is the value; a quoted one keeps its quotes.
            let Some(value) = captures.iter().skip(1).flatten().last() else {
                continue;
            };
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
        let reference = "env API_TOKEN secret=api-credentials key=token";
        assert_eq!(masked(reference), reference);
        assert!(matches!(mask_secrets("nothing here"), Cow::Borrowed(_)));
    }
}
