//! The loyalty program a shop configures (the body of `PUT /v1/shops/{shop}/program`).
//!
//! Every mechanic except `name`, `currency` and `earn` is optional; leaving it out turns it off.
//! All amounts are integers: money in minor units, points as whole points.

use crate::api::FieldError;
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A shop's whole program configuration, exactly as API.md documents it.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 100), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub name: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<String>,
    pub earn: Earn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps: Option<Stamps>,
    /// In strictly ascending order of `threshold_minor`, ids unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_DAYS)))]
    pub tier_window_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub welcome_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub birthday_points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
    /// The rewards catalog; ids unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewards: Vec<Reward>,
    /// Days before earned points can be spent; shorter than `expiry_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(max = 365)))]
    pub pending_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_DAYS)))]
    pub expiry_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_DAYS)))]
    pub coupon_valid_days: Option<u32>,
    /// Cash back on yearly purchase volume for business members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    /// Where a visitor joins the program (the widget's join button and referral links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(length(max = 500), pattern(JOIN_URL_PATTERN))
    )]
    pub join_url: Option<String>,
    /// The widget's look: brand colour and corner radius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Time-boxed rules for some members: more points or a coupon on their orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schemars(length(max = crate::campaigns::MAX_CAMPAIGNS)))]
    pub campaigns: Vec<crate::campaigns::Campaign>,
    /// Announcements at the top of the card (public ones in the visitors' teaser too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schemars(length(max = crate::news::MAX_NEWS)))]
    pub news: Vec<crate::news::News>,
    /// When the card asks members "would you recommend us?" (0–10), and what answering earns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<crate::feedback::Feedback>,
    /// What a member gets on their join date every year (from the first anniversary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anniversary: Option<crate::occasions::Occasion>,
    /// What a member gets every year on each of the (up to three) dates they set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_dates: Option<crate::occasions::Occasion>,
}

/// The widget's theme. Shops may still override it with CSS custom properties on the host.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// `#rrggbb`, contrasting at least 4.5:1 with white (WCAG AA).
    #[cfg_attr(feature = "openapi", schemars(pattern("^#[0-9A-Fa-f]{6}$")))]
    pub brand_color: String,
    /// Corner radius in CSS pixels (0 to 32).
    #[serde(default = "Theme::default_radius")]
    #[cfg_attr(feature = "openapi", schemars(range(max = 32)))]
    pub radius_px: u8,
}

impl Theme {
    fn default_radius() -> u8 {
        12
    }

    fn rgb(&self) -> Option<[u8; 3]> {
        let hex = self.brand_color.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some([byte(0)?, byte(2)?, byte(4)?])
    }

    /// WCAG relative luminance of the brand colour, in millionths (0 = black, 1,000,000 = white).
    fn luminance_millionths(&self) -> Option<u64> {
        let channel = |c: u8| -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.rgb()?;
        let l = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
        Some((l * 1_000_000.0).round() as u64)
    }

    /// WCAG contrast ratio of the brand colour against white, ×100 (e.g. 450 = 4.5:1). Valid
    /// programs keep it ≥ 4.5:1, so white text on the brand colour and brand text on white both
    /// pass WCAG AA.
    pub fn contrast_on_white_x100(&self) -> Option<u64> {
        let l = self.luminance_millionths()?;
        Some(105_000_000 / (l + 50_000))
    }
}

/// Volume rebates for business members: the highest band whose `yearly_volume_minor` the member's
/// spend over the last 365 days (this order included) reaches sets the cash-back rate.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Business {
    /// In strictly ascending order of `yearly_volume_minor`.
    pub rebates: Vec<Rebate>,
}

/// One volume band.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rebate {
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub yearly_volume_minor: i64,
    /// Cash back in basis points of the order amount (100 = 1 %).
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = 10_000)))]
    pub cashback_bp: i64,
}

/// Points per spend: `points_per_unit` points for every `unit_minor` spent.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Earn {
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub points_per_unit: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub unit_minor: i64,
}

/// The stamp (punch) card.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "openapi",
    schemars(extend(
        "if" = {"properties": {"per": {"const": "item"}}, "required": ["per"]},
        "then" = {"required": ["sku"], "properties": {"sku": {"type": "string", "minLength": 1}}}
    ))
)]
pub struct Stamps {
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 100)))]
    pub goal: u32,
    /// Stamps already filled on a new member's first card (endowed progress); less than `goal`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(max = 99)))]
    pub prefilled: u32,
    /// One stamp per qualifying order, or one per item of `sku`.
    #[serde(default)]
    pub per: StampPer,
    /// The sku that earns stamps (required when `per` is `item`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub min_order_minor: i64,
    /// The catalog reward a full card gives (one of `rewards`).
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub reward_id: String,
}

