//! Loading and error states. Errors always offer something to do.

use crate::api::ApiError;
use crate::i18n::{en, Msg};
use leptos::prelude::*;

/// Shown while the card loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="pc-status" data-testid="loading">{en(Msg::Loading)}</p> }
}

/// An error the shopper can act on, with a retry button.
#[component]
pub fn ErrorBox(
    /// What went wrong.
    error: ApiError,
    /// Called when the shopper asks to try again.
    retry: Callback<()>,
) -> impl IntoView {
    let message = match &error {
        ApiError::Network => en(Msg::NetworkError).to_owned(),
        ApiError::Unauthorized => en(Msg::SignedOut).to_owned(),
        ApiError::Problem(p) if p.code == "not_found" => en(Msg::NoCardYet).to_owned(),
        ApiError::Problem(p) => p.detail.clone(),
    };
    view! {
        <div class="pc-error" role="alert" data-testid="error">
            <p>{message}</p>
            <button type="button" class="pc-button" on:click=move |_| retry.run(())>
                {en(Msg::Retry)}
            </button>
        </div>
    }
}
