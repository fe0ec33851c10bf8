//! Request bodies of API v1 and their translation into ledger events, with one error per bad
//! field. Unknown fields are refused, so a typo never silently changes nothing.

use crate::api::FieldError;
use crate::ids::CustomerId;
use crate::ledger::{Event, EventKind, Item};
use crate::time::{parse_rfc3339, Timestamp, DAY};
use serde::{Deserialize, Serialize};

/// `POST /v1/shops`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateShop {
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub shop_id: String,
    /// The shop's name as shoppers see it (1 to 100 characters, not blank).
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 100), pattern(TEXT_PATTERN))
    )]
    pub name: String,
}

/// A name or other short text: at least one character that is not white space.
pub const TEXT_PATTERN: &str = r"\S";

/// White space as the API's patterns (ECMAScript's `\s`) know it: Unicode's, but U+0085 is
/// not and U+FEFF is.
pub fn is_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// Whether `s` holds a character that is not white space ([`TEXT_PATTERN`]).
pub fn has_text(s: &str) -> bool {
    s.chars().any(|c| !is_space(c))
}
/// An event id or idempotency key: 1 to 128 printable ASCII characters.
pub const KEY_PATTERN: &str = "^[!-~]{1,128}$";

/// `201` answer of `POST /v1/shops`: the secret key, shown this once.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopCreated {
    pub shop_id: String,
    pub secret_key: String,
}

/// The longest grace period of a rotated-out key: 30 days.
pub const MAX_KEY_GRACE_SECONDS: u64 = 30 * 86_400;
/// The default grace period of a rotated-out key: 24 hours.
pub const DEFAULT_KEY_GRACE_SECONDS: u64 = 86_400;
/// The shortest token lifetime a shop may set (a minute: shorter breaks clock skew).
pub const MIN_TOKEN_LIFETIME_SECONDS: u64 = 60;

/// `POST /v1/shops/{shop}/keys/rotate`: how long the current key keeps working after the new one
/// is issued (seconds; 0 revokes it at once).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateKey {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(max = MAX_KEY_GRACE_SECONDS)))]
    pub grace_seconds: Option<u64>,
}

impl RotateKey {
    /// The grace period asked for, checked against its range.
    pub fn grace(&self) -> Result<u64, Vec<FieldError>> {
        let grace = self.grace_seconds.unwrap_or(DEFAULT_KEY_GRACE_SECONDS);
        if grace > MAX_KEY_GRACE_SECONDS {
            return Err(vec![FieldError {
                field: "grace_seconds".into(),
                message: format!("must be between 0 and {MAX_KEY_GRACE_SECONDS} (30 days)"),
            }]);
        }
        Ok(grace)
    }
}

/// `200` answer of `POST /v1/shops/{shop}/keys/rotate`: the new key, shown this once.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotated {
    pub secret_key: String,
    /// Until when the previous key still works (RFC 3339), or `null` if it was revoked now.
    pub previous_key_valid_until: Option<String>,
}

/// `GET`/`PUT /v1/shops/{shop}/settings`: the shop's security settings.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopSettings {
    /// The longest a customer token may be valid, counted from when it is used (seconds).
    #[cfg_attr(
        feature = "openapi",
        schemars(range(min = MIN_TOKEN_LIFETIME_SECONDS, max = crate::token::MAX_LIFETIME_LIMIT))
    )]
    pub token_max_lifetime_seconds: u64,
    /// Whether a member the shop erased may come back on a customer token: their first visit
    /// opens a new, empty account (the default). `false`: the shop keeps a suppression entry (a
    /// hash of the customer id, nothing else) and refuses their tokens with 403 `member_erased`;
    /// the shop's own backend may still add them again with an event.
    #[serde(default = "members_may_rejoin_by_default")]
    pub members_may_rejoin: bool,
}

fn members_may_rejoin_by_default() -> bool {
    true
}

impl ShopSettings {
    /// Field errors for values out of range.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let range = MIN_TOKEN_LIFETIME_SECONDS..=crate::token::MAX_LIFETIME_LIMIT;
        if !range.contains(&self.token_max_lifetime_seconds) {
            return Err(vec![FieldError {
                field: "token_max_lifetime_seconds".into(),
                message: format!(
                    "must be between {} and {} (30 days)",
                    range.start(),
                    range.end()
                ),
            }]);
        }
        Ok(())
    }
}

/// One purchased line of an order event.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 64)))]
    pub sku: String,
    #[cfg_attr(feature = "openapi", schemars(range(max = MAX_QUANTITY)))]
    pub quantity: u32,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_AMOUNT_MINOR)))]
    pub unit_price_minor: Option<i64>,
}

