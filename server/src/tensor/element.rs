//! One Rust element type per protocol datatype: how it is read from JSON and from bytes.

use half::{bf16, f16};

/// What the tensor code needs from an element type.
pub(crate) trait Element: Copy + Sized {
    /// Bytes per element in the binary extension.
    const SIZE: usize;
    /// Reads one element from exactly [`Self::SIZE`] little-endian bytes.
    fn read_le(bytes: &[u8]) -> Self;
    /// Appends the little-endian bytes of one element.
    fn write_le(self, out: &mut Vec<u8>);
    /// Converts a JSON boolean, if this type takes booleans.
    fn from_json_bool(value: bool) -> Option<Self>;
    /// Converts a JSON integer, if it fits.
    fn from_json_i64(value: i64) -> Option<Self>;
    /// Converts a JSON non-negative integer, if it fits.
    fn from_json_u64(value: u64) -> Option<Self>;
    /// Converts a JSON number with a fraction or exponent, if this type takes them.
    fn from_json_f64(value: f64) -> Option<Self>;
}

macro_rules! integer_element {
    ($($ty:ty),*) => {$(
        impl Element for $ty {
            const SIZE: usize = size_of::<$ty>();
            fn read_le(bytes: &[u8]) -> Self {
                let mut buf = [0u8; size_of::<$ty>()];
                buf.copy_from_slice(bytes);
                <$ty>::from_le_bytes(buf)
            }
            fn write_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn from_json_bool(_: bool) -> Option<Self> {
                None
            }
            fn from_json_i64(value: i64) -> Option<Self> {
                <$ty>::try_from(value).ok()
            }
            fn from_json_u64(value: u64) -> Option<Self> {
                <$ty>::try_from(value).ok()
            }
            fn from_json_f64(_: f64) -> Option<Self> {
                None
            }
        }
    )*};
}

integer_element!(u8, u16, u32, u64, i8, i16, i32, i64);

/// Floats take any JSON number; a finite number too large for the type is refused rather
/// than turned into infinity.
macro_rules! float_element {
    ($ty:ty, $from_f64:expr, $is_finite:expr) => {
        impl Element for $ty {
            const SIZE: usize = size_of::<$ty>();
            fn read_le(bytes: &[u8]) -> Self {
                let mut buf = [0u8; size_of::<$ty>()];
                buf.copy_from_slice(bytes);
                <$ty>::from_le_bytes(buf)
            }
            fn write_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn from_json_bool(_: bool) -> Option<Self> {
                None
            }
            #[expect(
                clippy::cast_precision_loss,
                reason = "JSON integers given for floats round"
            )]
            fn from_json_i64(value: i64) -> Option<Self> {
                Self::from_json_f64(value as f64)
            }
            #[expect(
                clippy::cast_precision_loss,
                reason = "JSON integers given for floats round"
            )]
            fn from_json_u64(value: u64) -> Option<Self> {
                Self::from_json_f64(value as f64)
            }
            fn from_json_f64(value: f64) -> Option<Self> {
                let converted: $ty = $from_f64(value);
                (!value.is_finite() || $is_finite(converted)).then_some(converted)
            }
        }
    };
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "range checked by the caller"
)]
fn f64_to_f32(value: f64) -> f32 {
    value as f32
}

float_element!(f32, f64_to_f32, f32::is_finite);
float_element!(f64, |v| v, f64::is_finite);
float_element!(f16, f16::from_f64, |v: f16| v.is_finite());
float_element!(bf16, bf16::from_f64, |v: bf16| v.is_finite());

impl Element for bool {
    const SIZE: usize = 1;
    fn read_le(bytes: &[u8]) -> Self {
        bytes.first().is_some_and(|b| *b != 0)
    }
    fn write_le(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
    fn from_json_bool(value: bool) -> Option<Self> {
        Some(value)
    }
    fn from_json_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_json_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_json_f64(_: f64) -> Option<Self> {
        None
    }
}
