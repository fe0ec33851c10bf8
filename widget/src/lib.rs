//! The shopper's loyalty card, a Leptos CSR app.
//!
//! `loader/widget.js` (plain JS, loaded by the shop's script tag) creates the Shadow DOM root and
//! calls [`mount`]. Everything the card shows comes from the API (`api.rs`); no business rule is
//! computed here.

pub mod api;
pub mod app;
pub mod i18n;
pub mod views;

use wasm_bindgen::prelude::*;

/// What the loader read from the script tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Origin of the worker, e.g. `https://punchcard.example` (no trailing slash).
    pub api_base: String,
    pub shop: String,
    /// The shopper's customer token, absent for guests.
    pub token: Option<String>,
    pub locale: String,
}

/// Mounts the widget into `target` (an element inside the loader's shadow root).
#[wasm_bindgen]
pub fn mount(
    target: web_sys::HtmlElement,
    api_base: String,
    shop: String,
    token: Option<String>,
    locale: String,
) {
    let config = WidgetConfig {
        api_base: api_base.trim_end_matches('/').to_owned(),
        shop,
        token: token.filter(|t| !t.is_empty()),
        locale,
    };
    leptos::mount::mount_to(target, move || app::App(app::AppProps { config })).forget();
}
