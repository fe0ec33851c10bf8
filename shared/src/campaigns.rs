//! Campaigns: time-boxed rules of a program for some of its members — more points, a bonus, or
//! a coupon on their orders ("double points until Sunday", "buy one cake, get one free").
//!
//! Pure: whether a campaign runs and reaches a member is decided from the order's own time and
//! the member's state *before* the order, so replaying history gives the same answer, and what a
//! campaign gave is recorded with the order so a refund takes back exactly that.

use crate::api::FieldError;
use crate::ledger::{Account, Item};
use crate::money::mul_div;
use crate::program::Program;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Campaigns a program may hold.
pub const MAX_CAMPAIGNS: usize = 20;
/// The longest a campaign may run: a year and a day.
const MAX_RUN_SECONDS: i64 = 366 * 86_400;
/// Bonus points a campaign may give per order or per item.
pub const MAX_CAMPAIGN_POINTS: i64 = 1_000_000;

/// One campaign.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Unique in the program; recorded with the orders it reached.
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
    pub id: String,
    /// Shown on the members' cards, e.g. "Double points weekend".
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 100), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub name: String,
    /// RFC 3339; orders at or after it count.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub starts_at: String,
    /// RFC 3339, after `starts_at` (by at most 366 days); orders before it count.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub ends_at: String,
    #[serde(default)]
    pub audience: Audience,
    pub effect: Effect,
}

/// Who a campaign reaches, judged at the order's time.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Audience {
    /// Every member.
    #[default]
    Everyone,
    /// Members in one of these tiers (ids of the program's tiers).
    Tiers {
        #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 20)))]
        tiers: Vec<String>,
    },
    /// Members in one of these segments of the analytics.
    Segments {
        #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 6)))]
        segments: Vec<Segment>,
    },
    /// Members who bought this SKU before (among the last 50 SKUs a member bought).
    BoughtSku {
        #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 64)))]
        sku: String,
    },
    /// Members without an order (or, never having ordered, without joining) for this many days.
    Inactive {
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 3650)))]
        days: u32,
    },
}

/// What a campaign gives on an order of a member it reaches.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// The order's points times `pct` / 100 (200: double points).
    Multiplier {
        #[cfg_attr(feature = "openapi", schemars(range(min = 101, max = 1000)))]
        pct: i64,
    },
    /// Extra points on every order.
    BonusPoints {
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_CAMPAIGN_POINTS)))]
        points: i64,
    },
    /// Extra points for every item of `sku` in the order.
    PointsPerItem {
        #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 64)))]
        sku: String,
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_CAMPAIGN_POINTS)))]
        points: i64,
    },
    /// Extra points on the member's first order while the campaign runs.
    FirstOrderBonus {
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = MAX_CAMPAIGN_POINTS)))]
        points: i64,
    },
    /// A coupon for the reward `reward_id` when the order holds at least `min_quantity` items
    /// of `sku` ("buy one cake, get one free").
    Coupon {
        #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 64)))]
        sku: String,
        #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 100)))]
        min_quantity: u32,
        #[cfg_attr(feature = "openapi", schemars(pattern(crate::ids::ID_PATTERN)))]
        reward_id: String,
    },
}

/// A segment of the analytics (recency and frequency of orders; see `analytics::segment_of`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    Recent,
    AtRisk,
    Lost,
    NoOrders,
}

impl Segment {
    /// The id the analytics report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::Recent => "recent",
            Segment::AtRisk => "at_risk",
            Segment::Lost => "lost",
            Segment::NoOrders => "no_orders",
        }
    }
}

impl Campaign {
    /// The campaign's run as Unix seconds `[start, end)` (nothing when unreadable).
    pub fn window(&self) -> Option<(Timestamp, Timestamp)> {
        Some((
            crate::time::parse_rfc3339(&self.starts_at)?,
            crate::time::parse_rfc3339(&self.ends_at)?,
        ))
    }

    /// Whether the campaign runs at `at`.
    pub fn runs_at(&self, at: Timestamp) -> bool {
        self.window()
            .is_some_and(|(start, end)| start <= at && at < end)
    }

