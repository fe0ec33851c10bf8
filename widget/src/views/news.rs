//! News at the top of the card (and, where public, of the visitors' teaser): each in the
//! shopper's locale or the shop's fallback, with "Read more" and, for members, "New" until seen.

use super::i18n;
use crate::WidgetConfig;
use leptos::prelude::*;
use shared::api::CardNews;

/// The news running by the shopper's clock; for a member (`config` and `token`), the unread
/// ones are marked read once shown.
#[component]
pub fn News(
    /// As the card lists them (`read`: no "New" badge).
    news: Vec<CardNews>,
    /// The program's default locale, the fallback after the shopper's own.
    fallback: Option<String>,
    #[prop(optional)] member: Option<(WidgetConfig, String)>,
) -> impl IntoView {
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
    if let Some((config, token)) = member.filter(|_| !unread.is_empty()) {
        // Marked read for the next visit; this view keeps its "New" badges.
        leptos::task::spawn_local(async move {
            let _ = crate::api::read_news(&config, &token, &unread).await;
        });
    }
    let items = shown
        .into_iter()
        .filter_map(|n| {
            let text = shared::news::text_for(&n.texts, i18n.locale(), fallback.as_deref())?.clone();
            let more = n.link.map(|href| {
                view! { <a class="pc-news__more" href=href target="_top">{i18n.t("news_more")}</a> }
            });
            let badge = (!n.read).then(|| view! { <span class="pc-badge" data-testid="news-new">{i18n.t("news_new")}</span> });
            Some(view! {
                <article class="pc-news" data-testid="news" data-id=n.id>
                    <h3 class="pc-news__title">{badge}{text.title}</h3>
                    <p class="pc-news__text">{text.text}</p>
                    {more}
                </article>
            })
        })
        .collect_view();
    view! { <section class="pc-news-list" aria-label=i18n.t("news_title")>{items}</section> }
}
