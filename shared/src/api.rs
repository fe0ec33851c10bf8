//! The JSON shapes of API v1 (API.md): what the worker sends and the widget reads.
//!
//! Types only, no business logic: the ledger computes cards, this module describes them.

use serde::{Deserialize, Serialize};

/// A month and day, `MM-DD`.
pub const MONTH_DAY_PATTERN: &str = "^[0-9]{2}-[0-9]{2}$";
/// A date a member may set (a birthday, a date to celebrate): `MM-DD` of a day that exists
/// (February 29 included) — exactly what [`crate::time::parse_month_day`] accepts.
pub const REAL_MONTH_DAY_PATTERN: &str =
    "^(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-9])|(?:0[13-9]|1[0-2])-30|(?:0[13578]|1[02])-31)$";
/// A coupon's `status`.
pub const COUPON_STATUSES: [&str; 3] = ["active", "consumed", "void"];
/// A coupon's `kind`.
pub const REWARD_KINDS: [&str; 3] = ["amount_off", "free_shipping", "free_item"];

/// A shopper's loyalty card (`GET /v1/shops/{shop}/me`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub shop_id: String,
    pub customer_id: String,
    /// The program's currency (ISO 4217), for the money amounts on the card.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(pattern(crate::money::CURRENCY_PATTERN)))]
    pub currency: String,
    pub points: i64,
    /// What the spendable points are worth in minor units, at the catalog's best amount-off rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_worth_minor: Option<i64>,
    /// Points earned but not yet spendable (the program's `pending_days`).
    #[serde(default)]
    pub pending_points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps: Option<CardStamps>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<CardTier>,
    #[serde(default)]
    pub rewards: Vec<CardReward>,
    #[serde(default)]
    pub coupons: Vec<CardCoupon>,
    pub member_code: String,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Cash back owed to a business member, in minor units (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback_minor: Option<i64>,
    /// The member's birthday as `MM-DD`, once they have told us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(pattern(MONTH_DAY_PATTERN)))]
    pub birthday: Option<String>,
    /// Spendable points that expire within the next 30 days, and the first day they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_expiring: Option<ExpiringPoints>,
    /// Campaigns that reach the member, running now or starting within 30 days (the widget shows
    /// those running by the shopper's clock, so a cached card stays right).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<CardCampaign>,
    /// The shop's news that reach the member, not over and starting within 30 days, soonest
    /// first (the widget shows those running by the shopper's clock).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub news: Vec<CardNews>,
    /// The open feedback question, if the card asks one now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<CardFeedback>,
    /// The dates the member set, celebrated every year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<CardDate>,
}

/// A date the member set ("Our wedding anniversary", `06-12`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDate {
    pub label: String,
    #[cfg_attr(feature = "openapi", schemars(pattern(MONTH_DAY_PATTERN)))]
    pub date: String,
}

/// `POST …/me/dates`: a date the member wants celebrated every year.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRequest {
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 40), pattern(crate::requests::TEXT_PATTERN))
    )]
    pub label: String,
    /// `MM-DD`, a day that exists in some year (02-29 included).
    #[cfg_attr(feature = "openapi", schemars(pattern(REAL_MONTH_DAY_PATTERN)))]
    pub date: String,
}

/// "How likely are you to recommend us to a friend?", asked on the card.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFeedback {
    /// The question's number, sent back with the answer.
    pub question: u32,
    /// Points for answering (0: none).
    pub points: i64,
    /// The question closes then.
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub until: String,
}

/// `POST …/me/feedback`: the member's answer to the card's question.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The `question` of the card's `feedback`.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 4_294_967_295u32)))]
    pub question: u32,
    /// 0 (not at all likely) to 10 (extremely likely).
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = 10)))]
    pub score: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(max = 500)))]
    pub comment: Option<String>,
}

/// `GET …/feedback`: the Net Promoter Score and the answers, newest first.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackReport {
    /// Promoters − detractors in % over the last 12 months (−100 to 100); absent without answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(range(min = -100, max = 100)))]
    pub nps: Option<i64>,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    /// Month by month, the last 12 (`YYYY-MM`), oldest first; months without answers left out.
    pub months: Vec<FeedbackMonth>,
    /// A page of answers, newest first.
    pub answers: Vec<FeedbackAnswer>,
    /// Cursor for older answers (`?before=`), when there are more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackMonth {
    pub month: String,
    #[cfg_attr(feature = "openapi", schemars(range(min = -100, max = 100)))]
    pub nps: i64,
    pub answers: i64,
}

