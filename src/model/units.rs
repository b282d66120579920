//! Kubernetes quantities and durations, parsed into typed values.

use std::fmt;

/// A Kubernetes resource quantity (`500m`, `8Gi`, `1.5`, `2e3`), kept as written and as a
/// number of base units for comparisons.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The canonical text as written (what the manifest carries).
    pub text: String,
    /// The value in base units (cores, bytes).
    pub value: f64,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

const SUFFIXES: &[(&str, f64)] = &[
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ei", 1_152_921_504_606_846_976.0),
    ("n", 1e-9),
    ("u", 1e-6),
    ("m", 1e-3),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
    ("E", 1e18),
];

impl Quantity {
    /// Parses a quantity with Kubernetes' grammar; `None` when Kubernetes would reject it.
    pub fn parse(text: &str) -> Option<Quantity> {
        let digits_end = text
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '+' || c == '-') && i == 0)))
            .map_or(text.len(), |(i, _)| i);
        let (number, suffix) = text.split_at(digits_end);
        let unsigned = number.trim_start_matches(['+', '-']);
        let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_ok = int_part.chars().all(|c| c.is_ascii_digit())
            && frac_part.chars().all(|c| c.is_ascii_digit())
            && !(int_part.is_empty() && frac_part.is_empty());
        if !digits_ok || unsigned.matches('.').count() > 1 {
            return None;
        }
        let base: f64 = number.parse().ok()?;
        let multiplier = if suffix.is_empty() {
            1.0
        } else if let Some(&(_, m)) = SUFFIXES.iter().find(|(s, _)| *s == suffix) {
            m
        } else if let Some(exp) = suffix.strip_prefix(['e', 'E']) {
            let sign_ok = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if sign_ok.is_empty() || !sign_ok.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse::<i32>().ok()?)
        } else {
            return None;
        };
        let value = base * multiplier;
        value.is_finite().then(|| Quantity {
            text: text.to_owned(),
            value,
        })
    }

    /// Whether the value is negative.
    pub fn is_negative(&self) -> bool {
        self.value < 0.0
    }
}

/// A duration (`5ms`, `30s`, `5m`, `1h30m`), in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    /// Milliseconds.
    pub millis: u64,
}

impl Duration {
    /// Parses a sequence of `<integer><unit>` with units `ms`, `s`, `m`, `h`.
    pub fn parse(text: &str) -> Option<Duration> {
        let mut rest = text;
        let mut total: u64 = 0;
        if rest.is_empty() {
            return None;
        }
        while !rest.is_empty() {
            let n_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if n_end == 0 {
                return None;
            }
            let n: u64 = rest[..n_end].parse().ok()?;
            rest = &rest[n_end..];
            let (unit, len) = if rest.starts_with("ms") {
                (1, 2)
            } else if rest.starts_with('s') {
                (1000, 1)
            } else if rest.starts_with('m') {
                (60_000, 1)
            } else if rest.starts_with('h') {
                (3_600_000, 1)
            } else {
                return None;
            };
            rest = &rest[len..];
            total = total.checked_add(n.checked_mul(unit)?)?;
        }
        Some(Duration { millis: total })
    }

    /// Whole seconds, rounded up.
    pub fn seconds_ceil(self) -> u64 {
        self.millis.div_ceil(1000)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.millis;
        if ms == 0 {
            f.write_str("0s")
        } else if ms.is_multiple_of(3_600_000) {
            write!(f, "{}h", ms / 3_600_000)
        } else if ms.is_multiple_of(60_000) {
            write!(f, "{}m", ms / 60_000)
        } else if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

pub use crate::canonical::digest::is_sha256_hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_quantities() {
        assert_eq!(Quantity::parse("500m").map(|q| q.value), Some(0.5));
        assert_eq!(
            Quantity::parse("8Gi").map(|q| q.value),
            Some(8.0 * 1_073_741_824.0)
        );
        assert_eq!(Quantity::parse("1.5").map(|q| q.value), Some(1.5));
        assert_eq!(Quantity::parse("2e3").map(|q| q.value), Some(2000.0));
        for bad in ["8GB", "", "Gi", "1..5", "8 Gi", "1.2.3", "0x10", "-", "e3"] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("5ms"), Some(Duration { millis: 5 }));
        assert_eq!(
            Duration::parse("1h30m"),
            Some(Duration { millis: 5_400_000 })
        );
        assert_eq!(
            Duration::parse("5m").map(|d| d.to_string()),
            Some("5m".into())
        );
        for bad in ["", "5", "ms", "5x", "1.5s", "-5s"] {
            assert!(Duration::parse(bad).is_none(), "{bad}");
        }
    }
}
