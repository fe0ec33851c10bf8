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

use crate::api::ApiError;
use crate::dom::{alert_in, current, el, El};
use crate::i18n::I18n;
use crate::reactive::*;
use shared::api::Card;
use std::future::Future;

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

/// A member's form of `class` and `testid`: on submit, `send` reads the form's controls and makes
/// the request (`None`: nothing to send yet); the new card it answers goes to `done`, a refusal
/// into the form's alert line.
pub fn member_form<F>(
    class: &str,
    testid: &str,
    send: impl Fn(&web_sys::Element) -> Option<F> + 'static,
    done: impl Fn(Card) + Clone + 'static,
) -> El
where
    F: Future<Output = Result<Card, ApiError>> + 'static,
{
    let words = i18n();
    el("form")
        .class(class)
        .testid(testid)
        .on("submit", move |event| {
            event.prevent_default();
            let Some(form) = current(&event) else { return };
            let Some(request) = send(&form) else { return };
            let (words, done) = (words.clone(), done.clone());
            spawn_local(async move {
                match request.await {
                    Ok(card) => done(card),
                    Err(e) => alert_in(&form, &words.t(status::error_key(&e))),
                }
            });
        })
}
