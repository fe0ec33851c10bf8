//! The root component: loads the catalog, the program and (for members) the card, then picks the
//! view. A new token (`Punchcard.identify`) reloads; the catalog stays.

use crate::api::{self, ApiError};
use crate::i18n::I18n;
use crate::views::{member::Member, status::ErrorBox, status::Loading, teaser::Teaser};
use crate::WidgetConfig;
use leptos::prelude::*;
use shared::api::Card;
use shared::program::Program;

/// What the widget shows once loaded.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub program: Program,
    /// The member's card; `None` for guests.
    pub card: Option<Card>,
}

/// Loads the program and, with a token, the card, both requests in flight at once.
pub async fn load(config: WidgetConfig, token: Option<String>) -> Result<Loaded, ApiError> {
    let program = api::program(&config);
    match &token {
        Some(token) => {
            let (program, card) = futures::join!(program, api::me(&config, token));
            Ok(Loaded {
                program: program?,
                card: Some(card?),
            })
        }
        None => Ok(Loaded {
            program: program.await?,
            card: None,
        }),
    }
}

/// The widget: a card for members, the program's teaser for guests, an actionable error otherwise.
#[component]
pub fn App(
    /// Read from the script tag by the loader.
    config: WidgetConfig,
    /// The shopper's token; `Punchcard.identify` changes it.
    token: ReadSignal<Option<String>>,
) -> impl IntoView {
    let locale = config.locale.clone();
    let catalog = {
        let config = config.clone();
        LocalResource::new(move || {
            let (config, locale) = (config.clone(), locale.clone());
            async move {
                let catalog = api::catalog(&config, &config.locale).await?;
                Ok::<_, ApiError>(I18n::new(&locale, catalog))
            }
        })
    };
    let data = {
        let config = config.clone();
        LocalResource::new(move || load(config.clone(), token.get()))
    };
    let retry = Callback::new(move |_| {
        catalog.refetch();
        data.refetch();
    });
    view! {
        <section class="pc-widget" data-testid="punchcard" aria-live="polite">
            {move || match (catalog.get(), data.get()) {
                (Some(Ok(i18n)), Some(Ok(loaded))) => {
                    provide_context(i18n);
                    view! { <Shown loaded config=config.clone() token=token.get_untracked() /> }
                        .into_any()
                }
                (Some(Ok(i18n)), Some(Err(error))) => {
                    provide_context(i18n);
                    view! { <ErrorBox error retry /> }.into_any()
                }
                (Some(Err(_)), _) => {
                    // Without a catalog there are no words: English fallback of the one message.
                    provide_context(I18n::new("en", Default::default()));
                    view! { <ErrorBox error=ApiError::Network retry /> }.into_any()
                }
                _ => view! { <Loading /> }.into_any(),
            }}
        </section>
    }
}

/// The loaded view, themed from the program.
#[component]
fn Shown(loaded: Loaded, config: WidgetConfig, token: Option<String>) -> impl IntoView {
    let theme = loaded.program.theme.clone();
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if let (Some(el), Some(theme)) = (root.get(), theme.as_ref()) {
            // CSSOM, not a style attribute: allowed under a strict CSP. The shop's own
            // `--pc-brand` / `--pc-radius` on the host still win (see style.css).
            let style = web_sys::HtmlElement::style(&el);
            let _ = style.set_property("--pc-theme-brand", &theme.brand_color);
            let _ = style.set_property("--pc-theme-radius", &format!("{}px", theme.radius_px));
        }
    });
    let body = match (loaded.card, token) {
        (Some(card), Some(token)) => {
            view! { <Member card program=loaded.program config token /> }.into_any()
        }
        _ => view! { <Teaser program=loaded.program /> }.into_any(),
    };
    view! { <div class="pc-themed" node_ref=root>{body}</div> }
}
