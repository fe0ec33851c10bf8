//! The object's alarm: one alarm, several jobs, each done in bounded slices so a run stays short
//! and the object keeps answering — card snapshots waiting in `kv_pending`, webhook deliveries
//! that are due, the day's birthdays,
//! the retention of idempotency records, and the migration of version-1 members.

use super::storage::Storage;
use super::store::IDEMPOTENCY_RETENTION_SECONDS;
use super::tx::transaction;
use super::{now_ms, ShopLedger};
use crate::commands::{BatchItem, Idem};
use crate::problem::ApiError;
use crate::shop_stats::Pending;
use shared::ledger::{Event, EventKind};
use std::collections::BTreeSet;

type Result<T> = std::result::Result<T, ApiError>;

/// Retry delay after a failed run.
/// The most `points.expiring` notices one daily run queues (the rest of a busy day is not
/// announced; the card's own notice still shows).
pub const EXPIRY_NOTICES_PER_DAY: usize = 5_000;
pub const RETRY_MS: i64 = 2_000;
/// Snapshots written per run.
const SNAPSHOTS_PER_RUN: usize = 200;
/// Idempotency records purged per run.
const PURGE_PER_RUN: usize = 500;
/// Version-1 members migrated per run.
const MIGRATIONS_PER_RUN: usize = 100;

/// Milliseconds from now to a minute past the next UTC midnight (the daily run).
pub fn until_next_day_ms() -> i64 {
    const DAY_MS: i64 = 86_400_000;
    let now = now_ms();
    (now.div_euclid(DAY_MS) + 1) * DAY_MS + 60_000 - now
}

impl ShopLedger {
    /// One alarm run; schedules the next one: soon while any job has work left, else tomorrow.
    pub(super) async fn scheduled(&self) -> Result<()> {
        if self.store.shop()?.is_none() {
            return Ok(());
        }
        let mut more = self.flush_snapshots().await?;
        more |= self.deliver_webhooks().await?;
        self.celebrate_birthdays().await?;
        let before = crate::now_unix() as i64 - IDEMPOTENCY_RETENTION_SECONDS;
        more |= transaction(&self.state, || {
            self.store.purge_idempotency(before, PURGE_PER_RUN)
        })? == PURGE_PER_RUN;
        more |= transaction(&self.state, || {
            self.store.migrate_legacy(MIGRATIONS_PER_RUN)
        })? == MIGRATIONS_PER_RUN;
        let mut next = if more {
            super::snapshots::PUBLISH_INTERVAL_MS
        } else {
            until_next_day_ms()
        };
        if let Some(at) = self.store.next_delivery_at()? {
            next = next.min((at * 1000 - now_ms()).max(0));
        }
        self.schedule_within(next).await
    }

    /// Writes the cards waiting in `kv_pending`; whether more are waiting.
    async fn flush_snapshots(&self) -> Result<bool> {
        let customers = transaction(&self.state, || self.store.take_pending(SNAPSHOTS_PER_RUN))?;
        if customers.is_empty() {
            return Ok(false);
        }
        let (shop, program) = self.program()?;
        for customer in &customers {
            let Some((account, _)) = self.store.member(customer)? else {
                continue; // erased meanwhile
            };
            if let Err(e) = self.publish_now(&shop, &account, &program).await {
                worker::console_error!("snapshot flush failed: {e:?}");
                self.store
                    .mark_stale(customer, shop.record.program_version)?;
            }
        }
        Ok(customers.len() == SNAPSHOTS_PER_RUN || self.store.any_pending()?)
    }

    /// Queues `birthday.upcoming` for the members whose birthday is
    /// [`shared::webhooks::BIRTHDAY_NOTICE_DAYS`] from today (when the shop has webhooks).
    fn announce_birthdays(&self, now: i64) -> Result<()> {
        if !self.store.any_webhooks()? {
            return Ok(());
        }
        let (shop, _) = self.program()?;
        let day = now + shared::webhooks::BIRTHDAY_NOTICE_DAYS * shared::time::DAY;
        let year = shared::time::year_of(day);
        for (customer, month, d) in crate::shop_stats::birthdays_on_day(self.store.sql(), day)? {
            let event = shared::webhooks::birthday_upcoming(&customer, month, d, year);
            self.store
                .queue_webhook_events(shop.shop.as_str(), &customer, &[event], now)?;
        }
        Ok(())
    }