#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackAnswer {
    pub customer_id: String,
    pub score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub at: String,
}

/// A piece of news on the card, in every locale the shop wrote it in.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardNews {
    pub id: String,
    /// The first is the fallback for a locale the shop did not write.
    pub texts: Vec<crate::news::NewsText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub starts_at: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub ends_at: String,
    /// Whether the member has marked it read.
    pub read: bool,
}

/// `POST …/me/news/read`: the news the shopper has seen.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadNewsRequest {
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 10), inner(pattern(crate::ids::ID_PATTERN)))
    )]
    pub ids: Vec<String>,
}

/// A campaign on the card ("Double points weekend, until Sunday").
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCampaign {
    pub id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub starts_at: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub ends_at: String,
}

/// Points about to expire (the card's notice).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringPoints {
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub points: i64,
    /// The first of those points expire at this time (RFC 3339).
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub on: String,
}

/// Progress on the current stamp card.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStamps {
    pub filled: u32,
    pub goal: u32,
    /// Name of the reward a full card gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_name: Option<String>,
}

/// The member's tier and what remains to the next one.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardTier {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<NextTier>,
}

/// The next tier up.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub remaining_minor: i64,
    /// How far the member is on the way from no spend to the next tier's threshold, 0–100.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(range(max = 100)))]
    pub progress_pct: u8,
}

/// A catalog reward as this member sees it.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardReward {
    pub id: String,
    pub name: String,
    pub cost_points: i64,
    pub affordable: bool,
}

/// A coupon the member holds.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCoupon {
    pub code: String,
    pub reward_id: String,
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = COUPON_STATUSES)))]
    pub status: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub expires_at: String,
}

/// One line of the member's history.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub at: String,
    pub kind: String,
    pub points: i64,
    #[serde(default)]
    pub stamps: i64,
    pub note: String,
}

/// A coupon as the shop sees it (`GET /v1/shops/{shop}/coupons/{code}`) and as a redemption
/// returns it.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponView {
    pub code: String,
    pub reward_id: String,
    /// `active`, `consumed` or `void`.
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = COUPON_STATUSES)))]
    pub status: String,
    /// `amount_off`, `free_shipping` or `free_item`.
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = REWARD_KINDS)))]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub customer_id: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub issued_at: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// `201` answer of a redemption.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionResponse {
    pub coupon: CouponView,
    pub card: Card,
}

/// A member as the shop sees them: the card plus what only the shop needs.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopCustomerView {
    #[serde(flatten)]
    pub card: Card,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub joined_at: String,
    pub business: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
    /// Points taken back by refunds after they were spent, still to be paid off.
    pub debt_points: i64,
    /// The member's coupons, whatever their status, newest first (at most 100).
    pub all_coupons: Vec<CouponView>,
    /// When `history` (the newest entries) is not all: the cursor for
    /// `GET …/customers/{customer}/history?before=` to page through older entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_before: Option<u64>,
}

/// `GET /v1/shops/{shop}/customers/{customer}/history`: one page of the member's ledger entries,
/// newest first.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub customer_id: String,
    pub entries: Vec<HistoryEntry>,
    /// The cursor for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

/// `GET /v1/shops/{shop}/analytics`: the shop's program at a glance, from incremental aggregates.
/// Shares and rates are in basis points (1/100 of a percent: 2500 = 25 %).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analytics {
    pub currency: String,
    pub members: i64,
    /// Members with any ledger activity in the last 30 / 90 days.
    pub active_30d: i64,
    pub active_90d: i64,
    /// Members with at least one order not fully refunded.
    pub buyers: i64,
    pub orders: i64,
    /// Revenue from members (paid − refunded), minor units.
    pub revenue_minor: i64,
    pub points: PointsTotals,
    /// Points redeemed per point issued.
    pub redemption_rate_bp: i64,
    /// Share of revenue from the top 20 % of members.
    pub pareto_top20_bp: i64,
    /// "The top x % of members bring y % of revenue", from the biggest spenders down.
    pub pareto_curve: Vec<ParetoPoint>,
    /// RFM segments: champions, loyal, recent, at_risk, lost, no_orders.
    pub segments: Vec<Segment>,
    pub birthdays_next_14_days: Vec<BirthdaySoon>,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub computed_at: String,
}

