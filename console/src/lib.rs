//! The merchant console, a Leptos CSR app served at `/console`.
//!
//! It talks only to the public API (`api.rs`) with the shop's secret key, which lives in
//! `sessionStorage` (gone when the tab closes, never in a URL). Pages: program editor with a live
//! preview of the real widget, install snippets, members, in-store mode, analytics.

pub mod api;
pub mod app;
pub mod charts;
pub mod form;
pub mod i18n;
pub mod pages;
pub mod session;

use wasm_bindgen::prelude::*;

/// Mounts the console into `target`.
#[wasm_bindgen]
pub fn mount(target: web_sys::HtmlElement) {
    leptos::mount::mount_to(target, app::App).forget();
}

/// A fresh random id for idempotency keys and event ids (not a secret).
pub fn random_id(prefix: &str) -> String {
    let part = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("{prefix}-{:08x}{:08x}", part(), part())
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
