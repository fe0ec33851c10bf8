//! The shell: sign-in, then a navigation bar and the page chosen by the URL's hash.

use crate::api;
use crate::i18n::{self, t};
use crate::pages::{
    analytics::AnalyticsPage, install::InstallPage, members::MembersPage, program::ProgramPage,
    store::StorePage, webhooks::WebhooksPage,
};
use crate::session::Session;
use leptos::prelude::*;

/// The console's pages, addressed as `#program`, `#install`, `#members`, `#store`, `#analytics`, `#webhooks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Program,
    Install,
    Members,
    Store,
    Analytics,
    Webhooks,
}

impl Page {
    /// Each page, its slug and the catalog key of its tab.
    const ALL: [(Page, &'static str, &'static str); 6] = [
        (Page::Analytics, "analytics", "tab_analytics"),
        (Page::Members, "members", "tab_members"),
        (Page::Store, "store", "tab_store"),
        (Page::Program, "program", "tab_program"),
        (Page::Install, "install", "tab_install"),
        (Page::Webhooks, "webhooks", "tab_webhooks"),
    ];

    fn from_hash() -> Page {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        Page::ALL
            .iter()
            .find(|(_, slug, _)| hash.trim_start_matches('#') == *slug)
            .map_or(Page::Analytics, |(p, _, _)| *p)
    }
}

/// The console: its texts in the owner's language first, then sign-in or the pages.
#[component]
pub fn App() -> impl IntoView {
    let session = RwSignal::new(Session::load());
    let locale = RwSignal::new(i18n::initial_locale());
    let catalog = LocalResource::new(move || i18n::load(locale.get()));
    move || match catalog.get() {
        None => view! { <main class="page" aria-busy="true"></main> }.into_any(),
        // No catalog at all: the one place where words are in code.
        Some(None) => view! {
            <main class="page"><p class="alert" role="alert">
                "The console could not be loaded. Check your connection and reload the page."
            </p></main>
        }
        .into_any(),
        Some(Some(texts)) => {
            set_document_language(texts.locale());
            i18n::set_current(texts);
            provide_context(LocaleChoice(locale));
            match session.get() {
                None => view! { <SignIn session /> }.into_any(),
                Some(s) => view! { <Shell s session /> }.into_any(),
            }
        }
    }
}

/// The locale the owner picked (the picker sets it; the app reloads the texts).
#[derive(Clone, Copy)]
pub struct LocaleChoice(pub RwSignal<&'static str>);

/// `<html lang>` follows the console's language (screen readers, hyphenation, `:lang`).
fn set_document_language(locale: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale);
    }
}

/// The language picker, each language named in itself.
#[component]
fn LanguagePicker() -> impl IntoView {
    let LocaleChoice(locale) = expect_context::<LocaleChoice>();
    view! {
        <label class="picker">
            <span class="visually-hidden">{t("language")}</span>
            <select data-testid="language" prop:value=move || locale.get()
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    if let Some(l) = i18n::LOCALES.iter().find(|l| **l == picked) {
                        i18n::remember(l);
                        locale.set(l);
                    }
                }>
                {i18n::NAMES.iter().map(|(tag, name)| view! {
                    <option value=*tag lang=*tag>{*name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Signed in: the navigation and the current page.
#[component]
fn Shell(s: Session, session: RwSignal<Option<Session>>) -> impl IntoView {
    let page = RwSignal::new(Page::from_hash());
    let go = move |p: Page, slug: &'static str| {
        page.set(p);
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(slug);
        }
    };
    let sign_out = move |_| {
        Session::clear();
        session.set(None);
    };
    let shop = s.shop.clone();
    view! {
        <header class="bar">
            <strong class="bar__brand">"Punchcard"</strong>
            <span class="bar__shop" data-testid="shop">{shop}</span>
            <nav class="tabs" aria-label=t("console_pages")>
                {Page::ALL.iter().map(|&(p, slug, label)| view! {
                    <button type="button" class="tab" data-testid=format!("tab-{slug}")
                        aria-current=move || (page.get() == p).then_some("page")
                        on:click=move |_| go(p, slug)>{t(label)}</button>
                }).collect_view()}
            </nav>
            <LanguagePicker />
            <button type="button" class="button button--quiet" data-testid="sign-out" on:click=sign_out>{t("sign_out")}</button>
        </header>
        <main class="page">
            {move || {
                let s = s.clone();
                match page.get() {
                    Page::Program => view! { <ProgramPage s /> }.into_any(),
                    Page::Install => view! { <InstallPage s session /> }.into_any(),
                    Page::Members => view! { <MembersPage s /> }.into_any(),
                    Page::Store => view! { <StorePage s /> }.into_any(),
                    Page::Analytics => view! { <AnalyticsPage s /> }.into_any(),
                    Page::Webhooks => view! { <WebhooksPage s /> }.into_any(),
                }
            }}
        </main>
    }
}

/// Shop id and secret key; checked against the API before they are kept.
#[component]
fn SignIn(session: RwSignal<Option<Session>>) -> impl IntoView {
    let shop = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let candidate = Session {
            shop: shop.get_untracked().trim().to_owned(),
            key: key.get_untracked().trim().to_owned(),
        };
        if shared::ShopId::parse(&candidate.shop).is_err() {
            error.set(Some(t("signin_bad_shop_id")));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::analytics(&candidate).await {
                Ok(_) => {
                    candidate.save();
                    session.set(Some(candidate));
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="signin">
            <div class="signin__bar"><LanguagePicker /></div>
            <h1>{t("signin_title")}</h1>
            <form class="card" on:submit=submit>
                <label class="field" for="shop">
                    <span class="field__label">{t("signin_shop_id")}</span>
                    <input id="shop" name="shop" autocomplete="username" required
                        on:input=move |ev| shop.set(event_target_value(&ev)) />
                </label>
                <label class="field" for="key">
                    <span class="field__label">{t("signin_secret_key")}</span>
                    <input id="key" name="key" type="password" autocomplete="current-password" required
                        on:input=move |ev| key.set(event_target_value(&ev)) />
                </label>
                <p class="hint">{t("signin_key_hint")}</p>
                {move || error.get().map(|e| view! { <p class="alert" role="alert" data-testid="signin-error">{e}</p> })}
                <button type="submit" class="button" data-testid="sign-in" disabled=move || busy.get()>{t("sign_in")}</button>
            </form>
        </main>
    }
}
