//! The widget's views, one small component per file.

pub mod birthday;
pub mod card;
pub mod history;
pub mod member;
pub mod rewards;
pub mod status;
pub mod teaser;

use crate::i18n::I18n;
use leptos::prelude::*;

/// The catalog and formats of the shopper's locale (provided by `App`).
pub fn i18n() -> I18n {
    expect_context::<I18n>()
}
