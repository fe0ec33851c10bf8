//! The stored form of records written once per event (an event's outcome in its idempotency
//! record, an order's record): JSON without the top-level fields that hold their default value.
//!
//! Most outcomes and order records are mostly defaults (no coupons, no tier change, nothing
//! refunded yet), so the stored text is a fifth of the full one — bytes the ledger object's
//! SQLite writes for every event. The API's own JSON keeps every field; only storage is compact.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// `value` as JSON without the top-level fields equal to those of `T::default()`.
pub fn to_string<T: Serialize + Default + 'static>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(&Compact(value))
}

/// Serializes its value compactly (as [`to_string`] writes it), e.g. inside a row of a
/// multi-row statement.
pub struct Compact<'a, T>(pub &'a T);

impl<T: Serialize + Default + 'static> Serialize for Compact<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut fields = object(serde_json::to_value(self.0).map_err(S::Error::custom)?);
        let defaults = defaults::<T>().map_err(S::Error::custom)?;
        fields.retain(|name, v| defaults.get(name) != Some(v));
        fields.serialize(serializer)
    }
}

/// JSON fields, shared.
type Fields = std::rc::Rc<Map<String, Value>>;

thread_local! {
    /// `T::default()` as JSON fields, by type: made once, not once per record.
    static DEFAULTS: std::cell::RefCell<std::collections::HashMap<std::any::TypeId, Fields>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The fields of `T::default()` as JSON.
fn defaults<T: Serialize + Default + 'static>(
) -> serde_json::Result<std::rc::Rc<Map<String, Value>>> {
    let id = std::any::TypeId::of::<T>();
    if let Some(known) = DEFAULTS.with(|d| d.borrow().get(&id).cloned()) {
        return Ok(known);
    }
    let fields = std::rc::Rc::new(object(serde_json::to_value(T::default())?));
    DEFAULTS.with(|d| d.borrow_mut().insert(id, fields.clone()));
    Ok(fields)
}

/// Reads what [`to_string`] wrote (or the full JSON): missing fields take `T::default()`'s.
pub fn from_str<T: Serialize + DeserializeOwned + Default + 'static>(
    text: &str,
) -> serde_json::Result<T> {
    let mut fields = object(serde_json::from_str(text)?);
    for (name, v) in defaults::<T>()?.iter() {
        fields.entry(name.clone()).or_insert_with(|| v.clone());
    }
    serde_json::from_value(Value::Object(fields))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{OrderRecord, Outcome};

    #[test]
    fn defaults_are_left_out_and_come_back() {
        let order = OrderRecord {
            at: 1_784_601_045,
            amount_minor: 7513,
            points: 75,
            stamps: 1,
            tier_before: Some("member".into()),
            ..OrderRecord::default()
        };
        let text = to_string(&order).unwrap();
        assert_eq!(
            text,
            r#"{"amount_minor":7513,"at":1784601045,"points":75,"stamps":1,"tier_before":"member"}"#
        );
        assert_eq!(from_str::<OrderRecord>(&text).unwrap(), order);
        let outcome = Outcome {
            points: 75,
            stamps: 1,
            ..Outcome::default()
        };
        let text = to_string(&outcome).unwrap();
        assert_eq!(text, r#"{"points":75,"stamps":1}"#);
        assert_eq!(from_str::<Outcome>(&text).unwrap(), outcome);
    }

    #[test]
    fn the_full_json_reads_too() {
        let order = OrderRecord {
            amount_minor: 10,
            refunded_minor: 4,
            ..OrderRecord::default()
        };
        let full = serde_json::to_string(&order).unwrap();
        assert_eq!(from_str::<OrderRecord>(&full).unwrap(), order);
        assert_eq!(from_str::<Outcome>("{}").unwrap(), Outcome::default());
    }
}
