//! Members: find one by customer id or member code; their card and full history; a manual
//! adjustment with a reason; a redemption on their behalf; export (JSON) and erasure.

use super::MemberCard;
use crate::api::{self, ApiError};
use crate::i18n::{fill, i18n, t};
use crate::session::Session;
use leptos::prelude::*;
use serde_json::json;
use shared::api::{HistoryPage, ShopCustomerView};

/// The members page.
#[component]
pub fn MembersPage(s: Session) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let member = RwSignal::new(None::<ShopCustomerView>);
    let message = RwSignal::new(None::<(bool, String)>);
    let s1 = s.clone();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = s1.clone();
        let q = query.get_untracked();
        leptos::task::spawn_local(async move {
            match api::find_member(&s, &q).await {
                Ok(m) => {
                    member.set(Some(m));
                    message.set(None);
                }
                Err(e) => {
                    member.set(None);
                    message.set(Some((
                        false,
                        match e {
                            ApiError::Problem(p) if p.status == 404 => {
                                fill("members_not_found", &[("query", q.trim())])
                            }
                            e => e.message(),
                        },
                    )));
                }
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t("members_title")}</h2>
            <form class="row" on:submit=search role="search">
                <label class="field grow" for="member-query">
                    <span class="field__label">{t("members_query_label")}</span>
                    <input id="member-query" data-testid="member-query" placeholder=fill("members_query_placeholder", &[("id", "c42"), ("code", "M-4F7Q-2K9D")])
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="button" data-testid="find">{t("members_find")}</button>
            </form>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "notice" } else { "alert" } role="status" data-testid="member-message">{m}</p> })}
        </section>
        {move || member.get().map(|m| view! { <MemberDetail s=s.clone() m member message /> })}
    }
}

