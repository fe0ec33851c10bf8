//! Birthday entry: the member tells the shop their birthday once (month and day, no year).

use super::member::Session;
use super::{heading, i18n, member_form};
use crate::api;
use crate::dom::{el, live, value_in, El};
use crate::i18n::I18n;
use crate::reactive::*;
use shared::api::Card;

/// A month and day form while the birthday is unknown (`points`: what the member gets); the date
/// once it is set.
pub fn birthday(card: RwSignal<Card>, points: i64, session: &Session) -> web_sys::Node {
    let session = session.clone();
    live(move || {
        let i18n = i18n();
        Some(match card.with(|c| c.birthday.clone()) {
            Some(date) => {
                let (m, d) = shared::time::parse_month_day(&date).unwrap_or((1, 1));
                let text = i18n.fill("birthday_saved", &[("date", &i18n.month_day(m, d))]);
                el("p").class("pc-muted").testid("birthday").child(text)
            }
            None => {
                let session = session.clone();
                let send = move |form: &web_sys::Element| {
                    let date = month_day_in(form)?;
                    let session = session.clone();
                    Some(
                        async move { api::set_birthday(&session.config, &session.token, &date).await },
                    )
                };
                member_form("pc-birthday", "birthday", send, move |new| card.set(new))
                    .child(heading(i18n.t("birthday_title")))
                    .child(el("p").class("pc-muted").child(i18n.plural(
                        "birthday_prompt",
                        points,
                        &[],
                    )))
                    .child(
                        el("div")
                            .class("pc-row")
                            .child(month_day(&i18n))
                            .child(submit(&i18n)),
                    )
            }
        })
    })
}

/// The form's save button.
pub fn submit(i18n: &I18n) -> El {
    el("button")
        .attr("type", "submit")
        .class("pc-button")
        .child(i18n.t("save"))
}

/// The `MM-DD` chosen in a form's [`month_day`] selects, once both are.
pub fn month_day_in(form: &web_sys::Element) -> Option<String> {
    let (m, d) = (value_in(form, "[name=month]"), value_in(form, "[name=day]"));
    (!m.is_empty() && !d.is_empty()).then(|| format!("{m:0>2}-{d:0>2}"))
}

/// A month and a day select (no year), for birthdays and the member's own dates.
pub fn month_day(i18n: &I18n) -> Vec<El> {
    let select = |label: &str, name: &str, options: Vec<(u8, String)>| {
        let options: Vec<El> = options
            .into_iter()
            .map(|(value, text)| el("option").attr("value", &value.to_string()).child(text))
            .collect();
        el("label")
            .child(el("span").class("pc-label").child(i18n.t(label)))
            .child(
                el("select")
                    .attr("name", name)
                    .flag("required", true)
                    .child(el("option").attr("value", "").child("—"))
                    .child(options),
            )
    };
    vec![
        select(
            "birthday_month",
            "month",
            (1..=12).map(|m| (m, i18n.month_name(m))).collect(),
        ),
        select(
            "birthday_day",
            "day",
            (1..=31).map(|d| (d, d.to_string())).collect(),
        ),
    ]
}
