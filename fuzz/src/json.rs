//! An arbitrary JSON value, for the YAML writer's round trip.

use arbitrary::Arbitrary;
use serde_json::{Map, Number, Value};

/// A JSON value: integers only (floats print in more than one way), at most a few levels.
#[derive(Debug, Clone, Arbitrary)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Str(String),
    Seq(Vec<Json>),
    Map(Vec<(String, Json)>),
}

impl Json {
    /// The `serde_json` value.
    pub fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Int(i) => Value::Number(Number::from(i)),
            Json::Uint(u) => Value::Number(Number::from(u)),
            Json::Str(s) => Value::String(s),
            Json::Seq(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}
