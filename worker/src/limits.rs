//! Per-caller request limits at the edge, through the Workers Rate Limiting binding: checked after
//! the caller is authenticated and before the shop's ledger object is touched, answered 429
//! `rate_limited` with `Retry-After`. Counters are per Cloudflare location and approximate — a
//! shield against floods and runaway loops, not a quota (the ledger object keeps its own exact
//! per-member limit on redemptions).

use crate::problem::ApiError;
use shared::api::ErrorCode;
use shared::{CustomerId, ShopId};
use worker::Env;

/// `[[ratelimits]]` in wrangler.toml: 1,000 requests per 10 s per shop on the shop API.
const SHOP_API: (&str, u64) = ("SHOP_API_LIMIT", 10);
/// 10 writes per 60 s per shopper on `/me` (redemptions, birthday).
const SHOPPER_WRITES: (&str, u64) = ("SHOPPER_WRITE_LIMIT", 60);

/// Counts a shop-API request of `shop`.
pub async fn shop_api(env: &Env, shop: &ShopId) -> Result<(), ApiError> {
    check(
        env,
        SHOP_API,
        format!("shop:{shop}"),
        "requests with this shop's key",
    )
    .await
}

/// Counts a write by the shopper `customer` of `shop`.
pub async fn shopper_write(
    env: &Env,
    shop: &ShopId,
    customer: &CustomerId,
) -> Result<(), ApiError> {
    let key = format!("me:{shop}:{customer}");
    check(env, SHOPPER_WRITES, key, "changes to this card").await
}

async fn check(
    env: &Env,
    (binding, period): (&str, u64),
    key: String,
    what: &str,
) -> Result<(), ApiError> {
    if limits_off(env) {
        return Ok(());
    }
    let Ok(limiter) = env.rate_limiter(binding) else {
        // A deployment without the binding runs without edge limits (logged, never silent).
        crate::log_error(&format!("rate limit binding {binding} is missing"));
        return Ok(());
    };
    if limiter.limit(key).await?.success {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::RateLimited,
        format!("too many {what}; try again in {period} seconds"),
    )
    .with_retry_after(period))
}

/// Local dev only (`PUNCHCARD_DEMO=seed`): `cargo xtask bench-http` starts its worker with
/// `PUNCHCARD_EDGE_LIMITS=off` to measure the ledger behind the limits. Ignored anywhere else.
fn limits_off(env: &Env) -> bool {
    crate::routes::demo_enabled(env)
        && env
            .var("PUNCHCARD_EDGE_LIMITS")
            .is_ok_and(|v| v.to_string() == "off")
}
