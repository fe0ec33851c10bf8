//! The Punchcard Worker: the thin HTTP edge in front of the `shared` engine.
//!
//! Requests flow `router` → `auth` → (KV snapshot read | `ShopLedger` Durable Object) → response.
//! Static files (the demo storefront, the widget) are served by the assets binding before this code
//! runs; only `/v1/*` and `/openapi.json` reach it.

mod auth;
mod body;
mod commands;
mod kv;
mod ledger;
mod limits;
mod problem;
mod routes;
mod shop_cache;
mod shop_stats;

pub use ledger::ShopLedger;

use problem::ApiError;
use worker::{event, Context, Env, Method, Request, Response, Result, RouteContext, Router};

/// Binding of the KV namespace that holds read snapshots (programs, cards, shop records).
pub(crate) const KV_BINDING: &str = "SNAPSHOTS";
/// Binding of the `ShopLedger` Durable Object namespace.
pub(crate) const LEDGER_BINDING: &str = "SHOP_LEDGER";

#[event(fetch)]
async fn fetch(raw: web_sys::Request, env: Env, _ctx: Context) -> Result<web_sys::Response> {
    // The shopper's card, the hottest route, is answered before the request is wrapped (which
    // reads `cf`, headers and the URL into Rust) and before the router is built.
    if raw.method() == "GET" {
        let url = raw.url();
        if let Some(shop) = me_route(path_of(&url)) {
            let authorization = raw.headers().get("Authorization").ok().flatten();
            return routes::me::card(authorization, &env, shop).await;
        }
    }
    route(Request::from(raw), env).await.map(Into::into)
}

/// Every other request: the router.
async fn route(req: Request, env: Env) -> Result<Response> {
    let path = req.path();
    let public = routes::is_browser_facing(&path);
    if req.method() == Method::Options {
        return routes::preflight(public);
    }
    // workers-rs reads a method it does not know (QUERY, PROPFIND, …) as GET: refuse those here.
    if !KNOWN_METHODS.contains(&req.inner().method().as_str()) {
        return routes::finish(method_not_allowed(&path)?, public);
    }
    use routes::*;
    let response = Router::new()
        .get_async("/openapi.json", openapi::get)
        .get_async("/", demo_page::get)
        .post_async("/v1/shops", shops::create)
        .get_async("/v1/shops/:shop/program", program::get)
        .put_async("/v1/shops/:shop/program", program::put)
        .get_async("/v1/shops/:shop/settings", keys::get_settings)
        .put_async("/v1/shops/:shop/settings", keys::put_settings)
        .post_async("/v1/shops/:shop/keys/rotate", keys::rotate)
        .post_async("/v1/shops/:shop/events", events::post)
        .post_async("/v1/shops/:shop/events/batch", events::batch)
        .get_async("/v1/shops/:shop/customers/:customer", customers::get)
        .delete_async("/v1/shops/:shop/customers/:customer", customers::erase)
        .get_async(
            "/v1/shops/:shop/customers/:customer/export",
            customers::export,
        )
        .get_async(
            "/v1/shops/:shop/customers/:customer/history",
            customers::history,
        )
        .post_async("/v1/shops/:shop/maintenance/purge", shops::purge)
        .post_async(
            "/v1/dev/shops/:shop/legacy-accounts/:customer",
            shops::seed_legacy,
        )
        .post_async("/v1/dev/shops/:shop/daily", shops::rerun_daily)
        .post_async(
            "/v1/shops/:shop/customers/:customer/adjustments",
            customers::adjust,
        )
        .post_async(
            "/v1/shops/:shop/customers/:customer/stamps",
            customers::stamps,
        )
        .post_async(
            "/v1/shops/:shop/customers/:customer/redemptions",
            customers::redeem,
        )
        .get_async("/v1/shops/:shop/coupons/:code", coupons::get)
        .post_async("/v1/shops/:shop/coupons/:code/consume", coupons::consume)
        .get_async("/v1/shops/:shop/members/:code", customers::by_member_code)
        .get_async("/v1/shops/:shop/analytics", customers::analytics)
        .get_async("/v1/shops/:shop/feedback", customers::feedback)
        .get_async("/v1/shops/:shop/occasions", customers::occasions)
        .post_async("/v1/shops/:shop/webhooks", webhooks::create)
        .get_async("/v1/shops/:shop/webhooks", webhooks::list)
        .delete_async("/v1/shops/:shop/webhooks/:webhook", webhooks::delete)
        .get_async(
            "/v1/shops/:shop/webhooks/:webhook/deliveries",
            webhooks::deliveries,
        )
        .post_async(
            "/v1/shops/:shop/webhooks/:webhook/deliveries/:delivery/redeliver",
            webhooks::redeliver,
        )
        .get_async("/v1/shops/:shop/me", me::get)
        .post_async("/v1/shops/:shop/me/redemptions", me::redeem)
        .post_async("/v1/shops/:shop/me/birthday", me::birthday)
        .post_async("/v1/shops/:shop/me/news/read", me::read_news)
        .post_async("/v1/shops/:shop/me/feedback", me::feedback)
        .post_async("/v1/shops/:shop/me/dates", me::add_date)
        .run(req, env)
        .await;
    let response = match response {
        // The router's own 404/405 answers are plain text: give them the API's error shape.
        Ok(r) if r.status_code() == 404 && !routes::is_problem(&r) => {
            ApiError::not_found("no such route").into_response()?
        }
        Ok(r) if r.status_code() == 405 && !routes::is_problem(&r) => method_not_allowed(&path)?,
        Ok(r) => r,
        Err(e) => ApiError::from(e).into_response()?,
    };
    routes::finish(response, public)
}

/// The path of an absolute URL (what `Request::url` holds), without query or fragment.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The `:shop` of a `/v1/shops/:shop/me` path.
fn me_route(path: &str) -> Option<&str> {
    let shop = path.strip_prefix("/v1/shops/")?.strip_suffix("/me")?;
    (!shop.is_empty() && !shop.contains('/')).then_some(shop)
}

/// The methods the router knows; any other is 405 (or 404 off the routes) before routing.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// 405 `method_not_allowed` with `Allow` (RFC 9110) for a route, 404 for a path that is none.
fn method_not_allowed(path: &str) -> Result<Response> {
    let Some(allow) = shared::routes::allow(path) else {
        return ApiError::not_found("no such route").into_response();
    };
    let mut response = ApiError::new(
        shared::api::ErrorCode::MethodNotAllowed,
        format!("this route answers {allow}"),
    )
    .into_response()?;
    response.headers_mut().set("Allow", &allow)?;
    Ok(response)
}

/// Logs an internal error (the Workers console; stderr in native tests).
pub(crate) fn log_error(message: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_error!("{message}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
}

/// Unix seconds now, from the platform clock (the only clock the worker reads).
pub(crate) fn now_unix() -> u64 {
    worker::Date::now().as_millis() / 1000
}

/// The `{name}` path parameter, already matched by the router.
pub(crate) fn param<'a, D>(
    ctx: &'a RouteContext<D>,
    name: &str,
) -> std::result::Result<&'a str, ApiError> {
    ctx.param(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::not_found("no such route"))
}
