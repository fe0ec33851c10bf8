//! One function per command of the edge → object protocol ([`Command`]).
//!
//! Every value-moving command runs inside one [`transaction`]: the idempotency check, the member
//! and the rows its event needs, the `shared` ledger, and every write (member, entries, orders,
//! coupons, analytics, the stored answer). Snapshots go to KV after the commit.

use super::store::IdemRecord;
use super::tx::transaction;
use super::{json_response, now_ms, random_bytes, Answer, ShopCache, ShopLedger};
use crate::commands::{BatchItem, Command, Idem};
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use serde::Serialize;
use shared::analytics::MemberStats;
use shared::api::{ErrorCode, HistoryPage, RedemptionResponse};
use shared::card::HISTORY_ON_CARD;
use shared::ledger::{Account, Context, Effect, Event, EventKind, Outcome};
use shared::program::Program;
use shared::{demo, CustomerId};
use std::collections::BTreeSet;
use worker::Response;

type Result<T> = std::result::Result<T, ApiError>;

/// Redemptions a member may make per minute.
pub const REDEMPTIONS_PER_MINUTE: usize = 10;
/// Most entries one history page returns.
pub const MAX_HISTORY_PAGE: usize = 200;
/// Coupons the shop's member view lists.
const COUPONS_IN_VIEW: usize = 100;
/// Draws before giving up on a unique code (each collision is a 1-in-2^40 event).
const CODE_DRAWS: usize = 8;

/// What applying one event changed.
pub(super) struct Applied {
    pub outcome: Outcome,
    /// The member, as saved.
    pub account: Account,
    /// Other members the event's effects reached (a referrer), as saved.
    pub others: Vec<Account>,
}

/// A stored answer found for an idempotency key.
pub(super) enum Replay {
    /// The whole answer as first sent.
    Full(u16, String),
    /// Only the event's outcome (stored by the batch route): the answer is rebuilt around it.
    Outcome(u16, Outcome),
}

pub(super) fn context() -> Result<Context> {
    Ok(Context {
        now: crate::now_unix() as i64,
        entropy: random_bytes()?,
    })
}

fn replayed(mut response: Response) -> Answer {
    response.headers_mut().set("Idempotent-Replayed", "true")?;
    Ok(response)
}

impl ShopLedger {
    pub(super) async fn run(&self, command: Command) -> Answer {
        match command {
            Command::SeedDemo => self.seed_demo().await,
            Command::CreateShop {
                shop_id,
                name,
                secret_key,
            } => self.create_shop(&shop_id, &name, &secret_key).await,
            Command::ShopRecord => {
                let shop = self.shop()?;
                self.publish_shop(&shop).await?;
                json_response(200, serde_json::to_string(&shop.record)?)
            }
            Command::PutProgram { program } => self.put_program(program).await,
            Command::Apply {
                idem,
                customer,
                event,
                status,
                fail_midway,
            } => {
                self.apply(idem, &customer, event, status, fail_midway)
                    .await
            }
            Command::Redeem {
                idem,
                customer,
                reward_id,
            } => self.redeem(idem, &customer, &reward_id).await,
            Command::Card { customer, open } => self.card(&customer, open).await,
            Command::ShopView { customer } => self.shop_view(&customer),
            Command::History {
                customer,
                before,
                limit,
            } => self.history(&customer, before, limit),
            Command::Coupon { code } => self.coupon(&code),
            Command::Consume { code, order_id } => self.consume(&code, &order_id).await,
            Command::Export { customer } => self.export(&customer),
            Command::Analytics => {
                let now = crate::now_unix() as i64;
                let (_, program) = self.program()?;
                let aggregates = crate::shop_stats::aggregates(self.store.sql(), now)?;
                let report = shared::analytics::report(&aggregates, &program, now);
                json_response(200, serde_json::to_string(&report)?)
            }
            Command::MemberByCode { code } => {
                let customer = self
                    .store
                    .member_code_owner(&code)?
                    .ok_or_else(|| ApiError::not_found("no member with this member code"))?;
                self.shop_view(&customer)
            }
            Command::ApplyBatch { items } => self.apply_batch(items).await,
            Command::Erase { customer } => self.erase(&customer).await,
            Command::Purge { older_than_seconds } => self.purge(older_than_seconds),
            Command::SeedLegacy { customer, document } => self.seed_legacy(&customer, &document),
        }
    }

