//! The shell: sign-in, then a navigation bar and the page chosen by the URL's hash.

use crate::api;
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
    const ALL: [(Page, &'static str, &'static str); 6] = [
        (Page::Analytics, "analytics", "Analytics"),
        (Page::Members, "members", "Members"),
        (Page::Store, "store", "In store"),
        (Page::Program, "program", "Program"),
        (Page::Install, "install", "Install"),
        (Page::Webhooks, "webhooks", "Webhooks"),
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

/// The console.
#[component]
pub fn App() -> impl IntoView {
    let session = RwSignal::new(Session::load());
    move || match session.get() {
        None => view! { <SignIn session /> }.into_any(),
        Some(s) => view! { <Shell s session /> }.into_any(),
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
            <nav class="tabs" aria-label="Console pages">
                {Page::ALL.iter().map(|&(p, slug, label)| view! {
                    <button type="button" class="tab" data-testid=format!("tab-{slug}")
                        aria-current=move || (page.get() == p).then_some("page")
                        on:click=move |_| go(p, slug)>{label}</button>
                }).collect_view()}
            </nav>
            <button type="button" class="button button--quiet" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
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
            error.set(Some(
                "A shop id is 1 to 64 letters, digits, '-' or '_'.".into(),
            ));
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
            <h1>"Punchcard console"</h1>
            <form class="card" on:submit=submit>
                <label class="field" for="shop">
                    <span class="field__label">"Shop id"</span>
                    <input id="shop" name="shop" autocomplete="username" required
                        on:input=move |ev| shop.set(event_target_value(&ev)) />
                </label>
                <label class="field" for="key">
                    <span class="field__label">"Secret key"</span>
                    <input id="key" name="key" type="password" autocomplete="current-password" required
                        on:input=move |ev| key.set(event_target_value(&ev)) />
                </label>
                <p class="hint">"The key stays in this browser tab only (sessionStorage) and is sent only to the Punchcard API."</p>
                {move || error.get().map(|e| view! { <p class="alert" role="alert" data-testid="signin-error">{e}</p> })}
                <button type="submit" class="button" data-testid="sign-in" disabled=move || busy.get()>"Sign in"</button>
            </form>
        </main>
    }
}
