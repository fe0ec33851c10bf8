//! One module per console page.

pub mod analytics;
pub mod install;
pub mod keys;
pub mod members;
pub mod program;
pub mod store;
pub mod webhooks;

use crate::i18n::{fill, i18n};
use leptos::prelude::*;
use shared::api::ShopCustomerView;

/// A message that holds elements, cut at its `{name}` placeholders: each piece of text with the
/// name of the placeholder that follows it (`None` after the last piece), so the page can put an
/// element where the translation puts the placeholder. `"Tier: {tier}"` →
/// `[("Tier: ", Some("tier")), ("", None)]`.
pub fn pieces(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((name, next)) = after.split_once('}') else {
            break;
        };
        out.push((before.to_owned(), Some(name.to_owned())));
        rest = next;
    }
    out.push((rest.to_owned(), None));
    out
}

/// The text before and after the placeholder `{hole}` of a message that holds one element.
pub fn around(text: &str, hole: &str) -> (String, String) {
    text.split_once(&format!("{{{hole}}}"))
        .map(|(before, after)| (before.to_owned(), after.to_owned()))
        .unwrap_or_else(|| (text.to_owned(), String::new()))
}

/// A member's card as staff see it: points, tier, stamps, coupons.
#[component]
pub fn MemberCard(member: ShopCustomerView) -> impl IntoView {
    let texts = i18n();
    let card = member.card;
    let stamps = card.stamps.clone().map(|s| {
        let filled = texts.number(s.filled.into());
        let goal = texts.number(s.goal.into());
        view! {
            <p data-testid="member-stamps">
                <span class="stamps" role="img" aria-label=texts.plural("card_stamps_label", s.goal.into(), &[("filled", &filled)])>
                    {(0..s.goal).map(|i| view! { <span class=if i < s.filled { "slot slot--on" } else { "slot" }></span> }).collect_view()}
                </span>
                " " {fill("card_stamps_count", &[("filled", &filled), ("goal", &goal)])}
            </p>
        }
    });
    // `{points}`, not `{n}`: the number goes into its own element.
    let (points_before, points_after) =
        around(&texts.plural("card_points", card.points, &[]), "points");
    let tier = card.tier.clone().map(|t| {
        let (before, after) = around(&texts.t("card_tier"), "tier");
        view! { <p>{before} <strong>{t.name}</strong> {after}</p> }
    });
    view! {
        <section class="card member" data-testid="member">
            <h3>{card.customer_id.clone()} " " <code data-testid="member-code">{card.member_code.clone()}</code></h3>
            <p class="big">{points_before} <span data-testid="member-points">{texts.number(card.points)}</span> {points_after}
                {(card.pending_points > 0).then(|| format!(" {}", texts.plural("card_pending", card.pending_points, &[])))}</p>
            {tier}
            {stamps}
            {(!card.coupons.is_empty()).then(|| view! {
                <p>{fill("card_coupons", &[("codes", &card.coupons.iter().map(|c| c.code.clone()).collect::<Vec<_>>().join(", "))])}</p>
            })}
            {(member.debt_points > 0).then(|| view! { <p class="alert">{texts.plural("card_debt", member.debt_points, &[])}</p> })}
        </section>
    }
}

/// Offers `text` as a file download named `name`, of media type `mime`.
pub fn download(name: &str, text: &str, mime: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(e).ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
