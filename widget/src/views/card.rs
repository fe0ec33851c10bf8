//! The member's card: points and the stamp card.

use crate::i18n::{en, Msg};
use leptos::prelude::*;
use shared::api::{Card, CardStamps};

/// A member's loyalty card.
#[component]
pub fn CardView(
    /// The card exactly as the API returned it.
    card: Card,
) -> impl IntoView {
    view! {
        <div class="pc-card" data-testid="card">
            <p class="pc-points">
                <span class="pc-points__value" data-testid="points">{card.points}</span>
                " "
                <span class="pc-points__label">{en(Msg::Points)}</span>
            </p>
            {card.stamps.map(|stamps| view! { <StampCard stamps /> })}
        </div>
    }
}

/// The stamp card drawn as `goal` slots, the filled ones marked.
#[component]
pub fn StampCard(
    /// Filled slots and the goal.
    stamps: CardStamps,
) -> impl IntoView {
    let label = format!(
        "{}: {} / {}",
        en(Msg::StampCard),
        stamps.filled,
        stamps.goal
    );
    view! {
        <div class="pc-stamps" data-testid="stamps" role="img" aria-label=label>
            {(0..stamps.goal)
                .map(|slot| {
                    let class = if slot < stamps.filled { "pc-slot pc-slot--filled" } else { "pc-slot" };
                    view! { <span class=class></span> }
                })
                .collect_view()}
        </div>
    }
}
