//! Orders and what they earn — points, stamps, tier spend, certificates, cash back, referral
//! bonuses — and refunds that take back exactly what *that* order earned, in proportion.

use super::tiers;
use super::{
    check_amount, Account, Effect, Entry, Event, EventKind, Item, LedgerError, OrderRecord,
    Outcome, REFERRAL,
};
use super::{Context, CouponStatus};
use crate::money::{mul_div, Overflow};
use crate::program::{Program, StampPer};
use crate::time::{year_of, Timestamp, DAY};

/// An order as `order.paid` reports it: id, amount, currency, lines.
pub(super) type PaidOrder<'a> = (&'a str, i64, &'a str, &'a [Item]);

pub(super) fn check_id(value: &str, field: &'static str) -> Result<(), LedgerError> {
    crate::ids::check_id(value).map_err(|_| LedgerError::Invalid {
        field,
        rule: "1 to 64 letters, digits, '-' or '_'",
    })
}

impl Account {
    fn has_paid_order(&self) -> bool {
        self.totals.orders_paid > 0
    }

    /// Stamps an order earns under the program.
    fn stamps_for(program: &Program, amount: i64, items: &[Item]) -> Result<u32, LedgerError> {
        let Some(card) = &program.stamps else {
            return Ok(0);
        };
        if amount < card.min_order_minor {
            return Ok(0);
        }
        Ok(match card.per {
            StampPer::Order => 1,
            StampPer::Item => {
                let sku = card.sku.as_deref().unwrap_or_default();
                let mut n: u32 = 0;
                for item in items.iter().filter(|i| i.sku == sku) {
                    n = n.checked_add(item.quantity).ok_or(Overflow)?;
                }
                if n > 10_000 {
                    return Err(LedgerError::Invalid {
                        field: "items",
                        rule: "at most 10000 stamped items per order",
                    });
                }
                n
            }
        })
    }

