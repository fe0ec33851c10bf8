//! The ledger: one member's account as a pure state machine over bounded state.
//!
//! An [`Account`] is what the next event needs and nothing that grows with the member's age:
//! balances and open point batches, debt, the stamp card, the tier and the spend inside the
//! longest rolling window, live coupons, counters. Everything that grows — ledger entries, order
//! records, spent coupons — lives in rows the caller stores.
//!
//! [`Account::apply`] takes an [`Event`], the shop's [`Program`], a [`Context`] (the time and some
//! randomness, both supplied by the caller) and the [`Rows`] that event needs (which the caller
//! looks up by [`Event::needs`]); it either changes the account and returns an [`Outcome`], with
//! the rows to write waiting in [`Account::take_changes`], or returns a [`LedgerError`]. Every
//! handler first computes and checks everything that can fail, and only then mutates.
//!
//! Idempotency by event id belongs to the store (see [`book::Book`], the in-memory reference
//! store, and the worker's idempotency records); [`fingerprint`] is the content hash both use.

mod answers;
pub mod book;
pub mod legacy;
mod occasions;
mod orders;
mod points;
mod rewards;
mod tiers;

/// Read-only tier helpers for views.
pub mod tiers_view {
    pub use super::tiers::{max_window_days, rank, tier_for};
    use crate::program::{Program, Tier};

    /// The tier above `id`, if any.
    pub fn next_tier<'a>(program: &'a Program, id: &str) -> Option<&'a Tier> {
        let i = program.tiers.iter().position(|t| t.id == id)?;
        program.tiers.get(i + 1)
    }
}

use crate::money::Overflow;
use crate::program::{Program, RewardKind};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

pub use book::Book;
pub use points::Batch;

/// Largest order amount or point count an event may carry (10^13 minor units: 100 billion in
/// major units). Bounding inputs keeps every sum far from `i64` overflow.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

/// What the caller supplies besides the event: the current time and fresh randomness for codes.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub now: Timestamp,
    /// 32 random bytes (Web Crypto at the edge); coupon codes are derived from them.
    pub entropy: [u8; 32],
}

/// A fact reported to the ledger. `id` is the idempotency key.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    /// When it happened (clamped to the processing time: the future is not accepted).
    pub at: Timestamp,
    pub kind: EventKind,
}

/// One purchased line, for stamps per item.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub quantity: u32,
}

/// Every kind of fact the ledger understands.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// `order.paid`: earn points, stamps, tier spend, certificate progress, cash back, referral.
    OrderPaid {
        order_id: String,
        amount_minor: i64,
        currency: String,
        items: Vec<Item>,
    },
    /// `order.refunded`: take back what that order earned, in proportion to the amount refunded.
    OrderRefunded { order_id: String, amount_minor: i64 },
    /// `customer.birthday`: birthday points, once per calendar year.
    Birthday,
    /// `customer.referred`: this (new) member was referred by `referrer`.
    Referred { referrer: String },
    /// The member tells us their birthday (once; it cannot be changed afterwards).
    SetBirthday { month: u8, day: u8 },
    /// `customer.updated`: mark the member as a business customer (volume rebates) or not.
    SetBusiness { business: bool },
    /// Manual credit (+) or debit (−) by the shop, with a reason.
    Adjust { points: i64, reason: String },
    /// Stamps added in store.
    AddStamps { count: u32 },
    /// Redeem a catalog reward for a coupon.
    Redeem { reward_id: String },
    /// A coupon used at checkout for `order_id`.
    ConsumeCoupon { code: String, order_id: String },
    /// To the referrer: the member they referred paid their first order.
    ReferralBonus {
        referee: String,
        order_id: String,
        amount_minor: i64,
    },
    /// To the referrer: that first order was refunded (cumulative `refunded_minor` of `amount_minor`).
    ReferralRefund {
        referee: String,
        order_id: String,
        refunded_minor: i64,
        amount_minor: i64,
    },
    // New kinds go last: an event's fingerprint hashes the variant's index.
    /// The member saw these news (read marks for the program's news only).
    ReadNews { ids: Vec<String> },
    /// The member answers the card's open feedback question `question` (score 0–10).
    Feedback {
        question: u32,
        score: u8,
        comment: Option<String>,
    },
    /// The member adds a date to celebrate every year (at most three; set, it stays).
    AddDate { label: String, month: u8, day: u8 },
    /// The day of an occasion: the membership anniversary (`slot` 0) or a member's date (1–3).
    Anniversary { slot: u8 },
}

