//! Webhooks: tell the shop's own systems (newsletter, CRM) what happened — register an endpoint
//! (its signing secret shown once), see each endpoint's deliveries and send one again.

use crate::api;
use crate::session::Session;
use leptos::prelude::*;
use shared::webhooks::{Delivery, DeliveryLog, Webhook, WebhookList, EVENT_TYPES};

/// What each event type means, for the owner.
fn describe(event: &str) -> &'static str {
    match event {
        "points.earned" => "a customer earned points",
        "reward.redeemed" => "a customer redeemed a reward",
        "coupon.issued" => "a coupon was issued",
        "tier.changed" => "a customer moved to another tier",
        "birthday.upcoming" => "a customer's birthday is in 14 days",
        _ => "",
    }
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
            None => view! { <p class="hint">"Loading…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="alert" role="alert">{message}</p> }.into_any(),
            Some(Ok(hooks)) if hooks.is_empty() => {
                view! { <p class="hint" data-testid="no-webhooks">"No endpoints yet."</p> }
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
            <h2>"Webhooks"</h2>
            <p>"Punchcard can tell your newsletter tool or CRM when something happens: it sends a signed HTTPS request to your endpoint, retries for 24 hours if it does not answer, and keeps a log below. Check the signature with the snippets in the README before trusting a request."</p>
            <form data-testid="webhook-form" on:submit=add>
                <label for="webhook-url">"Endpoint URL (https://…)"</label>
                <input id="webhook-url" data-testid="webhook-url" type="url" required
                    placeholder="https://crm.example/hooks/punchcard"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                <fieldset>
                    <legend>"Send when"</legend>
                    {EVENT_TYPES.iter().enumerate().map(|(i, event)| view! {
                        <label class="check">
                            <input type="checkbox" data-testid=format!("webhook-event-{event}")
                                prop:checked=move || chosen.get()[i]
                                on:change=move |ev| chosen.update(|c| c[i] = event_target_checked(&ev)) />
                            " " {describe(event)} " " <code>{*event}</code>
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button" data-testid="webhook-add">"Add endpoint"</button>
            </form>
            {move || created.get().map(|r| match r {
                Ok(w) => view! {
                    <div role="status" data-testid="webhook-secret">
                        <p><strong>"The endpoint's signing secret — shown this once. Copy it into your receiver now:"</strong></p>
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
            None => view! { <p class="hint">"Loading deliveries…"</p> }.into_any(),
            Some(Err(message)) => view! { <p class="alert">{message}</p> }.into_any(),
            Some(Ok(deliveries)) if deliveries.is_empty() => {
                view! { <p class="hint">"Nothing sent yet."</p> }.into_any()
            }
            Some(Ok(deliveries)) => view! {
                <table data-testid="deliveries">
                    <thead><tr><th>"When"</th><th>"Event"</th><th>"Status"</th><th>"Attempts"</th><th>"Last answer"</th><th></th></tr></thead>
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
                                    <td>{d.created_at.replace('T', " ").replace('Z', "")}</td>
                                    <td><code>{d.event.clone()}</code></td>
                                    <td data-testid="delivery-status">{d.status.clone()}</td>
                                    <td>{d.attempts}</td>
                                    <td>{answer}</td>
                                    <td><button type="button" class="button small" data-testid="redeliver" on:click=again>"Send again"</button></td>
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
            <button type="button" class="button small" data-testid="deliveries-refresh" on:click=move |_| load()>"Refresh"</button>
            " "
            <button type="button" class="button small" data-testid="webhook-remove" on:click=remove>"Remove endpoint"</button>
            {rows}
        </section>
    }
}
