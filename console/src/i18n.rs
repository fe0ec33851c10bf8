//! The owner's language: the catalogs of `console/locales/` (served at `/console/locales/`) through
//! `punchcard-i18n`, shared with the widget. The browser's languages choose the first time; the
//! owner's pick is remembered in `localStorage`.

pub use punchcard_i18n::{best_locale, I18n, LOCALES};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the owner's choice is kept (not a secret: it survives sign-out).
const CHOICE: &str = "punchcard.locale";

/// Each locale's name in its own language, for the picker.
pub const NAMES: [(&str, &str); 18] = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("pt-BR", "Português (Brasil)"),
    ("nl", "Nederlands"),
    ("el", "Ελληνικά"),
    ("ru", "Русский"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("zh-CN", "简体中文"),
    ("zh-TW", "繁體中文"),
    ("hi", "हिन्दी"),
    ("cs", "Čeština"),
    ("sk", "Slovenčina"),
    ("bg", "Български"),
    ("ro", "Română"),
];

/// The locale to start in: the remembered pick, else the best match of the browser's languages.
pub fn initial_locale() -> &'static str {
    let window = web_sys::window();
    let remembered = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(CHOICE).ok().flatten());
    if let Some(pick) = remembered.and_then(|r| LOCALES.iter().find(|l| **l == r)) {
        return pick;
    }
    let preferred: Vec<String> = window
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    best_locale(&preferred)
}

/// Remembers the owner's pick for the next visit.
pub fn remember(locale: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(CHOICE, locale);
    }
}

/// Fetches the catalog of `locale`.
pub async fn load(locale: &str) -> Option<I18n> {
    let window = web_sys::window()?;
    let url = format!("/console/locales/{locale}.json");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .ok()?
        .unchecked_into();
    if !response.ok() {
        return None;
    }
    let json = JsFuture::from(response.json().ok()?).await.ok()?;
    punchcard_i18n::catalog_from_js(&json).map(|catalog| I18n::new(locale, catalog))
}

thread_local! {
    /// The texts in use. The app sets them before it renders anything and renders everything
    /// again when the owner picks another language, so no page keeps old texts; being outside
    /// the reactive tree, they also serve event handlers and spawned tasks.
    static CURRENT: std::cell::RefCell<Option<I18n>> = const { std::cell::RefCell::new(None) };
}

/// Makes `texts` the console's texts.
pub fn set_current(texts: I18n) {
    CURRENT.with(|c| *c.borrow_mut() = Some(texts));
}

/// The console's messages and formats.
pub fn i18n() -> I18n {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| I18n::new("en", Default::default()))
}

/// The text of `key` in the owner's language.
pub fn t(key: &str) -> String {
    i18n().t(key)
}

/// The text of `key` with its `{name}` placeholders filled.
pub fn fill(key: &str, args: &[(&str, &str)]) -> String {
    i18n().fill(key, args)
}