/// What earns a stamp.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StampPer {
    #[default]
    Order,
    Item,
}

/// What a reward's coupon is worth at checkout.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// `value_minor` off the order.
    AmountOff,
    /// Free shipping on the order.
    FreeShipping,
    /// One free item `sku`.
    FreeItem,
}

impl RewardKind {
    /// The wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AmountOff => "amount_off",
            Self::FreeShipping => "free_shipping",
            Self::FreeItem => "free_item",
        }
    }
}

/// A membership level reached by spend within `tier_window_days`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub id: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 100), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub threshold_minor: i64,
    /// Earn multiplier in percent (100 = ×1).
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = 1000)))]
    pub multiplier_pct: i64,
}

/// Points for both sides of a referral.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub referrer_points: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub referee_points: i64,
}

/// Spend `spend_minor` within `window_days`, get a certificate worth `value_minor`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub spend_minor: i64,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_DAYS)))]
    pub window_days: u32,
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub value_minor: i64,
}

/// An entry of the rewards catalog.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "openapi",
    schemars(extend("allOf" = [
        {
            "if": {"properties": {"kind": {"const": "amount_off"}}},
            "then": {
                "required": ["value_minor"],
                "properties": {"value_minor": {"type": "integer", "minimum": 1}}
            }
        },
        {
            "if": {"properties": {"kind": {"const": "free_item"}}},
            "then": {
                "required": ["sku"],
                "properties": {"sku": {"type": "string", "minLength": 1}}
            }
        }
    ]))
)]
pub struct Reward {
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub id: String,
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 100), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub name: String,
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PROGRAM_POINTS)))]
    pub cost_points: i64,
    pub kind: RewardKind,
    /// The amount off (required and positive for `amount_off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = crate::requests::MAX_AMOUNT_MINOR)))]
    pub value_minor: Option<i64>,
    /// The free item (required and not empty for `free_item`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

const MAX_DAYS: u32 = 3650;

/// Characters a join URL may not contain: white space (as Rust and ECMA-262 define it, U+FEFF
/// included), control characters, `"` and `<`; the inside of a regex character class.
macro_rules! url_excluded {
    () => {
        r#"\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u0000-\u001f\u007f-\u009f"<"#
    };
}

pub(crate) use url_excluded;

/// Whether `url` holds none of the characters [`url_excluded`] names (white space, controls,
/// `"`, `<`, U+FEFF).
pub(crate) fn url_chars_ok(url: &str) -> bool {
    !url.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '\u{feff}'))
}

/// `join_url`: an absolute https URL with a host, or a path on the storefront's own site (one
/// leading `/`: `//host` and `/\host` would leave the site). [`join_url_ok`] runs the same rule.
pub const JOIN_URL_PATTERN: &str = concat!(
    "^(?:https://[A-Za-z0-9][^",
    url_excluded!(),
    "]*|/(?:[^/\\\\",
    url_excluded!(),
    "][^",
    url_excluded!(),
    "]*)?)$"
);

/// Whether `url` may be a program's `join_url` (see [`JOIN_URL_PATTERN`]).
pub fn join_url_ok(url: &str) -> bool {
    let https_host = url.strip_prefix("https://").is_some_and(|rest| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    });
    let same_site_path = url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    (https_host || same_site_path) && url.chars().count() <= 500 && url_chars_ok(url)
}

/// The most points any one program rule may give or cost: 10^9 (far from overflow in any sum).
pub const MAX_PROGRAM_POINTS: i64 = 1_000_000_000;

