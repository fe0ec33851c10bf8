//! The command logic that decides and writes, over any [`Storage`]: idempotency decisions, the
//! member and the rows an event needs, the `shared` ledger, unique codes, effects on other
//! members, every write, the answer. Synchronous and free of the platform (no clock, no
//! randomness of its own, no KV), so the Durable Object runs it inside one transaction and the
//! native tests below run it against an in-memory store.

use super::storage::{IdemRecord, NewRecord, Result, Storage};
use crate::commands::{BatchItem, Idem};
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use shared::analytics::MemberStats;
use shared::api::{Card, ErrorCode};
use shared::card::HISTORY_ON_CARD;
use shared::ledger::{Account, Context, Effect, Event, Outcome};
use shared::program::Program;
use std::collections::BTreeSet;

/// Draws before giving up on a unique code (each collision is a 1-in-2^40 event).
const CODE_DRAWS: usize = 8;

/// What applying one event changed.
pub struct Applied {
    pub outcome: Outcome,
    /// The member, as saved.
    pub account: Account,
    /// The program version the member's KV snapshot was last written under (0: none).
    pub snapshot_version: i64,
    /// Other members the event's effects reached (a referrer), as saved.
    pub others: Vec<Account>,
}

/// A stored answer found for an idempotency key.
pub enum Replay {
    /// The whole answer as first sent.
    Full(String),
    /// Only the event's outcome (stored by the batch route): the answer is rebuilt around it.
    Outcome(Outcome),
}

/// One shop's ledger over `store`, for one command.
pub struct Ledger<'a, S: Storage> {
    pub store: &'a S,
    pub program: &'a Program,
    pub shop_id: &'a str,
    /// Fresh random bytes for a redrawn code (Web Crypto at the edge; a counter in tests).
    pub entropy: &'a dyn Fn() -> Result<[u8; 32]>,
    /// The shop's choice: an erased member may come back (a new, empty account).
    pub members_may_rejoin: bool,
    /// The command comes on the shopper's own token (not the shop's key).
    pub shopper: bool,
}

