//! Rewards the member can redeem (affordable first, as the API orders them), the redeem flow
//! (confirm → coupon code with a copy button → `punchcard:redeemed` on `window`), and the
//! member's active coupons.

use super::member::Session;
use super::status::{error_text, line};
use super::{heading, i18n};
use crate::api::{self, ApiError};
use crate::dom::{current, el, live, El};
use crate::reactive::*;
use shared::api::{Card, CardReward, CouponView};
use shared::program::Program;
use wasm_bindgen::JsValue;

/// A fresh idempotency key for one confirmed redemption (retries of it reuse the key).
fn idempotency_key() -> String {
    let part = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("w-{:08x}{:08x}{:08x}", part(), part(), part())
}

/// Tells the storefront a coupon was issued: `CustomEvent("punchcard:redeemed", {detail: coupon})`,
/// the coupon exactly as the API sent it.
fn announce(detail: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("punchcard:redeemed", &init) {
        let _ = window.dispatch_event(&event);
    }
}

/// A code with a copy button; the button says "Copied" once the code is on the clipboard.
pub fn copy_code(code: &str, testid: &str) -> El {
    let i18n = i18n();
    let copied = i18n.t("copied");
    let text = code.to_owned();
    el("span")
        .class("pc-copy")
        .child(el("code").class("pc-code").testid(testid).child(code))
        .child(
            el("button")
                .attr("type", "button")
                .class("pc-button pc-button--quiet")
                .testid("copy")
                .on("click", move |event| {
                    let (Some(button), Some(window)) = (current(&event), web_sys::window()) else {
                        return;
                    };
                    let promise = window.navigator().clipboard().write_text(&text);
                    let copied = copied.clone();
                    spawn_local(async move {
                        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                            button.set_text_content(Some(&copied));
                        }
                    });
                })
                .child(i18n.t("copy")),
        )
}

/// Where the redeem flow is.
#[derive(Debug, Clone, Default)]
struct Flow {
    /// The reward being confirmed and the idempotency key of that confirmation.
    confirming: Option<(String, String)>,
    busy: bool,
    error: Option<ApiError>,
    /// The coupon just issued.
    issued: Option<CouponView>,
}

/// The catalog with redeem buttons, and the coupon just issued; `card` is replaced by the card a
/// redemption returns.
pub fn rewards(card: RwSignal<Card>, session: &Session) -> web_sys::Node {
    let flow = RwSignal::new(Flow::default());
    let session = session.clone();
    let redeem = move |reward_id: String| {
        let key = flow
            .with_untracked(|f| f.confirming.as_ref().map(|(_, k)| k.clone()))
            .unwrap_or_else(idempotency_key);
        flow.update(|f| {
            f.busy = true;
            f.error = None;
        });
        let session = session.clone();
        spawn_local(async move {
            let result = api::redeem(&session.config, &session.token, &reward_id, &key).await;
            match result {
                Ok((done, raw_coupon)) => {
                    announce(&raw_coupon);
                    card.set(done.card);
                    flow.set(Flow {
                        issued: Some(done.coupon),
                        ..Flow::default()
                    });
                }
                Err(e) => flow.update(|f| {
                    f.busy = false;
                    f.error = Some(e);
                }),
            }
        });
    };
    live(move || {
        let i18n = i18n();
        let (list, points): (Vec<CardReward>, i64) = card.with(|c| (c.rewards.clone(), c.points));
        let state = flow.get();
        let coupon_box = state.issued.as_ref().map(|coupon| {
            el("div")
                .class("pc-coupon")
                .attr("role", "status")
                .testid("new-coupon")
                .child(el("p").child(i18n.t("coupon_ready")))
                .child(copy_code(&coupon.code, "coupon-code"))
        });
        let error_line = state.error.as_ref().map(|e| {
            line("pc-error-line", Some("redeem-error"), error_text(e)).attr("role", "alert")
        });
        let rows: Vec<El> = list
            .into_iter()
            .map(|reward| {
                let confirming = state
                    .confirming
                    .as_ref()
                    .is_some_and(|(id, _)| *id == reward.id);
                row(reward, points, confirming, state.busy, flow, redeem.clone())
            })
            .collect();
        // No catalog, no section (the heading alone would promise what is not there).
        Some(
            el("div")
                .class("pc-rewards")
                .flag("hidden", rows.is_empty())
                .child(heading(i18n.t("rewards_title")))
                .child(coupon_box)
                .child(error_line)
                .child(el("ul").class("pc-list").testid("rewards").child(rows)),
        )
    })
}