/// Points across all members.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsTotals {
    pub issued: i64,
    pub redeemed: i64,
    pub expired: i64,
    /// Taken back by refunds and negative adjustments.
    pub deducted: i64,
    /// Held by members now: the liability.
    pub outstanding: i64,
    /// The liability in money, at the catalog's best amount-off rate.
    pub outstanding_value_minor: i64,
}

/// One point of the Pareto curve (basis points).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParetoPoint {
    pub members_bp: i64,
    pub revenue_bp: i64,
}

/// One RFM segment.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub id: String,
    pub members: i64,
    pub revenue_minor: i64,
}

/// A member whose birthday is within the next 14 days.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthdaySoon {
    pub customer_id: String,
    /// `MM-DD`.
    #[cfg_attr(feature = "openapi", schemars(pattern(MONTH_DAY_PATTERN)))]
    pub date: String,
}

/// `POST /v1/shops/{shop}/me/birthday`: the member's birthday, `MM-DD`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BirthdayRequest {
    /// `MM-DD`, a day that exists in some year (02-29 included).
    #[cfg_attr(feature = "openapi", schemars(pattern(REAL_MONTH_DAY_PATTERN)))]
    pub date: String,
}

/// The answer to an applied event, adjustment, stamps or birthday: the member's card with what
/// the command did.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardWithOutcome {
    #[serde(flatten)]
    pub card: Card,
    pub outcome: crate::ledger::Outcome,
}

/// The most events one `POST …/events/batch` may carry.
pub const MAX_BATCH: usize = 500;

/// `POST /v1/shops/{shop}/events/batch`: events applied one by one as `POST …/events` would.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    #[cfg_attr(feature = "openapi", schemars(length(max = MAX_BATCH)))]
    pub events: Vec<crate::requests::EventRequest>,
}

/// `200` answer of a batch: one result per event, in order.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResults {
    pub results: Vec<BatchResult>,
}

/// What became of one event of a batch: `status` as `POST …/events` would have answered.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    pub id: String,
    pub status: u16,
    /// True when the event had been applied before (same id, same body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed: Option<bool>,
    /// The problem's code when the event was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The longest age `POST …/maintenance/purge` accepts: ten years.
pub const MAX_PURGE_AGE_SECONDS: i64 = 10 * 365 * 86_400;

/// `POST /v1/shops/{shop}/maintenance/purge` (admin): delete idempotency records older than this.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeRequest {
    #[cfg_attr(feature = "openapi", schemars(range(min = 0, max = MAX_PURGE_AGE_SECONDS)))]
    pub older_than_seconds: i64,
}

/// `200` answer of a purge: how many records were deleted (at most 10,000 a call).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purged {
    pub purged: u64,
}

/// `GET …/customers/{customer}/export`: everything stored about a member (GDPR Art. 15/20).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub shop_id: String,
    #[cfg_attr(feature = "openapi", schemars(extend("format" = "date-time")))]
    pub exported_at: String,
    pub member: ShopCustomerView,
    /// The member's answers to the feedback question, oldest first.
    #[serde(default)]
    pub feedback: Vec<FeedbackAnswer>,
    pub ledger: ExportLedger,
}

/// The member's stored rows, as the ledger keeps them.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportLedger {
    /// The member's bounded state: balances, open point batches, stamp card, tier, counters.
    pub account: serde_json::Value,
    /// Every ledger entry, oldest first (`at` in Unix seconds).
    pub history: Vec<crate::ledger::Entry>,
    /// What each order earned, by order key.
    pub orders: std::collections::BTreeMap<String, crate::ledger::OrderRecord>,
    /// Every coupon the member was issued, whatever its status.
    pub coupons: Vec<crate::ledger::Coupon>,
}

/// The stable, machine-readable error codes of API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    TokenLifetime,
    Forbidden,
    MemberErased,
    NotFound,
    MethodNotAllowed,
    InsufficientPoints,
    IdempotencyConflict,
    CouponConsumed,
    CouponVoid,
    CouponExpired,
    BirthdayAlreadySet,
    NoOpenQuestion,
    Conflict,
    PayloadTooLarge,
    ValidationFailed,
    RateLimited,
    Internal,
}

