//! The card a shopper sees, computed from their ledger account (never stored by hand).

use crate::api::{
    Card, CardCoupon, CardReward, CardStamps, CardTier, CouponView, ExpiringPoints, HistoryEntry,
    NextTier, ShopCustomerView,
};
use crate::ledger::{tiers_view, Account, Coupon, CouponStatus, Entry};
use crate::program::{Program, RewardKind};
use crate::time::{rfc3339, Timestamp};

/// How many history lines a card carries (newest first); the full ledger stays in storage.
pub const HISTORY_ON_CARD: usize = 50;

/// Builds the card of `account` in shop `shop_id` at time `now`; `recent` are its newest entries,
/// newest first (at most [`HISTORY_ON_CARD`] are shown).
pub fn card(
    shop_id: &str,
    account: &Account,
    recent: &[Entry],
    program: &Program,
    now: Timestamp,
) -> Card {
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
                progress_pct: percent(spend, n.threshold_minor),
            }),
        }
    });
    Card {
        shop_id: shop_id.to_owned(),
        customer_id: account.customer_id.clone(),
        currency: program.currency.as_str().to_owned(),
        points,
        points_worth_minor: points_worth(program, points),
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
        history: recent
            .iter()
            .take(HISTORY_ON_CARD)
            .map(history_line)
            .collect(),
        cashback_minor: (account.business || account.cashback_minor != 0)
            .then_some(account.cashback_minor),
        birthday: account
            .birthday
            .map(|(month, day)| format!("{month:02}-{day:02}")),
        points_expiring: expiring(account, points, now),
        campaigns: campaigns(program, account, now),
        news: crate::news::for_member(program, account, now)
            .map(|(n, read)| n.card_view(read))
            .collect(),
        dates: account
            .dates
            .iter()
            .map(|d| crate::api::CardDate {
                label: d.label.clone(),
                date: format!("{:02}-{:02}", d.month, d.day),
            })
            .collect(),
        feedback: account.feedback.question(now).map(|(question, until)| {
            crate::api::CardFeedback {
                question,
                points: program.feedback.as_ref().map_or(0, |f| f.points),
                until: rfc3339(until),
            }
        }),
    }
}

/// How far ahead the card warns of expiring points: 30 days.
pub const EXPIRY_NOTICE_SECONDS: Timestamp = 30 * 86_400;

/// The spendable points whose batches expire within [`EXPIRY_NOTICE_SECONDS`] (never more than
/// the member can spend), with the first day one does.
fn expiring(account: &Account, spendable: i64, now: Timestamp) -> Option<ExpiringPoints> {
    let (points, first) = account.expiring_where(|b, at| {
        b.available_at <= now && at > now && at <= now + EXPIRY_NOTICE_SECONDS
    });
    let points = points.min(spendable);
    (points > 0).then(|| ExpiringPoints {
        points,
        on: rfc3339(first.unwrap_or(now)),
    })
}

/// `part` as a whole percentage of `whole` (floor), clamped to 0–100.
fn percent(part: i64, whole: i64) -> u8 {
    if whole <= 0 {
        return 100;
    }
    let pct = i128::from(part.max(0)) * 100 / i128::from(whole);
    pct.clamp(0, 100) as u8
}

/// What `points` are worth at the best amount-off rate of the catalog (floor), if it has one.
pub fn points_worth(program: &Program, points: i64) -> Option<i64> {
    let best = program
        .rewards
        .iter()
        .filter(|r| r.kind == RewardKind::AmountOff && r.cost_points > 0)
        .filter_map(|r| Some((r.value_minor?, r.cost_points)))
        // value/cost compared without division: a/b > c/d ⇔ a·d > c·b.
        .max_by(|(v1, c1), (v2, c2)| {
            (i128::from(*v1) * i128::from(*c2)).cmp(&(i128::from(*v2) * i128::from(*c1)))
        })?;
    let worth = i128::from(points.max(0)) * i128::from(best.0) / i128::from(best.1);
    i64::try_from(worth).ok()
}

/// One ledger entry as a history line.
pub fn history_line(e: &Entry) -> HistoryEntry {
    HistoryEntry {
        at: rfc3339(e.at),
        kind: e.kind.to_string(),
        points: e.points,
        stamps: e.stamps,
        note: e.note.clone(),
    }
}

/// A coupon of member `customer_id` as the shop sees it.
pub fn coupon_view(customer_id: &str, coupon: &Coupon) -> CouponView {
    CouponView {
        code: coupon.code.clone(),
        reward_id: coupon.reward_id.clone(),
        status: coupon.status.as_str().to_owned(),
        kind: coupon.kind.as_str().to_owned(),
        value_minor: coupon.value_minor,
        sku: coupon.sku.clone(),
        customer_id: customer_id.to_owned(),
        issued_at: rfc3339(coupon.issued_at),
        expires_at: rfc3339(coupon.expires_at),
        order_id: coupon.consumed_by.clone(),
    }
}

