//! `…/customers/{customer}` (shop key): the shop's view of a member, manual adjustments, in-store
//! stamps, redemptions on the member's behalf, data export and erasure.

use super::Answer;
use crate::commands::{Command, Reply};
use crate::problem::ApiError;
use shared::ledger::{Event, EventKind};
use shared::requests::{AdjustmentRequest, RedemptionRequest, StampsRequest};
use shared::{CustomerId, ShopId};
use worker::{Request, Response, Result, RouteContext};

/// Authenticates the shop and parses the path.
async fn target(
    req: &Request,
    ctx: &RouteContext<()>,
) -> std::result::Result<(ShopId, CustomerId), crate::problem::ApiError> {
    let shop = super::shop_param(ctx)?;
    super::ensure_demo_seeded(&ctx.env, &shop).await?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    Ok((shop, super::customer_param(ctx)?))
}

/// Authenticates, then relays the read-style command `make(customer)` to the ledger.
async fn relay_for(
    req: &Request,
    ctx: &RouteContext<()>,
    make: fn(String) -> Command,
) -> Result<Response> {
    crate::problem::respond(
        async {
            let (shop, customer) = target(req, ctx).await?;
            super::relay(&ctx.env, &shop, &make(customer.to_string()), 200).await
        }
        .await,
    )
}

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    relay_for(&req, &ctx, |customer| Command::ShopView { customer }).await
}

/// `GET …/customers/{customer}/history?before=<cursor>&limit=<1..200>`: older entries, a page at
/// a time (the member view shows the newest 50 and the first cursor).
pub async fn history(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let (shop, customer) = target(&req, &ctx).await?;
            let (before, limit) = super::page_query(&req)?;
            let command = Command::History {
                customer: customer.to_string(),
                before,
                limit,
            };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}

/// `GET …/customers/{customer}/export`: the head from the ledger object, then the member's rows
/// streamed page by page (see [`super::export`]).
pub async fn export(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let head = async {
        let (shop, customer) = target(&req, &ctx).await?;
        let command = Command::Export {
            customer: customer.to_string(),
        };
        match crate::ledger::ask(&ctx.env, &shop, &command).await? {
            Reply::Value(head) => Ok((shop, customer, serde_json::from_str(&head)?)),
            _ => Err(crate::problem::ApiError::internal("export head refused")),
        }
    }
    .await;
    match head {
        Ok((shop, customer, value)) => {
            super::export::stream(ctx.env.clone(), shop, customer, value)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn erase(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    relay_for(&req, &ctx, |customer| Command::Erase { customer }).await
}

pub async fn adjust(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(adjustment(&mut req, &ctx).await)
}

async fn adjustment(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let (shop, customer) = target(req, ctx).await?;
    let body = crate::body::json::<AdjustmentRequest>(req).await?;
    body.value.validate().map_err(ApiError::invalid)?;
    let AdjustmentRequest { id, points, reason } = body.value;
    staff_event(
        ctx,
        &shop,
        &customer,
        "adjust",
        &id,
        body.hash,
        EventKind::Adjust { points, reason },
    )
    .await
}

pub async fn stamps(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(stamp(&mut req, &ctx).await)
}

async fn stamp(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    let (shop, customer) = target(req, ctx).await?;
    let body = crate::body::json::<StampsRequest>(req).await?;
    body.value.validate().map_err(ApiError::invalid)?;
    let StampsRequest { id, count } = body.value;
    staff_event(
        ctx,
        &shop,
        &customer,
        "stamps",
        &id,
        body.hash,
        EventKind::AddStamps { count },
    )
    .await
}

/// Applies a staff action (`kind` `adjust` or `stamps`) whose body carries its own `id`: the
/// idempotency key is scoped by action and member; answers 201 with the card.
async fn staff_event(
    ctx: &RouteContext<()>,
    shop: &ShopId,
    customer: &CustomerId,
    action: &str,
    id: &str,
    body_hash: String,
    kind: EventKind,
) -> Answer {
    shared::requests::check_key(id, "id")
        .map_err(|e| crate::problem::ApiError::invalid(vec![e]))?;
    let event = Event {
        id: format!("{action}:{id}"),
        at: crate::now_unix() as i64,
        kind,
    };
    let idem = super::idem(format!("{action}:{customer}:{id}"), body_hash);
    let command = Command::Apply {
        idem,
        customer: customer.to_string(),
        event,
        shopper: false,
        fail_midway: false,
    };
    super::relay(&ctx.env, shop, &command, 201).await
}

pub async fn redeem(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let (shop, customer) = target(&req, &ctx).await?;
            redemption(&mut req, &ctx, &shop, &customer).await
        }
        .await,
    )
}

/// A redemption for `customer` (shop on their behalf, or the member at `/me/redemptions`).
pub async fn redemption(
    req: &mut Request,
    ctx: &RouteContext<()>,
    shop: &ShopId,
    customer: &CustomerId,
) -> Answer {
    let key = super::idempotency_key(req)?;
    let body = crate::body::json::<RedemptionRequest>(req).await?;
    shared::CustomerId::parse(&body.value.reward_id).map_err(|_| {
        crate::problem::ApiError::field("reward_id", "must be 1 to 64 letters, digits, '-' or '_'")
    })?;
    let idem = super::idem(format!("redeem:{customer}:{key}"), body.hash);
    let command = Command::Redeem {
        idem,
        customer: customer.to_string(),
        reward_id: body.value.reward_id,
    };
    super::relay(&ctx.env, shop, &command, 201).await
}

/// `GET /v1/shops/{shop}/members/{member_code}` (shop key): the member with that code, as
/// `GET …/customers/{customer}` shows them (the in-store console's lookup).
pub async fn by_member_code(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            let raw = ctx.param("code").map(String::as_str).unwrap_or_default();
            // The router leaves path parameters percent-encoded (`m%20abc…` for "m abc…").
            let raw =
                String::from(js_sys::decode_uri_component(raw).unwrap_or_else(|_| raw.into()));
            let code = shared::code::normalize("M", &raw).ok_or_else(|| {
                crate::problem::ApiError::not_found("no member with this member code")
            })?;
            super::relay(&ctx.env, &shop, &Command::MemberByCode { code }, 200).await
        }
        .await,
    )
}

