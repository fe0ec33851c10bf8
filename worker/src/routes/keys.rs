//! `POST /v1/shops/{shop}/keys/rotate` (the shop's current key): a new secret key, the old one
//! kept for a grace period; `GET`/`PUT /v1/shops/{shop}/settings` (shop key): the longest a
//! customer token may be valid.

use crate::commands::Command;
use crate::problem::ApiError;
use shared::requests::{RotateKey, ShopSettings};
use worker::{Request, Response, Result, RouteContext};

pub async fn rotate(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            crate::auth::shop_current_key(&req, &ctx.env, &shop).await?;
            // An empty body takes the default grace period.
            let body: RotateKey = match crate::body::optional_json(&mut req).await? {
                Some(body) => body.value,
                None => RotateKey::default(),
            };
            let grace = body.grace().map_err(ApiError::invalid)?;
            let command = Command::RotateKey {
                secret_key: super::shops::new_secret_key()?,
                previous_until: (crate::now_unix() + grace) as i64,
            };
            super::relay(&ctx.env, &shop, &command, 200).await
        }
        .await,
    )
}

pub async fn get_settings(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            let record = crate::auth::shop(&req, &ctx.env, &shop).await?;
            let settings = ShopSettings {
                token_max_lifetime_seconds: record.token_max_lifetime,
                members_may_rejoin: record.members_may_rejoin,
            };
            super::json(200, &settings)
        }
        .await,
    )
}

pub async fn put_settings(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    crate::problem::respond(
        async {
            let shop = super::shop_param(&ctx)?;
            crate::auth::shop(&req, &ctx.env, &shop).await?;
            let settings: ShopSettings = crate::body::json(&mut req).await?.value;
            settings.validate().map_err(ApiError::invalid)?;
            super::relay(&ctx.env, &shop, &Command::PutSettings { settings }, 200).await
        }
        .await,
    )
}
