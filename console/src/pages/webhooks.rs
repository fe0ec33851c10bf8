//! Webhooks: tell the shop's own systems (newsletter, CRM) what happened — register an endpoint
//! (its signing secret shown once), see each endpoint's deliveries and send one again.

use crate::api;
use crate::i18n::{i18n, t};
use crate::session::Session;
use leptos::prelude::*;
use shared::webhooks::{Delivery, DeliveryLog, Webhook, WebhookList, EVENT_TYPES};

/// What each event type means, for the owner.
fn describe(event: &str) -> String {
    let key = match event {
        "points.earned" => "webhooks_event_points_earned",
        "reward.redeemed" => "webhooks_event_reward_redeemed",
        "coupon.issued" => "webhooks_event_coupon_issued",
        "tier.changed" => "webhooks_event_tier_changed",
        "birthday.upcoming" => "webhooks_event_birthday_upcoming",
        "points.expiring" => "webhooks_event_points_expiring",
        "feedback.received" => "webhooks_event_feedback_received",
        "anniversary.upcoming" => "webhooks_event_anniversary_upcoming",
        _ => return String::new(),
    };
    t(key)
}

/// A delivery's status in the owner's language (as sent if it is a new one).
fn status(status: &str) -> String {
    let key = match status {
        "pending" => "webhooks_status_pending",
        "delivered" => "webhooks_status_delivered",
        "failed" => "webhooks_status_failed",
        _ => return status.to_owned(),
    };
    t(key)
}

