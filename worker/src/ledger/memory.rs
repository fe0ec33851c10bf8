//! An in-memory [`Storage`] for the native tests of `core`: the same rows as the SQLite store,
//! in maps, with a transaction that restores everything when its callback fails.

use super::storage::{IdemRecord, NewRecord, Result, Storage};
use crate::shop_stats::Pending;
use shared::analytics::Counter;
use shared::ledger::{Account, Changes, Coupon, Entry, Needs, OrderRecord, Rows};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tables {
    members: BTreeMap<String, (Account, i64)>,
    entries: BTreeMap<(String, u64), Entry>,
    orders: BTreeMap<(String, String), OrderRecord>,
    /// code → (member, coupon, insertion order)
    coupons: BTreeMap<String, (String, Coupon, usize)>,
    idempotency: BTreeMap<String, (String, IdemRecord, i64)>,
    aggregates: HashMap<(i64, i64, i64), (i64, i64)>,
    birthdays: BTreeMap<String, i64>,
    /// (member, slot) → month × 100 + day.
    occasions: BTreeMap<(String, u8), i64>,
    stale: BTreeMap<String, ()>,
    /// Queued webhook events: (member, event id, type).
    webhook_events: Vec<(String, String, String)>,
    /// Suppression entries of erased members: key → erased at.
    erased: BTreeMap<String, i64>,
    /// Feedback answers: (member, answer).
    answers: Vec<(String, shared::feedback::Answer)>,
}

/// The ledger's tables in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    tables: RefCell<Tables>,
}

impl MemoryStore {
    /// Runs `f` as one transaction: on `Err` every table is as it was before.
    pub fn transaction<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let before = self.tables.borrow().clone();
        let result = f();
        if result.is_err() {
            *self.tables.borrow_mut() = before;
        }
        result
    }

    /// A shop-wide counter of the analytics (`members`, `orders`, `revenue`, …).
    pub fn counter(&self, name: &str) -> i64 {
        let c = Counter::ALL
            .iter()
            .find(|c| c.as_str() == name)
            .expect("a counter");
        self.tables
            .borrow()
            .aggregates
            .get(&(0, *c as i64, 0))
            .map_or(0, |v| v.0)
    }

    /// Stores a coupon for `customer` directly (a test's set-up).
    pub fn put_coupon(&self, customer: &str, coupon: &Coupon) {
        let mut t = self.tables.borrow_mut();
        let n = t.coupons.len();
        t.coupons
            .insert(coupon.code.clone(), (customer.into(), coupon.clone(), n));
    }

    /// Whether any table still holds a row of `customer`.
    pub fn holds_anything_of(&self, customer: &str) -> bool {
        let t = self.tables.borrow();
        t.members.contains_key(customer)
            || t.entries.keys().any(|(c, _)| c == customer)
            || t.orders.keys().any(|(c, _)| c == customer)
            || t.coupons.values().any(|(c, _, _)| c == customer)
            || t.idempotency.values().any(|(c, _, _)| c == customer)
            || t.birthdays.contains_key(customer)
            || t.occasions.keys().any(|(c, _)| c == customer)
            || t.stale.contains_key(customer)
            || t.answers.iter().any(|(c, _)| c == customer)
    }

    /// How many feedback answers are stored.
    pub fn answers(&self) -> usize {
        self.tables.borrow().answers.len()
    }
}

impl MemoryStore {
    /// The queued webhook events: (member, event id, type), in order.
    pub fn webhook_events(&self) -> Vec<(String, String, String)> {
        self.tables.borrow().webhook_events.clone()
    }
}

impl Storage for MemoryStore {
    fn member(&self, customer: &str) -> Result<Option<(Account, i64)>> {
        Ok(self.tables.borrow().members.get(customer).cloned())
    }

    fn member_code_owner(&self, code: &str) -> Result<Option<String>> {
        let t = self.tables.borrow();
        Ok(t.members
            .iter()
            .find(|(_, (a, _))| a.member_code == code)
            .map(|(c, _)| c.clone()))
    }

    fn coupon_code_taken(&self, code: &str) -> Result<bool> {
        Ok(self.tables.borrow().coupons.contains_key(code))
    }

