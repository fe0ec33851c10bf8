//! One module per resource. Shared edge concerns (CORS, caching, relaying the ledger's answers,
//! demo seeding) live here.

pub mod coupons;
pub mod customers;
pub mod demo_page;
pub mod events;
pub mod export;
pub mod keys;
pub mod me;
pub mod openapi;
pub mod program;
pub mod shops;
pub mod webhooks;

use crate::commands::{Command, Idem, Reply};
use crate::problem::ApiError;
pub use shared::routes::is_browser_facing;
use shared::{CustomerId, ShopId};
use std::sync::atomic::{AtomicBool, Ordering};
use worker::{Env, Request, Response, Result, RouteContext};

/// What every handler returns before CORS and caching headers are added.
pub type Answer = std::result::Result<Response, ApiError>;

/// A JSON answer whose body is already JSON text.
pub fn json_text(status: u16, body: String) -> Answer {
    let mut response = Response::ok(body)?.with_status(status);
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}

/// A JSON answer of `value`.
pub fn json<T: serde::Serialize>(status: u16, value: &T) -> Answer {
    json_text(status, serde_json::to_string(value)?)
}

/// The CORS headers of a browser-facing answer.
const CORS: [(&str, &str); 5] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, Idempotency-Key",
    ),
    (
        "Access-Control-Expose-Headers",
        "Idempotent-Replayed, Retry-After",
    ),
    ("Access-Control-Max-Age", "86400"),
];

fn cors(response: &mut Response) -> Result<()> {
    let h = response.headers_mut();
    for (name, value) in CORS {
        h.set(name, value)?;
    }
    Ok(())
}

/// Every header a browser-facing answer of `content_type` carries once [`finish`]ed.
pub fn browser_headers(content_type: &str) -> impl Iterator<Item = (&str, &str)> {
    [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
    ]
    .into_iter()
    .chain(CORS)
}

/// Answers a CORS preflight: allowed for browser-facing routes only.
pub fn preflight(browser_facing: bool) -> Result<Response> {
    let mut response = Response::empty()?.with_status(204);
    if browser_facing {
        cors(&mut response)?;
    }
    Ok(response)
}

/// Common headers on every API response.
pub fn finish(mut response: Response, browser_facing: bool) -> Result<Response> {
    if browser_facing {
        cors(&mut response)?;
    }
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Whether `response` already carries a problem+json body.
pub fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .is_some_and(|t| t.starts_with("application/problem+json"))
}

/// Parses the `:shop` path parameter.
pub fn shop_param<D>(ctx: &RouteContext<D>) -> std::result::Result<ShopId, ApiError> {
    let raw = crate::param(ctx, "shop")?;
    ShopId::parse(raw)
        .map_err(|_| ApiError::not_found(format!("no shop '{}'", raw.escape_default())))
}

/// Parses the `:customer` path parameter.
pub fn customer_param<D>(ctx: &RouteContext<D>) -> std::result::Result<CustomerId, ApiError> {
    let raw = crate::param(ctx, "customer")?;
    CustomerId::parse(raw)
        .map_err(|_| ApiError::not_found(format!("no member '{}'", raw.escape_default())))
}

/// The request's `Idempotency-Key`, required on value-moving routes without an event id.
pub fn idempotency_key(req: &Request) -> std::result::Result<String, ApiError> {
    let key = req
        .headers()
        .get("Idempotency-Key")
        .ok()
        .flatten()
        .unwrap_or_default();
    shared::requests::check_key(&key, "Idempotency-Key").map_err(|e| ApiError::invalid(vec![e]))?;
    Ok(key)
}

/// An idempotency record identity.
/// `?before=<cursor>&limit=<1..200>` of a paged list (default 50 a page).
pub fn page_query(req: &Request) -> std::result::Result<(Option<u64>, usize), ApiError> {
    let url = req
        .url()
        .map_err(|_| ApiError::field("url", "must be a valid URL"))?;
    let mut before = None;
    let mut limit = 50;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "before" => {
                // Cursors are SQLite integers, 0 to 2^63 − 1.
                let cursor = value.parse::<u64>().ok().filter(|c| *c <= i64::MAX as u64);
                before = Some(cursor.ok_or_else(|| {
                    ApiError::field("before", "must be a cursor from a previous page")
                })?)
            }
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=crate::ledger::MAX_HISTORY_PAGE).contains(l))
                    .ok_or_else(|| ApiError::field("limit", "must be between 1 and 200"))?
            }
            _ => {}
        }
    }
    Ok((before, limit))
}

pub fn idem(key: String, body_hash: String) -> Idem {
    Idem { key, body_hash }
}

/// Sends a command to the shop's ledger and answers with its reply: a result with `status`, a
/// stored answer with `status` and `Idempotent-Replayed: true`, done as 204, a refusal as its
/// problem.
pub async fn relay(env: &Env, shop: &ShopId, command: &Command, status: u16) -> Answer {
    match crate::ledger::ask(env, shop, command).await? {
        Reply::Value(body) => json_text(status, body),
        Reply::Replayed(body) => {
            let mut response = json_text(status, body)?;
            response.headers_mut().set("Idempotent-Replayed", "true")?;
            Ok(response)
        }
        Reply::Done => Ok(Response::empty()?.with_status(204)),
    }
}

/// Tests only: whether the request asks for an injected failure half-way through its command
/// (`X-Punchcard-Test-Fault: midway`), honoured only where `PUNCHCARD_DEMO` is `seed`.
pub fn test_fault(req: &Request, env: &Env) -> bool {
    let asked = req
        .headers()
        .get("X-Punchcard-Test-Fault")
        .ok()
        .flatten()
        .is_some_and(|v| v == "midway");
    asked && demo_enabled(env)
}

/// Whether this is local dev or the tests (`PUNCHCARD_DEMO=seed`, set only in `.dev.vars`).
pub fn demo_enabled(env: &Env) -> bool {
    env.var("PUNCHCARD_DEMO")
        .map(|v| v.to_string() == "seed")
        .unwrap_or(false)
}

static DEMO_SEEDED: AtomicBool = AtomicBool::new(false);

/// Local dev only: makes sure `demo-bakery` exists before serving it.
///
/// Active only when the `PUNCHCARD_DEMO` variable is `seed` (set in the committed `.dev.vars`, never
/// in production). Seeding is idempotent in the Durable Object; this flag only saves the round trip.
pub async fn ensure_demo_seeded(env: &Env, shop: &ShopId) -> std::result::Result<(), ApiError> {
    if shop.as_str() != shared::demo::SHOP_ID || DEMO_SEEDED.load(Ordering::Relaxed) {
        return Ok(());
    }
    if !demo_enabled(env) {
        return Ok(());
    }
    if crate::ledger::ask(env, shop, &Command::SeedDemo).await? != Reply::Done {
        return Err(ApiError::internal("demo seeding failed"));
    }
    DEMO_SEEDED.store(true, Ordering::Relaxed);
    Ok(())
}
