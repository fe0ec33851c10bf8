//! The ledger object's analytics tables: per-member stats and the shop's incremental aggregates
//! (`shared::analytics` computes what changes; this module only stores it).
//!
//! Every member save records its stats change in a [`Pending`] that is flushed inside the same
//! transaction as the save, so the aggregates commit together with the ledger: they can never
//! drift from it. A command writes each touched aggregate row once, whatever the number of
//! members or events; a report reads bounded tables.

use crate::problem::ApiError;
use serde::Deserialize;
use shared::analytics::{self, Aggregates, Counter, Key, MemberStats};
use shared::time::DAY;
use std::collections::HashMap;
use worker::SqlStorage;

/// Tables (created with the object's schema). Version 1 also had `member_stats` (each member's
/// stats as last counted); members now carry their totals, so it is read once, on migration.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS aggregates (
    kind INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
    members INTEGER NOT NULL, revenue INTEGER NOT NULL, PRIMARY KEY (kind, a, b));
CREATE TABLE IF NOT EXISTS birthdays (customer_id TEXT PRIMARY KEY, md INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS birthdays_by_day ON birthdays (md);
";

/// Rows written by one multi-row statement (its JSON argument stays far below 2 MB).
const ROWS_PER_STATEMENT: usize = 2_000;

const COUNTER: i64 = 0;
const ACTIVITY: i64 = 1;
const SPEND: i64 = 2;
const RECENCY: i64 = 3;
/// The last day (days since the epoch, in `a`) the birthday run credited birthdays.
const BIRTHDAY_RUN: i64 = 8;

type Result<T> = std::result::Result<T, ApiError>;

fn row_key(key: Key) -> (i64, i64, i64) {
    match key {
        Key::Counter(c) => (COUNTER, c as i64, 0),
        Key::Activity(day) => (ACTIVITY, day, 0),
        Key::Spend(bucket) => (SPEND, i64::from(bucket), 0),
        Key::Recency(day, f) => (RECENCY, day, i64::from(f)),
    }
}

/// The stats a version-1 object counted for `customer` (its `member_stats` row), taken out.
pub fn take_stored_stats(sql: &SqlStorage, customer: &str) -> Result<Option<MemberStats>> {
    #[derive(Deserialize)]
    struct Row {
        stats: String,
    }
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let exists: Vec<Count> = sql
        .exec(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'member_stats'",
            None,
        )?
        .to_array()?;
    if exists.first().is_none_or(|c| c.n == 0) {
        return Ok(None);
    }
    let rows: Vec<Row> = sql
        .exec(
            "SELECT stats FROM member_stats WHERE customer_id = ?",
            vec![customer.into()],
        )?
        .to_array()?;
    sql.exec(
        "DELETE FROM member_stats WHERE customer_id = ?",
        vec![customer.into()],
    )?;
    match rows.into_iter().next() {
        Some(row) => Ok(Some(serde_json::from_str(&row.stats)?)),
        None => Ok(None),
    }
}

/// Sums aggregate changes over many saves, so a batch writes each touched row once.
#[derive(Default)]
pub struct Pending {
    changes: HashMap<(i64, i64, i64), (i64, i64)>,
    birthdays: Vec<(String, Option<(u8, u8)>)>,
}

impl Pending {
    /// Records that the member counted as `old` is now `new` (`None`: not a member).
    pub fn track(&mut self, customer: &str, old: Option<&MemberStats>, new: Option<&MemberStats>) {
        if old == new {
            return;
        }
        for (key, members, revenue) in analytics::changes(old, new) {
            let e = self.changes.entry(row_key(key)).or_default();
            e.0 += members;
            e.1 += revenue;
        }
        let (was, is) = (old.and_then(|s| s.birthday), new.and_then(|s| s.birthday));
        if was != is {
            self.birthdays.push((customer.to_owned(), is));
        }
    }

    /// Applies the summed changes to in-memory tables, as [`Pending::flush`] does in SQL (the
    /// native tests' store).
    #[cfg(test)]
    pub fn apply_to(
        self,
        aggregates: &mut HashMap<(i64, i64, i64), (i64, i64)>,
        birthdays: &mut std::collections::BTreeMap<String, i64>,
    ) {
        for (key, (members, revenue)) in self.changes {
            let row = aggregates.entry(key).or_default();
            row.0 += members;
            row.1 += revenue;
            if key.0 != COUNTER && *row == (0, 0) {
                aggregates.remove(&key);
            }
        }
        for (customer, birthday) in self.birthdays {
            match birthday {
                Some((m, d)) => birthdays.insert(customer, i64::from(m) * 100 + i64::from(d)),
                None => birthdays.remove(&customer),
            };
        }
    }

    /// Writes the summed changes (inside the caller's transaction): all aggregate rows in one
    /// upsert over a JSON array (`json_each`), so a batch costs a few statements, not one per row.
    pub fn flush(self, sql: &SqlStorage) -> Result<()> {
        let rows: Vec<[i64; 5]> = self
            .changes
            .into_iter()
            .filter(|(_, change)| *change != (0, 0))
            .map(|((kind, a, b), (members, revenue))| [kind, a, b, members, revenue])
            .collect();
        // Only a decrease can empty a row (counters stay, even at zero).
        let emptied: Vec<[i64; 3]> = rows
            .iter()
            .filter(|r| r[0] != COUNTER && (r[3] < 0 || r[4] < 0))
            .map(|r| [r[0], r[1], r[2]])
            .collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sql.exec(
                "INSERT INTO aggregates (kind, a, b, members, revenue)
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
                 FROM json_each(?) WHERE true
                 ON CONFLICT (kind, a, b) DO UPDATE SET
                   members = members + excluded.members, revenue = revenue + excluded.revenue",
                vec![serde_json::to_string(chunk)?.into()],
            )?;
        }
        for chunk in emptied.chunks(ROWS_PER_STATEMENT) {
            sql.exec(
                "DELETE FROM aggregates WHERE members = 0 AND revenue = 0
                   AND (kind, a, b) IN (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))",
                vec![serde_json::to_string(chunk)?.into()],
            )?;
        }
        for (customer, birthday) in self.birthdays {
            match birthday {
                Some((m, d)) => sql.exec(
                    "INSERT OR REPLACE INTO birthdays (customer_id, md) VALUES (?, ?)",
                    vec![customer.into(), (i64::from(m) * 100 + i64::from(d)).into()],
                )?,
                None => sql.exec(
                    "DELETE FROM birthdays WHERE customer_id = ?",
                    vec![customer.into()],
                )?,
            };
        }
        Ok(())
    }
}

