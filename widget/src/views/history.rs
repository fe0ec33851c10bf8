//! What the member earned and spent: when, what, how much, why.

use super::i18n;
use leptos::prelude::*;
use shared::api::Card;

/// The card's history lines (newest first), folded away behind a `<details>`.
#[component]
pub fn History(card: RwSignal<Card>) -> impl IntoView {
    let i18n = i18n();
    let title = i18n.t("history_title");
    let lines = move || {
        let history = card.with(|c| c.history.clone());
        if history.is_empty() {
            return view! { <p class="pc-muted">{i18n.t("history_empty")}</p> }.into_any();
        }
        history
            .into_iter()
            .map(|line| {
                let kind = i18n.t(&format!("kind_{}", line.kind));
                let kind = if kind.starts_with("kind_") {
                    line.kind.clone()
                } else {
                    kind
                };
                let mut amounts = Vec::new();
                if line.points != 0 {
                    let sign = if line.points > 0 { "+" } else { "−" };
                    amounts.push(format!(
                        "{sign}{}",
                        i18n.plural("points_n", line.points.abs(), &[])
                    ));
                }
                if line.stamps != 0 {
                    let sign = if line.stamps > 0 { "+" } else { "−" };
                    amounts.push(format!(
                        "{sign}{}",
                        i18n.plural("stamps_n", line.stamps.abs(), &[])
                    ));
                }
                view! {
                    <li class="pc-history__line">
                        <span class="pc-muted">{i18n.date(&line.at)}</span>
                        <span>{kind}</span>
                        <span class="pc-history__amount">{amounts.join(" · ")}</span>
                        <span class="pc-history__note">{line.note}</span>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <details class="pc-history" data-testid="history">
            <summary class="pc-h">{title}</summary>
            <ul class="pc-list">{lines}</ul>
        </details>
    }
}
