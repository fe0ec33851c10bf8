//! Rewards the member can redeem (affordable first, as the API orders them), the redeem flow
//! (confirm → coupon code with a copy button → `punchcard:redeemed` on `window`), and the
//! member's active coupons.

use super::i18n;
use super::status::error_key;
use crate::api::{self, ApiError};
use crate::WidgetConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
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

/// Copies `text` to the clipboard; `done` becomes true once it is there.
fn copy(text: String, done: RwSignal<bool>) {
    spawn_local(async move {
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            done.set(true);
        }
    });
}

/// A code with a copy button.
#[component]
pub fn CopyCode(
    /// The text shown and copied.
    code: String,
    /// `data-testid` of the code element.
    testid: &'static str,
) -> impl IntoView {
    let i18n = i18n();
    let copied = RwSignal::new(false);
    let (copy_label, copied_label) = (i18n.t("copy"), i18n.t("copied"));
    let text = code.clone();
    view! {
        <span class="pc-copy">
            <code class="pc-code" data-testid=testid>{code}</code>
            <button type="button" class="pc-button pc-button--quiet" data-testid="copy"
                on:click=move |_| copy(text.clone(), copied)>
                {move || if copied.get() { copied_label.clone() } else { copy_label.clone() }}
            </button>
        </span>
    }
}

/// The catalog with redeem buttons, and the coupon just issued.
#[component]
pub fn Rewards(
    /// The member's card; replaced by the card a redemption returns.
    card: RwSignal<Card>,
    config: WidgetConfig,
    token: String,
) -> impl IntoView {
    let i18n = i18n();
    let confirming = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let issued = RwSignal::new(None::<CouponView>);
    let redeem = move |reward_id: String, key: String| {
        let (config, token) = (config.clone(), token.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::redeem(&config, &token, &reward_id, &key).await {
                Ok((done, raw_coupon)) => {
                    announce(&raw_coupon);
                    issued.set(Some(done.coupon));
                    card.set(done.card);
                    confirming.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let t = i18n.clone();
    let row = move |reward: CardReward| {
        let i18n = t.clone();
        let id = reward.id.clone();
        let cost = i18n.plural("points_n", reward.cost_points, &[]);
        let is_confirming = {
            let id = id.clone();
            move || confirming.with(|c| c.as_ref().is_some_and(|(r, _)| *r == id))
        };
        let short = card.with_untracked(|c| reward.cost_points - c.points);
        let action = if reward.affordable {
            let (id, id2) = (id.clone(), id.clone());
            let question = i18n.fill(
                "redeem_confirm",
                &[("points", &cost), ("reward", &reward.name)],
            );
            let (yes, no, label) = (i18n.t("redeem_yes"), i18n.t("cancel"), i18n.t("redeem"));
            let redeem = redeem.clone();
            view! {
                <Show
                    when=is_confirming
                    fallback=move || {
                        let id = id.clone();
                        view! {
                            <button type="button" class="pc-button" data-testid="redeem"
                                on:click=move |_| confirming.set(Some((id.clone(), idempotency_key())))>
                                {label.clone()}
                            </button>
                        }
                    }
                >
                    <div class="pc-confirm" role="group" aria-label=question.clone()>
                        <p>{question.clone()}</p>
                        <button type="button" class="pc-button" data-testid="confirm"
                            disabled=move || busy.get()
                            on:click={
                                let (id, redeem) = (id2.clone(), redeem.clone());
                                move |_| {
                                    let key = confirming
                                        .with_untracked(|c| c.as_ref().map(|(_, k)| k.clone()))
                                        .unwrap_or_else(idempotency_key);
                                    redeem(id.clone(), key)
                                }
                            }>
                            {yes.clone()}
                        </button>
                        <button type="button" class="pc-button pc-button--quiet" data-testid="cancel"
                            on:click=move |_| confirming.set(None)>
                            {no.clone()}
                        </button>
                    </div>
                </Show>
            }
            .into_any()
        } else {
            view! { <span class="pc-muted">{i18n.plural("points_short", short.max(1), &[])}</span> }
                .into_any()
        };
        let class = if reward.affordable {
            "pc-reward pc-reward--ok"
        } else {
            "pc-reward"
        };
        view! {
            <li class=class data-testid=format!("reward-{id}")>
                <span class="pc-reward__name">{reward.name}</span>
                <span class="pc-reward__cost">{cost.clone()}</span>
                {action}
            </li>
        }
    };
    let coupon_box = {
        let i18n = i18n.clone();
        move || {
            issued.get().map(|coupon| {
                view! {
                    <div class="pc-coupon" role="status" data-testid="new-coupon">
                        <p>{i18n.t("coupon_ready")}</p>
                        <CopyCode code=coupon.code testid="coupon-code" />
                    </div>
                }
            })
        }
    };
    let error_line = {
        let i18n = i18n.clone();
        move || {
            error.get().map(|e| {
                view! { <p class="pc-error-line" role="alert" data-testid="redeem-error">{i18n.t(error_key(&e))}</p> }
            })
        }
    };
    view! {
        // No catalog, no section (the heading alone would promise what is not there).
        <div class="pc-rewards" hidden=move || card.with(|c| c.rewards.is_empty())>
            <h3 class="pc-h">{i18n.t("rewards_title")}</h3>
            {coupon_box}
            {error_line}
            <ul class="pc-list" data-testid="rewards">
                {move || card.with(|c| c.rewards.clone()).into_iter().map(row.clone()).collect_view()}
            </ul>
        </div>
    }
}

/// The member's active coupons, with their reward and expiry.
#[component]
pub fn Coupons(
    card: RwSignal<Card>,
    /// For the rewards' names (free items from the stamp card are not on the card's list).
    program: Program,
) -> impl IntoView {
    let i18n = i18n();
    move || {
        let coupons = card.with(|c| c.coupons.clone());
        (!coupons.is_empty()).then(|| {
            let items = coupons
                .into_iter()
                .map(|c| {
                    // Spend certificates are coupons of no catalog reward.
                    let name = program
                        .reward(&c.reward_id)
                        .map_or_else(|| i18n.t("coupon_certificate"), |r| r.name.clone());
                    let until = i18n.fill("valid_until", &[("date", &i18n.date(&c.expires_at))]);
                    view! {
                        <li class="pc-coupon-item">
                            <span class="pc-reward__name">{name}</span>
                            <CopyCode code=c.code testid="coupon" />
                            <span class="pc-muted">{until}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="pc-coupons">
                    <h3 class="pc-h">{i18n.t("coupons_title")}</h3>
                    <ul class="pc-list" data-testid="coupons">{items}</ul>
                </div>
            }
        })
    }
}