#[component]
pub fn WebhooksPage(s: Session) -> impl IntoView {
    let webhooks = RwSignal::new(None::<Result<Vec<Webhook>, String>>);
    let reload = {
        let s = s.clone();
        move || {
            let s = s.clone();
            leptos::task::spawn_local(async move {
                let answer = api::get::<WebhookList>(&s, "webhooks").await;
                webhooks.set(Some(answer.map(|l| l.webhooks).map_err(|e| e.message())));
            });
        }
    };
    reload();
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(EVENT_TYPES.map(|_| true));
    let created = RwSignal::new(None::<Result<Webhook, String>>);
    let add = {
        let (s, reload) = (s.clone(), reload.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (s, reload) = (s.clone(), reload.clone());
            let events: Vec<&str> = EVENT_TYPES
                .iter()
                .zip(chosen.get_untracked())
                .filter_map(|(e, on)| on.then_some(*e))
                .collect();
            let body = serde_json::json!({ "url": url.get_untracked().trim(), "events": events });
            leptos::task::spawn_local(async move {
                let answer = api::send(&s, "POST", "webhooks", Some(&body), None).await;
                created.set(Some(
                    answer
                        .map_err(|e| e.message())
                        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string())),
                ));
                reload();
            });
        }
    };
    let list = {
        let s = s.clone();
        move || match webhooks.get() {
            None => view! { <p class="hint">{t("webhooks_loading")}</p> }.into_any(),
            Some(Err(message)) => view! { <p class="alert" role="alert">{message}</p> }.into_any(),
            Some(Ok(hooks)) if hooks.is_empty() => {
                view! { <p class="hint" data-testid="no-webhooks">{t("webhooks_none")}</p> }
                    .into_any()
            }
            Some(Ok(hooks)) => hooks
                .into_iter()
                .map(|w| view! { <Endpoint s=s.clone() webhook=w reload=reload.clone() /> })
                .collect_view()
                .into_any(),
        }
    };
    view! {
        <section class="card">
            <h2>{t("webhooks_title")}</h2>
            <p>{t("webhooks_text")}</p>
            <form data-testid="webhook-form" on:submit=add>
                <label for="webhook-url">{t("webhooks_url_label")}</label>
                <input id="webhook-url" data-testid="webhook-url" type="url" required
                    placeholder="https://crm.example/hooks/punchcard"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                <fieldset>
                    <legend>{t("webhooks_send_when")}</legend>
                    {EVENT_TYPES.iter().enumerate().map(|(i, event)| view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("webhook-event-{event}")
                                prop:checked=move || chosen.get()[i]
                                on:change=move |ev| chosen.update(|c| c[i] = event_target_checked(&ev)) />
                            " " {describe(event)} " " <code>{*event}</code>
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button" data-testid="webhook-add">{t("webhooks_add")}</button>
            </form>
            {move || created.get().map(|r| match r {
                Ok(w) => view! {
                    <div role="status" data-testid="webhook-secret">
                        <p><strong>{t("webhooks_secret")}</strong></p>
                        <pre><code data-testid="webhook-secret-value">{w.secret.unwrap_or_default()}</code></pre>
                    </div>
                }.into_any(),
                Err(message) => view! { <p class="alert" role="alert">{message}</p> }.into_any(),
            })}
        </section>
        {list}
    }
}

/// One endpoint: its events, its newest deliveries (each can be sent again), removal.
#[component]
fn Endpoint(
    s: Session,
    webhook: Webhook,
    reload: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let log = RwSignal::new(None::<Result<Vec<Delivery>, String>>);
    let path = format!("webhooks/{}/deliveries", webhook.id);
    let load = {
        let (s, path) = (s.clone(), path.clone());
        move || {
            let (s, path) = (s.clone(), path.clone());
            leptos::task::spawn_local(async move {
                let answer = api::get::<DeliveryLog>(&s, &path).await;
                log.set(Some(answer.map(|l| l.deliveries).map_err(|e| e.message())));
            });
        }
    };
    load();
    let remove = {
        let (s, id) = (s.clone(), webhook.id.clone());
        move |_| {
            let (s, id, reload) = (s.clone(), id.clone(), reload.clone());
            leptos::task::spawn_local(async move {
                let _ = api::send(&s, "DELETE", &format!("webhooks/{id}"), None, None).await;
                reload();
            });
        }
    };
    let rows = {
        let (s, path) = (s.clone(), path.clone());
        move || {
            match log.get() {
            None => view! { <p class="hint">{t("webhooks_deliveries_loading")}</p> }.into_any(),
            Some(Err(message)) => view! { <p class="alert">{message}</p> }.into_any(),
            Some(Ok(deliveries)) if deliveries.is_empty() => {
                view! { <p class="hint">{t("webhooks_deliveries_none")}</p> }.into_any()
            }
            Some(Ok(deliveries)) => view! {
                <table data-testid="deliveries">
                    <thead><tr><th>{t("webhooks_when")}</th><th>{t("webhooks_event")}</th><th>{t("webhooks_status")}</th><th>{t("webhooks_attempts")}</th><th>{t("webhooks_last_answer")}</th><th></th></tr></thead>
                    <tbody>
                        {deliveries.into_iter().map(|d| {
                            let (s, path) = (s.clone(), path.clone());
                            let id = d.id.clone();
                            let again = move |_| {
                                let (s, path, id) = (s.clone(), path.clone(), id.clone());
                                leptos::task::spawn_local(async move {
                                    let answer = api::send(&s, "POST", &format!("{path}/{id}/redeliver"), None, None).await;
                                    log.set(Some(answer.map_err(|e| e.message()).and_then(|v| {
                                        serde_json::from_value::<DeliveryLog>(v).map(|l| l.deliveries).map_err(|e| e.to_string())
                                    })));
                                });
                            };
                            let answer = d.last_status.map(|c| c.to_string()).or(d.last_error.clone()).unwrap_or_default();
                            view! {
                                <tr data-testid="delivery">
                                    <td>{i18n().date_time(&d.created_at)}</td>
                                    <td><code>{d.event.clone()}</code></td>
                                    <td data-testid="delivery-status">{status(&d.status)}</td>
                                    <td>{i18n().number(d.attempts.into())}</td>
                                    <td>{answer}</td>
                                    <td><button type="button" class="button small" data-testid="redeliver" on:click=again>{t("webhooks_send_again")}</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }
        }
    };
    view! {
        <section class="card" data-testid="webhook">
            <h3><code data-testid="webhook-url-shown">{webhook.url.clone()}</code></h3>
            <p class="hint">{webhook.events.join(", ")}</p>
            <button type="button" class="button small" data-testid="deliveries-refresh" on:click=move |_| load()>{t("webhooks_refresh")}</button>
            " "
            <button type="button" class="button small" data-testid="webhook-remove" on:click=remove>{t("webhooks_remove")}</button>
            {rows}
        </section>
    }
}
