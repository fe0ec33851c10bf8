//! The top of a member's card: points (spendable, pending, what they are worth), the tier badge
//! with progress to the next tier, and the stamp card.

use super::i18n;
use leptos::prelude::*;
use shared::api::{Card, CardStamps, CardTier};

/// Points, their worth and pending points.
#[component]
pub fn Points(
    /// The card as the API returned it.
    card: Card,
) -> impl IntoView {
    let i18n = i18n();
    let unit = i18n.plural("points_unit", card.points, &[]);
    let worth = card.points_worth_minor.filter(|w| *w > 0).map(|w| {
        i18n.fill(
            "points_worth",
            &[("amount", &i18n.money(w, &card.currency))],
        )
    });
    let pending =
        (card.pending_points > 0).then(|| i18n.plural("points_pending", card.pending_points, &[]));
    let expiring = card.points_expiring.as_ref().map(|e| {
        let points = i18n.plural("points_n", e.points, &[]);
        i18n.fill(
            "points_expire_on",
            &[("points", &points), ("date", &i18n.date(&e.on))],
        )
    });
    let campaigns: Vec<String> = card
        .campaigns
        .iter()
        .filter(|c| super::runs_now(&c.starts_at, &c.ends_at))
        .map(|c| {
            i18n.fill(
                "campaign_until",
                &[("name", &c.name), ("date", &i18n.date(&c.ends_at))],
            )
        })
        .collect();
    let cashback = card
        .cashback_minor
        .filter(|c| *c > 0)
        .map(|c| i18n.fill("cashback", &[("amount", &i18n.money(c, &card.currency))]));
    view! {
        <div class="pc-points">
            <p class="pc-points__line">
                <span class="pc-points__value" data-testid="points">{i18n.number(card.points)}</span>
                " "
                <span class="pc-points__label">{unit}</span>
            </p>
            {worth.map(|w| view! { <p class="pc-muted" data-testid="worth">{w}</p> })}
            {pending.map(|p| view! { <p class="pc-muted" data-testid="pending">{p}</p> })}
            {campaigns.into_iter().map(|c| view! { <p class="pc-notice pc-campaign" data-testid="campaign">{c}</p> }).collect_view()}
            {expiring.map(|e| view! { <p class="pc-notice" data-testid="expiring">{e}</p> })}
            {cashback.map(|c| view! { <p class="pc-muted" data-testid="cashback">{c}</p> })}
        </div>
    }
}

/// The tier badge and, below the top tier, a progress bar to the next one.
#[component]
pub fn TierProgress(
    /// The member's tier.
    tier: CardTier,
    /// The program's currency, for the spend still needed.
    currency: String,
) -> impl IntoView {
    let i18n = i18n();
    let next = tier.next.map(|next| {
        let name = next.name.unwrap_or(next.id);
        let text = i18n.fill(
            "tier_next",
            &[
                ("amount", &i18n.money(next.remaining_minor, &currency)),
                ("tier", &name),
            ],
        );
        view! {
            <progress class="pc-progress" max="100" value=next.progress_pct aria-label=text.clone()></progress>
            <p class="pc-muted" data-testid="tier-next">{text}</p>
        }
    });
    let top = next
        .is_none()
        .then(|| view! { <p class="pc-muted">{i18n.t("tier_top")}</p> });
    view! {
        <div class="pc-tier" data-testid="tier">
            <span class="pc-muted">{i18n.t("tier_label")}" "</span>
            <span class="pc-badge" data-testid="tier-name">{tier.name}</span>
            {next}
            {top}
        </div>
    }
}

/// The stamp card drawn as `goal` slots (pre-filled ones included) and what a full card gives.
#[component]
pub fn StampCard(
    /// Filled slots, the goal and the reward's name.
    stamps: CardStamps,
) -> impl IntoView {
    let i18n = i18n();
    let label = i18n.fill(
        "stamps_progress",
        &[
            ("filled", &i18n.number(stamps.filled.into())),
            ("goal", &i18n.number(stamps.goal.into())),
        ],
    );
    let left = i64::from(stamps.goal.saturating_sub(stamps.filled));
    let more = stamps
        .reward_name
        .map(|reward| i18n.plural("stamps_more", left, &[("reward", &reward)]));
    view! {
        <div class="pc-stamps-card">
            <h3 class="pc-h">{i18n.t("stamps_title")}</h3>
            <div class="pc-stamps" data-testid="stamps" role="img" aria-label=label>
                {(0..stamps.goal)
                    .map(|slot| {
                        let class = if slot < stamps.filled { "pc-slot pc-slot--filled" } else { "pc-slot" };
                        view! { <span class=class></span> }
                    })
                    .collect_view()}
            </div>
            {more.map(|m| view! { <p class="pc-muted" data-testid="stamps-more">{m}</p> })}
        </div>
    }
}
