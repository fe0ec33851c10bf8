//! Ledger throughput: 1,000,000 mixed events across 10,000 members, on one core: the pure ledger
//! with its rows in memory ([`Book`]: idempotency records, entries, orders, coupons).
//!
//! A second pass applies the same events to bare accounts whose rows go nowhere (only the order
//! records refunds read are kept), to split the figure between the ledger and the store.
//!
//! Run: `cargo bench -p punchcard-shared --bench ledger` (prints events/second).

use shared::ledger::{book, Account, Book, Context, Event, EventKind, Item, OrderRecord, Rows};
use shared::program::Program;
use std::time::Instant;

const MEMBERS: usize = 10_000;
const DEFAULT_EVENTS: usize = 1_000_000;
const T0: i64 = 1_767_225_600;

/// A small deterministic PRNG (xorshift64*), so every run applies the same events.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    // `LEDGER_BENCH_EVENTS` shortens the run (for profilers); the recorded figure uses the default.
    let events_total: usize = std::env::var("LEDGER_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_EVENTS);
    let members_total: usize = std::env::var("LEDGER_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MEMBERS);
    let program = Program::demo_bakery();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let ctx0 = Context {
        now: T0,
        entropy: [42; 32],
    };
    let members: Vec<Book> = (0..members_total)
        .map(|i| Book::open(&format!("c{i}"), &program, &ctx0))
        .collect();
    let accounts: Vec<Account> = members.iter().map(|b| b.account.clone()).collect();
    let mut orders = vec![0u32; members_total];
    let events: Vec<(usize, Event)> = (0..events_total)
        .map(|i| {
            let m = rng.below(members_total as u64) as usize;
            let at = T0 + (i as i64) * 30; // a year of traffic
            let kind = match rng.below(100) {
                0..=69 => {
                    orders[m] += 1;
                    EventKind::OrderPaid {
                        order_id: format!("o{}", orders[m]),
                        amount_minor: 300 + rng.below(20_000) as i64,
                        currency: "EUR".into(),
                        items: vec![Item {
                            sku: "CAKE".into(),
                            quantity: 1,
                        }],
                    }
                }
                70..=79 if orders[m] > 0 => EventKind::OrderRefunded {
                    order_id: format!("o{}", 1 + rng.below(u64::from(orders[m]))),
                    amount_minor: 1 + rng.below(300) as i64,
                },
                80..=89 => EventKind::Redeem {
                    reward_id: if rng.below(2) == 0 {
                        "5-off".into()
                    } else {
                        "ship".into()
                    },
                },
                90..=94 => EventKind::Birthday,
                _ => EventKind::Adjust {
                    points: 10,
                    reason: "goodwill".into(),
                },
            };
            (
                m,
                Event {
                    id: format!("e{i}"),
                    at,
                    kind,
                },
            )
        })
        .collect();

    // `LEDGER_BENCH_PASS=accounts` (or `book`) runs one pass only, for profilers.
    let pass = std::env::var("LEDGER_BENCH_PASS").unwrap_or_default();
    if pass != "accounts" {
        book_pass(&program, &events, members);
    }
    if pass != "book" {
        accounts_only(&program, &events, accounts);
    }
}

/// The first pass: every event through its member's [`Book`].
fn book_pass(program: &Program, events: &[(usize, Event)], mut members: Vec<Book>) {
    let members_total = members.len();
    let events_total = events.len();
    let started = Instant::now();
    let (mut ok, mut refused) = (0u64, 0u64);
    for (m, event) in events {
        match members[*m].apply(program, event, &at(event)) {
            Ok(_) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    report(
        "ledger",
        started,
        events_total,
        members_total,
        (ok, refused),
    );
    let outstanding: i64 = members.iter().map(|m| m.balance()).sum();
    println!("ledger: outstanding points after the run: {outstanding}");
    // The process exit returns the memory: freeing a million rows one by one would only add
    // noise to a profile of the run.
    std::mem::forget(members);
}

/// The context of an event: its own time, and randomness drawn from it.
fn at(event: &Event) -> Context {
    Context {
        now: event.at,
        entropy: [event.at as u8; 32],
    }
}

/// The second pass: the same events on bare accounts, rows dropped as a store would take them.
fn accounts_only(program: &Program, events: &[(usize, Event)], mut accounts: Vec<Account>) {
    // The order records in the book's kind of map: this pass should cost the store as little as
    // a store can.
    let mut orders: Vec<book::Map<OrderRecord>> = vec![book::Map::default(); accounts.len()];
    let started = Instant::now();
    let (mut ok, mut refused) = (0u64, 0u64);
    for (m, event) in events {
        let order = event
            .order_key()
            .and_then(|k| orders[*m].get(k.as_ref()).cloned());
        let rows = Rows {
            order,
            ..Rows::default()
        };
        let result = accounts[*m].apply(program, event, &at(event), rows);
        let mut changes = accounts[*m].take_changes();
        orders[*m].extend(changes.orders.drain(..));
        accounts[*m].reuse_changes(changes);
        match result {
            Ok(_) => ok += 1,
            Err(_) => refused += 1,
        }
    }
    report(
        "ledger, accounts only",
        started,
        events.len(),
        accounts.len(),
        (ok, refused),
    );
    let outstanding: i64 = accounts.iter().map(|a| a.balance()).sum();
    println!("ledger, accounts only: outstanding points after the run: {outstanding}");
    std::mem::forget((accounts, orders));
}

fn report(what: &str, started: Instant, events: usize, members: usize, (ok, refused): (u64, u64)) {
    let elapsed = started.elapsed();
    println!(
        "{what}: {events} events across {members} members in {:.3} s = {:.0} events/s (one core; {ok} applied, {refused} refused by the rules)",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
}
