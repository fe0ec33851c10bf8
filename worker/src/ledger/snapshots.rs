//! KV snapshots: the shop record, its program and each member's card, written only after the
//! object's own commit. A card is first written when someone reads it (`GET /me` misses KV and
//! asks the object); from then on every change keeps it fresh — members nobody has looked at
//! (imports, batch back-fills) cost no KV write at all. A busy member's card is written at most
//! once a second (production KV takes about one write per second per key): later changes mark
//! the member in `kv_pending` and the alarm writes the latest state.

use super::core::Applied;
use super::storage::Storage;
use super::{now_ms, ShopCache, ShopLedger};
use crate::problem::ApiError;
use shared::ledger::Account;
use shared::program::Program;
use shared::CustomerId;

type Result<T> = std::result::Result<T, ApiError>;

/// How long a card snapshot lives in KV without being rewritten.
const CARD_TTL_SECONDS: u64 = 30 * 86_400;
/// Minimum time between two KV writes of one member's card.
pub const PUBLISH_INTERVAL_MS: i64 = 1000;
/// Members whose last-publish time is remembered, at most (older ones are forgotten first).
const REMEMBERED: usize = 10_000;

impl ShopLedger {
    /// Writes the shop record and program to KV.
    pub(super) async fn publish_shop(&self, shop: &ShopCache) -> Result<()> {
        let snapshots = self.env.kv(crate::KV_BINDING)?;
        snapshots
            .put(&crate::kv::shop_key(&shop.shop), &shop.record)?
            .execute()
            .await?;
        crate::shop_cache::forget(shop.shop.as_str());
        if let Some(program) = &shop.program {
            snapshots
                .put(
                    &crate::kv::program_key(&shop.shop),
                    serde_json::to_string(&shared::news::public_program(program))?,
                )?
                .execute()
                .await?;
        }
        Ok(())
    }

    /// Publishes the cards an applied event changed: its member's, and those its effects reached.
    pub(super) async fn publish_applied(
        &self,
        shop: &ShopCache,
        program: &Program,
        applied: &Applied,
    ) -> Result<()> {
        self.publish(
            shop,
            &applied.account,
            program,
            Some(applied.snapshot_version),
        )
        .await?;
        for other in &applied.others {
            self.publish(shop, other, program, None).await?;
        }
        Ok(())
    }

    /// Publishes a member's card now, or — if it was written less than a second ago — marks it
    /// for the alarm to write shortly (latest state wins). `snapshot_version`: the version its
    /// snapshot was last written under, when the caller read it with the member (else it is read).
    pub(super) async fn publish(
        &self,
        shop: &ShopCache,
        account: &Account,
        program: &Program,
        snapshot_version: Option<i64>,
    ) -> Result<()> {
        let customer = account.customer_id.as_str();
        let version = match snapshot_version {
            Some(v) => v,
            None => self.store.snapshot_version(customer)?,
        };
        if version != shop.record.program_version {
            return Ok(()); // no snapshot in KV to keep fresh: the first read writes one
        }
        let recent = self
            .last_publish
            .borrow()
            .get(customer)
            .is_some_and(|t| now_ms() as f64 - t < PUBLISH_INTERVAL_MS as f64);
        if recent {
            self.store
                .mark_stale(customer, shop.record.program_version)?;
            return self.schedule_within(PUBLISH_INTERVAL_MS).await;
        }
        self.publish_now(shop, account, program).await.map(|_| ())
    }

    /// Computes the member's card now and writes it to KV; returns its JSON.
    pub(super) async fn publish_now(
        &self,
        shop: &ShopCache,
        account: &Account,
        program: &Program,
    ) -> Result<String> {
        let card = self
            .core(shop, program)
            .card(account, crate::now_unix() as i64)?;
        let json = serde_json::to_string(&card)?;
        let id = CustomerId::parse(&account.customer_id)
            .map_err(|_| ApiError::not_found("no such member"))?;
        // The marker first: should the KV write fail, later changes still refresh the snapshot.
        self.store
            .set_snapshot_version(&account.customer_id, shop.record.program_version)?;
        {
            let mut last = self.last_publish.borrow_mut();
            if last.len() >= REMEMBERED {
                last.clear();
            }
            last.insert(account.customer_id.clone(), now_ms() as f64);
        }
        self.env
            .kv(crate::KV_BINDING)?
            .put(
                &crate::kv::card_key(&shop.shop, shop.record.program_version, &id),
                &json,
            )?
            // Snapshots of quiet members (and of older program versions) fade away; a miss is
            // repaired by the ledger object on the next read.
            .expiration_ttl(CARD_TTL_SECONDS)
            .execute()
            .await?;
        Ok(json)
    }
}
