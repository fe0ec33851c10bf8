//! `GET /v1/shops/{shop}/program`: the program as the widget shows it (public, from KV).

use crate::problem::{respond, ApiError};
use worker::{Request, Response, Result, RouteContext};

pub async fn get(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(handle(&ctx).await)
}

async fn handle(ctx: &RouteContext<()>) -> std::result::Result<Response, ApiError> {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    let program = ctx
        .env
        .kv(crate::KV_BINDING)?
        .get(&crate::kv::program_key(&shop))
        .text()
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no program for shop '{shop}'")))?;
    let mut response = Response::ok(program)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}
