//! `ShopLedger`: one SQLite-backed Durable Object per shop, the system of record — a thin shell
//! over modules that each own one job: `core` (the command logic that decides and writes,
//! written against the small `storage::Storage` trait and tested natively against an in-memory
//! store), [`store`] (the SQLite schema and every query), `tx` (one explicit transaction per
//! command), `commands` (one function per command of the protocol), `snapshots` (KV publishing
//! and coalescing), `schedules` (the alarm: snapshot flushes, birthdays, retention, migration of
//! version-1 data).
//!
//! Why this is atomic: Cloudflare runs at most one instance of a Durable Object id at a time and
//! delivers its requests one after another; each value-moving command does *check idempotency →
//! load the member and the rows its event needs → apply the `shared` ledger → write the member,
//! its new rows, the analytics changes and the idempotency record* inside one
//! `storage.transactionSync` callback, with no `await` in it. So two redemptions can never both
//! spend the same points, a replay never credits twice, a command that fails half-way leaves
//! nothing behind, and the response waits until the transaction is durable (the output gate).
//! KV is written *after* the commit, as a read snapshot for the edge; nothing ever reads a balance
//! from KV to write it back. Snapshot writes of a busy member are coalesced (at most one per
//! second per member, latest state wins) through a durable `kv_pending` table flushed by the alarm.

mod batch;
mod commands;
pub use commands::MAX_HISTORY_PAGE;
mod core;
mod feedback;
#[cfg(test)]
mod memory;
mod schedules;
mod snapshots;
mod storage;
pub mod store;
mod tx;
mod webhooks;

use crate::commands::{Command, Reply};
use crate::kv::ShopRecord;
use crate::problem::ApiError;
use shared::api::ErrorCode;
use shared::program::Program;
use shared::ShopId;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use store::Store;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, State,
};

#[durable_object]
pub struct ShopLedger {
    state: State,
    env: Env,
    store: Store,
    /// The shop record and parsed program, read once (dropped when either changes).
    shop: RefCell<Option<Rc<ShopCache>>>,
    /// The alarm time as last set by this instance (ms), to skip needless `getAlarm` calls.
    alarm_at: Cell<Option<i64>>,
    /// When each member's card was last written to KV (ms), for coalescing.
    last_publish: RefCell<HashMap<String, f64>>,
    /// Recent redemption times per member (ms), for the rate limit.
    redemptions: RefCell<HashMap<String, Vec<f64>>>,
}

/// The shop as the object keeps it in memory.
pub struct ShopCache {
    pub record: ShopRecord,
    pub shop: ShopId,
    /// The program, if the shop has one yet.
    pub program: Option<Program>,
}

impl DurableObject for ShopLedger {
    fn new(state: State, env: Env) -> Self {
        let store = Store::new(state.storage().sql());
        if let Err(e) = store.migrate_schema() {
            worker::console_error!("ShopLedger schema: {e:?}");
        }
        Self {
            state,
            env,
            store,
            shop: RefCell::new(None),
            alarm_at: Cell::new(None),
            last_publish: RefCell::new(HashMap::new()),
            redemptions: RefCell::new(HashMap::new()),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // Parsed here, not by the runtime's JSON.parse: that would round integers beyond 2^53.
        let parsed = req
            .text()
            .await
            .map(|text| serde_json::from_str::<Command>(&text));
        let result = match parsed {
            Ok(Ok(command)) => self.run(command).await,
            _ => Err(ApiError::internal("unreadable ledger command")),
        };
        Reply::into_response(result)
    }

    async fn alarm(&self) -> Result<Response> {
        self.alarm_at.set(None);
        if let Err(e) = self.scheduled().await {
            worker::console_error!("ledger alarm: {e:?}");
            // Try again shortly (the runtime also retries an alarm that throws).
            if let Err(e) = self.schedule_within(schedules::RETRY_MS).await {
                worker::console_error!("ledger alarm reschedule: {e:?}");
            }
        }
        Response::empty()
    }
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
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
    /// The shop (record and program), from memory or read once from storage.
    fn shop(&self) -> std::result::Result<Rc<ShopCache>, ApiError> {
        if let Some(cached) = self.shop.borrow().as_ref() {
            return Ok(cached.clone());
        }
        let row = self
            .store
            .shop()?
            .ok_or_else(|| ApiError::not_found("no such shop"))?;
        let (program, version) = match self.store.program()? {
            Some((config, version)) => (Some(serde_json::from_str(&config)?), version),
            None => (None, 0),
        };
        let shop = ShopId::parse(&row.shop_id).map_err(|_| ApiError::not_found("no such shop"))?;
        let cache = Rc::new(ShopCache {
            record: ShopRecord {
                shop_id: row.shop_id,
                name: row.name,
                secret_key: row.secret_key,
                program_version: version,
                previous_key: row.previous_key,
                previous_until: u64::try_from(row.previous_until).unwrap_or(0),
                token_max_lifetime: u64::try_from(row.token_max_lifetime)
                    .unwrap_or(shared::token::DEFAULT_MAX_LIFETIME),
                members_may_rejoin: row.members_may_rejoin != 0,
            },
            shop,
            program,
        });
        *self.shop.borrow_mut() = Some(cache.clone());
        Ok(cache)
    }

    /// Forgets the cached shop (after the shop or its program changed).
    fn forget_shop(&self) {
        *self.shop.borrow_mut() = None;
    }

    /// The shop's program (a conflict before the first `PUT /program`).
    fn program(&self) -> std::result::Result<(Rc<ShopCache>, Program), ApiError> {
        let shop = self.shop()?;
        let program = shop.program.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Conflict,
                "the shop has no program yet: PUT one first",
            )
        })?;
        Ok((shop, program))
    }

    /// Makes sure the alarm fires within `ms` (never pushes an earlier one back).
    async fn schedule_within(&self, ms: i64) -> std::result::Result<(), ApiError> {
        let wanted = now_ms() + ms;
        if self.alarm_at.get().is_some_and(|at| at <= wanted) {
            return Ok(());
        }
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        match current {
            Some(at) if at <= wanted => self.alarm_at.set(Some(at)),
            _ => {
                storage.set_alarm(ms).await?;
                self.alarm_at.set(Some(wanted));
            }
        }
        Ok(())
    }
}

/// Sends `command` to the shop's ledger object and returns its reply.
pub async fn ask(
    env: &Env,
    shop: &ShopId,
    command: &Command,
) -> std::result::Result<Reply, ApiError> {
    let stub = env
        .durable_object(crate::LEDGER_BINDING)?
        .id_from_name(shop.as_str())?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(serde_json::to_string(command)?.into()));
    let req = Request::new_with_init("https://ledger/command", &init)?;
    Reply::from_response(stub.fetch_with_request(req).await?).await
}
