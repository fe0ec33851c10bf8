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
#[derive(Debug)]
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
    let refused = |e: serde_json::Error| ApiError::invalid(vec![field_error(&e)]);
    let mut json: serde_json::Value = serde_json::from_slice(bytes).map_err(refused)?;
    integral_floats_to_integers(&mut json);
    let value = T::deserialize(json).map_err(refused)?;
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

/// JSON Schema counts `5.0` as an integer, and so does the OpenAPI document: a float with no
/// fraction, exactly representable (|x| < 2^53), becomes the integer it is; any other float stays
/// and is refused where an integer is expected.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < EXACT) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Counted {
        count: u32,
        points: i64,
    }

    #[test]
    fn integral_floats_are_integers_and_others_are_refused() {
        let body: Body<Counted> = parse(br#"{"count": 5.0, "points": -12e2}"#).unwrap();
        assert_eq!(
            body.value,
            Counted {
                count: 5,
                points: -1200
            }
        );
        for bad in [
            &br#"{"count": 5.5, "points": 1}"#[..],
            br#"{"count": 1, "points": 1e300}"#,
            br#"{"count": -1.0, "points": 1}"#,
            br#"{"count": 1, "points": 1, "extra": 1}"#,
            br#"{"count": 1"#,
        ] {
            assert!(
                parse::<Counted>(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let e = parse::<Counted>(br#"{"count": 1, "points": 1, "extra": 1}"#).unwrap_err();
        assert_eq!(e.problem().errors[0].field, "extra");
        let e = parse::<Counted>(br#"{"count": 1}"#).unwrap_err();
        assert_eq!(e.problem().errors[0].field, "points");
    }
}
