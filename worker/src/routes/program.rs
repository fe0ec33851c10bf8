//! `GET /v1/shops/{shop}/program` (public, from KV: the news marked public only; with the shop
//! key, the whole program from the ledger object) and `PUT` (shop key): the loyalty program.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::program::Program;
use worker::{Request, Response, Result, RouteContext};

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(read(&req, &ctx).await)
}

async fn read(req: &Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    if req.headers().has("Authorization")? {
        crate::auth::shop(req, &ctx.env, &shop).await?;
        return super::relay(&ctx.env, &shop, &Command::Program, 200).await;
    }
    let program = ctx
        .env
        .kv(crate::KV_BINDING)?
        .get(&crate::kv::program_key(&shop))
        .text()
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no program for shop '{shop}'")))?;
    super::json_text(200, program)
}

pub async fn put(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(replace(&mut req, &ctx).await)
}

async fn replace(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    let program: Program = crate::body::json(req).await?.value;
    program.validate().map_err(ApiError::invalid)?;
    super::relay(
        &ctx.env,
        &shop,
        &Command::PutProgram {
            program: Box::new(program),
        },
        200,
    )
    .await
}
