//! One module per console page.

pub mod analytics;
pub mod install;
pub mod keys;
pub mod members;
pub mod program;
pub mod store;
pub mod webhooks;

use leptos::prelude::*;
use shared::api::ShopCustomerView;

/// A member's card as staff see it: points, tier, stamps, coupons.
#[component]
pub fn MemberCard(member: ShopCustomerView) -> impl IntoView {
    let card = member.card;
    let stamps = card.stamps.clone().map(|s| {
        view! {
            <p data-testid="member-stamps">
                <span class="stamps" role="img" aria-label=format!("{} of {} stamps", s.filled, s.goal)>
                    {(0..s.goal).map(|i| view! { <span class=if i < s.filled { "slot slot--on" } else { "slot" }></span> }).collect_view()}
                </span>
                " " {format!("{} / {}", s.filled, s.goal)}
            </p>
        }
    });
    view! {
        <section class="card member" data-testid="member">
            <h3>{card.customer_id.clone()} " " <code data-testid="member-code">{card.member_code.clone()}</code></h3>
            <p class="big"><span data-testid="member-points">{card.points}</span> " points"
                {(card.pending_points > 0).then(|| format!(" (+{} pending)", card.pending_points))}</p>
            {card.tier.clone().map(|t| view! { <p>"Tier: " <strong>{t.name}</strong></p> })}
            {stamps}
            {(!card.coupons.is_empty()).then(|| view! {
                <p>"Active coupons: " {card.coupons.iter().map(|c| c.code.clone()).collect::<Vec<_>>().join(", ")}</p>
            })}
            {(member.debt_points > 0).then(|| view! { <p class="alert">{format!("Refund debt: {} points", member.debt_points)}</p> })}
        </section>
    }
}
