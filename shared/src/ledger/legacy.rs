//! Accounts stored in the first, one-document shape (everything of a member in one JSON value:
//! history, orders, idempotency records and all coupons), and their conversion into the bounded
//! [`Account`] plus the rows that now live beside it.

use super::{
    Account, Batch, Changes, Coupon, CouponStatus, Entry, OrderRecord, Spend, StampCard, Totals,
    REFERRAL,
};

/// A point batch as the first version stored it (an object; its `source` is no longer kept).
#[derive(Debug, Clone, Deserialize)]
pub struct LegacyBatch {
    pub earned_at: Timestamp,
    pub available_at: Timestamp,
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    pub remaining: i64,
}

/// A day's spend as the first version stored it.
#[derive(Debug, Clone, Deserialize)]
pub struct LegacySpend {
    pub day: i64,
    pub amount_minor: i64,
}
use crate::time::{Timestamp, DAY};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// A member's account as the first version of the ledger stored it (unknown fields such as its
/// idempotency records are ignored: the store's own records answer replays).
#[derive(Debug, Clone, Deserialize)]
pub struct LegacyAccount {
    pub customer_id: String,
    pub joined_at: Timestamp,
    pub member_code: String,
    pub business: bool,
    pub referred_by: Option<String>,
    pub batches: Vec<LegacyBatch>,
    #[serde(default)]
    pub next_expiry: Option<Timestamp>,
    pub debt: i64,
    pub stamps: StampCard,
    pub tier: Option<String>,
    pub tier_since: Timestamp,
    pub spend: Vec<LegacySpend>,
    pub orders: HashMap<String, OrderRecord>,
    pub coupons: Vec<Coupon>,
    pub certificates_issued: BTreeMap<usize, Timestamp>,
    pub last_birthday_year: Option<i64>,
    #[serde(default)]
    pub birthday: Option<(u8, u8)>,
    pub cashback_minor: i64,
    pub history: Vec<Entry>,
}

impl LegacyAccount {
    /// The bounded account and every row it held, numbered and ready to store: entries in their
    /// order, order records, all coupons (live ones stay on the account too).
    pub fn convert(self) -> (Account, Changes) {
        let mut totals = Totals {
            last_active_day: self.joined_at.div_euclid(DAY),
            entries: self.history.len() as u64,
            coupons_issued: self.coupons.len() as u64,
            ..Totals::default()
        };
        for entry in &self.history {
            totals.count(entry);
        }
        for (key, order) in &self.orders {
            if key.starts_with(REFERRAL) {
                continue;
            }
            totals.orders_paid += 1;
            let net = order.amount_minor - order.refunded_minor;
            totals.revenue_minor += net;
            if net > 0 {
                totals.orders += 1;
                let day = order.at.div_euclid(DAY);
                totals.last_order_day = Some(totals.last_order_day.map_or(day, |d| d.max(day)));
            }
        }
        let mut orders: Vec<(String, OrderRecord)> = self.orders.into_iter().collect();
        orders.sort_by(|a, b| a.0.cmp(&b.0));
        let live = self
            .coupons
            .iter()
            .filter(|c| c.status == CouponStatus::Active)
            .cloned()
            .collect();
        let changes = Changes {
            entries: self
                .history
                .into_iter()
                .enumerate()
                .map(|(i, e)| (i as u64, e))
                .collect(),
            orders,
            coupons: self.coupons,
            feedback: None,
        };
        let account = Account {
            customer_id: self.customer_id,
            joined_at: self.joined_at,
            member_code: self.member_code,
            business: self.business,
            referred_by: self.referred_by,
            batches: self
                .batches
                .into_iter()
                .filter(|b| b.remaining > 0)
                .map(|b| Batch {
                    earned_at: b.earned_at,
                    available_at: b.available_at,
                    expires_at: b.expires_at,
                    remaining: b.remaining,
                })
                .collect(),
            next_expiry: self.next_expiry,
            debt: self.debt,
            stamps: self.stamps,
            tier: self.tier,
            tier_since: self.tier_since,
            spend_total: self.spend.iter().map(|s| s.amount_minor).sum(),
            spend: self
                .spend
                .into_iter()
                .map(|s| Spend {
                    day: s.day,
                    amount_minor: s.amount_minor,
                })
                .collect(),
            coupons: live,
            coupons_expire_from: super::unknown_bound(),
            certificates_issued: self.certificates_issued,
            skus: Vec::new(),
            campaign_orders: BTreeMap::new(),
            news_read: Vec::new(),
            feedback: Default::default(),
            dates: Vec::new(),
            celebrated: BTreeMap::new(),
            last_birthday_year: self.last_birthday_year,
            birthday: self.birthday,
            cashback_minor: self.cashback_minor,
            totals,
            changes: Changes::default(),
        };
        (account, changes)
    }
}
