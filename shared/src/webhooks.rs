//! Webhooks: what the ledger tells a shop's own systems (e-mails, CRM) — pure rules, no I/O.
//!
//! - which events an applied ledger event produces ([`events_of`]): `points.earned`,
//!   `reward.redeemed`, `coupon.issued`, `tier.changed`, `feedback.received`; and the daily
//!   `birthday.upcoming` ([`birthday_upcoming`]) and `points.expiring` ([`points_expiring`]);
//! - each with a stable id (the same ledger event always yields the same ids, so a receiver
//!   dedupes redeliveries by `id`);
//! - signed like Stripe's: `Punchcard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//!   "<t>.<body>")>` ([`signature`]);
//! - retried with exponential backoff for 24 hours ([`next_attempt`]).

use crate::api::FieldError;
use crate::ledger::{Event, EventKind, Outcome};
use crate::time::Timestamp;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Every event type a webhook may subscribe to.
pub const EVENT_TYPES: [&str; 8] = [
    "points.earned",
    "reward.redeemed",
    "coupon.issued",
    "tier.changed",
    "birthday.upcoming",
    "points.expiring",
    "feedback.received",
    "anniversary.upcoming",
];

/// How many days ahead `points.expiring` announces points about to expire.
pub const EXPIRY_NOTICE_DAYS: i64 = 7;

/// How many days ahead `birthday.upcoming` announces a birthday (the florist's call list).
pub const BIRTHDAY_NOTICE_DAYS: i64 = 14;

/// The most webhooks one shop may register.
pub const MAX_WEBHOOKS: usize = 10;
/// How long a delivery is retried, from the event: 24 hours.
pub const RETRY_FOR_SECONDS: i64 = 86_400;
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Punchcard-Signature";

/// A webhook's URL: `https://`, a host, none of the characters a join URL may not hold either.
pub const WEBHOOK_URL_PATTERN: &str = concat!(
    "^https://[A-Za-z0-9][^",
    crate::program::url_excluded!(),
    "]*$"
);

/// `POST /v1/shops/{shop}/webhooks`: where to send which events.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// An `https://` URL (local development also accepts `http://127.0.0.1:<port>/…`).
    #[cfg_attr(
        feature = "openapi",
        schemars(length(max = 500), pattern(WEBHOOK_URL_PATTERN))
    )]
    pub url: String,
    /// Event types to send (at least one, no repeats).
    #[cfg_attr(feature = "openapi", schemars(schema_with = "event_types_schema"))]
    pub events: Vec<String>,
}

impl WebhookRequest {
    /// Field errors; `local` (local development) also accepts plain-HTTP loopback URLs.
    pub fn validate(&self, local: bool) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let loopback = local
            && ["http://127.0.0.1:", "http://localhost:"]
                .iter()
                .any(|p| self.url.starts_with(p));
        let https = self.url.strip_prefix("https://").is_some_and(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        });
        if !(https || loopback)
            || self.url.chars().count() > 500
            || !crate::program::url_chars_ok(&self.url)
        {
            errors.push(FieldError {
                field: "url".into(),
                message: "must be an https:// URL of at most 500 characters".into(),
            });
        }
        let mut seen = Vec::new();
        for (i, event) in self.events.iter().enumerate() {
            if !EVENT_TYPES.contains(&event.as_str()) || seen.contains(event) {
                errors.push(FieldError {
                    field: format!("events[{i}]"),
                    message: format!("must be one of {} (once each)", EVENT_TYPES.join(", ")),
                });
            }
            seen.push(event.clone());
        }
        if self.events.is_empty() {
            errors.push(FieldError {
                field: "events".into(),
                message: "must name at least one event type".into(),
            });
        }
        errors.is_empty().then_some(()).ok_or(errors)
    }
}

/// Event types, at least one, each once.
#[cfg(feature = "openapi")]
fn event_types_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array", "minItems": 1, "maxItems": EVENT_TYPES.len(), "uniqueItems": true,
        "items": {"type": "string", "enum": EVENT_TYPES}
    })
}

/// A registered webhook as the API shows it (the secret only in the creation answer).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub created_at: String,
    /// The signing secret (`whsec_…`), shown once: in the answer that created the webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `GET /v1/shops/{shop}/webhooks`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// One delivery of one event to one webhook, as the delivery log shows it.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The event's id (the same in every attempt: receivers dedupe by it).
    pub id: String,
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = EVENT_TYPES)))]
    pub event: String,
    /// `pending` (an attempt is due), `delivered` or `failed` (retried for 24 h in vain).
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["pending", "delivered", "failed"])))]
    pub status: String,
    pub attempts: u32,
    /// The receiver's HTTP status of the last attempt (absent when it could not be reached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub created_at: String,
    /// When the next attempt is due (pending deliveries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    /// The body as sent.
    pub payload: serde_json::Value,
}