impl Program {
    /// Every number with an upper bound: `(field, value, bound)`. Money is bounded like an order
    /// (`MAX_AMOUNT_MINOR`), points by [`MAX_PROGRAM_POINTS`].
    fn upper_bounds(&self) -> Vec<(String, i64, i64)> {
        use crate::requests::MAX_AMOUNT_MINOR as MONEY;
        const POINTS: i64 = MAX_PROGRAM_POINTS;
        let mut bounds = vec![
            (
                "earn.points_per_unit".to_owned(),
                self.earn.points_per_unit,
                POINTS,
            ),
            ("earn.unit_minor".to_owned(), self.earn.unit_minor, MONEY),
            (
                "welcome_points".to_owned(),
                self.welcome_points.unwrap_or(0),
                POINTS,
            ),
            (
                "birthday_points".to_owned(),
                self.birthday_points.unwrap_or(0),
                POINTS,
            ),
        ];
        if let Some(r) = &self.referral {
            bounds.push(("referral.referrer_points".into(), r.referrer_points, POINTS));
            bounds.push(("referral.referee_points".into(), r.referee_points, POINTS));
        }
        if let Some(st) = &self.stamps {
            bounds.push(("stamps.min_order_minor".into(), st.min_order_minor, MONEY));
        }
        for (i, r) in self.rewards.iter().enumerate() {
            bounds.push((format!("rewards[{i}].cost_points"), r.cost_points, POINTS));
            let value = r.value_minor.unwrap_or(0);
            bounds.push((format!("rewards[{i}].value_minor"), value, MONEY));
        }
        for (i, t) in self.tiers.iter().enumerate() {
            bounds.push((
                format!("tiers[{i}].threshold_minor"),
                t.threshold_minor,
                MONEY,
            ));
        }
        for (i, c) in self.certificates.iter().enumerate() {
            bounds.push((
                format!("certificates[{i}].spend_minor"),
                c.spend_minor,
                MONEY,
            ));
            bounds.push((
                format!("certificates[{i}].value_minor"),
                c.value_minor,
                MONEY,
            ));
        }
        for (i, r) in self
            .business
            .iter()
            .flat_map(|b| b.rebates.iter())
            .enumerate()
        {
            let field = format!("business.rebates[{i}].yearly_volume_minor");
            bounds.push((field, r.yearly_volume_minor, MONEY));
        }
        bounds
    }

