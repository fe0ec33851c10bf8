//! The storage the command logic needs, as a small trait: [`super::store::Store`] implements it
//! over the object's SQLite, and an in-memory store does for the native tests of `core`.

use crate::problem::ApiError;
use crate::shop_stats::Pending;
use serde::Deserialize;
use shared::ledger::{Account, Changes, Entry, Needs, Rows};

pub type Result<T> = std::result::Result<T, ApiError>;

/// A stored idempotency record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdemRecord {
    pub body_hash: String,
    pub status: i64,
    /// The answer as sent (`full`), or only the event's outcome (batch items).
    pub body: String,
    pub full: i64,
}

/// A request's answer to store under its idempotency key.
pub struct NewRecord<'a> {
    pub key: &'a str,
    pub customer: &'a str,
    pub body_hash: &'a str,
    pub status: u16,
    pub body: &'a str,
    /// `body` is the whole answer (else only the event's outcome).
    pub full: bool,
    pub now: i64,
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
}
