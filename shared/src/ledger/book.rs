//! [`Book`]: one member's account with all its rows in memory — the reference store.
//!
//! It does what the worker's storage does, with maps instead of tables: idempotency by event id
//! (same id and content → the first outcome, marked replayed; other content → conflict), the rows
//! an event needs looked up by [`Event::needs`], and the rows it produced appended. The unit and
//! property tests, the demo data and the benchmark run on it.

use super::{
    fingerprint, Account, Changes, Context, Coupon, Entry, Event, LedgerError, OrderRecord,
    Outcome, Rows,
};
use crate::program::Program;
use indexmap::IndexMap;

/// Rows by key, in insertion order: the values sit in one vector and the hash table holds only
/// their positions, so growing it moves a few bytes per row, not the rows (idempotency records
/// carry a whole [`Outcome`]). Keys are short ids from the shop's own backend: foldhash with a
/// fixed seed, not SipHash.
pub type Map<V> = IndexMap<String, V, foldhash::fast::FixedState>;

/// A member's account and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    pub account: Account,
    /// Every entry, oldest first.
    pub entries: Vec<Entry>,
    pub orders: Map<OrderRecord>,
    /// Every coupon ever issued, in issue order, as it is now.
    pub coupons: Vec<Coupon>,
    /// Position of each code in `coupons`.
    coupon_index: Map<usize>,
    /// Positions in `coupons` of the coupons each order caused, in issue order.
    caused_by: Map<Vec<usize>>,
    /// Idempotency records: event id → (content fingerprint, first outcome).
    processed: Map<(u64, Recorded)>,
    /// Feedback answers, oldest first.
    pub answers: Vec<crate::feedback::Answer>,
}

impl Book {
    /// Opens a member's account (see [`Account::open`]).
    pub fn open(customer_id: &str, program: &Program, ctx: &Context) -> Book {
        Book::from_account(Account::open(customer_id, program, ctx))
    }

    /// A book around `account`, absorbing the rows it has waiting.
    pub fn from_account(account: Account) -> Book {
        let mut book = Book {
            account,
            entries: Vec::new(),
            orders: Map::default(),
            coupons: Vec::new(),
            coupon_index: Map::default(),
            caused_by: Map::default(),
            processed: Map::default(),
            answers: Vec::new(),
        };
        let changes = book.account.take_changes();
        book.absorb(changes);
        book
    }

    /// Applies `event` once: a replay returns the first outcome and changes nothing.
    pub fn apply(
        &mut self,
        program: &Program,
        event: &Event,
        ctx: &Context,
    ) -> Result<Outcome, LedgerError> {
        let print = fingerprint(event);
        if let Some((stored, outcome)) = self.processed.get(event.id.as_str()) {
            if *stored != print {
                return Err(LedgerError::IdempotencyConflict);
            }
            return Ok(Outcome {
                replayed: true,
                ..outcome.outcome()
            });
        }
        let rows = self.rows(event);
        let result = self.account.apply(program, event, ctx, rows);
        // Time-driven changes made before a refusal (expiry) are kept, as a store keeps them
        // when it saves the settled account.
        let changes = self.account.take_changes();
        self.absorb(changes);
        let outcome = result?;
        self.processed
            .insert(event.id.clone(), (print, Recorded::of(&outcome)));
        Ok(outcome)
    }

