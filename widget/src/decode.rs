//! Reads the API's JSON, already parsed by the browser (`Response.json()`), into `shared`'s types
//! field by field. No serde in the widget: a generic deserializer and a visitor per type cost
//! ~20 KB of brotli-compressed wasm, these few readers a fraction of that.

use js_sys::{Array, Reflect};
use shared::api::{
    Card, CardCoupon, CardReward, CardStamps, CardTier, CouponView, HistoryEntry, NextTier,
    Problem, RedemptionResponse,
};
use shared::money::Currency;
use shared::program::{
    Business, Certificate, Earn, Program, Rebate, Referral, Reward, RewardKind, StampPer, Stamps,
    Theme, Tier,
};
use wasm_bindgen::JsValue;

/// A JSON object as the browser parsed it.
struct Obj(JsValue);

impl Obj {
    fn of(value: JsValue) -> Option<Obj> {
        (value.is_object() && !Array::is_array(&value)).then_some(Obj(value))
    }

    fn get(&self, key: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn opt_str(&self, key: &str) -> Option<String> {
        self.get(key).as_string()
    }

    fn str(&self, key: &str) -> String {
        self.opt_str(key).unwrap_or_default()
    }

    fn opt_int(&self, key: &str) -> Option<i64> {
        self.get(key).as_f64().map(|f| f as i64)
    }

    fn int(&self, key: &str) -> i64 {
        self.opt_int(key).unwrap_or(0)
    }

    fn uint(&self, key: &str) -> u32 {
        self.int(key).clamp(0, i64::from(u32::MAX)) as u32
    }

    fn opt_uint(&self, key: &str) -> Option<u32> {
        self.opt_int(key)
            .map(|v| v.clamp(0, i64::from(u32::MAX)) as u32)
    }

    fn obj(&self, key: &str) -> Option<Obj> {
        Obj::of(self.get(key))
    }

    fn list<T>(&self, key: &str, item: impl Fn(Obj) -> Option<T>) -> Vec<T> {
        let value = self.get(key);
        if !Array::is_array(&value) {
            return Vec::new();
        }
        Array::from(&value)
            .iter()
            .filter_map(|v| Obj::of(v).and_then(&item))
            .collect()
    }
}

/// A shopper's card (`GET /me`, a write's answer); `None` if `value` is not one.
pub fn card(value: JsValue) -> Option<Card> {
    let o = Obj::of(value)?;
    let customer_id = o.opt_str("customer_id")?;
    Some(Card {
        shop_id: o.str("shop_id"),
        customer_id,
        currency: o.str("currency"),
        points: o.int("points"),
        points_worth_minor: o.opt_int("points_worth_minor"),
        pending_points: o.int("pending_points"),
        stamps: o.obj("stamps").map(|s| CardStamps {
            filled: s.uint("filled"),
            goal: s.uint("goal"),
            reward_name: s.opt_str("reward_name"),
        }),
        tier: o.obj("tier").map(|t| CardTier {
            id: t.str("id"),
            name: t.str("name"),
            next: t.obj("next").map(|n| NextTier {
                id: n.str("id"),
                name: n.opt_str("name"),
                remaining_minor: n.int("remaining_minor"),
                progress_pct: n.int("progress_pct").clamp(0, 100) as u8,
            }),
        }),
        rewards: o.list("rewards", |r| {
            Some(CardReward {
                id: r.str("id"),
                name: r.str("name"),
                cost_points: r.int("cost_points"),
                affordable: r.get("affordable").as_bool().unwrap_or(false),
            })
        }),
        coupons: o.list("coupons", |c| {
            Some(CardCoupon {
                code: c.str("code"),
                reward_id: c.str("reward_id"),
                status: c.str("status"),
                expires_at: c.str("expires_at"),
            })
        }),
        points_expiring: o
            .obj("points_expiring")
            .map(|e| shared::api::ExpiringPoints {
                points: e.int("points"),
                on: e.str("on"),
            }),
        member_code: o.str("member_code"),
        history: o.list("history", |h| {
            Some(HistoryEntry {
                at: h.str("at"),
                kind: h.str("kind"),
                points: h.int("points"),
                stamps: h.int("stamps"),
                note: h.str("note"),
            })
        }),
        cashback_minor: o.opt_int("cashback_minor"),
        birthday: o.opt_str("birthday"),
        campaigns: o.list("campaigns", |c| {
            Some(shared::api::CardCampaign {
                id: c.str("id"),
                name: c.str("name"),
                starts_at: c.str("starts_at"),
                ends_at: c.str("ends_at"),
            })
        }),
        dates: o.list("dates", |d| {
            Some(shared::api::CardDate {
                label: d.str("label"),
                date: d.str("date"),
            })
        }),
        feedback: o.obj("feedback").map(|f| shared::api::CardFeedback {
            question: f.uint("question"),
            points: f.int("points"),
            until: f.str("until"),
        }),
        news: o.list("news", |n| {
            Some(shared::api::CardNews {
                id: n.str("id"),
                texts: texts(&n),
                link: n.opt_str("link"),
                starts_at: n.str("starts_at"),
                ends_at: n.str("ends_at"),
                read: n.get("read").as_bool().unwrap_or(false),
            })
        }),
    })
}

/// A piece of news's texts, one per locale.
fn texts(n: &Obj) -> Vec<shared::news::NewsText> {
    n.list("texts", |t| {
        Some(shared::news::NewsText {
            locale: t.str("locale"),
            title: t.str("title"),
            text: t.str("text"),
        })
    })
}

/// A coupon as a redemption returns it.
fn coupon(o: Obj) -> CouponView {
    CouponView {
        code: o.str("code"),
        reward_id: o.str("reward_id"),
        status: o.str("status"),
        kind: o.str("kind"),
        value_minor: o.opt_int("value_minor"),
        sku: o.opt_str("sku"),
        customer_id: o.str("customer_id"),
        issued_at: o.str("issued_at"),
        expires_at: o.str("expires_at"),
        order_id: o.opt_str("order_id"),
    }
}

/// A redemption's answer: the coupon and the new card.
pub fn redemption(value: JsValue) -> Option<RedemptionResponse> {
    let o = Obj::of(value)?;
    Some(RedemptionResponse {
        coupon: coupon(o.obj("coupon")?),
        card: card(o.get("card"))?,
    })
}

/// A problem+json body.
pub fn problem(value: JsValue) -> Option<Problem> {
    let o = Obj::of(value)?;
    Some(Problem {
        type_: o.str("type"),
        title: o.str("title"),
        status: o.int("status").clamp(0, 999) as u16,
        detail: o.str("detail"),
        code: o.opt_str("code")?,
        errors: Vec::new(),
    })
}

fn reward_kind(s: &str) -> RewardKind {
    match s {
        "free_shipping" => RewardKind::FreeShipping,
        "free_item" => RewardKind::FreeItem,
        _ => RewardKind::AmountOff,
    }
}

/// The program as `GET /program` returns it.
pub fn program(value: JsValue) -> Option<Program> {
    let o = Obj::of(value)?;
    let earn = o.obj("earn")?;
    Some(Program {
        name: o.str("name"),
        currency: Currency::parse(&o.str("currency"))?,
        default_locale: o.opt_str("default_locale"),
        earn: Earn {
            points_per_unit: earn.int("points_per_unit"),
            unit_minor: earn.int("unit_minor"),
        },
        stamps: o.obj("stamps").map(|s| Stamps {
            goal: s.uint("goal"),
            prefilled: s.uint("prefilled"),
            per: if s.str("per") == "item" {
                StampPer::Item
            } else {
                StampPer::Order
            },
            sku: s.opt_str("sku"),
            min_order_minor: s.int("min_order_minor"),
            reward_id: s.str("reward_id"),
        }),
        tiers: o.list("tiers", |t| {
            Some(Tier {
                id: t.str("id"),
                name: t.str("name"),
                threshold_minor: t.int("threshold_minor"),
                multiplier_pct: t.int("multiplier_pct"),
            })
        }),
        tier_window_days: o.opt_uint("tier_window_days"),
        welcome_points: o.opt_int("welcome_points"),
        birthday_points: o.opt_int("birthday_points"),
        referral: o.obj("referral").map(|r| Referral {
            referrer_points: r.int("referrer_points"),
            referee_points: r.int("referee_points"),
        }),
        certificates: o.list("certificates", |c| {
            Some(Certificate {
                spend_minor: c.int("spend_minor"),
                window_days: c.uint("window_days"),
                value_minor: c.int("value_minor"),
            })
        }),
        rewards: o.list("rewards", |r| {
            Some(Reward {
                id: r.str("id"),
                name: r.str("name"),
                cost_points: r.int("cost_points"),
                kind: reward_kind(&r.str("kind")),
                value_minor: r.opt_int("value_minor"),
                sku: r.opt_str("sku"),
            })
        }),
        pending_days: o.opt_uint("pending_days"),
        expiry_days: o.opt_uint("expiry_days"),
        coupon_valid_days: o.opt_uint("coupon_valid_days"),
        business: o.obj("business").map(|b| Business {
            rebates: b.list("rebates", |r| {
                Some(Rebate {
                    yearly_volume_minor: r.int("yearly_volume_minor"),
                    cashback_bp: r.int("cashback_bp"),
                })
            }),
        }),
        join_url: o.opt_str("join_url"),
        // The card carries the campaigns that reach the shopper; the teaser needs none.
        campaigns: Vec::new(),
        // The card carries its open feedback question, with its points.
        feedback: None,
        anniversary: None,
        // Whether members may add dates to celebrate (the form shows then).
        special_dates: o.obj("special_dates").map(|s| shared::occasions::Occasion {
            points: s.int("points"),
            reward_id: s.opt_str("reward_id"),
        }),
        // The program's public news (the visitors'); members find theirs on their card.
        news: o.list("news", |n| {
            Some(shared::news::News {
                id: n.str("id"),
                texts: texts(&n),
                link: n.opt_str("link"),
                starts_at: n.str("starts_at"),
                ends_at: n.str("ends_at"),
                audience: shared::campaigns::Audience::Everyone,
                public: true,
            })
        }),
        theme: o.obj("theme").map(|t| Theme {
            brand_color: t.str("brand_color"),
            radius_px: t.int("radius_px").clamp(0, 255) as u8,
        }),
    })
}
