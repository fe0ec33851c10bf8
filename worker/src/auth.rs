//! Who is calling: customer tokens (API.md "Credentials"). Shop and admin keys come with the API issue.

use crate::kv::{self, ShopRecord};
use crate::problem::ApiError;
use shared::{token, CustomerId, ShopId};
use worker::{Env, Request};

/// The bearer credential of `req`, if any.
fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok().flatten()?;
    let rest = value.strip_prefix("Bearer ")?;
    Some(rest.trim().to_owned())
}

/// The shop's edge record from KV, or 404 if the shop does not exist.
pub async fn shop_record(env: &Env, shop: &ShopId) -> Result<ShopRecord, ApiError> {
    env.kv(crate::KV_BINDING)?
        .get(&kv::shop_key(shop))
        .json::<ShopRecord>()
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no shop '{shop}'")))
}

/// Authenticates a shopper of `shop` by their customer token.
///
/// Every failure is the same 401 to the caller (the reason is not a hint for forgers).
pub async fn customer(req: &Request, env: &Env, shop: &ShopId) -> Result<CustomerId, ApiError> {
    let token = bearer(req).ok_or_else(|| {
        ApiError::unauthorized("send the customer token as 'Authorization: Bearer v1.…'")
    })?;
    if !token.starts_with("v1.") {
        return Err(ApiError::unauthorized(
            "the customer token is invalid or expired",
        ));
    }
    let record = shop_record(env, shop)
        .await
        .map_err(|_| ApiError::unauthorized("the customer token is invalid or expired"))?;
    token::verify(&token, shop, &record.secret_key, crate::now_unix())
        .map_err(|_| ApiError::unauthorized("the customer token is invalid or expired"))
}