    /// Checks every rule API.md states for a program; returns one error per bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: String, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        let text_ok = |s: &str| crate::requests::has_text(s) && s.chars().count() <= 100;
        if !text_ok(&self.name) {
            bad("name".into(), "must be 1 to 100 characters");
        }
        if self.earn.points_per_unit < 0 {
            bad("earn.points_per_unit".into(), "must not be negative");
        }
        if self.earn.unit_minor <= 0 {
            bad("earn.unit_minor".into(), "must be positive");
        }
        let mut reward_ids = HashSet::new();
        for (i, r) in self.rewards.iter().enumerate() {
            let f = |name: &str| format!("rewards[{i}].{name}");
            if crate::ids::CustomerId::parse(&r.id).is_err() {
                bad(f("id"), "must be 1 to 64 letters, digits, '-' or '_'");
            } else if !reward_ids.insert(r.id.as_str()) {
                bad(f("id"), "duplicate reward id");
            }
            if !text_ok(&r.name) {
                bad(f("name"), "must be 1 to 100 characters");
            }
            if r.cost_points < 0 {
                bad(f("cost_points"), "must not be negative");
            }
            match r.kind {
                RewardKind::AmountOff if r.value_minor.is_none_or(|v| v <= 0) => bad(
                    f("value_minor"),
                    "an amount_off reward needs a positive value_minor",
                ),
                RewardKind::FreeItem if r.sku.as_deref().is_none_or(str::is_empty) => {
                    bad(f("sku"), "a free_item reward needs the sku it gives")
                }
                _ if r.value_minor.is_some_and(|v| v < 0) => {
                    bad(f("value_minor"), "must not be negative")
                }
                _ => {}
            }
        }
        if let Some(st) = &self.stamps {
            if !(1..=100).contains(&st.goal) {
                bad("stamps.goal".into(), "must be between 1 and 100");
            }
            if st.prefilled >= st.goal {
                bad("stamps.prefilled".into(), "must be less than the goal");
            }
            if st.min_order_minor < 0 {
                bad("stamps.min_order_minor".into(), "must not be negative");
            }
            if !reward_ids.contains(st.reward_id.as_str()) {
                bad(
                    "stamps.reward_id".into(),
                    "must name a reward of the catalog",
                );
            }
            if st.per == StampPer::Item && st.sku.as_deref().is_none_or(str::is_empty) {
                bad(
                    "stamps.sku".into(),
                    "stamps per item need the sku that earns them",
                );
            }
        }
        let mut tier_ids = HashSet::new();
        for (i, t) in self.tiers.iter().enumerate() {
            let f = |name: &str| format!("tiers[{i}].{name}");
            if crate::ids::CustomerId::parse(&t.id).is_err() {
                bad(f("id"), "must be 1 to 64 letters, digits, '-' or '_'");
            } else if !tier_ids.insert(t.id.as_str()) {
                bad(f("id"), "duplicate tier id");
            }
            if !text_ok(&t.name) {
                bad(f("name"), "must be 1 to 100 characters");
            }
            if t.threshold_minor < 0 {
                bad(f("threshold_minor"), "must not be negative");
            } else if i > 0 && t.threshold_minor <= self.tiers[i - 1].threshold_minor {
                bad(
                    f("threshold_minor"),
                    "tiers must be in strictly ascending order of threshold",
                );
            }
            if !(0..=1000).contains(&t.multiplier_pct) {
                bad(f("multiplier_pct"), "must be between 0 and 1000");
            }
        }
        let days = |v: Option<u32>, field: &str, bad: &mut dyn FnMut(String, &str)| {
            if v.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
                bad(field.into(), "must be between 1 and 3650 days");
            }
        };
        days(self.tier_window_days, "tier_window_days", &mut bad);
        days(self.expiry_days, "expiry_days", &mut bad);
        days(self.coupon_valid_days, "coupon_valid_days", &mut bad);
        if self.pending_days.is_some_and(|d| d > 365) {
            bad("pending_days".into(), "must be at most 365 days");
        }
        if let (Some(p), Some(e)) = (self.pending_days, self.expiry_days) {
            if p >= e {
                bad("pending_days".into(), "must be shorter than expiry_days");
            }
        }
        for (field, v) in [
            ("welcome_points", self.welcome_points),
            ("birthday_points", self.birthday_points),
        ] {
            if v.is_some_and(|p| p < 0) {
                bad(field.into(), "must not be negative");
            }
        }
        if let Some(r) = &self.referral {
            if r.referrer_points < 0 {
                bad("referral.referrer_points".into(), "must not be negative");
            }
            if r.referee_points < 0 {
                bad("referral.referee_points".into(), "must not be negative");
            }
        }
        for (i, c) in self.certificates.iter().enumerate() {
            if c.spend_minor <= 0 {
                bad(format!("certificates[{i}].spend_minor"), "must be positive");
            }
            if !(1..=MAX_DAYS).contains(&c.window_days) {
                bad(
                    format!("certificates[{i}].window_days"),
                    "must be between 1 and 3650 days",
                );
            }
            if c.value_minor <= 0 {
                bad(format!("certificates[{i}].value_minor"), "must be positive");
            }
        }
        if let Some(url) = &self.join_url {
            let ok = join_url_ok(url);
            if !ok {
                bad(
                    "join_url".into(),
                    "must be an https:// URL or a path on the shop's site starting with one '/'",
                );
            }
        }
        if let Some(t) = &self.theme {
            match t.contrast_on_white_x100() {
                None => bad("theme.brand_color".into(), "must be a colour like #7a3e00"),
                // The brand colour is also used for text on the white card.
                Some(c) if c < 450 => bad(
                    "theme.brand_color".into(),
                    "must contrast at least 4.5:1 with white (WCAG AA); choose a darker colour",
                ),
                _ => {}
            }
            if t.radius_px > 32 {
                bad("theme.radius_px".into(), "must be between 0 and 32");
            }
        }
        if let Some(b) = &self.business {
            for (i, r) in b.rebates.iter().enumerate() {
                if r.yearly_volume_minor < 0 {
                    bad(
                        format!("business.rebates[{i}].yearly_volume_minor"),
                        "must not be negative",
                    );
                } else if i > 0 && r.yearly_volume_minor <= b.rebates[i - 1].yearly_volume_minor {
                    bad(
                        format!("business.rebates[{i}].yearly_volume_minor"),
                        "bands must be in strictly ascending order",
                    );
                }
                if !(0..=10_000).contains(&r.cashback_bp) {
                    bad(
                        format!("business.rebates[{i}].cashback_bp"),
                        "must be between 0 and 10000",
                    );
                }
            }
        }
        for (field, value, max) in self.upper_bounds() {
            if value > max {
                bad(field, &format!("must be at most {max}"));
            }
        }
        crate::campaigns::validate(self, &mut errors);
        crate::news::validate(self, &mut errors);
        crate::occasions::validate(self, &mut errors);
        if let Some(feedback) = &self.feedback {
            crate::feedback::validate(feedback, &mut errors);
            if feedback.points < 0 || feedback.points > MAX_PROGRAM_POINTS {
                errors.push(FieldError {
                    field: "feedback.points".into(),
                    message: format!("must be between 0 and {MAX_PROGRAM_POINTS}"),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The reward with id `id`.
    pub fn reward(&self, id: &str) -> Option<&Reward> {
        self.rewards.iter().find(|r| r.id == id)
    }

    /// The seeded local-dev program of `demo-bakery` ("Crumb Club"), the example of API.md.
    pub fn demo_bakery() -> Program {
        serde_json::from_str(DEMO_BAKERY_PROGRAM).expect("the demo program is valid JSON")
    }
}

/// The demo bakery's program as JSON (API.md's example).
pub const DEMO_BAKERY_PROGRAM: &str = r##"{"name": "Crumb Club", "currency": "EUR", "default_locale": "en",
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
 "pending_days": 0, "expiry_days": 365, "coupon_valid_days": 90,
 "join_url": "/join.html", "theme": {"brand_color": "#7a3e00", "radius_px": 12}}"##;

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
    fn reward_kind_names_match_serde() {
        for kind in [
            RewardKind::AmountOff,
            RewardKind::FreeShipping,
            RewardKind::FreeItem,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn the_demo_program_is_valid() {
        assert_eq!(Program::demo_bakery().validate(), Ok(()));
    }

    fn field_errors(p: &Program) -> Vec<String> {
        p.validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn each_documented_mistake_is_named_by_field() {
        let mut p = Program::demo_bakery();
        p.stamps.as_mut().unwrap().reward_id = "nope".into();
        p.tiers[2].threshold_minor = 100;
        p.earn.unit_minor = 0;
        p.rewards[1].id = "5-off".into();
        p.welcome_points = Some(-1);
        p.rewards[0].cost_points = -5;
        assert_eq!(
            field_errors(&p),
            [
                "earn.unit_minor",
                "rewards[0].cost_points",
                "rewards[1].id",
                "stamps.reward_id",
                "tiers[2].threshold_minor",
                "welcome_points"
            ]
        );
    }

    #[test]
    fn theme_colours_must_be_readable_and_join_urls_safe() {
        let mut p = Program::demo_bakery();
        let theme = |c: &str| Theme {
            brand_color: c.into(),
            radius_px: 8,
        };
        assert_eq!(theme("#000000").contrast_on_white_x100(), Some(2100));
        assert_eq!(theme("#ffffff").contrast_on_white_x100(), Some(100));
        assert_eq!(theme("#767676").contrast_on_white_x100(), Some(454));
        for bad_colour in ["#ffff00", "red", "#12345", "#12345g", "#7a3e00ff"] {
            p.theme = Some(theme(bad_colour));
            assert_eq!(field_errors(&p), ["theme.brand_color"], "{bad_colour}");
        }
        p.theme = Some(Theme {
            brand_color: "#1a5fb4".into(),
            radius_px: 40,
        });
        assert_eq!(field_errors(&p), ["theme.radius_px"]);
        p.theme = None;
        for bad_url in [
            "javascript:alert(1)",
            "join",
            "https://a b",
            "https://x\"<",
            "//other.example",
            "/\\other.example",
            "http://shop.example/join",
            "https://",
            "https:///path",
        ] {
            p.join_url = Some(bad_url.into());
            assert_eq!(field_errors(&p), ["join_url"], "{bad_url}");
        }
        p.join_url = Some("https://shop.example/join?src=card".into());
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn rewards_need_what_their_kind_gives() {
        let mut p = Program::demo_bakery();
        p.rewards[0].value_minor = None;
        p.rewards[2].sku = None;
        assert_eq!(
            field_errors(&p),
            ["rewards[0].value_minor", "rewards[2].sku"]
        );
    }

    #[test]
    fn stamp_and_window_bounds() {
        let mut p = Program::demo_bakery();
        p.stamps.as_mut().unwrap().prefilled = 10;
        p.pending_days = Some(400);
        p.certificates[0].window_days = 0;
        p.business = Some(Business {
            rebates: vec![
                Rebate {
                    yearly_volume_minor: 100,
                    cashback_bp: 100,
                },
                Rebate {
                    yearly_volume_minor: 100,
                    cashback_bp: 20_000,
                },
            ],
        });
        assert_eq!(
            field_errors(&p),
            [
                "stamps.prefilled",
                "pending_days",
                "pending_days",
                "certificates[0].window_days",
                "business.rebates[1].yearly_volume_minor",
                "business.rebates[1].cashback_bp"
            ]
        );
    }

    #[test]
    fn bad_currency_or_kind_is_refused_at_parse() {
        let json = DEMO_BAKERY_PROGRAM.replace("\"EUR\"", "\"euro\"");
        assert!(serde_json::from_str::<Program>(&json).is_err());
        let json = DEMO_BAKERY_PROGRAM.replace("free_shipping", "free_lunch");
        assert!(serde_json::from_str::<Program>(&json).is_err());
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