/// Why an event was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("this event id was already used for a different event")]
    IdempotencyConflict,
    #[error("not enough points: {needed} needed, {available} available")]
    InsufficientPoints { needed: i64, available: i64 },
    #[error("no reward '{0}' in the catalog")]
    UnknownReward(String),
    #[error("reward '{0}' is not redeemable for points")]
    NotRedeemable(String),
    #[error("no coupon '{0}' for this member")]
    UnknownCoupon(String),
    #[error("coupon already consumed by another order")]
    CouponConsumed,
    #[error("coupon is void")]
    CouponVoid,
    #[error("coupon has expired")]
    CouponExpired,
    #[error("the birthday was already set; it cannot be changed")]
    BirthdayAlreadySet,
    #[error("no open feedback question with this number")]
    NoOpenQuestion,
    #[error("at most three dates per member; set, they cannot be changed")]
    TooManyDates,
    #[error("order '{0}' was already paid")]
    DuplicateOrder(String),
    #[error("no paid order '{0}' for this member")]
    UnknownOrder(String),
    #[error("refunds would exceed the order amount")]
    RefundExceedsOrder,
    #[error("the order's currency {got} is not the program's {expected}")]
    CurrencyMismatch { expected: String, got: String },
    #[error("{field} must be {rule}")]
    Invalid {
        field: &'static str,
        rule: &'static str,
    },
    #[error("a member cannot refer themselves")]
    SelfReferral,
    #[error("only a member with no paid order yet can be referred, once")]
    ReferralClosed,
    #[error(transparent)]
    Overflow(#[from] Overflow),
}

/// A coupon held by a member.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    pub code: String,
    /// The catalog reward, or `certificate` for spend-threshold certificates.
    pub reward_id: String,
    pub kind: RewardKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub status: CouponStatus,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// The order whose refund voids this coupon while it is unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<String>,
    /// The order that consumed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_by: Option<String>,
}

/// A coupon's life: active → consumed, or active → void.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponStatus {
    Active,
    Consumed,
    Void,
}

impl CouponStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Consumed => "consumed",
            Self::Void => "void",
        }
    }
}

/// One line of the member's ledger (a row of its own). The sum of `points` over all entries is
/// the balance.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: Timestamp,
    /// `welcome`, `earn`, `refund`, `redeem`, `expire`, `adjust`, `birthday`, `referral`, `stamps`
    /// (borrowed constants: no allocation per entry).
    pub kind: std::borrow::Cow<'static, str>,
    pub points: i64,
    pub stamps: i64,
    /// The order the entry is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub note: String,
}

/// Most coupons the account keeps live (active, unexpired, on the card). A member who collects
/// more keeps them all — each is a row, active and consumable by its code — but only the newest
/// this many travel in the account, so it stays bounded whatever a member does.
pub const MAX_LIVE_COUPONS: usize = 100;