    /// Queues `anniversary.upcoming` for the occasions
    /// [`shared::webhooks::BIRTHDAY_NOTICE_DAYS`] from today (when the shop has webhooks): the
    /// membership anniversaries from the first year on, and the members' dates with their labels.
    fn announce_anniversaries(&self, now: i64) -> Result<()> {
        if !self.store.any_webhooks()? {
            return Ok(());
        }
        let (shop, _) = self.program()?;
        let day = now + shared::webhooks::BIRTHDAY_NOTICE_DAYS * shared::time::DAY;
        let year = shared::time::year_of(day);
        for (customer, slot, m, d) in crate::shop_stats::occasions_on_day(self.store.sql(), day)? {
            let Some((account, _)) = self.store.member(&customer)? else {
                continue;
            };
            let (label, years) = if slot == shared::occasions::MEMBERSHIP {
                let years = year - shared::time::year_of(account.joined_at);
                if years < 1 {
                    continue;
                }
                (None, Some(years))
            } else {
                match account.dates.get(usize::from(slot) - 1) {
                    Some(date) => (Some(date.label.clone()), None),
                    None => continue,
                }
            };
            let event = shared::webhooks::anniversary_upcoming(
                &customer,
                slot,
                (m, d),
                year,
                label.as_deref(),
                years,
            );
            self.store
                .queue_webhook_events(shop.shop.as_str(), &customer, &[event], now)?;
        }
        Ok(())
    }

    /// Queues `points.expiring` for the members whose first points expire
    /// [`shared::webhooks::EXPIRY_NOTICE_DAYS`] from today (when the shop has webhooks): at most
    /// [`EXPIRY_NOTICES_PER_DAY`] a day, in pages by customer id.
    fn announce_expiring_points(&self, now: i64) -> Result<()> {
        if !self.store.any_webhooks()? {
            return Ok(());
        }
        let (shop, _) = self.program()?;
        let day = (now + shared::webhooks::EXPIRY_NOTICE_DAYS * shared::time::DAY)
            .div_euclid(shared::time::DAY);
        let mut after = String::new();
        let mut announced = 0;
        while announced < EXPIRY_NOTICES_PER_DAY {
            let page = self.store.expiring_on(day, &after, 500)?;
            for customer in &page {
                let Some((account, _)) = self.store.member(customer)? else {
                    continue;
                };
                if let Some(event) = shared::webhooks::points_expiring(&account, day) {
                    self.store
                        .queue_webhook_events(shop.shop.as_str(), customer, &[event], now)?;
                }
            }
            announced += page.len();
            match page.last() {
                Some(last) if page.len() == 500 => after = last.clone(),
                _ => break,
            }
        }
        Ok(())
    }

    /// Local dev and tests only: runs today's daily jobs again (birthdays, their notices).
    pub(super) async fn rerun_daily(&self) -> Result<()> {
        transaction(&self.state, || {
            crate::shop_stats::forget_daily_run(self.store.sql())
        })?;
        self.celebrate_birthdays().await?;
        self.schedule_housekeeping().await
    }

    /// Credits the birthday points of the members whose birthday is today, and what the
    /// program gives on today's anniversaries (once a day; the ledger gives each at most once
    /// per calendar year whatever else happened).
    async fn celebrate_birthdays(&self) -> Result<()> {
        let now = crate::now_unix() as i64;
        let customers = transaction(&self.state, || {
            let sql = self.store.sql();
            if !crate::shop_stats::daily_run_due(sql, now)? {
                return Ok(Vec::new());
            }
            self.announce_birthdays(now)?;
            self.announce_anniversaries(now)?;
            self.announce_expiring_points(now)?;
            let year = shared::time::year_of(now);
            // Exactly as a `customer.birthday` event sent in a batch, once a member and year;
            // the occasions likewise, once a member, occasion and year.
            // Keys `event:{what}-auto:{customer}:{when}`, ids `{what}-auto:{when}`.
            let item = |customer: String, what: &str, when: String, kind: EventKind| BatchItem {
                idem: Idem {
                    key: format!("event:{what}-auto:{customer}:{when}"),
                    body_hash: what.to_owned(),
                },
                customer,
                event: Event {
                    id: format!("{what}-auto:{when}"),
                    at: now,
                    kind,
                },
            };
            let birthdays = crate::shop_stats::birthdays_on_day(sql, now)?
                .into_iter()
                .map(|(customer, _, _)| {
                    item(customer, "birthday", year.to_string(), EventKind::Birthday)
                });
            let occasions = crate::shop_stats::occasions_on_day(sql, now)?
                .into_iter()
                .map(|(customer, slot, _, _)| {
                    let kind = EventKind::Anniversary { slot };
                    item(customer, "anniversary", format!("{slot}:{year}"), kind)
                });
            Ok(birthdays.chain(occasions).collect::<Vec<_>>())
        })?;
        if customers.is_empty() {
            return Ok(());
        }
        let (shop, program) = self.program()?;
        let core = self.core(&shop, &program);
        let version = shop.record.program_version;
        for item in customers {
            transaction(&self.state, || {
                let ctx = super::commands::context()?;
                let mut stats = Pending::default();
                let mut stale = BTreeSet::new();
                let event = Ok(item.event.clone());
                let result =
                    core.apply_item(&ctx, &mut stats, &item, &event, &mut stale, version)?;
                if result["status"] != 200 {
                    crate::log_error(&format!("{} of {}: {result}", item.event.id, item.customer));
                }
                self.store.flush_stats(stats)?;
                for customer in &stale {
                    self.store.mark_stale(customer, version)?;
                }
                Ok(())
            })?;
        }
        // The cards go out with the next snapshot flush.
        self.schedule_within(super::snapshots::PUBLISH_INTERVAL_MS)
            .await
    }
}
