//! `POST /v1/shops` (admin): create a shop and return its secret key once.

use super::Answer;
use crate::commands::Command;
use crate::problem::ApiError;
use shared::api::FieldError;
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
    let secret_key = format!(
        "sk_live_{}",
        shared::token::hex(&crate::shop_ledger::random_bytes()?[..24])
    );
    let command = Command::CreateShop {
        shop_id: shop.to_string(),
        name: body.name.trim().to_owned(),
        secret_key,
    };
    super::relay(&ctx.env, &shop, &command).await
}