    /// The rows `event` needs (looked up by [`Event::order_key`] and [`Event::coupon_key`], the
    /// borrowed form of [`Event::needs`]).
    pub fn rows(&self, event: &Event) -> Rows {
        let order = event.order_key();
        let order_coupons = match &order {
            Some(order) if event.needs_order_coupons() => self
                .caused_by
                .get(order.as_ref())
                .map(|positions| positions.iter().map(|&i| self.coupons[i].clone()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Rows {
            order: order.and_then(|k| self.orders.get(k.as_ref()).cloned()),
            coupon: event
                .coupon_key()
                .and_then(|code| self.coupon_index.get(code.as_ref()))
                .map(|&i| self.coupons[i].clone()),
            order_coupons,
        }
    }

    /// Stores produced rows.
    pub fn absorb(&mut self, mut changes: Changes) {
        for (seq, entry) in changes.entries.drain(..) {
            debug_assert_eq!(
                seq as usize,
                self.entries.len(),
                "entries are numbered in order"
            );
            self.entries.push(entry);
        }
        for (key, record) in changes.orders.drain(..) {
            self.orders.insert(key, record);
        }
        self.answers.extend(changes.feedback.take());
        for coupon in changes.coupons.drain(..) {
            match self.coupon_index.get(coupon.code.as_str()) {
                Some(&i) => self.coupons[i] = coupon,
                None => {
                    let position = self.coupons.len();
                    self.coupon_index.insert(coupon.code.clone(), position);
                    if let Some(order) = &coupon.caused_by {
                        match self.caused_by.get_mut(order.as_str()) {
                            Some(positions) => positions.push(position),
                            None => {
                                self.caused_by.insert(order.clone(), vec![position]);
                            }
                        }
                    }
                    self.coupons.push(coupon);
                }
            }
        }
        self.account.reuse_changes(changes);
    }

    /// Settles the account at `now` (expiry, tier re-evaluation) and stores what that wrote.
    pub fn settle(&mut self, program: &Program, now: crate::time::Timestamp) {
        self.account.settle(program, now);
        let changes = self.account.take_changes();
        self.absorb(changes);
    }

    /// The newest `n` entries, newest first (what a card shows).
    pub fn recent(&self, n: usize) -> Vec<Entry> {
        self.entries.iter().rev().take(n).cloned().collect()
    }
}

/// A stored outcome, a fifth of the size when it is only numbers (most are: no coupons, no tier
/// change, no effects), so the idempotency records of a long history stay small.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recorded {
    Numbers {
        points: i64,
        stamps: i64,
        cashback_minor: i64,
    },
    Whole(Box<Outcome>),
}

impl Recorded {
    fn of(outcome: &Outcome) -> Recorded {
        // Compared whole, so a field added to `Outcome` later can never be dropped here.
        let numbers = Outcome {
            points: outcome.points,
            stamps: outcome.stamps,
            cashback_minor: outcome.cashback_minor,
            ..Outcome::default()
        };
        if *outcome == numbers {
            Recorded::Numbers {
                points: outcome.points,
                stamps: outcome.stamps,
                cashback_minor: outcome.cashback_minor,
            }
        } else {
            Recorded::Whole(Box::new(outcome.clone()))
        }
    }

    fn outcome(&self) -> Outcome {
        match self {
            &Recorded::Numbers {
                points,
                stamps,
                cashback_minor,
            } => Outcome {
                points,
                stamps,
                cashback_minor,
                ..Outcome::default()
            },
            Recorded::Whole(outcome) => Outcome::clone(outcome),
        }
    }
}

impl std::ops::Deref for Book {
    type Target = Account;
    fn deref(&self) -> &Account {
        &self.account
    }
}

impl std::ops::DerefMut for Book {
    fn deref_mut(&mut self) -> &mut Account {
        &mut self.account
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_outcome_gives_back_the_same_outcome() {
        let numbers = Outcome {
            points: 12,
            stamps: -1,
            cashback_minor: 30,
            ..Outcome::default()
        };
        let whole = Outcome {
            coupons_voided: vec!["PC-AAAA-BBBB".into()],
            ..numbers.clone()
        };
        assert!(matches!(Recorded::of(&numbers), Recorded::Numbers { .. }));
        assert!(matches!(Recorded::of(&whole), Recorded::Whole(_)));
        assert_eq!(Recorded::of(&numbers).outcome(), numbers);
        assert_eq!(Recorded::of(&whole).outcome(), whole);
    }
}