/// Running totals of the member's ledger: what the analytics need, kept as the entries are
/// written so nothing has to walk the history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Points ever credited (earnings, welcome, birthday, referral, positive adjustments).
    pub issued: i64,
    /// Points spent on rewards.
    pub redeemed: i64,
    /// Points that expired.
    pub expired: i64,
    /// Points taken back by refunds and negative adjustments.
    pub deducted: i64,
    /// Day (since the epoch) of the latest entry, or of joining.
    pub last_active_day: i64,
    /// Orders ever paid (refunded ones included): a member with one can no longer be referred.
    pub orders_paid: u64,
    /// Orders not fully refunded.
    pub orders: u32,
    /// Day of the latest paid order while some order is not fully refunded.
    pub last_order_day: Option<i64>,
    /// Paid minus refunded, in minor units.
    pub revenue_minor: i64,
    /// Entries written so far: the next entry's sequence number.
    pub entries: u64,
    /// Coupons issued so far (numbers each code's draw, so codes of one event differ).
    #[serde(default)]
    pub coupons_issued: u64,
}

impl Totals {
    /// Counts one entry's points (by kind) and its day.
    pub fn count(&mut self, entry: &Entry) {
        self.last_active_day = self
            .last_active_day
            .max(entry.at.div_euclid(crate::time::DAY));
        match (entry.kind.as_ref(), entry.points) {
            ("redeem", p) => self.redeemed -= p,
            ("expire", p) => self.expired -= p,
            (_, p) if p >= 0 => self.issued += p,
            (_, p) => self.deducted -= p,
        }
    }
}

/// The rows an event needs besides the account: looked up by the caller from [`Event::needs`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// The record stored under [`Needs::order`], if any.
    pub order: Option<OrderRecord>,
    /// The coupon stored under [`Needs::coupon`], if any.
    pub coupon: Option<Coupon>,
    /// With [`Needs::order_coupons`]: the stored coupons that order caused, in issue order.
    pub order_coupons: Vec<Coupon>,
}

/// Keys of the rows an event needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// An order record key (an order id, or `referral:<referee>:<order>` for a referral bonus).
    pub order: Option<String>,
    /// A coupon code (normalized).
    pub coupon: Option<String>,
    /// The coupons caused by [`Needs::order`] are needed too (a refund voids the unused ones).
    pub order_coupons: bool,
}

/// Rows to write after an event: entries to append, order records and coupons to upsert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// New ledger entries with their sequence numbers, oldest first.
    pub entries: Vec<(u64, Entry)>,
    /// Order records by key, as they are now.
    pub orders: Vec<(String, OrderRecord)>,
    /// Coupons issued or changed, as they are now (a coupon that is no longer live has left the
    /// account and lives only in its row).
    pub coupons: Vec<Coupon>,
    /// A feedback answer to store.
    pub feedback: Option<crate::feedback::Answer>,
}

impl Changes {
    /// True when no row waits to be written.
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.orders.is_empty()
            && self.coupons.is_empty()
            && self.feedback.is_none()
    }

    /// Forgets every row, keeping the buffers' memory.
    fn clear(&mut self) {
        self.entries.clear();
        self.orders.clear();
        self.coupons.clear();
        self.feedback = None;
    }
}

/// The stamp card in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampCard {
    pub filled: u32,
    /// Cards completed so far.
    pub completed: u32,
}

/// Net spend of one UTC day, for rolling windows (tiers, certificates, rebates). Kept per day, in
/// ascending order, and only inside the longest window, so it is bounded by days, not by orders.
/// Stored as `[day, amount_minor]`: a year of it is read and written with every event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(i64, i64)", into = "(i64, i64)")]
pub struct Spend {
    /// Days since the epoch.
    pub day: i64,
    pub amount_minor: i64,
}

impl From<(i64, i64)> for Spend {
    fn from((day, amount_minor): (i64, i64)) -> Spend {
        Spend { day, amount_minor }
    }
}

impl From<Spend> for (i64, i64) {
    fn from(s: Spend) -> (i64, i64) {
        (s.day, s.amount_minor)
    }
}

