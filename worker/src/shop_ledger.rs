//! `ShopLedger`: one SQLite-backed Durable Object per shop, the system of record.
//!
//! Why this is atomic: Cloudflare runs at most one instance of a Durable Object id at a time and
//! delivers its requests one after another; SQL statements issued without an `await` between them
//! commit together (an implicit transaction), and the response waits until they are durable (the
//! output gate). Every value-moving command here does *load account → check idempotency → apply
//! the `shared` ledger → save account → store the idempotency record* with no `await` in between,
//! so two redemptions can never both spend the same points, a replay never credits twice, and
//! nothing is acknowledged before it is stored. KV is written *after* the commit, as a read
//! snapshot for the edge; nothing ever reads a balance from KV to write it back. Snapshot writes of
//! a busy member are coalesced (at most one per second per member, latest state wins) through a
//! durable `kv_pending` table flushed by the object's alarm.

use crate::commands::{BatchItem, Command, Idem};
use crate::kv::{self, ShopRecord};
use crate::problem::ApiError;
use serde::{Deserialize, Serialize};
use shared::api::{ErrorCode, RedemptionResponse};
use shared::ledger::{Account, Context, Effect, Event, EventKind, Outcome};
use shared::program::Program;
use shared::{demo, CustomerId, ShopId};
use std::cell::RefCell;
use std::collections::HashMap;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorage,
    State,
};

#[durable_object]
pub struct ShopLedger {
    state: State,
    env: Env,
    /// When each member's card was last written to KV (ms), for coalescing.
    last_publish: RefCell<HashMap<String, f64>>,
    /// Recent redemption times per member (ms), for the rate limit.
    redemptions: RefCell<HashMap<String, Vec<f64>>>,
}

/// Redemptions a member may make per minute.
pub const REDEMPTIONS_PER_MINUTE: usize = 10;
/// The member with a member code (an expression index, see `shop_stats::SCHEMA`).
const BY_MEMBER_CODE: &str =
    "SELECT customer_id FROM accounts WHERE json_extract(account, '$.member_code') = ?";
