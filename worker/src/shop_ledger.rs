//! `ShopLedger`: one SQLite-backed Durable Object per shop, the system of record.
//!
//! Why this is atomic: Cloudflare runs at most one instance of a Durable Object id at a time, and
//! delivers its requests one after another through the input/output gates; SQL statements issued
//! without an `await` between them commit together (implicit transaction), and the response is
//! held until the write is durable. So every change to a shop's data happens here, in order, and is
//! only acknowledged once stored. KV is written *after* the commit, as a read snapshot for the edge;
//! nothing ever reads a balance from KV to write it back.

use crate::kv::{self, ShopRecord};
use crate::problem::ApiError;
use serde::Deserialize;
use shared::api::{Card, ErrorCode, Problem};
use shared::{demo, CustomerId, ShopId};
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, Result, SqlStorage,
    State,
};

#[durable_object]
pub struct ShopLedger {
    state: State,
    env: Env,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shop (
    shop_id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_key TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS program (
    shop_id TEXT PRIMARY KEY, config TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    customer_id TEXT PRIMARY KEY, card TEXT NOT NULL, updated_at INTEGER NOT NULL);
";

impl DurableObject for ShopLedger {
    fn new(state: State, env: Env) -> Self {
        if let Err(e) = state.storage().sql().exec(SCHEMA, None) {
            worker::console_error!("ShopLedger schema: {e}");
        }
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let path = req.path();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let result = match (req.method(), segments.as_slice()) {
            (Method::Post, ["seed-demo"]) => self.seed_demo().await,
            (Method::Get, ["cards", customer]) => self.card(customer).await,
            _ => Err(ApiError::not_found("no such ledger operation")),
        };
        crate::problem::respond(result)
    }
}

#[derive(Deserialize)]
struct CardRow {
    card: String,
}

impl ShopLedger {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// Seeds the documented local-dev shop. Existing rows are kept (`INSERT OR IGNORE`), so seeding
    /// twice changes nothing; the KV snapshots are rewritten from what is stored.
    async fn seed_demo(&self) -> std::result::Result<Response, ApiError> {
        let shop = ShopId::parse(demo::SHOP_ID).expect("valid demo id");
        let now = crate::now_unix() as i64;
        let program = serde_json::to_string(&shared::program::Program::demo_bakery())?;
        let sql = self.sql();
        sql.exec(
            "INSERT OR IGNORE INTO shop (shop_id, name, secret_key, created_at) VALUES (?, ?, ?, ?)",
            vec![demo::SHOP_ID.into(), demo::SHOP_NAME.into(), demo::SECRET_KEY.into(), now.into()],
        )?;
        sql.exec(
            "INSERT OR IGNORE INTO program (shop_id, config, updated_at) VALUES (?, ?, ?)",
            vec![demo::SHOP_ID.into(), program.into(), now.into()],
        )?;
        for card in demo::cards() {
            let json = serde_json::to_string(&card).map_err(worker::Error::from)?;
            sql.exec(
                "INSERT OR IGNORE INTO cards (customer_id, card, updated_at) VALUES (?, ?, ?)",
                vec![card.customer_id.clone().into(), json.into(), now.into()],
            )?;
        }
        self.publish_shop(&shop).await?;
        let rows: Vec<CardRow> = sql.exec("SELECT card FROM cards", None)?.to_array()?;
        let snapshots = self.env.kv(crate::KV_BINDING)?;
        for row in rows {
            let card: Card = serde_json::from_str(&row.card).map_err(worker::Error::from)?;
            let customer = CustomerId::parse(&card.customer_id)
                .map_err(|e| worker::Error::RustError(e.to_string()))?;
            snapshots
                .put(&kv::card_key(&shop, &customer), row.card)?
                .execute()
                .await?;
        }
        Ok(Response::empty()?.with_status(204))
    }

    /// Writes the shop record and program to KV from the stored rows.
    async fn publish_shop(&self, shop: &ShopId) -> std::result::Result<(), ApiError> {
        #[derive(Deserialize)]
        struct Row {
            shop_id: String,
            name: String,
            secret_key: String,
        }
        let sql = self.sql();
        let shops: Vec<Row> = sql
            .exec("SELECT shop_id, name, secret_key FROM shop", None)?
            .to_array()?;
        let Some(row) = shops.into_iter().next() else {
            return Err(ApiError::not_found(format!("no shop '{shop}'")));
        };
        let record = ShopRecord {
            shop_id: row.shop_id,
            name: row.name,
            secret_key: row.secret_key,
        };
        let snapshots = self.env.kv(crate::KV_BINDING)?;
        snapshots
            .put(&kv::shop_key(shop), &record)?
            .execute()
            .await?;
        #[derive(Deserialize)]
        struct ProgramRow {
            config: String,
        }
        let programs: Vec<ProgramRow> = sql.exec("SELECT config FROM program", None)?.to_array()?;
        if let Some(program) = programs.into_iter().next() {
            snapshots
                .put(&kv::program_key(shop), program.config)?
                .execute()
                .await?;
        }
        Ok(())
    }

    /// A member's card from the system of record; repairs the KV snapshot on the way.
    async fn card(&self, customer: &str) -> std::result::Result<Response, ApiError> {
        let customer =
            CustomerId::parse(customer).map_err(|_| ApiError::not_found("no such member"))?;
        let rows: Vec<CardRow> = self
            .sql()
            .exec(
                "SELECT card FROM cards WHERE customer_id = ?",
                vec![customer.as_str().into()],
            )?
            .to_array()?;
        let Some(row) = rows.into_iter().next() else {
            return Err(ApiError::not_found("this shopper has no card yet"));
        };
        let card: Card = serde_json::from_str(&row.card).map_err(worker::Error::from)?;
        let shop =
            ShopId::parse(&card.shop_id).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.env
            .kv(crate::KV_BINDING)?
            .put(&kv::card_key(&shop, &customer), &row.card)?
            .execute()
            .await?;
        Ok(Response::ok(row.card)?)
    }
}

/// Calls the shop's ledger object and turns its problem responses back into `ApiError`s.
pub async fn call(
    env: &Env,
    shop: &ShopId,
    method: Method,
    path: &str,
) -> std::result::Result<Response, ApiError> {
    let stub = env
        .durable_object(crate::LEDGER_BINDING)?
        .id_from_name(shop.as_str())?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(method);
    let req = Request::new_with_init(&format!("https://ledger{path}"), &init)?;
    let mut response = stub.fetch_with_request(req).await?;
    if (200..300).contains(&response.status_code()) {
        return Ok(response);
    }
    let problem: Problem = response.json().await?;
    let code = ErrorCode::from_code(&problem.code).unwrap_or(ErrorCode::Internal);
    Err(ApiError::new(code, problem.detail))
}