/// `GET /v1/shops/{shop}/webhooks/{webhook}/deliveries`: the newest first.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub deliveries: Vec<Delivery>,
}

/// An event for the shop's systems, before it is addressed to a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Stable: derived from the ledger event, the type and the position.
    pub id: String,
    pub event: &'static str,
    pub data: serde_json::Value,
}

/// The events `event`, applied to `customer` with `outcome` (their balance now `balance`),
/// produces. Replays never get here (they apply nothing), so nothing is sent twice by the ledger.
pub fn events_of(customer: &str, event: &Event, outcome: &Outcome, balance: i64) -> Vec<Outgoing> {
    let mut out: Vec<(&'static str, serde_json::Value)> = Vec::new();
    let order_id = match &event.kind {
        EventKind::OrderPaid { order_id, .. } => Some(order_id.as_str()),
        _ => None,
    };
    if outcome.points > 0 {
        out.push((
            "points.earned",
            serde_json::json!({
                "customer_id": customer, "points": outcome.points, "balance": balance,
                "order_id": order_id, "reason": kind_name(&event.kind),
            }),
        ));
    }
    if let EventKind::Redeem { reward_id } = &event.kind {
        out.push((
            "reward.redeemed",
            serde_json::json!({
                "customer_id": customer, "reward_id": reward_id,
                "points": -outcome.points, "balance": balance,
                "coupon_code": outcome.coupons_issued.first().map(|c| c.code.as_str()),
            }),
        ));
    }
    for coupon in &outcome.coupons_issued {
        out.push((
            "coupon.issued",
            serde_json::json!({
                "customer_id": customer, "code": coupon.code, "reward_id": coupon.reward_id,
                "kind": coupon.kind.as_str(), "value_minor": coupon.value_minor, "sku": coupon.sku,
                "expires_at": crate::time::rfc3339(coupon.expires_at),
            }),
        ));
    }
    if let EventKind::Feedback {
        question,
        score,
        comment,
    } = &event.kind
    {
        out.push((
            "feedback.received",
            serde_json::json!({
                "customer_id": customer, "score": score, "comment": comment,
                "question": question, "at": crate::time::rfc3339(event.at),
            }),
        ));
    }
    if let Some(change) = &outcome.tier_changed {
        out.push((
            "tier.changed",
            serde_json::json!({"customer_id": customer, "from": change.from, "to": change.to}),
        ));
    }
    out.into_iter()
        .enumerate()
        .map(|(i, (name, data))| Outgoing {
            id: event_id(customer, &event.id, name, i),
            event: name,
            data,
        })
        .collect()
}

fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::OrderPaid { .. } => "order",
        EventKind::Birthday => "birthday",
        EventKind::Adjust { .. } => "adjustment",
        EventKind::Feedback { .. } => "feedback",
        EventKind::ReferralBonus { .. } | EventKind::Referred { .. } => "referral",
        _ => "other",
    }
}

/// `birthday.upcoming` for `customer`, whose birthday (`month`-`day`) is
/// [`BIRTHDAY_NOTICE_DAYS`] after today, in `year`: one id per member and year.
pub fn birthday_upcoming(customer: &str, month: u8, day: u8, year: i64) -> Outgoing {
    let name = "birthday.upcoming";
    Outgoing {
        id: event_id(customer, &format!("birthday-upcoming:{year}"), name, 0),
        event: name,
        data: serde_json::json!({
            "customer_id": customer,
            "date": format!("{month:02}-{day:02}"),
            "in_days": BIRTHDAY_NOTICE_DAYS,
        }),
    }
}

/// `anniversary.upcoming` for occasion `slot` of `customer` (`month`-`day`, in `year`),
/// [`BIRTHDAY_NOTICE_DAYS`] ahead: the membership anniversary with its years, or a member's date
/// with its label. One id per member, occasion and year.
pub fn anniversary_upcoming(
    customer: &str,
    slot: u8,
    (month, day): (u8, u8),
    year: i64,
    label: Option<&str>,
    years: Option<i64>,
) -> Outgoing {
    let name = "anniversary.upcoming";
    Outgoing {
        id: event_id(
            customer,
            &format!("anniversary-upcoming:{slot}:{year}"),
            name,
            0,
        ),
        event: name,
        data: serde_json::json!({
            "customer_id": customer,
            "kind": crate::occasions::kind_of(slot),
            "date": format!("{month:02}-{day:02}"),
            "label": label,
            "years": years,
            "in_days": BIRTHDAY_NOTICE_DAYS,
        }),
    }
}

