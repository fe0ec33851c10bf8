//! One module per resource. Shared edge concerns (CORS, caching, demo seeding) live here.

pub mod me;
pub mod program;

use crate::problem::ApiError;
pub use shared::routes::is_browser_facing;
use shared::ShopId;
use std::sync::atomic::{AtomicBool, Ordering};
use worker::{Env, Response, Result};

fn cors(response: &mut Response) -> Result<()> {
    let h = response.headers_mut();
    h.set("Access-Control-Allow-Origin", "*")?;
    h.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")?;
    h.set(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, Idempotency-Key",
    )?;
    h.set(
        "Access-Control-Expose-Headers",
        "Idempotent-Replayed, Retry-After",
    )?;
    h.set("Access-Control-Max-Age", "86400")?;
    Ok(())
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
pub fn shop_param<D>(ctx: &worker::RouteContext<D>) -> std::result::Result<ShopId, ApiError> {
    let raw = crate::param(ctx, "shop")?;
    ShopId::parse(raw)
        .map_err(|_| ApiError::not_found(format!("no shop '{}'", raw.escape_default())))
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
    let enabled = env
        .var("PUNCHCARD_DEMO")
        .map(|v| v.to_string() == "seed")
        .unwrap_or(false);
    if !enabled {
        return Ok(());
    }
    crate::shop_ledger::call(env, shop, worker::Method::Post, "/seed-demo").await?;
    DEMO_SEEDED.store(true, Ordering::Relaxed);
    Ok(())
}
