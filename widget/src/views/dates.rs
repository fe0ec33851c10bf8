//! The member's own dates to celebrate ("Our wedding anniversary"): the ones set, and while
//! fewer than three, a form for another.

use super::birthday::MonthDay;
use super::i18n;
use super::status::error_key;
use crate::api::{self, ApiError};
use crate::WidgetConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Card;

/// The dates the member set and the form for another.
#[component]
pub fn Dates(card: RwSignal<Card>, config: WidgetConfig, token: String) -> impl IntoView {
    let i18n = i18n();
    let label = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let day = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (l, m, d) = (
            label.get_untracked(),
            month.get_untracked(),
            day.get_untracked(),
        );
        if l.trim().is_empty() || m.is_empty() || d.is_empty() {
            return;
        }
        let date = format!("{m:0>2}-{d:0>2}");
        let (config, token) = (config.clone(), token.clone());
        spawn_local(async move {
            match api::add_date(&config, &token, l.trim(), &date).await {
                Ok(new_card) => {
                    error.set(None);
                    label.set(String::new());
                    month.set(String::new());
                    day.set(String::new());
                    card.set(new_card);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        let dates = card.with(|c| c.dates.clone());
        let list = dates
            .iter()
            .map(|d| {
                let (m, day) = shared::time::parse_month_day(&d.date).unwrap_or((1, 1));
                let text = i18n.fill(
                    "dates_item",
                    &[("label", &d.label), ("date", &i18n.month_day(m, day))],
                );
                view! { <li data-testid="date">{text}</li> }
            })
            .collect_view();
        let form = (dates.len() < shared::occasions::MAX_DATES).then(|| {
            let err = {
                let i18n = i18n.clone();
                move || error.get().map(|e| view! { <p class="pc-error-line" role="alert">{i18n.t(error_key(&e))}</p> })
            };
            view! {
                <form class="pc-dates__form" data-testid="dates-form" on:submit=save.clone()>
                    <label class="pc-dates__label">
                        <span class="pc-label">{i18n.t("dates_label")}</span>
                        <input class="pc-input" type="text" required maxlength="40" data-testid="date-label"
                            placeholder=i18n.t("dates_label_hint") prop:value=move || label.get()
                            on:input=move |ev| label.set(event_target_value(&ev)) />
                    </label>
                    <div class="pc-row">
                        <MonthDay month day />
                        <button type="submit" class="pc-button">{i18n.t("save")}</button>
                    </div>
                    {err}
                </form>
            }
        });
        view! {
            <div class="pc-dates" data-testid="dates">
                <h3 class="pc-h">{i18n.t("dates_title")}</h3>
                <p class="pc-muted">{i18n.t("dates_prompt")}</p>
                <ul class="pc-list">{list}</ul>
                {form}
            </div>
        }
    }
}
