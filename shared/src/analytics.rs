//! Shop analytics kept as incremental aggregates, so a shop of a million members answers in
//! milliseconds.
//!
//! Each time a member's account is saved, the ledger object computes the member's [`MemberStats`]
//! (from that one account) and applies [`changes`] between the stats it stored last time and the
//! new ones: a handful of counter increments and moves between buckets — O(1) in the number of
//! members. [`report`] turns the aggregates into what the console shows; it reads only bounded
//! tables (days, spend buckets, recency cells), never the members.

use crate::api::{Analytics, BirthdaySoon, ParetoPoint, PointsTotals, Segment};
use crate::ledger::Account;
use crate::program::Program;
use crate::time::{Timestamp, DAY};

/// What one member contributes to the shop's aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberStats {
    /// Day (days since the epoch) of the member's latest ledger entry or of joining.
    pub last_active_day: i64,
    /// Orders not fully refunded.
    pub orders: u32,
    /// Day of the latest order not fully refunded.
    pub last_order_day: Option<i64>,
    /// Paid minus refunded, in minor units.
    pub revenue_minor: i64,
    /// Points ever credited (earnings, welcome, birthday, referral, positive adjustments).
    pub issued: i64,
    /// Points spent on rewards.
    pub redeemed: i64,
    /// Points that expired.
    pub expired: i64,
    /// Points taken back by refunds and negative adjustments.
    pub deducted: i64,
    /// `(month, day)`.
    pub birthday: Option<(u8, u8)>,
    /// `(slot, month, day)` of the member's occasions: the join date (slot 0) and their dates.
    #[serde(default)]
    pub occasions: Vec<(u8, u8, u8)>,
}

impl MemberStats {
    /// The stats of `account`, from the totals it keeps (O(1), whatever its history).
    pub fn of(account: &Account) -> MemberStats {
        let t = &account.totals;
        MemberStats {
            last_active_day: t.last_active_day,
            orders: t.orders,
            last_order_day: t.last_order_day,
            revenue_minor: t.revenue_minor,
            issued: t.issued,
            redeemed: t.redeemed,
            expired: t.expired,
            deducted: t.deducted,
            birthday: account.birthday,
            occasions: crate::occasions::of(account),
        }
    }

    /// Points the member holds (issued − redeemed − expired − deducted = the account's balance).
    pub fn outstanding(&self) -> i64 {
        self.issued - self.redeemed - self.expired - self.deducted
    }
}

/// A shop-wide counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    Members,
    Buyers,
    Orders,
    Revenue,
    Issued,
    Redeemed,
    Expired,
    Deducted,
}

impl Counter {
    /// Every counter, in storage order.
    pub const ALL: [Counter; 8] = [
        Counter::Members,
        Counter::Buyers,
        Counter::Orders,
        Counter::Revenue,
        Counter::Issued,
        Counter::Redeemed,
        Counter::Expired,
        Counter::Deducted,
    ];

    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Counter::Members => "members",
            Counter::Buyers => "buyers",
            Counter::Orders => "orders",
            Counter::Revenue => "revenue",
            Counter::Issued => "issued",
            Counter::Redeemed => "redeemed",
            Counter::Expired => "expired",
            Counter::Deducted => "deducted",
        }
    }
}

/// How many orders put a member in frequency class 0 (one), 1 (two or three) or 2 (four or more).
pub fn frequency_class(orders: u32) -> u8 {
    match orders {
        0 | 1 => 0,
        2 | 3 => 1,
        _ => 2,
    }
}

/// One increment of the aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Counter(Counter),
    /// Members whose last activity was on `day`.
    Activity(i64),
    /// Members (and their revenue) in spend bucket `bucket` ([`spend_bucket`]).
    Spend(u32),
    /// Members (and their revenue) whose last order was on `day`, by frequency class.
    Recency(i64, u8),
}

/// `(key, members or counter delta, revenue delta)`.
pub type Change = (Key, i64, i64);

/// The spend bucket of a positive revenue: four buckets per doubling (a log scale with ~19 %
/// steps), so the Pareto view keeps its shape at any shop size in < 256 rows.
pub fn spend_bucket(revenue_minor: i64) -> Option<u32> {
    if revenue_minor <= 0 {
        return None;
    }
    let r = revenue_minor as u64;
    let log2 = 63 - r.leading_zeros();
    let next_two = if log2 >= 2 {
        (r >> (log2 - 2)) & 3
    } else {
        (r << (2 - log2)) & 3
    };
    Some(log2 * 4 + next_two as u32)
}

