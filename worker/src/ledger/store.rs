//! The ledger object's SQLite schema and every read and write of it (one module owns the tables).
//!
//! Tables, schema version 8:
//! - `shop`, `program`, `program_versions`: the shop (its secret key, the key rotated out with
//!   the end of its grace period, the customer tokens' longest lifetime — version 3 added
//!   those), its program, and recent program versions
//!   (card snapshots in KV are keyed by version; erasure deletes the member's card under each).
//! - `members`: one row per member, the bounded [`Account`] as JSON (its size does not grow with
//!   orders, entries or requests), its `member_code` as a UNIQUE column, and the program version
//!   its card snapshot was last written to KV under (0: none — nothing in KV to keep fresh),
//!   and (version 6) the day its first points expire, indexed for the daily `points.expiring`
//!   notices (empty for a member not written since).
//! - `entries` (append-only, `(customer_id, seq)`), `orders` (what each order earned, by
//!   `(customer_id, order_key)`, as `shared::compact` JSON), `coupons` (every coupon by code, with its status and the order
//!   that caused it): the rows that grow, each read by key or in bounded pages.
//! - `idempotency`: each value-moving request's answer (a batch item's: its outcome, compact) by key, with its member and `created_at`
//!   (kept [`IDEMPOTENCY_RETENTION_SECONDS`], purged by the alarm in bounded slices, oldest rowid
//!   first — version 3 dropped the index on `created_at`). Its `status` column is always 200:
//!   statuses are the edge's (`crate::commands::Reply`), the column stays for older rows.
//! - `kv_pending`: members whose card snapshot waits for the alarm.
//! - `erased` (version 5, with the shop's `members_may_rejoin`): suppression entries of erased
//!   members — a SHA-256 of the customer id and the time, nothing else — kept only while the
//!   shop refuses re-joining.
//! - `webhooks`, `webhook_outbox` (version 4): the shop's endpoints and the events queued for
//!   them, owned by `super::webhooks`.
//! - `feedback`, `nps_months` (version 7): feedback answers and the NPS counts per month, owned
//!   by `super::feedback`.
//! - `birthdays`, `occasions` (version 8), `aggregates`: owned by `crate::shop_stats`; a member
//!   saved before version 8 joins `occasions` (its membership anniversary) when next written.
//! - `meta`: the schema version.
//!
//! Version 1 (one JSON document per member in `accounts`, coupons as `code → member`) is migrated
//! on first touch of each member, and by the alarm in slices ([`Store::migrate_legacy`]).

use super::storage::{IdemRecord, NewRecord, Storage, StoredRecord};
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use serde::Deserialize;
use shared::analytics::MemberStats;
use shared::compact::Compact;
use shared::ledger::legacy::LegacyAccount;
use shared::ledger::{Account, Changes, Coupon, Entry, Needs, OrderRecord, Rows};
use std::collections::HashMap;
use worker::{SqlStorage, SqlStorageValue};

use super::storage::Result;

