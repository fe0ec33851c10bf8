//! The local-dev demo shop `demo-bakery` (API.md: fixed, documented credentials for local dev only).
//!
//! The worker seeds this data when its `PUNCHCARD_DEMO` variable is `seed` (set only in the
//! committed `.dev.vars`), so `cargo xtask dev` shows a working card with no set-up. The members'
//! accounts are built by the real ledger from a short history of events.

use crate::ledger::{Book, Context, Event, EventKind, Item};
use crate::program::Program;
use crate::time::{Timestamp, DAY};

/// The demo shop's id.
pub const SHOP_ID: &str = "demo-bakery";
/// The demo shop's name.
pub const SHOP_NAME: &str = "Crumb & Co. Bakery";
/// The demo shop's secret key: a documented dev-only credential, never valid in production.
pub const SECRET_KEY: &str = "sk_test_demo_bakery";

fn order(id: &str, at: Timestamp, amount: i64, cakes: u32) -> Event {
    Event {
        id: format!("demo-order-{id}"),
        at,
        kind: EventKind::OrderPaid {
            order_id: id.to_owned(),
            amount_minor: amount,
            currency: "EUR".into(),
            items: vec![Item {
                sku: "CAKE".into(),
                quantity: cakes,
            }],
        },
    }
}

/// The demo members' accounts as of `now`: `c42` (Gold, a coupon, some history) and `c7` (new).
pub fn accounts(program: &Program, now: Timestamp) -> Vec<Book> {
    let mut members = Vec::new();
    for (customer, events) in [
        (
            "c42",
            vec![
                order("0987", now - 40 * DAY, 52_000, 2),
                Event {
                    id: "demo-thanks".into(),
                    at: now - 30 * DAY,
                    kind: EventKind::Adjust {
                        points: 1_000,
                        reason: "Thank you for the catering order".into(),
                    },
                },
                Event {
                    id: "demo-redeem".into(),
                    at: now - 3 * DAY,
                    kind: EventKind::Redeem {
                        reward_id: "5-off".into(),
                    },
                },
                order("1001", now - DAY, 2_350, 2),
            ],
        ),
        ("c7", vec![]),
    ] {
        let start = events.first().map_or(now - DAY, |e| e.at - DAY);
        let mut ctx = Context {
            now: start,
            entropy: [customer.len() as u8; 32],
        };
        let mut account = Book::open(customer, program, &ctx);
        for (i, event) in events.iter().enumerate() {
            ctx.now = event.at;
            ctx.entropy[0] = i as u8;
            account
                .apply(program, event, &ctx)
                .expect("the demo events are valid");
        }
        members.push(account);
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_members_have_a_lived_in_card() {
        let program = Program::demo_bakery();
        let now = 1_790_000_000;
        let accounts = accounts(&program, now);
        let c42 = crate::card::card(SHOP_ID, &accounts[0], &[], &program, now);
        // 100 welcome + 520 (order 0987 at Member ×1) + 1000 thanks − 500 redeemed + 28 (23 × 1.25 as Gold)
        assert_eq!(c42.points, 100 + 520 + 1000 - 500 + 28);
        assert_eq!(c42.tier.as_ref().unwrap().id, "gold");
        assert_eq!(c42.stamps.as_ref().unwrap().filled, 4);
        // The €5-off coupon, and the certificate for spending €200 within six months.
        let rewards: Vec<&str> = c42.coupons.iter().map(|c| c.reward_id.as_str()).collect();
        assert_eq!(rewards, ["certificate", "5-off"]);
        let c7 = crate::card::card(SHOP_ID, &accounts[1], &[], &program, now);
        assert_eq!((c7.points, c7.stamps.unwrap().filled), (100, 2));
    }
}
