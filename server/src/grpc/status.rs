//! An [`ApiError`] as a gRPC status: the HTTP status the REST API would answer picks the code.

use axum::http::StatusCode;
use tonic::{Code, Status};

use crate::error::ApiError;

/// The gRPC status for `error`; an overload carries its `Retry-After` seconds as `retry-after`
/// metadata.
pub(crate) fn to_status(error: ApiError) -> Status {
    let code = match error.status {
        StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => Code::InvalidArgument,
        StatusCode::NOT_FOUND => Code::NotFound,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::PAYLOAD_TOO_LARGE => Code::ResourceExhausted,
        StatusCode::SERVICE_UNAVAILABLE => Code::Unavailable,
        StatusCode::GATEWAY_TIMEOUT => Code::DeadlineExceeded,
        StatusCode::NOT_IMPLEMENTED => Code::Unimplemented,
        StatusCode::INTERNAL_SERVER_ERROR => Code::Internal,
        _ => Code::Unknown,
    };
    let mut status = Status::new(code, error.message);
    if let Some(seconds) = error.retry_after {
        status
            .metadata_mut()
            .insert("retry-after", tonic::metadata::MetadataValue::from(seconds));
    }
    status
}
