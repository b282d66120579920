//! Reading a tensor's `data` from JSON, flat or nested, straight into a typed vector.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};

use super::element::Element;

/// Parses `text` (the raw JSON of a `data` field) into `out`, flattening nested arrays.
pub(crate) fn read_into<T: Element>(
    text: &str,
    out: &mut Vec<T>,
    type_name: &str,
) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_str(text);
    Flatten {
        out,
        type_name,
        depth: 0,
        marker: PhantomData,
    }
    .deserialize(&mut de)
    .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())
}

/// Nesting deeper than any tensor rank ONNX allows is refused, so a hostile body cannot
/// exhaust the stack (`serde_json` also limits recursion to 128).
const MAX_DEPTH: usize = 64;

struct Flatten<'a, T> {
    out: &'a mut Vec<T>,
    type_name: &'a str,
    depth: usize,
    marker: PhantomData<T>,
}

impl<'de, T: Element> DeserializeSeed<'de> for Flatten<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<T: Element> Flatten<'_, T> {
    fn push<E: serde::de::Error>(
        &mut self,
        value: Option<T>,
        shown: &dyn fmt::Display,
    ) -> Result<(), E> {
        match value {
            Some(v) => {
                self.out.push(v);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "`{shown}` is not a valid {} value",
                self.type_name
            ))),
        }
    }
}

impl<'de, T: Element> Visitor<'de> for Flatten<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} values, in a flat or nested array", self.type_name)
    }

    fn visit_bool<E: serde::de::Error>(mut self, v: bool) -> Result<(), E> {
        self.push(T::from_json_bool(v), &v)
    }

    fn visit_i64<E: serde::de::Error>(mut self, v: i64) -> Result<(), E> {
        self.push(T::from_json_i64(v), &v)
    }

    fn visit_u64<E: serde::de::Error>(mut self, v: u64) -> Result<(), E> {
        self.push(T::from_json_u64(v), &v)
    }

    fn visit_f64<E: serde::de::Error>(mut self, v: f64) -> Result<(), E> {
        self.push(T::from_json_f64(v), &v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(serde::de::Error::custom("`data` is nested too deeply"));
        }
        let depth = self.depth + 1;
        let type_name = self.type_name;
        let out = self.out;
        while seq
            .next_element_seed(Flatten {
                out: &mut *out,
                type_name,
                depth,
                marker: PhantomData,
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::read_into;

    #[test]
    fn flattens_nested_arrays() {
        let mut out: Vec<f32> = Vec::new();
        read_into("[[1, 2.5], [3, 4]]", &mut out, "FP32").unwrap();
        assert_eq!(out, [1.0, 2.5, 3.0, 4.0]);
    }

    #[test]
    fn refuses_fractions_for_integers_and_out_of_range() {
        let mut out: Vec<i64> = Vec::new();
        assert!(read_into("[1.5]", &mut out, "INT64").is_err());
        let mut out: Vec<u8> = Vec::new();
        assert!(read_into("[300]", &mut out, "UINT8").is_err());
        assert!(read_into("[-1]", &mut out, "UINT8").is_err());
        let mut out: Vec<f32> = Vec::new();
        assert!(read_into("[1e300]", &mut out, "FP32").is_err());
        assert!(read_into("[\"a\"]", &mut out, "FP32").is_err());
        assert!(read_into("[true]", &mut out, "FP32").is_err());
    }

    #[test]
    fn reads_booleans_and_half_floats() {
        let mut out: Vec<bool> = Vec::new();
        read_into("[true, [false]]", &mut out, "BOOL").unwrap();
        assert_eq!(out, [true, false]);
        let mut out: Vec<half::f16> = Vec::new();
        read_into("[0.5, 2]", &mut out, "FP16").unwrap();
        assert_eq!(out, [half::f16::from_f32(0.5), half::f16::from_f32(2.0)]);
        assert!(read_into("[70000]", &mut out, "FP16").is_err());
    }
}