/// What one order (or one referral bonus) earned, so a refund can take back exactly that.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub at: Timestamp,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub points: i64,
    pub points_reversed: i64,
    pub stamps: u32,
    pub stamps_reversed: u32,
    pub cashback_minor: i64,
    pub cashback_reversed: i64,
    /// The tier before this order, to fall back to (never below) when it is refunded.
    pub tier_before: Option<String>,
    /// Certificate rules this order triggered: (rule index, the rule's previous issue time).
    pub certificates: Vec<(usize, Option<Timestamp>)>,
    /// The referrer credited because of this order (first order of a referred member).
    pub referrer: Option<String>,
    /// Coupons campaigns issued for this order (voided when it is refunded in full).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaign_coupons: Vec<String>,
}

/// Distinct SKUs an account remembers for campaigns.
pub const MAX_SKUS: usize = 50;

/// A member's account in one shop: bounded state only (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub customer_id: String,
    pub joined_at: Timestamp,
    pub member_code: String,
    pub business: bool,
    pub referred_by: Option<String>,
    /// Open point batches (some points left), oldest first.
    pub batches: Vec<Batch>,
    /// No batch expires before this time (a lower bound that lets most events skip the scan).
    #[serde(default)]
    pub next_expiry: Option<Timestamp>,
    /// Points taken back by refunds after they were spent; future earnings pay it off first.
    pub debt: i64,
    pub stamps: StampCard,
    pub tier: Option<String>,
    pub tier_since: Timestamp,
    /// Spend per day inside the longest window any rule looks at.
    pub spend: Vec<Spend>,
    /// Net spend over the member's whole life (the tier spend of a program without a window).
    #[serde(default)]
    pub spend_total: i64,
    /// Live coupons: the newest [`MAX_LIVE_COUPONS`] that are active and not yet expired.
    pub coupons: Vec<Coupon>,
    /// No live coupon expires before this time (a lower bound that lets most events skip the
    /// scan; rows written before it existed start at the earliest time, so they scan once).
    #[serde(default = "unknown_bound")]
    pub coupons_expire_from: Timestamp,
    /// Per certificate rule (by index): when it last issued.
    pub certificates_issued: BTreeMap<usize, Timestamp>,
    /// The last distinct SKUs the member bought, newest last (at most [`MAX_SKUS`]), for
    /// campaigns for the buyers of a product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    /// When the member's first order in each campaign with a first-order bonus was (campaign id
    /// → time); only the program's campaigns are kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub campaign_orders: BTreeMap<String, Timestamp>,
    /// The program's news the member has read (ids; only the program's news are kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub news_read: Vec<String>,
    /// The feedback question: the open one and the counters that decide the next.
    #[serde(default)]
    pub feedback: crate::feedback::FeedbackState,
    /// Dates the member set (at most three), celebrated every year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<crate::occasions::MemberDate>,
    /// The calendar year each occasion (0: the membership anniversary, 1–3: the member's dates)
    /// was last celebrated.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub celebrated: BTreeMap<u8, i64>,
    pub last_birthday_year: Option<i64>,
    /// `(month, day)`, set once by the member.
    #[serde(default)]
    pub birthday: Option<(u8, u8)>,
    /// Cash back owed to a business member, in minor units.
    pub cashback_minor: i64,
    #[serde(default)]
    pub totals: Totals,
    /// Rows produced by the current event, for the caller to write.
    #[serde(skip)]
    changes: Changes,
}

/// The bound of a row that has none: the earliest time, so the first settle checks every coupon.
fn unknown_bound() -> Timestamp {
    Timestamp::MIN
}

/// A tier change caused by an event.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierChange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Work for another account that an event caused (the caller applies it there).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Apply this event to `customer`'s account.
    Apply { customer: String, event: Event },
}

/// What an event did.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Change of the point balance.
    pub points: i64,
    /// Stamps added (+) or taken back (−), across cards.
    pub stamps: i64,
    pub coupons_issued: Vec<Coupon>,
    pub coupons_voided: Vec<String>,
    pub coupons_consumed: Vec<String>,
    pub tier_changed: Option<TierChange>,
    pub cashback_minor: i64,
    pub effects: Vec<Effect>,
    /// True when this is the stored outcome of an earlier identical event.
    #[serde(default)]
    pub replayed: bool,
}

