//! The batch route's write-back cache: [`Batched`] is a [`Storage`] over another one that reads
//! a batch's members, idempotency records and order records in one query each, keeps what the
//! batch writes in memory, and writes it all at the end in a few multi-row statements
//! ([`Storage::save_all`]) — a few statements per batch instead of seven per event. It answers
//! exactly as the store under it would: every pending write is also in the cache, so a cache miss
//! means the store is current for that key; a read the cache cannot answer whole (a member's
//! entries, a refund's coupons once that member has pending coupons) writes the pending rows
//! first and asks the store.

use super::core::Ledger;
use super::storage::{IdemRecord, NewRecord, Result, Storage, StoredRecord};
use crate::commands::BatchItem;
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use shared::ledger::{Account, Changes, Context, Entry, Event, Needs, OrderRecord, Rows};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Writes not yet in the store, in the order they were made.
#[derive(Default)]
struct Writes {
    saves: Vec<(Account, Changes, i64)>,
    records: Vec<StoredRecord>,
    /// Coupon codes and member codes among `saves`, and members with pending coupons.
    coupon_codes: HashSet<String>,
    member_codes: HashMap<String, String>,
    with_coupons: HashSet<String>,
}

#[derive(Default)]
struct Cache {
    /// `None`: known not to be stored.
    members: HashMap<String, Option<(Account, i64)>>,
    records: HashMap<String, Option<IdemRecord>>,
    orders: HashMap<(String, String), Option<OrderRecord>>,
}

/// A write-back cache over `inner` for one batch, inside the caller's transaction.
pub struct Batched<'s, S: Storage> {
    inner: &'s S,
    cache: RefCell<Cache>,
    writes: RefCell<Writes>,
}

impl<'s, S: Storage> Batched<'s, S> {
    /// Reads everything `items` name in one query per table.
    pub fn prefetch(
        inner: &'s S,
        items: &[(BatchItem, std::result::Result<Event, ApiError>)],
    ) -> Result<Self> {
        let mut customers: Vec<&str> = items.iter().map(|(i, _)| i.customer.as_str()).collect();
        customers.sort_unstable();
        customers.dedup();
        let keys: Vec<&str> = items.iter().map(|(i, _)| i.idem.key.as_str()).collect();
        let mut orders: Vec<(String, String)> = items
            .iter()
            .filter_map(|(i, e)| Some((i.customer.clone(), e.as_ref().ok()?.needs().order?)))
            .collect();
        orders.sort_unstable();
        orders.dedup();
        let mut cache = Cache {
            members: customers.iter().map(|c| (c.to_string(), None)).collect(),
            records: keys.iter().map(|k| (k.to_string(), None)).collect(),
            orders: HashMap::new(),
        };
        for (customer, account, version) in inner.members_in(&customers)? {
            cache.members.insert(customer, Some((account, version)));
        }
        for (key, record) in inner.idempotency_in(&keys)? {
            cache.records.insert(key, Some(record));
        }
        let found = inner.orders_in(&orders)?;
        cache.orders = orders.into_iter().map(|k| (k, None)).collect();
        for (customer, key, record) in found {
            cache.orders.insert((customer, key), Some(record));
        }
        Ok(Batched {
            inner,
            cache: RefCell::new(cache),
            writes: RefCell::default(),
        })
    }

    /// Writes everything pending to the store under it.
    pub fn finish(&self) -> Result<()> {
        let writes = std::mem::take(&mut *self.writes.borrow_mut());
        if writes.saves.is_empty() && writes.records.is_empty() {
            return Ok(());
        }
        self.inner.save_all(writes.saves, writes.records)
    }
}

