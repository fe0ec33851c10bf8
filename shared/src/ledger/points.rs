//! Points in batches: each credit is a batch that becomes spendable after `pending_days` and
//! expires `expiry_days` after it was earned. Spending takes the batches that expire first.

use super::{Account, Entry};
use crate::money::Overflow;
use crate::program::Program;
use crate::time::{Timestamp, DAY};
use serde::{Deserialize, Serialize};

/// Points earned on one UTC day (credits of the same day merge into one batch). Stored as
/// `[earned_at, available_at, expires_at | null, remaining]`: up to a year of them is read and
/// written with every event, so the short form halves the member row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BatchRow", into = "BatchRow")]
pub struct Batch {
    pub earned_at: Timestamp,
    pub available_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub remaining: i64,
}

/// [`Batch`] as stored.
type BatchRow = (Timestamp, Timestamp, Option<Timestamp>, i64);

impl From<BatchRow> for Batch {
    fn from((earned_at, available_at, expires_at, remaining): BatchRow) -> Batch {
        Batch {
            earned_at,
            available_at,
            expires_at,
            remaining,
        }
    }
}

impl From<Batch> for BatchRow {
    fn from(b: Batch) -> BatchRow {
        (b.earned_at, b.available_at, b.expires_at, b.remaining)
    }
}

impl Account {
    /// The points left in the batches `chosen` picks among those that expire, and the earliest
    /// expiry among them (the card's notice and the `points.expiring` webhook).
    pub fn expiring_where(
        &self,
        chosen: impl Fn(&Batch, Timestamp) -> bool,
    ) -> (i64, Option<Timestamp>) {
        self.batches
            .iter()
            .filter(|b| b.remaining > 0)
            .filter_map(|b| {
                b.expires_at
                    .filter(|at| chosen(b, *at))
                    .map(|at| (b.remaining, at))
            })
            .fold((0, None), |(sum, first), (points, at)| {
                (
                    sum.saturating_add(points),
                    Some(first.map_or(at, |f: Timestamp| f.min(at))),
                )
            })
    }

    /// Fails if crediting `points` could overflow the balance.
    pub(super) fn ensure_room(&self, points: i64) -> Result<(), Overflow> {
        let total: i128 = self
            .batches
            .iter()
            .map(|b| i128::from(b.remaining))
            .sum::<i128>()
            + i128::from(points.max(0))
            + i128::from(self.debt);
        if total > i128::from(i64::MAX) / 2 {
            return Err(Overflow);
        }
        Ok(())
    }

    /// Credits `points` (≥ 0) earned at `at`: pays off refund debt first, the rest is a new batch.
    /// The caller has checked [`Account::ensure_room`].
    pub(super) fn credit_unchecked(&mut self, at: Timestamp, points: i64, program: &Program) {
        let pay = points.min(self.debt);
        self.debt -= pay;
        let rest = points - pay;
        if rest <= 0 {
            return;
        }
        let days = |d: Option<u32>| i64::from(d.unwrap_or(0)) * DAY;
        let expires_at = program.expiry_days.map(|d| at + i64::from(d) * DAY);
        if let Some(e) = expires_at {
            self.next_expiry = Some(self.next_expiry.map_or(e, |n| n.min(e)));
        }
        let available_at = at + days(program.pending_days);
        // Points earned on one UTC day are one batch: spendable when the day's first became
        // spendable, expiring with the day's last. So batches are bounded by days, not orders.
        if let Some(last) = self.batches.last_mut() {
            if last.earned_at.div_euclid(DAY) == at.div_euclid(DAY)
                && last.expires_at.is_some() == expires_at.is_some()
            {
                last.remaining += rest;
                last.available_at = last.available_at.min(available_at);
                last.expires_at = last.expires_at.max(expires_at);
                return;
            }
        }
        self.batches.push(Batch {
            earned_at: at,
            available_at,
            expires_at,
            remaining: rest,
        });
    }

    /// Takes up to `points` from the batches with points left (only the spendable ones when
    /// `spendable_only`) in spending order: those spendable first, then those expiring first,
    /// then the oldest. Returns what could not be taken.
    fn take_in_spending_order(&mut self, now: Timestamp, spendable_only: bool, points: i64) -> i64 {
        if points == 0 {
            return 0;
        }
        let takes = |b: &Batch| b.remaining > 0 && (!spendable_only || b.available_at <= now);
        let key = |b: &Batch| {
            (
                b.available_at > now,
                b.expires_at.unwrap_or(Timestamp::MAX),
                b.earned_at,
            )
        };
        // Batches are appended day by day, so they are almost always in spending order already:
        // then one pass checks it and no index list is built or sorted.
        let mut previous = None;
        let in_order = self.batches.iter().filter(|b| takes(b)).all(|b| {
            let k = key(b);
            let ordered = previous.is_none_or(|p| p <= k);
            previous = Some(k);
            ordered
        });
        if in_order {
            return take_from(self.batches.iter_mut().filter(|b| takes(b)), points);
        }
        let mut order: Vec<usize> = (0..self.batches.len())
            .filter(|&i| takes(&self.batches[i]))
            .collect();
        // Stable: equal keys keep the batches' order.
        order.sort_by_key(|&i| key(&self.batches[i]));
        let mut left = points;
        for i in order {
            left = take_from(std::iter::once(&mut self.batches[i]), left);
        }
        left
    }

    /// Takes `points` from spendable batches. The caller has checked `spendable(now) >= points`.
    pub(super) fn debit_spendable(&mut self, now: Timestamp, points: i64) {
        let left = self.take_in_spending_order(now, true, points);
        debug_assert_eq!(left, 0, "debit beyond the spendable balance");
        self.batches.retain(|b| b.remaining > 0);
    }

    /// Takes back `points` earned at `earned_at`: from that day's batch first, then from the
    /// others (spendable before pending); what is already spent becomes debt, so the balance goes
    /// negative by at most `points`.
    pub(super) fn reverse(&mut self, now: Timestamp, earned_at: Timestamp, points: i64) {
        let day = earned_at.div_euclid(DAY);
        let own = self
            .batches
            .iter_mut()
            .filter(|b| b.earned_at.div_euclid(DAY) == day);
        let left = take_from(own, points);
        let left = self.take_in_spending_order(now, false, left);
        self.debt += left;
        self.batches.retain(|b| b.remaining > 0);
    }

    /// Expires every batch whose time has come, with one `expire` entry.
    pub(super) fn expire(&mut self, now: Timestamp) {
        if self.next_expiry.is_none_or(|n| n > now) {
            return;
        }
        self.next_expiry = None;
        let mut expired = 0;
        let mut last = 0;
        for b in &mut self.batches {
            match b.expires_at {
                Some(at) if at <= now && b.remaining > 0 => {
                    expired += b.remaining;
                    last = last.max(at);
                    b.remaining = 0;
                }
                Some(at) if b.remaining > 0 => {
                    self.next_expiry = Some(self.next_expiry.map_or(at, |n| n.min(at)));
                }
                _ => {}
            }
        }
        if expired > 0 {
            self.batches.retain(|b| b.remaining > 0);
            self.record(Entry {
                at: last,
                kind: "expire".into(),
                points: -expired,
                stamps: 0,
                order_id: None,
                note: "Points expired".into(),
            });
        }
    }
}

/// Takes up to `points` from `batches` in turn; returns what they did not hold.
fn take_from<'a>(batches: impl Iterator<Item = &'a mut Batch>, mut points: i64) -> i64 {
    for b in batches {
        if points == 0 {
            break;
        }
        let take = points.min(b.remaining);
        b.remaining -= take;
        points -= take;
    }
    points
}