/// `GET /v1/shops/{shop}/analytics` (shop key): the program's figures from the ledger object's
/// incremental aggregates.
pub async fn analytics(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            super::relay(&ctx.env, &shop, &Command::Analytics, 200).await
        }
        .await,
    )
}

/// `GET /v1/shops/{shop}/feedback?before=<cursor>&limit=<1..200>` (shop key): the Net Promoter
/// Score of the last 12 months, its trend, and the answers, newest first.
pub async fn feedback(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            let (before, limit) = super::page_query(&req)?;
            let command = Command::Feedback { before, limit };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}

/// `GET /v1/shops/{shop}/occasions?days=<1..60>&format=csv` (shop key): the birthdays and
/// anniversaries of the coming days (default 14), soonest first, with the members' ids and
/// codes — JSON, or CSV to download.
pub async fn occasions(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            super::ensure_demo_seeded(&ctx.env, &shop).await?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            let mut days = 14;
            let mut csv = false;
            for (name, value) in req.url()?.query_pairs() {
                match name.as_ref() {
                    "days" => {
                        days = value
                            .parse::<i64>()
                            .ok()
                            .filter(|d| (1..=60).contains(d))
                            .ok_or_else(|| ApiError::field("days", "must be between 1 and 60"))?
                    }
                    "format" => match value.as_ref() {
                        "csv" => csv = true,
                        "json" => csv = false,
                        _ => return Err(ApiError::field("format", "must be json or csv")),
                    },
                    _ => {}
                }
            }
            let command = Command::Occasions { days };
            if !csv {
                return super::relay(&ctx.env, &shop, &command, 200).await;
            }
            let Reply::Value(body) = crate::ledger::ask(&ctx.env, &shop, &command).await? else {
                return Err(ApiError::internal("the occasions came back empty"));
            };
            let list: shared::occasions::UpcomingList = serde_json::from_str(&body)?;
            let mut response = Response::ok(shared::occasions::csv(&list))?;
            let headers = response.headers_mut();
            headers.set("Content-Type", "text/csv; charset=utf-8")?;
            headers.set(
                "Content-Disposition",
                &format!("attachment; filename=\"occasions-{shop}.csv\""),
            )?;
            Ok(response)
        }
        .await,
    )
}
