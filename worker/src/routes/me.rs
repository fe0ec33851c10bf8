//! `GET /v1/shops/{shop}/me`: the shopper's own card, authenticated by their customer token.
//!
//! Reads the KV snapshot; if KV has none (new edge location, lost write), the Durable Object is
//! asked, and it repairs KV.

use crate::problem::{respond, ApiError};
use worker::{Method, Request, Response, Result, RouteContext};

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(handle(&req, &ctx).await)
}

async fn handle(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    let customer = crate::auth::customer(req, &ctx.env, &shop).await?;
    let snapshot = ctx
        .env
        .kv(crate::KV_BINDING)?
        .get(&crate::kv::card_key(&shop, &customer))
        .text()
        .await?;
    let body = match snapshot {
        Some(card) => card,
        None => {
            let path = format!("/cards/{customer}");
            crate::shop_ledger::call(&ctx.env, &shop, Method::Get, &path)
                .await?
                .text()
                .await?
        }
    };
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}
