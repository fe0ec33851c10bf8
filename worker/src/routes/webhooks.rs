//! `…/webhooks` (shop key): register, list and remove the shop's webhook endpoints, read each
//! one's delivery log and send a delivery again. Delivery itself is the ledger object's alarm
//! (`ledger/webhooks.rs`).

use crate::commands::Command;
use crate::problem::ApiError;
use shared::webhooks::WebhookRequest;
use shared::ShopId;
use worker::{Request, Response, Result, RouteContext};

/// The shop, once its key was checked.
async fn shop(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<ShopId, ApiError> {
    let shop = super::shop_param(ctx)?;
    crate::auth::shop(req, &ctx.env, &shop).await?;
    Ok(shop)
}

/// The `:name` parameter when it has the shape of ids starting with `prefix` (else 404).
fn id_param(
    ctx: &RouteContext<()>,
    name: &str,
    prefix: &str,
    hex: usize,
) -> std::result::Result<String, ApiError> {
    let raw = crate::param(ctx, name)?;
    let ok = raw
        .strip_prefix(prefix)
        .is_some_and(|h| h.len() == hex && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if !ok {
        return Err(ApiError::not_found(format!(
            "no {name} '{}'",
            raw.escape_default()
        )));
    }
    Ok(raw.to_owned())
}

pub async fn create(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = shop(&req, &ctx).await?;
            let request: WebhookRequest = crate::body::json(&mut req).await?.value;
            // Plain-HTTP loopback receivers only where the tests and local dev run.
            request
                .validate(super::demo_enabled(&ctx.env))
                .map_err(ApiError::invalid)?;
            super::relay(&ctx.env, &shop, &Command::CreateWebhook { request }, 201).await
        }
        .await,
    )
}

pub async fn list(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = shop(&req, &ctx).await?;
            super::relay(&ctx.env, &shop, &Command::ListWebhooks, 200).await
        }
        .await,
    )
}

pub async fn delete(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = shop(&req, &ctx).await?;
            let id = id_param(&ctx, "webhook", "wh_", 16)?;
            super::relay(&ctx.env, &shop, &Command::DeleteWebhook { id }, 200).await
        }
        .await,
    )
}

pub async fn deliveries(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = shop(&req, &ctx).await?;
            let webhook = id_param(&ctx, "webhook", "wh_", 16)?;
            super::relay(&ctx.env, &shop, &Command::Deliveries { webhook }, 200).await
        }
        .await,
    )
}

pub async fn redeliver(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = shop(&req, &ctx).await?;
            let webhook = id_param(&ctx, "webhook", "wh_", 16)?;
            let delivery = id_param(&ctx, "delivery", "evt_", 24)?;
            super::relay(
                &ctx.env,
                &shop,
                &Command::Redeliver { webhook, delivery },
                200,
            )
            .await
        }
        .await,
    )
}