impl ErrorCode {
    /// Every code, for lookups and for documenting them all (OpenAPI).
    pub const ALL: [ErrorCode; 19] = [
        Self::BadRequest,
        Self::Unauthorized,
        Self::TokenLifetime,
        Self::Forbidden,
        Self::MemberErased,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::InsufficientPoints,
        Self::IdempotencyConflict,
        Self::CouponConsumed,
        Self::CouponVoid,
        Self::CouponExpired,
        Self::BirthdayAlreadySet,
        Self::NoOpenQuestion,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::ValidationFailed,
        Self::RateLimited,
        Self::Internal,
    ];

    /// The code named `code`, if it is one of ours.
    pub fn from_code(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The snake_case code clients match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::TokenLifetime => "token_lifetime",
            Self::Forbidden => "forbidden",
            Self::MemberErased => "member_erased",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InsufficientPoints => "insufficient_points",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::CouponConsumed => "coupon_consumed",
            Self::CouponVoid => "coupon_void",
            Self::CouponExpired => "coupon_expired",
            Self::BirthdayAlreadySet => "birthday_already_set",
            Self::NoOpenQuestion => "no_open_question",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::ValidationFailed => "validation_failed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized | Self::TokenLifetime => 401,
            Self::Forbidden | Self::MemberErased => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::InsufficientPoints
            | Self::IdempotencyConflict
            | Self::CouponConsumed
            | Self::CouponVoid
            | Self::CouponExpired
            | Self::BirthdayAlreadySet
            | Self::NoOpenQuestion
            | Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::ValidationFailed => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    /// A short human title (RFC 9457 `title`).
    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::Unauthorized => "Unauthorized",
            Self::TokenLifetime => "Token valid for too long",
            Self::Forbidden => "Forbidden",
            Self::MemberErased => "Member erased",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::InsufficientPoints => "Insufficient points",
            Self::IdempotencyConflict => "Idempotency key reused with a different request",
            Self::CouponConsumed => "Coupon already consumed",
            Self::CouponVoid => "Coupon is void",
            Self::CouponExpired => "Coupon has expired",
            Self::BirthdayAlreadySet => "Birthday already set",
            Self::NoOpenQuestion => "No open feedback question",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Payload too large",
            Self::ValidationFailed => "Validation failed",
            Self::RateLimited => "Too many requests",
            Self::Internal => "Internal error",
        }
    }
}

/// Every `code` a problem may carry.
#[cfg(feature = "openapi")]
fn error_code_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    schemars::json_schema!({"type": "string", "enum": codes})
}

/// One invalid field of a request (`validation_failed`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An `application/problem+json` body (RFC 9457) with Punchcard's stable `code`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The stable code clients match on.
    #[cfg_attr(feature = "openapi", schemars(schema_with = "error_code_schema"))]
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem for `code` with a human `detail`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Problem {
        Problem {
            type_: format!("https://punchcard.dev/problems/{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code: code.as_str().to_owned(),
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_code("nope"), None);
    }

    #[test]
    fn problem_has_the_rfc_9457_shape() {
        let p = Problem::new(ErrorCode::Unauthorized, "the token has expired");
        let v: serde_json::Value = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "https://punchcard.dev/problems/unauthorized");
        assert_eq!(v["status"], 401);
        assert_eq!(v["code"], "unauthorized");
        assert!(v.get("errors").is_none());
    }

    #[test]
    fn card_parses_the_api_md_example() {
        let card: Card = serde_json::from_str(
            r#"{"shop_id": "demo-bakery", "customer_id": "c42", "points": 1250,
             "stamps": {"filled": 3, "goal": 10},
             "tier": {"id": "gold", "name": "Gold", "next": {"id": "platinum", "remaining_minor": 12000}},
             "rewards": [{"id": "5-off", "name": "€5 off", "cost_points": 500, "affordable": true}],
             "coupons": [{"code": "PC-7KQ2-M9XD", "reward_id": "5-off", "status": "active", "expires_at": "..."}],
             "member_code": "M-4F7Q-2K9D",
             "history": [{"at": "...", "kind": "earn", "points": 23, "stamps": 1, "note": "Order 1001"}]}"#,
        )
        .unwrap();
        assert_eq!(card.points, 1250);
        assert_eq!(card.tier.unwrap().next.unwrap().remaining_minor, 12000);
    }
}
