//! Durations written as strings with one unit: `500us`, `5ms`, `30s`, `2m`, `1h`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A length of time, written in the file as a whole number and a unit (`us`, `ms`, `s`, `m`,
/// `h`), such as `"5ms"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(std::time::Duration);

impl Duration {
    /// A duration of whole seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Self(std::time::Duration::from_secs(secs))
    }

    /// A duration of whole milliseconds.
    pub const fn from_millis(millis: u64) -> Self {
        Self(std::time::Duration::from_millis(millis))
    }

    /// The standard library value.
    pub const fn as_std(self) -> std::time::Duration {
        self.0
    }
}

impl From<std::time::Duration> for Duration {
    fn from(value: std::time::Duration) -> Self {
        Self(value)
    }
}

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError(String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid duration `{}`: write a whole number and a unit (us, ms, s, m, h), such as `5ms`",
            self.0
        )
    }
}

impl std::error::Error for ParseDurationError {}

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseDurationError(text.to_owned());
        let digits_end = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(error)?;
        let (digits, unit) = text.split_at(digits_end);
        if digits.is_empty() {
            return Err(error());
        }
        let value: u64 = digits.parse().map_err(|_| error())?;
        let micros_per_unit: u64 = match unit {
            "us" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" => 60_000_000,
            "h" => 3_600_000_000,
            _ => return Err(error()),
        };
        let micros = value.checked_mul(micros_per_unit).ok_or_else(error)?;
        Ok(Self(std::time::Duration::from_micros(micros)))
    }
}

impl fmt::Display for Duration {
    /// Writes the largest unit that represents the value exactly (`90s` → `90s`, `120s` → `2m`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.as_micros();
        let units: [(u128, &str); 4] = [
            (3_600_000_000, "h"),
            (60_000_000, "m"),
            (1_000_000, "s"),
            (1_000, "ms"),
        ];
        for (size, unit) in units {
            if micros != 0 && micros.is_multiple_of(size) {
                return write!(f, "{}{unit}", micros / size);
            }
        }
        if micros == 0 {
            return f.write_str("0ms");
        }
        write!(f, "{micros}us")
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Duration;

    #[test]
    fn parses_each_unit() {
        let cases = [
            ("250us", 250),
            ("5ms", 5_000),
            ("30s", 30_000_000),
            ("2m", 120_000_000),
        ];
        for (text, micros) in cases {
            let parsed: Duration = text.parse().unwrap();
            assert_eq!(parsed.as_std().as_micros(), micros, "{text}");
        }
    }

    #[test]
    fn rejects_missing_unit_fraction_and_sign() {
        for text in ["5", "1.5s", "-1s", "ms", "", "5 ms", "5sec"] {
            assert!(text.parse::<Duration>().is_err(), "{text}");
        }
    }

    #[test]
    fn writes_the_largest_exact_unit() {
        let cases = [
            ("120s", "2m"),
            ("90s", "90s"),
            ("1000ms", "1s"),
            ("0s", "0ms"),
            ("7us", "7us"),
        ];
        for (text, written) in cases {
            assert_eq!(text.parse::<Duration>().unwrap().to_string(), written);
        }
    }
}
