//! `GET /`: the demo storefront page (`www/index.html`, a static asset). In local dev
//! (`PUNCHCARD_DEMO=seed`) its `{{demo-token}}` placeholder becomes a customer token for `c42`
//! signed now with the demo shop's documented key, so the page never carries a long-lived token;
//! elsewhere the asset is served as it is.

use worker::{Request, Response, Result, RouteContext};

/// The placeholder in `www/index.html`.
const PLACEHOLDER: &str = "{{demo-token}}";
/// How long the page's token is valid: half the default maximum, so a tab left open all day
/// still works after a reload.
const LIFETIME: u64 = 12 * 3_600;

pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let asset = ctx
        .env
        .assets("ASSETS")?
        .fetch(req.url()?.to_string(), None)
        .await?;
    if !super::demo_enabled(&ctx.env) || asset.status_code() != 200 {
        return Ok(asset);
    }
    let mut asset = asset;
    let html = asset.text().await?;
    let shop = shared::ShopId::parse(shared::demo::SHOP_ID).expect("the demo shop id is valid");
    let customer = shared::CustomerId::parse("c42").expect("the demo member id is valid");
    let token = shared::token::sign(
        shared::demo::SECRET_KEY,
        &shop,
        &customer,
        crate::now_unix() + LIFETIME,
    );
    let mut page = Response::ok(html.replace(PLACEHOLDER, &token))?;
    let headers = page.headers_mut();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(page)
}
