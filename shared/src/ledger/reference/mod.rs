//! The first ledger, frozen as it was before the bounded-state rebuild (one document per member
//! holding its whole history, orders, idempotency records and coupons). Test-only: the
//! equivalence property test runs it beside the current ledger on random event streams.
//!
//! Two deliberate changes of the rebuild are made here too, marked "Rebuild": points earned on
//! one UTC day form one batch (batches are bounded by days), and a partial refund of an order
//! older than the longest window keeps its certificate (that old spend is no longer held).
//!
//! The ledger: one member's account as a pure state machine.
//!
//! [`Account::apply`] takes an [`Event`], the shop's [`Program`] and a [`Context`] (the time and
//! some randomness, both supplied by the caller) and either changes the account and returns an
//! [`Outcome`], or returns a [`LedgerError`] and changes nothing. Every handler first computes and
//! checks everything that can fail, and only then mutates; so a failed event leaves no trace.
//!
//! Events are idempotent by id: the same id with the same content returns the first outcome again
//! (`replayed = true`) and changes nothing; the same id with other content is
//! [`LedgerError::IdempotencyConflict`].

#![allow(unused_imports, dead_code)]

mod orders;
mod points;
mod rewards;
mod tiers;

/// Read-only tier helpers for views.
pub mod tiers_view {
    pub use super::tiers::{rank, tier_for};
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
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hash, Hasher};

pub use points::Batch;

/// Largest order amount or point count an event may carry (10^13 minor units: 100 billion in
/// major units). Bounding inputs keeps every sum far from `i64` overflow.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

pub use crate::ledger::{Context, Event, EventKind, Item};

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

/// One line of the member's ledger. The sum of `points` over all entries is the balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: Timestamp,
    /// `welcome`, `earn`, `refund`, `redeem`, `expire`, `adjust`, `birthday`, `referral`, `stamps`
    /// (borrowed constants: no allocation per entry).
    pub kind: std::borrow::Cow<'static, str>,
    pub points: i64,
    pub stamps: i64,
    pub note: String,
}

/// The stamp card in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampCard {
    pub filled: u32,
    /// Cards completed so far.
    pub completed: u32,
}

/// Net spend of one UTC day, for rolling windows (tiers, certificates, rebates). Kept per day, in
/// ascending order, so a member's spend history is bounded by the longest window, not by orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spend {
    /// Days since the epoch.
    pub day: i64,
    pub amount_minor: i64,
}

/// What one order (or one referral bonus) earned, so a refund can take back exactly that.
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
}

/// A member's whole account in one shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub customer_id: String,
    pub joined_at: Timestamp,
    pub member_code: String,
    pub business: bool,
    pub referred_by: Option<String>,
    /// Point batches, oldest first.
    pub batches: Vec<Batch>,
    /// No batch expires before this time (a lower bound that lets most events skip the scan).
    #[serde(default)]
    pub next_expiry: Option<Timestamp>,
    /// Points taken back by refunds after they were spent; future earnings pay it off first.
    pub debt: i64,
    pub stamps: StampCard,
    pub tier: Option<String>,
    pub tier_since: Timestamp,
    pub spend: Vec<Spend>,
    pub orders: HashMap<String, OrderRecord, BuildHasherDefault<Fnv>>,
    pub coupons: Vec<Coupon>,
    /// Per certificate rule (by index): when it last issued.
    pub certificates_issued: BTreeMap<usize, Timestamp>,
    pub last_birthday_year: Option<i64>,
    /// `(month, day)`, set once by the member.
    #[serde(default)]
    pub birthday: Option<(u8, u8)>,
    /// Cash back owed to a business member, in minor units.
    pub cashback_minor: i64,
    pub history: Vec<Entry>,
    /// Idempotency records, keyed by a 64-bit hash of the event id, with a second independent
    /// 64-bit hash of the id inside (128 bits in all: a false match is not a practical concern).
    /// Integer keys and inline records keep this off the heap: it is the ledger's hottest map.
    pub processed: HashMap<u64, Processed, BuildHasherDefault<KeyHasher>>,
}

/// What the ledger remembers of an applied event, to answer its replays: the common numbers
/// inline, the rest (coupons, tier change, effects) boxed only when there is any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processed {
    /// A second hash of the event id (see [`Account::processed`]).
    pub id_check: u64,
    /// [`fingerprint`] of the event's content.
    pub fingerprint: u64,
    pub points: i64,
    pub stamps: i64,
    pub cashback_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Box<Outcome>>,
}

impl Processed {
    fn new(id_check: u64, fingerprint: u64, outcome: &Outcome) -> Processed {
        let simple = outcome.coupons_issued.is_empty()
            && outcome.coupons_voided.is_empty()
            && outcome.coupons_consumed.is_empty()
            && outcome.tier_changed.is_none()
            && outcome.effects.is_empty();
        Processed {
            id_check,
            fingerprint,
            points: outcome.points,
            stamps: outcome.stamps,
            cashback_minor: outcome.cashback_minor,
            detail: (!simple).then(|| Box::new(outcome.clone())),
        }
    }