/// The schema this code reads and writes.
pub const SCHEMA_VERSION: i64 = 8;
/// Larger than any sequence number, and safe as a JavaScript number.
const MAX_SAFE: i64 = (1 << 53) - 1;
/// How long an idempotency record answers replays (90 days).
pub const IDEMPOTENCY_RETENTION_SECONDS: i64 = 90 * 86_400;
/// Program versions remembered for erasing card snapshots (snapshots live 30 days).
const VERSIONS_KEPT: i64 = 200;
/// The largest JSON argument of one multi-row statement (strings are capped at 2 MB).
const JSON_ARGUMENT_BYTES: usize = 512 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shop (
    shop_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_key TEXT NOT NULL, created_at INTEGER NOT NULL,
    previous_key TEXT, previous_until INTEGER NOT NULL DEFAULT 0,
    token_max_lifetime INTEGER NOT NULL DEFAULT 86400,
    members_may_rejoin INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS program (
    shop_id TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS program_versions (version INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS members (
    customer_id TEXT PRIMARY KEY, member_code TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
    updated_at INTEGER NOT NULL, snapshot_version INTEGER NOT NULL DEFAULT 0, expiry_day INTEGER);
CREATE INDEX IF NOT EXISTS members_by_expiry ON members (expiry_day);
CREATE TABLE IF NOT EXISTS entries (
    customer_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
    points INTEGER NOT NULL, stamps INTEGER NOT NULL, order_id TEXT, note TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders (
    customer_id TEXT NOT NULL, order_key TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (customer_id, order_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS coupons (
    code TEXT PRIMARY KEY, customer_id TEXT NOT NULL, caused_by TEXT, status TEXT NOT NULL,
    issued_at INTEGER NOT NULL, coupon TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS coupons_by_member ON coupons (customer_id, caused_by);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    created_at INTEGER NOT NULL, customer_id TEXT, full INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS idempotency_by_member ON idempotency (customer_id);
DROP INDEX IF EXISTS idempotency_by_age;
CREATE TABLE IF NOT EXISTS kv_pending (customer_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS erased (id_hash TEXT PRIMARY KEY, erased_at INTEGER NOT NULL);
";

/// The shop's row.
#[derive(Debug, Deserialize)]
pub struct ShopRow {
    pub shop_id: String,
    pub name: String,
    pub secret_key: String,
    pub previous_key: Option<String>,
    pub previous_until: i64,
    pub token_max_lifetime: i64,
    pub members_may_rejoin: i64,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct Text {
    v: String,
}

/// Every query of the ledger object.
pub struct Store {
    sql: SqlStorage,
    /// Whether version-1 documents may be waiting (`accounts` exists), once known.
    legacy: std::cell::Cell<Option<bool>>,
    /// Whether any webhook is registered, once known (see `super::webhooks`).
    pub(super) webhooks_known: std::cell::Cell<Option<bool>>,
    /// Whether any suppression entry of an erased member is stored, once known.
    erased_known: std::cell::Cell<Option<bool>>,
}

pub(super) fn int(v: impl TryInto<i64>) -> SqlStorageValue {
    SqlStorageValue::Integer(v.try_into().unwrap_or(i64::MAX))
}

impl Store {
    pub fn new(sql: SqlStorage) -> Store {
        Store {
            sql,
            legacy: std::cell::Cell::new(None),
            webhooks_known: std::cell::Cell::new(None),
            erased_known: std::cell::Cell::new(None),
        }
    }

    /// Whether the version-1 `accounts` table exists (cached: asked on every unknown member).
    fn has_legacy(&self) -> Result<bool> {
        if let Some(known) = self.legacy.get() {
            return Ok(known);
        }
        let exists = self.has_table("accounts")?;
        self.legacy.set(Some(exists));
        Ok(exists)
    }

    /// Forgets whether version-1 data exists (after storing or dropping some).
    pub fn forget_legacy(&self) {
        self.legacy.set(None);
    }

    pub fn sql(&self) -> &SqlStorage {
        &self.sql
    }

    pub(super) fn count(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<i64> {
        let rows: Vec<Count> = self.sql.exec(query, args)?.to_array()?;
        Ok(rows.first().map_or(0, |c| c.n))
    }

    fn texts(&self, query: &str, args: Vec<SqlStorageValue>) -> Result<Vec<String>> {
        let rows: Vec<Text> = self.sql.exec(query, args)?.to_array()?;
        Ok(rows.into_iter().map(|r| r.v).collect())
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.count(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
            vec![name.into()],
        )? > 0)
    }

    /// Brings the schema to [`SCHEMA_VERSION`]; a version-1 object keeps its old tables until its
    /// members are migrated.
    pub fn migrate_schema(&self) -> Result<()> {
        self.sql.exec(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
            None,
        )?;
        let version = self.count(
            "SELECT COALESCE(MAX(value), 0) AS n FROM meta WHERE key = 'schema'",
            vec![],
        )?;
        if version >= SCHEMA_VERSION {
            return Ok(());
        }
        if self.has_table("coupons")? {
            // Version 1: `coupons (code, customer_id)` and `idempotency` without a member.
            let v1_coupons = self.count(
                "SELECT COUNT(*) AS n FROM pragma_table_info('coupons') WHERE name = 'status'",
                vec![],
            )? == 0;
            if v1_coupons {
                self.sql
                    .exec("ALTER TABLE coupons RENAME TO coupons_v1", None)?;
            }
        }
        if self.has_table("idempotency")? {
            let columns = self.count(
                "SELECT COUNT(*) AS n FROM pragma_table_info('idempotency') WHERE name = 'customer_id'",
                vec![],
            )?;
            if columns == 0 {
                self.sql
                    .exec("ALTER TABLE idempotency ADD COLUMN customer_id TEXT", None)?;
                self.sql.exec(
                    "ALTER TABLE idempotency ADD COLUMN full INTEGER NOT NULL DEFAULT 1",
                    None,
                )?;
            }
        }
        if self.has_table("members")? {
            // Version 6: the first expiry day of each member.
            let columns = self.count(
                "SELECT COUNT(*) AS n FROM pragma_table_info('members') WHERE name = 'expiry_day'",
                vec![],
            )?;
            if columns == 0 {
                self.sql
                    .exec("ALTER TABLE members ADD COLUMN expiry_day INTEGER", None)?;
            }
        }
        if self.has_table("shop")? {
            // Version 2: no key rotation, no token lifetime.
            let columns = self.count(
                "SELECT COUNT(*) AS n FROM pragma_table_info('shop') WHERE name = 'previous_key'",
                vec![],
            )?;
            if columns == 0 {
                for column in [
                    "previous_key TEXT",
                    "previous_until INTEGER NOT NULL DEFAULT 0",
                    "token_max_lifetime INTEGER NOT NULL DEFAULT 86400",
                ] {
                    self.sql
                        .exec(&format!("ALTER TABLE shop ADD COLUMN {column}"), None)?;
                }
            }
            // Version 4: every member may re-join after erasure.
            let columns = self.count(
                "SELECT COUNT(*) AS n FROM pragma_table_info('shop') WHERE name = 'members_may_rejoin'",
                vec![],
            )?;
            if columns == 0 {
                self.sql.exec(
                    "ALTER TABLE shop ADD COLUMN members_may_rejoin INTEGER NOT NULL DEFAULT 1",
                    None,
                )?;
            }
        }
        self.sql.exec(SCHEMA, None)?;
        self.sql.exec(crate::shop_stats::SCHEMA, None)?;
        self.sql.exec(super::webhooks::SCHEMA, None)?;
        self.sql.exec(super::feedback::SCHEMA, None)?;
        self.sql.exec(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
            vec![int(SCHEMA_VERSION)],
        )?;
        Ok(())
    }

    // ---- shop and program ----

    /// Up to `limit` members whose first points expire on `day`, after `after` by id.
    pub fn expiring_on(&self, day: i64, after: &str, limit: usize) -> Result<Vec<String>> {
        self.texts(
            "SELECT customer_id AS v FROM members WHERE expiry_day = ? AND customer_id > ?
             ORDER BY customer_id LIMIT ?",
            vec![int(day), after.into(), int(limit as i64)],
        )
    }

    pub fn shop(&self) -> Result<Option<ShopRow>> {
        let rows: Vec<ShopRow> = self
            .sql
            .exec(
                "SELECT shop_id, name, secret_key, previous_key, previous_until, token_max_lifetime,
                   members_may_rejoin FROM shop",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    /// Inserts the shop row unless one exists; whether it was inserted.
    pub fn insert_shop(
        &self,
        shop_id: &str,
        name: &str,
        secret_key: &str,
        now: i64,
    ) -> Result<bool> {
        let before = self.count("SELECT COUNT(*) AS n FROM shop", vec![])?;
        self.sql.exec(
            "INSERT OR IGNORE INTO shop (shop_id, name, secret_key, created_at) VALUES (?, ?, ?, ?)",
            vec![shop_id.into(), name.into(), secret_key.into(), int(now)],
        )?;
        Ok(before == 0)
    }

    /// Makes `new_key` the shop's key; the current one stays valid until `previous_until`.
    pub fn rotate_key(&self, new_key: &str, previous_until: i64) -> Result<()> {
        self.sql.exec(
            "UPDATE shop SET previous_key = secret_key, previous_until = ?, secret_key = ?",
            vec![int(previous_until), new_key.into()],
        )?;
        Ok(())
    }

    /// Sets how far ahead a customer token of this shop may expire (seconds) and whether erased
    /// members may re-join (turning it on forgets every suppression entry).
    pub fn set_settings(&self, token_max_lifetime: i64, members_may_rejoin: bool) -> Result<()> {
        self.sql.exec(
            "UPDATE shop SET token_max_lifetime = ?, members_may_rejoin = ?",
            vec![int(token_max_lifetime), int(i64::from(members_may_rejoin))],
        )?;
        if members_may_rejoin {
            self.sql.exec("DELETE FROM erased", None)?;
            self.erased_known.set(None);
        }
        Ok(())
    }

    /// The program's JSON and version (ms), if the shop has one.
    pub fn program(&self) -> Result<Option<(String, i64)>> {
        #[derive(Deserialize)]
        struct Row {
            config: String,
            updated_at: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT config, updated_at FROM program", None)?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| (r.config, r.updated_at)))
    }

    /// Stores the program under a new version (`replace`: also over an existing one).
    pub fn put_program(
        &self,
        shop_id: &str,
        config: &str,
        version: i64,
        replace: bool,
    ) -> Result<()> {
        let verb = if replace {
            "INSERT"
        } else {
            "INSERT OR IGNORE"
        };
        let conflict = if replace {
            " ON CONFLICT(shop_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at"
        } else {
            ""
        };
        self.sql.exec(
            &format!(
                "{verb} INTO program (shop_id, config, updated_at) VALUES (?, ?, ?){conflict}"
            ),
            vec![shop_id.into(), config.into(), int(version)],
        )?;
        self.sql.exec(
            "INSERT OR IGNORE INTO program_versions (version) VALUES ((SELECT updated_at FROM program))",
            None,
        )?;
        self.sql.exec(
            "DELETE FROM program_versions WHERE version NOT IN
               (SELECT version FROM program_versions ORDER BY version DESC LIMIT ?)",
            vec![int(VERSIONS_KEPT)],
        )?;
        Ok(())
    }

    /// Recent program versions, newest first (the card snapshots a member may have in KV).
    pub fn program_versions(&self) -> Result<Vec<i64>> {
        #[derive(Deserialize)]
        struct Row {
            version: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT version FROM program_versions ORDER BY version DESC",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().map(|r| r.version).collect())
    }

    /// Converts `customer`'s version-1 document, if there is one: the member row and every row
    /// it held are written, the old rows deleted, and the shop's aggregates moved from the stats
    /// the first version counted to the converted account's (no `await` in between: atomic).
    fn migrate_member(&self, customer: &str) -> Result<Option<Account>> {
        if !self.has_legacy()? {
            return Ok(None);
        }
        #[derive(Deserialize)]
        struct Row {
            account: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT account FROM accounts WHERE customer_id = ?",
                vec![customer.into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let legacy: LegacyAccount = serde_json::from_str(&row.account)?;
        let (mut account, changes) = legacy.convert();
        let counted = crate::shop_stats::take_stored_stats(&self.sql, customer)?;
        let taken = self.count(
            "SELECT COUNT(*) AS n FROM members WHERE member_code = ?",
            vec![account.member_code.as_str().into()],
        )? > 0;
        if taken {
            // A code drawn twice by the first version, which had no UNIQUE index.
            account.member_code = format!("{}-{}", account.member_code, customer);
        }
        self.save_member(&account, changes, 0)?;
        self.sql.exec(
            "DELETE FROM accounts WHERE customer_id = ?",
            vec![customer.into()],
        )?;
        if self.has_table("coupons_v1")? {
            self.sql.exec(
                "DELETE FROM coupons_v1 WHERE customer_id = ?",
                vec![customer.into()],
            )?;
        }
        let mut stats = crate::shop_stats::Pending::default();
        stats.track(customer, counted.as_ref(), Some(&MemberStats::of(&account)));
        stats.flush(&self.sql)?;
        Ok(Some(account))
    }

    /// Members still in the version-1 shape (at most `limit`), for the alarm's migration slices;
    /// drops the old tables once none is left.
    pub fn legacy_members(&self, limit: usize) -> Result<Vec<String>> {
        if !self.has_legacy()? {
            return Ok(Vec::new());
        }
        let left = self.texts(
            "SELECT customer_id AS v FROM accounts LIMIT ?",
            vec![int(limit as i64)],
        )?;
        if left.is_empty() {
            for table in ["accounts", "coupons_v1", "member_stats"] {
                self.sql
                    .exec(&format!("DROP TABLE IF EXISTS {table}"), None)?;
            }
            self.forget_legacy();
        }
        Ok(left)
    }

    /// Migrates up to `limit` version-1 members; how many were migrated.
    pub fn migrate_legacy(&self, limit: usize) -> Result<usize> {
        let mut done = 0;
        for customer in self.legacy_members(limit)? {
            if self.migrate_member(&customer)?.is_some() {
                done += 1;
            }
        }
        Ok(done)
    }

    fn coupons_where(&self, clause: &str, args: Vec<SqlStorageValue>) -> Result<Vec<Coupon>> {
        #[derive(Deserialize)]
        struct Row {
            coupon: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(&format!("SELECT coupon FROM coupons WHERE {clause}"), args)?
            .to_array()?;
        rows.iter()
            .map(|r| serde_json::from_str(&r.coupon).map_err(ApiError::from))
            .collect()
    }

    /// The coupon with `code` and its member (migrating its member first if the code is only in
    /// the version-1 table).
    pub fn coupon(&self, code: &str) -> Result<Option<(String, Coupon)>> {
        if let Some(found) = self.stored_coupon(code)? {
            return Ok(Some(found));
        }
        if self.has_legacy()? && self.has_table("coupons_v1")? {
            let owner = self.texts(
                "SELECT customer_id AS v FROM coupons_v1 WHERE code = ?",
                vec![code.into()],
            )?;
            if let Some(owner) = owner.into_iter().next() {
                self.migrate_member(&owner)?;
                return self.stored_coupon(code);
            }
        }
        Ok(None)
    }

    fn stored_coupon(&self, code: &str) -> Result<Option<(String, Coupon)>> {
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
            coupon: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT customer_id, coupon FROM coupons WHERE code = ?",
                vec![code.into()],
            )?
            .to_array()?;
        match rows.into_iter().next() {
            Some(r) => Ok(Some((r.customer_id, serde_json::from_str(&r.coupon)?))),
            None => Ok(None),
        }
    }

    /// A member's newest coupons (at most `limit`), newest first; `before`: issued before that.
    pub fn member_coupons(&self, customer: &str, limit: usize) -> Result<Vec<Coupon>> {
        self.coupons_where(
            "customer_id = ? ORDER BY issued_at DESC, rowid DESC LIMIT ?",
            vec![customer.into(), int(limit as i64)],
        )
    }

    /// One page of a member's rows for the export, after the cursor `after` (a previous
    /// page's `next`): entries oldest first, order records by key, coupons in issue order.
    pub fn export_page(
        &self,
        customer: &str,
        part: crate::commands::ExportPart,
        after: Option<String>,
        limit: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>)> {
        use crate::commands::ExportPart;
        #[derive(Deserialize)]
        struct Row {
            cursor: String,
            item: String,
        }
        let query = match part {
            ExportPart::Entries => {
                "SELECT CAST(seq AS TEXT) AS cursor, json_object('at', at, 'kind', kind,
                   'points', points, 'stamps', stamps, 'order_id', order_id, 'note', note) AS item
                 FROM entries WHERE customer_id = ? AND seq > CAST(? AS INTEGER)
                 ORDER BY seq LIMIT ?"
            }
            ExportPart::Orders => {
                "SELECT order_key AS cursor, json_object('key', order_key, 'record', json(record)) AS item
                 FROM orders WHERE customer_id = ? AND order_key > ? ORDER BY order_key LIMIT ?"
            }
            ExportPart::Coupons => {
                "SELECT CAST(rowid AS TEXT) AS cursor, coupon AS item
                 FROM coupons WHERE customer_id = ? AND rowid > CAST(? AS INTEGER)
                 ORDER BY rowid LIMIT ?"
            }
        };
        let start = after.unwrap_or_else(|| match part {
            ExportPart::Orders => String::new(),
            _ => "-1".into(),
        });
        let rows: Vec<Row> = self
            .sql
            .exec(
                query,
                vec![customer.into(), start.into(), int(limit as i64)],
            )?
            .to_array()?;
        let next = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.cursor.clone()))
            .flatten();
        let items = rows
            .iter()
            .map(|r| {
                let mut item: serde_json::Value = serde_json::from_str(&r.item)?;
                if part == ExportPart::Orders {
                    // Stored compactly; exported whole.
                    let record: OrderRecord =
                        shared::compact::from_str(&item["record"].to_string())?;
                    item["record"] = serde_json::to_value(record)?;
                }
                Ok(item)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, next))
    }

    /// Deletes up to `limit` idempotency records created before `before`; how many went.
    pub fn purge_idempotency(&self, before: i64, limit: usize) -> Result<usize> {
        // Records are appended in time order, so the lowest rowids are the oldest: looking at
        // the first `limit` of them is a bounded read, and needs no index on `created_at` (one
        // less b-tree written per event). A record whose clock ran behind waits a little longer.
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            created_at: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT rowid AS id, created_at FROM idempotency ORDER BY rowid LIMIT ?",
                vec![int(limit as i64)],
            )?
            .to_array()?;
        let old: Vec<i64> = rows
            .into_iter()
            .filter(|r| r.created_at < before)
            .map(|r| r.id)
            .collect();
        self.exec_rows(
            "DELETE FROM idempotency WHERE rowid IN (SELECT value FROM json_each(?))",
            &old,
        )?;
        Ok(old.len())
    }

    // ---- snapshots waiting ----

    /// The program version `customer`'s card snapshot was last written under (0: never).
    /// [`Storage::mark_stale`] for many members in one statement (the batch route).
    pub fn mark_all_stale<'c>(
        &self,
        customers: impl IntoIterator<Item = &'c String>,
        version: i64,
    ) -> Result<()> {
        let customers: Vec<&String> = customers.into_iter().collect();
        for chunk in customers.chunks(1_000) {
            self.sql.exec(
                "INSERT OR IGNORE INTO kv_pending (customer_id)
                 SELECT customer_id FROM members WHERE snapshot_version = ?
                   AND customer_id IN (SELECT value FROM json_each(?))",
                vec![int(version), serde_json::to_string(chunk)?.into()],
            )?;
        }
        Ok(())
    }

    pub fn snapshot_version(&self, customer: &str) -> Result<i64> {
        self.count(
            "SELECT COALESCE(MAX(snapshot_version), 0) AS n FROM members WHERE customer_id = ?",
            vec![customer.into()],
        )
    }

    /// Records that `customer`'s card snapshot is (about to be) written under `version`.
    pub fn set_snapshot_version(&self, customer: &str, version: i64) -> Result<()> {
        self.sql.exec(
            "UPDATE members SET snapshot_version = ? WHERE customer_id = ?",
            vec![int(version), customer.into()],
        )?;
        Ok(())
    }

    /// Takes up to `limit` members whose snapshot waits.
    pub fn take_pending(&self, limit: usize) -> Result<Vec<String>> {
        let customers = self.texts(
            "SELECT customer_id AS v FROM kv_pending LIMIT ?",
            vec![int(limit as i64)],
        )?;
        for c in &customers {
            self.sql.exec(
                "DELETE FROM kv_pending WHERE customer_id = ?",
                vec![c.as_str().into()],
            )?;
        }
        Ok(customers)
    }

    pub fn any_pending(&self) -> Result<bool> {
        Ok(self.count(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM kv_pending LIMIT 1)",
            vec![],
        )? > 0)
    }

    /// Every member id (seeding republishes them); bounded by the caller's use (demo shops).
    pub fn member_ids(&self, limit: usize) -> Result<Vec<String>> {
        self.texts(
            "SELECT customer_id AS v FROM members LIMIT ?",
            vec![int(limit as i64)],
        )
    }
}

/// Serializes `rows` as JSON arrays of at most [`JSON_ARGUMENT_BYTES`] each: the arguments of
/// multi-row statements over `json_each` (a string argument may not exceed 2 MB).
fn json_arrays<T: serde::Serialize>(rows: impl IntoIterator<Item = T>) -> Result<Vec<String>> {
    let mut arrays = Vec::new();
    let mut current = String::from("[");
    for row in rows {
        let row = serde_json::to_string(&row)?;
        if current.len() > 1 && current.len() + row.len() + 2 > JSON_ARGUMENT_BYTES {
            current.push(']');
            arrays.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&row);
    }
    if current.len() > 1 {
        current.push(']');
        arrays.push(current);
    }
    Ok(arrays)
}

impl Store {
    /// Runs `statement` once for each JSON array of `rows` (its one argument).
    fn exec_rows<T: serde::Serialize>(
        &self,
        statement: &str,
        rows: impl IntoIterator<Item = T>,
    ) -> Result<()> {
        for array in json_arrays(rows)? {
            self.sql.exec(statement, vec![array.into()])?;
        }
        Ok(())
    }
}

impl Storage for Store {
    // ---- members ----

    fn member(&self, customer: &str) -> Result<Option<(Account, i64)>> {
        #[derive(Deserialize)]
        struct Row {
            state: String,
            snapshot_version: i64,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT state, snapshot_version FROM members WHERE customer_id = ?",
                vec![customer.into()],
            )?
            .to_array()?;
        if let Some(row) = rows.into_iter().next() {
            return Ok(Some((
                serde_json::from_str(&row.state)?,
                row.snapshot_version,
            )));
        }
        Ok(self.migrate_member(customer)?.map(|a| (a, 0)))
    }

    /// The member who holds `code`, if any (the UNIQUE index).
    fn member_code_owner(&self, code: &str) -> Result<Option<String>> {
        let owner = self
            .texts(
                "SELECT customer_id AS v FROM members WHERE member_code = ?",
                vec![code.into()],
            )?
            .into_iter()
            .next();
        if owner.is_some() || !self.has_legacy()? {
            return Ok(owner);
        }
        // A member still in a version-1 document: found by its JSON, then migrated.
        let legacy = self.texts(
            "SELECT customer_id AS v FROM accounts WHERE json_extract(account, '$.member_code') = ?",
            vec![code.into()],
        )?;
        match legacy.into_iter().next() {
            Some(customer) => Ok(self.migrate_member(&customer)?.map(|_| customer)),
            None => Ok(None),
        }
    }

    /// Whether a coupon with `code` is stored.
    fn coupon_code_taken(&self, code: &str) -> Result<bool> {
        Ok(self.count(
            "SELECT COUNT(*) AS n FROM coupons WHERE code = ?",
            vec![code.into()],
        )? > 0)
    }

    /// Writes the member row and the rows the last events produced.
    fn save_member(&self, account: &Account, changes: Changes, now: i64) -> Result<()> {
        let customer = account.customer_id.as_str();
        if let Some(answer) = &changes.feedback {
            super::feedback::save(&self.sql, customer, answer)?;
        }
        self.sql.exec(
            "INSERT INTO members (customer_id, member_code, state, updated_at, expiry_day)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(customer_id) DO UPDATE SET
               state = excluded.state, updated_at = excluded.updated_at,
               expiry_day = excluded.expiry_day",
            vec![
                customer.into(),
                account.member_code.as_str().into(),
                serde_json::to_string(account)?.into(),
                int(now),
                account
                    .first_expiry_day()
                    .map_or(SqlStorageValue::Null, int),
            ],
        )?;
        for (seq, e) in changes.entries {
            self.sql.exec(
                "INSERT INTO entries (customer_id, seq, at, kind, points, stamps, order_id, note)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    customer.into(),
                    int(seq),
                    int(e.at),
                    e.kind.as_ref().into(),
                    int(e.points),
                    int(e.stamps),
                    e.order_id.into(),
                    e.note.into(),
                ],
            )?;
        }
        for (key, record) in changes.orders {
            self.sql.exec(
                "INSERT INTO orders (customer_id, order_key, record) VALUES (?, ?, ?)
                 ON CONFLICT(customer_id, order_key) DO UPDATE SET record = excluded.record",
                vec![
                    customer.into(),
                    key.into(),
                    shared::compact::to_string(&record)?.into(),
                ],
            )?;
        }
        for coupon in changes.coupons {
            self.sql.exec(
                "INSERT INTO coupons (code, customer_id, caused_by, status, issued_at, coupon)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT(code) DO UPDATE SET status = excluded.status, coupon = excluded.coupon",
                vec![
                    coupon.code.as_str().into(),
                    customer.into(),
                    coupon.caused_by.clone().into(),
                    coupon.status.as_str().into(),
                    int(coupon.issued_at),
                    serde_json::to_string(&coupon)?.into(),
                ],
            )?;
        }
        Ok(())
    }

    /// The rows `needs` names for `customer`.
    fn rows(&self, customer: &str, needs: Needs) -> Result<Rows> {
        #[derive(Deserialize)]
        struct Record {
            record: String,
        }
        let mut rows = Rows::default();
        if let Some(key) = &needs.order {
            let found: Vec<Record> = self
                .sql
                .exec(
                    "SELECT record FROM orders WHERE customer_id = ? AND order_key = ?",
                    vec![customer.into(), key.as_str().into()],
                )?
                .to_array()?;
            if let Some(r) = found.into_iter().next() {
                rows.order = Some(shared::compact::from_str::<OrderRecord>(&r.record)?);
            }
            if needs.order_coupons {
                rows.order_coupons = self.coupons_where(
                    "customer_id = ? AND caused_by = ? ORDER BY issued_at, rowid",
                    vec![customer.into(), key.as_str().into()],
                )?;
            }
        }
        if let Some(code) = needs.coupon {
            rows.coupon = self
                .coupons_where(
                    "customer_id = ? AND code = ?",
                    vec![customer.into(), code.into()],
                )?
                .into_iter()
                .next();
        }
        Ok(rows)
    }

    /// A member's entries, newest first: at most `limit` with a sequence below `before`.
    fn entries(
        &self,
        customer: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Entry)>> {
        #[derive(Deserialize)]
        struct Row {
            seq: i64,
            at: i64,
            kind: String,
            points: i64,
            stamps: i64,
            order_id: Option<String>,
            note: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT seq, at, kind, points, stamps, order_id, note FROM entries
                 WHERE customer_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                vec![
                    customer.into(),
                    int(before.map_or(MAX_SAFE, |b| b as i64)),
                    int(limit as i64),
                ],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.seq as u64,
                    Entry {
                        at: r.at,
                        kind: r.kind.into(),
                        points: r.points,
                        stamps: r.stamps,
                        order_id: r.order_id,
                        note: r.note,
                    },
                )
            })
            .collect())
    }

    // ---- idempotency ----

    fn idempotency(&self, key: &str) -> Result<Option<IdemRecord>> {
        let rows: Vec<IdemRecord> = self
            .sql
            .exec(
                "SELECT body_hash, body, full FROM idempotency WHERE key = ?",
                vec![key.into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    fn remember(&self, r: NewRecord) -> Result<()> {
        self.sql.exec(
            "INSERT INTO idempotency (key, body_hash, status, body, created_at, customer_id, full)
             VALUES (?, ?, 200, ?, ?, ?, ?)",
            vec![
                r.key.into(),
                r.body_hash.into(),
                r.body.into(),
                int(r.now),
                r.customer.into(),
                int(i64::from(r.full)),
            ],
        )?;
        Ok(())
    }

    /// Marks `customer`'s card snapshot for the alarm to rewrite — if KV holds one under the
    /// current program `version` (a member whose card nobody has read has none to keep fresh).
    fn mark_stale(&self, customer: &str, version: i64) -> Result<()> {
        self.sql.exec(
            "INSERT OR IGNORE INTO kv_pending (customer_id)
             SELECT customer_id FROM members WHERE customer_id = ? AND snapshot_version = ?",
            vec![customer.into(), int(version)],
        )?;
        Ok(())
    }

    // ---- erasure ----

    /// Deletes every row of `customer`: member, entries, orders, coupons, idempotency records
    /// (whose stored answers hold their card), a waiting snapshot, an unmigrated document.
    fn erase(&self, customer: &str) -> Result<()> {
        for table in [
            "members",
            "entries",
            "orders",
            "coupons",
            "idempotency",
            "kv_pending",
            "webhook_outbox",
        ] {
            self.sql.exec(
                &format!("DELETE FROM {table} WHERE customer_id = ?"),
                vec![customer.into()],
            )?;
        }
        super::feedback::erase(&self.sql, customer)?;
        // Records written by the first version carry no member column: their answer names it.
        self.sql.exec(
            "DELETE FROM idempotency WHERE customer_id IS NULL
               AND json_valid(body) AND json_extract(body, '$.customer_id') = ?",
            vec![customer.into()],
        )?;
        for table in ["accounts", "coupons_v1"] {
            if self.has_table(table)? {
                self.sql.exec(
                    &format!("DELETE FROM {table} WHERE customer_id = ?"),
                    vec![customer.into()],
                )?;
            }
        }
        Ok(())
    }

    fn is_suppressed(&self, customer: &str) -> Result<bool> {
        if self.erased_known.get() == Some(false) {
            return Ok(false);
        }
        if self.erased_known.get().is_none() {
            let any = self.count(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM erased LIMIT 1)",
                vec![],
            )?;
            self.erased_known.set(Some(any > 0));
            if any == 0 {
                return Ok(false);
            }
        }
        let key = shared::ids::suppression_key(customer);
        Ok(self.count(
            "SELECT COUNT(*) AS n FROM erased WHERE id_hash = ?",
            vec![key.into()],
        )? > 0)
    }

    fn suppress(&self, customer: &str, suppressed: bool, now: i64) -> Result<()> {
        let key = shared::ids::suppression_key(customer);
        if suppressed {
            self.sql.exec(
                "INSERT OR REPLACE INTO erased (id_hash, erased_at) VALUES (?, ?)",
                vec![key.into(), int(now)],
            )?;
        } else {
            self.sql
                .exec("DELETE FROM erased WHERE id_hash = ?", vec![key.into()])?;
        }
        // Unknown again: a rolled-back transaction must not leave a wrong answer cached.
        self.erased_known.set(None);
        Ok(())
    }

    fn members_in(&self, customers: &[&str]) -> Result<Vec<(String, Account, i64)>> {
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
            state: String,
            snapshot_version: i64,
        }
        let mut found = Vec::new();
        for array in json_arrays(customers)? {
            let rows: Vec<Row> = self
                .sql
                .exec(
                    "SELECT m.customer_id, m.state, m.snapshot_version
                     FROM json_each(?) AS j CROSS JOIN members AS m ON m.customer_id = j.value",
                    vec![array.into()],
                )?
                .to_array()?;
            for row in rows {
                let account = serde_json::from_str(&row.state)?;
                found.push((row.customer_id, account, row.snapshot_version));
            }
        }
        if self.has_legacy()? {
            // Members still in version-1 documents: migrated one by one, as on first touch.
            let stored: std::collections::HashSet<String> =
                found.iter().map(|(c, _, _)| c.clone()).collect();
            for customer in customers.iter().filter(|c| !stored.contains(**c)) {
                if let Some((account, version)) = self.member(customer)? {
                    found.push((customer.to_string(), account, version));
                }
            }
        }
        Ok(found)
    }

    fn idempotency_in(&self, keys: &[&str]) -> Result<Vec<(String, IdemRecord)>> {
        #[derive(Deserialize)]
        struct Row {
            key: String,
            body_hash: String,
            body: String,
            full: i64,
        }
        let mut found = Vec::new();
        for array in json_arrays(keys)? {
            let rows: Vec<Row> = self
                .sql
                .exec(
                    "SELECT i.key, i.body_hash, i.body, i.full
                     FROM json_each(?) AS j CROSS JOIN idempotency AS i ON i.key = j.value",
                    vec![array.into()],
                )?
                .to_array()?;
            found.extend(rows.into_iter().map(|r| {
                let record = IdemRecord {
                    body_hash: r.body_hash,
                    body: r.body,
                    full: r.full,
                };
                (r.key, record)
            }));
        }
        Ok(found)
    }

    fn orders_in(&self, keys: &[(String, String)]) -> Result<Vec<(String, String, OrderRecord)>> {
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
            order_key: String,
            record: String,
        }
        let mut found = Vec::new();
        for array in json_arrays(keys)? {
            let rows: Vec<Row> = self
                .sql
                .exec(
                    "SELECT o.customer_id, o.order_key, o.record
                     FROM json_each(?) AS j CROSS JOIN orders AS o
                     ON o.customer_id = j.value ->> 0 AND o.order_key = j.value ->> 1",
                    vec![array.into()],
                )?
                .to_array()?;
            for r in rows {
                let record = shared::compact::from_str(&r.record)?;
                found.push((r.customer_id, r.order_key, record));
            }
        }
        Ok(found)
    }

    /// One upsert of the members (each member's last state), then one insert or upsert per
    /// table of everything the batch appended — JSON arrays through `json_each`.
    fn save_all(
        &self,
        saves: Vec<(Account, Changes, i64)>,
        records: Vec<StoredRecord>,
    ) -> Result<()> {
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, (account, _, _)) in saves.iter().enumerate() {
            last.insert(account.customer_id.as_str(), i);
        }
        let mut newest: Vec<usize> = last.into_values().collect();
        newest.sort_unstable();
        self.exec_rows(
            "INSERT INTO members (customer_id, member_code, state, updated_at, expiry_day)
             SELECT value ->> 0, value ->> 1, value -> 2, value ->> 3, value ->> 4
             FROM json_each(?) WHERE true
             ON CONFLICT(customer_id) DO UPDATE SET
               state = excluded.state, updated_at = excluded.updated_at,
               expiry_day = excluded.expiry_day",
            newest.iter().map(|&i| {
                let (account, _, now) = &saves[i];
                let expiry_day = account.first_expiry_day();
                (
                    &account.customer_id,
                    &account.member_code,
                    account,
                    now,
                    expiry_day,
                )
            }),
        )?;
        let changes = || saves.iter().map(|(a, c, _)| (a.customer_id.as_str(), c));
        for (customer, c) in changes() {
            if let Some(answer) = &c.feedback {
                super::feedback::save(&self.sql, customer, answer)?;
            }
        }
        self.exec_rows(
            "INSERT INTO entries (customer_id, seq, at, kind, points, stamps, order_id, note)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
               value ->> 6, value ->> 7 FROM json_each(?)",
            changes().flat_map(|(customer, c)| {
                c.entries.iter().map(move |(seq, e)| {
                    let kind: &str = e.kind.as_ref();
                    (
                        customer,
                        seq,
                        e.at,
                        kind,
                        e.points,
                        e.stamps,
                        &e.order_id,
                        &e.note,
                    )
                })
            }),
        )?;
        self.exec_rows(
            "INSERT INTO orders (customer_id, order_key, record)
             SELECT value ->> 0, value ->> 1, value -> 2 FROM json_each(?) WHERE true
             ON CONFLICT(customer_id, order_key) DO UPDATE SET record = excluded.record",
            changes().flat_map(|(customer, c)| {
                c.orders
                    .iter()
                    .map(move |(key, record)| (customer, key, Compact(record)))
            }),
        )?;
        self.exec_rows(
            "INSERT INTO coupons (code, customer_id, caused_by, status, issued_at, coupon)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value -> 5
             FROM json_each(?) WHERE true
             ON CONFLICT(code) DO UPDATE SET status = excluded.status, coupon = excluded.coupon",
            changes().flat_map(|(customer, c)| {
                c.coupons.iter().map(move |coupon| {
                    let status: &str = coupon.status.as_str();
                    (
                        &coupon.code,
                        customer,
                        &coupon.caused_by,
                        status,
                        coupon.issued_at,
                        coupon,
                    )
                })
            }),
        )?;
        self.exec_rows(
            "INSERT INTO idempotency (key, body_hash, status, body, created_at, customer_id, full)
             SELECT value ->> 0, value ->> 1, 200, value ->> 2, value ->> 3, value ->> 4,
               value ->> 5 FROM json_each(?)",
            records.iter().map(|r| {
                (
                    &r.key,
                    &r.body_hash,
                    &r.body,
                    r.now,
                    &r.customer,
                    i64::from(r.full),
                )
            }),
        )
    }

    fn flush_stats(&self, stats: Pending) -> Result<()> {
        stats.flush(&self.sql)
    }

    fn has_webhooks(&self) -> Result<bool> {
        self.any_webhooks()
    }

    fn enqueue_webhook_events(
        &self,
        shop: &str,
        customer: &str,
        events: &[shared::webhooks::Outgoing],
        now: i64,
    ) -> Result<()> {
        self.queue_webhook_events(shop, customer, events, now)
    }
}
