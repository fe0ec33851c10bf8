//! Holds responses to the OpenAPI document the worker serves at `/openapi.json`.
//!
//! A small JSON Schema checker for the subset the document uses: `$ref`, `allOf`, `type` (one or
//! several), `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `pattern`
//! (anchored `^[...]{m,n}$` forms are checked loosely as non-empty strings).

use serde_json::Value;
use std::sync::OnceLock;

static DOC: OnceLock<Value> = OnceLock::new();

fn doc() -> &'static Value {
    DOC.get_or_init(|| {
        let url = format!("{}/openapi.json", crate::base_url());
        let text = ureq::get(&url)
            .call()
            .expect("GET /openapi.json")
            .into_string()
            .unwrap();
        serde_json::from_str(&text).expect("/openapi.json is JSON")
    })
}

/// The document's path template matching `path` (`{param}` matches one segment).
fn template(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    doc()["paths"]
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
}

/// Checks one response. Routes the document does not describe (static files, unknown routes)
/// are skipped; described routes must document the status and match its schema.
pub fn check(method: &str, path: &str, status: u16, content_type: &str, body: &Value) {
    let Some(template) = template(path) else {
        return;
    };
    let Some(operation) = doc()["paths"][template].get(method.to_ascii_lowercase()) else {
        assert_eq!(
            status, 405,
            "{method} {path} is not in the document but answered {status}"
        );
        return;
    };
    let Some(response) = operation["responses"].get(status.to_string()) else {
        panic!("{method} {template}: status {status} is not documented (body {body})");
    };
    let Some(content) = response.get("content") else {
        return;
    };
    let media = content.get(content_type).unwrap_or_else(|| {
        panic!("{method} {template} {status}: content type {content_type} is not documented")
    });
    if let Err(e) = validate(&media["schema"], body, "$") {
        panic!(
            "{method} {template} {status}: response does not match the document: {e}\nbody: {body}"
        );
    }
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(&doc()["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Validates `v` against `schema`; the error names the JSON path.
pub fn validate(schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(s, v, at)?;
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            return Err(format!("{at}: expected {t}, got {v}"))
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""), v)) => {
            return Err(format!("{at}: expected one of {ts:?}, got {v}"))
        }
        _ => {}
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            return Err(format!("{at}: {v} is not one of {options:?}"));
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        v.as_object(),
    ) {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !obj.contains_key(name) {
                return Err(format!("{at}: missing required property {name}"));
            }
        }
        for (name, value) in obj {
            match props.get(name) {
                Some(s) => validate(s, value, &format!("{at}.{name}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{at}: unexpected property {name}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            validate(items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}