/// One member: card, actions, history.
#[component]
fn MemberDetail(
    s: Session,
    m: ShopCustomerView,
    member: RwSignal<Option<ShopCustomerView>>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let id = m.card.customer_id.clone();
    let path = format!("customers/{}", api::encode(&id));
    let refresh = {
        let (s, path) = (s.clone(), path.clone());
        move |note: String| {
            let (s, path) = (s.clone(), path.clone());
            leptos::task::spawn_local(async move {
                match api::get::<ShopCustomerView>(&s, &path).await {
                    Ok(m) => {
                        member.set(Some(m));
                        message.set(Some((true, note)));
                    }
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let adjust = {
        let (s, path, refresh) = (s.clone(), path.clone(), refresh.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Ok(n) = points.get_untracked().trim().parse::<i64>() else {
                message.set(Some((false, t("members_points_invalid"))));
                return;
            };
            let body = json!({"id": crate::random_id("console"), "points": n, "reason": reason.get_untracked()});
            let (s, path, refresh) = (s.clone(), path.clone(), refresh.clone());
            leptos::task::spawn_local(async move {
                match api::send(
                    &s,
                    "POST",
                    &format!("{path}/adjustments"),
                    Some(&body),
                    None,
                )
                .await
                {
                    Ok(_) => refresh(i18n().plural("members_adjusted", n, &[])),
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let reward = RwSignal::new(
        m.card
            .rewards
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default(),
    );
    let redeem = {
        let (s, path, refresh) = (s.clone(), path.clone(), refresh.clone());
        move |_| {
            let body = json!({"reward_id": reward.get_untracked()});
            let (s, path, refresh) = (s.clone(), path.clone(), refresh.clone());
            leptos::task::spawn_local(async move {
                let key = crate::random_id("console");
                match api::send(
                    &s,
                    "POST",
                    &format!("{path}/redemptions"),
                    Some(&body),
                    Some(&key),
                )
                .await
                {
                    Ok(v) => refresh(fill(
                        "members_coupon_issued",
                        &[("code", v["coupon"]["code"].as_str().unwrap_or("?"))],
                    )),
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let export = {
        let (s, path, id) = (s.clone(), path.clone(), id.clone());
        move |_| {
            let (s, path, id) = (s.clone(), path.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match api::send(&s, "GET", &format!("{path}/export"), None, None).await {
                    Ok(v) => super::download(
                        &format!("{id}.json"),
                        &serde_json::to_string_pretty(&v).unwrap_or_default(),
                        "application/json",
                    ),
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let confirm_erase = RwSignal::new(false);
    let erase = {
        let (s, path, id) = (s.clone(), path.clone(), id.clone());
        move |_| {
            let (s, path, id) = (s.clone(), path.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match api::send(&s, "DELETE", &path, None, None).await {
                    Ok(_) => {
                        member.set(None);
                        message.set(Some((true, fill("members_erased", &[("customer", &id)]))));
                    }
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let rewards = m.card.rewards.clone();
    // The newest entries come with the member; older ones a page at a time.
    let history = RwSignal::new(m.card.history.clone());
    let older = RwSignal::new(m.history_before);
    let load_older = {
        let (s, path) = (s.clone(), path.clone());
        move |_| {
            let (s, path) = (s.clone(), path.clone());
            let Some(before) = older.get_untracked() else {
                return;
            };
            leptos::task::spawn_local(async move {
                let page: Result<HistoryPage, _> =
                    api::get(&s, &format!("{path}/history?before={before}&limit=100")).await;
                match page {
                    Ok(page) => {
                        history.update(|h| h.extend(page.entries));
                        older.set(page.next_before);
                    }
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let texts = i18n();
    view! {
        <MemberCard member=m.clone() />
        <section class="card">
            <h3>{t("members_adjust_title")}</h3>
            <form class="row" on:submit=adjust>
                <label class="field" for="adjust-points"><span class="field__label">{t("members_adjust_points")}</span>
                    <input id="adjust-points" type="number" data-testid="adjust-points" required on:input=move |ev| points.set(event_target_value(&ev)) /></label>
                <label class="field grow" for="adjust-reason"><span class="field__label">{t("members_adjust_reason")}</span>
                    <input id="adjust-reason" data-testid="adjust-reason" required maxlength="200" on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
                <button type="submit" class="button" data-testid="adjust">{t("members_adjust")}</button>
            </form>
            <h3>{t("members_redeem_title")}</h3>
            <div class="row">
                <label class="field grow" for="redeem-reward"><span class="field__label">{t("members_reward")}</span>
                    <select id="redeem-reward" on:change=move |ev| reward.set(event_target_value(&ev))>
                        {rewards.into_iter().map(|r| view! { <option value=r.id.clone()>{texts.plural("members_reward_option", r.cost_points, &[("reward", &r.name)])}</option> }).collect_view()}
                    </select></label>
                <button type="button" class="button" data-testid="redeem" on:click=redeem>{t("members_redeem")}</button>
            </div>
            <h3>{t("members_data_title")}</h3>
            <div class="row">
                <button type="button" class="button button--quiet" data-testid="export" on:click=export>{t("members_export")}</button>
                {move || if confirm_erase.get() {
                    view! {
                        <span class="alert">{t("members_erase_question")} " "
                            <button type="button" class="button button--danger" data-testid="erase-confirm" on:click=erase.clone()>{t("members_erase_confirm")}</button>
                            " " <button type="button" class="button button--quiet" on:click=move |_| confirm_erase.set(false)>{t("members_erase_cancel")}</button></span>
                    }.into_any()
                } else {
                    view! { <button type="button" class="button button--quiet" data-testid="erase" on:click=move |_| confirm_erase.set(true)>{t("members_erase")}</button> }.into_any()
                }}
            </div>
        </section>
        <section class="card">
            <h3>{t("members_history_title")}</h3>
            <table class="table" data-testid="history">
                <thead><tr><th scope="col">{t("members_history_when")}</th><th scope="col">{t("members_history_what")}</th><th scope="col">{t("members_history_points")}</th><th scope="col">{t("members_history_stamps")}</th><th scope="col">{t("members_history_why")}</th></tr></thead>
                <tbody>
                    {move || { let texts = i18n(); history.get().into_iter().map(|h| view! {
                        <tr><td>{texts.date_time(&h.at)}</td><td>{kind(&h.kind)}</td><td class="num">{texts.number(h.points)}</td><td class="num">{texts.number(h.stamps)}</td><td>{h.note}</td></tr>
                    }).collect_view() }}
                </tbody>
            </table>
            <Show when=move || older.get().is_some()>
                <button type="button" class="button button--quiet" data-testid="history-older" on:click=load_older.clone()>{t("members_history_older")}</button>
            </Show>
        </section>
    }
}

/// A history entry's kind in the owner's language (as sent if it is a new one).
fn kind(kind: &str) -> String {
    let key = match kind {
        "welcome" => "members_kind_welcome",
        "earn" => "members_kind_earn",
        "campaign" => "members_kind_campaign",
        "refund" => "members_kind_refund",
        "redeem" => "members_kind_redeem",
        "expire" => "members_kind_expire",
        "adjust" => "members_kind_adjust",
        "birthday" => "members_kind_birthday",
        "referral" => "members_kind_referral",
        "stamps" => "members_kind_stamps",
        "feedback" => "members_kind_feedback",
        "anniversary" => "members_kind_anniversary",
        _ => return kind.to_owned(),
    };
    t(key)
}
