//! The widget's views, one small part of the card per file, built with `crate::dom`.

pub mod birthday;
pub mod card;
pub mod dates;
pub mod feedback;
pub mod history;
pub mod member;
pub mod news;
pub mod rewards;
pub mod status;
pub mod teaser;

use crate::dom::{el, El};
use crate::i18n::I18n;
use leptos::prelude::*;

/// Whether `[starts_at, ends_at)` (RFC 3339, UTC) holds the shopper's clock now: a card may have
/// been computed a while ago, so what runs is judged here.
pub fn runs_now(starts_at: &str, ends_at: &str) -> bool {
    let now = String::from(js_sys::Date::new_0().to_iso_string());
    let now = now.get(..19).unwrap_or(&now);
    let passed = |t: &str| t.get(..19).unwrap_or(t) <= now;
    passed(starts_at) && !passed(ends_at)
}

/// The catalog and formats of the shopper's locale (provided by `App`).
pub fn i18n() -> I18n {
    expect_context::<I18n>()
}

/// A section's heading.
pub fn heading(text: String) -> El {
    el("h3").class("pc-h").child(text)
}