    // ---- idempotency ----

    /// The stored answer for `idem`: the same body replays it, another body is a conflict.
    pub(super) fn replay(&self, idem: &Idem) -> Result<Option<Replay>> {
        let Some(IdemRecord {
            body_hash,
            status,
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
        let status = u16::try_from(status).unwrap_or(200);
        Ok(Some(if full != 0 {
            Replay::Full(status, body)
        } else {
            Replay::Outcome(status, serde_json::from_str(&body)?)
        }))
    }

    /// The response for a replay: the stored answer, or the member's card now with the stored
    /// outcome (for events first sent in a batch, which stores outcomes only).
    fn replay_response(&self, customer: &str, replay: Replay) -> Answer {
        match replay {
            Replay::Full(status, body) => replayed(json_response(status, body)?),
            Replay::Outcome(status, mut outcome) => {
                outcome.replayed = true;
                let (shop, program) = self.program()?;
                let account = self.existing(customer)?;
                let body = self.answer(
                    &shop,
                    &account,
                    &outcome,
                    &program,
                    crate::now_unix() as i64,
                )?;
                replayed(json_response(status, body)?)
            }
        }
    }

    // ---- applying events ----

    /// The stored member and the stats the aggregates count for them, or a new account (counted
    /// nowhere yet).
    fn member_or_open(
        &self,
        customer: &str,
        program: &Program,
        ctx: &Context,
    ) -> Result<(Account, Option<MemberStats>)> {
        Ok(match self.store.member(customer)? {
            Some(account) => {
                let counted = MemberStats::of(&account);
                (account, Some(counted))
            }
            None => (self.open_member(customer, program, ctx)?, None),
        })
    }

    /// Opens `customer`'s account with a member code no other member holds.
    fn open_member(&self, customer: &str, program: &Program, ctx: &Context) -> Result<Account> {
        let mut account = Account::open(customer, program, ctx);
        for _ in 0..CODE_DRAWS {
            if self
                .store
                .member_code_owner(&account.member_code)?
                .is_none()
            {
                return Ok(account);
            }
            account.redraw_member_code(&context()?);
        }
        Err(worker::Error::RustError("no unique member code".into()).into())
    }

    /// Redraws the coupon codes `outcome` issued until none is stored already.
    fn unique_coupon_codes(&self, account: &mut Account, outcome: &mut Outcome) -> Result<()> {
        for _ in 0..CODE_DRAWS {
            let mut seen = BTreeSet::new();
            let mut clash = false;
            for c in &outcome.coupons_issued {
                clash |= !seen.insert(c.code.as_str()) || self.store.coupon_code_taken(&c.code)?;
            }
            if !clash {
                return Ok(());
            }
            account.redraw_coupon_codes(&context()?, outcome);
        }
        Err(worker::Error::RustError("no unique coupon code".into()).into())
    }

    /// Applies `event` to `customer` (opening the account on first contact) and to the members
    /// its effects reach, writing everything. The inner `Err` is the ledger's refusal (nothing
    /// was written for it); the outer one a storage failure (the transaction must roll back).
    pub(super) fn apply_event(
        &self,
        ctx: &Context,
        program: &Program,
        stats: &mut Pending,
        customer: &str,
        event: &Event,
    ) -> Result<std::result::Result<Applied, ApiError>> {
        let (mut account, counted) = self.member_or_open(customer, program, ctx)?;
        let rows = self.store.rows(customer, event.needs())?;
        let mut outcome = match account.apply(program, event, ctx, rows) {
            Ok(outcome) => outcome,
            Err(refused) => return Ok(Err(refused.into())),
        };
        self.unique_coupon_codes(&mut account, &mut outcome)?;
        let changes = account.take_changes();
        self.store.save_member(&account, changes, ctx.now)?;
        stats.track(customer, counted.as_ref(), Some(&MemberStats::of(&account)));
        let mut others = Vec::new();
        for Effect::Apply {
            customer: other,
            event,
        } in &outcome.effects
        {
            let (mut account, counted) = self.member_or_open(other, program, ctx)?;
            let rows = self.store.rows(other, event.needs())?;
            match account.apply(program, event, ctx, rows) {
                Ok(mut effect) => {
                    self.unique_coupon_codes(&mut account, &mut effect)?;
                    let changes = account.take_changes();
                    self.store.save_member(&account, changes, ctx.now)?;
                    stats.track(other, counted.as_ref(), Some(&MemberStats::of(&account)));
                    others.push(account);
                }
                Err(e) => worker::console_error!("effect on another member refused: {e}"),
            }
        }
        Ok(Ok(Applied {
            outcome,
            account,
            others,
        }))
    }

    /// The answer to an applied event: the member's card with the outcome inside.
    fn answer(
        &self,
        shop: &ShopCache,
        account: &Account,
        outcome: &Outcome,
        program: &Program,
        now: i64,
    ) -> Result<String> {
        let card = self.card_of(shop, account, program, now)?;
        let mut body = serde_json::to_value(&card)?;
        body["outcome"] = serde_json::to_value(outcome)?;
        Ok(body.to_string())
    }

    /// The member's card now, with their newest entries.
    pub(super) fn card_of(
        &self,
        shop: &ShopCache,
        account: &Account,
        program: &Program,
        now: i64,
    ) -> Result<shared::api::Card> {
        let recent: Vec<_> = self
            .store
            .entries(&account.customer_id, None, HISTORY_ON_CARD)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        Ok(shared::card::card(
            &shop.record.shop_id,
            account,
            &recent,
            program,
            now,
        ))
    }

    async fn apply(
        &self,
        idem: Idem,
        customer: &str,
        event: Event,
        status: u16,
        fail_midway: bool,
    ) -> Answer {
        let (shop, program) = self.program()?;
        let event = self.with_referrer_resolved(event)?;
        let result = transaction(&self.state, || {
            if let Some(replay) = self.replay(&idem)? {
                return Ok(Err(replay));
            }
            let ctx = context()?;
            let mut stats = Pending::default();
            let applied = self.apply_event(&ctx, &program, &mut stats, customer, &event)??;
            stats.flush(self.store.sql())?;
            if fail_midway {
                return Err(worker::Error::RustError("injected failure".into()).into());
            }
            let body = self.answer(&shop, &applied.account, &applied.outcome, &program, ctx.now)?;
            self.store.remember(
                &idem.key,
                customer,
                &idem.body_hash,
                status,
                &body,
                true,
                ctx.now,
            )?;
            Ok(Ok((body, applied)))
        })?;
        let (body, applied) = match result {
            Ok(done) => done,
            Err(replay) => return self.replay_response(customer, replay),
        };
        for account in std::iter::once(&applied.account).chain(&applied.others) {
            self.publish(&shop, account, &program).await?;
        }
        self.schedule_housekeeping().await?;
        json_response(status, body)
    }

    /// `customer.referred` may name the referrer by member code (what the widget's referral links
    /// carry, `?ref=M-…`): it becomes that member's customer id; an unknown code is refused.
    fn with_referrer_resolved(&self, mut event: Event) -> Result<Event> {
        if let EventKind::Referred { referrer } = &mut event.kind {
            if let Some(code) = shared::code::normalize("M", referrer) {
                *referrer = self.store.member_code_owner(&code)?.ok_or_else(|| {
                    ApiError::field("referrer_id", "no member has this member code")
                })?;
            }
        }
        Ok(event)
    }

    /// Applies many events (the batch route): each one exactly as [`Self::apply`] would, with its
    /// own idempotency record (a reused id with another body is that item's 409); the changed
    /// members' cards go to KV through the alarm. One transaction for the whole batch.
    async fn apply_batch(&self, items: Vec<BatchItem>) -> Answer {
        let (_, program) = self.program()?;
        let mut resolved = Vec::with_capacity(items.len());
        for item in items {
            let event = self.with_referrer_resolved(item.event.clone());
            resolved.push((item, event));
        }
        let results = transaction(&self.state, || {
            let ctx = context()?;
            let mut stats = Pending::default();
            let mut changed = BTreeSet::new();
            let mut results = Vec::with_capacity(resolved.len());
            for (item, event) in &resolved {
                let id = item.event.id.as_str();
                let refused = |e: &ApiError| {
                    let p = e.problem();
                    serde_json::json!({"id": id, "status": p.status, "code": p.code, "detail": p.detail})
                };
                let event = match event {
                    Ok(event) => event,
                    Err(e) => {
                        results.push(refused(e));
                        continue;
                    }
                };
                match self.replay(&item.idem) {
                    Ok(Some(_)) => {
                        results
                            .push(serde_json::json!({"id": id, "status": 200, "replayed": true}));
                        continue;
                    }
                    Ok(None) => {}
                    Err(conflict) => {
                        results.push(refused(&conflict));
                        continue;
                    }
                }
                match self.apply_event(&ctx, &program, &mut stats, &item.customer, event)? {
                    Ok(applied) => {
                        let body = serde_json::to_string(&applied.outcome)?;
                        self.store.remember(
                            &item.idem.key,
                            &item.customer,
                            &item.idem.body_hash,
                            200,
                            &body,
                            false,
                            ctx.now,
                        )?;
                        changed.insert(applied.account.customer_id.clone());
                        changed.extend(applied.others.into_iter().map(|a| a.customer_id));
                        results.push(serde_json::json!({"id": id, "status": 200}));
                    }
                    Err(e) => results.push(refused(&e)),
                }
            }
            stats.flush(self.store.sql())?;
            for customer in &changed {
                self.store.mark_pending(customer)?;
            }
            Ok(results)
        })?;
        self.schedule_within(super::snapshots::PUBLISH_INTERVAL_MS)
            .await?;
        self.schedule_housekeeping().await?;
        json_response(200, serde_json::json!({ "results": results }).to_string())
    }

    async fn redeem(&self, idem: Idem, customer: &str, reward_id: &str) -> Answer {
        if let Some(replay) = self.replay(&idem)? {
            return self.replay_response(customer, replay);
        }
        self.rate_limit(customer)?;
        let (shop, program) = self.program()?;
        let (body, applied) = transaction(&self.state, || {
            let ctx = context()?;
            if self.store.member(customer)?.is_none() {
                return Err(ApiError::not_found(format!("no member '{customer}'")));
            }
            let event = Event {
                id: idem.key.clone(),
                at: ctx.now,
                kind: EventKind::Redeem {
                    reward_id: reward_id.to_owned(),
                },
            };
            let mut stats = Pending::default();
            let applied = self.apply_event(&ctx, &program, &mut stats, customer, &event)??;
            stats.flush(self.store.sql())?;
            let coupon = applied
                .outcome
                .coupons_issued
                .first()
                .ok_or_else(|| ApiError::from(worker::Error::RustError("no coupon".into())))?;
            let response = RedemptionResponse {
                coupon: shared::card::coupon_view(customer, coupon),
                card: self.card_of(&shop, &applied.account, &program, ctx.now)?,
            };
            let body = serde_json::to_string(&response)?;
            self.store.remember(
                &idem.key,
                customer,
                &idem.body_hash,
                201,
                &body,
                true,
                ctx.now,
            )?;
            Ok((body, applied))
        })?;
        self.publish(&shop, &applied.account, &program).await?;
        self.schedule_housekeeping().await?;
        json_response(201, body)
    }

    /// At most [`REDEMPTIONS_PER_MINUTE`] redemptions per member per minute (429 beyond).
    fn rate_limit(&self, customer: &str) -> Result<()> {
        let now = now_ms() as f64;
        let mut all = self.redemptions.borrow_mut();
        let times = all.entry(customer.to_owned()).or_default();
        times.retain(|t| now - t < 60_000.0);
        if times.len() >= REDEMPTIONS_PER_MINUTE {
            let retry = ((times[0] + 60_000.0 - now) / 1000.0).ceil().max(1.0) as u64;
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                "too many redemptions for this member; try again shortly",
            )
            .with_retry_after(retry));
        }
        times.push(now);
        Ok(())
    }

