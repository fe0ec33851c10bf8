//! The card a shopper sees, computed from their ledger account (never stored by hand).

use crate::api::{
    Card, CardCoupon, CardReward, CardStamps, CardTier, CouponView, HistoryEntry, NextTier,
    ShopCustomerView,
};
use crate::ledger::{tiers_view, Account, Coupon, CouponStatus, Entry};
use crate::program::Program;
use crate::time::{rfc3339, Timestamp};

/// How many history lines a card carries (newest first); the full ledger stays in storage.
pub const HISTORY_ON_CARD: usize = 50;

/// Builds the card of `account` in shop `shop_id` at time `now`.
pub fn card(shop_id: &str, account: &Account, program: &Program, now: Timestamp) -> Card {
    let points = account.spendable(now);
    let mut rewards: Vec<CardReward> = program
        .rewards
        .iter()
        .filter(|r| r.cost_points > 0)
        .map(|r| CardReward {
            id: r.id.clone(),
            name: r.name.clone(),
            cost_points: r.cost_points,
            affordable: points >= r.cost_points,
        })
        .collect();
    // Affordable first, then cheapest first.
    rewards.sort_by_key(|r| (!r.affordable, r.cost_points));
    let tier = account
        .tier
        .as_deref()
        .and_then(|id| program.tiers.iter().find(|t| t.id == id));
    let tier = tier.map(|t| {
        let spend = account.tier_spend(program, now);
        CardTier {
            id: t.id.clone(),
            name: t.name.clone(),
            next: tiers_view::next_tier(program, &t.id).map(|n| NextTier {
                id: n.id.clone(),
                name: Some(n.name.clone()),
                remaining_minor: (n.threshold_minor - spend).max(0),
            }),
        }
    });
    Card {
        shop_id: shop_id.to_owned(),
        customer_id: account.customer_id.clone(),
        points,
        pending_points: account.pending(now),
        stamps: program.stamps.as_ref().map(|s| CardStamps {
            filled: account.stamps.filled,
            goal: s.goal,
            reward_name: program.reward(&s.reward_id).map(|r| r.name.clone()),
        }),
        tier,
        rewards,
        coupons: account
            .coupons
            .iter()
            .filter(|c| c.status == CouponStatus::Active && c.expires_at > now)
            .map(|c| CardCoupon {
                code: c.code.clone(),
                reward_id: c.reward_id.clone(),
                status: c.status.as_str().to_owned(),
                expires_at: rfc3339(c.expires_at),
            })
            .collect(),
        member_code: account.member_code.clone(),
        history: account
            .history
            .iter()
            .rev()
            .take(HISTORY_ON_CARD)
            .map(history_line)
            .collect(),
        cashback_minor: (account.business || account.cashback_minor != 0)
            .then_some(account.cashback_minor),
    }
}

/// One ledger entry as a history line.
fn history_line(e: &Entry) -> HistoryEntry {
    HistoryEntry {
        at: rfc3339(e.at),
        kind: e.kind.to_string(),
        points: e.points,
        stamps: e.stamps,
        note: e.note.clone(),
    }
}

/// A coupon of `account` as the shop sees it.
pub fn coupon_view(account: &Account, coupon: &Coupon) -> CouponView {
    CouponView {
        code: coupon.code.clone(),
        reward_id: coupon.reward_id.clone(),
        status: coupon.status.as_str().to_owned(),
        kind: coupon.kind.as_str().to_owned(),
        value_minor: coupon.value_minor,
        sku: coupon.sku.clone(),
        customer_id: account.customer_id.clone(),
        issued_at: rfc3339(coupon.issued_at),
        expires_at: rfc3339(coupon.expires_at),
        order_id: coupon.consumed_by.clone(),
    }
}

/// The shop's view of a member: the card with the full history and every coupon.
pub fn shop_view(
    shop_id: &str,
    account: &Account,
    program: &Program,
    now: Timestamp,
) -> ShopCustomerView {
    let mut card = card(shop_id, account, program, now);
    card.history = account.history.iter().rev().map(history_line).collect();
    ShopCustomerView {
        card,
        joined_at: rfc3339(account.joined_at),
        business: account.business,
        referred_by: account.referred_by.clone(),
        debt_points: account.debt,
        all_coupons: account
            .coupons
            .iter()
            .map(|c| coupon_view(account, c))
            .collect(),
    }
}
