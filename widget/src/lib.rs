//! The shopper's loyalty card, a client-side app on Leptos's reactive system (`reactive_graph`,
//! see [`reactive`]): its signals and render effects drive views built with the small DOM builder
//! in [`dom`].
//!
//! `loader/widget.js` (plain JS, loaded by the shop's script tag) paints the launcher, creates the
//! Shadow DOM root and, when the card is opened (or on idle after the page's `load`), loads this
//! module and calls [`mount`]; `Punchcard.identify(token)` / `logout()` reach [`identify`].
//! Everything the card shows comes from the API (`api.rs`); no business rule is computed here.

pub mod api;
pub mod app;
pub mod decode;
pub mod dom;
pub mod i18n;
pub mod qr;
pub mod reactive;
pub mod views;

use crate::reactive::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// What the loader read from the script tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Origin of the worker, e.g. `https://punchcard.example` (no trailing slash).
    pub api_base: String,
    pub shop: String,
    /// The shopper's customer token, absent for guests.
    pub token: Option<String>,
    /// One of [`i18n::LOCALES`], resolved by the loader.
    pub locale: String,
}

thread_local! {
    /// The mounted app's token setter, for [`identify`].
    static TOKEN: RefCell<Option<WriteSignal<Option<String>>>> = const { RefCell::new(None) };
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
    // Leptos's reactive system driven by wasm-bindgen-futures, under one root owner that lives
    // as long as the page (what `leptos::mount::mount_to` does, without tachys's view tree).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| {
        let (token, set_token) = signal(config.token.clone());
        TOKEN.with(|t| *t.borrow_mut() = Some(set_token));
        let _ = target.append_child(&app::app(config, token).0);
    });
    std::mem::forget(owner);
}

/// Switches the shopper without a page reload (`None`: signed out, the guest view).
#[wasm_bindgen]
pub fn identify(token: Option<String>) {
    let token = token.filter(|t| !t.is_empty());
    TOKEN.with(|t| {
        if let Some(set) = *t.borrow() {
            set.set(token);
        }
    });
}
