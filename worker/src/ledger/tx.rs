//! One explicit SQLite transaction per command: `ctx.storage.transactionSync(callback)`.
//!
//! workers-rs 0.8 binds the async `transaction` of the key-value API only, so this binds the
//! SQLite storage's `transactionSync` itself: the callback runs synchronously, everything it writes
//! commits when it returns and is rolled back when it throws — here, when it returns `Err`. A
//! command that fails half-way therefore leaves nothing behind, not even the writes it made before
//! the failing one.

use crate::problem::ApiError;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use worker::State;

#[wasm_bindgen]
extern "C" {
    /// The Durable Object's `ctx.storage`, seen only for `transactionSync`.
    #[wasm_bindgen(extends = js_sys::Object)]
    type SyncStorage;

    #[wasm_bindgen(method, catch, js_name = transactionSync)]
    fn transaction_sync(
        this: &SyncStorage,
        callback: &mut dyn FnMut() -> Result<JsValue, JsValue>,
    ) -> Result<JsValue, JsValue>;
}

/// Marks the JS error thrown to roll back, so it is told apart from a storage failure.
const ROLLBACK: &str = "punchcard:rollback";

/// Runs `f` inside one storage transaction: its writes commit together if it returns `Ok`, and
/// none of them does if it returns `Err` (which is then returned as is).
pub fn transaction<T>(
    state: &State,
    f: impl FnOnce() -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let storage: SyncStorage = js_sys::Reflect::get(state.as_raw(), &"storage".into())
        .map_err(worker::Error::from)?
        .unchecked_into();
    let mut f = Some(f);
    let mut result: Option<Result<T, ApiError>> = None;
    let mut callback = || -> Result<JsValue, JsValue> {
        let Some(f) = f.take() else {
            return Err(JsValue::from_str("transaction callback called twice"));
        };
        let outcome = f();
        let failed = outcome.is_err();
        result = Some(outcome);
        if failed {
            Err(JsValue::from_str(ROLLBACK))
        } else {
            Ok(JsValue::UNDEFINED)
        }
    };
    let run = storage.transaction_sync(&mut callback);
    match (run, result) {
        (_, Some(Err(e))) => Err(e),
        (Ok(_), Some(Ok(value))) => Ok(value),
        // The commit itself failed: nothing was stored.
        (Err(e), _) => Err(ApiError::from(worker::Error::from(e))),
        (Ok(_), None) => Err(ApiError::from(worker::Error::RustError(
            "transaction callback did not run".into(),
        ))),
    }
}