impl<S: Storage> Storage for Batched<'_, S> {
    fn member(&self, customer: &str) -> Result<Option<(Account, i64)>> {
        if let Some(cached) = self.cache.borrow().members.get(customer) {
            return Ok(cached.clone());
        }
        let stored = self.inner.member(customer)?;
        self.cache
            .borrow_mut()
            .members
            .insert(customer.into(), stored.clone());
        Ok(stored)
    }

    fn member_code_owner(&self, code: &str) -> Result<Option<String>> {
        if let Some(owner) = self.writes.borrow().member_codes.get(code) {
            return Ok(Some(owner.clone()));
        }
        self.inner.member_code_owner(code)
    }

    fn coupon_code_taken(&self, code: &str) -> Result<bool> {
        Ok(self.writes.borrow().coupon_codes.contains(code)
            || self.inner.coupon_code_taken(code)?)
    }

    fn save_member(&self, account: &Account, changes: Changes, now: i64) -> Result<()> {
        let customer = account.customer_id.clone();
        let mut cache = self.cache.borrow_mut();
        let version = match cache.members.get(&customer) {
            Some(Some((_, version))) => *version,
            _ => 0,
        };
        cache
            .members
            .insert(customer.clone(), Some((account.clone(), version)));
        for (key, record) in &changes.orders {
            cache
                .orders
                .insert((customer.clone(), key.clone()), Some(record.clone()));
        }
        let mut writes = self.writes.borrow_mut();
        writes
            .member_codes
            .insert(account.member_code.clone(), customer.clone());
        if !changes.coupons.is_empty() {
            writes.with_coupons.insert(customer);
        }
        for coupon in &changes.coupons {
            writes.coupon_codes.insert(coupon.code.clone());
        }
        writes.saves.push((account.clone(), changes, now));
        Ok(())
    }

    fn rows(&self, customer: &str, needs: Needs) -> Result<Rows> {
        let cached = needs.order.as_ref().and_then(|key| {
            self.cache
                .borrow()
                .orders
                .get(&(customer.to_owned(), key.clone()))
                .cloned()
        });
        let order_only = needs.coupon.is_none() && !needs.order_coupons;
        if let (true, Some(order)) = (order_only, &cached) {
            return Ok(Rows {
                order: order.clone(),
                ..Rows::default()
            });
        }
        if !order_only && self.writes.borrow().with_coupons.contains(customer) {
            self.finish()?;
        }
        let mut rows = self.inner.rows(customer, needs)?;
        if let Some(order) = cached {
            rows.order = order;
        }
        Ok(rows)
    }

    fn entries(
        &self,
        customer: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Entry)>> {
        self.finish()?;
        self.inner.entries(customer, before, limit)
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdemRecord>> {
        if let Some(cached) = self.cache.borrow().records.get(key) {
            return Ok(cached.clone());
        }
        self.inner.idempotency(key)
    }

    fn remember(&self, r: NewRecord) -> Result<()> {
        let record = StoredRecord::from(&r);
        self.cache
            .borrow_mut()
            .records
            .insert(record.key.clone(), Some(record.as_idem()));
        self.writes.borrow_mut().records.push(record);
        Ok(())
    }

    fn flush_stats(&self, stats: Pending) -> Result<()> {
        self.inner.flush_stats(stats)
    }

    fn has_webhooks(&self) -> Result<bool> {
        self.inner.has_webhooks()
    }

    fn is_suppressed(&self, customer: &str) -> Result<bool> {
        self.inner.is_suppressed(customer)
    }

    fn suppress(&self, customer: &str, suppressed: bool, now: i64) -> Result<()> {
        self.inner.suppress(customer, suppressed, now)
    }

    fn enqueue_webhook_events(
        &self,
        shop: &str,
        customer: &str,
        events: &[shared::webhooks::Outgoing],
        now: i64,
    ) -> Result<()> {
        // Rows of their own, no member state: written through at once.
        self.inner
            .enqueue_webhook_events(shop, customer, events, now)
    }

    fn mark_stale(&self, customer: &str, version: i64) -> Result<()> {
        self.finish()?;
        self.inner.mark_stale(customer, version)
    }

    fn erase(&self, customer: &str) -> Result<()> {
        self.finish()?;
        self.cache.borrow_mut().members.remove(customer);
        self.inner.erase(customer)
    }
}

/// The context of a batch's `n`th item: its own entropy, so the codes new members and coupons
/// draw differ between the items of one batch (one shared draw would collide and be redrawn).
pub fn item_context(ctx: &Context, n: usize) -> Context {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(ctx.entropy)
        .chain_update((n as u64).to_le_bytes())
        .finalize();
    Context {
        now: ctx.now,
        entropy: digest.into(),
    }
}

