//! Webhooks in the ledger object: the registered endpoints, the outbox and its delivery.
//!
//! Events are queued in `webhook_outbox` inside the transaction of the command that caused them
//! (the outbox pattern: a committed change always has its events, a rolled-back one never), one
//! row per event and subscribed endpoint. The alarm sends what is due, signed
//! ([`shared::webhooks::signature`]), and retries failures with backoff for 24 hours
//! ([`shared::webhooks::next_attempt`]); delivered and failed rows stay 30 days for the log.

use super::commands::value;
use super::storage::Result;
use super::store::{int, Store};
use super::tx::transaction;
use super::ShopLedger;
use crate::commands::Reply;
use crate::problem::ApiError;
use serde::Deserialize;
use shared::webhooks::{Delivery, DeliveryLog, Outgoing, Webhook, WebhookList, WebhookRequest};
use worker::{Headers, Method, Request, RequestInit, SqlStorageValue};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, events TEXT NOT NULL,
    created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_outbox (
    webhook_id TEXT NOT NULL, id TEXT NOT NULL, event TEXT NOT NULL, customer_id TEXT,
    payload TEXT NOT NULL, created_at INTEGER NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_status INTEGER,
    last_error TEXT, PRIMARY KEY (webhook_id, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_due ON webhook_outbox (status, next_at);
CREATE INDEX IF NOT EXISTS webhook_done ON webhook_outbox (status, created_at);
CREATE INDEX IF NOT EXISTS webhook_outbox_by_member ON webhook_outbox (customer_id);
CREATE INDEX IF NOT EXISTS webhook_log ON webhook_outbox (webhook_id, created_at);
";

/// Delivered and failed deliveries are kept this long for the log.
pub const LOG_RETENTION_SECONDS: i64 = 30 * 86_400;
/// Deliveries attempted per alarm run.
pub const DELIVERIES_PER_RUN: usize = 25;
/// Deliveries the log shows.
const LOG_PAGE: usize = 100;

fn text(s: &str) -> SqlStorageValue {
    SqlStorageValue::String(s.to_owned())
}

#[derive(Deserialize)]
struct WebhookRow {
    id: String,
    url: String,
    events: String,
    created_at: i64,
}

impl WebhookRow {
    fn view(self) -> Webhook {
        Webhook {
            id: self.id,
            url: self.url,
            events: serde_json::from_str(&self.events).unwrap_or_default(),
            created_at: shared::time::rfc3339(self.created_at),
            secret: None,
        }
    }
}

/// A delivery due now, with what sending it needs.
#[derive(Deserialize)]
pub struct Due {
    pub webhook_id: String,
    pub id: String,
    pub url: String,
    pub secret: String,
    pub payload: String,
    pub created_at: i64,
    pub attempts: i64,
}

#[derive(Deserialize)]
struct DeliveryRow {
    id: String,
    event: String,
    status: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    next_at: i64,
    payload: String,
}

impl Store {
    /// Whether any webhook is registered (kept per object; only this object changes it).
    pub fn any_webhooks(&self) -> Result<bool> {
        if let Some(known) = self.webhooks_known.get() {
            return Ok(known);
        }
        let any = self.count("SELECT COUNT(*) AS n FROM webhooks", vec![])? > 0;
        self.webhooks_known.set(Some(any));
        Ok(any)
    }

    /// Registers a webhook; at most [`shared::webhooks::MAX_WEBHOOKS`].
    pub fn create_webhook(&self, webhook: &Webhook, secret: &str, now: i64) -> Result<()> {
        let existing = self.count("SELECT COUNT(*) AS n FROM webhooks", vec![])?;
        if existing >= shared::webhooks::MAX_WEBHOOKS as i64 {
            return Err(ApiError::new(
                shared::api::ErrorCode::Conflict,
                format!(
                    "a shop may register at most {} webhooks",
                    shared::webhooks::MAX_WEBHOOKS
                ),
            ));
        }
        self.sql().exec(
            "INSERT INTO webhooks (id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                text(&webhook.id),
                text(&webhook.url),
                text(secret),
                text(&serde_json::to_string(&webhook.events)?),
                int(now),
            ],
        )?;
        self.webhooks_known.set(Some(true));
        Ok(())
    }

    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        let rows: Vec<WebhookRow> = self
            .sql()
            .exec(
                "SELECT id, url, events, created_at FROM webhooks ORDER BY created_at, id",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().map(WebhookRow::view).collect())
    }

    /// Removes a webhook and its deliveries; whether it existed.
    pub fn delete_webhook(&self, id: &str) -> Result<bool> {
        let existed = self.count(
            "SELECT COUNT(*) AS n FROM webhooks WHERE id = ?",
            vec![text(id)],
        )? > 0;
        self.sql()
            .exec("DELETE FROM webhooks WHERE id = ?", vec![text(id)])?;
        self.sql().exec(
            "DELETE FROM webhook_outbox WHERE webhook_id = ?",
            vec![text(id)],
        )?;
        self.webhooks_known.set(None);
        Ok(existed)
    }

    /// Queues `events` of `customer` for every webhook subscribed to them.
    pub fn queue_webhook_events(
        &self,
        shop: &str,
        customer: &str,
        events: &[Outgoing],
        now: i64,
    ) -> Result<()> {
        if events.is_empty() || !self.any_webhooks()? {
            return Ok(());
        }
        for event in events {
            self.sql().exec(
                "INSERT OR IGNORE INTO webhook_outbox
                   (webhook_id, id, event, customer_id, payload, created_at, status, next_at)
                 SELECT w.id, ?, ?, ?, ?, ?, 'pending', ? FROM webhooks w
                 WHERE EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = ?)",
                vec![
                    text(&event.id),
                    text(event.event),
                    text(customer),
                    text(&shared::webhooks::payload(shop, event, now)),
                    int(now),
                    int(now),
                    text(event.event),
                ],
            )?;
        }
        Ok(())
    }

    /// Deliveries due at `now`, oldest first, at most `limit`.
    pub fn due_deliveries(&self, now: i64, limit: usize) -> Result<Vec<Due>> {
        Ok(self
            .sql()
            .exec(
                "SELECT o.webhook_id, o.id, w.url, w.secret, o.payload, o.created_at, o.attempts
                 FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
                 WHERE o.status = 'pending' AND o.next_at <= ?
                 ORDER BY o.next_at LIMIT ?",
                vec![int(now), int(limit as i64)],
            )?
            .to_array()?)
    }

    /// The earliest pending attempt, if any (Unix seconds).
    pub fn next_delivery_at(&self) -> Result<Option<i64>> {
        if !self.any_webhooks()? {
            return Ok(None);
        }
        #[derive(Deserialize)]
        struct At {
            at: Option<i64>,
        }
        let rows: Vec<At> = self
            .sql()
            .exec(
                "SELECT MIN(next_at) AS at FROM webhook_outbox WHERE status = 'pending'",
                None,
            )?
            .to_array()?;
        Ok(rows.first().and_then(|r| r.at))
    }

    /// Records an attempt: delivered, or failed with the next attempt (`None`: given up).
    pub fn record_attempt(
        &self,
        due: &Due,
        outcome: std::result::Result<u16, String>,
        next: Option<i64>,
    ) -> Result<()> {
        let (status, last_status, last_error) = match &outcome {
            Ok(code) if (200..300).contains(code) => ("delivered", Some(*code), None),
            Ok(code) => (
                if next.is_some() { "pending" } else { "failed" },
                Some(*code),
                Some(format!("the receiver answered {code}")),
            ),
            Err(e) => (
                if next.is_some() { "pending" } else { "failed" },
                None,
                Some(e.clone()),
            ),
        };
        self.sql().exec(
            "UPDATE webhook_outbox SET status = ?, attempts = attempts + 1, last_status = ?,
               last_error = ?, next_at = ? WHERE webhook_id = ? AND id = ?",
            vec![
                text(status),
                last_status.map_or(SqlStorageValue::Null, |s| int(i64::from(s))),
                last_error.map_or(SqlStorageValue::Null, |e| text(&e)),
                int(next.unwrap_or(0)),
                text(&due.webhook_id),
                text(&due.id),
            ],
        )?;
        Ok(())
    }

    /// The webhook's newest deliveries; `None` for an unknown webhook.
    pub fn deliveries(&self, webhook: &str) -> Result<Option<Vec<Delivery>>> {
        if self.count(
            "SELECT COUNT(*) AS n FROM webhooks WHERE id = ?",
            vec![text(webhook)],
        )? == 0
        {
            return Ok(None);
        }
        let rows: Vec<DeliveryRow> = self
            .sql()
            .exec(
                "SELECT id, event, status, attempts, last_status, last_error, created_at, next_at,
                   payload FROM webhook_outbox WHERE webhook_id = ?
                 ORDER BY created_at DESC, id LIMIT ?",
                vec![text(webhook), int(LOG_PAGE as i64)],
            )?
            .to_array()?;
        Ok(Some(
            rows.into_iter()
                .map(|r| Delivery {
                    id: r.id,
                    event: r.event,
                    next_attempt_at: (r.status == "pending")
                        .then(|| shared::time::rfc3339(r.next_at)),
                    status: r.status,
                    attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                    last_status: r.last_status.and_then(|s| u16::try_from(s).ok()),
                    last_error: r.last_error,
                    created_at: shared::time::rfc3339(r.created_at),
                    payload: serde_json::from_str(&r.payload).unwrap_or_default(),
                })
                .collect(),
        ))
    }

    /// Queues a delivery again, now (the log's "redeliver"); whether it exists.
    pub fn redeliver(&self, webhook: &str, id: &str, now: i64) -> Result<bool> {
        let exists = self.count(
            "SELECT COUNT(*) AS n FROM webhook_outbox WHERE webhook_id = ? AND id = ?",
            vec![text(webhook), text(id)],
        )? > 0;
        // A redelivery gets its own 24 hours of retries: counted from now.
        self.sql().exec(
            "UPDATE webhook_outbox SET status = 'pending', next_at = ?, created_at = ?
             WHERE webhook_id = ? AND id = ?",
            vec![int(now), int(now), text(webhook), text(id)],
        )?;
        Ok(exists)
    }

    /// Deletes delivered and failed rows older than the log keeps, at most `limit` (a bounded
    /// read through `webhook_done`).
    pub fn purge_deliveries(&self, now: i64, limit: usize) -> Result<()> {
        self.sql().exec(
            "DELETE FROM webhook_outbox WHERE (webhook_id, id) IN (
               SELECT webhook_id, id FROM webhook_outbox
               WHERE status IN ('delivered', 'failed') AND created_at < ? LIMIT ?)",
            vec![int(now - LOG_RETENTION_SECONDS), int(limit as i64)],
        )?;
        Ok(())
    }
}