/// `points.expiring` for the points of `account` that expire on `day` (days since the epoch),
/// if any do: the member, how many points (at most the balance), when, and how many days ahead.
pub fn points_expiring(account: &crate::ledger::Account, day: i64) -> Option<Outgoing> {
    let name = "points.expiring";
    let (points, first) = account.expiring_where(|_, at| at.div_euclid(crate::time::DAY) == day);
    let points = points.min(account.balance());
    (points > 0).then(|| Outgoing {
        id: event_id(
            &account.customer_id,
            &format!("points-expiring:{day}"),
            name,
            0,
        ),
        event: name,
        data: serde_json::json!({
            "customer_id": account.customer_id,
            "points": points,
            "on": crate::time::rfc3339(first.unwrap_or(day * crate::time::DAY)),
            "in_days": EXPIRY_NOTICE_DAYS,
        }),
    })
}

/// `evt_` and 24 hex digits of SHA-256 over the member, the ledger event's id, the type and the
/// position: the same for every attempt and every replay of the same ledger event.
fn event_id(customer: &str, ledger_event: &str, event: &str, index: usize) -> String {
    use sha2::Digest;
    let digest = Sha256::new()
        .chain_update(customer.as_bytes())
        .chain_update([0])
        .chain_update(ledger_event.as_bytes())
        .chain_update([0])
        .chain_update(event.as_bytes())
        .chain_update(index.to_le_bytes())
        .finalize();
    format!("evt_{}", &crate::token::hex(&digest)[..24])
}

/// The body sent for `outgoing` of `shop`, created at `now`.
pub fn payload(shop: &str, outgoing: &Outgoing, now: Timestamp) -> String {
    serde_json::json!({
        "id": outgoing.id,
        "type": outgoing.event,
        "shop_id": shop,
        "created_at": crate::time::rfc3339(now),
        "data": outgoing.data,
    })
    .to_string()
}

/// The `Punchcard-Signature` value for `body` sent at `timestamp` with `secret`.
pub fn signature(secret: &str, timestamp: Timestamp, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        crate::token::hex(&mac.finalize().into_bytes())
    )
}