    /// `order.paid`; `recorded`: an order record with this id exists already.
    pub(super) fn order_paid(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        (order_id, amount, currency, items): PaidOrder,
        recorded: bool,
    ) -> Result<Outcome, LedgerError> {
        // Check and compute everything first.
        check_id(order_id, "order_id")?;
        check_amount(amount, "amount_minor", true)?;
        if currency != program.currency.as_str() {
            return Err(LedgerError::CurrencyMismatch {
                expected: program.currency.to_string(),
                got: currency.to_owned(),
            });
        }
        if recorded {
            return Err(LedgerError::DuplicateOrder(order_id.to_owned()));
        }
        let units = amount / program.earn.unit_minor.max(1);
        let base = units
            .checked_mul(program.earn.points_per_unit)
            .ok_or(Overflow)?;
        let earned = mul_div(
            base,
            tiers::multiplier_pct(program, self.tier.as_deref()),
            100,
        )?;
        let referral = match (&self.referred_by, &program.referral) {
            (Some(referrer), Some(r)) if !self.has_paid_order() => {
                Some((referrer.clone(), r.referee_points))
            }
            _ => None,
        };
        let bonus = referral.as_ref().map_or(0, |(_, p)| *p);
        // Campaigns are judged at the order's time, on the member as they were before it.
        let campaign = crate::campaigns::gain(program, self, at, earned, items)?;
        let points = earned
            .checked_add(bonus)
            .and_then(|p| p.checked_add(campaign.total()))
            .ok_or(Overflow)?;
        self.ensure_room(points)?;
        let stamps = Self::stamps_for(program, amount, items)?;

        // Then change the account; nothing below can fail.
        let mut outcome = Outcome {
            points,
            stamps: i64::from(stamps),
            ..Outcome::default()
        };
        let tier_before = self.tier.clone();
        self.credit_unchecked(at, points, program);
        self.record(Entry {
            at,
            kind: "earn".into(),
            points: earned,
            stamps: i64::from(stamps),
            order_id: Some(order_id.to_owned()),
            note: format!("Order {order_id}"),
        });
        for (_, name, extra) in &campaign.points {
            self.record(Entry {
                at,
                kind: "campaign".into(),
                points: *extra,
                stamps: 0,
                order_id: Some(order_id.to_owned()),
                note: name.clone(),
            });
        }
        if bonus > 0 {
            self.record(Entry {
                at,
                kind: "referral".into(),
                points: bonus,
                stamps: 0,
                order_id: Some(order_id.to_owned()),
                note: "Welcome bonus for a referred friend".into(),
            });
        }
        self.add_spend(at, amount);
        let t = &mut self.totals;
        t.orders_paid += 1;
        t.orders += 1;
        t.revenue_minor += amount;
        t.last_order_day = Some(
            t.last_order_day
                .map_or(at.div_euclid(DAY), |d| d.max(at.div_euclid(DAY))),
        );
        outcome.coupons_issued =
            self.add_stamps_unchecked(program, ctx, at, stamps, Some(order_id));
        outcome.tier_changed = self.upgrade_tier(program, at);
        let mut record = OrderRecord {
            at,
            amount_minor: amount,
            points,
            stamps,
            tier_before,
            ..OrderRecord::default()
        };
        for (index, rule) in program.certificates.iter().enumerate() {
            let last = self.certificates_issued.get(&index).copied();
            let window = i64::from(rule.window_days) * crate::time::DAY;
            let open = last.is_none_or(|t| at >= t + window);
            if open && self.spend_in_window(Some(rule.window_days), at) >= rule.spend_minor {
                let coupon = self.new_coupon(
                    program,
                    ctx,
                    at,
                    "certificate",
                    crate::program::RewardKind::AmountOff,
                    Some(rule.value_minor),
                    None,
                    Some(order_id),
                );
                self.certificates_issued.insert(index, at);
                record.certificates.push((index, last));
                outcome.coupons_issued.push(coupon);
            }
        }
        for (_, reward_id) in &campaign.coupons {
            if let Some(reward) = program.reward(reward_id) {
                let coupon = self.reward_coupon(program, ctx, at, reward, Some(order_id));
                record.campaign_coupons.push(coupon.code.clone());
                outcome.coupons_issued.push(coupon);
            }
        }
        self.remember_campaigns(program, at, &campaign.first_orders, items);
        if let (true, Some(business)) = (self.business, &program.business) {
            let volume = self.spend_in_window(Some(365), at);
            let bp = business
                .rebates
                .iter()
                .rev()
                .find(|r| volume >= r.yearly_volume_minor)
                .map_or(0, |r| r.cashback_bp);
            // amount ≤ 10^13 and bp ≤ 10^4: the product fits easily.
            let cashback = amount * bp / 10_000;
            self.cashback_minor += cashback;
            record.cashback_minor = cashback;
            outcome.cashback_minor = cashback;
        }
        if let (Some((referrer, _)), Some(_)) = (referral, &program.referral) {
            record.referrer = Some(referrer.clone());
            outcome.effects.push(Effect::Apply {
                customer: referrer,
                event: Event {
                    id: format!("referral-bonus-{}-{order_id}", self.customer_id),
                    at,
                    kind: EventKind::ReferralBonus {
                        referee: self.customer_id.clone(),
                        order_id: order_id.to_owned(),
                        amount_minor: amount,
                    },
                },
            });
        }
        self.store_order(order_id.to_owned(), record);
        self.feedback.after_order(program.feedback.as_ref(), at);
        Ok(outcome)
    }

    /// Remembers what campaigns need of an order: the first orders in campaigns (only the
    /// program's campaigns are kept) and the SKUs bought (the newest [`super::MAX_SKUS`]).
    fn remember_campaigns(
        &mut self,
        program: &Program,
        at: Timestamp,
        first_orders: &[String],
        items: &[Item],
    ) {
        for id in first_orders {
            self.campaign_orders.insert(id.clone(), at);
        }
        self.campaign_orders
            .retain(|id, _| program.campaigns.iter().any(|c| c.id == *id));
        for item in items {
            // A SKU bought before moves to the end (no copy); a new one is copied once.
            match self.skus.iter().position(|s| *s == item.sku) {
                Some(i) => {
                    let sku = self.skus.remove(i);
                    self.skus.push(sku);
                }
                None => self.skus.push(item.sku.clone()),
            }
        }
        let over = self.skus.len().saturating_sub(super::MAX_SKUS);
        self.skus.drain(..over);
    }

