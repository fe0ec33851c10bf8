//! The local-dev demo shop `demo-bakery` (API.md: fixed, documented credentials for local dev only).
//!
//! The worker seeds this data when its `PUNCHCARD_DEMO` variable is `seed` (set only in the
//! committed `.dev.vars`), so `cargo xtask dev` shows a working card with no set-up.

use crate::api::{Card, CardCoupon, CardReward, CardStamps, CardTier, HistoryEntry, NextTier};
use crate::program::Program;

/// The demo shop's id.
pub const SHOP_ID: &str = "demo-bakery";
/// The demo shop's name.
pub const SHOP_NAME: &str = "Crumb & Co. Bakery";
/// The demo shop's secret key: a documented dev-only credential, never valid in production.
pub const SECRET_KEY: &str = "sk_test_demo_bakery";
/// Expiry of the demo storefront's customer token (2100-01-01T00:00:00Z).
pub const TOKEN_EXPIRES: u64 = 4_102_444_800;

/// The demo members' card snapshots.
pub fn cards() -> Vec<Card> {
    let program = Program::demo_bakery();
    let rewards = |points: i64| {
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
        rewards.sort_by_key(|r| (!r.affordable, r.cost_points));
        rewards
    };
    let entry = |at: &str, kind: &str, points: i64, stamps: i64, note: &str| HistoryEntry {
        at: at.to_owned(),
        kind: kind.to_owned(),
        points,
        stamps,
        note: note.to_owned(),
    };
    vec![
        Card {
            shop_id: SHOP_ID.to_owned(),
            customer_id: "c42".to_owned(),
            points: 1250,
            stamps: Some(CardStamps {
                filled: 3,
                goal: 10,
            }),
            tier: Some(CardTier {
                id: "gold".to_owned(),
                name: "Gold".to_owned(),
                next: Some(NextTier {
                    id: "platinum".to_owned(),
                    remaining_minor: 12000,
                }),
            }),
            rewards: rewards(1250),
            coupons: vec![CardCoupon {
                code: "PC-7KQ2-M9XD".to_owned(),
                reward_id: "5-off".to_owned(),
                status: "active".to_owned(),
                expires_at: "2027-02-21T10:00:00Z".to_owned(),
            }],
            member_code: "M-4F7Q-2K9D".to_owned(),
            history: vec![
                entry("2026-11-23T10:00:00Z", "earn", 23, 1, "Order 1001"),
                entry("2026-11-20T08:30:00Z", "redeem", -500, 0, "€5 off"),
                entry("2026-11-02T09:15:00Z", "earn", 1627, 1, "Order 0987"),
                entry(
                    "2026-10-01T12:00:00Z",
                    "welcome",
                    100,
                    2,
                    "Welcome to Crumb Club",
                ),
            ],
        },
        Card {
            shop_id: SHOP_ID.to_owned(),
            customer_id: "c7".to_owned(),
            points: 100,
            stamps: Some(CardStamps {
                filled: 2,
                goal: 10,
            }),
            tier: Some(CardTier {
                id: "member".to_owned(),
                name: "Member".to_owned(),
                next: Some(NextTier {
                    id: "gold".to_owned(),
                    remaining_minor: 50000,
                }),
            }),
            rewards: rewards(100),
            coupons: vec![],
            member_code: "M-8H3K-7W2P".to_owned(),
            history: vec![entry(
                "2026-11-22T16:00:00Z",
                "welcome",
                100,
                2,
                "Welcome to Crumb Club",
            )],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cards_list_affordable_rewards_first() {
        let cards = cards();
        let c42 = &cards[0];
        assert_eq!(c42.customer_id, "c42");
        assert!(c42.rewards.iter().all(|r| r.affordable));
        let c7 = &cards[1];
        assert!(c7.rewards.iter().all(|r| !r.affordable));
        assert!(c7
            .rewards
            .windows(2)
            .all(|w| w[0].cost_points <= w[1].cost_points));
    }
}