/// A 64-bit FNV-1a hasher: a stable content fingerprint for idempotency records.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The content fingerprint of an event (everything but its id).
pub fn fingerprint(event: &Event) -> u64 {
    let mut h = Fnv::default();
    event.at.hash(&mut h);
    event.kind.hash(&mut h);
    h.finish()
}

/// Order records of referral bonuses are keyed `referral:<referee>:<order>`; order ids cannot
/// contain `:`, so the two never collide.
pub(crate) const REFERRAL: &str = "referral:";

impl Event {
    /// The keys of the rows this event needs besides the account.
    pub fn needs(&self) -> Needs {
        Needs {
            order: self.order_key().map(Cow::into_owned),
            coupon: self.coupon_key().map(Cow::into_owned),
            order_coupons: self.needs_order_coupons(),
        }
    }

    /// [`Needs::order_coupons`]: a refund reads the coupons its order caused.
    pub fn needs_order_coupons(&self) -> bool {
        matches!(self.kind, EventKind::OrderRefunded { .. })
    }

    /// [`Needs::order`], borrowed from the event where it can be.
    pub fn order_key(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            EventKind::OrderPaid { order_id, .. } | EventKind::OrderRefunded { order_id, .. } => {
                Some(Cow::Borrowed(order_id))
            }
            EventKind::ReferralBonus {
                referee, order_id, ..
            }
            | EventKind::ReferralRefund {
                referee, order_id, ..
            } => Some(Cow::Owned(format!("{REFERRAL}{referee}:{order_id}"))),
            _ => None,
        }
    }

    /// [`Needs::coupon`]: the normalized code of a coupon being consumed.
    pub fn coupon_key(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            EventKind::ConsumeCoupon { code, .. } => Some(
                crate::code::normalize("PC", code).map_or(Cow::Borrowed(code.as_str()), Cow::Owned),
            ),
            _ => None,
        }
    }
}

impl Account {
    /// Opens a member's account: a member code, the welcome bonus, and the stamp card with its
    /// pre-filled stamps (endowed progress; only the first card gets them). The welcome entry
    /// waits in [`Account::take_changes`].
    pub fn open(customer_id: &str, program: &Program, ctx: &Context) -> Account {
        let mut account = Account {
            customer_id: customer_id.to_owned(),
            joined_at: ctx.now,
            member_code: crate::code::generate("M", rewards::entropy(ctx, u32::MAX)),
            business: false,
            referred_by: None,
            batches: Vec::new(),
            next_expiry: None,
            debt: 0,
            stamps: StampCard::default(),
            tier: None,
            tier_since: ctx.now,
            spend: Vec::new(),
            spend_total: 0,
            coupons: Vec::new(),
            coupons_expire_from: Timestamp::MAX,
            certificates_issued: BTreeMap::new(),
            skus: Vec::new(),
            campaign_orders: BTreeMap::new(),
            news_read: Vec::new(),
            feedback: Default::default(),
            dates: Vec::new(),
            celebrated: BTreeMap::new(),
            last_birthday_year: None,
            birthday: None,
            cashback_minor: 0,
            totals: Totals {
                last_active_day: ctx.now.div_euclid(crate::time::DAY),
                ..Totals::default()
            },
            changes: Changes::default(),
        };
        account.tier = tiers::tier_for(program, 0).map(|t| t.id.clone());
        let prefilled = program.stamps.as_ref().map_or(0, |s| s.prefilled);
        account.stamps.filled = prefilled;
        let welcome = program.welcome_points.unwrap_or(0).clamp(0, MAX_AMOUNT);
        if welcome > 0 || prefilled > 0 {
            if welcome > 0 {
                account.credit_unchecked(ctx.now, welcome, program);
            }
            account.record(Entry {
                at: ctx.now,
                kind: "welcome".into(),
                points: welcome,
                stamps: i64::from(prefilled),
                order_id: None,
                note: format!("Welcome to {}", program.name),
            });
        }
        account
    }

