//! The only module that does HTTP: the API with the shop's secret key.

use crate::session::Session;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::api::{Analytics, FeedbackReport, Problem, ShopCustomerView};
use shared::occasions::UpcomingList;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Network,
    /// Wrong shop id or secret key (401/403).
    Unauthorized,
    Problem(Problem),
}

impl ApiError {
    /// A sentence for the owner, in their language (a problem's own detail is the API's).
    pub fn message(&self) -> String {
        let texts = crate::i18n::i18n();
        match self {
            ApiError::Network => texts.t("api_network"),
            ApiError::Unauthorized => texts.t("api_unauthorized"),
            ApiError::Problem(p) if p.errors.is_empty() => p.detail.clone(),
            ApiError::Problem(p) => texts.plural("api_fields_to_fix", p.errors.len() as i64, &[]),
        }
    }

    /// Field errors of a 422, `(field, message)`.
    pub fn fields(&self) -> Vec<(String, String)> {
        match self {
            ApiError::Problem(p) => p
                .errors
                .iter()
                .map(|e| (e.field.clone(), e.message.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn url(s: &Session, path: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/v1/shops/{}/{path}", s.shop)
}

/// Sends one request; a 2xx body as JSON (`Value::Null` for 204).
pub async fn send(
    s: &Session,
    method: &str,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Result<Value, ApiError> {
    let (status, text) = fetch(s, method, path, body, idempotency_key).await?;
    match status {
        204 => Ok(Value::Null),
        _ => serde_json::from_str(&text).map_err(|_| ApiError::Network),
    }
}

/// A `GET` whose 2xx body is text (a CSV download).
pub async fn text(s: &Session, path: &str) -> Result<String, ApiError> {
    Ok(fetch(s, "GET", path, None, None).await?.1)
}

/// Sends one request; a 2xx answer's status and body text, or the error.
async fn fetch(
    s: &Session,
    method: &str,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(&body.to_string()));
    }
    let request =
        Request::new_with_str_and_init(&url(s, path), &init).map_err(|_| ApiError::Network)?;
    let headers = request.headers();
    let _ = headers.set("Authorization", &format!("Bearer {}", s.key));
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
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    match response.status() {
        status @ 200..=299 => Ok((status, text)),
        401 | 403 => Err(ApiError::Unauthorized),
        _ => {
            Err(serde_json::from_str::<Problem>(&text).map_or(ApiError::Network, ApiError::Problem))
        }
    }
}

/// `send` with the answer parsed as `T`.
pub async fn get<T: DeserializeOwned>(s: &Session, path: &str) -> Result<T, ApiError> {
    let value = send(s, "GET", path, None, None).await?;
    serde_json::from_value(value).map_err(|_| ApiError::Network)
}

/// The program as stored (JSON, edited field by field by the program page).
pub async fn program(s: &Session) -> Result<Value, ApiError> {
    send(s, "GET", "program", None, None).await
}

/// Replaces the program; a 422 carries one error per field.
pub async fn put_program(s: &Session, program: &Value) -> Result<Value, ApiError> {
    send(s, "PUT", "program", Some(program), None).await
}

/// The shop's analytics.
pub async fn analytics(s: &Session) -> Result<Analytics, ApiError> {
    get(s, "analytics").await
}

/// Birthdays and anniversaries of the next `days` days.
pub async fn occasions(s: &Session, days: u32) -> Result<UpcomingList, ApiError> {
    get(s, &format!("occasions?days={days}")).await
}

/// The NPS report with a page of answers older than `before`.
pub async fn feedback(s: &Session, before: Option<u64>) -> Result<FeedbackReport, ApiError> {
    match before {
        Some(cursor) => get(s, &format!("feedback?before={cursor}")).await,
        None => get(s, "feedback").await,
    }
}

/// A member by customer id, or by member code when `query` reads as one (`M-…`).
pub async fn find_member(s: &Session, query: &str) -> Result<ShopCustomerView, ApiError> {
    let query = query.trim();
    match shared::code::normalize("M", query) {
        Some(code) => get(s, &format!("members/{code}")).await,
        None => get(s, &format!("customers/{}", encode(query))).await,
    }
}

/// Percent-encodes a path segment.
pub fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
