//! What the member earned and spent: when, what, how much, why.

use super::i18n;
use crate::dom::{el, live, El};
use crate::reactive::*;
use shared::api::{Card, HistoryEntry};

/// The card's history lines (newest first), folded away behind a `<details>`.
pub fn history(card: RwSignal<Card>) -> El {
    let i18n = i18n();
    el("details")
        .class("pc-history")
        .testid("history")
        .child(el("summary").class("pc-h").child(i18n.t("history_title")))
        .child(live(move || {
            let i18n = super::i18n();
            let lines: Vec<El> =
                card.with(|c| c.history.iter().map(|l| history_line(l, &i18n)).collect());
            Some(if lines.is_empty() {
                el("p").class("pc-muted").child(i18n.t("history_empty"))
            } else {
                el("ul").class("pc-list").child(lines)
            })
        }))
}

/// One line: date, kind, the points and stamps it moved, the note.
fn history_line(line: &HistoryEntry, i18n: &crate::i18n::I18n) -> El {
    let kind = match i18n.t(&format!("kind_{}", line.kind)) {
        missing if missing.starts_with("kind_") => line.kind.clone(),
        kind => kind,
    };
    let mut amounts = Vec::new();
    for (n, key) in [(line.points, "points_n"), (line.stamps, "stamps_n")] {
        if n != 0 {
            let sign = if n > 0 { "+" } else { "−" };
            amounts.push(format!("{sign}{}", i18n.plural(key, n.abs(), &[])));
        }
    }
    el("li")
        .class("pc-history__line")
        .child(el("span").class("pc-muted").child(i18n.date(&line.at)))
        .child(el("span").child(kind))
        .child(
            el("span")
                .class("pc-history__amount")
                .child(amounts.join(" · ")),
        )
        .child(
            el("span")
                .class("pc-history__note")
                .child(line.note.as_str()),
        )
}
