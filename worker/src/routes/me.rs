//! `GET /v1/shops/{shop}/me` and `POST …/me/redemptions`: the shopper's own card, authenticated by
//! their customer token. The card is read from the KV snapshot; if KV has none (first visit, new
//! edge location), the ledger object is asked — it opens the account on first contact — and it
//! repairs KV.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::api::BirthdayRequest;
use shared::ledger::{Event, EventKind};
use worker::{Request, Response, Result, RouteContext};

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(handle(&req, &ctx).await)
}

async fn handle(req: &Request, ctx: &RouteContext<()>) -> Answer {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    let (customer, version) = crate::auth::customer(req, &ctx.env, &shop).await?;
    let snapshot = ctx
        .env
        .kv(crate::KV_BINDING)?
        .get(&crate::kv::card_key(&shop, version, &customer))
        .text()
        .await?;
    match snapshot {
        Some(card) => super::json_text(200, card),
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
            let (customer, _) = crate::auth::customer(&req, &ctx.env, &shop).await?;
            // A request without its Idempotency-Key is refused before it counts against the limit.
            super::idempotency_key(&req)?;
            crate::limits::shopper_write(&ctx.env, &shop, &customer).await?;
            super::customers::redemption(&mut req, &ctx, &shop, &customer).await
        }
        .await,
    )
}

/// `POST …/me/birthday` `{"date":"MM-DD"}`: the member tells us their birthday, once. The same
/// date again is a replay; another date is 409 `birthday_already_set`.
pub async fn birthday(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            let customer = crate::auth::customer_write(&req, &ctx.env, &shop).await?;
            let body = crate::body::json::<BirthdayRequest>(&mut req).await?;
            let (month, day) =
                shared::time::parse_month_day(&body.value.date).ok_or_else(|| {
                    ApiError::field(
                        "date",
                        "must be a real month and day written MM-DD, e.g. 02-29",
                    )
                })?;
            let date = format!("{month:02}-{day:02}");
            let command = Command::Apply {
                idem: super::idem(format!("birthday:{customer}:{date}"), body.hash),
                customer: customer.to_string(),
                event: Event {
                    id: format!("birthday:{date}"),
                    at: crate::now_unix() as i64,
                    kind: EventKind::SetBirthday { month, day },
                },
                status: 200,
                fail_midway: false,
            };
            super::relay(&ctx.env, &shop, &command).await
        }
        .await,
    )
}
