//! The top of a member's card: points (spendable, pending, what they are worth), the tier badge
//! with progress to the next tier, and the stamp card.

use super::i18n;
use super::status::line;
use crate::dom::{el, El};
use shared::api::{Card, CardStamps, CardTier};

/// Points, their worth and pending points.
pub fn points(card: &Card) -> El {
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
    let campaigns: Vec<El> = card
        .campaigns
        .iter()
        .filter(|c| super::runs_now(&c.starts_at, &c.ends_at))
        .map(|c| {
            let text = i18n.fill(
                "campaign_until",
                &[("name", &c.name), ("date", &i18n.date(&c.ends_at))],
            );
            line("pc-notice pc-campaign", Some("campaign"), text)
        })
        .collect();
    let cashback = card
        .cashback_minor
        .filter(|c| *c > 0)
        .map(|c| i18n.fill("cashback", &[("amount", &i18n.money(c, &card.currency))]));
    el("div")
        .class("pc-points")
        .child(
            el("p")
                .class("pc-points__line")
                .child(
                    el("span")
                        .class("pc-points__value")
                        .testid("points")
                        .child(i18n.number(card.points)),
                )
                .child(" ")
                .child(el("span").class("pc-points__label").child(unit)),
        )
        .child(worth.map(|w| line("pc-muted", Some("worth"), w)))
        .child(pending.map(|p| line("pc-muted", Some("pending"), p)))
        .child(campaigns)
        .child(expiring.map(|e| line("pc-notice", Some("expiring"), e)))
        .child(cashback.map(|c| line("pc-muted", Some("cashback"), c)))
}

/// The tier badge and, below the top tier, a progress bar to the next one (`currency`: the
/// program's, for the spend still needed).
pub fn tier_progress(tier: &CardTier, currency: &str) -> El {
    let i18n = i18n();
    let next: Vec<El> = tier
        .next
        .as_ref()
        .map(|next| {
            let name = next.name.as_deref().unwrap_or(&next.id);
            let text = i18n.fill(
                "tier_next",
                &[
                    ("amount", &i18n.money(next.remaining_minor, currency)),
                    ("tier", name),
                ],
            );
            vec![
                el("progress")
                    .class("pc-progress")
                    .attr("max", "100")
                    .attr("value", &next.progress_pct.to_string())
                    .attr("aria-label", &text),
                line("pc-muted", Some("tier-next"), text),
            ]
        })
        .unwrap_or_else(|| vec![line("pc-muted", None, i18n.t("tier_top"))]);
    el("div")
        .class("pc-tier")
        .testid("tier")
        .child(
            el("span")
                .class("pc-muted")
                .child(i18n.t("tier_label"))
                .child(" "),
        )
        .child(
            el("span")
                .class("pc-badge")
                .testid("tier-name")
                .child(tier.name.as_str()),
        )
        .child(next)
}

/// The stamp card drawn as `goal` slots (pre-filled ones included) and what a full card gives.
pub fn stamp_card(stamps: &CardStamps) -> El {
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
        .as_ref()
        .map(|reward| i18n.plural("stamps_more", left, &[("reward", reward)]));
    let slots: Vec<El> = (0..stamps.goal)
        .map(|slot| {
            el("span").class(if slot < stamps.filled {
                "pc-slot pc-slot--filled"
            } else {
                "pc-slot"
            })
        })
        .collect();
    el("div")
        .class("pc-stamps-card")
        .child(el("h3").class("pc-h").child(i18n.t("stamps_title")))
        .child(
            el("div")
                .class("pc-stamps")
                .testid("stamps")
                .attr("role", "img")
                .attr("aria-label", &label)
                .child(slots),
        )
        .child(more.map(|m| line("pc-muted", Some("stamps-more"), m)))
}
