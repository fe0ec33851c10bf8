//! Loading and error states. Errors always offer something to do.

use super::i18n;
use crate::api::ApiError;
use crate::dom::{el, El};

/// Shown while the card loads (before the catalog is there, so no words: a busy placeholder).
pub fn loading() -> El {
    el("div")
        .class("pc-loading")
        .testid("loading")
        .attr("aria-busy", "true")
        .child(el("span").class("pc-loading__bar"))
        .child(el("span").class("pc-loading__bar"))
}

/// The catalog key of the message for `error`.
pub fn error_key(error: &ApiError) -> &'static str {
    match error {
        ApiError::Network => "error_network",
        ApiError::Unauthorized => "error_signed_out",
        ApiError::Problem(p) => match p.code.as_str() {
            "insufficient_points" => "error_not_enough",
            "rate_limited" => "error_rate_limited",
            "not_found" | "member_erased" => "error_no_card",
            "birthday_already_set" => "birthday_already",
            _ => "error_generic",
        },
    }
}

/// The shopper's words for `error`.
pub fn error_text(error: &ApiError) -> String {
    i18n().t(error_key(error))
}

/// An error the shopper can act on, with a retry button that calls `retry`.
pub fn error_box(error: &ApiError, retry: impl Fn() + 'static) -> El {
    let i18n = i18n();
    let message = match i18n.t(error_key(error)) {
        // A catalog could not be loaded at all: English, the one place words are in code.
        key if key.starts_with("error_") => {
            "We could not load your card. Check your connection.".to_owned()
        }
        text => text,
    };
    let retry_label = match i18n.t("retry") {
        label if label == "retry" => "Try again".to_owned(),
        label => label,
    };
    el("div")
        .class("pc-error")
        .attr("role", "alert")
        .testid("error")
        .child(el("p").child(message))
        .child(
            el("button")
                .attr("type", "button")
                .class("pc-button")
                .testid("retry")
                .on("click", move |_| retry())
                .child(retry_label),
        )
}

/// A paragraph of `class` with `text`, the views' most common line.
pub fn line(class: &str, testid: Option<&str>, text: impl crate::dom::Child) -> El {
    el("p").class(class).testid_if(testid).child(text)
}
