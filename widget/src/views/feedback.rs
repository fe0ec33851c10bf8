//! The card's feedback question: "How likely are you to recommend {shop} to a friend?", 0 to 10
//! with an optional comment, and thanks (with the points it earned) once answered.

use super::member::Session;
use super::{heading, i18n, member_form};
use crate::api;
use crate::dom::{current, el, live, value_in, El};
use crate::reactive::*;
use shared::api::Card;
use wasm_bindgen::JsCast;

/// The open question while the card asks one (`shop`: named in it); thanks after the answer.
pub fn feedback(card: RwSignal<Card>, shop: &str, session: &Session) -> web_sys::Node {
    let (shop, session) = (shop.to_owned(), session.clone());
    let thanked = RwSignal::new(false);
    live(move || {
        let i18n = i18n();
        if thanked.get() {
            return Some(
                el("p")
                    .class("pc-notice")
                    .testid("feedback-thanks")
                    .attr("role", "status")
                    .child(i18n.t("feedback_thanks")),
            );
        }
        let asked = card
            .with(|c| c.feedback.clone())
            .filter(|f| super::runs_now("", &f.until))?;
        let reward = (asked.points > 0).then(|| {
            let points = i18n.plural("points_n", asked.points, &[]);
            el("p")
                .class("pc-muted")
                .child(i18n.fill("feedback_reward", &[("points", &points)]))
        });
        // A score is picked in place (no rebuild, so a comment being typed stays).
        let scores: Vec<El> = (0..=10u8)
            .map(|n| {
                el("button")
                    .attr("type", "button")
                    .class("pc-score")
                    .testid("feedback-score")
                    .attr("aria-pressed", "false")
                    .attr("value", &n.to_string())
                    .on("click", pick_score)
                    .child(n.to_string())
            })
            .collect();
        let session = session.clone();
        let send = move |form: &web_sys::Element| {
            let score = value_in(form, "[aria-pressed=true]").parse::<u8>().ok()?;
            let comment = value_in(form, "textarea");
            let (session, question) = (session.clone(), asked.question);
            Some(async move {
                api::answer_feedback(&session.config, &session.token, question, score, &comment)
                    .await
            })
        };
        let done = move |new| {
            thanked.set(true);
            card.set(new);
        };
        Some(
            member_form("pc-feedback", "feedback", send, done)
                .child(
                    heading(i18n.fill("feedback_question", &[("shop", &shop)]))
                        .attr("id", "pc-feedback-q"),
                )
                .child(reward)
                .child(
                    el("div")
                        .class("pc-scores")
                        .attr("role", "group")
                        .attr("aria-labelledby", "pc-feedback-q")
                        .child(scores),
                )
                .child(
                    el("div")
                        .class("pc-scores__ends pc-muted")
                        .child(el("span").child(i18n.t("feedback_low")))
                        .child(el("span").child(i18n.t("feedback_high"))),
                )
                .child(
                    el("textarea")
                        .class("pc-input")
                        .testid("feedback-comment")
                        .attr("maxlength", "500")
                        .attr("rows", "2")
                        .attr("aria-label", &i18n.t("feedback_comment"))
                        .attr("placeholder", &i18n.t("feedback_comment")),
                )
                .child(
                    el("button")
                        .attr("type", "submit")
                        .class("pc-button")
                        .testid("feedback-send")
                        .flag("disabled", true)
                        .child(i18n.t("feedback_send")),
                ),
        )
    })
}

/// Marks the clicked score pressed (and the others not) and lets the form be sent.
fn pick_score(event: web_sys::Event) {
    let Some(button) = current(&event) else {
        return;
    };
    let Some(form) = button.closest("form").ok().flatten() else {
        return;
    };
    if let Ok(all) = form.query_selector_all(".pc-score") {
        for i in 0..all.length() {
            if let Some(el) = all
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.set_attribute("aria-pressed", "false");
            }
        }
    }
    let _ = button.set_attribute("aria-pressed", "true");
    if let Ok(Some(send)) = form.query_selector("[type=submit]") {
        let _ = send.remove_attribute("disabled");
    }
}
