//! Reading and discarding the rest of a request body the server has answered without reading
//! (a 429 taken before the body, a 404, a 413 on the declared length…).
//!
//! A connection closed with unread bytes in its receive buffer is reset by the kernel (RST),
//! and the reset can reach a client that is still sending its body before it has read the
//! answer: it sees "connection reset" instead of the 429. So the answer is sent at once and
//! the body is drained meanwhile, bounded in bytes and in time; when the whole body has been
//! read the connection stays open for the next request, otherwise it closes once the bound is
//! reached (by then the answer has long been written).

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use http_body_util::BodyExt;

/// Bounds of a drain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DrainLimits {
    /// Most bytes read and discarded.
    pub(crate) bytes: usize,
    /// Longest time spent reading them.
    pub(crate) time: Duration,
}

/// Answers with `response` while `body` (unread) is drained in the background within
/// `limits`. A body that cannot be drained within them (its declared length is already larger,
/// or the client asked `Expect: 100-continue` and has not sent it) is not read; the response
/// then says `Connection: close`.
pub(crate) fn answer_early(
    headers: &HeaderMap,
    body: Body,
    mut response: Response,
    limits: DrainLimits,
) -> Response {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let waits_for_continue = headers
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if declared == Some(0) {
        return response;
    }
    // Draining would ask a 100-continue client for a body nobody wants; a declared length
    // past the bound cannot be drained whole.
    if waits_for_continue || declared.is_some_and(|len| len > limits.bytes as u64) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        if waits_for_continue {
            return response;
        }
    }
    tokio::spawn(discard(body, limits));
    response
}

/// Reads `body` to its end and drops every byte, stopping at `limits`.
async fn discard(mut body: Body, limits: DrainLimits) {
    let read = async {
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return };
            if let Some(data) = frame.data_ref() {
                seen = seen.saturating_add(data.len());
                if seen > limits.bytes {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(limits.time, read).await;
}
