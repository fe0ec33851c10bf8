//! The root: loads the catalog, the program and (for members) the card, then picks the view. A new
//! token (`Punchcard.identify`) reloads; the catalog stays.

use crate::api::{self, ApiError};
use crate::dom::{el, live, next_task, El};
use crate::i18n::I18n;
use crate::reactive::*;
use crate::views::{member::member, status, teaser::teaser};
use crate::WidgetConfig;
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

/// Where the widget is.
#[derive(Debug, Clone)]
enum Phase {
    Loading,
    /// Without a catalog there are no words: the English fallback of one message.
    NoCatalog,
    Failed(I18n, ApiError),
    Shown(I18n, Box<Loaded>, Option<String>),
}

/// The widget: a card for members, the program's teaser for guests, an actionable error
/// otherwise. `token` is the shopper's; `Punchcard.identify` changes it.
pub fn app(config: WidgetConfig, token: ReadSignal<Option<String>>) -> El {
    let phase = RwSignal::new(Phase::Loading);
    let catalog = StoredValue::new_local(None::<I18n>);
    // Only the latest load may show: a token switched mid-flight must not be overwritten.
    let generation = StoredValue::new(0u32);
    let reload = StoredValue::new_local({
        let config = config.clone();
        move || {
            let (config, token) = (config.clone(), token.get_untracked());
            let this = generation.with_value(|g| g.wrapping_add(1));
            generation.set_value(this);
            spawn_local(async move {
                // The catalog (fetched once a page) and the shopper's data, in flight together.
                let words = async {
                    if let Some(i18n) = catalog.get_value() {
                        return Some(i18n);
                    }
                    let words = api::catalog(&config, &config.locale).await.ok()?;
                    let i18n = I18n::new(&config.locale, words);
                    catalog.set_value(Some(i18n.clone()));
                    Some(i18n)
                };
                let (i18n, result) = futures::join!(words, load(config.clone(), token.clone()));
                // The card is built in a task of its own, not in the one that decoded it: each
                // stays short (no long task on a slow phone).
                next_task().await;
                if generation.get_value() != this {
                    return;
                }
                phase.set(match (i18n, result) {
                    (None, _) => Phase::NoCatalog,
                    (Some(i18n), Ok(loaded)) => Phase::Shown(i18n, Box::new(loaded), token),
                    (Some(i18n), Err(error)) => Phase::Failed(i18n, error),
                });
            });
        }
    });
    // Loads now and again whenever the token changes (kept as long as the widget).
    StoredValue::new_local(RenderEffect::new(move |_| {
        token.track();
        reload.with_value(|reload| reload());
    }));
    // The page's first `Intl` formatter is costly (`I18n::warm_up` says why): made in a task of
    // its own while the requests are in flight, so neither the card's first render nor any other
    // task pays for it.
    let locale = config.locale.clone();
    spawn_local(async move {
        next_task().await;
        I18n::new(&locale, Default::default()).warm_up();
    });
    let retry = move || reload.with_value(|reload| reload());
    el("section")
        .class("pc-widget")
        .testid("punchcard")
        .attr("aria-live", "polite")
        .child(live(move || {
            phase.with(|phase| {
                Some(match phase {
                    Phase::Loading => status::loading(),
                    Phase::NoCatalog => {
                        provide_context(I18n::new("en", Default::default()));
                        status::error_box(&ApiError::Network, retry)
                    }
                    Phase::Failed(i18n, error) => {
                        provide_context(i18n.clone());
                        status::error_box(error, retry)
                    }
                    Phase::Shown(i18n, loaded, token) => {
                        provide_context(i18n.clone());
                        shown(loaded, &config, token.as_deref())
                    }
                })
            })
        }))
}

/// The loaded view, themed from the program.
fn shown(loaded: &Loaded, config: &WidgetConfig, token: Option<&str>) -> El {
    let root = el("div").class("pc-themed");
    if let Some(theme) = &loaded.program.theme {
        // CSSOM, not a style attribute: allowed under a strict CSP. The shop's own
        // `--pc-brand` / `--pc-radius` on the host still win (see style.css).
        if let Some(html) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&root.0) {
            let style = html.style();
            let _ = style.set_property("--pc-theme-brand", &theme.brand_color);
            let _ = style.set_property("--pc-theme-radius", &format!("{}px", theme.radius_px));
        }
    }
    match (&loaded.card, token) {
        (Some(card), Some(token)) => {
            root.child(member(card.clone(), &loaded.program, config, token))
        }
        _ => root.child(teaser(&loaded.program)),
    }
}