impl<S: Storage> Ledger<'_, S> {
    /// The stored answer for `idem`: the same body replays it, another body is a conflict.
    pub fn replay(&self, idem: &Idem) -> Result<Option<Replay>> {
        let Some(IdemRecord {
            body_hash,
            body,
            full,
        }) = self.store.idempotency(&idem.key)?
        else {
            return Ok(None);
        };
        if body_hash != idem.body_hash {
            return Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "this idempotency key (or event id) was already used with a different request",
            ));
        }
        Ok(Some(if full != 0 {
            Replay::Full(body)
        } else {
            Replay::Outcome(shared::compact::from_str(&body)?)
        }))
    }

    /// The stored member with the stats the aggregates count for them and their snapshot
    /// version, or a new account (counted nowhere yet, never published).
    fn member_or_open(
        &self,
        customer: &str,
        ctx: &Context,
    ) -> Result<(Account, Option<MemberStats>, i64)> {
        Ok(match self.store.member(customer)? {
            Some((account, version)) => {
                let counted = MemberStats::of(&account);
                (account, Some(counted), version)
            }
            None => (self.open_member(customer, ctx)?, None, 0),
        })
    }

    /// Opens `customer`'s account with a member code no other member holds. A member the shop
    /// erased comes back only if the shop lets them re-join, or when the shop itself adds them
    /// again (which forgets the suppression entry).
    pub fn open_member(&self, customer: &str, ctx: &Context) -> Result<Account> {
        if self.store.is_suppressed(customer)? {
            if self.shopper && !self.members_may_rejoin {
                return Err(ApiError::new(
                    ErrorCode::MemberErased,
                    "this member was erased and the shop does not let erased members re-join",
                ));
            }
            self.store.suppress(customer, false, ctx.now)?;
        }
        let mut account = Account::open(customer, self.program, ctx);
        for _ in 0..CODE_DRAWS {
            if self
                .store
                .member_code_owner(&account.member_code)?
                .is_none()
            {
                return Ok(account);
            }
            account.redraw_member_code(&self.fresh(ctx)?);
        }
        Err(ApiError::internal("no unique member code"))
    }

    fn fresh(&self, ctx: &Context) -> Result<Context> {
        Ok(Context {
            now: ctx.now,
            entropy: (self.entropy)()?,
        })
    }

    /// Redraws the coupon codes `outcome` issued until none is stored already.
    fn unique_coupon_codes(
        &self,
        account: &mut Account,
        outcome: &mut Outcome,
        ctx: &Context,
    ) -> Result<()> {
        for _ in 0..CODE_DRAWS {
            let mut seen = BTreeSet::new();
            let mut clash = false;
            for c in &outcome.coupons_issued {
                clash |= !seen.insert(c.code.as_str()) || self.store.coupon_code_taken(&c.code)?;
            }
            if !clash {
                return Ok(());
            }
            account.redraw_coupon_codes(&self.fresh(ctx)?, outcome);
        }
        Err(ApiError::internal("no unique coupon code"))
    }

    /// Applies `event` to `customer` (opening the account on first contact) and to the members
    /// its effects reach, writing everything. The inner `Err` is the ledger's refusal (nothing
    /// was written for it); the outer one a storage failure (the transaction must roll back).
    pub fn apply_event(
        &self,
        ctx: &Context,
        stats: &mut Pending,
        customer: &str,
        event: &Event,
    ) -> Result<std::result::Result<Applied, ApiError>> {
        let (mut account, counted, snapshot_version) = self.member_or_open(customer, ctx)?;
        let rows = self.store.rows(customer, event.needs())?;
        let mut outcome = match account.apply(self.program, event, ctx, rows) {
            Ok(outcome) => outcome,
            Err(refused) => return Ok(Err(refused.into())),
        };
        self.unique_coupon_codes(&mut account, &mut outcome, ctx)?;
        let changes = account.take_changes();
        self.store.save_member(&account, changes, ctx.now)?;
        stats.track(customer, counted.as_ref(), Some(&MemberStats::of(&account)));
        self.tell_webhooks(customer, event, &outcome, &account, ctx.now)?;
        let mut others = Vec::new();
        for Effect::Apply {
            customer: other,
            event,
        } in &outcome.effects
        {
            let (mut account, counted, _) = self.member_or_open(other, ctx)?;
            let rows = self.store.rows(other, event.needs())?;
            match account.apply(self.program, event, ctx, rows) {
                Ok(mut effect) => {
                    self.unique_coupon_codes(&mut account, &mut effect, ctx)?;
                    let changes = account.take_changes();
                    self.store.save_member(&account, changes, ctx.now)?;
                    stats.track(other, counted.as_ref(), Some(&MemberStats::of(&account)));
                    self.tell_webhooks(other, event, &effect, &account, ctx.now)?;
                    others.push(account);
                }
                Err(e) => crate::log_error(&format!("effect on another member refused: {e}")),
            }
        }
        Ok(Ok(Applied {
            outcome,
            account,
            snapshot_version,
            others,
        }))
    }

    /// Queues what `event` did for `customer` for the shop's webhooks.
    fn tell_webhooks(
        &self,
        customer: &str,
        event: &Event,
        outcome: &Outcome,
        account: &Account,
        now: i64,
    ) -> Result<()> {
        if !self.store.has_webhooks()? {
            return Ok(());
        }
        let events = shared::webhooks::events_of(customer, event, outcome, account.balance());
        self.store
            .enqueue_webhook_events(self.shop_id, customer, &events, now)
    }

    /// Applies one event of a batch exactly as the single route would, storing only its outcome
    /// under its key; its result line (`{id, status[, replayed | code, detail]}`) and the members
    /// whose snapshots are now stale (under program `version`) go into `changed`.
    pub fn apply_item(
        &self,
        ctx: &Context,
        stats: &mut Pending,
        item: &BatchItem,
        event: &std::result::Result<Event, ApiError>,
        changed: &mut BTreeSet<String>,
        version: i64,
    ) -> Result<serde_json::Value> {
        let id = item.event.id.as_str();
        let refused = |e: &ApiError| {
            let p = e.problem();
            serde_json::json!({"id": id, "status": p.status, "code": p.code, "detail": p.detail})
        };
        let event = match event {
            Ok(event) => event,
            Err(e) => return Ok(refused(e)),
        };
        match self.replay(&item.idem) {
            Ok(Some(_)) => {
                return Ok(serde_json::json!({"id": id, "status": 200, "replayed": true}))
            }
            Ok(None) => {}
            Err(conflict) => return Ok(refused(&conflict)),
        }
        let applied = match self.apply_event(ctx, stats, &item.customer, event)? {
            Ok(applied) => applied,
            Err(e) => return Ok(refused(&e)),
        };
        self.store.remember(NewRecord {
            key: &item.idem.key,
            customer: &item.customer,
            body_hash: &item.idem.body_hash,
            body: &shared::compact::to_string(&applied.outcome)?,
            full: false,
            now: ctx.now,
        })?;
        if applied.snapshot_version == version && version != 0 {
            changed.insert(applied.account.customer_id.clone());
        }
        changed.extend(applied.others.into_iter().map(|a| a.customer_id));
        Ok(serde_json::json!({"id": id, "status": 200}))
    }

    /// The member's card at `now`, with their newest entries.
    pub fn card(&self, account: &Account, now: i64) -> Result<Card> {
        let recent: Vec<_> = self
            .store
            .entries(&account.customer_id, None, HISTORY_ON_CARD)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        Ok(shared::card::card(
            self.shop_id,
            account,
            &recent,
            self.program,
            now,
        ))
    }

    /// The answer to an applied event: the member's card with the outcome inside.
    pub fn answer(&self, account: &Account, outcome: &Outcome, now: i64) -> Result<String> {
        let answer = shared::api::CardWithOutcome {
            card: self.card(account, now)?,
            outcome: outcome.clone(),
        };
        Ok(serde_json::to_string(&answer)?)
    }

    /// Erases every row of `customer` and their share of the analytics; keeps a suppression
    /// entry when the shop does not let erased members re-join.
    pub fn erase(&self, customer: &str, now: i64) -> Result<()> {
        let (account, _) = self
            .store
            .member(customer)?
            .ok_or_else(|| ApiError::not_found(format!("no member '{customer}'")))?;
        self.store.erase(customer)?;
        if !self.members_may_rejoin {
            self.store.suppress(customer, true, now)?;
        }
        let mut stats = Pending::default();
        stats.track(customer, Some(&MemberStats::of(&account)), None);
        self.store.flush_stats(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory::MemoryStore;
    use super::*;
    use serde_json::json;
    use shared::ledger::{EventKind, Item};
    use std::cell::Cell;

    const NOW: i64 = 1_790_000_000;

    fn ctx(now: i64) -> Context {
        Context {
            now,
            entropy: [9; 32],
        }
    }

    thread_local! {
        static DRAWS: Cell<u8> = const { Cell::new(0) };
    }

    fn counter() -> Result<[u8; 32]> {
        let n = DRAWS.with(|d| {
            d.set(d.get().wrapping_add(1));
            d.get()
        });
        Ok([n; 32])
    }

    fn paid(id: &str, order: &str, amount: i64) -> Event {
        Event {
            id: id.into(),
            at: NOW,
            kind: EventKind::OrderPaid {
                order_id: order.into(),
                amount_minor: amount,
                currency: "EUR".into(),
                items: vec![Item {
                    sku: "CAKE".into(),
                    quantity: 1,
                }],
            },
        }
    }

    fn item(customer: &str, event: Event, hash: &str) -> BatchItem {
        BatchItem {
            idem: Idem {
                key: format!("event:{}", event.id),
                body_hash: hash.into(),
            },
            customer: customer.into(),
            event,
        }
    }

    fn with<T>(f: impl FnOnce(&Ledger<MemoryStore>) -> T) -> (T, MemoryStore) {
        let store = MemoryStore::default();
        let program = Program::demo_bakery();
        let out = f(&Ledger {
            store: &store,
            program: &program,
            shop_id: "s",
            entropy: &counter,
            members_may_rejoin: true,
            shopper: false,
        });
        (out, store)
    }

    /// Applies `items` as the batch route does, inside one memory transaction.
    fn batch(ledger: &Ledger<MemoryStore>, items: &[BatchItem]) -> Vec<serde_json::Value> {
        ledger
            .store
            .transaction(|| {
                let items: Vec<_> = items
                    .iter()
                    .map(|i| (i.clone(), Ok(i.event.clone())))
                    .collect();
                let (results, _) = super::super::batch::apply_items(ledger, &ctx(NOW), &items, 1)?;
                Ok(results)
            })
            .unwrap()
    }

    #[test]
    fn an_event_writes_the_member_its_entries_order_and_outcome_record() {
        let (results, store) = with(|l| batch(l, &[item("c1", paid("e1", "o1", 60_000), "h1")]));
        assert_eq!(results, [json!({"id": "e1", "status": 200})]);
        let (account, _) = store.member("c1").unwrap().unwrap();
        // 100 welcome + 600 earned; the €200 certificate and the pre-filled stamp card.
        assert_eq!(account.balance(), 700);
        assert_eq!(store.entries("c1", None, 50).unwrap().len(), 2);
        assert!(store.idempotency("event:e1").unwrap().is_some());
        assert_eq!(store.counter("members"), 1);
        assert_eq!(store.counter("revenue"), 60_000);
    }

    #[test]
    fn replays_answer_once_and_a_reused_id_is_that_items_conflict() {
        let (results, store) = with(|l| {
            batch(
                l,
                &[
                    item("c1", paid("e1", "o1", 1_000), "h1"),
                    item("c1", paid("e1", "o1", 9_000), "other"),
                    item("c1", paid("e1", "o1", 1_000), "h1"),
                    item("c1", paid("e2", "o2", 2_000), "h2"),
                ],
            )
        });
        assert_eq!(results[1]["status"], 409);
        assert_eq!(results[1]["code"], "idempotency_conflict");
        assert_eq!(results[2]["replayed"], true);
        assert_eq!(results[3]["status"], 200);
        let (account, _) = store.member("c1").unwrap().unwrap();
        assert_eq!(account.balance(), 100 + 10 + 20);
        assert_eq!(store.counter("orders"), 2);
    }

    #[test]
    fn an_applied_event_queues_its_webhook_events_and_a_replay_none() {
        let items = [
            item("c1", paid("e1", "o1", 2_000), "h1"),
            item("c1", paid("e1", "o1", 2_000), "h1"),
        ];
        let (_, store) = with(|ledger| batch(ledger, &items));
        let queued = store.webhook_events();
        let types: Vec<&str> = queued.iter().map(|(_, _, t)| t.as_str()).collect();
        assert_eq!(types, ["points.earned"], "{queued:?}");
        assert!(queued[0].1.starts_with("evt_"));
        store.erase("c1").unwrap();
        assert!(store.webhook_events().is_empty(), "erasure removes them");
    }

    #[test]
    fn a_refused_event_writes_nothing() {
        let (results, store) = with(|l| {
            batch(
                l,
                &[
                    item("c1", paid("e1", "o1", 1_000), "h1"),
                    item("c1", paid("e2", "o1", 1_000), "h2"),
                ],
            )
        });
        assert_eq!(results[1]["status"], 409, "{results:?}");
        assert_eq!(results[1]["code"], "conflict");
        assert!(store.idempotency("event:e2").unwrap().is_none());
        assert_eq!(store.entries("c1", None, 50).unwrap().len(), 2);
    }

    #[test]
    fn a_failing_transaction_leaves_the_store_as_it_was() {
        let (_, store) = with(|l| {
            batch(l, &[item("c1", paid("e1", "o1", 1_000), "h1")]);
            let before = l.store.clone();
            let failed: Result<()> = l.store.transaction(|| {
                let mut stats = Pending::default();
                l.apply_event(&ctx(NOW), &mut stats, "c1", &paid("e2", "o2", 5_000))??;
                l.store.flush_stats(stats)?;
                Err(ApiError::internal("fails after every write"))
            });
            assert!(failed.is_err());
            assert_eq!(*l.store, before);
        });
        assert_eq!(store.counter("orders"), 1);
    }

    #[test]
    fn referral_effects_write_both_members() {
        let (_, store) = with(|l| {
            let referred = Event {
                id: "ref".into(),
                at: NOW,
                kind: EventKind::Referred {
                    referrer: "anna".into(),
                },
            };
            batch(
                l,
                &[
                    item("anna", paid("a1", "o1", 1_000), "h0"),
                    item("ben", referred, "h1"),
                    item("ben", paid("b1", "o1", 1_000), "h2"),
                ],
            );
        });
        let (anna, _) = store.member("anna").unwrap().unwrap();
        let (ben, _) = store.member("ben").unwrap().unwrap();
        let program = Program::demo_bakery();
        let r = program.referral.unwrap();
        assert_eq!(anna.balance(), 100 + 10 + r.referrer_points);
        assert_eq!(ben.balance(), 100 + 10 + r.referee_points);
    }

    #[test]
    fn a_coupon_code_already_stored_is_redrawn() {
        // The certificate's code drawn from `ctx` is taken by another member's coupon.
        let program = Program::demo_bakery();
        let mut probe = shared::ledger::Book::open("x", &program, &ctx(NOW));
        let issued = probe
            .apply(&program, &paid("p", "o1", 60_000), &ctx(NOW))
            .unwrap();
        let taken = issued.coupons_issued[0].code.clone();
        let (_, store) = with(|l| {
            l.store.put_coupon("someone", &issued.coupons_issued[0]);
            let _ = probe;
            batch(l, &[item("x", paid("p", "o1", 60_000), "h")]);
        });
        let (account, _) = store.member("x").unwrap().unwrap();
        assert_eq!(account.coupons.len(), 1);
        assert_ne!(account.coupons[0].code, taken);
        assert!(store.coupon_code_taken(&account.coupons[0].code).unwrap());
    }

    #[test]
    fn erasure_removes_every_row_and_the_analytics_share() {
        let (_, store) = with(|l| {
            batch(
                l,
                &[
                    item("c1", paid("e1", "o1", 60_000), "h1"),
                    item("c2", paid("e2", "o2", 1_000), "h2"),
                ],
            );
            l.store.transaction(|| l.erase("c1", NOW)).unwrap();
        });
        assert!(store.member("c1").unwrap().is_none());
        assert!(store.entries("c1", None, 50).unwrap().is_empty());
        assert!(store.idempotency("event:e1").unwrap().is_none());
        assert!(!store.holds_anything_of("c1"));
        assert!(
            !store.is_suppressed("c1").unwrap(),
            "re-joining allowed: no entry"
        );
        assert_eq!(store.counter("members"), 1);
        assert_eq!(store.counter("revenue"), 1_000);
    }

    #[test]
    fn an_erased_member_rejoins_on_a_token_only_where_the_shop_allows_it() {
        let store = MemoryStore::default();
        let program = Program::demo_bakery();
        let shop = Ledger {
            store: &store,
            program: &program,
            shop_id: "s",
            entropy: &counter,
            members_may_rejoin: false,
            shopper: false,
        };
        let shopper = Ledger {
            shopper: true,
            ..shop
        };
        batch(&shop, &[item("c1", paid("e1", "o1", 60_000), "h1")]);
        store.transaction(|| shop.erase("c1", NOW)).unwrap();
        assert!(store.member("c1").unwrap().is_none());
        assert!(store.is_suppressed("c1").unwrap());
        let refused = shopper.open_member("c1", &ctx(NOW)).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::MemberErased);
        // The shop's own backend adds them again: the entry goes, their token works again.
        let results = batch(&shop, &[item("c1", paid("e2", "o2", 1_000), "h2")]);
        assert_eq!(results[0]["status"], 200);
        assert!(!store.is_suppressed("c1").unwrap());
        assert!(shopper.open_member("c9", &ctx(NOW)).is_ok());
        // Where re-joining is allowed, a token opens a new account after erasure.
        let open = Ledger {
            members_may_rejoin: true,
            ..shopper
        };
        store.transaction(|| open.erase("c1", NOW)).unwrap();
        assert!(!store.is_suppressed("c1").unwrap());
        assert!(open.open_member("c1", &ctx(NOW)).is_ok());
    }

    #[test]
    fn a_feedback_answer_is_stored_once_with_its_points_and_erased_with_the_member() {
        let store = MemoryStore::default();
        let mut program = Program::demo_bakery();
        program.feedback = Some(shared::feedback::Feedback {
            every_nth_order: 1,
            points: 25,
        });
        let ledger = Ledger {
            store: &store,
            program: &program,
            shop_id: "s",
            entropy: &counter,
            members_may_rejoin: true,
            shopper: false,
        };
        batch(&ledger, &[item("c1", paid("e1", "o1", 1_000), "h1")]);
        let answer = Event {
            id: "feedback:1".into(),
            at: NOW,
            kind: EventKind::Feedback {
                question: 1,
                score: 10,
                comment: Some("Best rye in town".into()),
            },
        };
        let balance = |store: &MemoryStore| {
            let (account, _) = store.member("c1").unwrap().unwrap();
            account.spendable(NOW)
        };
        let before = balance(&store);
        let results = batch(&ledger, &[item("c1", answer.clone(), "h2")]);
        assert_eq!(results[0]["status"], 200, "{results:?}");
        assert_eq!(balance(&store), before + 25, "the points for answering");
        assert_eq!(store.answers(), 1);
        let (account, _) = store.member("c1").unwrap().unwrap();
        assert_eq!(account.feedback.question(NOW), None, "answered");
        // The same question again (another request) is refused and stores nothing.
        let again = Event {
            id: "feedback:1-again".into(),
            ..answer
        };
        let results = batch(&ledger, &[item("c1", again, "h3")]);
        assert_eq!(results[0]["status"], 409, "{results:?}");
        assert_eq!(store.answers(), 1);
        store.transaction(|| ledger.erase("c1", NOW)).unwrap();
        assert_eq!(store.answers(), 0);
        assert!(!store.holds_anything_of("c1"));
    }
}
