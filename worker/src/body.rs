//! Reading request bodies: a size limit, JSON with field-named errors, and a content hash for
//! idempotency records.

use crate::problem::ApiError;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use shared::api::{ErrorCode, FieldError};
use worker::Request;

/// Largest body accepted (64 KiB); larger is 413 `payload_too_large`.
pub const MAX_BODY: usize = 64 * 1024;

/// A parsed body and the SHA-256 (hex) of its bytes.
pub struct Body<T> {
    pub value: T,
    pub hash: String,
}

/// Reads and parses a JSON body, refusing oversize and malformed input with a named field.
pub async fn json<T: DeserializeOwned>(req: &mut Request) -> Result<Body<T>, ApiError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    let value =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::invalid(vec![field_error(&e)]))?;
    Ok(Body {
        value,
        hash: shared::token::hex(&Sha256::digest(&bytes)),
    })
}

/// The SHA-256 (hex) of `value` as canonical JSON: two bodies that say the same thing (whitespace,
/// key order) hash the same, so a retry through the batch route replays a single event and back.
pub fn hash_of<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(value)?;
    Ok(shared::token::hex(&Sha256::digest(&bytes)))
}

fn too_large() -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the body must be at most {MAX_BODY} bytes"),
    )
}

/// Names the field a serde error is about (`unknown field `x``, `missing field `x``), or `body`.
fn field_error(e: &serde_json::Error) -> FieldError {
    let message = e.to_string();
    let field = match (
        message.find('`'),
        message.get(message.find('`').map_or(0, |i| i + 1)..),
    ) {
        (Some(_), Some(rest))
            if message.starts_with("unknown field") || message.starts_with("missing field") =>
        {
            rest.split('`').next().unwrap_or("body").to_owned()
        }
        _ => "body".to_owned(),
    };
    let message = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("is not valid JSON ({message})")
        }
        _ => message,
    };
    FieldError { field, message }
}
