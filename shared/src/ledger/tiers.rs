//! Tiers from spend in a rolling window: upgrades at once, downgrades only when the window is
//! re-evaluated (a full `tier_window_days` after the tier was reached or last re-evaluated).

use super::{Account, TierChange};
use crate::program::{Program, Tier};
use crate::time::{Timestamp, DAY};

/// The highest tier whose threshold `spend` reaches.
pub fn tier_for(program: &Program, spend: i64) -> Option<&Tier> {
    program
        .tiers
        .iter()
        .rev()
        .find(|t| spend >= t.threshold_minor)
}

/// Position of tier `id` in the program (higher is better); `None` ranks below every tier.
pub fn rank(program: &Program, id: Option<&str>) -> Option<usize> {
    id.and_then(|id| program.tiers.iter().position(|t| t.id == id))
}

/// The earn multiplier of tier `id`, in percent (100 without tiers).
pub fn multiplier_pct(program: &Program, id: Option<&str>) -> i64 {
    id.and_then(|id| program.tiers.iter().find(|t| t.id == id))
        .map_or(100, |t| t.multiplier_pct)
}

impl Account {
    /// Net spend over the `days` UTC days ending with the day of `at`; all spend without a window.
    pub fn spend_in_window(&self, days: Option<u32>, at: Timestamp) -> i64 {
        let Some(days) = days else {
            return self.spend_total;
        };
        let to = at.div_euclid(DAY);
        let from = to - i64::from(days);
        self.spend
            .iter()
            .rev()
            .skip_while(|s| s.day > to)
            .take_while(|s| s.day > from)
            .map(|s| s.amount_minor)
            .sum()
    }

    /// Adds `amount` (negative for refunds) to the spend of the day of `at`.
    pub(super) fn add_spend(&mut self, at: Timestamp, amount: i64) {
        self.spend_total += amount;
        let day = at.div_euclid(DAY);
        // Almost always today, the last bucket: skip the search.
        match self.spend.last_mut() {
            Some(last) if last.day == day => return last.amount_minor += amount,
            Some(last) if last.day < day => {
                return self.spend.push(super::Spend {
                    day,
                    amount_minor: amount,
                })
            }
            None => {
                return self.spend.push(super::Spend {
                    day,
                    amount_minor: amount,
                })
            }
            _ => {}
        }
        match self.spend.binary_search_by_key(&day, |s| s.day) {
            Ok(i) => self.spend[i].amount_minor += amount,
            Err(i) => self.spend.insert(
                i,
                super::Spend {
                    day,
                    amount_minor: amount,
                },
            ),
        }
    }

    /// Net spend that counts toward the tier at `at`.
    pub fn tier_spend(&self, program: &Program, at: Timestamp) -> i64 {
        self.spend_in_window(program.tier_window_days, at)
    }

    /// Upgrades at once if spend now qualifies for a higher tier.
    pub(super) fn upgrade_tier(&mut self, program: &Program, at: Timestamp) -> Option<TierChange> {
        let qualified = tier_for(program, self.tier_spend(program, at)).map(|t| t.id.as_str());
        if rank(program, qualified) > rank(program, self.tier.as_deref()) {
            // Only a change is copied: most orders leave the tier as it is.
            let qualified = qualified.map(str::to_owned);
            let from = std::mem::replace(&mut self.tier, qualified.clone());
            self.tier_since = at;
            return Some(TierChange {
                from,
                to: qualified,
            });
        }
        None
    }

    /// After a refund: the tier follows the remaining spend down, but never below `floor` (the
    /// tier the member had before the refunded order).
    pub(super) fn follow_refund(
        &mut self,
        program: &Program,
        at: Timestamp,
        floor: Option<&str>,
    ) -> Option<TierChange> {
        let qualified = tier_for(program, self.tier_spend(program, at)).map(|t| t.id.clone());
        if rank(program, qualified.as_deref()) >= rank(program, self.tier.as_deref()) {
            return None;
        }
        let target = if rank(program, qualified.as_deref()) >= rank(program, floor) {
            qualified
        } else {
            floor.map(str::to_owned)
        };
        if target == self.tier {
            return None;
        }
        let from = std::mem::replace(&mut self.tier, target.clone());
        Some(TierChange { from, to: target })
    }

    /// When a whole window has passed since the tier was set, recompute it from the window's spend
    /// (this is the only time a tier goes down by itself).
    pub(super) fn reevaluate_tier(&mut self, program: &Program, now: Timestamp) {
        let Some(days) = program.tier_window_days else {
            return;
        };
        let window = i64::from(days) * DAY;
        if now < self.tier_since.saturating_add(window) {
            return;
        }
        // Re-evaluations happen on window boundaries, so a late visit does not shift the cycle.
        let periods = (now - self.tier_since) / window;
        self.tier_since += periods * window;
        self.tier = tier_for(program, self.tier_spend(program, now)).map(|t| t.id.clone());
    }

    /// Drops the spend of days older than every window that can still matter (lifetime spend is
    /// kept as one total), so the account holds at most one bucket per day of the longest window.
    pub(super) fn prune_spend(&mut self, program: &Program, now: Timestamp) {
        let keep_from = now.div_euclid(DAY) - i64::from(max_window_days(program));
        if self.spend.first().is_some_and(|s| s.day <= keep_from) {
            self.spend.retain(|s| s.day > keep_from);
        }
    }
}

/// The longest rolling window any rule looks back over (a year at least: business rebates).
pub fn max_window_days(program: &Program) -> u32 {
    let certs = program
        .certificates
        .iter()
        .map(|c| c.window_days)
        .max()
        .unwrap_or(0);
    program.tier_window_days.unwrap_or(0).max(certs).max(365)
}
