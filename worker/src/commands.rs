//! The edge ↔ Durable Object protocol: one JSON [`Command`] per request to `ShopLedger`, one
//! [`Reply`] (or refusal) back.
//!
//! Routes authenticate and validate, then send a `Command`; the object answers with what
//! happened, never with HTTP: the edge alone decides statuses and headers
//! (`crate::routes::relay`).

use crate::problem::ApiError;
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
        program: Box<Program>,
    },
    /// The whole stored program (members' news included), for the shop.
    Program,
    /// Apply a ledger event to a member (opening their account on first contact).
    Apply {
        idem: Idem,
        customer: String,
        event: Event,
        /// Sent on the shopper's own token: may not reopen a member the shop erased unless the
        /// shop lets members re-join.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        shopper: bool,
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
    /// The member's card (`open`: the shopper's first contact creates the account, unless the
    /// shop erased them and does not let members re-join).
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
    /// The birthdays and anniversaries of the next `days` days.
    Occasions {
        days: i64,
    },
    /// The NPS report with a page of answers older than `before`.
    Feedback {
        before: Option<u64>,
        limit: usize,
    },
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

/// What the object answers a command. Statuses and headers are the edge's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The command's result, as JSON text.
    Value(String),
    /// The answer first given to this request's idempotency key, as JSON text.
    Replayed(String),
    /// Done; nothing to return.
    Done,
}

/// The header naming which [`Reply`] an object's response carries.
const REPLY_KIND: &str = "Punchcard-Reply";

impl Reply {
    /// The kind and body of a reply or refusal as they cross between object and edge.
    pub fn encode(result: Result<Reply, ApiError>) -> (&'static str, String) {
        match result {
            Ok(Reply::Value(body)) => ("value", body),
            Ok(Reply::Replayed(body)) => ("replayed", body),
            Ok(Reply::Done) => ("done", String::new()),
            Err(e) => ("refused", e.to_wire()),
        }
    }

    /// The reply or refusal [`Self::encode`] made; an unknown kind is an internal error.
    pub fn decode(kind: Option<&str>, body: String) -> Result<Reply, ApiError> {
        match kind {
            Some("value") => Ok(Reply::Value(body)),
            Some("replayed") => Ok(Reply::Replayed(body)),
            Some("done") => Ok(Reply::Done),
            Some("refused") => Err(ApiError::from_wire(&body)),
            _ => Err(ApiError::internal("unreadable reply from the ledger")),
        }
    }

    /// The object's response carrying `result`.
    pub fn into_response(result: Result<Reply, ApiError>) -> worker::Result<worker::Response> {
        let (kind, body) = Self::encode(result);
        let mut response = worker::Response::ok(body)?;
        response.headers_mut().set(REPLY_KIND, kind)?;
        Ok(response)
    }

    /// Reads the object's response back.
    pub async fn from_response(mut response: worker::Response) -> Result<Reply, ApiError> {
        let kind = response.headers().get(REPLY_KIND)?;
        let body = response.text().await?;
        Self::decode(kind.as_deref(), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::ErrorCode;

    fn round_trip(result: Result<Reply, ApiError>) -> Result<Reply, ApiError> {
        let (kind, body) = Reply::encode(result);
        Reply::decode(Some(kind), body)
    }

    #[test]
    fn every_reply_crosses_the_wire_unchanged() {
        for reply in [
            Reply::Value(r#"{"points":5}"#.into()),
            Reply::Replayed(r#"{"points":5}"#.into()),
            Reply::Done,
        ] {
            assert_eq!(round_trip(Ok(reply.clone())).unwrap(), reply);
        }
        let refused = round_trip(Err(ApiError::not_found("no member 'c1'"))).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::NotFound);
    }

    #[test]
    fn a_reply_without_its_kind_is_an_internal_error() {
        let got = Reply::decode(None, "{}".into()).unwrap_err();
        assert_eq!(got.code(), ErrorCode::Internal);
    }
}