fn contributions(s: &MemberStats) -> Vec<Change> {
    let mut out = vec![
        (Key::Counter(Counter::Members), 1, 0),
        (Key::Counter(Counter::Orders), i64::from(s.orders), 0),
        (Key::Counter(Counter::Revenue), s.revenue_minor, 0),
        (Key::Counter(Counter::Issued), s.issued, 0),
        (Key::Counter(Counter::Redeemed), s.redeemed, 0),
        (Key::Counter(Counter::Expired), s.expired, 0),
        (Key::Counter(Counter::Deducted), s.deducted, 0),
        (Key::Activity(s.last_active_day), 1, 0),
    ];
    if let Some(day) = s.last_order_day {
        out.push((Key::Counter(Counter::Buyers), 1, 0));
        out.push((
            Key::Recency(day, frequency_class(s.orders)),
            1,
            s.revenue_minor,
        ));
    }
    if let Some(bucket) = spend_bucket(s.revenue_minor) {
        out.push((Key::Spend(bucket), 1, s.revenue_minor));
    }
    out
}

/// What changes in the aggregates when a member's stats go from `old` to `new` (`None`: the
/// member did not exist / was erased). Zero changes are left out.
pub fn changes(old: Option<&MemberStats>, new: Option<&MemberStats>) -> Vec<Change> {
    let mut all: Vec<Change> = new.map(contributions).unwrap_or_default();
    for (key, members, revenue) in old.map(contributions).unwrap_or_default() {
        all.push((key, -members, -revenue));
    }
    all.sort_by_key(|c| c.0);
    let mut merged: Vec<Change> = Vec::new();
    for (key, members, revenue) in all {
        match merged.last_mut() {
            Some(last) if last.0 == key => {
                last.1 += members;
                last.2 += revenue;
            }
            _ => merged.push((key, members, revenue)),
        }
    }
    merged.retain(|c| c.1 != 0 || c.2 != 0);
    merged
}

/// The aggregates as the ledger object stores them, read back for a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    /// `(counter, value)`.
    pub counters: Vec<(Counter, i64)>,
    /// `(day, members)`: members by the day of their last activity.
    pub activity: Vec<(i64, i64)>,
    /// `(bucket, members, revenue)`.
    pub spend: Vec<(u32, i64, i64)>,
    /// `(last order day, frequency class, members, revenue)`.
    pub recency: Vec<(i64, u8, i64, i64)>,
    /// `(customer, month, day)` of the birthdays coming up (the object selects them).
    pub birthdays: Vec<(String, u8, u8)>,
}

/// The `(month, day)` pairs of the `days` days starting at `now` (UTC).
pub fn coming_days(now: Timestamp, days: i64) -> Vec<(u8, u8)> {
    (0..days)
        .map(|i| {
            let (_, month, day) = crate::time::civil_date(now + i * DAY);
            (month as u8, day as u8)
        })
        .collect()
}

/// The birthdays (`(month, day)`) celebrated on the UTC day of `now`: that day, and 29 February on
/// 1 March of a year without one.
pub fn birthdays_on(now: Timestamp) -> Vec<(u8, u8)> {
    let (year, month, day) = crate::time::civil_date(now);
    let mut days = vec![(month as u8, day as u8)];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month, day) == (3, 1) && !leap {
        days.push((2, 29));
    }
    days
}

/// Basis points (1/100 of a percent) of `part` in `whole`, 0 when `whole` is 0.
fn bp(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    (i128::from(part) * 10_000 / i128::from(whole)) as i64
}

/// The console's analytics from the aggregates, at `now`.
pub fn report(agg: &Aggregates, program: &Program, now: Timestamp) -> Analytics {
    let counter = |c: Counter| {
        agg.counters
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(0, |(_, v)| *v)
    };
    let today = now.div_euclid(DAY);
    let active = |days: i64| -> i64 {
        agg.activity
            .iter()
            .filter(|(day, _)| today - day < days)
            .map(|(_, m)| m)
            .sum()
    };
    let members = counter(Counter::Members);
    let revenue = counter(Counter::Revenue);
    let (issued, redeemed) = (counter(Counter::Issued), counter(Counter::Redeemed));
    let (expired, deducted) = (counter(Counter::Expired), counter(Counter::Deducted));
    let outstanding = issued - redeemed - expired - deducted;
    let (pareto_top20_bp, pareto_curve) = pareto(&agg.spend, members, revenue);
    Analytics {
        currency: program.currency.as_str().to_owned(),
        members,
        active_30d: active(30),
        active_90d: active(90),
        buyers: counter(Counter::Buyers),
        orders: counter(Counter::Orders),
        revenue_minor: revenue,
        points: PointsTotals {
            issued,
            redeemed,
            expired,
            deducted,
            outstanding,
            outstanding_value_minor: liability(program, outstanding),
        },
        redemption_rate_bp: bp(redeemed, issued),
        pareto_top20_bp,
        pareto_curve,
        segments: segments(&agg.recency, members - counter(Counter::Buyers), today),
        birthdays_next_14_days: agg
            .birthdays
            .iter()
            .map(|(customer, m, d)| BirthdaySoon {
                customer_id: customer.clone(),
                date: format!("{m:02}-{d:02}"),
            })
            .collect(),
        computed_at: crate::time::rfc3339(now),
    }
}