/// Reads what a report needs at `now`: counters, the last 90 days of activity, the spend
/// histogram, the recency cells and the birthdays of the next 14 days.
pub fn aggregates(sql: &SqlStorage, now: i64) -> Result<Aggregates> {
    #[derive(Deserialize)]
    struct Row {
        kind: i64,
        a: i64,
        b: i64,
        members: i64,
        revenue: i64,
    }
    let today = now.div_euclid(DAY);
    let rows: Vec<Row> = sql
        .exec(
            "SELECT kind, a, b, members, revenue FROM aggregates
             WHERE kind IN (?, ?, ?) OR (kind = ? AND a > ?)",
            vec![
                COUNTER.into(),
                SPEND.into(),
                RECENCY.into(),
                ACTIVITY.into(),
                (today - 90).into(),
            ],
        )?
        .to_array()?;
    let mut agg = Aggregates::default();
    for r in rows {
        match r.kind {
            COUNTER => {
                if let Some(c) = Counter::ALL.get(r.a as usize) {
                    agg.counters.push((*c, r.members));
                }
            }
            ACTIVITY => agg.activity.push((r.a, r.members)),
            SPEND => agg.spend.push((r.a as u32, r.members, r.revenue)),
            RECENCY => agg.recency.push((r.a, r.b as u8, r.members, r.revenue)),
            _ => {}
        }
    }
    #[derive(Deserialize)]
    struct Birthday {
        customer_id: String,
        md: i64,
    }
    let days: Vec<String> = analytics::coming_days(now, 14)
        .iter()
        .map(|(m, d)| (i64::from(*m) * 100 + i64::from(*d)).to_string())
        .collect();
    // The 14 values are integers we formatted ourselves, so inlining them is safe.
    let query = format!(
        "SELECT customer_id, md FROM birthdays WHERE md IN ({}) ORDER BY md LIMIT 200",
        days.join(",")
    );
    let birthdays: Vec<Birthday> = sql.exec(&query, None)?.to_array()?;
    // Order by how soon (the year may wrap inside the window).
    let soon = |md: i64| days.iter().position(|d| *d == md.to_string()).unwrap_or(99);
    let mut birthdays: Vec<(String, u8, u8)> = birthdays
        .into_iter()
        .map(|b| (b.customer_id, (b.md / 100) as u8, (b.md % 100) as u8))
        .collect();
    birthdays.sort_by_key(|(_, m, d)| soon(i64::from(*m) * 100 + i64::from(*d)));
    agg.birthdays = birthdays;
    Ok(agg)
}

/// Whether today's daily run (birthdays) is still to do; records that it is being done.
pub fn daily_run_due(sql: &SqlStorage, now: i64) -> Result<bool> {
    #[derive(Deserialize)]
    struct Last {
        a: i64,
    }
    let today = now.div_euclid(DAY);
    let last: Vec<Last> = sql
        .exec(
            "SELECT a FROM aggregates WHERE kind = ?",
            vec![BIRTHDAY_RUN.into()],
        )?
        .to_array()?;
    if last.first().is_some_and(|l| l.a >= today) {
        return Ok(false);
    }
    sql.exec(
        "DELETE FROM aggregates WHERE kind = ?",
        vec![BIRTHDAY_RUN.into()],
    )?;
    sql.exec(
        "INSERT INTO aggregates (kind, a, b, members, revenue) VALUES (?, ?, 0, 0, 0)",
        vec![BIRTHDAY_RUN.into(), today.into()],
    )?;
    Ok(true)
}

/// Local dev and tests only: forgets that today's daily run happened.
pub fn forget_daily_run(sql: &SqlStorage) -> Result<()> {
    sql.exec(
        "DELETE FROM aggregates WHERE kind = ?",
        vec![BIRTHDAY_RUN.into()],
    )?;
    Ok(())
}

/// The members whose birthday falls on the day of `at`, with that month and day.
pub fn birthdays_on_day(sql: &SqlStorage, at: i64) -> Result<Vec<(String, u8, u8)>> {
    #[derive(Deserialize)]
    struct Row {
        customer_id: String,
    }
    let mut customers = Vec::new();
    for (m, d) in analytics::birthdays_on(at) {
        let rows: Vec<Row> = sql
            .exec(
                "SELECT customer_id FROM birthdays WHERE md = ?",
                vec![(i64::from(m) * 100 + i64::from(d)).into()],
            )?
            .to_array()?;
        customers.extend(rows.into_iter().map(|r| (r.customer_id, m, d)));
    }
    Ok(customers)
}
