//! `GET /v1/shops/{shop}/coupons/{code}` and `POST …/consume` (shop key): checkout validates and
//! uses coupon codes. Consuming is idempotent per order: the same order again is 200, another
//! order is 409 `coupon_consumed`.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::requests::ConsumeRequest;
use worker::{Request, Response, Result, RouteContext};

async fn code(
    req: &Request,
    ctx: &RouteContext<()>,
) -> std::result::Result<(shared::ShopId, String), ApiError> {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    let code = crate::param(ctx, "code")?;
    let code =
        shared::code::normalize("PC", code).ok_or_else(|| ApiError::not_found("no such coupon"))?;
    Ok((shop, code))
}

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let (shop, code) = code(&req, &ctx).await?;
            super::relay(&ctx.env, &shop, &Command::Coupon { code }, 200).await
        }
        .await,
    )
}

pub async fn consume(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(use_coupon(&mut req, &ctx).await)
}

async fn use_coupon(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let (shop, code) = code(req, ctx).await?;
    let body: ConsumeRequest = crate::body::json(req).await?.value;
    shared::CustomerId::parse(&body.order_id)
        .map_err(|_| ApiError::field("order_id", "must be 1 to 64 letters, digits, '-' or '_'"))?;
    super::relay(
        &ctx.env,
        &shop,
        &Command::Consume {
            code,
            order_id: body.order_id,
        },
        200,
    )
    .await
}