/// How long one attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT_MS: u64 = 10_000;

impl ShopLedger {
    pub(super) fn create_webhook(&self, request: WebhookRequest) -> Result<Reply> {
        let bytes = super::random_bytes()?;
        let id = format!("wh_{}", shared::token::hex(&bytes[..8]));
        let secret = format!("whsec_{}", shared::token::hex(&bytes[8..]));
        let now = crate::now_unix() as i64;
        let webhook = Webhook {
            id,
            url: request.url,
            events: request.events,
            created_at: shared::time::rfc3339(now),
            secret: Some(secret.clone()),
        };
        transaction(&self.state, || {
            self.store.create_webhook(&webhook, &secret, now)
        })?;
        value(&webhook)
    }

    pub(super) fn list_webhooks(&self) -> Result<Reply> {
        let webhooks = self.store.webhooks()?;
        value(&WebhookList { webhooks })
    }

    pub(super) fn delete_webhook(&self, id: &str) -> Result<Reply> {
        if !transaction(&self.state, || self.store.delete_webhook(id))? {
            return Err(ApiError::not_found(format!("no webhook '{id}'")));
        }
        Ok(Reply::Done)
    }

    pub(super) fn delivery_log(&self, webhook: &str) -> Result<Reply> {
        let deliveries = self
            .store
            .deliveries(webhook)?
            .ok_or_else(|| ApiError::not_found(format!("no webhook '{webhook}'")))?;
        value(&DeliveryLog { deliveries })
    }