/// What `points` would cost the shop at the catalog's best amount-off rate (the liability).
pub fn liability(program: &Program, points: i64) -> i64 {
    crate::card::points_worth(program, points).unwrap_or(0)
}

/// The share of revenue from the top 20 % of members, and the curve "top x % of members bring
/// y % of revenue" at each spend bucket (both in basis points), from the spend histogram.
fn pareto(spend: &[(u32, i64, i64)], members: i64, revenue: i64) -> (i64, Vec<ParetoPoint>) {
    let mut buckets: Vec<&(u32, i64, i64)> = spend.iter().filter(|b| b.1 > 0).collect();
    buckets.sort_by_key(|b| std::cmp::Reverse(b.0));
    let top = (members * 20 + 99) / 100;
    let (mut taken, mut top_revenue) = (0i64, 0i64);
    let mut curve = vec![ParetoPoint {
        members_bp: 0,
        revenue_bp: 0,
    }];
    let (mut cum_members, mut cum_revenue) = (0i64, 0i64);
    for &&(_, m, r) in &buckets {
        if taken < top {
            let take = m.min(top - taken);
            top_revenue += (i128::from(r) * i128::from(take) / i128::from(m)) as i64;
            taken += take;
        }
        cum_members += m;
        cum_revenue += r;
        curve.push(ParetoPoint {
            members_bp: bp(cum_members, members),
            revenue_bp: bp(cum_revenue, revenue),
        });
    }
    if cum_members < members {
        curve.push(ParetoPoint {
            members_bp: 10_000,
            revenue_bp: bp(cum_revenue, revenue),
        });
    }
    (bp(top_revenue, revenue), curve)
}

/// The segment ids, in report order (then `no_orders`).
const SEGMENT_IDS: [&str; 5] = ["champions", "loyal", "recent", "at_risk", "lost"];

/// The index in [`SEGMENT_IDS`] of a member whose last order was `days` ago, of `frequency`
/// class ([`frequency_class`]).
fn segment_index(days: i64, frequency: u8) -> usize {
    match (days, frequency) {
        (d, 2) if d <= 30 => 0,
        (d, f) if d <= 90 && f >= 1 => 1,
        (d, _) if d <= 90 => 2,
        (d, _) if d <= 180 => 3,
        _ => 4,
    }
}

/// The segment of a member with `stats` on `today` (days since the epoch), as the report
/// counts them: `champions`, `loyal`, `recent`, `at_risk`, `lost` or `no_orders`.
pub fn segment_of(stats: &MemberStats, today: i64) -> &'static str {
    match stats.last_order_day {
        Some(day) if stats.orders > 0 => {
            SEGMENT_IDS[segment_index(today - day, frequency_class(stats.orders))]
        }
        _ => "no_orders",
    }
}