/// How long a card snapshot lives in KV without being rewritten.
const CARD_TTL_SECONDS: u64 = 30 * 86_400;
/// Minimum time between two KV writes of one member's card (production KV: ~1 write/s/key).
const PUBLISH_INTERVAL_MS: f64 = 1000.0;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shop (
    shop_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_key TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS program (
    shop_id TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    customer_id TEXT PRIMARY KEY, account TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS coupons (
    code TEXT PRIMARY KEY, customer_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kv_pending (customer_id TEXT PRIMARY KEY);
";

impl DurableObject for ShopLedger {
    fn new(state: State, env: Env) -> Self {
        for schema in [SCHEMA, crate::shop_stats::SCHEMA] {
            if let Err(e) = state.storage().sql().exec(schema, None) {
                worker::console_error!("ShopLedger schema: {e}");
            }
        }
        Self {
            state,
            env,
            last_publish: RefCell::new(HashMap::new()),
            redemptions: RefCell::new(HashMap::new()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: Command = match req.json().await {
            Ok(c) => c,
            Err(_) => return ApiError::not_found("no such ledger operation").into_response(),
        };
        let result = self.run(command).await;
        crate::problem::respond(result)
    }

    async fn alarm(&self) -> Result<Response> {
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT customer_id FROM kv_pending", None)?
            .to_array()?;
        self.sql().exec("DELETE FROM kv_pending", None)?;
        let mut failed = false;
        for row in rows {
            if let Err(e) = self.publish_stored(&row.customer_id).await {
                worker::console_error!("snapshot flush failed: {e:?}");
                failed = true;
                self.sql().exec(
                    "INSERT OR IGNORE INTO kv_pending (customer_id) VALUES (?)",
                    vec![row.customer_id.into()],
                )?;
            }
        }
        if let Err(e) = self.celebrate_birthdays().await {
            worker::console_error!("birthday run failed: {e:?}");
        }
        if failed {
            self.state
                .storage()
                .set_alarm(PUBLISH_INTERVAL_MS as i64)
                .await?;
        } else if crate::shop_stats::any_birthdays(&self.sql()).unwrap_or(false) {
            self.state.storage().set_alarm(until_next_day_ms()).await?;
        }
        Response::empty()
    }
}

#[derive(Deserialize)]
struct AccountRow {
    account: String,
}

#[derive(Deserialize)]
struct ConfigRow {
    config: String,
}

#[derive(Deserialize)]
struct IdemRow {
    body_hash: String,
    status: i64,
    body: String,
}

type Answer = std::result::Result<Response, ApiError>;

fn json_response(status: u16, body: String) -> Answer {
    let mut response = Response::ok(body)?.with_status(status);
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    Ok(response)
}

fn now_ms() -> f64 {
    worker::Date::now().as_millis() as f64
}

/// Milliseconds from now to a minute past the next UTC midnight (the daily birthday run).
fn until_next_day_ms() -> i64 {
    const DAY_MS: i64 = 86_400_000;
    let now = now_ms() as i64;
    (now.div_euclid(DAY_MS) + 1) * DAY_MS + 60_000 - now
}

/// 32 bytes from the platform's CSPRNG (Web Crypto).
pub fn random_bytes() -> worker::Result<[u8; 32]> {
    use wasm_bindgen::JsCast;
    let crypto: web_sys::Crypto =
        js_sys::Reflect::get(&js_sys::global(), &"crypto".into())?.unchecked_into();
    let mut buf = [0u8; 32];
    crypto.get_random_values_with_u8_array(&mut buf)?;
    Ok(buf)
}

impl ShopLedger {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    async fn run(&self, command: Command) -> Answer {
        match command {
            Command::SeedDemo => self.seed_demo().await,
            Command::CreateShop {
                shop_id,
                name,
                secret_key,
            } => self.create_shop(&shop_id, &name, &secret_key).await,
            Command::ShopRecord => {
                let record = self.shop_record()?;
                self.publish_shop().await?;
                json_response(200, serde_json::to_string(&record)?)
            }
            Command::PutProgram { program } => self.put_program(program).await,
            Command::Apply {
                idem,
                customer,
                event,
                status,
            } => self.apply(idem, &customer, event, status).await,
            Command::Redeem {
                idem,
                customer,
                reward_id,
            } => self.redeem(idem, &customer, &reward_id).await,
            Command::Card { customer, open } => self.card(&customer, open).await,
            Command::ShopView { customer } => self.shop_view(&customer),
            Command::Coupon { code } => self.coupon(&code),
            Command::Consume { code, order_id } => self.consume(&code, &order_id).await,
            Command::Export { customer } => self.export(&customer),
            Command::Analytics => {
                let now = crate::now_unix() as i64;
                crate::shop_stats::backfill(&self.sql())?;
                let aggregates = crate::shop_stats::aggregates(&self.sql(), now)?;
                let report = shared::analytics::report(&aggregates, &self.program()?, now);
                json_response(200, serde_json::to_string(&report)?)
            }
            Command::MemberByCode { code } => self.shop_view(&self.member_with_code(&code)?),
            Command::ApplyBatch { items } => self.apply_batch(items).await,
            Command::Erase { customer } => self.erase(&customer).await,
        }
    }

    // ---- reading ----

    fn shop_record(&self) -> std::result::Result<ShopRecord, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            shop_id: String,
            name: String,
            secret_key: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT shop_id, name, secret_key FROM shop", None)?
            .to_array()?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::not_found("no such shop"))?;
        Ok(ShopRecord {
            shop_id: row.shop_id,
            name: row.name,
            secret_key: row.secret_key,
            program_version: self.program_version()?,
        })
    }

    /// The program's version (its `updated_at`), 0 before the first program.
    fn program_version(&self) -> std::result::Result<i64, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            updated_at: i64,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT updated_at FROM program", None)?
            .to_array()?;
        Ok(rows.first().map_or(0, |r| r.updated_at))
    }

    fn shop_id(&self) -> std::result::Result<String, ApiError> {
        Ok(self.shop_record()?.shop_id)
    }

    fn program(&self) -> std::result::Result<Program, ApiError> {
        let rows: Vec<ConfigRow> = self
            .sql()
            .exec("SELECT config FROM program", None)?
            .to_array()?;
        let row = rows.into_iter().next().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Conflict,
                "the shop has no program yet: PUT one first",
            )
        })?;
        Ok(serde_json::from_str(&row.config)?)
    }

    fn load(&self, customer: &str) -> std::result::Result<Option<Account>, ApiError> {
        let rows: Vec<AccountRow> = self
            .sql()
            .exec(
                "SELECT account FROM accounts WHERE customer_id = ?",
                vec![customer.into()],
            )?
            .to_array()?;
        match rows.into_iter().next() {
            Some(row) => Ok(Some(serde_json::from_str(&row.account)?)),
            None => Ok(None),
        }
    }

    fn existing(&self, customer: &str) -> std::result::Result<Account, ApiError> {
        self.load(customer)?
            .ok_or_else(|| ApiError::not_found(format!("no member '{customer}'")))
    }

    fn save(&self, account: &Account) -> std::result::Result<(), ApiError> {
        self.sql().exec(
            "INSERT INTO accounts (customer_id, account, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(customer_id) DO UPDATE SET account = excluded.account, updated_at = excluded.updated_at",
            vec![account.customer_id.clone().into(), serde_json::to_string(account)?.into(), (crate::now_unix() as i64).into()],
        )?;
        crate::shop_stats::track(&self.sql(), &account.customer_id, Some(account))
    }

    fn context() -> std::result::Result<Context, ApiError> {
        Ok(Context {
            now: crate::now_unix() as i64,
            entropy: random_bytes()?,
        })
    }

    // ---- idempotency ----

    /// A stored answer for `idem`: the same body replays it, another body is a conflict.
    fn replay(&self, idem: &Idem) -> std::result::Result<Option<Response>, ApiError> {
        let rows: Vec<IdemRow> = self
            .sql()
            .exec(
                "SELECT body_hash, status, body FROM idempotency WHERE key = ?",
                vec![idem.key.clone().into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        if row.body_hash != idem.body_hash {
            return Err(ApiError::new(
                ErrorCode::IdempotencyConflict,
                "this idempotency key (or event id) was already used with a different request",
            ));
        }
        let mut response = json_response(row.status as u16, row.body)?;
        response.headers_mut().set("Idempotent-Replayed", "true")?;
        Ok(Some(response))
    }

    fn remember(&self, idem: &Idem, status: u16, body: &str) -> std::result::Result<(), ApiError> {
        self.sql().exec(
            "INSERT INTO idempotency (key, body_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                idem.key.clone().into(),
                idem.body_hash.clone().into(),
                i64::from(status).into(),
                body.into(),
                (crate::now_unix() as i64).into(),
            ],
        )?;
        Ok(())
    }

    // ---- writing ----

    /// Applies `event` to `account` and the effects it causes to other members, saving all of them
    /// and indexing new coupons; returns the outcome and the other members changed. Synchronous:
    /// one implicit transaction.
    fn apply_and_save(
        &self,
        program: &Program,
        account: &mut Account,
        event: &Event,
        ctx: &Context,
    ) -> std::result::Result<(Outcome, Vec<Account>), ApiError> {
        let outcome = account.apply(program, event, ctx)?;
        self.save(account)?;
        self.index_coupons(account, &outcome)?;
        let mut others = Vec::new();
        for Effect::Apply { customer, event } in &outcome.effects {
            let mut other = match self.load(customer)? {
                Some(a) => a,
                None => Account::open(customer, program, ctx),
            };
            match other.apply(program, event, ctx) {
                Ok(effect_outcome) => {
                    self.save(&other)?;
                    self.index_coupons(&other, &effect_outcome)?;
                    others.push(other);
                }
                Err(e) => worker::console_error!("effect on another member refused: {e}"),
            }
        }
        Ok((outcome, others))
    }

    fn index_coupons(
        &self,
        account: &Account,
        outcome: &Outcome,
    ) -> std::result::Result<(), ApiError> {
        for coupon in &outcome.coupons_issued {
            self.sql().exec(
                "INSERT OR REPLACE INTO coupons (code, customer_id) VALUES (?, ?)",
                vec![
                    coupon.code.clone().into(),
                    account.customer_id.clone().into(),
                ],
            )?;
        }
        Ok(())
    }

    async fn apply(&self, idem: Idem, customer: &str, event: Event, status: u16) -> Answer {
        if let Some(replayed) = self.replay(&idem)? {
            return Ok(replayed);
        }
        let program = self.program()?;
        let event = self.with_referrer_resolved(event)?;
        let (body, changed) =
            self.apply_recorded(&program, &self.shop_id()?, &idem, customer, &event, status)?;
        for account in &changed {
            self.publish(account, &program).await?;
        }
        if matches!(event.kind, EventKind::SetBirthday { .. }) {
            // A birthday to celebrate: make sure the daily run is scheduled.
            if self.state.storage().get_alarm().await?.is_none() {
                self.state.storage().set_alarm(until_next_day_ms()).await?;
            }
        }
        json_response(status, body)
    }

    /// `customer.referred` may name the referrer by member code (what the widget's referral links
    /// carry, `?ref=M-…`): it becomes that member's customer id; an unknown code is refused.
    fn with_referrer_resolved(&self, mut event: Event) -> std::result::Result<Event, ApiError> {
        if let EventKind::Referred { referrer } = &mut event.kind {
            if let Some(code) = shared::code::normalize("M", referrer) {
                *referrer = self.customer_where(BY_MEMBER_CODE, &code)?.ok_or_else(|| {
                    ApiError::field("referrer_id", "no member has this member code")
                })?;
            }
        }
        Ok(event)
    }

    /// Credits the birthday points of the members whose birthday is today (once a day, from the
    /// alarm; the ledger gives them at most once per calendar year whatever else happened).
    async fn celebrate_birthdays(&self) -> std::result::Result<(), ApiError> {
        let now = crate::now_unix() as i64;
        let customers = crate::shop_stats::birthdays_due(&self.sql(), now)?;
        if customers.is_empty() {
            return Ok(());
        }
        let program = self.program()?;
        let shop_id = self.shop_id()?;
        let year = shared::time::year_of(now);
        for customer in customers {
            let event = Event {
                id: format!("birthday-auto:{year}"),
                at: now,
                kind: EventKind::Birthday,
            };
            let idem = Idem {
                key: format!("event:birthday-auto:{customer}:{year}"),
                body_hash: "birthday".into(),
            };
            if self.replay(&idem)?.is_some() {
                continue;
            }
            match self.apply_recorded(&program, &shop_id, &idem, &customer, &event, 200) {
                Ok((_, changed)) => {
                    for account in &changed {
                        self.publish(account, &program).await?;
                    }
                }
                Err(e) => worker::console_error!("birthday of {customer}: {e:?}"),
            }
        }
        Ok(())
    }

    /// Applies `event` to `customer` (opening the account on first contact), saves, and stores
    /// the answer (the card and the outcome) under `idem`. Synchronous: one transaction. Returns
    /// the answer and every account changed (the member first, then members its effects reached).
    fn apply_recorded(
        &self,
        program: &Program,
        shop_id: &str,
        idem: &Idem,
        customer: &str,
        event: &Event,
        status: u16,
    ) -> std::result::Result<(String, Vec<Account>), ApiError> {
        let ctx = Self::context()?;
        let mut account = match self.load(customer)? {
            Some(a) => a,
            None => Account::open(customer, program, &ctx),
        };
        let (outcome, others) = self.apply_and_save(program, &mut account, event, &ctx)?;
        let card = shared::card::card(shop_id, &account, program, ctx.now);
        let mut body = serde_json::to_value(&card)?;
        body["outcome"] = serde_json::to_value(&outcome)?;
        let body = body.to_string();
        self.remember(idem, status, &body)?;
        Ok((body, std::iter::once(account).chain(others).collect()))
    }

    /// Applies many events (the batch route): each one exactly as [`Self::apply`] would, with its
    /// own idempotency record; each changed member's card is published once, at the end.
    async fn apply_batch(&self, items: Vec<BatchItem>) -> Answer {
        let program = self.program()?;
        let shop_id = self.shop_id()?;
        let mut changed: HashMap<String, Account> = HashMap::new();
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            let id = item.event.id.clone();
            if self.replay(&item.idem).is_ok_and(|r| r.is_some()) {
                results.push(serde_json::json!({"id": id, "status": 200, "replayed": true}));
                continue;
            }
            match self.apply_recorded(
                &program,
                &shop_id,
                &item.idem,
                &item.customer,
                &item.event,
                200,
            ) {
                Ok((_, accounts)) => {
                    for a in accounts {
                        changed.insert(a.customer_id.clone(), a);
                    }
                    results.push(serde_json::json!({"id": id, "status": 200}));
                }
                Err(e) => {
                    let problem = e.problem();
                    results.push(serde_json::json!({"id": id, "status": problem.status, "code": problem.code, "detail": problem.detail}));
                }
            }
        }
        for account in changed.values() {
            self.publish(account, &program).await?;
        }
        json_response(200, serde_json::json!({ "results": results }).to_string())
    }

    /// The shop's view of a member: card, full history, every coupon.
    fn shop_view(&self, customer: &str) -> Answer {
        let (account, program) = (self.existing(customer)?, self.program()?);
        let view = shared::card::shop_view(
            &self.shop_id()?,
            &account,
            &program,
            crate::now_unix() as i64,
        );
        json_response(200, serde_json::to_string(&view)?)
    }

    /// The member whose member code is `code` (an index on the stored accounts).
    fn member_with_code(&self, code: &str) -> std::result::Result<String, ApiError> {
        self.customer_where(BY_MEMBER_CODE, code)?
            .ok_or_else(|| ApiError::not_found("no member with this member code"))
    }

    /// The `customer_id` the one-parameter `query` selects, if any.
    fn customer_where(
        &self,
        query: &str,
        value: &str,
    ) -> std::result::Result<Option<String>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
        }
        let rows: Vec<Row> = self.sql().exec(query, vec![value.into()])?.to_array()?;
        Ok(rows.into_iter().next().map(|r| r.customer_id))
    }

    async fn redeem(&self, idem: Idem, customer: &str, reward_id: &str) -> Answer {
        if let Some(replayed) = self.replay(&idem)? {
            return Ok(replayed);
        }
        self.rate_limit(customer)?;
        let program = self.program()?;
        let ctx = Self::context()?;
        let mut account = self.existing(customer)?;
        let event = Event {
            id: idem.key.clone(),
            at: ctx.now,
            kind: EventKind::Redeem {
                reward_id: reward_id.to_owned(),
            },
        };
        let (outcome, _) = self.apply_and_save(&program, &mut account, &event, &ctx)?;
        let coupon = outcome
            .coupons_issued
            .first()
            .ok_or_else(|| ApiError::from(worker::Error::RustError("no coupon".into())))?;
        let response = RedemptionResponse {
            coupon: shared::card::coupon_view(&account, coupon),
            card: shared::card::card(&self.shop_id()?, &account, &program, ctx.now),
        };
        let body = serde_json::to_string(&response)?;
        self.remember(&idem, 201, &body)?;
        self.publish(&account, &program).await?;
        json_response(201, body)
    }

    /// At most [`REDEMPTIONS_PER_MINUTE`] redemptions per member per minute (429 beyond).
    fn rate_limit(&self, customer: &str) -> std::result::Result<(), ApiError> {
        let now = now_ms();
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

    async fn card(&self, customer: &str, open: bool) -> Answer {
        let account = match (self.load(customer)?, open) {
            (Some(a), _) => a,
            (None, true) => {
                let program = self.program()?;
                let account = Account::open(customer, &program, &Self::context()?);
                self.save(&account)?;
                account
            }
            (None, false) => return Err(ApiError::not_found(format!("no member '{customer}'"))),
        };
        let json = self.publish_now(&account, &self.program()?).await?;
        json_response(200, json)
    }

    fn coupon_owner(&self, code: &str) -> std::result::Result<Account, ApiError> {
        let customer = self
            .customer_where("SELECT customer_id FROM coupons WHERE code = ?", code)?
            .ok_or_else(|| ApiError::not_found("no such coupon"))?;
        self.existing(&customer)
    }

    fn coupon(&self, code: &str) -> Answer {
        let account = self.coupon_owner(code)?;
        let coupon = account
            .coupons
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| ApiError::not_found("no such coupon"))?;
        json_response(
            200,
            serde_json::to_string(&shared::card::coupon_view(&account, coupon))?,
        )
    }

    async fn consume(&self, code: &str, order_id: &str) -> Answer {
        let program = self.program()?;
        let mut account = self.coupon_owner(code)?;
        let ctx = Self::context()?;
        let event = Event {
            id: format!("consume:{code}:{order_id}"),
            // The request carries no time of its own (the ledger checks expiry against `now`), so
            // a retry for the same order has the same content and replays instead of conflicting.
            at: 0,
            kind: EventKind::ConsumeCoupon {
                code: code.to_owned(),
                order_id: order_id.to_owned(),
            },
        };
        self.apply_and_save(&program, &mut account, &event, &ctx)?;
        let coupon = account
            .coupons
            .iter()
            .find(|c| c.code == code)
            .expect("consumed above");
        let body = serde_json::to_string(&shared::card::coupon_view(&account, coupon))?;
        self.publish(&account, &program).await?;
        json_response(200, body)
    }

    fn export(&self, customer: &str) -> Answer {
        #[derive(Serialize)]
        struct Export<'a> {
            shop_id: String,
            exported_at: String,
            member: shared::api::ShopCustomerView,
            ledger: &'a Account,
        }
        let (account, program) = (self.existing(customer)?, self.program()?);
        let now = crate::now_unix() as i64;
        let export = Export {
            shop_id: self.shop_id()?,
            exported_at: shared::time::rfc3339(now),
            member: shared::card::shop_view(&self.shop_id()?, &account, &program, now),
            ledger: &account,
        };
        json_response(200, serde_json::to_string(&export)?)
    }

    async fn erase(&self, customer: &str) -> Answer {
        self.existing(customer)?;
        let sql = self.sql();
        crate::shop_stats::track(&sql, customer, None)?;
        sql.exec(
            "DELETE FROM accounts WHERE customer_id = ?",
            vec![customer.into()],
        )?;
        sql.exec(
            "DELETE FROM coupons WHERE customer_id = ?",
            vec![customer.into()],
        )?;
        sql.exec(
            "DELETE FROM kv_pending WHERE customer_id = ?",
            vec![customer.into()],
        )?;
        let shop =
            ShopId::parse(&self.shop_id()?).map_err(|_| ApiError::not_found("no such shop"))?;
        let id = CustomerId::parse(customer).map_err(|_| ApiError::not_found("no such member"))?;
        self.env
            .kv(crate::KV_BINDING)?
            .delete(&kv::card_key(&shop, self.program_version()?, &id))
            .await?;
        Ok(Response::empty()?.with_status(204))
    }

    async fn create_shop(&self, shop_id: &str, name: &str, secret_key: &str) -> Answer {
        if self.shop_record().is_ok() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("shop '{shop_id}' already exists"),
            ));
        }
        self.sql().exec(
            "INSERT INTO shop (shop_id, name, secret_key, created_at) VALUES (?, ?, ?, ?)",
            vec![
                shop_id.into(),
                name.into(),
                secret_key.into(),
                (crate::now_unix() as i64).into(),
            ],
        )?;
        self.publish_shop().await?;
        let body = shared::requests::ShopCreated {
            shop_id: shop_id.to_owned(),
            secret_key: secret_key.to_owned(),
        };
        json_response(201, serde_json::to_string(&body)?)
    }

    async fn put_program(&self, program: Program) -> Answer {
        let shop = self.shop_id()?;
        let config = serde_json::to_string(&program)?;
        self.sql().exec(
            "INSERT INTO program (shop_id, config, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(shop_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            // Milliseconds: the version of the program, in the card snapshots' KV keys.
            vec![shop.into(), config.clone().into(), (now_ms() as i64).into()],
        )?;
        self.publish_shop().await?;
        json_response(200, config)
    }

    /// Seeds the documented local-dev shop. Existing rows are kept (`INSERT OR IGNORE`), so seeding
    /// twice changes nothing; the KV snapshots are rewritten from what is stored.
    async fn seed_demo(&self) -> Answer {
        let now = crate::now_unix() as i64;
        let program = Program::demo_bakery();
        let sql = self.sql();
        sql.exec(
            "INSERT OR IGNORE INTO shop (shop_id, name, secret_key, created_at) VALUES (?, ?, ?, ?)",
            vec![demo::SHOP_ID.into(), demo::SHOP_NAME.into(), demo::SECRET_KEY.into(), now.into()],
        )?;
        sql.exec(
            "INSERT OR IGNORE INTO program (shop_id, config, updated_at) VALUES (?, ?, ?)",
            vec![
                demo::SHOP_ID.into(),
                serde_json::to_string(&program)?.into(),
                now.into(),
            ],
        )?;
        for account in demo::accounts(&program, now) {
            if self.load(&account.customer_id)?.is_none() {
                self.save(&account)?;
                for coupon in &account.coupons {
                    sql.exec(
                        "INSERT OR IGNORE INTO coupons (code, customer_id) VALUES (?, ?)",
                        vec![
                            coupon.code.clone().into(),
                            account.customer_id.clone().into(),
                        ],
                    )?;
                }
            }
        }
        self.publish_shop().await?;
        #[derive(Deserialize)]
        struct Row {
            customer_id: String,
        }
        let rows: Vec<Row> = sql
            .exec("SELECT customer_id FROM accounts", None)?
            .to_array()?;
        for row in rows {
            self.publish_stored(&row.customer_id).await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    // ---- KV snapshots ----

    /// Writes the shop record and program to KV from the stored rows.
    async fn publish_shop(&self) -> std::result::Result<(), ApiError> {
        let record = self.shop_record()?;
        let shop =
            ShopId::parse(&record.shop_id).map_err(|_| ApiError::not_found("no such shop"))?;
        let snapshots = self.env.kv(crate::KV_BINDING)?;
        snapshots
            .put(&kv::shop_key(&shop), &record)?
            .execute()
            .await?;
        let programs: Vec<ConfigRow> = self
            .sql()
            .exec("SELECT config FROM program", None)?
            .to_array()?;
        if let Some(program) = programs.into_iter().next() {
            snapshots
                .put(&kv::program_key(&shop), program.config)?
                .execute()
                .await?;
        }
        Ok(())
    }

    /// Publishes a member's card now, or — if it was written less than a second ago — marks it
    /// for the alarm to write shortly (latest state wins).
    async fn publish(
        &self,
        account: &Account,
        program: &Program,
    ) -> std::result::Result<(), ApiError> {
        let customer = account.customer_id.as_str();
        let recent = self
            .last_publish
            .borrow()
            .get(customer)
            .is_some_and(|t| now_ms() - t < PUBLISH_INTERVAL_MS);
        if recent {
            self.sql().exec(
                "INSERT OR IGNORE INTO kv_pending (customer_id) VALUES (?)",
                vec![customer.into()],
            )?;
            // The alarm may be the next day's birthday run: bring it forward, never push it back.
            let soon = now_ms() as i64 + PUBLISH_INTERVAL_MS as i64;
            if self
                .state
                .storage()
                .get_alarm()
                .await?
                .is_none_or(|at| at > soon)
            {
                self.state
                    .storage()
                    .set_alarm(PUBLISH_INTERVAL_MS as i64)
                    .await?;
            }
            return Ok(());
        }
        self.publish_now(account, program).await.map(|_| ())
    }

    /// Publishes the stored state of `customer` (alarm flushes, seeding).
    async fn publish_stored(&self, customer: &str) -> std::result::Result<String, ApiError> {
        self.publish_now(&self.existing(customer)?, &self.program()?)
            .await
    }

    /// Computes the member's card now and writes it to KV; returns its JSON.
    async fn publish_now(
        &self,
        account: &Account,
        program: &Program,
    ) -> std::result::Result<String, ApiError> {
        let shop = self.shop_id()?;
        let card = shared::card::card(&shop, account, program, crate::now_unix() as i64);
        let json = serde_json::to_string(&card)?;
        let shop = ShopId::parse(&shop).map_err(|_| ApiError::not_found("no such shop"))?;
        let id = CustomerId::parse(&account.customer_id)
            .map_err(|_| ApiError::not_found("no such member"))?;
        self.last_publish
            .borrow_mut()
            .insert(account.customer_id.clone(), now_ms());
        self.env
            .kv(crate::KV_BINDING)?
            .put(&kv::card_key(&shop, self.program_version()?, &id), &json)?
            // Snapshots of quiet members (and of older program versions) fade away; a miss is
            // repaired by the ledger object on the next read.
            .expiration_ttl(CARD_TTL_SECONDS)
            .execute()
            .await?;
        Ok(json)
    }
}

/// Sends `command` to the shop's ledger object and returns its answer as is.
pub async fn send(env: &Env, shop: &ShopId, command: &Command) -> worker::Result<Response> {
    let stub = env
        .durable_object(crate::LEDGER_BINDING)?
        .id_from_name(shop.as_str())?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let req = Request::new_with_init("https://ledger/command", &init)?;
    stub.fetch_with_request(req).await
}
