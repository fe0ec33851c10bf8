//! `GET /v1/shops/{shop}/me` and `POST …/me/redemptions`: the shopper's own card, authenticated by
//! their customer token. The card is read from the KV snapshot; if KV has none (first visit, new
//! edge location), the ledger object is asked — it opens the account on first contact — and it
//! repairs KV.

use super::Answer;
use crate::commands::Command;
use worker::{Request, Response, Result, RouteContext};

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(handle(&req, &ctx).await)
}

async fn handle(req: &Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    let customer = crate::auth::customer(req, &ctx.env, &shop).await?;
    let snapshot = ctx
        .env
        .kv(crate::KV_BINDING)?
        .get(&crate::kv::card_key(&shop, &customer))
        .text()
        .await?;
    match snapshot {
        Some(card) => {
            let mut response = Response::ok(card)?;
            response
                .headers_mut()
                .set("Content-Type", "application/json")?;
            Ok(response)
        }
        None => {
            super::relay(
                &ctx.env,
                &shop,
                &Command::Card {
                    customer: customer.to_string(),
                    open: true,
                },
            )
            .await
        }
    }
}

pub async fn redeem(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            let customer = crate::auth::customer(&req, &ctx.env, &shop).await?;
            super::customers::redemption(&mut req, &ctx, &shop, &customer).await
        }
        .await,
    )
}
