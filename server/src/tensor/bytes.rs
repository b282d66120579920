//! `BYTES` elements (ONNX strings): strings in JSON, and in the binary extension each
//! element as a 4-byte little-endian length followed by its bytes. ONNX Runtime takes strings
//! as C strings and gives them back as UTF-8, so an element must be UTF-8 without NUL.

use ort::value::Utf8Data;

/// One `BYTES` element as ONNX Runtime takes it.
#[derive(Debug, Clone)]
pub(crate) struct ByteString(pub(crate) Vec<u8>);

impl Utf8Data for ByteString {
    fn as_utf8_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Reads the JSON `data` of a `BYTES` tensor: strings, in a flat or nested array, or one string.
pub(crate) fn read_json(text: &str, out: &mut Vec<Vec<u8>>) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    flatten(&value, out, 0)?;
    check_elements(out)
}

/// Refuses elements ONNX Runtime cannot carry: a NUL byte, or bytes that are not UTF-8.
pub(crate) fn check_elements(elements: &[Vec<u8>]) -> Result<(), String> {
    for (index, element) in elements.iter().enumerate() {
        if element.contains(&0) {
            return Err(format!(
                "BYTES element {index} contains a NUL byte, which ONNX Runtime strings cannot hold"
            ));
        }
        if std::str::from_utf8(element).is_err() {
            return Err(format!(
                "BYTES element {index} is not UTF-8, which ONNX Runtime strings must be"
            ));
        }
    }
    Ok(())
}

/// As deep as a tensor's rank may go (the numeric reader has the same bound).
const MAX_DEPTH: usize = 64;

fn flatten(value: &serde_json::Value, out: &mut Vec<Vec<u8>>, depth: usize) -> Result<(), String> {
    match value {
        serde_json::Value::String(s) => {
            out.push(s.clone().into_bytes());
            Ok(())
        }
        serde_json::Value::Array(items) if depth < MAX_DEPTH => items
            .iter()
            .try_for_each(|item| flatten(item, out, depth + 1)),
        serde_json::Value::Array(_) => Err(format!("arrays nested deeper than {MAX_DEPTH}")),
        other => Err(format!(
            "`{other}` is not a valid BYTES value: write a string"
        )),
    }
}

/// Splits length-prefixed elements.
pub(crate) fn decode(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or("BYTES binary data ends inside an element's 4-byte length")?;
        let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|e| e.to_string())?;
        let (element, rest) = rest.split_at_checked(len).ok_or_else(|| {
            format!(
                "a BYTES element of {len} bytes is longer than the {} bytes left",
                rest.len()
            )
        })?;
        out.push(element.to_vec());
        bytes = rest;
    }
    check_elements(&out)?;
    Ok(out)
}

/// Appends length-prefixed elements. An element over 4 GiB cannot be written and is an error.
pub(crate) fn encode(elements: &[Vec<u8>], out: &mut Vec<u8>) -> Result<(), String> {
    out.reserve(elements.iter().map(|e| e.len() + 4).sum());
    for element in elements {
        let len = u32::try_from(element.len())
            .map_err(|_| format!("a BYTES element of {} bytes is too long", element.len()))?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(element);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{decode, encode, read_json};

    #[test]
    fn round_trips_length_prefixed_elements() {
        let elements = vec![b"hello".to_vec(), Vec::new(), "é".as_bytes().to_vec()];
        let mut bytes = Vec::new();
        encode(&elements, &mut bytes).unwrap();
        assert_eq!(&bytes[..9], b"\x05\x00\x00\x00hello");
        assert_eq!(decode(&bytes).unwrap(), elements);
        assert!(decode(&bytes[..3]).is_err());
        assert!(decode(&bytes[..8]).is_err());
        for bad in [vec![b'a', 0], vec![0xff]] {
            let mut bytes = Vec::new();
            encode(&[bad], &mut bytes).unwrap();
            assert!(decode(&bytes).is_err());
        }
    }

    #[test]
    fn reads_nested_strings_and_refuses_numbers() {
        let mut out = Vec::new();
        read_json(r#"[["a", "b"], ["é"]]"#, &mut out).unwrap();
        assert_eq!(
            out,
            vec![b"a".to_vec(), b"b".to_vec(), "é".as_bytes().to_vec()]
        );
        assert!(read_json("[1]", &mut Vec::new()).is_err());
    }
}
