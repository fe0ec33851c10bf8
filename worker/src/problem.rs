//! The one place where errors become HTTP: `application/problem+json` (RFC 9457) with a stable code.

use shared::api::{ErrorCode, Problem};
use worker::Response;

/// An error the API reports to its caller. Details never include secrets.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    detail: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, detail)
    }

    /// The problem+json response for this error.
    pub fn into_response(self) -> worker::Result<Response> {
        let problem = Problem::new(self.code, self.detail);
        let mut response = Response::from_json(&problem)?.with_status(problem.status);
        response
            .headers_mut()
            .set("Content-Type", "application/problem+json")?;
        Ok(response)
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        // The runtime's message may name bindings or internals: log it, do not send it.
        worker::console_error!("internal error: {e}");
        Self::new(
            ErrorCode::Internal,
            "the request could not be completed; nothing was changed",
        )
    }
}

impl From<worker::kv::KvError> for ApiError {
    fn from(e: worker::kv::KvError) -> Self {
        worker::console_error!("KV error: {e}");
        Self::new(
            ErrorCode::Internal,
            "the request could not be completed; nothing was changed",
        )
    }
}

/// Runs a handler body and turns its `ApiError` into a problem response.
pub fn respond(result: Result<Response, ApiError>) -> worker::Result<Response> {
    result.or_else(ApiError::into_response)
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        worker::Error::from(e).into()
    }
}
