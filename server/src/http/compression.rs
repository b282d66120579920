//! Compressed responses: when the request's `Accept-Encoding` takes `gzip` or `deflate`
//! (tritonclient's `response_compression_algorithm`), the buffered response body is compressed
//! and `Content-Encoding` says how. `gzip` wins when both are accepted with the same weight.

use std::io::Write;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use http_body_util::BodyExt;

/// Bodies smaller than this go uncompressed: the frame would outweigh the saving.
const MIN_BYTES: usize = 64;

/// The middleware: runs the handler, then compresses its body when the client asked.
pub(crate) async fn compress(request: Request, next: Next) -> Response {
    let wanted = Coding::accepted(request.headers());
    let response = next.run(request).await;
    let Some(coding) = wanted else {
        return response;
    };
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let bytes = collected.to_bytes();
    if bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let Ok(compressed) = coding.encode(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.name()),
    );
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    Response::from_parts(parts, Body::from(compressed))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
        }
    }

    /// The best coding `Accept-Encoding` allows (a weight of 0 refuses one), if any.
    fn accepted(headers: &HeaderMap) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(text) = value.to_str() else { continue };
            for item in text.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let coding = match name.as_str() {
                    "gzip" | "x-gzip" => Self::Gzip,
                    "deflate" => Self::Deflate,
                    _ => continue,
                };
                let better = match best {
                    None => true,
                    Some((current, w)) => match weight.total_cmp(&w) {
                        std::cmp::Ordering::Greater => true,
                        std::cmp::Ordering::Equal => coding == Self::Gzip && current != coding,
                        std::cmp::Ordering::Less => false,
                    },
                };
                if weight > 0.0 && better {
                    best = Some((coding, weight));
                }
            }
        }
        best.map(|(coding, _)| coding)
    }

    fn encode(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
                encoder.write_all(bytes)?;
                encoder.finish()
            }
            Self::Deflate => {
                let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::fast());
                encoder.write_all(bytes)?;
                encoder.finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::Coding;

    fn accept(value: &'static str) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        Coding::accepted(&headers)
    }

    #[test]
    fn picks_the_heaviest_accepted_coding() {
        assert_eq!(accept("gzip"), Some(Coding::Gzip));
        assert_eq!(accept("deflate"), Some(Coding::Deflate));
        assert_eq!(accept("deflate, gzip"), Some(Coding::Gzip));
        assert_eq!(accept("gzip;q=0.5, deflate"), Some(Coding::Deflate));
        assert_eq!(accept("gzip;q=0"), None);
        assert_eq!(accept("br, identity"), None);
    }
}