    pub(super) async fn redeliver(&self, webhook: &str, delivery: &str) -> Result<Reply> {
        let now = crate::now_unix() as i64;
        if !transaction(&self.state, || self.store.redeliver(webhook, delivery, now))? {
            return Err(ApiError::not_found(format!("no delivery '{delivery}'")));
        }
        self.schedule_within(0).await?;
        self.delivery_log(webhook)
    }

    /// The alarm's share: sends what is due; whether more is due now.
    pub(super) async fn deliver_webhooks(&self) -> Result<bool> {
        let now = crate::now_unix() as i64;
        if !self.store.any_webhooks()? {
            return Ok(false);
        }
        let due = self.store.due_deliveries(now, DELIVERIES_PER_RUN)?;
        for delivery in &due {
            let outcome = send(delivery, now).await;
            let delivered = matches!(outcome, Ok(code) if (200..300).contains(&code));
            let attempts = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
            let next = if delivered {
                None
            } else {
                shared::webhooks::next_attempt(delivery.created_at, attempts, now)
            };
            transaction(&self.state, || {
                self.store.record_attempt(delivery, outcome.clone(), next)
            })?;
        }
        transaction(&self.state, || self.store.purge_deliveries(now, 500))?;
        Ok(due.len() == DELIVERIES_PER_RUN)
    }
}

/// One attempt: the receiver's status, or why it could not be reached.
async fn send(delivery: &Due, now: i64) -> std::result::Result<u16, String> {
    let attempt = async {
        let headers = Headers::new();
        headers.set("Content-Type", "application/json")?;
        headers.set("User-Agent", "Punchcard-Webhooks/1")?;
        headers.set("Punchcard-Event-Id", &delivery.id)?;
        headers.set(
            shared::webhooks::SIGNATURE_HEADER,
            &shared::webhooks::signature(&delivery.secret, now, &delivery.payload),
        )?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(delivery.payload.clone().into()));
        let request = Request::new_with_init(&delivery.url, &init)?;
        let response = worker::Fetch::Request(request).send().await?;
        Ok::<u16, worker::Error>(response.status_code())
    };
    let timeout = worker::Delay::from(std::time::Duration::from_millis(ATTEMPT_TIMEOUT_MS));
    futures::pin_mut!(attempt);
    futures::pin_mut!(timeout);
    match futures::future::select(attempt, timeout).await {
        futures::future::Either::Left((Ok(status), _)) => Ok(status),
        // The runtime's message may name internals: keep it short and generic.
        futures::future::Either::Left((Err(_), _)) => {
            Err("the receiver could not be reached".into())
        }
        futures::future::Either::Right(_) => Err(format!(
            "no answer within {} seconds",
            ATTEMPT_TIMEOUT_MS / 1000
        )),
    }
}
