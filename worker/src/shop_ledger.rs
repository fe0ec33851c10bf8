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
use shared::api::{ErrorCode, Problem};
use shared::ledger::Account;
use shared::program::Program;
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
CREATE TABLE IF NOT EXISTS accounts (
    customer_id TEXT PRIMARY KEY, account TEXT NOT NULL, updated_at INTEGER NOT NULL);
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
struct AccountRow {
    account: String,
}

#[derive(Deserialize)]
struct ConfigRow {
    config: String,
}

impl ShopLedger {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn shop_id(&self) -> std::result::Result<ShopId, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            shop_id: String,
        }
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT shop_id FROM shop", None)?
            .to_array()?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::not_found("no such shop"))?;
        ShopId::parse(&row.shop_id).map_err(|_| ApiError::not_found("no such shop"))
    }

    fn program(&self) -> std::result::Result<Program, ApiError> {
        let rows: Vec<ConfigRow> = self
            .sql()
            .exec("SELECT config FROM program", None)?
            .to_array()?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::not_found("this shop has no program yet"))?;
        Ok(serde_json::from_str(&row.config)?)
    }

    fn account(&self, customer: &CustomerId) -> std::result::Result<Option<Account>, ApiError> {
        let rows: Vec<AccountRow> = self
            .sql()
            .exec(
                "SELECT account FROM accounts WHERE customer_id = ?",
                vec![customer.as_str().into()],
            )?
            .to_array()?;
        match rows.into_iter().next() {
            Some(row) => Ok(Some(serde_json::from_str(&row.account)?)),
            None => Ok(None),
        }
    }

    /// Seeds the documented local-dev shop. Existing rows are kept (`INSERT OR IGNORE`), so seeding
    /// twice changes nothing; the KV snapshots are rewritten from what is stored.
    async fn seed_demo(&self) -> std::result::Result<Response, ApiError> {
        let shop = ShopId::parse(demo::SHOP_ID).expect("valid demo id");
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
            sql.exec(
                "INSERT OR IGNORE INTO accounts (customer_id, account, updated_at) VALUES (?, ?, ?)",
                vec![account.customer_id.clone().into(), serde_json::to_string(&account)?.into(), now.into()],
            )?;
        }
        self.publish_shop(&shop).await?;
        let program = self.program()?;
        let rows: Vec<AccountRow> = sql.exec("SELECT account FROM accounts", None)?.to_array()?;
        for row in rows {
            let account: Account = serde_json::from_str(&row.account)?;
            self.publish_card(&shop, &program, &account).await?;
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
        let programs: Vec<ConfigRow> = sql.exec("SELECT config FROM program", None)?.to_array()?;
        if let Some(program) = programs.into_iter().next() {
            snapshots
                .put(&kv::program_key(shop), program.config)?
                .execute()
                .await?;
        }
        Ok(())
    }

    /// Computes the member's card now and writes it to KV; returns its JSON.
    async fn publish_card(
        &self,
        shop: &ShopId,
        program: &Program,
        account: &Account,
    ) -> std::result::Result<String, ApiError> {
        let card = shared::card::card(shop.as_str(), account, program, crate::now_unix() as i64);
        let json = serde_json::to_string(&card)?;
        let customer = CustomerId::parse(&account.customer_id)
            .map_err(|_| ApiError::not_found("no such member"))?;
        self.env
            .kv(crate::KV_BINDING)?
            .put(&kv::card_key(shop, &customer), &json)?
            .execute()
            .await?;
        Ok(json)
    }

    /// A member's card from the system of record; repairs the KV snapshot on the way.
    async fn card(&self, customer: &str) -> std::result::Result<Response, ApiError> {
        let customer =
            CustomerId::parse(customer).map_err(|_| ApiError::not_found("no such member"))?;
        let account = self
            .account(&customer)?
            .ok_or_else(|| ApiError::not_found("this shopper has no card yet"))?;
        let json = self
            .publish_card(&self.shop_id()?, &self.program()?, &account)
            .await?;
        Ok(Response::ok(json)?)
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
