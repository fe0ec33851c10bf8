//! The root component: loads the card (member) or the program (guest) and picks the view.

use crate::api::{self, ApiError};
use crate::views::{card::CardView, status::ErrorBox, status::Loading, teaser::Teaser};
use crate::WidgetConfig;
use leptos::prelude::*;
use shared::api::Card;
use shared::program::Program;

/// What the widget shows once loaded.
#[derive(Debug, Clone)]
pub enum Loaded {
    Member(Card),
    Guest(Program),
}

async fn load(config: WidgetConfig) -> Result<Loaded, ApiError> {
    match &config.token {
        Some(token) => api::me(&config, token).await.map(Loaded::Member),
        None => api::program(&config).await.map(Loaded::Guest),
    }
}

/// The widget: a card for members, the program's teaser for guests, an actionable error otherwise.
#[component]
pub fn App(
    /// Read from the script tag by the loader.
    config: WidgetConfig,
) -> impl IntoView {
    let data = LocalResource::new(move || load(config.clone()));
    let retry = Callback::new(move |_| data.refetch());
    view! {
        <section class="pc-widget" data-testid="punchcard" aria-live="polite">
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Ok(Loaded::Member(card))) => view! { <CardView card /> }.into_any(),
                Some(Ok(Loaded::Guest(program))) => view! { <Teaser program /> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error retry /> }.into_any(),
            }}
        </section>
    }
}