/// One reward: its name, cost and either the redeem button, the confirmation or what is missing.
fn row(
    reward: CardReward,
    points: i64,
    confirming: bool,
    busy: bool,
    flow: RwSignal<Flow>,
    redeem: impl Fn(String) + Clone + 'static,
) -> El {
    let i18n = i18n();
    let cost = i18n.plural("points_n", reward.cost_points, &[]);
    let action = if !reward.affordable {
        let short = (reward.cost_points - points).max(1);
        el("span")
            .class("pc-muted")
            .child(i18n.plural("points_short", short, &[]))
    } else if confirming {
        let question = i18n.fill(
            "redeem_confirm",
            &[("points", &cost), ("reward", &reward.name)],
        );
        let id = reward.id.clone();
        el("div")
            .class("pc-confirm")
            .attr("role", "group")
            .attr("aria-label", &question)
            .child(el("p").child(question))
            .child(
                el("button")
                    .attr("type", "button")
                    .class("pc-button")
                    .testid("confirm")
                    .flag("disabled", busy)
                    .on("click", move |_| redeem(id.clone()))
                    .child(i18n.t("redeem_yes")),
            )
            .child(
                el("button")
                    .attr("type", "button")
                    .class("pc-button pc-button--quiet")
                    .testid("cancel")
                    .on("click", move |_| flow.update(|f| f.confirming = None))
                    .child(i18n.t("cancel")),
            )
    } else {
        let id = reward.id.clone();
        el("button")
            .attr("type", "button")
            .class("pc-button")
            .testid("redeem")
            .on("click", move |_| {
                flow.update(|f| f.confirming = Some((id.clone(), idempotency_key())))
            })
            .child(i18n.t("redeem"))
    };
    el("li")
        .class(if reward.affordable {
            "pc-reward pc-reward--ok"
        } else {
            "pc-reward"
        })
        .testid(&format!("reward-{}", reward.id))
        .child(el("span").class("pc-reward__name").child(reward.name))
        .child(el("span").class("pc-reward__cost").child(cost))
        .child(action)
}

/// The member's active coupons, with their reward and expiry (`program`: for the rewards' names;
/// free items from the stamp card are not on the card's list).
pub fn coupons(card: RwSignal<Card>, program: &Program) -> web_sys::Node {
    let names: Vec<(String, String)> = program
        .rewards
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    live(move || {
        let i18n = i18n();
        let coupons = card.with(|c| c.coupons.clone());
        (!coupons.is_empty()).then(|| {
            let items: Vec<El> = coupons
                .into_iter()
                .map(|c| {
                    // Spend certificates are coupons of no catalog reward.
                    let name = names
                        .iter()
                        .find(|(id, _)| *id == c.reward_id)
                        .map_or_else(|| i18n.t("coupon_certificate"), |(_, name)| name.clone());
                    let until = i18n.fill("valid_until", &[("date", &i18n.date(&c.expires_at))]);
                    el("li")
                        .class("pc-coupon-item")
                        .child(el("span").class("pc-reward__name").child(name))
                        .child(copy_code(&c.code, "coupon"))
                        .child(el("span").class("pc-muted").child(until))
                })
                .collect();
            el("div")
                .class("pc-coupons")
                .child(heading(i18n.t("coupons_title")))
                .child(el("ul").class("pc-list").testid("coupons").child(items))
        })
    })
}
