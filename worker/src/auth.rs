//! Who is calling (API.md "Credentials"): the platform admin key, a shop's secret key, or a
//! shopper's customer token. Every comparison of a secret is constant-time.

use crate::commands::{Command, Reply};
use crate::kv::{self, ShopRecord};
use crate::problem::ApiError;
use shared::api::ErrorCode;
use shared::token::constant_time_eq;
use shared::{token, CustomerId, ShopId};
use worker::{Env, Request};

/// The bearer credential of `req`, if any.
fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok().flatten()?;
    bearer_token(&value)
}

/// The credential of an `Authorization: Bearer …` value.
fn bearer_token(value: &str) -> Option<String> {
    Some(value.strip_prefix("Bearer ")?.trim().to_owned())
}

/// The shop's edge record, from KV only: a request naming a shop that does not exist is answered
/// here and never starts a Durable Object (one per random name would be free work for anyone).
/// KV is written by the shop's object when the shop is created and whenever its record changes.
/// An isolate keeps what it read for a few seconds ([`crate::shop_cache`]).
pub async fn shop_record(env: &Env, shop: &ShopId) -> Result<ShopRecord, ApiError> {
    let now_ms = worker::Date::now().as_millis();
    if let Some(record) = crate::shop_cache::get(shop.as_str(), now_ms) {
        return Ok(record);
    }
    let record = env
        .kv(crate::KV_BINDING)?
        .get(&kv::shop_key(shop))
        .json::<ShopRecord>()
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no shop '{shop}'")))?;
    crate::shop_cache::put(shop.as_str(), &record, now_ms);
    Ok(record)
}

/// The shop's record from its ledger object, which writes it to KV again (admin repairs, after
/// the caller was authenticated as the platform admin).
pub async fn repair_shop_record(env: &Env, shop: &ShopId) -> Result<ShopRecord, ApiError> {
    match crate::ledger::ask(env, shop, &Command::ShopRecord).await {
        Ok(Reply::Value(record)) => Ok(serde_json::from_str(&record)?),
        Err(e) if e.code() != ErrorCode::NotFound => Err(e),
        _ => Err(ApiError::not_found(format!("no shop '{shop}'"))),
    }
}

/// The platform admin (`Authorization: Bearer <ADMIN_KEY>`).
pub fn admin(req: &Request, env: &Env) -> Result<(), ApiError> {
    let expected = env
        .secret("ADMIN_KEY")
        .map(|s| s.to_string())
        .or_else(|_| env.var("ADMIN_KEY").map(|v| v.to_string()))
        .map_err(|_| ApiError::new(ErrorCode::Forbidden, "admin access is not configured"))?;
    let given = bearer(req)
        .ok_or_else(|| ApiError::unauthorized("send the admin key as 'Authorization: Bearer …'"))?;
    if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(ApiError::unauthorized("the admin key is not valid"));
    }
    Ok(())
}

/// The shop's own backend or console (`Authorization: Bearer sk_…`).
pub async fn shop(req: &Request, env: &Env, shop: &ShopId) -> Result<ShopRecord, ApiError> {
    let given = bearer(req).ok_or_else(|| {
        ApiError::unauthorized("send the shop's secret key as 'Authorization: Bearer sk_…'")
    })?;
    let refused = || ApiError::unauthorized("the shop's secret key is not valid for this shop");
    if !given.starts_with("sk_") {
        return Err(refused());
    }
    let record = shop_record(env, shop).await.map_err(|_| refused())?;
    let keys = record.keys(crate::now_unix());
    // Every accepted key is compared, so the time taken does not tell which one matched.
    let matched = keys.iter().fold(false, |any, key| {
        constant_time_eq(given.as_bytes(), key.as_bytes()) | any
    });
    if !matched {
        return Err(refused());
    }
    crate::limits::shop_api(env, shop).await?;
    Ok(record)
}

/// The shop's current secret key only (rotating the key needs the newest one: a leaked key in
/// its grace period must not be able to mint the next one).
pub async fn shop_current_key(
    req: &Request,
    env: &Env,
    shop: &ShopId,
) -> Result<ShopRecord, ApiError> {
    let record = self::shop(req, env, shop).await?;
    let given = bearer(req).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), record.secret_key.as_bytes()) {
        return Err(ApiError::unauthorized(
            "only the shop's current secret key may rotate it",
        ));
    }
    Ok(record)
}

/// Authenticates a shopper of `shop` by their customer token.
///
/// Every failure is the same 401 to the caller (the reason is not a hint for forgers).
/// The shopper a customer token names, and the shop's program version (for the card's KV key).
pub async fn customer(
    req: &Request,
    env: &Env,
    shop: &ShopId,
) -> Result<(CustomerId, i64), ApiError> {
    let authorization = req.headers().get("Authorization").ok().flatten();
    customer_by_authorization(authorization, env, shop).await
}

/// [`customer`] from the request's `Authorization` header value.
pub async fn customer_by_authorization(
    authorization: Option<String>,
    env: &Env,
    shop: &ShopId,
) -> Result<(CustomerId, i64), ApiError> {
    let refused = || ApiError::unauthorized("the customer token is invalid or expired");
    let token = authorization
        .as_deref()
        .and_then(bearer_token)
        .ok_or_else(|| {
            ApiError::unauthorized("send the customer token as 'Authorization: Bearer v1.…'")
        })?;
    if !token.starts_with("v1.") {
        return Err(refused());
    }
    let record = shop_record(env, shop).await.map_err(|_| refused())?;
    let now = crate::now_unix();
    let policy = token::Policy {
        keys: &record.keys(now),
        max_lifetime: record.token_max_lifetime,
    };
    let customer = token::verify(&token, shop, policy, now).map_err(|e| match e {
        token::TokenError::Lifetime => ApiError::new(
            ErrorCode::TokenLifetime,
            format!(
                "the token expires more than {} seconds ahead, the longest this shop accepts",
                record.token_max_lifetime
            ),
        ),
        _ => refused(),
    })?;
    Ok((customer, record.program_version))
}

/// [`customer`] for a shopper's write (`/me` redemptions, birthday): also counted against the
/// shopper's edge limit.
pub async fn customer_write(
    req: &Request,
    env: &Env,
    shop: &ShopId,
) -> Result<CustomerId, ApiError> {
    let (customer, _) = self::customer(req, env, shop).await?;
    crate::limits::shopper_write(env, shop, &customer).await?;
    Ok(customer)
}
