//! Loading and error states. Errors always offer something to do.

use super::i18n;
use crate::api::ApiError;
use leptos::prelude::*;

/// Shown while the card loads (before the catalog is there, so no words: a busy placeholder).
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="pc-loading" data-testid="loading" aria-busy="true">
            <span class="pc-loading__bar"></span>
            <span class="pc-loading__bar"></span>
        </div>
    }
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

/// An error the shopper can act on, with a retry button.
#[component]
pub fn ErrorBox(
    /// What went wrong.
    error: ApiError,
    /// Called when the shopper asks to try again.
    retry: Callback<()>,
) -> impl IntoView {
    let i18n = i18n();
    let message = match (&error, i18n.t(error_key(&error))) {
        // A catalog could not be loaded at all: English, the one place words are in code.
        (_, key) if key.starts_with("error_") => {
            "We could not load your card. Check your connection.".to_owned()
        }
        (_, text) => text,
    };
    let retry_label = match i18n.t("retry") {
        label if label == "retry" => "Try again".to_owned(),
        label => label,
    };
    view! {
        <div class="pc-error" role="alert" data-testid="error">
            <p>{message}</p>
            <button type="button" class="pc-button" data-testid="retry" on:click=move |_| retry.run(())>
                {retry_label}
            </button>
        </div>
    }
}