/// `POST /v1/shops/{shop}/events`: a purchase, refund or other fact.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "openapi",
    schemars(extend("allOf" = [
        {
            "if": {"properties": {"type": {"const": "order.paid"}}},
            "then": {
                "required": ["order_id", "amount_minor", "currency"],
                "properties": {
                    "order_id": {"type": "string"},
                    "amount_minor": {"type": "integer", "minimum": 1},
                    "currency": {"type": "string"}
                }
            }
        },
        {
            "if": {"properties": {"type": {"const": "order.refunded"}}},
            "then": {
                "required": ["order_id", "amount_minor"],
                "properties": {"order_id": {"type": "string"}, "amount_minor": {"type": "integer", "minimum": 1}}
            }
        },
        {
            "if": {"properties": {"type": {"const": "customer.referred"}}},
            "then": {"required": ["referrer_id"], "properties": {"referrer_id": {"type": "string"}}}
        },
        {
            "if": {"properties": {"type": {"const": "customer.updated"}}},
            "then": {"required": ["business"], "properties": {"business": {"type": "boolean"}}}
        }
    ]))
)]
pub struct EventRequest {
    /// The event's idempotency key: the same id again is a replay.
    #[cfg_attr(feature = "openapi", schemars(pattern(KEY_PATTERN)))]
    pub id: String,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = EVENT_TYPES)))]
    pub type_: String,
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub customer_id: String,
    /// `order.paid`, `order.refunded`: the shop's order id.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub order_id: Option<String>,
    /// `order.paid`: the amount paid; `order.refunded`: the amount refunded (minor units).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_AMOUNT_MINOR)))]
    pub amount_minor: Option<i64>,
    /// `order.paid`: ISO 4217 code.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::money::CURRENCY_PATTERN)))]
    pub currency: Option<String>,
    /// When it happened (RFC 3339; default now). At most 5 minutes ahead of the server's clock
    /// and at most ten years back.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub occurred_at: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(length(max = MAX_ITEMS)))]
    pub items: Vec<ItemRequest>,
    /// `customer.referred`: who referred this customer.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub referrer_id: Option<String>,
    /// `customer.updated`: business customer (volume rebates) or not.
    #[serde(default)]
    pub business: Option<bool>,
}

/// The event types `POST …/events` accepts.
pub const EVENT_TYPES: [&str; 5] = [
    "order.paid",
    "order.refunded",
    "customer.birthday",
    "customer.referred",
    "customer.updated",
];

/// The largest amount of one order or refund, and of one item's unit price, in minor units:
/// 10^12 (ten billion euros, a trillion yen) — far above any real order, far below where
/// points × multipliers could overflow 64-bit arithmetic.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;
/// The most items one order event may list.
pub const MAX_ITEMS: usize = 100;
/// The largest quantity of one item line.
pub const MAX_QUANTITY: u32 = 100_000;
/// The largest points of one manual adjustment, either way.
pub const MAX_ADJUSTMENT_POINTS: i64 = 1_000_000_000;
/// The most stamps one staff action may add (the ledger's own rule).
pub const MAX_STAMPS: u32 = 100;

/// How far in the past an event may have occurred (late reports are fine, ancient ones are not).
const MAX_AGE_DAYS: i64 = 3650;

