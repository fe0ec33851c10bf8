//! Rotating the shop's secret key: a new key at once, the old one kept working (API calls and
//! token signatures) for a grace period the owner picks, so their backend can switch first.

use crate::api;
use crate::session::Session;
use leptos::prelude::*;

/// The grace periods offered, in seconds, with their labels (24 hours is the API's default).
const GRACE: [(u64, &str); 4] = [
    (0, "no time — revoke it now"),
    (3_600, "1 hour"),
    (86_400, "24 hours"),
    (604_800, "7 days"),
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
            <h2>"4. Rotate your secret key"</h2>
            <p>"If the key may have leaked, or someone who knew it leaves: get a new one. The old key keeps working for the time you choose, so you can put the new one into your backend first."</p>
            <label for="rotate-grace">"The old key keeps working for "</label>
            <select id="rotate-grace" data-testid="rotate-grace"
                on:change=move |ev| grace.set(event_target_value(&ev).parse().unwrap_or(86_400))>
                {GRACE.iter().map(|&(seconds, label)| view! {
                    <option value=seconds.to_string() selected=seconds == 86_400>{label}</option>
                }).collect_view()}
            </select>
            " "
            <button type="button" class="button" data-testid="rotate-key"
                disabled=move || busy.get() on:click=rotate>"Rotate key"</button>
            {move || outcome.get().map(|r| match r {
                Ok(Rotated { key, old_until }) => {
                    let until = old_until.map_or_else(
                        || "The old key no longer works.".to_owned(),
                        |t| format!("The old key works until {t}."),
                    );
                    let kept = key.clone();
                    view! {
                        <div data-testid="new-key" role="status">
                            <p><strong>"Your new secret key — shown this once. Copy it now:"</strong></p>
                            <pre><code data-testid="new-key-value">{key}</code></pre>
                            <p class="hint">{until}</p>
                            <button type="button" class="button" data-testid="new-key-kept"
                                on:click=move |_| keep(kept.clone())>"I have saved it — continue with the new key"</button>
                        </div>
                    }.into_any()
                }
                Err(message) => view! { <p class="alert" role="alert">{message}</p> }.into_any(),
            })}
        </section>
    }
}
