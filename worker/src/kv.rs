//! Workers KV: the read snapshot at the edge. Written only by the `ShopLedger` Durable Object.
//!
//! Keys: `shop:{shop}` → [`ShopRecord`], `program:{shop}` → the program JSON,
//! `card:{shop}:{program_version}:{customer}` → the member's [`shared::api::Card`] computed with
//! that version of the program. A program change bumps the version in the shop record (which the
//! edge reads anyway to verify tokens), so older snapshots are simply never read again: the edge
//! misses, asks the ledger object, and it publishes the card under the new version.

use serde::{Deserialize, Serialize};
use shared::{CustomerId, ShopId};

/// What the edge needs to know about a shop to authenticate its requests.
///
/// `secret_key` is kept because customer tokens are HMACs keyed with it (API.md), so verifying
/// them needs the key itself; it is never returned by any route and never logged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShopRecord {
    pub shop_id: String,
    pub name: String,
    pub secret_key: String,
    /// Changes whenever the program does (its `updated_at`, in ms).
    #[serde(default)]
    pub program_version: i64,
    /// The key rotated out, still accepted (API and token signatures) until `previous_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<String>,
    /// Unix seconds.
    #[serde(default)]
    pub previous_until: u64,
    /// The longest a customer token may be valid, in seconds from now.
    #[serde(default = "default_token_lifetime")]
    pub token_max_lifetime: u64,
    /// Whether a member the shop erased may come back on a customer token.
    #[serde(default = "yes")]
    pub members_may_rejoin: bool,
}

fn yes() -> bool {
    true
}

fn default_token_lifetime() -> u64 {
    shared::token::DEFAULT_MAX_LIFETIME
}

impl ShopRecord {
    /// The secret keys accepted at `now`: the current one, and the previous one during its grace
    /// period.
    pub fn keys(&self, now: u64) -> Vec<&str> {
        let mut keys = vec![self.secret_key.as_str()];
        if let Some(previous) = &self.previous_key {
            if now < self.previous_until {
                keys.push(previous);
            }
        }
        keys
    }
}

pub fn shop_key(shop: &ShopId) -> String {
    format!("shop:{shop}")
}

pub fn program_key(shop: &ShopId) -> String {
    format!("program:{shop}")
}

pub fn card_key(shop: &ShopId, program_version: i64, customer: &CustomerId) -> String {
    // Pushed, not `format!`ed: this runs on every card read.
    let version = program_version.to_string();
    let mut key =
        String::with_capacity(8 + shop.as_str().len() + version.len() + customer.as_str().len());
    for part in [
        "card:",
        shop.as_str(),
        ":",
        &version,
        ":",
        customer.as_str(),
    ] {
        key.push_str(part);
    }
    key
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The worker's `env`, as far as the card's hot path reads it.
    type SnapshotEnv;
    /// `env.SNAPSHOTS` (the name is [`crate::KV_BINDING`]), one crossing.
    #[wasm_bindgen(method, getter, js_name = SNAPSHOTS)]
    fn snapshots(this: &SnapshotEnv) -> KvNamespace;
    /// A KV namespace binding.
    type KvNamespace;
    /// `namespace.get(key, options)`.
    #[wasm_bindgen(method)]
    fn get(this: &KvNamespace, key: &str, options: &wasm_bindgen::JsValue) -> js_sys::Promise;
}

thread_local! {
    /// `{type: "arrayBuffer"}`, made once per isolate.
    static AS_BYTES: js_sys::Object = {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"type".into(), &"arrayBuffer".into());
        options
    };
}

/// The value at `key` as the runtime's own bytes (an `ArrayBuffer` never copied into wasm), for
/// answers that pass a snapshot through as it is. The card's hot path: two crossings into JS
/// (the binding, its `get`) and the options made once.
pub async fn get_bytes(
    env: &worker::Env,
    key: &str,
) -> worker::Result<Option<js_sys::ArrayBuffer>> {
    use wasm_bindgen::JsCast;
    let env: &SnapshotEnv = env.unchecked_ref();
    let promise = AS_BYTES.with(|options| env.snapshots().get(key, options));
    let value = worker::wasm_bindgen_futures::JsFuture::from(promise).await?;
    Ok(value.dyn_into::<js_sys::ArrayBuffer>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_keys_name_shop_version_and_customer() {
        let shop = ShopId::parse("demo-bakery").unwrap();
        let customer = CustomerId::parse("c42").unwrap();
        assert_eq!(card_key(&shop, 7, &customer), "card:demo-bakery:7:c42");
        assert_eq!(card_key(&shop, -1, &customer), "card:demo-bakery:-1:c42");
    }

    #[test]
    fn the_typed_binding_reads_the_namespace_wrangler_binds() {
        // `SnapshotEnv::snapshots` is `env.SNAPSHOTS`: the name of `KV_BINDING` and wrangler.toml.
        assert_eq!(crate::KV_BINDING, "SNAPSHOTS");
        assert!(include_str!("../wrangler.toml").contains("binding = \"SNAPSHOTS\""));
    }
}