    /// The member's card (`open`: create the account on first contact), published to KV.
    async fn card(&self, customer: &str, open: bool) -> Answer {
        let (shop, program) = self.program()?;
        let account = match (self.store.member(customer)?, open) {
            (Some(account), _) => account,
            (None, true) => transaction(&self.state, || {
                let ctx = context()?;
                let mut account = self.open_member(customer, &program, &ctx)?;
                let changes = account.take_changes();
                self.store.save_member(&account, changes, ctx.now)?;
                let mut stats = Pending::default();
                stats.track(customer, None, Some(&MemberStats::of(&account)));
                stats.flush(self.store.sql())?;
                Ok(account)
            })?,
            (None, false) => return Err(ApiError::not_found(format!("no member '{customer}'"))),
        };
        let json = self.publish_now(&shop, &account, &program).await?;
        json_response(200, json)
    }

    // ---- reading ----

    /// The shop's view of a member: the card, the newest entries with a cursor for older ones,
    /// the newest coupons.
    fn shop_view(&self, customer: &str) -> Answer {
        let (shop, program) = self.program()?;
        let account = self.existing(customer)?;
        let (recent, before) = self.page(customer, None, HISTORY_ON_CARD)?;
        let coupons = self.store.member_coupons(customer, COUPONS_IN_VIEW)?;
        let mut view = shared::card::shop_view(
            &shop.record.shop_id,
            &account,
            &recent,
            &coupons,
            &program,
            crate::now_unix() as i64,
        );
        view.history_before = before;
        json_response(200, serde_json::to_string(&view)?)
    }