    /// Draws a new member code (after a collision with another member's).
    pub fn redraw_member_code(&mut self, ctx: &Context) {
        self.member_code = crate::code::generate("M", rewards::entropy(ctx, u32::MAX));
    }

    /// Applies `event`, given the rows it [needs](Event::needs). On error the caller discards the
    /// account (time-driven changes such as expiry may already have been made to it).
    pub fn apply(
        &mut self,
        program: &Program,
        event: &Event,
        ctx: &Context,
        rows: Rows,
    ) -> Result<Outcome, LedgerError> {
        // Time-driven changes first (expiry, tier re-evaluation): they are due whatever happens.
        self.settle(program, ctx.now);
        let at = event.at.min(ctx.now);
        let outcome = match &event.kind {
            EventKind::OrderPaid {
                order_id,
                amount_minor,
                currency,
                items,
            } => self.order_paid(
                program,
                ctx,
                at,
                (order_id, *amount_minor, currency, items),
                rows.order.is_some(),
            )?,
            EventKind::OrderRefunded {
                order_id,
                amount_minor,
            } => self.order_refunded(program, ctx, at, (order_id, *amount_minor), rows)?,
            EventKind::Birthday => self.birthday(program, at)?,
            EventKind::Referred { referrer } => self.referred(referrer)?,
            EventKind::SetBusiness { business } => {
                self.business = *business;
                Outcome::default()
            }
            EventKind::Feedback {
                question,
                score,
                comment,
            } => self.answer_feedback(program, at, *question, *score, comment)?,
            EventKind::AddDate { label, month, day } => self.add_date(label, *month, *day)?,
            EventKind::Anniversary { slot } => self.anniversary(program, ctx, at, *slot)?,
            EventKind::ReadNews { ids } => {
                self.news_read = crate::news::mark_read(program, &self.news_read, ids);
                Outcome::default()
            }
            EventKind::SetBirthday { month, day } => {
                if self.birthday.is_some() {
                    return Err(LedgerError::BirthdayAlreadySet);
                }
                if !crate::time::is_month_day(*month, *day) {
                    return Err(LedgerError::Invalid {
                        field: "date",
                        rule: "a real month and day, MM-DD",
                    });
                }
                self.birthday = Some((*month, *day));
                Outcome::default()
            }
            EventKind::Adjust { points, reason } => {
                self.adjust(program, ctx, at, *points, reason)?
            }
            EventKind::AddStamps { count } => self.add_stamps(program, ctx, at, *count)?,
            EventKind::Redeem { reward_id } => self.redeem(program, ctx, at, reward_id)?,
            EventKind::ConsumeCoupon { code, order_id } => {
                self.consume(ctx, code, order_id, rows.coupon)?
            }
            EventKind::ReferralBonus {
                referee,
                order_id,
                amount_minor,
            } => self.referral_bonus(
                program,
                at,
                referee,
                order_id,
                *amount_minor,
                rows.order.is_some(),
            )?,
            EventKind::ReferralRefund {
                referee,
                order_id,
                refunded_minor,
                amount_minor,
            } => self.referral_refund(
                ctx,
                at,
                (referee, order_id),
                *refunded_minor,
                *amount_minor,
                rows.order,
            )?,
        };
        Ok(outcome)
    }

    /// The rows the last events produced (entries, order records, coupons), leaving none behind.
    pub fn take_changes(&mut self) -> Changes {
        std::mem::take(&mut self.changes)
    }

    /// Takes back the buffers of [`Changes`] whose rows are stored, so the next event's rows go
    /// into memory already held (nothing is lost: it only happens while none are waiting).
    pub fn reuse_changes(&mut self, mut stored: Changes) {
        if self.changes.is_empty() {
            stored.clear();
            self.changes = stored;
        }
    }

