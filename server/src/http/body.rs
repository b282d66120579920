//! Reading a request body under the size limit, and decoding a `Content-Encoding: gzip` or
//! `deflate` body (tritonclient's `request_compression_algorithm`) under the same limit.

use std::io::Read;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::BodyExt;

use crate::error::ApiError;

/// Collects the body and decodes its content encoding; more than `limit` bytes (declared, sent
/// or decoded) is 413, an unknown encoding is 415. The body is taken out of `body` only once
/// the headers are found acceptable: when they are not, it is left there unread.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: &mut Option<Body>,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let encoding = Encoding::of(headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let capacity = declared.and_then(|d| usize::try_from(d).ok()).unwrap_or(0);
    let mut body = body
        .take()
        .ok_or_else(|| ApiError::internal("the request body was already read"))?;
    // A body that arrives in one piece (most do: it came with the head) is kept as it is;
    // only a body in several pieces is copied into one buffer.
    let mut first: Option<Bytes> = None;
    let mut collected: Vec<u8> = Vec::new();
    let mut size = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            size += data.len();
            if size > limit {
                return Err(too_large(limit));
            }
            match first.take() {
                None if collected.is_empty() => first = Some(data),
                None => collected.extend_from_slice(&data),
                Some(head) => {
                    collected.reserve(capacity.max(size));
                    collected.extend_from_slice(&head);
                    collected.extend_from_slice(&data);
                }
            }
        }
    }
    let whole = first.unwrap_or_else(|| Bytes::from(collected));
    match encoding {
        Encoding::Identity => Ok(whole),
        Encoding::Gzip => decode(flate2::read::MultiGzDecoder::new(&whole[..]), limit),
        Encoding::Deflate => decode(flate2::read::ZlibDecoder::new(&whole[..]), limit),
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is larger than the limit of {limit} bytes"),
    )
}

/// Inflates at most `limit` bytes, so a small compressed body cannot expand without bound.
fn decode(reader: impl Read, limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("cannot decompress the request body: {e}")))?;
    if out.len() > limit {
        return Err(too_large(limit));
    }
    Ok(Bytes::from(out))
}

/// A request body's `Content-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Deflate,
}

impl Encoding {
    fn of(headers: &HeaderMap) -> Result<Self, ApiError> {
        let Some(value) = headers.get(header::CONTENT_ENCODING) else {
            return Ok(Self::Identity);
        };
        let text = value
            .to_str()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match text.as_str() {
            "" | "identity" => Ok(Self::Identity),
            "gzip" | "x-gzip" => Ok(Self::Gzip),
            "deflate" => Ok(Self::Deflate),
            _ => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "`Content-Encoding: {}` is not supported: send gzip, deflate or identity",
                    String::from_utf8_lossy(value.as_bytes())
                ),
            )),
        }
    }
}
