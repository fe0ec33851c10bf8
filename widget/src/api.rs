//! The only module that does HTTP: a typed client for the worker's API, over the browser's `fetch`.

use crate::decode;
use crate::i18n::Catalog;
use crate::WidgetConfig;
use shared::api::{Card, Problem, RedemptionResponse};
use shared::program::Program;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Why a call failed, in terms the shopper can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The network or the server could not be reached.
    Network,
    /// The token is missing, expired or invalid (401): the storefront must log in again.
    Unauthorized,
    /// Any other problem the API reported.
    Problem(Problem),
}

impl ApiError {
    /// The problem's stable code, if the API sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Problem(p) => Some(&p.code),
            _ => None,
        }
    }
}

/// The shopper's card (`GET /v1/shops/{shop}/me`).
pub async fn me(config: &WidgetConfig, token: &str) -> Result<Card, ApiError> {
    let json = fetch_json("GET", &shop_url(config, "me"), Some(token), None, None).await?;
    decode::card(json).ok_or(ApiError::Network)
}

/// The program as the widget shows it (`GET /v1/shops/{shop}/program`).
pub async fn program(config: &WidgetConfig) -> Result<Program, ApiError> {
    let json = fetch_json("GET", &shop_url(config, "program"), None, None, None).await?;
    decode::program(json).ok_or(ApiError::Network)
}

/// Redeems `reward_id` (`POST …/me/redemptions`); `key` makes retries of one confirmation safe.
/// Also answers the coupon exactly as the API sent it, for the storefront's event.
pub async fn redeem(
    config: &WidgetConfig,
    token: &str,
    reward_id: &str,
    key: &str,
) -> Result<(RedemptionResponse, JsValue), ApiError> {
    let body = json_object(&[("reward_id", reward_id)]);
    let url = shop_url(config, "me/redemptions");
    let raw = fetch_json("POST", &url, Some(token), Some(&body), Some(key)).await?;
    let coupon = js_sys::Reflect::get(&raw, &JsValue::from_str("coupon")).unwrap_or(JsValue::NULL);
    Ok((decode::redemption(raw).ok_or(ApiError::Network)?, coupon))
}

/// Tells the shop the member's birthday, `MM-DD` (`POST …/me/birthday`); answers the new card.
pub async fn set_birthday(
    config: &WidgetConfig,
    token: &str,
    date: &str,
) -> Result<Card, ApiError> {
    let body = json_object(&[("date", date)]);
    let url = shop_url(config, "me/birthday");
    let json = fetch_json("POST", &url, Some(token), Some(&body), None).await?;
    decode::card(json).ok_or(ApiError::Network)
}

/// Answers the card's feedback question (`POST …/me/feedback`); answers the new card.
pub async fn answer_feedback(
    config: &WidgetConfig,
    token: &str,
    question: u32,
    score: u8,
    comment: &str,
) -> Result<Card, ApiError> {
    let object = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(k), &v);
    };
    set("question", JsValue::from(question));
    set("score", JsValue::from(score));
    if !comment.trim().is_empty() {
        set("comment", JsValue::from_str(comment));
    }
    let body = js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default();
    let url = shop_url(config, "me/feedback");
    let json = fetch_json("POST", &url, Some(token), Some(&body), None).await?;
    decode::card(json).ok_or(ApiError::Network)
}

/// Adds a date the member wants celebrated (`POST …/me/dates`); answers the new card.
pub async fn add_date(
    config: &WidgetConfig,
    token: &str,
    label: &str,
    date: &str,
) -> Result<Card, ApiError> {
    let body = json_object(&[("label", label), ("date", date)]);
    let url = shop_url(config, "me/dates");
    let json = fetch_json("POST", &url, Some(token), Some(&body), None).await?;
    decode::card(json).ok_or(ApiError::Network)
}

/// Marks news read (`POST …/me/news/read`); answers the new card.
pub async fn read_news(
    config: &WidgetConfig,
    token: &str,
    ids: &[String],
) -> Result<Card, ApiError> {
    let list: js_sys::Array = ids.iter().map(|id| JsValue::from_str(id)).collect();
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &JsValue::from_str("ids"), &list);
    let body = js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default();
    let url = shop_url(config, "me/news/read");
    let json = fetch_json("POST", &url, Some(token), Some(&body), None).await?;
    decode::card(json).ok_or(ApiError::Network)
}

/// `{"k": "v", …}` as JSON text, escaped by the browser's `JSON.stringify`.
fn json_object(pairs: &[(&str, &str)]) -> String {
    let object = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default()
}

/// The message catalog of `locale` (`/widget/locales/<locale>.json`, a static asset).
pub async fn catalog(config: &WidgetConfig, locale: &str) -> Result<Catalog, ApiError> {
    let url = format!("{}/widget/locales/{locale}.json", config.api_base);
    let json = fetch_json("GET", &url, None, None, None).await?;
    crate::i18n::catalog_from_js(&json).ok_or(ApiError::Network)
}

fn shop_url(config: &WidgetConfig, resource: &str) -> String {
    format!("{}/v1/shops/{}/{}", config.api_base, config.shop, resource)
}

/// Sends the request; a 2xx body parsed by the browser's `JSON.parse`, or the error.
async fn fetch_json(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<JsValue, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| ApiError::Network)?;
    let headers = request.headers();
    if let Some(token) = token {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    if body.is_some() {
        let _ = headers.set("Content-Type", "application/json");
    }
    if let Some(key) = idempotency_key {
        let _ = headers.set("Idempotency-Key", key);
    }
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    let json = JsFuture::from(response.json().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(json);
    }
    if response.status() == 401 {
        return Err(ApiError::Unauthorized);
    }
    Err(decode::problem(json).map_or(ApiError::Network, ApiError::Problem))
}