/// The shop's view of a member: the card with its newest entries (`recent`, newest first) and
/// the `coupons` given (the store's rows: consumed and void ones too).
pub fn shop_view(
    shop_id: &str,
    account: &Account,
    recent: &[Entry],
    coupons: &[Coupon],
    program: &Program,
    now: Timestamp,
) -> ShopCustomerView {
    let card = card(shop_id, account, recent, program, now);
    ShopCustomerView {
        card,
        joined_at: rfc3339(account.joined_at),
        business: account.business,
        referred_by: account.referred_by.clone(),
        debt_points: account.debt,
        history_before: None,
        all_coupons: coupons
            .iter()
            .map(|c| coupon_view(&account.customer_id, c))
            .collect(),
    }
}

/// The campaigns reaching `account` that run now or start within 30 days, soonest end first.
fn campaigns(
    program: &Program,
    account: &Account,
    now: Timestamp,
) -> Vec<crate::api::CardCampaign> {
    let soon = now + 30 * crate::time::DAY;
    let mut shown: Vec<_> = program
        .campaigns
        .iter()
        .filter_map(|c| {
            let (start, end) = c.window()?;
            (end > now && start <= soon && c.reaches(account, now.max(start))).then(|| {
                (
                    end,
                    crate::api::CardCampaign {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        starts_at: rfc3339(start),
                        ends_at: rfc3339(end),
                    },
                )
            })
        })
        .collect();
    shown.sort_by_key(|(end, _)| *end);
    shown.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Context, Event, EventKind};

    fn demo() -> (Program, crate::ledger::Book) {
        let program = Program::demo_bakery();
        let account = crate::demo::accounts(&program, 1_790_000_000).remove(0);
        (program, account)
    }

    #[test]
    fn points_are_worth_the_best_amount_off_rate() {
        let (mut program, _) = demo();
        // €5 for 500 points: one cent a point.
        assert_eq!(points_worth(&program, 1148), Some(1148));
        program.rewards[0].value_minor = Some(700);
        program.rewards.push(program.rewards[0].clone());
        program.rewards[3].value_minor = Some(600);
        assert_eq!(points_worth(&program, 1000), Some(1400));
        assert_eq!(points_worth(&program, 1), Some(1));
        program.rewards.retain(|r| r.kind != RewardKind::AmountOff);
        assert_eq!(points_worth(&program, 1000), None);
    }

    #[test]
    fn tier_progress_is_a_clamped_floor_percentage() {
        assert_eq!(percent(0, 50_000), 0);
        assert_eq!(percent(24_999, 50_000), 49);
        assert_eq!(percent(60_000, 50_000), 100);
        assert_eq!(percent(-5, 50_000), 0);
        assert_eq!(percent(5, 0), 100);
        let (program, account) = demo();
        let c = card("demo-bakery", &account, &[], &program, 1_790_000_000);
        let next = c.tier.unwrap().next.unwrap();
        assert_eq!(next.id, "platinum");
        assert!(next.progress_pct > 0 && next.progress_pct < 100);
        assert_eq!(c.currency, "EUR");
    }

    #[test]
    fn points_expiring_within_thirty_days_are_announced() {
        let (program, account) = demo();
        let expires = account
            .batches
            .iter()
            .filter(|b| b.remaining > 0)
            .filter_map(|b| b.expires_at)
            .min()
            .expect("the demo member has points that expire");
        let early = card("s", &account, &[], &program, expires - 31 * 86_400);
        assert_eq!(early.points_expiring, None, "more than 30 days ahead");
        let soon = card("s", &account, &[], &program, expires - 10 * 86_400);
        let notice = soon.points_expiring.expect("within 30 days");
        assert!(notice.points > 0 && notice.points <= soon.points);
        assert_eq!(notice.on, rfc3339(expires));
    }

    #[test]
    fn the_birthday_is_set_once_and_shown_on_the_card() {
        let (program, mut account) = demo();
        let now = 1_790_000_000;
        let ctx = Context {
            now,
            entropy: [7; 32],
        };
        let set = |id: &str, month, day| Event {
            id: id.into(),
            at: now,
            kind: EventKind::SetBirthday { month, day },
        };
        assert!(account.apply(&program, &set("b0", 2, 30), &ctx).is_err());
        assert_eq!(card("s", &account, &[], &program, now).birthday, None);
        account.apply(&program, &set("b1", 2, 29), &ctx).unwrap();
        assert_eq!(
            card("s", &account, &[], &program, now).birthday.as_deref(),
            Some("02-29")
        );
        assert_eq!(
            account.apply(&program, &set("b2", 3, 1), &ctx),
            Err(crate::ledger::LedgerError::BirthdayAlreadySet)
        );
        assert_eq!(account.birthday, Some((2, 29)));
    }
}