    /// The outcome as first returned, marked as a replay.
    fn replay(&self) -> Outcome {
        let mut outcome = match &self.detail {
            Some(detail) => (**detail).clone(),
            None => Outcome {
                points: self.points,
                stamps: self.stamps,
                cashback_minor: self.cashback_minor,
                ..Outcome::default()
            },
        };
        outcome.replayed = true;
        outcome
    }
}

/// A tier change caused by an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierChange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Work for another account that an event caused (the caller applies it there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Apply this event to `customer`'s account.
    Apply { customer: String, event: Event },
}

/// What an event did.
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

/// Keys of `processed` are already well-mixed 64-bit hashes: use them as they are.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A 64-bit FNV-1a hasher: a stable content fingerprint for idempotency records, and a fast
/// hasher for the short order-id keys of `orders`.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(ID_SEED_1)
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

const ID_SEED_1: u64 = 0xcbf2_9ce4_8422_2325;
const ID_SEED_2: u64 = 0x84222325_cbf29ce4;

/// A hash of an event id (two seeds give two independent hashes).
fn id_hash(id: &str, seed: u64) -> u64 {
    let mut h = Fnv(seed);
    h.write(id.as_bytes());
    // FNV alone mixes the last bytes weakly; finish with a 64-bit avalanche (splitmix64).
    let mut z = h.finish().wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The content fingerprint of an event (everything but its id).
pub fn fingerprint(event: &Event) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    event.at.hash(&mut h);
    event.kind.hash(&mut h);
    h.finish()
}

impl Account {
    /// Opens a member's account: a member code, the welcome bonus, and the stamp card with its
    /// pre-filled stamps (endowed progress; only the first card gets them).
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
            orders: HashMap::default(),
            coupons: Vec::new(),
            certificates_issued: BTreeMap::new(),
            last_birthday_year: None,
            birthday: None,
            cashback_minor: 0,
            history: Vec::new(),
            processed: HashMap::default(),
        };
        account.tier = tiers::tier_for(program, 0).map(|t| t.id.clone());
        let prefilled = program.stamps.as_ref().map_or(0, |s| s.prefilled);
        account.stamps.filled = prefilled;
        let welcome = program.welcome_points.unwrap_or(0).clamp(0, MAX_AMOUNT);
        if welcome > 0 || prefilled > 0 {
            if welcome > 0 {
                account.credit_unchecked(ctx.now, welcome, program, "welcome");
            }
            account.history.push(Entry {
                at: ctx.now,
                kind: "welcome".into(),
                points: welcome,
                stamps: i64::from(prefilled),
                note: format!("Welcome to {}", program.name),
            });
        }
        account
    }

    /// Applies `event`. On error nothing changes; on a replay the first outcome comes back.
    pub fn apply(
        &mut self,
        program: &Program,
        event: &Event,
        ctx: &Context,
    ) -> Result<Outcome, LedgerError> {
        let print = fingerprint(event);
        let id_check = id_hash(&event.id, ID_SEED_2);
        // Open addressing: a slot taken by another id moves us to the next one.
        let mut key = id_hash(&event.id, ID_SEED_1);
        while let Some(record) = self.processed.get(&key) {
            if record.id_check == id_check {
                if record.fingerprint != print {
                    return Err(LedgerError::IdempotencyConflict);
                }
                return Ok(record.replay());
            }
            key = key.wrapping_add(1);
        }
        // Time-driven changes first (expiry, tier re-evaluation): they are due whatever happens.
        self.settle(program, ctx.now);
        let at = event.at.min(ctx.now);
        let outcome = match &event.kind {
            EventKind::OrderPaid {
                order_id,
                amount_minor,
                currency,
                items,
            } => self.order_paid(program, ctx, at, order_id, *amount_minor, currency, items)?,
            EventKind::OrderRefunded {
                order_id,
                amount_minor,
            } => self.order_refunded(program, ctx, at, order_id, *amount_minor)?,
            EventKind::Birthday => self.birthday(program, at)?,
            EventKind::Referred { referrer } => self.referred(referrer)?,
            EventKind::SetBusiness { business } => {
                self.business = *business;
                Outcome::default()
            }
            // Read marks came after the first ledger; they move no value.
            EventKind::ReadNews { .. }
            | EventKind::Feedback { .. }
            | EventKind::AddDate { .. }
            | EventKind::Anniversary { .. } => Outcome::default(),
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
            EventKind::ConsumeCoupon { code, order_id } => self.consume(ctx, code, order_id)?,
            EventKind::ReferralBonus {
                referee,
                order_id,
                amount_minor,
            } => self.referral_bonus(program, at, referee, order_id, *amount_minor)?,
            EventKind::ReferralRefund {
                referee,
                order_id,
                refunded_minor,
                amount_minor,
            } => {
                self.referral_refund(ctx, at, referee, order_id, *refunded_minor, *amount_minor)?
            }
        };
        self.processed
            .insert(key, Processed::new(id_check, print, &outcome));
        Ok(outcome)
    }

    /// Expires due point batches and re-evaluates the tier when its window has passed.
    pub fn settle(&mut self, program: &Program, now: Timestamp) {
        self.expire(now);
        self.reevaluate_tier(program, now);
    }

    /// Total points (spendable + pending − debt). Equals the sum of `history` points.
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
