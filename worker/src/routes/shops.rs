//! `POST /v1/shops` (admin): create a shop and return its secret key once.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::api::{FieldError, PurgeRequest, MAX_PURGE_AGE_SECONDS};
use shared::requests::CreateShop;
use shared::ShopId;
use worker::{Request, Response, Result, RouteContext};

pub async fn create(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(handle(&mut req, &ctx).await)
}

async fn handle(req: &mut Request, ctx: &RouteContext<()>) -> Answer {
    crate::auth::admin(req, &ctx.env)?;
    let body: CreateShop = crate::body::json(req).await?.value;
    let mut errors = Vec::new();
    let shop = ShopId::parse(&body.shop_id)
        .map_err(|e| {
            errors.push(FieldError {
                field: "shop_id".into(),
                message: e.to_string(),
            })
        })
        .ok();
    if body.name.trim().is_empty() || body.name.chars().count() > 100 {
        errors.push(FieldError {
            field: "name".into(),
            message: "must be 1 to 100 characters".into(),
        });
    }
    let Some(shop) = shop.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let command = Command::CreateShop {
        shop_id: shop.to_string(),
        name: body.name.trim().to_owned(),
        secret_key: new_secret_key()?,
    };
    super::relay(&ctx.env, &shop, &command, 201).await
}

/// A fresh secret key: `sk_live_` and 24 random bytes in hex.
pub fn new_secret_key() -> std::result::Result<String, ApiError> {
    Ok(format!(
        "sk_live_{}",
        shared::token::hex(&crate::ledger::random_bytes()?[..24])
    ))
}

/// `POST /v1/shops/{shop}/maintenance/purge` (admin) `{"older_than_seconds": n}`: deletes the
/// shop's idempotency records older than `n` seconds now (the object's alarm does this daily for
/// records older than 90 days). Answers `{"purged": count}`; at most 10,000 a call.
pub async fn purge(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            crate::auth::admin(&req, &ctx.env)?;
            let shop = super::shop_param(&ctx)?;
            let body: PurgeRequest = crate::body::json(&mut req).await?.value;
            if !(0..=MAX_PURGE_AGE_SECONDS).contains(&body.older_than_seconds) {
                return Err(ApiError::field(
                    "older_than_seconds",
                    format!("must be between 0 and {MAX_PURGE_AGE_SECONDS} (ten years)"),
                ));
            }
            crate::auth::repair_shop_record(&ctx.env, &shop).await?;
            let command = Command::Purge {
                older_than_seconds: body.older_than_seconds,
            };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}

/// The `:shop` of a dev-only route: the route exists only where `PUNCHCARD_DEMO` is `seed` (local
/// dev and the tests), and only for the platform admin.
fn dev_shop(req: &Request, ctx: &RouteContext<()>) -> std::result::Result<ShopId, ApiError> {
    if !super::demo_enabled(&ctx.env) {
        return Err(ApiError::not_found("no such route"));
    }
    crate::auth::admin(req, &ctx.env)?;
    super::shop_param(ctx)
}

/// `POST /v1/dev/shops/{shop}/daily` (admin; only where `PUNCHCARD_DEMO` is `seed`): runs the
/// shop's daily jobs again now (birthday points and `birthday.upcoming` notices), so the tests
/// need not wait for midnight.
pub async fn rerun_daily(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = dev_shop(&req, &ctx)?;
            super::relay(&ctx.env, &shop, &Command::RerunDaily, 200).await
        }
        .await,
    )
}

/// `POST /v1/dev/shops/{shop}/legacy-accounts/{customer}` (admin; only where `PUNCHCARD_DEMO` is
/// `seed`, i.e. local dev and the tests): stores the body as that member's document in the first
/// storage version's one-document shape, so its migration can be exercised end to end.
pub async fn seed_legacy(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = dev_shop(&req, &ctx)?;
            let customer = super::customer_param(&ctx)?;
            let document = req.text().await?;
            serde_json::from_str::<shared::ledger::legacy::LegacyAccount>(&document)
                .map_err(|e| ApiError::field("body", format!("not a version-1 account: {e}")))?;
            let command = Command::SeedLegacy {
                customer: customer.to_string(),
                document,
            };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}
