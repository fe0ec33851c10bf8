//! In-store mode for staff, phone-sized: the member code (typed, pasted, or read from the card's
//! QR code with the browser's `BarcodeDetector`), "+1 stamp" and "record purchase", and the
//! member's card after each action.

use super::MemberCard;
use crate::api::{self, ApiError};
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

/// `4.50`, `4,5` or `4` → 450 minor units (two decimals); `None` if it is not an amount.
pub fn parse_amount(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.len() > 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole
        .checked_mul(100)?
        .checked_add(fraction)
        .filter(|v| *v > 0)
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
                    Err(ApiError::Problem(p)) if p.status == 404 => Err(format!(
                        "No member with the code “{}”. Check it and try again.",
                        q.trim()
                    )),
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
                            .map(|_| "+1 stamp".to_owned())
                    }
                    "purchase" => match parse_amount(&amount.get_untracked()) {
                        None => Err(ApiError::Problem(shared::api::Problem {
                            type_: "about:blank".into(),
                            title: "Amount".into(),
                            status: 422,
                            detail: "Enter the amount paid, e.g. 4.50".into(),
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
                                    format!(
                                        "Purchase of {}.{:02} {} recorded",
                                        minor / 100,
                                        minor % 100,
                                        m.card.currency
                                    )
                                })
                        }
                    },
                    _ => Ok("Found".to_owned()),
                };
                match result {
                    Ok(note) => match api::get::<ShopCustomerView>(&s, &path).await {
                        Ok(fresh) => {
                            message
                                .set(Some((true, format!("{note}: {}", fresh.card.customer_id))));
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
                Err(_) => message.set(Some((
                    false,
                    "No QR code could be read. Type the code instead.".into(),
                ))),
            }
            scanning.set(false);
        });
    };
    view! {
        <section class="card store">
            <h2>"In store"</h2>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); a1("find"); }>
                <label class="field" for="store-code">
                    <span class="field__label">"Member code"</span>
                    <input id="store-code" class="huge" data-testid="store-code" autocomplete="off" autocapitalize="characters"
                        placeholder="M-XXXX-XXXX" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                </label>
                {can_scan().then(|| view! {
                    <button type="button" class="button button--quiet" on:click=scan disabled=move || scanning.get()>"Scan the QR code"</button>
                })}
                <video node_ref=video class="scanner" playsinline muted hidden=move || !scanning.get()></video>
                <div class="store__actions">
                    <button type="button" class="button huge" data-testid="add-stamp" on:click=move |_| a2("stamp")>"+1 stamp"</button>
                    <label class="field" for="store-amount">
                        <span class="field__label">"Amount paid"</span>
                        <input id="store-amount" class="huge" inputmode="decimal" data-testid="store-amount" placeholder="4.50"
                            on:input=move |ev| amount.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="button huge" data-testid="record-purchase" on:click=move |_| a4("purchase")>"Record purchase"</button>
                </div>
            </form>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "notice" } else { "alert" } role="status" data-testid="store-message">{m}</p> })}
        </section>
        {move || member.get().map(|m| view! { <MemberCard member=m /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn amounts_are_read_without_floats() {
        assert_eq!(parse_amount("4.50"), Some(450));
        assert_eq!(parse_amount("4,5"), Some(450));
        assert_eq!(parse_amount(" 12 "), Some(1200));
        assert_eq!(parse_amount(".99"), Some(99));
        for bad in ["", "0", "4.505", "-3", "abc", "4.5.0", "1e3"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
