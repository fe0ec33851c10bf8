//! Holds every response the tests see to the OpenAPI document the worker serves at
//! `/openapi.json`, with a maintained JSON Schema 2020-12 validator (`jsonschema`, formats
//! checked): the status must be documented for the operation and the body must match its schema.

use jsonschema::Validator;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

static DOC: OnceLock<Value> = OnceLock::new();
static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();

/// The served document (fetched once per test binary).
pub fn doc() -> &'static Value {
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

/// A validator for `schema`, a schema inside the document (its `$ref`s point into
/// `#/components/schemas`, so it is compiled inside a copy of the document's components).
pub fn validator(schema: &Value) -> Arc<Validator> {
    let key = schema.to_string();
    let cache = VALIDATORS.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return v.clone();
    }
    let root = json!({"allOf": [schema], "components": doc()["components"]});
    let v = Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the document's schema {schema} does not compile: {e}")),
    );
    cache.lock().unwrap().insert(key, v.clone());
    v
}

/// The schema of component `name`.
pub fn component(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
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
    if let Err(errors) = conforms(&media["schema"], body) {
        panic!("{method} {template} {status}: the response does not match the document: {errors}\nbody: {body}");
    }
}

/// Whether `value` matches `schema`; the error lists every violation with its JSON path.
fn conforms(schema: &Value, value: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator(schema)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    errors.is_empty().then_some(()).ok_or(errors.join("; "))
}

/// Checks a request body the server accepted against the operation's request schema: the
/// document may not refuse what the server takes.
pub fn check_request(method: &str, path: &str, body: &Value) {
    let Some(template) = template(path) else {
        return;
    };
    // Local development (these tests) also accepts plain-HTTP loopback webhook receivers; the
    // document states the production rule (https only).
    let loopback = body["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://127.0.0.1:"));
    if template == "/v1/shops/{shop}/webhooks" && loopback {
        return;
    }
    let operation = &doc()["paths"][template][method.to_ascii_lowercase()];
    let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
        return;
    };
    if let Err(errors) = conforms(schema, body) {
        panic!("{method} {template}: the server accepted a body the document refuses: {errors}\nbody: {body}");
    }
}
