//! In-store mode for staff, phone-sized: the member code (typed, pasted, or read from the card's
//! QR code with the browser's `BarcodeDetector`), "+1 stamp" and "record purchase", and the
//! member's card after each action.

use super::MemberCard;
use crate::api::{self, ApiError};
use crate::i18n::{fill, i18n, t};
use crate::session::Session;
use leptos::prelude::*;
use serde_json::json;
use shared::api::ShopCustomerView;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function can_scan() {
  return "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}
export async function scan_qr(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  await video.play();
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  try {
    for (let i = 0; i < 600; i++) {
      const codes = await detector.detect(video);
      if (codes.length) return codes[0].rawValue;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("no QR code seen for a minute");
  } finally {
    stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
  }
}
"#)]
extern "C" {
    fn can_scan() -> bool;
    #[wasm_bindgen(catch)]
    async fn scan_qr(video: &web_sys::HtmlVideoElement) -> Result<JsValue, JsValue>;
}

/// The in-store page.
#[component]
pub fn StorePage(s: Session) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let member = RwSignal::new(None::<ShopCustomerView>);
    let message = RwSignal::new(None::<(bool, String)>);
    let video = NodeRef::<leptos::html::Video>::new();
    let scanning = RwSignal::new(false);
    let find = {
        let s = s.clone();
        move || {
            let s = s.clone();
            let q = code.get_untracked();
            async move {
                match api::find_member(&s, &q).await {
                    Ok(m) => Ok(m),
                    Err(ApiError::Problem(p)) if p.status == 404 => {
                        Err(fill("store_not_found", &[("code", q.trim())]))
                    }
                    Err(e) => Err(e.message()),
                }
            }
        }
    };
    // Runs `action(member)` for the member whose code is in the field, then shows their card.
    let act = {
        let (s, find) = (s.clone(), find.clone());
        move |what: &'static str| {
            let (s, find) = (s.clone(), find.clone());
            leptos::task::spawn_local(async move {
                let m = match find().await {
                    Ok(m) => m,
                    Err(e) => {
                        message.set(Some((false, e)));
                        return;
                    }
                };
                let path = format!("customers/{}", api::encode(&m.card.customer_id));
                let result = match what {
                    "stamp" => {
                        let body = json!({"id": crate::random_id("store"), "count": 1});
                        api::send(&s, "POST", &format!("{path}/stamps"), Some(&body), None)
                            .await
                            .map(|_| t("store_add_stamp"))
                    }
                    "purchase" => match shared::money::parse_major(
                        &amount.get_untracked(),
                        crate::i18n::i18n().currency_digits(&m.card.currency),
                    )
                    .filter(|minor| *minor > 0)
                    {
                        None => Err(ApiError::Problem(shared::api::Problem {
                            type_: "about:blank".into(),
                            title: t("store_amount_title"),
                            status: 422,
                            detail: t("store_amount_invalid"),
                            code: "validation_failed".into(),
                            errors: vec![],
                        })),
                        Some(minor) => {
                            let id = crate::random_id("store");
                            let body = json!({"id": id, "type": "order.paid", "customer_id": m.card.customer_id,
                                "order_id": id, "amount_minor": minor, "currency": m.card.currency});
                            api::send(&s, "POST", "events", Some(&body), None)
                                .await
                                .map(|_| {
                                    let amount = i18n().money(minor, &m.card.currency);
                                    fill("store_purchase_recorded", &[("amount", &amount)])
                                })
                        }
                    },
                    _ => Ok(t("store_found")),
                };
                match result {
                    Ok(note) => match api::get::<ShopCustomerView>(&s, &path).await {
                        Ok(fresh) => {
                            let done = fill(
                                "store_done",
                                &[("action", &note), ("customer", &fresh.card.customer_id)],
                            );
                            message.set(Some((true, done)));
                            member.set(Some(fresh));
                        }
                        Err(e) => message.set(Some((false, e.message()))),
                    },
                    Err(e) => message.set(Some((false, e.message()))),
                }
            });
        }
    };
    let (a1, a2, a3, a4) = (act.clone(), act.clone(), act.clone(), act);
    let scan = move |_| {
        let Some(video) = video.get() else { return };
        scanning.set(true);
        let a = a3.clone();
        leptos::task::spawn_local(async move {
            match scan_qr(&video).await {
                Ok(value) => {
                    code.set(value.as_string().unwrap_or_default());
                    a("find");
                }
                Err(_) => message.set(Some((false, t("store_scan_failed")))),
            }
            scanning.set(false);
        });
    };
    view! {
        <section class="card store">
            <h2>{t("store_title")}</h2>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); a1("find"); }>
                <label class="field" for="store-code">
                    <span class="field__label">{t("store_code_label")}</span>
                    <input id="store-code" class="huge" data-testid="store-code" autocomplete="off" autocapitalize="characters"
                        placeholder="M-XXXX-XXXX" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                </label>
                {can_scan().then(|| view! {
                    <button type="button" class="button button--quiet" on:click=scan disabled=move || scanning.get()>{t("store_scan")}</button>
                })}
                <video node_ref=video class="scanner" playsinline muted hidden=move || !scanning.get()></video>
                <div class="store__actions">
                    <button type="button" class="button huge" data-testid="add-stamp" on:click=move |_| a2("stamp")>{t("store_add_stamp")}</button>
                    <label class="field" for="store-amount">
                        <span class="field__label">{t("store_amount_label")}</span>
                        <input id="store-amount" class="huge" inputmode="decimal" data-testid="store-amount" placeholder=t("store_amount_placeholder")
                            on:input=move |ev| amount.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="button huge" data-testid="record-purchase" on:click=move |_| a4("purchase")>{t("store_record_purchase")}</button>
                </div>
            </form>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "notice" } else { "alert" } role="status" data-testid="store-message">{m}</p> })}
        </section>
        {move || member.get().map(|m| view! { <MemberCard member=m /> })}
    }
}
