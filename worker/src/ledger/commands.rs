//! One function per command of the edge → object protocol ([`Command`]).
//!
//! Every value-moving command runs inside one [`transaction`]: the idempotency check, the member
//! and the rows its event needs, the `shared` ledger, and every write (member, entries, orders,
//! coupons, analytics, the stored answer). Snapshots go to KV after the commit.

use super::core::{Ledger, Replay};
use super::storage::{NewRecord, Result, Storage};
use super::store::Store;
use super::tx::transaction;
use super::{now_ms, random_bytes, ShopCache, ShopLedger};
use crate::commands::{BatchItem, Command, ExportPart, Idem, Reply};
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use shared::analytics::MemberStats;
use shared::api::{ErrorCode, HistoryPage, RedemptionResponse};
use shared::card::HISTORY_ON_CARD;
use shared::ledger::{Account, Context, Event, EventKind};
use shared::program::Program;
use shared::{demo, CustomerId};

/// Redemptions a member may make per minute.
pub const REDEMPTIONS_PER_MINUTE: usize = 10;
/// Most entries one history page returns.
pub const MAX_HISTORY_PAGE: usize = 200;
/// Coupons the shop's member view lists.
const COUPONS_IN_VIEW: usize = 100;
pub(super) fn context() -> Result<Context> {
    Ok(Context {
        now: crate::now_unix() as i64,
        entropy: random_bytes()?,
    })
}

/// Fresh random bytes from the platform (Web Crypto), for redrawn codes.
fn entropy() -> Result<[u8; 32]> {
    Ok(random_bytes()?)
}

/// A command's result: `value` as JSON.
pub(super) fn value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Reply> {
    Ok(Reply::Value(serde_json::to_string(value)?))
}