fn field(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// Checks the ids of `POST …/me/news/read`: 1 to 10 ids of the form news ids take.
pub fn check_news_ids(ids: &[String]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if ids.is_empty() || ids.len() > crate::news::MAX_NEWS {
        errors.push(field("ids", "must hold 1 to 10 news ids"));
    }
    for (i, id) in ids.iter().enumerate() {
        if CustomerId::parse(id).is_err() {
            errors.push(field(
                &format!("ids[{i}]"),
                "must be 1 to 64 letters, digits, '-' or '_'",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks an idempotency key / event id: 1–128 printable ASCII characters.
pub fn check_key(key: &str, name: &str) -> Result<(), FieldError> {
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(field(name, "must be 1 to 128 printable ASCII characters"));
    }
    Ok(())
}

impl EventRequest {
    /// Translates the request into a ledger event for `customer_id`, at `now` by default.
    pub fn to_event(&self, now: Timestamp) -> Result<(CustomerId, Event), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) = check_key(&self.id, "id") {
            errors.push(e);
        }
        let customer = CustomerId::parse(&self.customer_id)
            .map_err(|_| {
                errors.push(field(
                    "customer_id",
                    "must be 1 to 64 letters, digits, '-' or '_'",
                ))
            })
            .ok();
        let at = match &self.occurred_at {
            None => now,
            Some(s) => match parse_rfc3339(s) {
                Some(t) if t > now + 300 => {
                    errors.push(field("occurred_at", "must not be in the future"));
                    now
                }
                Some(t) if t < now - MAX_AGE_DAYS * DAY => {
                    errors.push(field("occurred_at", "must be within the last ten years"));
                    now
                }
                Some(t) => t,
                None => {
                    errors.push(field(
                        "occurred_at",
                        "must be an RFC 3339 time such as 2026-11-23T10:00:00Z",
                    ));
                    now
                }
            },
        };
        let mut need = |name: &str, present: bool| {
            if !present {
                errors.push(field(name, &format!("is required for {}", self.type_)));
            }
        };
        let kind = match self.type_.as_str() {
            "order.paid" => {
                need("order_id", self.order_id.is_some());
                need("amount_minor", self.amount_minor.is_some());
                need("currency", self.currency.is_some());
                Some(EventKind::OrderPaid {
                    order_id: self.order_id.clone().unwrap_or_default(),
                    amount_minor: self.amount_minor.unwrap_or_default(),
                    currency: self.currency.clone().unwrap_or_default(),
                    items: self
                        .items
                        .iter()
                        .map(|i| Item {
                            sku: i.sku.clone(),
                            quantity: i.quantity,
                        })
                        .collect(),
                })
            }
            "order.refunded" => {
                need("order_id", self.order_id.is_some());
                need("amount_minor", self.amount_minor.is_some());
                Some(EventKind::OrderRefunded {
                    order_id: self.order_id.clone().unwrap_or_default(),
                    amount_minor: self.amount_minor.unwrap_or_default(),
                })
            }
            "customer.birthday" => Some(EventKind::Birthday),
            "customer.referred" => {
                need("referrer_id", self.referrer_id.is_some());
                Some(EventKind::Referred {
                    referrer: self.referrer_id.clone().unwrap_or_default(),
                })
            }
            "customer.updated" => {
                need("business", self.business.is_some());
                Some(EventKind::SetBusiness {
                    business: self.business.unwrap_or_default(),
                })
            }
            _ => {
                errors.push(field(
                    "type",
                    &format!("must be one of {}", EVENT_TYPES.join(", ")),
                ));
                None
            }
        };
        if self
            .amount_minor
            .is_some_and(|a| !(0..=MAX_AMOUNT_MINOR).contains(&a))
        {
            errors.push(field(
                "amount_minor",
                &format!("must be between 0 and {MAX_AMOUNT_MINOR}"),
            ));
        }
        if self
            .order_id
            .as_ref()
            .is_some_and(|o| CustomerId::parse(o).is_err())
        {
            errors.push(field(
                "order_id",
                "must be 1 to 64 letters, digits, '-' or '_'",
            ));
        }
        if self
            .referrer_id
            .as_ref()
            .is_some_and(|r| CustomerId::parse(r).is_err())
        {
            errors.push(field(
                "referrer_id",
                "must be a customer id or member code: 1 to 64 letters, digits, '-' or '_'",
            ));
        }
        if self.items.len() > MAX_ITEMS {
            errors.push(field(
                "items",
                &format!("must list at most {MAX_ITEMS} items"),
            ));
        }
        if let Some(c) = &self.currency {
            if crate::money::Currency::parse(c).is_none() {
                errors.push(field("currency", "must be an ISO 4217 code such as EUR"));
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            if item.sku.is_empty() || item.sku.chars().count() > 64 {
                errors.push(field(
                    &format!("items[{i}].sku"),
                    "must be 1 to 64 characters",
                ));
            }
            if item
                .unit_price_minor
                .is_some_and(|p| !(0..=MAX_AMOUNT_MINOR).contains(&p))
            {
                errors.push(field(
                    &format!("items[{i}].unit_price_minor"),
                    &format!("must be between 0 and {MAX_AMOUNT_MINOR}"),
                ));
            }
            if item.quantity > MAX_QUANTITY {
                errors.push(field(
                    &format!("items[{i}].quantity"),
                    &format!("must be between 0 and {MAX_QUANTITY}"),
                ));
            }
        }
        match (errors.is_empty(), customer, kind) {
            (true, Some(customer), Some(kind)) => Ok((
                customer,
                Event {
                    id: self.id.clone(),
                    at,
                    kind,
                },
            )),
            _ => Err(errors),
        }
    }
}

/// `POST …/customers/{customer}/adjustments`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    #[cfg_attr(feature = "openapi", schemars(pattern(KEY_PATTERN)))]
    pub id: String,
    /// Points to credit (+) or debit (−); not 0.
    #[cfg_attr(
        feature = "openapi",
        schemars(
            range(min = -MAX_ADJUSTMENT_POINTS, max = MAX_ADJUSTMENT_POINTS),
            extend("not" = {"const": 0})
        )
    )]
    pub points: i64,
    /// Why, as the member reads it in their history (1 to 200 characters, not blank).
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 200), pattern(TEXT_PATTERN))
    )]
    pub reason: String,
}

