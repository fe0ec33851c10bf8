//! The edge → Durable Object protocol: one JSON command per request to `ShopLedger`.
//!
//! Routes authenticate and validate, then send a `Command`; the object answers with the final
//! HTTP response (status, problem+json or JSON body), which the edge passes through.

use serde::{Deserialize, Serialize};
use shared::ledger::Event;
use shared::program::Program;

/// An idempotency record's identity: the scoped key and a hash of the request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Idem {
    /// Scoped by route and member, e.g. `event:order-1001-paid` or `redeem:c42:<key>`.
    pub key: String,
    /// SHA-256 (hex) of the request body: the same key with another body is a conflict.
    pub body_hash: String,
}

/// What the edge asks the shop's ledger to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    CreateShop {
        shop_id: String,
        name: String,
        secret_key: String,
    },
    /// The shop's edge record, to repair a missing KV snapshot.
    ShopRecord,
    /// Makes `secret_key` the shop's key; the current one stays valid until `previous_until`.
    RotateKey {
        secret_key: String,
        previous_until: i64,
    },
    /// Replaces the shop's security settings.
    PutSettings {
        settings: shared::requests::ShopSettings,
    },
    PutProgram {
        program: Program,
    },
    /// Apply a ledger event to a member (opening their account on first contact).
    Apply {
        idem: Idem,
        customer: String,
        event: Event,
        status: u16,
        /// Tests only (the edge sets it only where `PUNCHCARD_DEMO=seed`): fail after every
        /// write but the stored answer, to prove the transaction leaves nothing behind.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fail_midway: bool,
    },
    /// Redeem a reward for a member; rate-limited per member.
    Redeem {
        idem: Idem,
        customer: String,
        reward_id: String,
    },
    /// The member's card (`open`: create the account if this is their first contact).
    Card {
        customer: String,
        open: bool,
    },
    ShopView {
        customer: String,
    },
    /// A page of the member's entries, newest first, older than the cursor `before`.
    History {
        customer: String,
        before: Option<u64>,
        limit: usize,
    },
    Coupon {
        code: String,
    },
    Consume {
        code: String,
        order_id: String,
    },
    /// The head of a member's export: shop, time, the shop's view and the account.
    Export {
        customer: String,
    },
    /// One page of a member's rows for the export (`after`: the previous page's `next`).
    ExportPage {
        customer: String,
        part: ExportPart,
        after: Option<String>,
        limit: usize,
    },
    Erase {
        customer: String,
    },
    SeedDemo,
    /// The shop's analytics report.
    Analytics,
    /// The shop's view of the member with this member code.
    MemberByCode {
        code: String,
    },
    /// Many `Apply`s in one request (the batch events route).
    ApplyBatch {
        items: Vec<BatchItem>,
    },
    /// Deletes idempotency records older than this (admin maintenance).
    Purge {
        older_than_seconds: i64,
    },
    /// Local dev and tests only: run today's daily jobs again now.
    RerunDaily,
    /// Registers a webhook (the object draws its id and signing secret).
    CreateWebhook {
        request: shared::webhooks::WebhookRequest,
    },
    ListWebhooks,
    DeleteWebhook {
        id: String,
    },
    /// The webhook's delivery log.
    Deliveries {
        webhook: String,
    },
    /// Sends a delivery again now.
    Redeliver {
        webhook: String,
        delivery: String,
    },
    /// Local dev and tests only: store a member document in the first storage version's shape.
    SeedLegacy {
        customer: String,
        document: String,
    },
}

/// Which rows of a member an export page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportPart {
    /// Ledger entries, oldest first.
    Entries,
    /// Order records, by key.
    Orders,
    /// Coupons, in issue order.
    Coupons,
}

/// One event of a batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchItem {
    pub idem: Idem,
    pub customer: String,
    pub event: Event,
}
