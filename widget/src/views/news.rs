//! News at the top of the card (and, where public, of the visitors' teaser): each in the
//! shopper's locale or the shop's fallback, with "Read more" and, for members, "New" until seen.

use super::i18n;
use super::member::Session;
use crate::dom::{el, El};
use shared::api::CardNews;

/// The news running by the shopper's clock (`fallback`: the program's default locale, after the
/// shopper's own); for a member (`session`), the unread ones are marked read once shown.
pub fn news(news: Vec<CardNews>, fallback: Option<&str>, session: Option<&Session>) -> El {
    let i18n = i18n();
    let shown: Vec<CardNews> = news
        .into_iter()
        .filter(|n| super::runs_now(&n.starts_at, &n.ends_at))
        .collect();
    let unread: Vec<String> = shown
        .iter()
        .filter(|n| !n.read)
        .map(|n| n.id.clone())
        .collect();
    if let Some(session) = session.filter(|_| !unread.is_empty()).cloned() {
        // Marked read for the next visit; this view keeps its "New" badges.
        crate::reactive::spawn_local(async move {
            let _ = crate::api::read_news(&session.config, &session.token, &unread).await;
        });
    }
    let items: Vec<El> = shown
        .into_iter()
        .filter_map(|n| {
            let text = shared::news::text_for(&n.texts, i18n.locale(), fallback)?;
            let badge = (!n.read).then(|| {
                el("span")
                    .class("pc-badge")
                    .testid("news-new")
                    .child(i18n.t("news_new"))
            });
            let more = n.link.as_ref().map(|href| {
                el("a")
                    .class("pc-news__more")
                    .attr("href", href)
                    .attr("target", "_top")
                    .child(i18n.t("news_more"))
            });
            Some(
                el("article")
                    .class("pc-news")
                    .testid("news")
                    .attr("data-id", &n.id)
                    .child(
                        el("h3")
                            .class("pc-news__title")
                            .child(badge)
                            .child(text.title.as_str()),
                    )
                    .child(el("p").class("pc-news__text").child(text.text.as_str()))
                    .child(more),
            )
        })
        .collect();
    el("section")
        .class("pc-news-list")
        .attr("aria-label", &i18n.t("news_title"))
        .child(items)
}
