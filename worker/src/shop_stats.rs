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
CREATE TABLE IF NOT EXISTS occasions (
    customer_id TEXT NOT NULL, slot INTEGER NOT NULL, md INTEGER NOT NULL,
    PRIMARY KEY (customer_id, slot)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occasions_by_day ON occasions (md);
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
/// A member's occasions: `(slot, month, day)`.
type Occasions = Vec<(u8, u8, u8)>;

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
    /// Members whose occasions changed, with all of them now (none: erased).
    occasions: Vec<(String, Occasions)>,
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
        let (was, is) = (
            old.map(|s| s.occasions.as_slice()).unwrap_or_default(),
            new.map(|s| s.occasions.as_slice()).unwrap_or_default(),
        );
        if was != is {
            self.occasions.push((customer.to_owned(), is.to_vec()));
        }
    }

    /// Applies the summed changes to in-memory tables, as [`Pending::flush`] does in SQL (the
    /// native tests' store).
    #[cfg(test)]
    pub fn apply_to(
        mut self,
        aggregates: &mut HashMap<(i64, i64, i64), (i64, i64)>,
        birthdays: &mut std::collections::BTreeMap<String, i64>,
        occasions: &mut std::collections::BTreeMap<(String, u8), i64>,
    ) {
        for (customer, all) in self.occasions.drain(..) {
            occasions.retain(|(c, _), _| *c != customer);
            for (slot, m, d) in all {
                occasions.insert((customer.clone(), slot), md(m, d));
            }
        }
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
        let changed: Vec<&str> = self.occasions.iter().map(|(c, _)| c.as_str()).collect();
        for chunk in changed.chunks(ROWS_PER_STATEMENT) {
            sql.exec(
                "DELETE FROM occasions WHERE customer_id IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(chunk)?.into()],
            )?;
        }
        let rows: Vec<(&str, u8, i64)> = self
            .occasions
            .iter()
            .flat_map(|(c, all)| {
                all.iter()
                    .map(move |(slot, m, d)| (c.as_str(), *slot, md(*m, *d)))
            })
            .collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            sql.exec(
                "INSERT OR REPLACE INTO occasions (customer_id, slot, md)
                 SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
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

/// A month and day as the tables key them: `month × 100 + day`.
fn md(month: u8, day: u8) -> i64 {
    i64::from(month) * 100 + i64::from(day)
}

/// The members' occasions (`(customer, slot)`) celebrated on the day of `at` (29 February on
/// 1 March of a year without one).
pub fn occasions_on_day(sql: &SqlStorage, at: i64) -> Result<Vec<(String, u8, u8, u8)>> {
    #[derive(Deserialize)]
    struct Row {
        customer_id: String,
        slot: i64,
    }
    let mut found = Vec::new();
    for (m, d) in analytics::birthdays_on(at) {
        let rows: Vec<Row> = sql
            .exec(
                "SELECT customer_id, slot FROM occasions WHERE md = ?",
                vec![md(m, d).into()],
            )?
            .to_array()?;
        found.extend(
            rows.into_iter()
                .map(|r| (r.customer_id, r.slot.clamp(0, 3) as u8, m, d)),
        );
    }
    Ok(found)
}

/// The most occasions one list holds.
pub const UPCOMING_MAX: usize = 1_000;

/// Birthdays and occasions of the `days` days from `now`, soonest first, with the members'
/// codes: at most [`UPCOMING_MAX`] (and whether there were more).
pub fn upcoming(sql: &SqlStorage, now: i64, days: i64) -> Result<shared::occasions::UpcomingList> {
    use shared::occasions::{kind_of, Upcoming, UpcomingList, MEMBERSHIP};
    #[derive(Deserialize)]
    struct Row {
        customer_id: String,
        slot: i64,
        md: i64,
        member_code: String,
        state: Option<String>,
    }
    // Each day of the window with its month-day key; 29 February counts on 1 March in other
    // years.
    let mut window: Vec<(i64, i64)> = Vec::new();
    for i in 0..days {
        let at = now + i * DAY;
        for (m, d) in analytics::birthdays_on(at) {
            window.push((md(m, d), at));
        }
    }
    let keys: Vec<String> = window.iter().map(|(k, _)| k.to_string()).collect();
    // The keys are integers we formatted ourselves, so inlining them is safe.
    let query = format!(
        "SELECT b.customer_id, -1 AS slot, b.md, m.member_code, NULL AS state
           FROM birthdays b JOIN members m USING (customer_id) WHERE b.md IN ({keys})
         UNION ALL
         SELECT o.customer_id, o.slot, o.md, m.member_code, m.state
           FROM occasions o JOIN members m USING (customer_id) WHERE o.md IN ({keys})
         LIMIT {}",
        UPCOMING_MAX * 2 + 1,
        keys = keys.join(",")
    );
    let rows: Vec<Row> = sql.exec(&query, None)?.to_array()?;
    let mut list: Vec<(usize, Upcoming)> = Vec::new();
    for r in rows {
        let Some(position) = window.iter().position(|(k, _)| *k == r.md) else {
            continue;
        };
        let on = window[position].1;
        let day = shared::time::rfc3339(on)[..10].to_owned();
        let mut item = Upcoming {
            on: day,
            kind: "birthday".into(),
            customer_id: r.customer_id,
            member_code: r.member_code,
            label: None,
            years: None,
        };
        if r.slot >= 0 {
            let slot = r.slot as u8;
            let account: Option<shared::ledger::Account> = r
                .state
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            let Some(account) = account else { continue };
            item.kind = kind_of(slot).into();
            if slot == MEMBERSHIP {
                let years = shared::time::year_of(on) - shared::time::year_of(account.joined_at);
                if years < 1 {
                    continue;
                }
                item.years = Some(years);
            } else {
                let Some(date) = account.dates.get(usize::from(slot) - 1) else {
                    continue;
                };
                item.label = Some(date.label.clone());
            }
        }
        list.push((position, item));
    }
    list.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.customer_id.cmp(&y.customer_id)));
    let truncated = list.len() > UPCOMING_MAX;
    list.truncate(UPCOMING_MAX);
    Ok(UpcomingList {
        occasions: list.into_iter().map(|(_, u)| u).collect(),
        truncated,
    })
}
