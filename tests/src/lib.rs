//! Helpers for the HTTP integration tests in `tests/tests/`.
//!
//! The tests talk to a real `wrangler dev` (workerd with local KV and Durable Object storage)
//! whose URL is in `PUNCHCARD_URL`; `cargo xtask test` starts one with fresh state and sets it.

use serde_json::Value;
use shared::{demo, token, CustomerId, ShopId};

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

/// Sends `method path` with optional bearer credential and JSON body.
pub fn call(method: &str, path: &str, bearer: Option<&str>, body: Option<&Value>) -> Reply {
    let agent = ureq::AgentBuilder::new().build();
    let mut req = agent.request(method, &format!("{}{path}", base_url()));
    if let Some(b) = bearer {
        req = req.set("Authorization", &format!("Bearer {b}"));
    }
    let result = match body {
        Some(b) => req.send_json(b.clone()),
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
    Reply {
        status,
        content_type,
        headers,
        body,
    }
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
