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

    /// Indices of batches in spending order: those expiring first, then the oldest.
    fn spending_order(&self, now: Timestamp, spendable_only: bool) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.batches.len())
            .filter(|&i| self.batches[i].remaining > 0)
            .filter(|&i| !spendable_only || self.batches[i].available_at <= now)
            .collect();
        order.sort_by_key(|&i| {
            let b = &self.batches[i];
            (
                b.available_at > now,
                b.expires_at.unwrap_or(Timestamp::MAX),
                b.earned_at,
                i,
            )
        });
        order
    }

    /// Takes `points` from spendable batches. The caller has checked `spendable(now) >= points`.
    pub(super) fn debit_spendable(&mut self, now: Timestamp, mut points: i64) {
        for i in self.spending_order(now, true) {
            if points == 0 {
                break;
            }
            let take = points.min(self.batches[i].remaining);
            self.batches[i].remaining -= take;
            points -= take;
        }
        debug_assert_eq!(points, 0, "debit beyond the spendable balance");
        self.batches.retain(|b| b.remaining > 0);
    }

    /// Takes back `points` earned at `earned_at`: from that day's batch first, then from the
    /// others (spendable before pending); what is already spent becomes debt, so the balance goes
    /// negative by at most `points`.
    pub(super) fn reverse(&mut self, now: Timestamp, earned_at: Timestamp, mut points: i64) {
        let day = earned_at.div_euclid(DAY);
        let own =
            (0..self.batches.len()).filter(|&i| self.batches[i].earned_at.div_euclid(DAY) == day);
        let order: Vec<usize> = own.chain(self.spending_order(now, false)).collect();
        for i in order {
            if points == 0 {
                break;
            }
            let take = points.min(self.batches[i].remaining);
            self.batches[i].remaining -= take;
            points -= take;
        }
        self.debt += points;
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
