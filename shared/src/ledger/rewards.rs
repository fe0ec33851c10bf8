//! Rewards: stamp cards that issue their reward's coupon, catalog redemptions, coupon
//! consumption, manual adjustments.

use super::{Account, Context, Coupon, CouponStatus, Entry, LedgerError, Outcome};
use crate::program::{Program, RewardKind};
use crate::time::{Timestamp, DAY};
use sha2::{Digest, Sha256};

/// Default coupon validity when the program sets none.
const DEFAULT_COUPON_DAYS: u32 = 90;

/// 8 bytes for code number `n` of this event: SHA-256 of the caller's random bytes and `n`, so
/// several codes from one event are independent and none reveals another.
pub(super) fn entropy(ctx: &Context, n: u32) -> [u8; 8] {
    let digest = Sha256::new()
        .chain_update(ctx.entropy)
        .chain_update(n.to_le_bytes())
        .finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

impl Account {
    /// A coupon for the catalog's `reward`, caused by the order `caused_by` if any.
    pub(super) fn reward_coupon(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        reward: &crate::program::Reward,
        caused_by: Option<&str>,
    ) -> Coupon {
        self.new_coupon(
            program,
            ctx,
            at,
            &reward.id,
            reward.kind,
            reward.value_minor,
            reward.sku.clone(),
            caused_by,
        )
    }

    /// Issues a new coupon: live on the account, and queued as a row.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new_coupon(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        reward_id: &str,
        kind: RewardKind,
        value_minor: Option<i64>,
        sku: Option<String>,
        caused_by: Option<&str>,
    ) -> Coupon {
        let days = i64::from(program.coupon_valid_days.unwrap_or(DEFAULT_COUPON_DAYS));
        let coupon = Coupon {
            code: crate::code::generate("PC", entropy(ctx, self.totals.coupons_issued as u32)),
            reward_id: reward_id.to_owned(),
            kind,
            value_minor,
            sku,
            status: CouponStatus::Active,
            issued_at: at,
            expires_at: at + days * DAY,
            caused_by: caused_by.map(str::to_owned),
            consumed_by: None,
        };
        self.totals.coupons_issued += 1;
        self.coupons_expire_from = self.coupons_expire_from.min(coupon.expires_at);
        self.coupons.push(coupon.clone());
        if self.coupons.len() > super::MAX_LIVE_COUPONS {
            // The oldest stays valid in its row; only the account lets go of it.
            self.coupons.remove(0);
        }
        self.store_coupon(coupon.clone());
        coupon
    }

    /// Draws new codes for the coupons `outcome` issued (after a collision with a stored code,
    /// with fresh randomness in `ctx`): the account, its queued rows and the outcome change
    /// together.
    pub fn redraw_coupon_codes(&mut self, ctx: &Context, outcome: &mut super::Outcome) {
        for (n, issued) in outcome.coupons_issued.iter_mut().enumerate() {
            let fresh = crate::code::generate("PC", entropy(ctx, n as u32));
            for c in self
                .coupons
                .iter_mut()
                .chain(self.changes.coupons.iter_mut())
            {
                if c.code == issued.code {
                    c.code = fresh.clone();
                }
            }
            issued.code = fresh;
        }
    }

    /// Adds `count` stamps; every full card issues the stamp reward's coupon and starts a fresh,
    /// empty card (pre-filled stamps were for the first card only).
    pub(super) fn add_stamps_unchecked(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        count: u32,
        cause: Option<&str>,
    ) -> Vec<Coupon> {
        let Some(card) = &program.stamps else {
            return Vec::new();
        };
        let goal = card.goal.max(1);
        let mut issued = Vec::new();
        let mut filled = self.stamps.filled + count;
        while filled >= goal {
            filled -= goal;
            self.stamps.completed += 1;
            let reward = program.reward(&card.reward_id);
            let coupon = self.new_coupon(
                program,
                ctx,
                at,
                &card.reward_id,
                reward.map_or(RewardKind::FreeItem, |r| r.kind),
                reward.and_then(|r| r.value_minor),
                reward.and_then(|r| r.sku.clone()),
                cause,
            );
            issued.push(coupon);
        }
        self.stamps.filled = filled;
        issued
    }

    /// Takes back `count` stamps that order `cause` earned. A card that order completed is
    /// reopened if its coupon is still unused (the coupon is voided); otherwise the stamps come off
    /// the current card, never below zero.
    pub(super) fn undo_stamps(
        &mut self,
        program: &Program,
        mut count: u32,
        cause: &str,
    ) -> Vec<String> {
        let goal = program.stamps.as_ref().map_or(1, |s| s.goal.max(1));
        let mut voided = Vec::new();
        while count > self.stamps.filled {
            let Some(index) = self.coupons.iter().rposition(|c| {
                c.caused_by.as_deref() == Some(cause) && c.reward_id != "certificate"
            }) else {
                break;
            };
            voided.push(self.retire_coupon(index, CouponStatus::Void));
            self.stamps.completed -= 1;
            self.stamps.filled += goal;
        }
        count = count.min(self.stamps.filled);
        self.stamps.filled -= count;
        voided
    }

    pub(super) fn add_stamps(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        count: u32,
    ) -> Result<Outcome, LedgerError> {
        if program.stamps.is_none() {
            return Err(LedgerError::Invalid {
                field: "count",
                rule: "used with a program that has a stamp card",
            });
        }
        if !(1..=100).contains(&count) {
            return Err(LedgerError::Invalid {
                field: "count",
                rule: "between 1 and 100",
            });
        }
        let coupons_issued = self.add_stamps_unchecked(program, ctx, at, count, None);
        self.record(Entry {
            at,
            kind: "stamps".into(),
            points: 0,
            stamps: i64::from(count),
            order_id: None,
            note: "Stamps in store".into(),
        });
        Ok(Outcome {
            stamps: i64::from(count),
            coupons_issued,
            ..Outcome::default()
        })
    }

    pub(super) fn adjust(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        points: i64,
        reason: &str,
    ) -> Result<Outcome, LedgerError> {
        if points == 0 || points.unsigned_abs() > super::MAX_AMOUNT as u64 {
            return Err(LedgerError::Invalid {
                field: "points",
                rule: "non-zero and at most 10^13 either way",
            });
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(LedgerError::Invalid {
                field: "reason",
                rule: "1 to 200 characters",
            });
        }
        if points > 0 {
            self.ensure_room(points)?;
            self.credit_unchecked(at, points, program);
        } else {
            let available = self.spendable(ctx.now);
            if available < -points {
                return Err(LedgerError::InsufficientPoints {
                    needed: -points,
                    available: available.max(0),
                });
            }
            self.debit_spendable(ctx.now, -points);
        }
        self.record(Entry {
            at,
            kind: "adjust".into(),
            points,
            stamps: 0,
            order_id: None,
            note: reason.to_owned(),
        });
        Ok(Outcome {
            points,
            ..Outcome::default()
        })
    }

    pub(super) fn redeem(
        &mut self,
        program: &Program,
        ctx: &Context,
        at: Timestamp,
        reward_id: &str,
    ) -> Result<Outcome, LedgerError> {
        let reward = program
            .reward(reward_id)
            .ok_or_else(|| LedgerError::UnknownReward(reward_id.to_owned()))?;
        if reward.cost_points <= 0 {
            return Err(LedgerError::NotRedeemable(reward_id.to_owned()));
        }
        let available = self.spendable(ctx.now);
        if available < reward.cost_points {
            return Err(LedgerError::InsufficientPoints {
                needed: reward.cost_points,
                available: available.max(0),
            });
        }
        self.debit_spendable(ctx.now, reward.cost_points);
        let coupon = self.reward_coupon(program, ctx, at, reward, None);
        self.record(Entry {
            at,
            kind: "redeem".into(),
            points: -reward.cost_points,
            stamps: 0,
            order_id: None,
            note: reward.name.clone(),
        });
        Ok(Outcome {
            points: -reward.cost_points,
            coupons_issued: vec![coupon],
            ..Outcome::default()
        })
    }

    /// A coupon used at checkout: a live one, or one only its stored row holds (beyond the live
    /// ones, or consumed, void or expired: then the row tells why not).
    pub(super) fn consume(
        &mut self,
        ctx: &Context,
        code: &str,
        order_id: &str,
        stored: Option<super::Coupon>,
    ) -> Result<Outcome, LedgerError> {
        super::orders::check_id(order_id, "order_id")?;
        let code = crate::code::normalize("PC", code).unwrap_or_else(|| code.to_owned());
        let Some(index) = self.find_coupon(&code) else {
            let coupon = stored
                .filter(|c| c.code == code)
                .ok_or_else(|| LedgerError::UnknownCoupon(code.clone()))?;
            return match coupon.status {
                CouponStatus::Consumed if coupon.consumed_by.as_deref() == Some(order_id) => {
                    Ok(Outcome::default())
                }
                CouponStatus::Consumed => Err(LedgerError::CouponConsumed),
                CouponStatus::Void => Err(LedgerError::CouponVoid),
                CouponStatus::Active if ctx.now >= coupon.expires_at => {
                    Err(LedgerError::CouponExpired)
                }
                CouponStatus::Active => {
                    let mut coupon = coupon;
                    coupon.status = CouponStatus::Consumed;
                    coupon.consumed_by = Some(order_id.to_owned());
                    self.store_coupon(coupon);
                    Ok(Outcome {
                        coupons_consumed: vec![code],
                        ..Outcome::default()
                    })
                }
            };
        };
        if ctx.now >= self.coupons[index].expires_at {
            return Err(LedgerError::CouponExpired);
        }
        self.coupons[index].consumed_by = Some(order_id.to_owned());
        self.retire_coupon(index, CouponStatus::Consumed);
        Ok(Outcome {
            coupons_consumed: vec![code],
            ..Outcome::default()
        })
    }
}
