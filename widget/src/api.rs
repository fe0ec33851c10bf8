//! The only module that does HTTP: a typed client for the worker's API, over the browser's `fetch`.

use crate::WidgetConfig;
use serde::de::DeserializeOwned;
use shared::api::{Card, Problem};
use shared::program::Program;
use wasm_bindgen::JsCast;
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

/// The shopper's card (`GET /v1/shops/{shop}/me`).
pub async fn me(config: &WidgetConfig, token: &str) -> Result<Card, ApiError> {
    get(config, "me", Some(token)).await
}

/// The program as the teaser shows it (`GET /v1/shops/{shop}/program`).
pub async fn program(config: &WidgetConfig) -> Result<Program, ApiError> {
    get(config, "program", None).await
}

async fn get<T: DeserializeOwned>(
    config: &WidgetConfig,
    resource: &str,
    token: Option<&str>,
) -> Result<T, ApiError> {
    let url = format!("{}/v1/shops/{}/{}", config.api_base, config.shop, resource);
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(&url, &init).map_err(|_| ApiError::Network)?;
    if let Some(token) = token {
        let _ = request
            .headers()
            .set("Authorization", &format!("Bearer {token}"));
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
    if response.ok() {
        return serde_json::from_str(&text).map_err(|_| ApiError::Network);
    }
    if response.status() == 401 {
        return Err(ApiError::Unauthorized);
    }
    match serde_json::from_str::<Problem>(&text) {
        Ok(problem) => Err(ApiError::Problem(problem)),
        Err(_) => Err(ApiError::Network),
    }
}
