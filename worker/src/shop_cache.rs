//! Shop records an isolate has read from KV, kept for a few seconds: a shopper's `GET /me` then
//! costs one KV read (the card) instead of two.
//!
//! Staleness stays within what KV already allows: a KV read at a location may lag a write by up to
//! 60 s, an entry here lives [`TTL_MS`]. The shop's own object forgets the entry whenever it writes
//! the record (rotation, settings, program), so an isolate that serves the object sees the change
//! at once. Only records that exist are kept (a new shop is never "unknown" here), and the map is
//! bounded: when full it starts over.

use crate::kv::ShopRecord;
use std::cell::RefCell;
use std::collections::HashMap;

/// How long an entry is trusted, in milliseconds.
pub const TTL_MS: u64 = 10_000;
/// Most shops remembered by one isolate.
const CAPACITY: usize = 1_000;

thread_local! {
    static RECORDS: RefCell<HashMap<String, (ShopRecord, u64)>> = RefCell::new(HashMap::new());
}

/// The record of `shop` read at most [`TTL_MS`] before `now_ms`, if any.
pub fn get(shop: &str, now_ms: u64) -> Option<ShopRecord> {
    RECORDS.with_borrow(|records| {
        records
            .get(shop)
            .filter(|(_, read_at)| now_ms.saturating_sub(*read_at) < TTL_MS)
            .map(|(record, _)| record.clone())
    })
}

/// Remembers `record` of `shop`, read at `now_ms`.
pub fn put(shop: &str, record: &ShopRecord, now_ms: u64) {
    RECORDS.with_borrow_mut(|records| {
        if records.len() >= CAPACITY && !records.contains_key(shop) {
            records.clear();
        }
        records.insert(shop.to_owned(), (record.clone(), now_ms));
    });
}

/// Forgets `shop` (its record changed).
pub fn forget(shop: &str) {
    RECORDS.with_borrow_mut(|records| {
        records.remove(shop);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str) -> ShopRecord {
        serde_json::from_value(serde_json::json!({
            "shop_id": "s", "name": "S", "secret_key": key
        }))
        .unwrap()
    }

    #[test]
    fn entries_live_for_the_ttl_and_are_forgotten_on_change() {
        put("s", &record("k1"), 1_000);
        assert_eq!(get("s", 1_000 + TTL_MS - 1).unwrap().secret_key, "k1");
        assert!(get("s", 1_000 + TTL_MS).is_none());
        put("s", &record("k2"), 5_000);
        forget("s");
        assert!(get("s", 5_001).is_none());
    }

    #[test]
    fn the_map_is_bounded() {
        for i in 0..CAPACITY + 10 {
            put(&format!("shop-{i}"), &record("k"), 0);
        }
        assert!(RECORDS.with_borrow(|r| r.len()) <= CAPACITY);
    }
}
