//! `POST /v1/shops/{shop}/events` (shop key): purchases, refunds and other facts → the card.
//! The event `id` is the idempotency key.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::requests::EventRequest;
use worker::{Request, Response, Result, RouteContext};

pub async fn post(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(handle(&mut req, &ctx).await)
}

async fn handle(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    let body = crate::body::json::<EventRequest>(req).await?;
    let (customer, event) = body
        .value
        .to_event(crate::now_unix() as i64)
        .map_err(ApiError::invalid)?;
    let idem = super::idem(format!("event:{}", event.id), body.hash);
    let command = Command::Apply {
        idem,
        customer: customer.to_string(),
        event,
        status: 200,
    };
    super::relay(&ctx.env, &shop, &command).await
}
