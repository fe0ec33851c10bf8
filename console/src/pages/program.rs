//! The program editor: every mechanic of the program, the API's 422 field errors next to the
//! fields, and a live preview of the real widget (guest and member) that reloads after each save.

use crate::api;
use crate::form::{
    len_at, remove_at, set_at, Choice, Editor, Field, Flag, Kind, KindChoice, Toggle,
};
use crate::i18n::{self, t};
use crate::session::Session;
use leptos::prelude::*;
use serde_json::{json, Value};

/// Currencies offered by the picker (ISO 4217); a stored other one stays selectable.
const CURRENCIES: [&str; 24] = [
    "EUR", "USD", "GBP", "CHF", "CZK", "PLN", "RON", "BGN", "HUF", "SEK", "DKK", "NOK", "JPY",
    "KRW", "CNY", "TWD", "HKD", "INR", "BRL", "CAD", "AUD", "MXN", "TRY", "UAH",
];

/// The program page.
#[component]
pub fn ProgramPage(s: Session) -> impl IntoView {
    let editor = Editor::new();
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
                Ok(doc) => editor.replace(doc),
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
                    editor.replace(saved);
                    status.set(Some((true, t("program_saved"))));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    editor.errors.set(e.fields());
                    status.set(Some((false, e.message())));
                }
            }
        });
    };
    let f = move |label: &'static str, path: &str, hint: &'static str| view! { <Field editor label path=path.to_owned() hint /> };
    let m = move |label: &'static str, path: &str, hint: &'static str| view! { <Field editor label path=path.to_owned() kind=Kind::Money hint /> };
    let txt = move |label: &'static str, path: &str, hint: &'static str| view! { <Field editor label path=path.to_owned() kind=Kind::Text hint /> };
    let on = move |path: &'static str| {
        move || {
            editor
                .doc
                .with(|d| d.get(path).is_some_and(|v| !v.is_null()))
        }
    };
    let currencies = Signal::derive(|| {
        CURRENCIES
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .collect()
    });
    let locales = Signal::derive(|| {
        let mut all = vec![(String::new(), t("program_locale_browser"))];
        all.extend(
            i18n::NAMES
                .iter()
                .map(|(tag, name)| (tag.to_string(), name.to_string())),
        );
        all
    });
    let stamp_per = Signal::derive(|| {
        vec![
            ("order".into(), t("program_stamps_per_order")),
            ("item".into(), t("program_stamps_per_item")),
        ]
    });
    let rewards = Signal::derive(move || {
        editor.doc.with(|d| {
            d.get("rewards")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|r| {
                            let id = r.get("id")?.as_str()?.to_owned();
                            let name = r
                                .get("name")
                                .and_then(Value::as_str)
                                .unwrap_or(&id)
                                .to_owned();
                            Some((id, name))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    // A reward is optional for an occasion: "—" leaves it out.
    let optional_rewards = Signal::derive(move || {
        let mut all = vec![(String::new(), "—".to_owned())];
        all.extend(rewards.get());
        all
    });
    view! {
        <div class="split">
            <form class="editor" on:submit=save data-testid="program-form">
                <div class="editor__bar">
                    <h2>{t("program_title")}</h2>
                    <button type="submit" class="button" data-testid="save">{t("program_save")}</button>
                </div>
                <Summary editor />
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
                <fieldset><legend>{t("program_basics")}</legend>
                    {txt("program_name", "name", "program_name_hint")}
                    <Choice editor label="program_currency" path="currency".to_owned() options=currencies hint="program_currency_hint" />
                    <Choice editor label="program_locale" path="default_locale".to_owned() options=locales hint="program_locale_hint" />
                    {txt("program_join_url", "join_url", "program_join_url_hint")}
                </fieldset>
                <fieldset><legend>{t("program_points")}</legend>
                    {f("program_points_per_unit", "earn.points_per_unit", "")}
                    {m("program_unit", "earn.unit_minor", "program_unit_hint")}
                    {f("program_welcome_points", "welcome_points", "program_welcome_points_hint")}
                    {f("program_birthday_points", "birthday_points", "")}
                    {f("program_pending_days", "pending_days", "program_pending_days_hint")}
                    {f("program_expiry_days", "expiry_days", "program_expiry_days_hint")}
                    {f("program_coupon_days", "coupon_valid_days", "program_coupon_days_hint")}
                </fieldset>
                <fieldset><legend>{t("program_stamps")}</legend>
                    <Toggle editor label="program_stamps_on" path="stamps"
                        default=|| json!({"goal": 10, "prefilled": 0, "per": "order", "min_order_minor": 0, "reward_id": ""}) />
                    {move || on("stamps")().then(|| view! {
                        {f("program_stamps_goal", "stamps.goal", "")}
                        {f("program_stamps_prefilled", "stamps.prefilled", "program_stamps_prefilled_hint")}
                        <Choice editor label="program_stamps_per" path="stamps.per".to_owned() options=stamp_per />
                        {move || (editor.text_at("stamps.per") == "item").then(|| txt("program_stamps_sku", "stamps.sku", ""))}
                        {m("program_stamps_min_order", "stamps.min_order_minor", "")}
                        <Choice editor label="program_stamps_reward" path="stamps.reward_id".to_owned() options=rewards hint="program_stamps_reward_hint" />
                    })}
                </fieldset>
                <fieldset><legend>{t("program_tiers")}</legend>
                    {f("program_tier_window", "tier_window_days", "program_tier_window_hint")}
                    <List editor path="tiers" add_label="program_add_tier"
                        default=|| json!({"id": "", "name": "", "threshold_minor": 0, "multiplier_pct": 100})
                        fields=&[("program_item_name", "name", Kind::Text), ("program_item_id", "id", Kind::Text), ("program_tier_threshold", "threshold_minor", Kind::Money), ("program_tier_multiplier", "multiplier_pct", Kind::Integer)] />
                </fieldset>
                <fieldset><legend>{t("program_rewards")}</legend>
                    <List editor path="rewards" add_label="program_add_reward"
                        default=|| json!({"id": "", "name": "", "cost_points": 0, "kind": "amount_off", "value_minor": 0})
                        fields=&[("program_item_name", "name", Kind::Text), ("program_item_id", "id", Kind::Text), ("program_reward_cost", "cost_points", Kind::Integer),
                                 ("program_reward_value", "value_minor", Kind::Money), ("program_reward_sku", "sku", Kind::Text)]
                        kinds=true />
                </fieldset>
                <fieldset><legend>{t("program_certificates")}</legend>
                    <List editor path="certificates" add_label="program_add_certificate"
                        default=|| json!({"spend_minor": 20000, "window_days": 182, "value_minor": 2500})
                        fields=&[("program_certificate_spend", "spend_minor", Kind::Money), ("program_certificate_days", "window_days", Kind::Integer), ("program_certificate_value", "value_minor", Kind::Money)] />
                </fieldset>
                <fieldset><legend>{t("program_campaigns")}</legend>
                    <p class="hint">{t("program_campaigns_hint")}</p>
                    <Campaigns editor rewards />
                </fieldset>
                <fieldset><legend>{t("program_feedback")}</legend>
                    <Toggle editor label="program_feedback_on" path="feedback" default=|| json!({"every_nth_order": 3, "points": 0}) />
                    {move || on("feedback")().then(|| view! {
                        {f("program_feedback_every", "feedback.every_nth_order", "program_feedback_every_hint")}
                        {f("program_feedback_points", "feedback.points", "")}
                    })}
                </fieldset>
                <fieldset><legend>{t("program_occasions")}</legend>
                    <p class="hint">{t("program_occasions_hint")}</p>
                    <Toggle editor label="program_anniversary_on" path="anniversary" default=|| json!({"points": 100}) />
                    {move || on("anniversary")().then(|| view! {
                        {f("program_occasion_points", "anniversary.points", "")}
                        <Choice editor label="program_occasion_reward" path="anniversary.reward_id".to_owned() options=optional_rewards />
                    })}
                    <Toggle editor label="program_special_dates_on" path="special_dates" default=|| json!({"points": 100}) />
                    {move || on("special_dates")().then(|| view! {
                        {f("program_occasion_points", "special_dates.points", "")}
                        <Choice editor label="program_occasion_reward" path="special_dates.reward_id".to_owned() options=optional_rewards />
                    })}
                </fieldset>
                <fieldset><legend>{t("program_news")}</legend>
                    <p class="hint">{t("program_news_hint")}</p>
                    <NewsList editor locales />
                </fieldset>
                <fieldset><legend>{t("program_referral")}</legend>
                    <Toggle editor label="program_referral_on" path="referral" default=|| json!({"referrer_points": 500, "referee_points": 250}) />
                    {move || on("referral")().then(|| view! {
                        {f("program_referrer_points", "referral.referrer_points", "")} {f("program_referee_points", "referral.referee_points", "")}
                    })}
                </fieldset>
                <fieldset><legend>{t("program_business")}</legend>
                    <Toggle editor label="program_business_on" path="business" default=|| json!({"rebates": []}) />
                    {move || on("business")().then(|| view! {
                        <List editor path="business.rebates" add_label="program_add_band"
                            default=|| json!({"yearly_volume_minor": 0, "cashback_bp": 100})
                            fields=&[("program_band_volume", "yearly_volume_minor", Kind::Money), ("program_band_cashback", "cashback_bp", Kind::Percent)] />
                    })}
                </fieldset>
                <fieldset><legend>{t("program_look")}</legend>
                    <Toggle editor label="program_theme_on" path="theme" default=|| json!({"brand_color": "#7a3e00", "radius_px": 12}) />
                    {move || on("theme")().then(|| view! {
                        {txt("program_brand_color", "theme.brand_color", "program_brand_color_hint")} {f("program_radius", "theme.radius_px", "")}
                    })}
                </fieldset>
            </form>
            <Preview version />
        </div>
    }
}

/// Who a campaign may reach, and what it may give (the API's `kind`s).
const AUDIENCES: [&str; 5] = ["everyone", "tiers", "segments", "bought_sku", "inactive"];
const EFFECTS: [&str; 5] = [
    "multiplier",
    "bonus_points",
    "points_per_item",
    "first_order_bonus",
    "coupon",
];

/// A new audience of `kind`, with a starting value for its field.
fn audience_default(kind: &str) -> Value {
    match kind {
        "tiers" => json!({"kind": "tiers", "tiers": []}),
        "segments" => json!({"kind": "segments", "segments": ["at_risk", "lost"]}),
        "bought_sku" => json!({"kind": "bought_sku", "sku": ""}),
        "inactive" => json!({"kind": "inactive", "days": 60}),
        _ => json!({"kind": "everyone"}),
    }
}

/// A new effect of `kind`, with starting values.
fn effect_default(kind: &str) -> Value {
    match kind {
        "bonus_points" => json!({"kind": "bonus_points", "points": 50}),
        "points_per_item" => json!({"kind": "points_per_item", "sku": "", "points": 10}),
        "first_order_bonus" => json!({"kind": "first_order_bonus", "points": 100}),
        "coupon" => json!({"kind": "coupon", "sku": "", "min_quantity": 1, "reward_id": ""}),
        _ => json!({"kind": "multiplier", "pct": 200}),
    }
}

/// A new campaign: double points for everyone for a week from now (UTC, to the minute).
fn campaign_default(n: usize) -> Value {
    let (start, end) = run_from_now(7);
    json!({
        "id": format!("campaign-{}", n + 1),
        "name": "",
        "starts_at": start,
        "ends_at": end,
        "audience": audience_default("everyone"),
        "effect": effect_default("multiplier"),
    })
}

/// The program's campaigns: name, time, audience and effect, each field bound to its path.
#[component]
fn Campaigns(editor: Editor, rewards: Signal<Vec<(String, String)>>) -> impl IntoView {
    let len = Memo::new(move |_| editor.doc.with(|d| len_at(d, "campaigns")));
    let effects = options("program_effect_", &EFFECTS);
    view! {
        <div class="list" data-testid="list-campaigns">
            {move || (0..len.get()).map(|i| {
                let base = format!("campaigns[{i}]");
                let at = move |rest: &str| format!("campaigns[{i}].{rest}");
                let effect = move || editor.text_at(&at("effect.kind"));
                view! {
                    <div class="list__row" data-testid="campaign-row">
                        <Field editor label="program_campaign_name" path=at("name") kind=Kind::Text />
                        <Field editor label="program_item_id" path=at("id") kind=Kind::Text />
                        <Field editor label="program_campaign_starts" path=at("starts_at") kind=Kind::DateTime hint="program_campaign_time_hint" />
                        <Field editor label="program_campaign_ends" path=at("ends_at") kind=Kind::DateTime />
                        <AudienceFields editor base=base.clone() />
                        <KindChoice editor label="program_campaign_effect" path=at("effect") options=effects default=effect_default />
                        {move || match effect().as_str() {
                            "multiplier" => view! { <Field editor label="program_effect_pct" path=at("effect.pct") hint="program_effect_pct_hint" /> }.into_any(),
                            "bonus_points" | "first_order_bonus" => view! { <Field editor label="program_effect_points" path=at("effect.points") /> }.into_any(),
                            "points_per_item" => view! {
                                <Field editor label="program_effect_sku" path=at("effect.sku") kind=Kind::Text />
                                <Field editor label="program_effect_points_per_item_field" path=at("effect.points") />
                            }.into_any(),
                            "coupon" => view! {
                                <Field editor label="program_effect_sku" path=at("effect.sku") kind=Kind::Text />
                                <Field editor label="program_effect_min_quantity" path=at("effect.min_quantity") />
                                <Choice editor label="program_effect_reward" path=at("effect.reward_id") options=rewards />
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                        <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| remove_at(d, &base))>{t("program_remove")}</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="button button--quiet" data-testid="add-campaign" on:click=move |_| editor.doc.update(|d| {
                let n = len_at(d, "campaigns");
                let mut items = crate::form::get_at(d, "campaigns").and_then(Value::as_array).cloned().unwrap_or_default();
                items.push(campaign_default(n));
                set_at(d, "campaigns", Value::Array(items));
            })>{t("program_add_campaign")}</button>
        </div>
    }
}

/// Translated options for the API's `kinds`: (kind, the catalog's `{prefix}{kind}`).
fn options(prefix: &'static str, kinds: &'static [&'static str]) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        kinds
            .iter()
            .map(|k| (k.to_string(), t(&format!("{prefix}{k}"))))
            .collect::<Vec<_>>()
    })
}

/// Who a campaign or a piece of news reaches (`{base}.audience`): the kind and its field.
#[component]
fn AudienceFields(editor: Editor, base: String) -> impl IntoView {
    let at = move |rest: &str| format!("{base}.audience{rest}");
    let kind = {
        let at = at.clone();
        move || editor.text_at(&at(".kind"))
    };
    view! {
        <KindChoice editor label="program_campaign_audience" path=at("") options=options("program_audience_", &AUDIENCES) default=audience_default />
        {move || match kind().as_str() {
            "tiers" => view! { <Field editor label="program_audience_tiers_field" path=at(".tiers") kind=Kind::Words hint="program_audience_tiers_hint" /> }.into_any(),
            "segments" => view! { <Field editor label="program_audience_segments_field" path=at(".segments") kind=Kind::Words hint="program_audience_segments_hint" /> }.into_any(),
            "bought_sku" => view! { <Field editor label="program_audience_sku" path=at(".sku") kind=Kind::Text /> }.into_any(),
            "inactive" => view! { <Field editor label="program_audience_days" path=at(".days") /> }.into_any(),
            _ => ().into_any(),
        }}
    }
}

/// A new piece of news: for everyone, from now for two weeks, one text in the program's locale.
fn news_default(n: usize, locale: &str) -> Value {
    let (start, end) = run_from_now(14);
    json!({
        "id": format!("news-{}", n + 1),
        "texts": [{"locale": locale, "title": "", "text": ""}],
        "starts_at": start,
        "ends_at": end,
        "audience": audience_default("everyone"),
        "public": false,
    })
}

/// The program's news: run, audience, public or not, and a text per locale.
#[component]
fn NewsList(editor: Editor, locales: Signal<Vec<(String, String)>>) -> impl IntoView {
    let len = Memo::new(move |_| editor.doc.with(|d| len_at(d, "news")));
    let languages = Signal::derive(move || {
        let mut all = vec![(String::new(), "—".to_owned())];
        all.extend(locales.get().into_iter().filter(|(tag, _)| !tag.is_empty()));
        all
    });
    view! {
        <div class="list" data-testid="list-news">
            {move || (0..len.get()).map(|i| {
                let base = format!("news[{i}]");
                let at = move |rest: &str| format!("news[{i}].{rest}");
                let texts = Memo::new(move |_| editor.doc.with(|d| len_at(d, &format!("news[{i}].texts"))));
                let remove = base.clone();
                view! {
                    <div class="list__row" data-testid="news-row">
                        <Field editor label="program_item_id" path=at("id") kind=Kind::Text />
                        <Field editor label="program_campaign_starts" path=at("starts_at") kind=Kind::DateTime hint="program_campaign_time_hint" />
                        <Field editor label="program_campaign_ends" path=at("ends_at") kind=Kind::DateTime />
                        <AudienceFields editor base=base.clone() />
                        <Flag editor label="program_news_public" path=at("public") />
                        <Field editor label="program_news_link" path=at("link") kind=Kind::Text hint="program_join_url_hint" />
                        {move || (0..texts.get()).map(|j| {
                            let tx = move |rest: &str| format!("news[{i}].texts[{j}].{rest}");
                            view! {
                                <div class="list__row list__row--nested" data-testid="news-text">
                                    <Choice editor label="program_news_locale" path=tx("locale") options=languages />
                                    <Field editor label="program_news_title" path=tx("title") kind=Kind::Text />
                                    <Field editor label="program_news_text" path=tx("text") kind=Kind::Text />
                                    <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| remove_at(d, &format!("news[{i}].texts[{j}]")))>{t("program_remove")}</button>
                                </div>
                            }
                        }).collect_view()}
                        <button type="button" class="button button--quiet" data-testid="add-news-text" on:click=move |_| editor.doc.update(|d| {
                            let path = format!("news[{i}].texts");
                            let mut items = crate::form::get_at(d, &path).and_then(Value::as_array).cloned().unwrap_or_default();
                            items.push(json!({"locale": "", "title": "", "text": ""}));
                            set_at(d, &path, Value::Array(items));
                        })>{t("program_add_news_text")}</button>
                        <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| remove_at(d, &remove))>{t("program_remove")}</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="button button--quiet" data-testid="add-news" on:click=move |_| editor.doc.update(|d| {
                let n = len_at(d, "news");
                let locale = crate::form::get_at(d, "default_locale").and_then(Value::as_str).unwrap_or("en").to_owned();
                let mut items = crate::form::get_at(d, "news").and_then(Value::as_array).cloned().unwrap_or_default();
                items.push(news_default(n, &locale));
                set_at(d, "news", Value::Array(items));
            })>{t("program_add_news")}</button>
        </div>
    }
}

/// A run from now (UTC, to the minute) for `days` days, as RFC 3339 `(start, end)`.
fn run_from_now(days: u32) -> (String, String) {
    let minute = |ms: f64| {
        let iso = String::from(js_sys::Date::new(&ms.into()).to_iso_string());
        format!("{}:00Z", iso.get(..16).unwrap_or_default())
    };
    let now = js_sys::Date::now();
    (minute(now), minute(now + f64::from(days) * 86_400_000.0))
}

/// The whole program in sentences, in the owner's language, updated as they edit.
#[component]
fn Summary(editor: Editor) -> impl IntoView {
    view! {
        <div class="summary" data-testid="program-summary" aria-live="polite">
            {move || editor.doc.with(|d| summary(d, &editor.currency())).into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
        </div>
    }
}

/// The sentences of [`Summary`] for the program `doc` in `currency`.
fn summary(doc: &Value, currency: &str) -> Vec<String> {
    let texts = i18n::i18n();
    let int = |path: &str| crate::form::get_at(doc, path).and_then(Value::as_i64);
    let money = |minor: i64| texts.money(minor, currency);
    let number = |n: i64| texts.number(n);
    let mut lines = Vec::new();
    if let (Some(points), Some(unit)) = (int("earn.points_per_unit"), int("earn.unit_minor")) {
        lines.push(texts.plural("summary_earn", points, &[("money", &money(unit))]));
    }
    if let Some(n) = int("welcome_points").filter(|n| *n > 0) {
        lines.push(texts.plural("summary_welcome", n, &[]));
    }
    if let Some(n) = int("birthday_points").filter(|n| *n > 0) {
        lines.push(texts.plural("summary_birthday", n, &[]));
    }
    if let Some(goal) = int("stamps.goal") {
        let reward_id = crate::form::get_at(doc, "stamps.reward_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let reward = doc
            .get("rewards")
            .and_then(Value::as_array)
            .and_then(|rs| {
                rs.iter()
                    .find(|r| r.get("id").and_then(Value::as_str) == Some(reward_id))
            })
            .and_then(|r| r.get("name").and_then(Value::as_str))
            .unwrap_or(reward_id)
            .to_owned();
        let per_item =
            crate::form::get_at(doc, "stamps.per").and_then(Value::as_str) == Some("item");
        let sku = crate::form::get_at(doc, "stamps.sku")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let key = if per_item {
            "summary_stamps_item"
        } else {
            "summary_stamps_order"
        };
        lines.push(texts.plural(key, goal, &[("reward", &reward), ("sku", sku)]));
        if let Some(n) = int("stamps.prefilled").filter(|n| *n > 0) {
            lines.push(texts.plural("summary_stamps_prefilled", n, &[]));
        }
    }
    let names = |path: &str| -> Vec<String> {
        doc.get(path)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let tiers = names("tiers");
    if !tiers.is_empty() {
        lines.push(texts.fill("summary_tiers", &[("tiers", &tiers.join(", "))]));
    }
    let costs: Vec<i64> = doc
        .get("rewards")
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r.get("cost_points").and_then(Value::as_i64))
                // A reward that costs no points is given, not chosen (the stamp card's).
                .filter(|cost| *cost > 0)
                .collect()
        })
        .unwrap_or_default();
    if let Some(cheapest) = costs.iter().min() {
        lines.push(texts.plural(
            "summary_rewards",
            costs.len() as i64,
            &[("cheapest", &number(*cheapest))],
        ));
    }
    for c in doc
        .get("certificates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let get = |k: &str| c.get(k).and_then(Value::as_i64).unwrap_or_default();
        lines.push(texts.fill(
            "summary_certificate",
            &[
                ("spend", &money(get("spend_minor"))),
                ("days", &number(get("window_days"))),
                ("value", &money(get("value_minor"))),
            ],
        ));
    }
    match int("expiry_days") {
        Some(days) => lines.push(texts.plural("summary_expiry", days, &[])),
        None => lines.push(texts.t("summary_no_expiry")),
    }
    if let (Some(referrer), Some(referee)) = (
        int("referral.referrer_points"),
        int("referral.referee_points"),
    ) {
        lines.push(texts.fill(
            "summary_referral",
            &[
                ("referrer", &number(referrer)),
                ("referee", &number(referee)),
            ],
        ));
    }
    if doc.get("business").is_some_and(|b| !b.is_null()) {
        lines.push(texts.t("summary_business"));
    }
    for c in doc
        .get("campaigns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default();
        let effect = c
            .pointer("/effect/kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        lines.push(texts.fill(
            "summary_campaign",
            &[
                ("name", text("name")),
                ("effect", &texts.t(&format!("program_effect_{effect}"))),
                ("start", &texts.date_time(text("starts_at"))),
                ("end", &texts.date_time(text("ends_at"))),
            ],
        ));
    }
    for (path, key) in [
        ("anniversary", "summary_anniversary"),
        ("special_dates", "summary_special_dates"),
    ] {
        if doc.get(path).is_some_and(|v| !v.is_null()) {
            let points = int(&format!("{path}.points")).unwrap_or(0);
            let reward = crate::form::get_at(doc, &format!("{path}.reward_id"))
                .and_then(Value::as_str)
                .map(|r| texts.fill("summary_occasion_coupon", &[("reward", r)]))
                .unwrap_or_default();
            lines.push(texts.fill(key, &[("points", &number(points)), ("coupon", &reward)]));
        }
    }
    if let (Some(every), Some(points)) = (int("feedback.every_nth_order"), int("feedback.points")) {
        lines.push(texts.fill(
            "summary_feedback",
            &[("orders", &number(every)), ("points", &number(points))],
        ));
    }
    for n in doc
        .get("news")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or_default();
        let title = n
            .pointer("/texts/0/title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let public = n.get("public").and_then(Value::as_bool).unwrap_or(false);
        lines.push(texts.fill(
            if public {
                "summary_news_public"
            } else {
                "summary_news"
            },
            &[
                ("title", title),
                ("start", &texts.date_time(text("starts_at"))),
                ("end", &texts.date_time(text("ends_at"))),
            ],
        ));
    }
    lines
}

/// A list of objects (tiers, rewards …) with add and remove buttons; labels are catalog keys.
/// `kinds`: each item also has a reward kind picker.
#[component]
fn List(
    editor: Editor,
    path: &'static str,
    add_label: &'static str,
    default: fn() -> Value,
    fields: &'static [(&'static str, &'static str, Kind)],
    #[prop(optional)] kinds: bool,
) -> impl IntoView {
    let len = Memo::new(move |_| editor.doc.with(|d| len_at(d, path)));
    let kind_options = Signal::derive(|| {
        ["amount_off", "free_shipping", "free_item"]
            .iter()
            .map(|k| (k.to_string(), t(&format!("program_reward_kind_{k}"))))
            .collect()
    });
    view! {
        <div class="list" data-testid=format!("list-{path}")>
            {move || (0..len.get()).map(|i| view! {
                <div class="list__row">
                    {kinds.then(|| view! { <Choice editor label="program_reward_kind" path=format!("{path}[{i}].kind") options=kind_options /> })}
                    {fields.iter().map(|(label, key, kind)| view! {
                        <Field editor label path=format!("{path}[{i}].{key}") kind=*kind />
                    }).collect_view()}
                    <button type="button" class="button button--quiet" on:click=move |_| editor.doc.update(|d| remove_at(d, &format!("{path}[{i}]")))>{t("program_remove")}</button>
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
            })>{t(add_label)}</button>
        </div>
    }
}

/// The real widget, as a guest and as the member `preview`, reloaded after each save.
#[component]
fn Preview(version: RwSignal<u32>) -> impl IntoView {
    view! {
        <aside class="preview" aria-label=t("preview_label")>
            <h2>{t("preview_title")}</h2>
            <p class="hint">{t("preview_hint")}</p>
            <div class="preview__frames">
                {move || {
                    let v = version.get();
                    view! {
                        <iframe title=t("preview_member") data-testid="preview-member" src=format!("/console/preview.html?mode=member&v={v}")></iframe>
                        <iframe title=t("preview_guest") data-testid="preview-guest" src=format!("/console/preview.html?mode=guest&v={v}")></iframe>
                    }
                }}
            </div>
        </aside>
    }
}