    /// `order.refunded` of `(order, amount)`, given the order's stored record and coupons.
    pub(super) fn order_refunded(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        (order_id, amount): (&str, i64),
        rows: super::Rows,
    ) -> Result<Outcome, LedgerError> {
        check_id(order_id, "order_id")?;
        check_amount(amount, "amount_minor", true)?;
        let mut record = rows
            .order
            .ok_or_else(|| LedgerError::UnknownOrder(order_id.to_owned()))?;
        let refunded = record.refunded_minor.checked_add(amount).ok_or(Overflow)?;
        if refunded > record.amount_minor {
            return Err(LedgerError::RefundExceedsOrder);
        }
        // Cumulative targets make a series of partial refunds add up to exactly a full one.
        let share = |earned: i64| mul_div(earned, refunded, record.amount_minor);
        let points = share(record.points)? - record.points_reversed;
        let stamps = share(i64::from(record.stamps))? - i64::from(record.stamps_reversed);
        let cashback = share(record.cashback_minor)? - record.cashback_reversed;

        let mut outcome = Outcome {
            points: -points,
            stamps: -stamps,
            cashback_minor: -cashback,
            ..Outcome::default()
        };
        // The order's unused coupons that expired (no longer live) are voided too: bring them
        // back for the searches below; the ones left over leave again.
        let revived: Vec<_> = rows
            .order_coupons
            .into_iter()
            .filter(|c| c.status == CouponStatus::Active && self.find_coupon(&c.code).is_none())
            .collect();
        let any_revived = !revived.is_empty();
        self.coupons.splice(0..0, revived);
        self.reverse(ctx.now, record.at, points);
        self.record(Entry {
            at,
            kind: "refund".into(),
            points: -points,
            stamps: -stamps,
            order_id: Some(order_id.to_owned()),
            note: format!("Refund of order {order_id}"),
        });
        outcome.coupons_voided = self.undo_stamps(program, stamps as u32, order_id);
        self.add_spend(record.at, -amount);
        for &(index, previous) in &record.certificates {
            let Some(rule) = program.certificates.get(index) else {
                continue;
            };
            // A fully refunded order takes its certificate back; a partial refund does when the
            // remaining spend no longer reaches the threshold.
            let fully = refunded == record.amount_minor;
            // Spend older than the longest window is no longer held: a partial refund of an order
            // that old cannot be checked against its window, and keeps the certificate.
            let held = record.at.div_euclid(crate::time::DAY) - i64::from(rule.window_days)
                >= ctx.now.div_euclid(crate::time::DAY)
                    - i64::from(tiers::max_window_days(program));
            if !fully
                && (!held
                    || self.spend_in_window(Some(rule.window_days), record.at) >= rule.spend_minor)
            {
                continue;
            }
            let coupon = self.coupons.iter().position(|c| {
                c.caused_by.as_deref() == Some(order_id) && c.reward_id == "certificate"
            });
            if let Some(position) = coupon {
                let code = self.retire_coupon(position, CouponStatus::Void);
                outcome.coupons_voided.push(code);
                match previous {
                    Some(t) => self.certificates_issued.insert(index, t),
                    None => self.certificates_issued.remove(&index),
                };
            }
        }
        if refunded == record.amount_minor {
            for code in &record.campaign_coupons {
                let live = self
                    .coupons
                    .iter()
                    .position(|c| c.code == *code && c.status == CouponStatus::Active);
                if let Some(position) = live {
                    outcome
                        .coupons_voided
                        .push(self.retire_coupon(position, CouponStatus::Void));
                }
            }
        }
        if any_revived {
            self.drop_expired_coupons(ctx.now);
        }
        outcome.tier_changed = self.follow_refund(program, at, record.tier_before.as_deref());
        self.cashback_minor -= cashback;
        if let Some(referrer) = &record.referrer {
            outcome.effects.push(Effect::Apply {
                customer: referrer.clone(),
                event: Event {
                    id: format!("referral-refund-{}-{order_id}-{refunded}", self.customer_id),
                    at,
                    kind: EventKind::ReferralRefund {
                        referee: self.customer_id.clone(),
                        order_id: order_id.to_owned(),
                        refunded_minor: refunded,
                        amount_minor: record.amount_minor,
                    },
                },
            });
        }
        let t = &mut self.totals;
        t.revenue_minor -= amount;
        if refunded == record.amount_minor && record.refunded_minor < record.amount_minor {
            t.orders = t.orders.saturating_sub(1);
            if t.orders == 0 {
                t.last_order_day = None;
            }
        }
        record.refunded_minor = refunded;
        record.points_reversed += points;
        record.stamps_reversed += stamps as u32;
        record.cashback_reversed += cashback;
        self.store_order(order_id.to_owned(), record);
        Ok(outcome)
    }