impl AdjustmentRequest {
    /// Field errors for an id or points out of range.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = check_key(&self.id, "id").err().into_iter().collect();
        if self.points == 0 || self.points.unsigned_abs() > MAX_ADJUSTMENT_POINTS as u64 {
            errors.push(field(
                "points",
                &format!(
                    "must be between -{MAX_ADJUSTMENT_POINTS} and {MAX_ADJUSTMENT_POINTS}, not 0"
                ),
            ));
        }
        // The reason's rules are the ledger's (it trims first).
        errors.is_empty().then_some(()).ok_or(errors)
    }
}

/// `POST …/customers/{customer}/stamps`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StampsRequest {
    #[cfg_attr(feature = "openapi", schemars(pattern(KEY_PATTERN)))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_STAMPS)))]
    pub count: u32,
}

impl StampsRequest {
    /// Field errors for an id or count out of range.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = check_key(&self.id, "id").err().into_iter().collect();
        if !(1..=MAX_STAMPS).contains(&self.count) {
            errors.push(field(
                "count",
                &format!("must be between 1 and {MAX_STAMPS}"),
            ));
        }
        errors.is_empty().then_some(()).ok_or(errors)
    }
}

/// `POST …/redemptions` (shop on a member's behalf, or the member at `/me/redemptions`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequest {
    /// A reward of the program's catalog.
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub reward_id: String,
}

/// `POST …/coupons/{code}/consume`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumeRequest {
    /// The order the coupon is used for.
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub order_id: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn white_space_is_what_the_patterns_call_white_space() {
        use super::has_text;
        assert!(has_text("a") && has_text("\u{85}") && has_text(" x "));
        for blank in ["", " ", "\t\n", "\u{a0}\u{3000}", "\u{feff}", "\u{2028}"] {
            assert!(!has_text(blank), "{blank:?}");
        }
    }

    use super::*;

    const NOW: Timestamp = 1_800_000_000;

    fn paid() -> EventRequest {
        serde_json::from_str(
            r#"{"id": "order-1001-paid", "type": "order.paid", "customer_id": "c42", "order_id": "1001",
                "amount_minor": 2350, "currency": "EUR", "occurred_at": "2026-11-23T10:00:00Z",
                "items": [{"sku": "CAKE", "quantity": 2, "unit_price_minor": 450}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_api_md_example_becomes_an_order_event() {
        let (customer, event) = paid().to_event(NOW).unwrap();
        assert_eq!(customer.as_str(), "c42");
        assert_eq!(event.at, parse_rfc3339("2026-11-23T10:00:00Z").unwrap());
        let EventKind::OrderPaid {
            order_id,
            amount_minor,
            items,
            ..
        } = event.kind
        else {
            panic!()
        };
        assert_eq!(
            (order_id.as_str(), amount_minor, items[0].quantity),
            ("1001", 2350, 2)
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut r = paid();
        r.type_ = "order.paid".into();
        r.amount_minor = None;
        r.currency = Some("eur".into());
        r.customer_id = "no spaces".into();
        r.occurred_at = Some("yesterday".into());
        let fields: Vec<String> = r
            .to_event(NOW)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["customer_id", "occurred_at", "amount_minor", "currency"]
        );
        let mut r = paid();
        r.type_ = "order.shipped".into();
        assert_eq!(r.to_event(NOW).unwrap_err()[0].field, "type");
    }

    #[test]
    fn future_events_are_refused_and_unknown_fields_too() {
        let mut r = paid();
        r.occurred_at = Some(crate::time::rfc3339(NOW + 3600));
        assert_eq!(r.to_event(NOW).unwrap_err()[0].field, "occurred_at");
        let err = serde_json::from_str::<EventRequest>(
            r#"{"id":"x","type":"customer.birthday","customer_id":"c","ammount":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("ammount"));
    }
}
