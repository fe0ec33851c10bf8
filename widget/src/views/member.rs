//! A member's whole card: points, tier, stamps, rewards, coupons, member code and QR code,
//! referral link, birthday entry and history.

use super::birthday::birthday;
use super::card::{points, stamp_card, tier_progress};
use super::dates::dates;
use super::feedback::feedback;
use super::history::history;
use super::news::news;
use super::rewards::{copy_code, coupons, rewards};
use super::{heading, i18n};
use crate::dom::{el, live, svg, El};
use crate::reactive::*;
use crate::WidgetConfig;
use shared::api::Card;
use shared::program::Program;

/// What a member's own requests need: where to send them and the member's token.
#[derive(Debug, Clone)]
pub struct Session {
    pub config: WidgetConfig,
    pub token: String,
}

/// The member view: `card` as the API returned it; `token` for redemptions and the forms.
pub fn member(card: Card, program: &Program, config: &WidgetConfig, token: &str) -> El {
    let i18n = i18n();
    let session = Session {
        config: config.clone(),
        token: token.to_owned(),
    };
    let news = news(
        card.news.clone(),
        program.default_locale.as_deref(),
        Some(&session),
    );
    let code = card.member_code.clone();
    let card = RwSignal::new(card);
    let referral = program
        .referral
        .as_ref()
        .zip(program.join_url.as_deref())
        .map(|(r, url)| {
            let text = i18n.fill(
                "referral_text",
                &[
                    ("friend", &i18n.plural("points_n", r.referee_points, &[])),
                    ("you", &i18n.plural("points_n", r.referrer_points, &[])),
                ],
            );
            el("div")
                .class("pc-referral")
                .testid("referral")
                .child(heading(i18n.t("referral_title")))
                .child(el("p").class("pc-muted").child(text))
                .child(copy_code(&referral_link(url, &code), "referral-link"))
        });
    let birthday = program
        .birthday_points
        .filter(|p| *p > 0)
        .map(|points| birthday(card, points, &session));
    let dates = program
        .special_dates
        .is_some()
        .then(|| dates(card, &session));
    el("div")
        .class("pc-card")
        .testid("card")
        .child(el("h2").class("pc-title").child(program.name.as_str()))
        .child(news)
        .child(live(move || Some(card.with(points))))
        .child(feedback(card, &program.name, &session))
        .child(live(move || {
            card.with(|c| c.tier.as_ref().map(|t| tier_progress(t, &c.currency)))
        }))
        .child(live(move || {
            card.with(|c| c.stamps.as_ref().map(stamp_card))
        }))
        .child(rewards(card, &session))
        .child(coupons(card, program))
        .child(member_code(&code))
        .child(referral)
        .child(birthday)
        .child(dates)
        .child(history(card))
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
pub fn member_code(code: &str) -> El {
    let i18n = i18n();
    let qr = crate::qr::svg_path(code).map(|(size, path)| {
        let label = i18n.fill("member_code_qr", &[("code", code)]);
        svg("svg")
            .class("pc-qr")
            .testid("qr")
            .attr("role", "img")
            .attr("aria-label", &label)
            .attr("viewBox", &format!("0 0 {size} {size}"))
            .attr("shape-rendering", "crispEdges")
            .child(
                svg("rect")
                    .attr("width", "100%")
                    .attr("height", "100%")
                    .attr("fill", "#fff"),
            )
            .child(svg("path").attr("d", &path).attr("fill", "#000"))
    });
    el("div")
        .class("pc-member")
        .child(heading(i18n.t("member_code_title")))
        .child(qr)
        .child(
            el("p")
                .class("pc-code pc-code--big")
                .testid("member-code")
                .child(code),
        )
        .child(el("p").class("pc-muted").child(i18n.t("member_code_hint")))
}