/// When to try again after `attempts` failed attempts of an event created at `created`: 10 s,
/// then doubling (20 s, 40 s, … ) up to an hour apart, for 24 hours; `None` once that is over.
pub fn next_attempt(created: Timestamp, attempts: u32, now: Timestamp) -> Option<Timestamp> {
    let delay = (10i64 << attempts.saturating_sub(1).min(9)).min(3_600);
    let at = now + delay;
    (at <= created + RETRY_FOR_SECONDS).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Coupon, CouponStatus, TierChange};
    use crate::program::RewardKind;

    fn paid() -> Event {
        Event {
            id: "order-1-paid".into(),
            at: 1_800_000_000,
            kind: EventKind::OrderPaid {
                order_id: "1".into(),
                amount_minor: 2_000,
                currency: "EUR".into(),
                items: vec![],
            },
        }
    }

    #[test]
    fn an_order_that_earns_and_lifts_the_tier_says_so_with_stable_ids() {
        let outcome = Outcome {
            points: 20,
            tier_changed: Some(TierChange {
                from: Some("member".into()),
                to: Some("gold".into()),
            }),
            ..Outcome::default()
        };
        let events = events_of("c1", &paid(), &outcome, 120);
        let names: Vec<_> = events.iter().map(|e| e.event).collect();
        assert_eq!(names, ["points.earned", "tier.changed"]);
        assert_eq!(events[0].data["balance"], 120);
        assert_eq!(events[0].data["order_id"], "1");
        assert_eq!(events, events_of("c1", &paid(), &outcome, 120), "stable");
        assert_ne!(events[0].id, events_of("c2", &paid(), &outcome, 120)[0].id);
        assert!(events[0].id.starts_with("evt_") && events[0].id.len() == 28);
    }

    #[test]
    fn a_redemption_says_which_reward_and_which_coupon() {
        let event = Event {
            id: "redeem:c1:k".into(),
            at: 1,
            kind: EventKind::Redeem {
                reward_id: "5-off".into(),
            },
        };
        let coupon = Coupon {
            code: "PC-AAAA-BBBB".into(),
            reward_id: "5-off".into(),
            kind: RewardKind::AmountOff,
            value_minor: Some(500),
            sku: None,
            status: CouponStatus::Active,
            issued_at: 1,
            expires_at: 86_401,
            caused_by: None,
            consumed_by: None,
        };
        let outcome = Outcome {
            points: -500,
            coupons_issued: vec![coupon],
            ..Outcome::default()
        };
        let events = events_of("c1", &event, &outcome, 20);
        let names: Vec<_> = events.iter().map(|e| e.event).collect();
        assert_eq!(names, ["reward.redeemed", "coupon.issued"]);
        assert_eq!(events[0].data["points"], 500);
        assert_eq!(events[0].data["coupon_code"], "PC-AAAA-BBBB");
        assert_eq!(events[1].data["expires_at"], "1970-01-02T00:00:01Z");
    }

    #[test]
    fn an_upcoming_birthday_is_announced_once_a_year() {
        let e = birthday_upcoming("c1", 3, 9, 2027);
        assert_eq!(e.event, "birthday.upcoming");
        assert_eq!(e.data["date"], "03-09");
        assert_eq!(e.id, birthday_upcoming("c1", 3, 9, 2027).id);
        assert_ne!(e.id, birthday_upcoming("c1", 3, 9, 2028).id);
    }

    #[test]
    fn signatures_are_hmac_sha256_over_timestamp_dot_body() {
        // Reference value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn retries_back_off_and_stop_after_a_day() {
        assert_eq!(next_attempt(0, 1, 0), Some(10));
        assert_eq!(next_attempt(0, 2, 100), Some(120));
        assert_eq!(next_attempt(0, 30, 1_000), Some(4_600));
        assert_eq!(next_attempt(0, 5, RETRY_FOR_SECONDS - 5), None);
    }

    #[test]
    fn subscriptions_are_checked() {
        let ok = WebhookRequest {
            url: "https://crm.example/hooks/punchcard".into(),
            events: vec!["points.earned".into()],
        };
        assert!(ok.validate(false).is_ok());
        let local = WebhookRequest {
            url: "http://127.0.0.1:9999/hook".into(),
            ..ok.clone()
        };
        assert!(local.validate(true).is_ok());
        assert!(local.validate(false).is_err());
        let bad = WebhookRequest {
            url: "http://crm.example".into(),
            events: vec![
                "points.earned".into(),
                "points.earned".into(),
                "nope".into(),
            ],
        };
        let fields: Vec<_> = bad
            .validate(true)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["url", "events[1]", "events[2]"]);
    }

    #[test]
    fn points_expiring_names_the_points_of_that_day_once() {
        use crate::time::DAY;
        let program = crate::program::Program::demo_bakery();
        let ctx = |now| crate::ledger::Context {
            now,
            entropy: [1; 32],
        };
        let t0 = 1_767_225_600;
        let mut book = crate::ledger::Book::open("c1", &program, &ctx(t0));
        let order = |id: &str, at: i64| Event {
            id: format!("e-{id}"),
            at,
            kind: EventKind::OrderPaid {
                order_id: id.into(),
                amount_minor: 3_000,
                currency: "EUR".into(),
                items: vec![],
            },
        };
        book.apply(&program, &order("o1", t0 + DAY), &ctx(t0 + DAY))
            .unwrap();
        book.apply(&program, &order("o2", t0 + 40 * DAY), &ctx(t0 + 40 * DAY))
            .unwrap();
        // The welcome points expire first (a year after joining), then the first order's.
        let first = book.first_expiry_day().unwrap();
        assert_eq!(first, (t0 + 365 * DAY).div_euclid(DAY));
        let notice = points_expiring(&book, first).unwrap();
        assert_eq!(notice.event, "points.expiring");
        assert_eq!(notice.data["points"], 100);
        assert_eq!(notice.data["in_days"], EXPIRY_NOTICE_DAYS);
        assert_eq!(notice.data["on"], crate::time::rfc3339(t0 + 365 * DAY));
        assert_eq!(
            points_expiring(&book, first).unwrap().id,
            notice.id,
            "stable id"
        );
        let next = points_expiring(&book, (t0 + 366 * DAY).div_euclid(DAY)).unwrap();
        assert_eq!(next.data["points"], 30);
        assert_ne!(next.id, notice.id);
        assert!(points_expiring(&book, first + 2).is_none());
    }
}
