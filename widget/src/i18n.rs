//! The shopper's language: the catalogs of `widget/locales/` (fetched for the one locale in use)
//! through `punchcard-i18n`, which the console shares (formatting by the browser's `Intl`).

pub use punchcard_i18n::*;