impl ShopLedger {
    /// The command logic over this object's store, for `shop` and its `program`.
    pub(super) fn core<'a>(
        &'a self,
        shop: &'a ShopCache,
        program: &'a Program,
    ) -> Ledger<'a, Store> {
        Ledger {
            store: &self.store,
            program,
            shop_id: &shop.record.shop_id,
            entropy: &entropy,
            members_may_rejoin: shop.record.members_may_rejoin,
            shopper: false,
        }
    }

    pub(super) async fn run(&self, command: Command) -> Result<Reply> {
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
                value(&shop.record)
            }
            Command::PutProgram { program } => self.put_program(*program).await,
            Command::Program => value(&self.program()?.1),
            Command::RotateKey {
                secret_key,
                previous_until,
            } => self.rotate_key(&secret_key, previous_until).await,
            Command::PutSettings { settings } => self.put_settings(settings).await,
            Command::Apply {
                idem,
                customer,
                event,
                shopper,
                fail_midway,
            } => {
                self.apply(idem, &customer, event, shopper, fail_midway)
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
            Command::ExportPage {
                customer,
                part,
                after,
                limit,
            } => self.export_page(&customer, part, after, limit),
            Command::Occasions { days } => value(&crate::shop_stats::upcoming(
                self.store.sql(),
                crate::now_unix() as i64,
                days,
            )?),
            Command::Feedback { before, limit } => value(&super::feedback::report(
                self.store.sql(),
                crate::now_unix() as i64,
                before,
                limit,
            )?),
            Command::Analytics => {
                let now = crate::now_unix() as i64;
                let (_, program) = self.program()?;
                let aggregates = crate::shop_stats::aggregates(self.store.sql(), now)?;
                let report = shared::analytics::report(&aggregates, &program, now);
                value(&report)
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
            Command::RerunDaily => {
                self.rerun_daily().await?;
                Ok(Reply::Done)
            }
            Command::CreateWebhook { request } => self.create_webhook(request),
            Command::ListWebhooks => self.list_webhooks(),
            Command::DeleteWebhook { id } => self.delete_webhook(&id),
            Command::Deliveries { webhook } => self.delivery_log(&webhook),
            Command::Redeliver { webhook, delivery } => self.redeliver(&webhook, &delivery).await,
        }
    }

    /// The response for a replay: the stored answer, or the member's card now with the stored
    /// outcome (for events first sent in a batch, which stores outcomes only).
    fn replay_response(&self, customer: &str, replay: Replay) -> Result<Reply> {
        match replay {
            Replay::Full(body) => Ok(Reply::Replayed(body)),
            Replay::Outcome(mut outcome) => {
                outcome.replayed = true;
                let (shop, program) = self.program()?;
                let account = self.existing(customer)?;
                let body = self.core(&shop, &program).answer(
                    &account,
                    &outcome,
                    crate::now_unix() as i64,
                )?;
                Ok(Reply::Replayed(body))
            }
        }
    }

    async fn apply(
        &self,
        idem: Idem,
        customer: &str,
        event: Event,
        shopper: bool,
        fail_midway: bool,
    ) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let core = Ledger {
            shopper,
            ..self.core(&shop, &program)
        };
        let event = self.with_referrer_resolved(event)?;
        let result = transaction(&self.state, || {
            if let Some(replay) = core.replay(&idem)? {
                return Ok(Err(replay));
            }
            let ctx = context()?;
            let mut stats = Pending::default();
            let applied = core.apply_event(&ctx, &mut stats, customer, &event)??;
            self.store.flush_stats(stats)?;
            if fail_midway {
                return Err(ApiError::internal("injected failure"));
            }
            let body = core.answer(&applied.account, &applied.outcome, ctx.now)?;
            self.store.remember(NewRecord {
                key: &idem.key,
                customer,
                body_hash: &idem.body_hash,
                body: &body,
                full: true,
                now: ctx.now,
            })?;
            Ok(Ok((body, applied)))
        })?;
        let (body, applied) = match result {
            Ok(done) => done,
            Err(replay) => return self.replay_response(customer, replay),
        };
        self.publish_applied(&shop, &program, &applied).await?;
        self.schedule_housekeeping().await?;
        Ok(Reply::Value(body))
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
    async fn apply_batch(&self, items: Vec<BatchItem>) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let version = shop.record.program_version;
        let mut resolved = Vec::with_capacity(items.len());
        for item in items {
            let event = self.with_referrer_resolved(item.event.clone());
            resolved.push((item, event));
        }
        let core = self.core(&shop, &program);
        let results = transaction(&self.state, || {
            let (results, changed) =
                super::batch::apply_items(&core, &context()?, &resolved, version)?;
            self.store.mark_all_stale(&changed, version)?;
            Ok(results)
        })?;
        self.schedule_within(super::snapshots::PUBLISH_INTERVAL_MS)
            .await?;
        self.schedule_housekeeping().await?;
        value(&serde_json::json!({ "results": results }))
    }

    async fn redeem(&self, idem: Idem, customer: &str, reward_id: &str) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let core = self.core(&shop, &program);
        if let Some(replay) = core.replay(&idem)? {
            return self.replay_response(customer, replay);
        }
        self.rate_limit(customer)?;
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
            let applied = core.apply_event(&ctx, &mut stats, customer, &event)??;
            self.store.flush_stats(stats)?;
            let coupon = applied
                .outcome
                .coupons_issued
                .first()
                .ok_or_else(|| ApiError::internal("a redemption issued no coupon"))?;
            let response = RedemptionResponse {
                coupon: shared::card::coupon_view(customer, coupon),
                card: core.card(&applied.account, ctx.now)?,
            };
            let body = serde_json::to_string(&response)?;
            self.store.remember(NewRecord {
                key: &idem.key,
                customer,
                body_hash: &idem.body_hash,
                body: &body,
                full: true,
                now: ctx.now,
            })?;
            Ok((body, applied))
        })?;
        self.publish_applied(&shop, &program, &applied).await?;
        self.schedule_housekeeping().await?;
        Ok(Reply::Value(body))
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
    async fn card(&self, customer: &str, open: bool) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let account = match (self.store.member(customer)?, open) {
            (Some((account, _)), _) => account,
            (None, true) => transaction(&self.state, || {
                let ctx = context()?;
                let core = Ledger {
                    shopper: true,
                    ..self.core(&shop, &program)
                };
                let mut account = core.open_member(customer, &ctx)?;
                let changes = account.take_changes();
                self.store.save_member(&account, changes, ctx.now)?;
                let mut stats = Pending::default();
                stats.track(customer, None, Some(&MemberStats::of(&account)));
                self.store.flush_stats(stats)?;
                Ok(account)
            })?,
            (None, false) => return Err(ApiError::not_found(format!("no member '{customer}'"))),
        };
        let json = self.publish_now(&shop, &account, &program).await?;
        Ok(Reply::Value(json))
    }

    // ---- reading ----

    /// The shop's view of a member: the card, the newest entries with a cursor for older ones,
    /// the newest coupons.
    fn shop_view(&self, customer: &str) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let account = self.existing(customer)?;
        let view = self.member_view(&shop, &program, &account, crate::now_unix() as i64)?;
        value(&view)
    }

    /// The shop's view of `account` at `now`: card, newest entries and the cursor for older
    /// ones, newest coupons.
    fn member_view(
        &self,
        shop: &ShopCache,
        program: &Program,
        account: &Account,
        now: i64,
    ) -> Result<shared::api::ShopCustomerView> {
        let customer = account.customer_id.as_str();
        let (recent, before) = self.page(customer, None, HISTORY_ON_CARD)?;
        let coupons = self.store.member_coupons(customer, COUPONS_IN_VIEW)?;
        let mut view = shared::card::shop_view(
            &shop.record.shop_id,
            account,
            &recent,
            &coupons,
            program,
            now,
        );
        view.history_before = before;
        Ok(view)
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

    fn history(&self, customer: &str, before: Option<u64>, limit: usize) -> Result<Reply> {
        self.existing(customer)?;
        let (entries, next_before) =
            self.page(customer, before, limit.clamp(1, MAX_HISTORY_PAGE))?;
        let page = HistoryPage {
            customer_id: customer.to_owned(),
            entries: entries.iter().map(shared::card::history_line).collect(),
            next_before,
        };
        value(&page)
    }

    pub(super) fn existing(&self, customer: &str) -> Result<Account> {
        self.store
            .member(customer)?
            .map(|(account, _)| account)
            .ok_or_else(|| ApiError::not_found(format!("no member '{customer}'")))
    }

    fn coupon(&self, code: &str) -> Result<Reply> {
        let (customer, coupon) = self
            .store
            .coupon(code)?
            .ok_or_else(|| ApiError::not_found("no such coupon"))?;
        value(&shared::card::coupon_view(&customer, &coupon))
    }

    async fn consume(&self, code: &str, order_id: &str) -> Result<Reply> {
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
            let applied = self
                .core(&shop, &program)
                .apply_event(&ctx, &mut stats, &customer, &event)??;
            self.store.flush_stats(stats)?;
            let (_, coupon) = self
                .store
                .coupon(code)?
                .ok_or_else(|| ApiError::not_found("no such coupon"))?;
            let body = serde_json::to_string(&shared::card::coupon_view(&customer, &coupon))?;
            Ok((body, applied))
        })?;
        self.publish_applied(&shop, &program, &applied).await?;
        Ok(Reply::Value(body))
    }

    /// The head of a member's export: the shop's view (card, newest entries, newest coupons)
    /// and the bounded account. The rows follow page by page ([`Self::export_page`]).
    fn export(&self, customer: &str) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let account = self.existing(customer)?;
        let now = crate::now_unix() as i64;
        let member = self.member_view(&shop, &program, &account, now)?;
        let head = serde_json::json!({
            "shop_id": shop.record.shop_id,
            "exported_at": shared::time::rfc3339(now),
            "member": member,
            "account": account,
            "feedback": super::feedback::answers_of(self.store.sql(), customer)?,
        });
        value(&head)
    }

    /// One page of a member's rows for the export: `{items, next?}`.
    fn export_page(
        &self,
        customer: &str,
        part: ExportPart,
        after: Option<String>,
        limit: usize,
    ) -> Result<Reply> {
        let limit = limit.clamp(1, 1000);
        let (items, next) = self.store.export_page(customer, part, after, limit)?;
        let mut page = serde_json::json!({ "items": items });
        if let Some(next) = next {
            page["next"] = next.into();
        }
        value(&page)
    }

    /// Erases every trace of a member: their rows, idempotency records, analytics, member-code
    /// index entry, and their card snapshot under every recent program version.
    async fn erase(&self, customer: &str) -> Result<Reply> {
        let (shop, program) = self.program()?;
        let now = crate::now_unix() as i64;
        transaction(&self.state, || {
            self.core(&shop, &program).erase(customer, now)
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
        Ok(Reply::Done)
    }

    /// Deletes idempotency records older than `older_than_seconds` now (maintenance; the alarm
    /// does the same daily with the default retention). Bounded: at most 10,000 a call.
    fn purge(&self, older_than_seconds: i64) -> Result<Reply> {
        let before = crate::now_unix() as i64 - older_than_seconds.max(0);
        let mut purged = 0;
        for _ in 0..20 {
            let n = transaction(&self.state, || self.store.purge_idempotency(before, 500))?;
            purged += n;
            if n < 500 {
                break;
            }
        }
        value(&serde_json::json!({ "purged": purged }))
    }

    async fn create_shop(&self, shop_id: &str, name: &str, secret_key: &str) -> Result<Reply> {
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
        value(&body)
    }

    /// Rotates the shop's key (the edge drew the new one) and publishes the record to KV.
    async fn rotate_key(&self, secret_key: &str, previous_until: i64) -> Result<Reply> {
        self.shop()?;
        transaction(&self.state, || {
            self.store.rotate_key(secret_key, previous_until)
        })?;
        self.forget_shop();
        let shop = self.shop()?;
        self.publish_shop(&shop).await?;
        let now = crate::now_unix() as i64;
        let body = shared::requests::KeyRotated {
            secret_key: secret_key.to_owned(),
            previous_key_valid_until: (previous_until > now)
                .then(|| shared::time::rfc3339(previous_until)),
        };
        value(&body)
    }

    async fn put_settings(&self, settings: shared::requests::ShopSettings) -> Result<Reply> {
        self.shop()?;
        let lifetime = i64::try_from(settings.token_max_lifetime_seconds)
            .map_err(|_| ApiError::field("token_max_lifetime_seconds", "too large"))?;
        transaction(&self.state, || {
            self.store
                .set_settings(lifetime, settings.members_may_rejoin)
        })?;
        self.forget_shop();
        let shop = self.shop()?;
        self.publish_shop(&shop).await?;
        value(&settings)
    }

    async fn put_program(&self, program: Program) -> Result<Reply> {
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
        Ok(Reply::Value(config))
    }

    /// Seeds the documented local-dev shop. Existing rows are kept, so seeding twice changes
    /// nothing; the KV snapshots are rewritten from what is stored.
    async fn seed_demo(&self) -> Result<Reply> {
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
                    feedback: None,
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
        Ok(Reply::Done)
    }

    /// Local dev and tests only (the edge allows it when `PUNCHCARD_DEMO=seed`): stores a member
    /// document in the version-1 shape, with its coupons in the version-1 `code → member` table,
    /// to exercise its migration.
    fn seed_legacy(&self, customer: &str, document: &str) -> Result<Reply> {
        let legacy: shared::ledger::legacy::LegacyAccount = serde_json::from_str(document)?;
        transaction(&self.state, || {
            self.store.sql().exec(
                "CREATE TABLE IF NOT EXISTS coupons_v1 (code TEXT PRIMARY KEY, customer_id TEXT NOT NULL)",
                None,
            )?;
            for coupon in &legacy.coupons {
                self.store.sql().exec(
                    "INSERT OR REPLACE INTO coupons_v1 (code, customer_id) VALUES (?, ?)",
                    vec![coupon.code.as_str().into(), customer.into()],
                )?;
            }
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
        self.store.forget_legacy();
        Ok(Reply::Done)
    }

    /// After a write: the alarm runs by the next day (birthdays, retention), or when the next
    /// webhook delivery is due.
    pub(super) async fn schedule_housekeeping(&self) -> Result<()> {
        let mut within = super::schedules::until_next_day_ms();
        if let Some(at) = self.store.next_delivery_at()? {
            within = within.min((at * 1000 - super::now_ms()).max(0));
        }
        self.schedule_within(within).await
    }
}