    fn save_member(&self, account: &Account, changes: Changes, _now: i64) -> Result<()> {
        let mut t = self.tables.borrow_mut();
        let customer = account.customer_id.clone();
        let version = t.members.get(&customer).map_or(0, |(_, v)| *v);
        if let Some((other, _)) = t
            .members
            .iter()
            .find(|(c, (a, _))| **c != customer && a.member_code == account.member_code)
        {
            panic!("UNIQUE member_code: {other} holds it");
        }
        t.members
            .insert(customer.clone(), (account.clone(), version));
        if let Some(answer) = changes.feedback {
            let fresh = !t
                .answers
                .iter()
                .any(|(c, a)| *c == customer && a.question == answer.question);
            assert!(fresh, "one answer per member and question");
            t.answers.push((customer.clone(), answer));
        }
        for (seq, entry) in changes.entries {
            let fresh = t.entries.insert((customer.clone(), seq), entry).is_none();
            assert!(fresh, "entries are append-only");
        }
        for (key, record) in changes.orders {
            t.orders.insert((customer.clone(), key), record);
        }
        for coupon in changes.coupons {
            let n = t.coupons.len();
            let entry = t
                .coupons
                .entry(coupon.code.clone())
                .or_insert_with(|| (customer.clone(), coupon.clone(), n));
            assert_eq!(entry.0, customer, "coupon codes are unique");
            entry.1 = coupon;
        }
        Ok(())
    }

    fn rows(&self, customer: &str, needs: Needs) -> Result<Rows> {
        let t = self.tables.borrow();
        let mut rows = Rows::default();
        if let Some(key) = &needs.order {
            rows.order = t.orders.get(&(customer.into(), key.clone())).cloned();
            if needs.order_coupons {
                let mut of_order: Vec<_> = t
                    .coupons
                    .values()
                    .filter(|(c, coupon, _)| {
                        c == customer && coupon.caused_by.as_deref() == Some(key.as_str())
                    })
                    .collect();
                of_order.sort_by_key(|(_, c, n)| (c.issued_at, *n));
                rows.order_coupons = of_order.into_iter().map(|(_, c, _)| c.clone()).collect();
            }
        }
        if let Some(code) = &needs.coupon {
            rows.coupon = t
                .coupons
                .get(code)
                .filter(|(c, _, _)| c == customer)
                .map(|(_, c, _)| c.clone());
        }
        Ok(rows)
    }

    fn entries(
        &self,
        customer: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Entry)>> {
        let t = self.tables.borrow();
        Ok(t.entries
            .range((customer.to_owned(), 0)..(customer.to_owned(), before.unwrap_or(u64::MAX)))
            .rev()
            .take(limit)
            .map(|((_, seq), e)| (*seq, e.clone()))
            .collect())
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdemRecord>> {
        Ok(self
            .tables
            .borrow()
            .idempotency
            .get(key)
            .map(|(_, r, _)| r.clone()))
    }

    fn remember(&self, r: NewRecord) -> Result<()> {
        let record = IdemRecord {
            body_hash: r.body_hash.into(),
            body: r.body.into(),
            full: i64::from(r.full),
        };
        let previous = self
            .tables
            .borrow_mut()
            .idempotency
            .insert(r.key.into(), (r.customer.into(), record, r.now));
        assert!(previous.is_none(), "an idempotency key is stored once");
        Ok(())
    }

    fn flush_stats(&self, stats: Pending) -> Result<()> {
        let mut t = self.tables.borrow_mut();
        let Tables {
            aggregates,
            birthdays,
            occasions,
            ..
        } = &mut *t;
        stats.apply_to(aggregates, birthdays, occasions);
        Ok(())
    }

    fn mark_stale(&self, customer: &str, version: i64) -> Result<()> {
        let mut t = self.tables.borrow_mut();
        if t.members.get(customer).is_some_and(|(_, v)| *v == version) {
            t.stale.insert(customer.into(), ());
        }
        Ok(())
    }

    fn has_webhooks(&self) -> Result<bool> {
        Ok(true) // the native tests look at every event
    }

    fn is_suppressed(&self, customer: &str) -> Result<bool> {
        let key = shared::ids::suppression_key(customer);
        Ok(self.tables.borrow().erased.contains_key(&key))
    }

    fn suppress(&self, customer: &str, suppressed: bool, now: i64) -> Result<()> {
        let key = shared::ids::suppression_key(customer);
        let erased = &mut self.tables.borrow_mut().erased;
        if suppressed {
            erased.insert(key, now);
        } else {
            erased.remove(&key);
        }
        Ok(())
    }

    fn enqueue_webhook_events(
        &self,
        _shop: &str,
        customer: &str,
        events: &[shared::webhooks::Outgoing],
        _now: i64,
    ) -> Result<()> {
        let mut t = self.tables.borrow_mut();
        for e in events {
            t.webhook_events
                .push((customer.to_owned(), e.id.clone(), e.event.to_owned()));
        }
        Ok(())
    }

    fn erase(&self, customer: &str) -> Result<()> {
        let mut t = self.tables.borrow_mut();
        t.webhook_events.retain(|(c, _, _)| c != customer);
        t.members.remove(customer);
        t.entries.retain(|(c, _), _| c != customer);
        t.orders.retain(|(c, _), _| c != customer);
        t.coupons.retain(|_, (c, _, _)| c != customer);
        t.idempotency.retain(|_, (c, _, _)| c != customer);
        t.stale.remove(customer);
        t.answers.retain(|(c, _)| c != customer);
        Ok(())
    }
}
