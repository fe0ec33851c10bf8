//! The program editor: every mechanic of the program, the API's 422 field errors next to the
//! fields, and a live preview of the real widget (guest and member) that reloads after each save.

use crate::api;
use crate::form::{len_at, remove_at, set_at, Choice, Editor, Field, Kind, Toggle};
use crate::session::Session;
use leptos::prelude::*;
use serde_json::{json, Value};

/// The program page.
#[component]
pub fn ProgramPage(s: Session) -> impl IntoView {
    let editor = Editor {
        doc: RwSignal::new(Value::Null),
        errors: RwSignal::new(Vec::new()),
    };
    let status = RwSignal::new(None::<(bool, String)>);
    let version = RwSignal::new(0u32);
    let loaded = {
        let s = s.clone();
        LocalResource::new(move || {
            let s = s.clone();
            async move { api::program(&s).await }
        })
    };
    Effect::new(move || {
        if let Some(result) = loaded.get() {
            match result {
                Ok(doc) => editor.doc.set(doc),
                Err(e) => status.set(Some((false, e.message()))),
            }
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = s.clone();
        let doc = editor.doc.get_untracked();
        leptos::task::spawn_local(async move {
            match api::put_program(&s, &doc).await {
                Ok(saved) => {
                    editor.errors.set(Vec::new());
                    editor.doc.set(saved);
                    status.set(Some((
                        true,
                        "Saved. The widget shows the new program now.".into(),
                    )));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    editor.errors.set(e.fields());
                    status.set(Some((false, e.message())));
                }
            }
        });
    };
    let f = move |label: &'static str, path: &str| view! { <Field editor label path=path.to_owned() /> };
    let t = move |label: &'static str, path: &str| view! { <Field editor label path=path.to_owned() kind=Kind::Text /> };
    view! {
        <div class="split">
            <form class="editor" on:submit=save data-testid="program-form">
                <div class="editor__bar">
                    <h2>"Program"</h2>
                    <button type="submit" class="button" data-testid="save">"Save"</button>
                </div>
                {move || status.get().map(|(ok, text)| {
                    let errors = editor.errors.get();
                    view! {
                        <div class=if ok { "notice" } else { "alert" } role=if ok { "status" } else { "alert" } data-testid="save-status">
                            <p>{text}</p>
                            {(!errors.is_empty()).then(|| view! {
                                <ul>{errors.into_iter().map(|(field, message)| view! { <li><code>{field}</code> " " {message}</li> }).collect_view()}</ul>
                            })}
                        </div>
                    }
                })}
                <fieldset><legend>"Basics"</legend>
                    {t("Name", "name")} {t("Currency (ISO 4217)", "currency")}
                    {t("Default language", "default_locale")} {t("Join page URL", "join_url")}
                </fieldset>
                <fieldset><legend>"Points"</legend>
                    {f("Points per unit", "earn.points_per_unit")} {f("Unit (minor units, 100 = 1.00)", "earn.unit_minor")}
                    {f("Welcome points", "welcome_points")} {f("Birthday points", "birthday_points")}
                    {f("Pending days", "pending_days")} {f("Points expire after (days)", "expiry_days")}
                    {f("Coupons valid for (days)", "coupon_valid_days")}
                </fieldset>
                <fieldset><legend>"Stamp card"</legend>
                    <Toggle editor label="Stamp card on" path="stamps"
                        default=|| json!({"goal": 10, "prefilled": 0, "per": "order", "min_order_minor": 0, "reward_id": ""}) />
                    {move || editor.doc.with(|d| d.get("stamps").is_some_and(|v| !v.is_null())).then(|| view! {
                        {f("Goal (slots)", "stamps.goal")} {f("Pre-filled on the first card", "stamps.prefilled")}
                        <Choice editor label="One stamp per" path="stamps.per".to_owned() options=&["order", "item"] />
                        {t("Item SKU (per item)", "stamps.sku")} {f("Minimum order (minor units)", "stamps.min_order_minor")}
                        {t("Reward of a full card (reward id)", "stamps.reward_id")}
                    })}
                </fieldset>
                <fieldset><legend>"Tiers"</legend>
                    {f("Tier window (days)", "tier_window_days")}
                    <List editor path="tiers" add_label="Add tier"
                        default=|| json!({"id": "", "name": "", "threshold_minor": 0, "multiplier_pct": 100})
                        fields=&[("Id", "id", Kind::Text), ("Name", "name", Kind::Text), ("Spend threshold", "threshold_minor", Kind::Integer), ("Multiplier %", "multiplier_pct", Kind::Integer)] />
                </fieldset>
                <fieldset><legend>"Rewards"</legend>
                    <List editor path="rewards" add_label="Add reward"
                        default=|| json!({"id": "", "name": "", "cost_points": 0, "kind": "amount_off", "value_minor": 0})
                        fields=&[("Id", "id", Kind::Text), ("Name", "name", Kind::Text), ("Cost (points)", "cost_points", Kind::Integer),
                                 ("Kind: amount_off, free_shipping, free_item", "kind", Kind::Text), ("Value (minor units)", "value_minor", Kind::Integer), ("SKU (free item)", "sku", Kind::Text)] />
                </fieldset>
                <fieldset><legend>"Spend certificates"</legend>
                    <List editor path="certificates" add_label="Add certificate"
                        default=|| json!({"spend_minor": 20000, "window_days": 182, "value_minor": 2500})
                        fields=&[("Spend (minor units)", "spend_minor", Kind::Integer), ("Within (days)", "window_days", Kind::Integer), ("Certificate value", "value_minor", Kind::Integer)] />
                </fieldset>
                <fieldset><legend>"Referral"</legend>
                    <Toggle editor label="Referrals on" path="referral" default=|| json!({"referrer_points": 500, "referee_points": 250}) />
                    {move || editor.doc.with(|d| d.get("referral").is_some_and(|v| !v.is_null())).then(|| view! {
                        {f("Points for the referrer", "referral.referrer_points")} {f("Points for the new member", "referral.referee_points")}
                    })}
                </fieldset>
                <fieldset><legend>"Business cash back"</legend>
                    <Toggle editor label="Volume rebates on" path="business" default=|| json!({"rebates": []}) />
                    {move || editor.doc.with(|d| d.get("business").is_some_and(|v| !v.is_null())).then(|| view! {
                        <List editor path="business.rebates" add_label="Add band"
                            default=|| json!({"yearly_volume_minor": 0, "cashback_bp": 100})
                            fields=&[("Yearly volume (minor units)", "yearly_volume_minor", Kind::Integer), ("Cash back (basis points)", "cashback_bp", Kind::Integer)] />
                    })}
                </fieldset>
                <fieldset><legend>"Look"</legend>
                    <Toggle editor label="Custom theme" path="theme" default=|| json!({"brand_color": "#7a3e00", "radius_px": 12}) />
                    {move || editor.doc.with(|d| d.get("theme").is_some_and(|v| !v.is_null())).then(|| view! {
                        {t("Brand colour (#rrggbb, ≥ 4.5:1 on white)", "theme.brand_color")} {f("Corner radius (px)", "theme.radius_px")}
                    })}
                </fieldset>
            </form>
            <Preview version />
        </div>
    }
}

/// A list of objects (tiers, rewards …) with add and remove buttons.
#[component]
fn List(
    editor: Editor,
    path: &'static str,
    add_label: &'static str,
    default: fn() -> Value,
    fields: &'static [(&'static str, &'static str, Kind)],
) -> impl IntoView {
    let len = Memo::new(move |_| editor.doc.with(|d| len_at(d, path)));
    view! {
        <div class="list" data-testid=format!("list-{path}")>
            {move || (0..len.get()).map(|i| view! {
                <div class="list__row">
                    {fields.iter().map(|(label, key, kind)| view! {
                        <Field editor label path=format!("{path}[{i}].{key}") kind=*kind />
                    }).collect_view()}
                    <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| remove_at(d, &format!("{path}[{i}]")))>"Remove"</button>
                </div>
            }).collect_view()}
            <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| {
                let n = len_at(d, path);
                if n == 0 { set_at(d, path, json!([])); }
                if let Some(items) = crate::form::get_at(d, path).cloned().and_then(|v| v.as_array().cloned()) {
                    let mut items = items;
                    items.push(default());
                    set_at(d, path, Value::Array(items));
                }
            })>{add_label}</button>
        </div>
    }
}

/// The real widget, as a guest and as the member `preview`, reloaded after each save.
#[component]
fn Preview(version: RwSignal<u32>) -> impl IntoView {
    view! {
        <aside class="preview" aria-label="Widget preview">
            <h2>"Preview"</h2>
            <p class="hint">"The real widget with the saved program: a visitor, and the member “preview”."</p>
            <div class="preview__frames">
                {move || {
                    let v = version.get();
                    view! {
                        <iframe title="Widget as a member" data-testid="preview-member" src=format!("/console/preview.html?mode=member&v={v}")></iframe>
                        <iframe title="Widget as a guest" data-testid="preview-guest" src=format!("/console/preview.html?mode=guest&v={v}")></iframe>
                    }
                }}
            </div>
        </aside>
    }
}
