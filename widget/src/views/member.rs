//! A member's whole card: points, tier, stamps, rewards, coupons, member code and QR code,
//! referral link, birthday entry and history.

use super::birthday::Birthday;
use super::card::{Points, StampCard, TierProgress};
use super::dates::Dates;
use super::feedback::Feedback;
use super::history::History;
use super::i18n;
use super::news::News;
use super::rewards::{CopyCode, Coupons, Rewards};
use crate::WidgetConfig;
use leptos::prelude::*;
use shared::api::Card;
use shared::program::Program;

/// The member view.
#[component]
pub fn Member(
    /// The card as the API returned it.
    card: Card,
    program: Program,
    config: WidgetConfig,
    /// The member's token, for redemptions and birthday entry.
    token: String,
) -> impl IntoView {
    let i18n = i18n();
    let card = RwSignal::new(card);
    let referral = program.referral.clone().zip(program.join_url.clone());
    let birthday_points = program.birthday_points.filter(|p| *p > 0);
    let (config2, token2) = (config.clone(), token.clone());
    view! {
        <div class="pc-card" data-testid="card">
            <h2 class="pc-title">{program.name.clone()}</h2>
            <News news=card.with_untracked(|c| c.news.clone()) fallback=program.default_locale.clone() member=(config.clone(), token.clone()) />
            {move || view! { <Points card=card.get() /> }}
            <Feedback card shop=program.name.clone() config=config.clone() token=token.clone() />
            {move || card.with(|c| c.tier.clone()).map(|tier| view! { <TierProgress tier currency=card.with(|c| c.currency.clone()) /> })}
            {move || card.with(|c| c.stamps.clone()).map(|stamps| view! { <StampCard stamps /> })}
            <Rewards card config=config.clone() token=token.clone() />
            <Coupons card program=program.clone() />
            <MemberCode code=card.with_untracked(|c| c.member_code.clone()) />
            {referral.map(|(r, url)| {
                let code = card.with_untracked(|c| c.member_code.clone());
                let text = i18n.fill(
                    "referral_text",
                    &[("friend", &i18n.plural("points_n", r.referee_points, &[])),
                      ("you", &i18n.plural("points_n", r.referrer_points, &[]))],
                );
                view! {
                    <div class="pc-referral" data-testid="referral">
                        <h3 class="pc-h">{i18n.t("referral_title")}</h3>
                        <p class="pc-muted">{text}</p>
                        <CopyCode code=referral_link(&url, &code) testid="referral-link" />
                    </div>
                }
            })}
            {birthday_points.map(|points| view! { <Birthday card points config=config2.clone() token=token2.clone() /> })}
            {program.special_dates.is_some().then(|| view! { <Dates card config=config.clone() token=token.clone() /> })}
            <History card />
        </div>
    }
}

/// The shop's join URL (absolute, or a path on the storefront) with `ref=<member code>`.
pub fn referral_link(join_url: &str, member_code: &str) -> String {
    let base = if join_url.starts_with('/') {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        format!("{origin}{join_url}")
    } else {
        join_url.to_owned()
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}ref={member_code}")
}

/// The member code as text and as a QR code, for the staff in store.
#[component]
pub fn MemberCode(code: String) -> impl IntoView {
    let i18n = i18n();
    let qr = crate::qr::svg_path(&code).map(|(size, path)| {
        let label = i18n.fill("member_code_qr", &[("code", &code)]);
        view! {
            <svg class="pc-qr" data-testid="qr" role="img" aria-label=label
                viewBox=format!("0 0 {size} {size}") shape-rendering="crispEdges">
                <rect width="100%" height="100%" fill="#fff"></rect>
                <path d=path fill="#000"></path>
            </svg>
        }
    });
    view! {
        <div class="pc-member">
            <h3 class="pc-h">{i18n.t("member_code_title")}</h3>
            {qr}
            <p class="pc-code pc-code--big" data-testid="member-code">{code}</p>
            <p class="pc-muted">{i18n.t("member_code_hint")}</p>
        </div>
    }
}