    /// Whether the campaign reaches `member` at `at` (their state before anything at `at`).
    pub fn reaches(&self, member: &Account, at: Timestamp) -> bool {
        audience_reaches(&self.audience, member, at)
    }
}

/// Whether `audience` reaches `member` at `at` (campaigns and news alike).
pub fn audience_reaches(audience: &Audience, member: &Account, at: Timestamp) -> bool {
    match audience {
        Audience::Everyone => true,
        Audience::Tiers { tiers } => member.tier.as_ref().is_some_and(|t| tiers.contains(t)),
        Audience::Segments { segments } => {
            let stats = crate::analytics::MemberStats::of(member);
            let today = at.div_euclid(crate::time::DAY);
            let segment = crate::analytics::segment_of(&stats, today);
            segments.iter().any(|s| s.as_str() == segment)
        }
        Audience::BoughtSku { sku } => member.skus.iter().any(|s| s == sku),
        Audience::Inactive { days } => {
            let last = member
                .totals
                .last_order_day
                .unwrap_or_else(|| member.joined_at.div_euclid(crate::time::DAY));
            at.div_euclid(crate::time::DAY) - last >= i64::from(*days)
        }
    }
}

/// What the running campaigns give on one order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gain {
    /// Extra points per campaign that gave some: (campaign id, name, points).
    pub points: Vec<(String, String, i64)>,
    /// Rewards to issue as coupons: (campaign id, reward id).
    pub coupons: Vec<(String, String)>,
    /// Campaigns whose first-order bonus this order used.
    pub first_orders: Vec<String>,
}

impl Gain {
    /// All extra points.
    pub fn total(&self) -> i64 {
        self.points.iter().map(|(_, _, p)| p).sum()
    }
}

/// What `program`'s campaigns give on an order of `member` at `at` that earned `earned` points
/// before campaigns, with `items`.
pub fn gain(
    program: &Program,
    member: &Account,
    at: Timestamp,
    earned: i64,
    items: &[Item],
) -> Result<Gain, crate::money::Overflow> {
    let mut gain = Gain::default();
    let quantity = |sku: &str| -> i64 {
        items
            .iter()
            .filter(|i| i.sku == sku)
            .map(|i| i64::from(i.quantity))
            .sum()
    };
    for c in program
        .campaigns
        .iter()
        .filter(|c| c.runs_at(at) && c.reaches(member, at))
    {
        let points = match &c.effect {
            Effect::Multiplier { pct } => mul_div(earned, pct - 100, 100)?,
            Effect::BonusPoints { points } => *points,
            Effect::PointsPerItem { sku, points } => quantity(sku)
                .checked_mul(*points)
                .ok_or(crate::money::Overflow)?,
            Effect::FirstOrderBonus { points } => {
                if member.campaign_orders.contains_key(&c.id) {
                    0
                } else {
                    gain.first_orders.push(c.id.clone());
                    *points
                }
            }
            Effect::Coupon {
                sku,
                min_quantity,
                reward_id,
            } => {
                if quantity(sku) >= i64::from(*min_quantity) {
                    gain.coupons.push((c.id.clone(), reward_id.clone()));
                }
                0
            }
        };
        if points > 0 {
            gain.points.push((c.id.clone(), c.name.clone(), points));
        }
    }
    Ok(gain)
}

/// The campaigns running at `now` that reach `member`, for their card.
pub fn running_for<'a>(
    program: &'a Program,
    member: &'a Account,
    now: Timestamp,
) -> impl Iterator<Item = &'a Campaign> + 'a {
    program
        .campaigns
        .iter()
        .filter(move |c| c.runs_at(now) && c.reaches(member, now))
}