/// RFM segments by recency of the last order and order frequency, with their revenue.
fn segments(recency: &[(i64, u8, i64, i64)], without_orders: i64, today: i64) -> Vec<Segment> {
    let mut out: Vec<Segment> = SEGMENT_IDS
        .iter()
        .map(|id| Segment {
            id: (*id).to_owned(),
            members: 0,
            revenue_minor: 0,
        })
        .collect();
    for &(day, frequency, members, revenue) in recency {
        let index = segment_index(today - day, frequency);
        out[index].members += members;
        out[index].revenue_minor += revenue;
    }
    out.push(Segment {
        id: "no_orders".into(),
        members: without_orders,
        revenue_minor: 0,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Context, Event, EventKind};

    const NOW: i64 = 1_790_000_000;

    fn ctx(now: i64) -> Context {
        Context {
            now,
            entropy: [3; 32],
        }
    }

    fn paid(id: &str, order: &str, amount: i64, at: i64) -> Event {
        Event {
            id: id.into(),
            at,
            kind: EventKind::OrderPaid {
                order_id: order.into(),
                amount_minor: amount,
                currency: "EUR".into(),
                items: vec![],
            },
        }
    }

    /// Applies every change to an in-memory copy of the tables, the way the object does in SQL.
    #[derive(Default)]
    struct Tables(std::collections::BTreeMap<Key, (i64, i64)>);

    impl Tables {
        fn apply(&mut self, changes: &[Change]) {
            for (key, m, r) in changes {
                let e = self.0.entry(*key).or_default();
                e.0 += m;
                e.1 += r;
            }
            self.0.retain(|_, v| *v != (0, 0));
        }

        fn aggregates(&self) -> Aggregates {
            let mut agg = Aggregates::default();
            for (key, (m, r)) in &self.0 {
                match key {
                    Key::Counter(c) => agg.counters.push((*c, *m)),
                    Key::Activity(d) => agg.activity.push((*d, *m)),
                    Key::Spend(b) => agg.spend.push((*b, *m, *r)),
                    Key::Recency(d, f) => agg.recency.push((*d, *f, *m, *r)),
                }
            }
            agg
        }
    }

    /// The stats recounted from every row of a member (what the first ledger did on each save).
    fn recount(book: &crate::ledger::Book) -> MemberStats {
        let mut stats = MemberStats {
            last_active_day: book.joined_at.div_euclid(DAY),
            birthday: book.birthday,
            occasions: crate::occasions::of(book),
            ..MemberStats::default()
        };
        for entry in &book.entries {
            stats.last_active_day = stats.last_active_day.max(entry.at.div_euclid(DAY));
            match (entry.kind.as_ref(), entry.points) {
                ("redeem", p) => stats.redeemed -= p,
                ("expire", p) => stats.expired -= p,
                (_, p) if p >= 0 => stats.issued += p,
                (_, p) => stats.deducted -= p,
            }
        }
        let mut days = Vec::new();
        for (key, order) in &book.orders {
            if key.starts_with("referral:") {
                continue;
            }
            let net = order.amount_minor - order.refunded_minor;
            stats.revenue_minor += net;
            days.push(order.at.div_euclid(DAY));
            if net > 0 {
                stats.orders += 1;
            }
        }
        // The day of the latest order while any order still counts.
        stats.last_order_day = (stats.orders > 0).then(|| days.into_iter().max()).flatten();
        stats
    }

    #[test]
    fn stats_add_up_to_the_balance_and_revenue() {
        let program = Program::demo_bakery();
        for account in crate::demo::accounts(&program, NOW) {
            let s = MemberStats::of(&account);
            assert_eq!(
                s.outstanding(),
                account.balance(),
                "{}",
                account.customer_id
            );
            let revenue: i64 = account
                .orders
                .values()
                .map(|o| o.amount_minor - o.refunded_minor)
                .sum();
            assert_eq!(s.revenue_minor, revenue);
        }
    }

    #[test]
    fn incremental_changes_equal_a_recount_and_erasure_removes_everything() {
        let program = Program::demo_bakery();
        let mut tables = Tables::default();
        let mut accounts = Vec::new();
        let mut stored: Vec<Option<MemberStats>> = Vec::new();
        for i in 0..30 {
            let a = crate::ledger::Book::open(&format!("m{i}"), &program, &ctx(NOW - 200 * DAY));
            let s = MemberStats::of(&a);
            tables.apply(&changes(None, Some(&s)));
            stored.push(Some(s));
            accounts.push(a);
        }
        for step in 0..200i64 {
            let who = (step * 7 % 30) as usize;
            let at = NOW - 200 * DAY + step * DAY;
            let event = if step % 9 == 4 {
                Event {
                    id: format!("r{step}"),
                    at,
                    kind: EventKind::OrderRefunded {
                        order_id: format!("o{}", step - 1),
                        amount_minor: 500,
                    },
                }
            } else {
                paid(
                    &format!("p{step}"),
                    &format!("o{step}"),
                    1000 + step * 137,
                    at,
                )
            };
            if accounts[who].apply(&program, &event, &ctx(at)).is_ok() {
                let new = MemberStats::of(&accounts[who]);
                assert_eq!(
                    new,
                    recount(&accounts[who]),
                    "totals = a recount of the rows"
                );
                tables.apply(&changes(stored[who].as_ref(), Some(&new)));
                stored[who] = Some(new);
            }
        }
        let mut recount = Tables::default();
        for s in stored.iter().flatten() {
            recount.apply(&changes(None, Some(s)));
        }
        assert_eq!(tables.0, recount.0);
        let r = report(&tables.aggregates(), &program, NOW);
        assert_eq!(r.members, 30);
        let balances: i64 = accounts.iter().map(|b| b.balance()).sum();
        assert_eq!(r.points.outstanding, balances);
        assert_eq!(r.points.outstanding_value_minor, balances); // 500 points = €5
        let segment_members: i64 = r.segments.iter().map(|s| s.members).sum();
        assert_eq!(segment_members, 30);
        for s in &stored {
            tables.apply(&changes(s.as_ref(), None));
        }
        assert!(tables.0.is_empty(), "erasing every member leaves nothing");
    }

    #[test]
    fn pareto_finds_the_top_fifth() {
        // 10 members: 2 spent 8,000 each, 8 spent 500 each → top 20 % bring 16,000 / 20,000.
        let mut spend = std::collections::BTreeMap::new();
        for r in [8000, 8000, 500, 500, 500, 500, 500, 500, 500, 500] {
            let e = spend.entry(spend_bucket(r).unwrap()).or_insert((0, 0));
            e.0 += 1;
            e.1 += r;
        }
        let spend: Vec<(u32, i64, i64)> = spend.into_iter().map(|(b, (m, r))| (b, m, r)).collect();
        let (share, curve) = pareto(&spend, 10, 20_000);
        assert_eq!(share, 8_000);
        assert_eq!(curve.first().map(|p| p.revenue_bp), Some(0));
        assert_eq!(
            curve.last().map(|p| (p.members_bp, p.revenue_bp)),
            Some((10_000, 10_000))
        );
        // With members who never bought, the curve still ends at 100 % of members.
        let (share, curve) = pareto(&spend, 20, 20_000);
        // Top 20 % of 20 = 4 members: both big spenders and two small ones.
        assert_eq!(share, 8_500);
        assert_eq!(curve.last().map(|p| p.members_bp), Some(10_000));
    }

    #[test]
    fn spend_buckets_are_monotonic_and_fine() {
        let mut last = 0;
        for r in 1..100_000i64 {
            let b = spend_bucket(r).unwrap();
            assert!(b >= last);
            last = b;
        }
        assert_eq!(spend_bucket(0), None);
        assert!(spend_bucket(i64::MAX).unwrap() < 256);
        assert_ne!(spend_bucket(1000), spend_bucket(1300));
    }

    #[test]
    fn segments_follow_recency_and_frequency() {
        let today = NOW / DAY;
        let cells = [
            (today - 3, 2, 4, 40_000),
            (today - 40, 2, 1, 9_000),
            (today - 10, 0, 5, 2_000),
            (today - 120, 1, 2, 3_000),
            (today - 400, 2, 3, 30_000),
        ];
        let s = segments(&cells, 7, today);
        let by = |id: &str| {
            s.iter()
                .find(|x| x.id == id)
                .map(|x| (x.members, x.revenue_minor))
        };
        assert_eq!(by("champions"), Some((4, 40_000)));
        assert_eq!(by("loyal"), Some((1, 9_000)));
        assert_eq!(by("recent"), Some((5, 2_000)));
        assert_eq!(by("at_risk"), Some((2, 3_000)));
        assert_eq!(by("lost"), Some((3, 30_000)));
        assert_eq!(by("no_orders"), Some((7, 0)));
    }

    #[test]
    fn leap_day_birthdays_are_celebrated_on_the_first_of_march_otherwise() {
        let at = |s: &str| crate::time::parse_rfc3339(s).unwrap();
        assert_eq!(birthdays_on(at("2027-03-01T09:00:00Z")), [(3, 1), (2, 29)]);
        assert_eq!(birthdays_on(at("2028-03-01T09:00:00Z")), [(3, 1)]);
        assert_eq!(birthdays_on(at("2028-02-29T23:59:59Z")), [(2, 29)]);
    }

    #[test]
    fn coming_days_wrap_the_year() {
        let dec_25 = crate::time::parse_rfc3339("2026-12-25T08:00:00Z").unwrap();
        let days = coming_days(dec_25, 14);
        assert_eq!(days.first(), Some(&(12, 25)));
        assert_eq!(days.last(), Some(&(1, 7)));
    }
}
