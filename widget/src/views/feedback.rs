//! The card's feedback question: "How likely are you to recommend {shop} to a friend?", 0 to 10
//! with an optional comment, and thanks (with the points it earned) once answered.

use super::i18n;
use super::status::error_key;
use crate::api::{self, ApiError};
use crate::WidgetConfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::Card;

/// The open question while the card asks one; thanks after the answer.
#[component]
pub fn Feedback(
    card: RwSignal<Card>,
    /// Named in the question.
    shop: String,
    config: WidgetConfig,
    token: String,
) -> impl IntoView {
    let i18n = i18n();
    let score = RwSignal::new(None::<u8>);
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let thanked = RwSignal::new(false);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(value), Some(asked)) = (
            score.get_untracked(),
            card.with_untracked(|c| c.feedback.clone()),
        ) else {
            return;
        };
        let (config, token, text) = (config.clone(), token.clone(), comment.get_untracked());
        spawn_local(async move {
            match api::answer_feedback(&config, &token, asked.question, value, &text).await {
                Ok(new_card) => {
                    thanked.set(true);
                    card.set(new_card);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    move || {
        let i18n = i18n.clone();
        if thanked.get() {
            return view! { <p class="pc-notice" data-testid="feedback-thanks" role="status">{i18n.t("feedback_thanks")}</p> }.into_any();
        }
        let Some(asked) = card
            .with(|c| c.feedback.clone())
            .filter(|f| super::runs_now("", &f.until))
        else {
            return ().into_any();
        };
        let question = i18n.fill("feedback_question", &[("shop", &shop)]);
        let reward = (asked.points > 0).then(|| {
            let points = i18n.plural("points_n", asked.points, &[]);
            view! { <p class="pc-muted">{i18n.fill("feedback_reward", &[("points", &points)])}</p> }
        });
        let scores = (0..=10u8)
            .map(|n| {
                view! {
                    <button type="button" class="pc-score" data-testid="feedback-score"
                        aria-pressed=move || (score.get() == Some(n)).to_string()
                        on:click=move |_| score.set(Some(n))>{n}</button>
                }
            })
            .collect_view();
        let err = {
            let i18n = i18n.clone();
            move || {
                error.get().map(
                    |e| view! { <p class="pc-error-line" role="alert">{i18n.t(error_key(&e))}</p> },
                )
            }
        };
        view! {
            <form class="pc-feedback" data-testid="feedback" on:submit=send.clone()>
                <h3 class="pc-h" id="pc-feedback-q">{question}</h3>
                {reward}
                <div class="pc-scores" role="group" aria-labelledby="pc-feedback-q">{scores}</div>
                <div class="pc-scores__ends pc-muted"><span>{i18n.t("feedback_low")}</span><span>{i18n.t("feedback_high")}</span></div>
                <textarea class="pc-input" data-testid="feedback-comment" maxlength="500" rows="2"
                    aria-label=i18n.t("feedback_comment") placeholder=i18n.t("feedback_comment")
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <button type="submit" class="pc-button" data-testid="feedback-send"
                    disabled=move || score.get().is_none()>{i18n.t("feedback_send")}</button>
                {err}
            </form>
        }
        .into_any()
    }
}