/// Field errors of `program`'s campaigns (`campaigns[i].…`).
pub fn validate(program: &Program, errors: &mut Vec<FieldError>) {
    let mut bad = |field: String, message: &str| {
        errors.push(FieldError {
            field,
            message: message.to_owned(),
        })
    };
    if program.campaigns.len() > MAX_CAMPAIGNS {
        bad("campaigns".into(), "at most 20 campaigns");
    }
    let mut ids = HashSet::new();
    for (i, c) in program.campaigns.iter().enumerate() {
        let f = |name: &str| format!("campaigns[{i}].{name}");
        if crate::ids::CustomerId::parse(&c.id).is_err() {
            bad(f("id"), "must be 1 to 64 letters, digits, '-' or '_'");
        } else if !ids.insert(c.id.as_str()) {
            bad(f("id"), "duplicate campaign id");
        }
        if !crate::requests::has_text(&c.name) || c.name.chars().count() > 100 {
            bad(f("name"), "must be 1 to 100 characters");
        }
        check_window(&c.starts_at, &c.ends_at, &f, &mut bad);
        check_audience(program, &c.audience, &f, &mut bad);
        let points_ok = |p: i64| (1..=MAX_CAMPAIGN_POINTS).contains(&p);
        match &c.effect {
            Effect::Multiplier { pct } => {
                if !(101..=1000).contains(pct) {
                    bad(
                        f("effect.pct"),
                        "must be between 101 and 1000 (200: double points)",
                    );
                }
            }
            Effect::BonusPoints { points } | Effect::FirstOrderBonus { points } => {
                if !points_ok(*points) {
                    bad(f("effect.points"), "must be between 1 and 1000000");
                }
            }
            Effect::PointsPerItem { sku, points } => {
                if !sku_ok(sku) {
                    bad(f("effect.sku"), "must be 1 to 64 characters");
                }
                if !points_ok(*points) {
                    bad(f("effect.points"), "must be between 1 and 1000000");
                }
            }
            Effect::Coupon {
                sku,
                min_quantity,
                reward_id,
            } => {
                if !sku_ok(sku) {
                    bad(f("effect.sku"), "must be 1 to 64 characters");
                }
                if !(1..=100).contains(min_quantity) {
                    bad(f("effect.min_quantity"), "must be between 1 and 100");
                }
                if program.reward(reward_id).is_none() {
                    bad(f("effect.reward_id"), "must name a reward of the catalog");
                }
            }
        }
    }
}

/// Whether `sku` may name a product: 1 to 64 characters.
fn sku_ok(sku: &str) -> bool {
    (1..=64).contains(&sku.chars().count())
}

/// Field errors of a run `[starts_at, ends_at)` (RFC 3339, at most 366 days); `f` names a field.
pub(crate) fn check_window(
    starts_at: &str,
    ends_at: &str,
    f: &impl Fn(&str) -> String,
    bad: &mut impl FnMut(String, &str),
) {
    let start = crate::time::parse_rfc3339(starts_at);
    let end = crate::time::parse_rfc3339(ends_at);
    if start.is_none() {
        bad(
            f("starts_at"),
            "must be an RFC 3339 time, e.g. 2026-12-05T00:00:00Z",
        );
    }
    if end.is_none() {
        bad(
            f("ends_at"),
            "must be an RFC 3339 time, e.g. 2026-12-07T00:00:00Z",
        );
    }
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            bad(f("ends_at"), "must be after starts_at");
        } else if end - start > MAX_RUN_SECONDS {
            bad(f("ends_at"), "must be at most 366 days after starts_at");
        }
    }
}

/// Field errors of an audience (`f("audience.…")`).
pub(crate) fn check_audience(
    program: &Program,
    audience: &Audience,
    f: &impl Fn(&str) -> String,
    bad: &mut impl FnMut(String, &str),
) {
    match audience {
        Audience::Everyone => {}
        Audience::Tiers { tiers } => {
            if tiers.is_empty() || tiers.len() > 20 {
                bad(f("audience.tiers"), "must name 1 to 20 tiers");
            }
            if tiers
                .iter()
                .any(|t| !program.tiers.iter().any(|p| p.id == *t))
            {
                bad(f("audience.tiers"), "must name tiers of the program");
            }
        }
        Audience::Segments { segments } => {
            if segments.is_empty() || segments.len() > 6 {
                bad(f("audience.segments"), "must name 1 to 6 segments");
            }
        }
        Audience::BoughtSku { sku } => {
            if !sku_ok(sku) {
                bad(f("audience.sku"), "must be 1 to 64 characters");
            }
        }
        Audience::Inactive { days } => {
            if !(1..=3650).contains(days) {
                bad(f("audience.days"), "must be between 1 and 3650 days");
            }
        }
    }
}