/// Applies a batch's items in order, each exactly as the single route would, through one
/// [`Batched`] cache over `ledger`'s store; then writes the rows and the summed analytics.
/// Returns the result lines and the members whose KV snapshots are now stale under `version`.
pub fn apply_items<S: Storage>(
    ledger: &Ledger<S>,
    ctx: &Context,
    items: &[(BatchItem, std::result::Result<Event, ApiError>)],
    version: i64,
) -> Result<(Vec<serde_json::Value>, BTreeSet<String>)> {
    let batched = Batched::prefetch(ledger.store, items)?;
    let over = Ledger {
        store: &batched,
        program: ledger.program,
        shop_id: ledger.shop_id,
        entropy: ledger.entropy,
        members_may_rejoin: ledger.members_may_rejoin,
        shopper: ledger.shopper,
    };
    let mut stats = Pending::default();
    let mut changed = BTreeSet::new();
    let mut results = Vec::with_capacity(items.len());
    for (n, (item, event)) in items.iter().enumerate() {
        let ctx = item_context(ctx, n);
        results.push(over.apply_item(&ctx, &mut stats, item, event, &mut changed, version)?);
    }
    batched.finish()?;
    ledger.store.flush_stats(stats)?;
    Ok((results, changed))
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryStore;
    use super::*;
    use crate::commands::Idem;
    use shared::ledger::{Context, EventKind, Item};
    use shared::program::Program;

    const NOW: i64 = 1_790_000_000;

    fn no_entropy() -> Result<[u8; 32]> {
        Ok([7; 32])
    }

    /// A stream with what a batch meets: repeated members, refunds of orders paid earlier in
    /// the same batch (and of their certificates), an order id sent twice, a replayed id and a
    /// reused id with another body, unknown refunds.
    fn stream() -> Vec<(BatchItem, std::result::Result<Event, ApiError>)> {
        let mut items = Vec::new();
        for n in 0..60u32 {
            // The order an event is about, and its member (order `m` belongs to `c{m % 7}`).
            let refund = n % 5 == 4 && n >= 7;
            let order = match n {
                _ if refund => n - 7,
                _ if n % 10 == 9 => n - 1,
                _ => n,
            };
            let customer = format!("c{}", order % 7);
            let kind = if refund {
                // Of a first order, whose €250 earned a certificate: in full, or in part.
                EventKind::OrderRefunded {
                    order_id: format!("o{order}"),
                    amount_minor: if n % 10 == 4 { 25_000 } else { 6_000 },
                }
            } else {
                let amount = if n < 7 {
                    25_000
                } else {
                    1_000 + i64::from(n % 4) * 3_000
                };
                EventKind::OrderPaid {
                    order_id: format!("o{order}"),
                    amount_minor: amount,
                    currency: "EUR".into(),
                    items: vec![Item {
                        sku: "CAKE".into(),
                        quantity: n % 3,
                    }],
                }
            };
            let id = if n % 13 == 12 {
                format!("e{}", n - 1)
            } else {
                format!("e{n}")
            };
            // A replay carries the first body's hash; every 26th one another body's.
            let hash = if n % 26 == 25 {
                "other".into()
            } else {
                id.clone()
            };
            let event = Event {
                id: id.clone(),
                at: NOW + i64::from(n) * 3_600,
                kind,
            };
            let item = BatchItem {
                idem: Idem {
                    key: format!("event:{id}"),
                    body_hash: hash,
                },
                customer,
                event: event.clone(),
            };
            items.push((item, Ok(event)));
        }
        items
    }

    fn ledger<'a>(store: &'a MemoryStore, program: &'a Program) -> Ledger<'a, MemoryStore> {
        Ledger {
            store,
            program,
            shop_id: "s",
            entropy: &no_entropy,
            members_may_rejoin: true,
            shopper: false,
        }
    }

    #[test]
    fn a_batch_through_the_cache_writes_and_answers_as_item_by_item() {
        let program = Program::demo_bakery();
        // Each command draws fresh entropy.
        let chunk_context = |k: usize| Context {
            now: NOW,
            entropy: [k as u8; 32],
        };
        let items = stream();
        for split in [1, 7, 60] {
            let (direct, batched) = (MemoryStore::default(), MemoryStore::default());
            let mut expected = Vec::new();
            let mut stats = Pending::default();
            let mut changed = BTreeSet::new();
            for (n, (item, event)) in items.iter().enumerate() {
                let ctx = item_context(&chunk_context(n / split), n % split);
                let line = ledger(&direct, &program)
                    .apply_item(&ctx, &mut stats, item, event, &mut changed, 1)
                    .unwrap();
                expected.push(line);
            }
            direct.flush_stats(stats).unwrap();
            let mut got = Vec::new();
            for (k, chunk) in items.chunks(split).enumerate() {
                let ledger = ledger(&batched, &program);
                let (lines, _) = apply_items(&ledger, &chunk_context(k), chunk, 1).unwrap();
                got.extend(lines);
            }
            assert_eq!(got, expected, "result lines, batches of {split}");
            assert_eq!(batched, direct, "stored rows, batches of {split}");
        }
        let statuses: BTreeSet<_> = stream_statuses(&program, &chunk_context(0));
        assert!(
            statuses.is_superset(&BTreeSet::from([200, 409, 422])),
            "{statuses:?}"
        );
    }

    /// The statuses the stream's items get: it covers replays, conflicts and refusals.
    fn stream_statuses(program: &Program, ctx: &Context) -> BTreeSet<u64> {
        let store = MemoryStore::default();
        let (lines, _) = apply_items(&ledger(&store, program), ctx, &stream(), 1).unwrap();
        lines.iter().filter_map(|l| l["status"].as_u64()).collect()
    }
}
