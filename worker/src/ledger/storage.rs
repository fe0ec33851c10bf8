//! The storage the command logic needs, as a small trait: [`super::store::Store`] implements it
//! over the object's SQLite, and an in-memory store does for the native tests of `core`.

use crate::problem::ApiError;
use crate::shop_stats::Pending;
use serde::Deserialize;
use shared::ledger::{Account, Changes, Entry, Needs, OrderRecord, Rows};

pub type Result<T> = std::result::Result<T, ApiError>;

/// A stored idempotency record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdemRecord {
    pub body_hash: String,
    /// The answer as sent (`full`), or only the event's outcome (batch items).
    pub body: String,
    pub full: i64,
}

/// A request's answer to store under its idempotency key.
pub struct NewRecord<'a> {
    pub key: &'a str,
    pub customer: &'a str,
    pub body_hash: &'a str,
    pub body: &'a str,
    /// `body` is the whole answer (else only the event's outcome).
    pub full: bool,
    pub now: i64,
}

/// An owned [`NewRecord`], waiting to be written.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub key: String,
    pub customer: String,
    pub body_hash: String,
    pub body: String,
    pub full: bool,
    pub now: i64,
}

impl From<&NewRecord<'_>> for StoredRecord {
    fn from(r: &NewRecord) -> Self {
        StoredRecord {
            key: r.key.into(),
            customer: r.customer.into(),
            body_hash: r.body_hash.into(),
            body: r.body.into(),
            full: r.full,
            now: r.now,
        }
    }
}

impl StoredRecord {
    /// The record as a replay reads it.
    pub fn as_idem(&self) -> IdemRecord {
        IdemRecord {
            body_hash: self.body_hash.clone(),
            body: self.body.clone(),
            full: i64::from(self.full),
        }
    }

    fn as_new(&self) -> NewRecord<'_> {
        NewRecord {
            key: &self.key,
            customer: &self.customer,
            body_hash: &self.body_hash,
            body: &self.body,
            full: self.full,
            now: self.now,
        }
    }
}

/// Reads and writes of one shop's ledger (each call inside the caller's transaction).
pub trait Storage {
    /// The member, with the program version their card snapshot was last written under (0:
    /// never); a version-1 document is migrated on first touch.
    fn member(&self, customer: &str) -> Result<Option<(Account, i64)>>;
    /// The member holding member code `code`.
    fn member_code_owner(&self, code: &str) -> Result<Option<String>>;
    /// Whether a coupon with `code` is stored.
    fn coupon_code_taken(&self, code: &str) -> Result<bool>;
    /// Writes the member row and the rows the last events produced.
    fn save_member(&self, account: &Account, changes: Changes, now: i64) -> Result<()>;
    /// The rows `needs` names for `customer`.
    fn rows(&self, customer: &str, needs: Needs) -> Result<Rows>;
    /// A member's entries, newest first: at most `limit` with a sequence below `before`.
    fn entries(
        &self,
        customer: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Entry)>>;
    fn idempotency(&self, key: &str) -> Result<Option<IdemRecord>>;
    fn remember(&self, record: NewRecord) -> Result<()>;
    /// Applies summed analytics changes.
    fn flush_stats(&self, stats: Pending) -> Result<()>;
    /// Marks the member's KV snapshot for rewriting (when one exists under `version`).
    fn mark_stale(&self, customer: &str, version: i64) -> Result<()>;
    /// Deletes every row of `customer`.
    fn erase(&self, customer: &str) -> Result<()>;
    /// Whether `customer` was erased by a shop that refuses re-joining (a suppression entry).
    fn is_suppressed(&self, customer: &str) -> Result<bool>;
    /// Stores (`true`) or forgets `customer`'s suppression entry.
    fn suppress(&self, customer: &str, suppressed: bool, now: i64) -> Result<()>;
    /// Whether the shop has any webhook (else nothing is computed for them).
    fn has_webhooks(&self) -> Result<bool>;
    /// Queues the webhook events `customer`'s applied event produced, for every endpoint of
    /// `shop` subscribed to them (the outbox: in the command's own transaction).
    fn enqueue_webhook_events(
        &self,
        shop: &str,
        customer: &str,
        events: &[shared::webhooks::Outgoing],
        now: i64,
    ) -> Result<()>;

    // Many rows at once (the batch route's cache). The defaults go row by row; the SQLite
    // store answers each in one statement.

    /// The stored members among `customers`, with their snapshot versions.
    fn members_in(&self, customers: &[&str]) -> Result<Vec<(String, Account, i64)>> {
        let mut found = Vec::new();
        for customer in customers {
            if let Some((account, version)) = self.member(customer)? {
                found.push((customer.to_string(), account, version));
            }
        }
        Ok(found)
    }

    /// The stored idempotency records among `keys`.
    fn idempotency_in(&self, keys: &[&str]) -> Result<Vec<(String, IdemRecord)>> {
        let mut found = Vec::new();
        for key in keys {
            if let Some(record) = self.idempotency(key)? {
                found.push((key.to_string(), record));
            }
        }
        Ok(found)
    }

    /// The stored order records among `(member, order key)` pairs.
    fn orders_in(&self, keys: &[(String, String)]) -> Result<Vec<(String, String, OrderRecord)>> {
        let mut found = Vec::new();
        for (customer, key) in keys {
            let needs = Needs {
                order: Some(key.clone()),
                ..Needs::default()
            };
            if let Some(record) = self.rows(customer, needs)?.order {
                found.push((customer.clone(), key.clone(), record));
            }
        }
        Ok(found)
    }

    /// Writes `saves` (as [`Storage::save_member`] would, in order) and `records`.
    fn save_all(
        &self,
        saves: Vec<(Account, Changes, i64)>,
        records: Vec<StoredRecord>,
    ) -> Result<()> {
        for (account, changes, now) in saves {
            self.save_member(&account, changes, now)?;
        }
        for record in &records {
            self.remember(record.as_new())?;
        }
        Ok(())
    }
}