    pub(super) fn referred(&mut self, referrer: &str) -> Result<Outcome, LedgerError> {
        check_id(referrer, "referrer")?;
        if referrer == self.customer_id {
            return Err(LedgerError::SelfReferral);
        }
        if self.referred_by.is_some() || self.has_paid_order() {
            return Err(LedgerError::ReferralClosed);
        }
        self.referred_by = Some(referrer.to_owned());
        Ok(Outcome::default())
    }

    /// To the referrer; `recorded`: this bonus was credited already.
    pub(super) fn referral_bonus(
        &mut self,
        program: &Program,
        at: Timestamp,
        referee: &str,
        order_id: &str,
        amount: i64,
        recorded: bool,
    ) -> Result<Outcome, LedgerError> {
        check_id(referee, "referee")?;
        check_id(order_id, "order_id")?;
        check_amount(amount, "amount_minor", true)?;
        let key = format!("{REFERRAL}{referee}:{order_id}");
        let points = program.referral.as_ref().map_or(0, |r| r.referrer_points);
        if recorded || points <= 0 {
            return Ok(Outcome::default());
        }
        self.ensure_room(points)?;
        self.credit_unchecked(at, points, program);
        self.record(Entry {
            at,
            kind: "referral".into(),
            points,
            stamps: 0,
            order_id: None,
            note: format!("Referral of {referee}"),
        });
        self.store_order(
            key,
            OrderRecord {
                at,
                amount_minor: amount,
                points,
                ..OrderRecord::default()
            },
        );
        Ok(Outcome {
            points,
            ..Outcome::default()
        })
    }

    /// To the referrer, given the bonus's stored record: `(referee, order)`'s order was refunded.
    pub(super) fn referral_refund(
        &mut self,
        ctx: &Context,
        at: Timestamp,
        (referee, order_id): (&str, &str),
        refunded: i64,
        amount: i64,
        record: Option<OrderRecord>,
    ) -> Result<Outcome, LedgerError> {
        let key = format!("{REFERRAL}{referee}:{order_id}");
        let Some(mut record) = record else {
            return Ok(Outcome::default());
        };
        if !(0..=amount).contains(&refunded) || amount <= 0 {
            return Err(LedgerError::RefundExceedsOrder);
        }
        let points = mul_div(record.points, refunded, amount)? - record.points_reversed;
        if points <= 0 {
            return Ok(Outcome::default());
        }
        self.reverse(ctx.now, record.at, points);
        self.record(Entry {
            at,
            kind: "refund".into(),
            points: -points,
            stamps: 0,
            order_id: None,
            note: format!("Referral of {referee}: order refunded"),
        });
        record.points_reversed += points;
        self.store_order(key, record);
        Ok(Outcome {
            points: -points,
            ..Outcome::default()
        })
    }

    pub(super) fn birthday(
        &mut self,
        program: &Program,
        at: Timestamp,
    ) -> Result<Outcome, LedgerError> {
        let points = program.birthday_points.unwrap_or(0);
        let year = year_of(at);
        if points <= 0 || self.last_birthday_year == Some(year) {
            return Ok(Outcome::default());
        }
        self.ensure_room(points)?;
        self.credit_unchecked(at, points, program);
        self.last_birthday_year = Some(year);
        self.record(Entry {
            at,
            kind: "birthday".into(),
            points,
            stamps: 0,
            order_id: None,
            note: "Happy birthday!".into(),
        });
        Ok(Outcome {
            points,
            ..Outcome::default()
        })
    }
}
