//! Rotating the shop's secret key: a new key at once, the old one kept working (API calls and
//! token signatures) for a grace period the owner picks, so their backend can switch first.

use crate::api;
use crate::i18n::{fill, i18n, t};
use crate::session::Session;
use leptos::prelude::*;

/// The grace periods offered, in seconds, with the catalog key and count of their labels (24 hours
/// is the API's default).
const GRACE: [(u64, &str, i64); 4] = [
    (0, "keys_grace_none", 0),
    (3_600, "keys_grace_hours", 1),
    (86_400, "keys_grace_hours", 24),
    (604_800, "keys_grace_days", 7),
];

/// What the rotation answered: the new key and until when the old one works.
#[derive(Clone)]
struct Rotated {
    key: String,
    old_until: Option<String>,
}

/// The "Rotate key" card of the install page.
#[component]
pub fn RotateKey(s: Session, session: RwSignal<Option<Session>>) -> impl IntoView {
    let grace = RwSignal::new(86_400u64);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Rotated, String>>);
    let rotate = {
        let s = s.clone();
        move |_| {
            let s = s.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let body = serde_json::json!({ "grace_seconds": grace.get_untracked() });
                let answer = api::send(&s, "POST", "keys/rotate", Some(&body), None).await;
                busy.set(false);
                outcome.set(Some(answer.map_err(|e| e.message()).map(|v| Rotated {
                    key: v["secret_key"].as_str().unwrap_or_default().to_owned(),
                    old_until: v["previous_key_valid_until"].as_str().map(str::to_owned),
                })));
            });
        }
    };
    // The console goes on with the new key once the owner has kept it.
    let shop = StoredValue::new(s.shop.clone());
    let keep = move |key: String| {
        let next = Session {
            shop: shop.get_value(),
            key,
        };
        next.save();
        session.set(Some(next));
    };
    view! {
        <section class="card">
            <h2>{t("keys_title")}</h2>
            <p>{t("keys_text")}</p>
            <label for="rotate-grace">{t("keys_grace_label")} " "</label>
            <select id="rotate-grace" data-testid="rotate-grace"
                on:change=move |ev| grace.set(event_target_value(&ev).parse().unwrap_or(86_400))>
                {GRACE.iter().map(|&(seconds, label, count)| view! {
                    <option value=seconds.to_string() selected=seconds == 86_400>{i18n().plural(label, count, &[])}</option>
                }).collect_view()}
            </select>
            " "
            <button type="button" class="button" data-testid="rotate-key"
                disabled=move || busy.get() on:click=rotate>{t("keys_rotate")}</button>
            {move || outcome.get().map(|r| match r {
                Ok(Rotated { key, old_until }) => {
                    let until = old_until.map_or_else(
                        || t("keys_old_revoked"),
                        |until| fill("keys_old_until", &[("time", &i18n().date_time(&until))]),
                    );
                    let kept = key.clone();
                    view! {
                        <div data-testid="new-key" role="status">
                            <p><strong>{t("keys_new_key")}</strong></p>
                            <pre><code data-testid="new-key-value">{key}</code></pre>
                            <p class="hint">{until}</p>
                            <button type="button" class="button" data-testid="new-key-kept"
                                on:click=move |_| keep(kept.clone())>{t("keys_kept")}</button>
                        </div>
                    }.into_any()
                }
                Err(message) => view! { <p class="alert" role="alert">{message}</p> }.into_any(),
            })}
        </section>
    }
}