    /// Writes a ledger entry: numbers it, keeps the totals, and queues the row.
    pub(crate) fn record(&mut self, entry: Entry) {
        let t = &mut self.totals;
        t.count(&entry);
        let seq = t.entries;
        t.entries += 1;
        self.changes.entries.push((seq, entry));
    }

    /// Queues an order record to be stored under `key`.
    fn store_order(&mut self, key: String, record: OrderRecord) {
        self.changes.orders.push((key, record));
    }

    /// Queues a coupon row (new, or changed).
    fn store_coupon(&mut self, coupon: Coupon) {
        match self
            .changes
            .coupons
            .iter_mut()
            .find(|c| c.code == coupon.code)
        {
            Some(queued) => *queued = coupon,
            None => self.changes.coupons.push(coupon),
        }
    }

    /// Takes live coupon `index` out of the account with a final `status` (its row keeps it).
    fn retire_coupon(&mut self, index: usize, status: CouponStatus) -> String {
        let mut coupon = self.coupons.remove(index);
        coupon.status = status;
        let code = coupon.code.clone();
        self.store_coupon(coupon);
        code
    }

    /// Expires due point batches, drops expired coupons and old spend, and re-evaluates the tier
    /// when its window has passed.
    pub fn settle(&mut self, program: &Program, now: Timestamp) {
        self.expire(now);
        // An expired coupon keeps its row (status `active`, past `expires_at`); it is no longer
        // live, so it leaves the account.
        if now >= self.coupons_expire_from {
            self.drop_expired_coupons(now);
        }
        self.reevaluate_tier(program, now);
        self.prune_spend(program, now);
    }

    /// Lets the live coupons expired at `now` go and renews [`Account::coupons_expire_from`].
    fn drop_expired_coupons(&mut self, now: Timestamp) {
        self.coupons.retain(|c| c.expires_at > now);
        self.coupons_expire_from = self
            .coupons
            .iter()
            .map(|c| c.expires_at)
            .min()
            .unwrap_or(Timestamp::MAX);
    }

    /// The day (days since the epoch) the first of the member's points expire, if any will.
    pub fn first_expiry_day(&self) -> Option<i64> {
        self.batches
            .iter()
            .filter(|b| b.remaining > 0)
            .filter_map(|b| b.expires_at)
            .min()
            .map(|t| t.div_euclid(crate::time::DAY))
    }

    /// Total points (spendable + pending − debt). Equals the sum of the entries' points.
    pub fn balance(&self) -> i64 {
        self.batches.iter().map(|b| b.remaining).sum::<i64>() - self.debt
    }

    /// Points that can be spent at `now` (negative while a refund debt is open).
    pub fn spendable(&self, now: Timestamp) -> i64 {
        self.batches
            .iter()
            .filter(|b| b.available_at <= now)
            .map(|b| b.remaining)
            .sum::<i64>()
            - self.debt
    }

    /// Points earned but not yet spendable (`pending_days`).
    pub fn pending(&self, now: Timestamp) -> i64 {
        self.batches
            .iter()
            .filter(|b| b.available_at > now)
            .map(|b| b.remaining)
            .sum()
    }

    fn find_coupon(&self, code: &str) -> Option<usize> {
        self.coupons.iter().position(|c| c.code == code)
    }
}

/// Checks that an amount from outside is within `0..=MAX_AMOUNT` (or `1..` when `positive`).
fn check_amount(value: i64, field: &'static str, positive: bool) -> Result<(), LedgerError> {
    let min = i64::from(positive);
    if (min..=MAX_AMOUNT).contains(&value) {
        Ok(())
    } else if positive {
        Err(LedgerError::Invalid {
            field,
            rule: "positive and at most 10^13",
        })
    } else {
        Err(LedgerError::Invalid {
            field,
            rule: "between 0 and 10^13",
        })
    }
}

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
