//! Reading request bodies: a size limit, JSON with field-named errors, and a content hash for
//! idempotency records.

use crate::problem::ApiError;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use shared::api::{ErrorCode, FieldError};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Request;

/// Largest body accepted (64 KiB); larger is 413 `payload_too_large`.
pub const MAX_BODY: usize = 64 * 1024;

/// How much of an oversize chunked body is read past the limit (and discarded) before the upload
/// is cancelled: a client still writing a modestly oversize body then reads the 413 instead of a
/// reset connection (the "lingering close" of nginx and others). Nothing past the limit is kept.
const LINGER: usize = 1024 * 1024;

/// A parsed body and the SHA-256 (hex) of its bytes.
pub struct Body<T> {
    pub value: T,
    pub hash: String,
}

/// Reads and parses a JSON body, refusing oversize and malformed input with a named field.
pub async fn json<T: DeserializeOwned>(req: &mut Request) -> Result<Body<T>, ApiError> {
    let bytes = bytes(req).await?;
    parse(&bytes)
}

/// [`json`] for a body that may be left out (no bytes at all): `None` then.
pub async fn optional_json<T: DeserializeOwned>(
    req: &mut Request,
) -> Result<Option<Body<T>>, ApiError> {
    let bytes = bytes(req).await?;
    if bytes.is_empty() {
        return Ok(None);
    }
    parse(&bytes).map(Some)
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<Body<T>, ApiError> {
    let value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::invalid(vec![field_error(&e)]))?;
    Ok(Body {
        value,
        hash: shared::token::hex(&Sha256::digest(bytes)),
    })
}

/// The body's bytes, at most [`MAX_BODY`] of them. A declared `Content-Length` above the limit is
/// refused before reading; a body without one (chunked) is read chunk by chunk, never kept past
/// the limit, and refused (drained up to [`LINGER`], cancelled beyond).
pub async fn bytes(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<usize>().ok());
    match declared {
        Some(n) if n > MAX_BODY => return Err(too_large()),
        // The runtime delivers exactly the declared length.
        Some(_) => return Ok(req.bytes().await?),
        None => {}
    }
    let Some(stream) = req.inner().body() else {
        return Ok(Vec::new());
    };
    let reader = web_sys::ReadableStreamDefaultReader::new(&stream).map_err(worker::Error::from)?;
    let mut out = Vec::new();
    let mut seen = 0usize;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(worker::Error::from)?;
        let done = js_sys::Reflect::get(&step, &"done".into()).map_err(worker::Error::from)?;
        if done.as_bool().unwrap_or(true) {
            break;
        }
        let chunk = js_sys::Reflect::get(&step, &"value".into()).map_err(worker::Error::from)?;
        let chunk = js_sys::Uint8Array::new(&chunk);
        seen += chunk.length() as usize;
        if seen > MAX_BODY + LINGER {
            // Cancelled: the runtime stops receiving the rest of the upload.
            let _ = JsFuture::from(reader.cancel()).await;
            return Err(too_large());
        }
        if seen <= MAX_BODY {
            out.extend(chunk.to_vec());
        }
    }
    if seen > MAX_BODY {
        return Err(too_large());
    }
    Ok(out)
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
