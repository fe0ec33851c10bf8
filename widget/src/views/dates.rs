//! The member's own dates to celebrate ("Our wedding anniversary"): the ones set, and while
//! fewer than three, a form for another.

use super::birthday::{month_day, month_day_in, submit};
use super::member::Session;
use super::{heading, i18n, member_form};
use crate::api;
use crate::dom::{el, live, value_in, El};
use crate::reactive::*;
use shared::api::Card;

/// The dates the member set and the form for another.
pub fn dates(card: RwSignal<Card>, session: &Session) -> web_sys::Node {
    let session = session.clone();
    live(move || {
        let i18n = i18n();
        let dates = card.with(|c| c.dates.clone());
        let list: Vec<El> = dates
            .iter()
            .map(|d| {
                let (m, day) = shared::time::parse_month_day(&d.date).unwrap_or((1, 1));
                let text = i18n.fill(
                    "dates_item",
                    &[("label", &d.label), ("date", &i18n.month_day(m, day))],
                );
                el("li").testid("date").child(text)
            })
            .collect();
        let form =
            (dates.len() < shared::occasions::MAX_DATES).then(|| {
                let session = session.clone();
                let send = move |form: &web_sys::Element| {
                    let label = value_in(form, "[name=label]").trim().to_owned();
                    let date = month_day_in(form).filter(|_| !label.is_empty())?;
                    let session = session.clone();
                    Some(async move {
                        api::add_date(&session.config, &session.token, &label, &date).await
                    })
                };
                // The new card lists the date; the form comes back empty.
                member_form("pc-dates__form", "dates-form", send, move |new| {
                    card.set(new)
                })
                .child(
                    el("label")
                        .class("pc-dates__label")
                        .child(el("span").class("pc-label").child(i18n.t("dates_label")))
                        .child(
                            el("input")
                                .class("pc-input")
                                .attr("type", "text")
                                .attr("name", "label")
                                .flag("required", true)
                                .attr("maxlength", "40")
                                .testid("date-label")
                                .attr("placeholder", &i18n.t("dates_label_hint")),
                        ),
                )
                .child(
                    el("div")
                        .class("pc-row")
                        .child(month_day(&i18n))
                        .child(submit(&i18n)),
                )
            });
        Some(
            el("div")
                .class("pc-dates")
                .testid("dates")
                .child(heading(i18n.t("dates_title")))
                .child(el("p").class("pc-muted").child(i18n.t("dates_prompt")))
                .child(el("ul").class("pc-list").child(list))
                .child(form),
        )
    })
}