    /// Entries of `customer` older than `before`, newest first, and the cursor for the next page.
    fn page(
        &self,
        customer: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<shared::ledger::Entry>, Option<u64>)> {
        // One more than asked tells whether another page follows.
        let mut rows = self.store.entries(customer, before, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|(seq, _)| *seq)
        } else {
            None
        };
        Ok((rows.into_iter().map(|(_, e)| e).collect(), next))
    }

    fn history(&self, customer: &str, before: Option<u64>, limit: usize) -> Answer {
        self.existing(customer)?;
        let (entries, next_before) =
            self.page(customer, before, limit.clamp(1, MAX_HISTORY_PAGE))?;
        let page = HistoryPage {
            customer_id: customer.to_owned(),
            entries: entries.iter().map(shared::card::history_line).collect(),
            next_before,
        };
        json_response(200, serde_json::to_string(&page)?)
    }

    fn existing(&self, customer: &str) -> Result<Account> {
        self.store
            .member(customer)?
            .ok_or_else(|| ApiError::not_found(format!("no member '{customer}'")))
    }

    fn coupon(&self, code: &str) -> Answer {
        let (customer, coupon) = self
            .store
            .coupon(code)?
            .ok_or_else(|| ApiError::not_found("no such coupon"))?;
        json_response(
            200,
            serde_json::to_string(&shared::card::coupon_view(&customer, &coupon))?,
        )
    }

    async fn consume(&self, code: &str, order_id: &str) -> Answer {
        let (shop, program) = self.program()?;
        let (customer, _) = self
            .store
            .coupon(code)?
            .ok_or_else(|| ApiError::not_found("no such coupon"))?;
        let event = Event {
            id: format!("consume:{code}:{order_id}"),
            // The request carries no time of its own (the ledger checks expiry against `now`).
            at: 0,
            kind: EventKind::ConsumeCoupon {
                code: code.to_owned(),
                order_id: order_id.to_owned(),
            },
        };
        let (body, applied) = transaction(&self.state, || {
            let ctx = context()?;
            let mut stats = Pending::default();
            let applied = self.apply_event(&ctx, &program, &mut stats, &customer, &event)??;
            stats.flush(self.store.sql())?;
            let (_, coupon) = self
                .store
                .coupon(code)?
                .ok_or_else(|| ApiError::not_found("no such coupon"))?;
            let body = serde_json::to_string(&shared::card::coupon_view(&customer, &coupon))?;
            Ok((body, applied))
        })?;
        self.publish(&shop, &applied.account, &program).await?;
        json_response(200, body)
    }

    /// Everything stored about a member, as JSON: the shop's view, and under `ledger` the bounded
    /// account with every entry (oldest first), order record and coupon, read in pages.
    fn export(&self, customer: &str) -> Answer {
        #[derive(Serialize)]
        struct Ledger {
            account: Account,
            history: Vec<shared::ledger::Entry>,
            orders: std::collections::BTreeMap<String, shared::ledger::OrderRecord>,
            coupons: Vec<shared::ledger::Coupon>,
        }
        #[derive(Serialize)]
        struct Export {
            shop_id: String,
            exported_at: String,
            member: shared::api::ShopCustomerView,
            ledger: Ledger,
        }
        let (shop, program) = self.program()?;
        let account = self.existing(customer)?;
        let now = crate::now_unix() as i64;
        let mut entries = Vec::new();
        let mut before = None;
        loop {
            let (page, next) = self.page(customer, before, 1000)?;
            entries.extend(page);
            match next {
                Some(n) => before = Some(n),
                None => break,
            }
        }
        entries.reverse();
        let coupons = self.store.member_coupons(customer, usize::MAX >> 1)?;
        let (recent, history_before) = self.page(customer, None, HISTORY_ON_CARD)?;
        let mut member = shared::card::shop_view(
            &shop.record.shop_id,
            &account,
            &recent,
            &coupons,
            &program,
            now,
        );
        member.history_before = history_before;
        let orders = self.store.member_orders(customer)?.into_iter().collect();
        let export = Export {
            shop_id: shop.record.shop_id.clone(),
            exported_at: shared::time::rfc3339(now),
            member,
            ledger: Ledger {
                account,
                history: entries,
                orders,
                coupons,
            },
        };
        json_response(200, serde_json::to_string(&export)?)
    }

    /// Erases every trace of a member: their rows, idempotency records, analytics, member-code
    /// index entry, and their card snapshot under every recent program version.
    async fn erase(&self, customer: &str) -> Answer {
        let shop = self.shop()?;
        transaction(&self.state, || {
            let account = self.existing(customer)?;
            self.store.erase(customer)?;
            let mut stats = Pending::default();
            stats.track(customer, Some(&MemberStats::of(&account)), None);
            stats.flush(self.store.sql())
        })?;
        self.last_publish.borrow_mut().remove(customer);
        self.redemptions.borrow_mut().remove(customer);
        let id = CustomerId::parse(customer).map_err(|_| ApiError::not_found("no such member"))?;
        let kv = self.env.kv(crate::KV_BINDING)?;
        let mut versions = self.store.program_versions()?;
        if !versions.contains(&shop.record.program_version) {
            versions.push(shop.record.program_version);
        }
        for version in versions {
            kv.delete(&crate::kv::card_key(&shop.shop, version, &id))
                .await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Deletes idempotency records older than `older_than_seconds` now (maintenance; the alarm
    /// does the same daily with the default retention). Bounded: at most 10,000 a call.
    fn purge(&self, older_than_seconds: i64) -> Answer {
        let before = crate::now_unix() as i64 - older_than_seconds.max(0);
        let mut purged = 0;
        for _ in 0..20 {
            let n = transaction(&self.state, || self.store.purge_idempotency(before, 500))?;
            purged += n;
            if n < 500 {
                break;
            }
        }
        json_response(200, serde_json::json!({ "purged": purged }).to_string())
    }

    async fn create_shop(&self, shop_id: &str, name: &str, secret_key: &str) -> Answer {
        let now = crate::now_unix() as i64;
        let inserted = transaction(&self.state, || {
            self.store.insert_shop(shop_id, name, secret_key, now)
        })?;
        if !inserted {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("shop '{shop_id}' already exists"),
            ));
        }
        self.forget_shop();
        let shop = self.shop()?;
        self.publish_shop(&shop).await?;
        let body = shared::requests::ShopCreated {
            shop_id: shop_id.to_owned(),
            secret_key: secret_key.to_owned(),
        };
        json_response(201, serde_json::to_string(&body)?)
    }

    async fn put_program(&self, program: Program) -> Answer {
        let shop = self.shop()?;
        let config = serde_json::to_string(&program)?;
        // Milliseconds: the version of the program, in the card snapshots' KV keys.
        let version = now_ms().max(shop.record.program_version + 1);
        transaction(&self.state, || {
            self.store
                .put_program(&shop.record.shop_id, &config, version, true)
        })?;
        self.forget_shop();
        let shop = self.shop()?;
        self.publish_shop(&shop).await?;
        json_response(200, config)
    }

    /// Seeds the documented local-dev shop. Existing rows are kept, so seeding twice changes
    /// nothing; the KV snapshots are rewritten from what is stored.
    async fn seed_demo(&self) -> Answer {
        let now = crate::now_unix() as i64;
        let program = Program::demo_bakery();
        transaction(&self.state, || {
            self.store
                .insert_shop(demo::SHOP_ID, demo::SHOP_NAME, demo::SECRET_KEY, now)?;
            self.store
                .put_program(demo::SHOP_ID, &serde_json::to_string(&program)?, now, false)?;
            let mut stats = Pending::default();
            for book in demo::accounts(&program, now) {
                if self.store.member(&book.customer_id)?.is_some() {
                    continue;
                }
                let changes = shared::ledger::Changes {
                    entries: book
                        .entries
                        .iter()
                        .cloned()
                        .enumerate()
                        .map(|(i, e)| (i as u64, e))
                        .collect(),
                    orders: book
                        .orders
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    coupons: book.coupons.clone(),
                };
                self.store.save_member(&book.account, changes, now)?;
                stats.track(
                    &book.customer_id,
                    None,
                    Some(&MemberStats::of(&book.account)),
                );
            }
            stats.flush(self.store.sql())
        })?;
        self.forget_shop();
        let shop = self.shop()?;
        self.publish_shop(&shop).await?;
        let (_, program) = self.program()?;
        for customer in self.store.member_ids(100)? {
            self.publish_now(&shop, &self.existing(&customer)?, &program)
                .await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Local dev and tests only (the edge allows it when `PUNCHCARD_DEMO=seed`): stores a member
    /// document in the version-1 shape, to exercise its migration.
    fn seed_legacy(&self, customer: &str, document: &str) -> Answer {
        transaction(&self.state, || {
            self.store.sql().exec(
                "CREATE TABLE IF NOT EXISTS accounts (
                   customer_id TEXT PRIMARY KEY, account TEXT NOT NULL, updated_at INTEGER NOT NULL)",
                None,
            )?;
            self.store.sql().exec(
                "INSERT OR REPLACE INTO accounts (customer_id, account, updated_at) VALUES (?, ?, ?)",
                vec![
                    customer.into(),
                    document.into(),
                    (crate::now_unix() as i64).into(),
                ],
            )?;
            Ok(())
        })?;
        Ok(Response::empty()?.with_status(204))
    }

    /// After a write: the alarm runs by the next day (birthdays, retention).
    async fn schedule_housekeeping(&self) -> Result<()> {
        self.schedule_within(super::schedules::until_next_day_ms())
            .await
    }
}
