//! The loyalty program a shop configures (the body of `PUT /v1/shops/{shop}/program`).
//!
//! Every mechanic except `name`, `currency` and `earn` is optional; leaving it out turns it off.
//! All amounts are integers: money in minor units, points as whole points.

use serde::{Deserialize, Serialize};

/// A shop's whole program configuration, exactly as API.md documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub name: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<String>,
    pub earn: Earn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps: Option<Stamps>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_window_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewards: Vec<Reward>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_valid_days: Option<u32>,
}

/// Points per spend: `points_per_unit` points for every `unit_minor` spent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Earn {
    pub points_per_unit: i64,
    pub unit_minor: i64,
}

/// The stamp (punch) card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stamps {
    pub goal: u32,
    /// Stamps already filled on a new member's first card (endowed progress).
    #[serde(default)]
    pub prefilled: u32,
    /// `order` (one stamp per qualifying order) or `item` (one per item of `sku`).
    #[serde(default = "default_stamp_per")]
    pub per: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default)]
    pub min_order_minor: i64,
    pub reward_id: String,
}

fn default_stamp_per() -> String {
    "order".to_owned()
}

/// A membership level reached by spend within `tier_window_days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub id: String,
    pub name: String,
    pub threshold_minor: i64,
    /// Earn multiplier in percent (100 = ×1).
    pub multiplier_pct: i64,
}

/// Points for both sides of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub referrer_points: i64,
    pub referee_points: i64,
}

/// Spend `spend_minor` within `window_days`, get a certificate worth `value_minor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub spend_minor: i64,
    pub window_days: u32,
    pub value_minor: i64,
}

/// An entry of the rewards catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    pub id: String,
    pub name: String,
    pub cost_points: i64,
    /// `amount_off`, `free_shipping` or `free_item`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

impl Program {
    /// The seeded local-dev program of `demo-bakery` ("Crumb Club"), the example of API.md.
    pub fn demo_bakery() -> Program {
        serde_json::from_str(DEMO_BAKERY_PROGRAM).expect("the demo program is valid JSON")
    }
}

/// The demo bakery's program as JSON (API.md's example).
pub const DEMO_BAKERY_PROGRAM: &str = r#"{"name": "Crumb Club", "currency": "EUR", "default_locale": "en",
 "earn": {"points_per_unit": 1, "unit_minor": 100},
 "stamps": {"goal": 10, "prefilled": 2, "per": "order", "min_order_minor": 300, "reward_id": "free-cake"},
 "tiers": [{"id": "member", "name": "Member", "threshold_minor": 0, "multiplier_pct": 100},
           {"id": "gold", "name": "Gold", "threshold_minor": 50000, "multiplier_pct": 125},
           {"id": "platinum", "name": "Platinum", "threshold_minor": 150000, "multiplier_pct": 150}],
 "tier_window_days": 365,
 "welcome_points": 100, "birthday_points": 200,
 "referral": {"referrer_points": 500, "referee_points": 250},
 "certificates": [{"spend_minor": 20000, "window_days": 182, "value_minor": 2500}],
 "rewards": [{"id": "5-off", "name": "€5 off", "cost_points": 500, "kind": "amount_off", "value_minor": 500},
             {"id": "ship", "name": "Free shipping", "cost_points": 300, "kind": "free_shipping"},
             {"id": "free-cake", "name": "A cake on us", "cost_points": 0, "kind": "free_item", "sku": "CAKE"}],
 "pending_days": 0, "expiry_days": 365, "coupon_valid_days": 90}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_api_md_example_and_round_trips() {
        let p = Program::demo_bakery();
        assert_eq!(p.name, "Crumb Club");
        assert_eq!(p.stamps.as_ref().unwrap().prefilled, 2);
        assert_eq!(p.tiers.len(), 3);
        assert_eq!(p.rewards[0].value_minor, Some(500));
        let again: Program = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn only_name_currency_and_earn_are_required() {
        let p: Program = serde_json::from_str(
            r#"{"name":"Tiny","currency":"USD","earn":{"points_per_unit":1,"unit_minor":1000}}"#,
        )
        .unwrap();
        assert!(p.stamps.is_none() && p.tiers.is_empty() && p.rewards.is_empty());
        assert!(serde_json::from_str::<Program>(r#"{"name":"x","currency":"USD"}"#).is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<Program>(
            r#"{"name":"x","currency":"USD","earn":{"points_per_unit":1,"unit_minor":1},"oops":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("oops"), "{err}");
    }
}
