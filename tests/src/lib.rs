//! Helpers for the HTTP integration tests in `tests/tests/`.
//!
//! The tests talk to a real `wrangler dev` (workerd with local KV and Durable Object storage)
//! whose URL is in `PUNCHCARD_URL`; `cargo xtask test` starts one with fresh state and sets it.

pub mod openapi;

use serde_json::{json, Value};
use shared::{demo, token, CustomerId, ShopId};
use std::sync::atomic::{AtomicU32, Ordering};

/// Base URL of the worker under test.
pub fn base_url() -> String {
    std::env::var("PUNCHCARD_URL")
        .expect("PUNCHCARD_URL is not set: run these tests through `cargo xtask test`")
}

/// A response reduced to what the tests look at.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts this is a problem+json error with `status` and `code`.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.content_type, "application/problem+json", "{self:?}");
        assert_eq!(self.body["code"], code, "{self:?}");
        assert_eq!(self.body["status"], status, "{self:?}");
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }
}

/// Sends `method path` with optional bearer credential and JSON body; every answer is checked
/// against the OpenAPI document.
pub fn call(method: &str, path: &str, bearer: Option<&str>, body: Option<&Value>) -> Reply {
    send(method, path, bearer, &[], body.map(Value::to_string))
}

/// Like [`call`], with extra headers and a raw body.
pub fn send(
    method: &str,
    path: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Reply {
    let agent = ureq::AgentBuilder::new().build();
    let mut req = agent.request(method, &format!("{}{path}", base_url()));
    if let Some(b) = bearer {
        req = req.set("Authorization", &format!("Bearer {b}"));
    }
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let sent = body.clone();
    let result = match &body {
        Some(b) => req.set("Content-Type", "application/json").send_string(b),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = response.status();
    let content_type = response.content_type().to_owned();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = response.header(&n).unwrap_or_default().to_owned();
            (n, v)
        })
        .collect();
    let text = response.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if content_type.contains("json") || status >= 400 {
        openapi::check(method, path, status, &content_type, &body);
    }
    if (200..300).contains(&status) {
        // What the server accepted, the document must accept too.
        if let Some(sent) = sent.and_then(|b| serde_json::from_str::<Value>(&b).ok()) {
            openapi::check_request(method, path, &sent);
        }
    }
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// The platform admin key of local dev (`worker/.dev.vars`).
pub const ADMIN_KEY: &str = "dev-admin-key";

/// A fresh shop (unique per call) with the demo program: `(shop_id, secret_key)`.
pub fn new_shop(label: &str) -> (String, String) {
    static N: AtomicU32 = AtomicU32::new(0);
    let shop = format!(
        "t-{label}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let r = call(
        "POST",
        "/v1/shops",
        Some(ADMIN_KEY),
        Some(&json!({"shop_id": shop, "name": "Test shop"})),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let secret = r.body["secret_key"].as_str().unwrap().to_owned();
    let program: Value = serde_json::from_str(shared::program::DEMO_BAKERY_PROGRAM).unwrap();
    let r = call(
        "PUT",
        &format!("/v1/shops/{shop}/program"),
        Some(&secret),
        Some(&program),
    );
    assert_eq!(r.status, 200, "{r:?}");
    (shop, secret)
}

/// Replaces `shop`'s program with the demo program and `fields` (an object) set on it.
pub fn put_program_with(shop: &str, secret: &str, fields: Value) -> Reply {
    let mut program: Value = serde_json::from_str(shared::program::DEMO_BAKERY_PROGRAM).unwrap();
    for (key, value) in fields.as_object().expect("fields are an object") {
        program[key] = value.clone();
    }
    call(
        "PUT",
        &format!("/v1/shops/{shop}/program"),
        Some(secret),
        Some(&program),
    )
}

/// An `order.paid` event body.
pub fn paid(id: &str, customer: &str, order: &str, amount: i64) -> Value {
    json!({"id": id, "type": "order.paid", "customer_id": customer, "order_id": order,
           "amount_minor": amount, "currency": "EUR"})
}

/// A customer token for `customer` of `shop`, valid for an hour.
pub fn token_for(shop: &str, secret: &str, customer: &str) -> String {
    token::sign(
        secret,
        &ShopId::parse(shop).unwrap(),
        &CustomerId::parse(customer).unwrap(),
        now() + 3600,
    )
}

/// GET with an optional bearer credential.
pub fn get(path: &str, bearer: Option<&str>) -> Reply {
    call("GET", path, bearer, None)
}

/// A customer token for `customer` of the demo shop, signed with `key`, expiring at `expires`.
pub fn demo_token(customer: &str, key: &str, expires: u64) -> String {
    token::sign(
        key,
        &ShopId::parse(demo::SHOP_ID).unwrap(),
        &CustomerId::parse(customer).unwrap(),
        expires,
    )
}

/// Unix seconds now (test side).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
