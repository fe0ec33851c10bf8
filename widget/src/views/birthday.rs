//! Birthday entry: the member tells the shop their birthday once (month and day, no year).

use super::i18n;
use super::status::error_key;
use crate::api::{self, ApiError};
use crate::WidgetConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Card;

/// A month and day form while the birthday is unknown; the date once it is set.
#[component]
pub fn Birthday(
    card: RwSignal<Card>,
    /// The program's birthday points (the form says what the member gets).
    points: i64,
    config: WidgetConfig,
    token: String,
) -> impl IntoView {
    let i18n = i18n();
    let month = RwSignal::new(String::new());
    let day = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (m, d) = (month.get_untracked(), day.get_untracked());
        if m.is_empty() || d.is_empty() {
            return;
        }
        let date = format!("{m:0>2}-{d:0>2}");
        let (config, token) = (config.clone(), token.clone());
        spawn_local(async move {
            match api::set_birthday(&config, &token, &date).await {
                Ok(new_card) => card.set(new_card),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        match card.with(|c| c.birthday.clone()) {
            Some(date) => {
                let (m, d) = shared::time::parse_month_day(&date).unwrap_or((1, 1));
                let text = i18n.fill("birthday_saved", &[("date", &i18n.month_day(m, d))]);
                view! { <p class="pc-muted" data-testid="birthday">{text}</p> }.into_any()
            }
            None => {
                let prompt = i18n.plural("birthday_prompt", points, &[]);
                let err = {
                    let i18n = i18n.clone();
                    move || {
                        error.get().map(|e| view! { <p class="pc-error-line" role="alert">{i18n.t(error_key(&e))}</p> })
                    }
                };
                view! {
                    <form class="pc-birthday" data-testid="birthday" on:submit=save.clone()>
                        <h3 class="pc-h">{i18n.t("birthday_title")}</h3>
                        <p class="pc-muted">{prompt}</p>
                        <div class="pc-row">
                            <MonthDay month day />
                            <button type="submit" class="pc-button">{i18n.t("save")}</button>
                        </div>
                        {err}
                    </form>
                }
                .into_any()
            }
        }
    }
}

/// A month and a day select (no year), for birthdays and the member's own dates.
#[component]
pub fn MonthDay(month: RwSignal<String>, day: RwSignal<String>) -> impl IntoView {
    let i18n = i18n();
    let months = (1..=12u8)
        .map(|m| view! { <option value=m.to_string() selected=move || month.get() == m.to_string()>{i18n.month_name(m)}</option> })
        .collect_view();
    let days = (1..=31u8)
        .map(|d| view! { <option value=d.to_string() selected=move || day.get() == d.to_string()>{d}</option> })
        .collect_view();
    view! {
        <label>
            <span class="pc-label">{i18n.t("birthday_month")}</span>
            <select required on:change=move |ev| month.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {months}
            </select>
        </label>
        <label>
            <span class="pc-label">{i18n.t("birthday_day")}</span>
            <select required on:change=move |ev| day.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {days}
            </select>
        </label>
    }
}
