//! The shopper's language: message catalogs as data (`widget/locales/<locale>.json`, fetched for
//! the one locale in use) and number, money, date and plural formatting by the browser's `Intl`.
//!
//! A catalog maps a key to a text, or to plural forms keyed by `Intl.PluralRules` categories
//! (`zero`, `one`, `two`, `few`, `many`, `other`; `other` always present). `{name}` placeholders
//! are filled by the caller; `{n}` in a plural message is the count, formatted for the locale.

use js_sys::{Array, Function, Intl, Object, Reflect};
use std::collections::HashMap;
use std::sync::Arc;
use wasm_bindgen::JsValue;

/// The languages the widget speaks, as their catalogs are named (BCP 47).
pub const LOCALES: [&str; 18] = [
    "en", "de", "es", "fr", "it", "pt-BR", "nl", "el", "ru", "ja", "ko", "zh-CN", "zh-TW", "hi",
    "cs", "sk", "bg", "ro",
];

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Text(String),
    /// Forms by plural category.
    Plural(HashMap<String, String>),
}

/// A locale's messages by key.
pub type Catalog = HashMap<String, Message>;

/// Messages and formats for one locale; cheap to clone, shared through Leptos context.
#[derive(Debug, Clone)]
pub struct I18n {
    locale: Arc<str>,
    catalog: Arc<Catalog>,
}

impl I18n {
    /// `catalog` for `locale` (a tag of [`LOCALES`]).
    pub fn new(locale: &str, catalog: Catalog) -> I18n {
        I18n {
            locale: locale.into(),
            catalog: Arc::new(catalog),
        }
    }

    /// The locale tag, e.g. `pt-BR`.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The text of `key` (a plural message gives its `other` form; a missing key gives the key,
    /// which the catalog test rules out).
    pub fn t(&self, key: &str) -> String {
        match self.catalog.get(key) {
            Some(Message::Text(s)) => s.clone(),
            Some(Message::Plural(forms)) => forms.get("other").cloned().unwrap_or_default(),
            None => key.to_owned(),
        }
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }

    /// The form of plural message `key` for `n`, `{n}` being `n` formatted for the locale.
    pub fn plural(&self, key: &str, n: i64, args: &[(&str, &str)]) -> String {
        let text = match self.catalog.get(key) {
            Some(Message::Plural(forms)) => {
                let rules = Intl::PluralRules::new(&self.locales(), &Object::new());
                let category = String::from(rules.select(n as f64));
                forms
                    .get(&category)
                    .or_else(|| forms.get("other"))
                    .cloned()
                    .unwrap_or_default()
            }
            _ => self.t(key),
        };
        let count = self.number(n);
        let mut all = vec![("n", count.as_str())];
        all.extend_from_slice(args);
        fill(text, &all)
    }

    /// `n` with the locale's digit grouping (`1,148`, `1.148`, `1 148` …).
    pub fn number(&self, n: i64) -> String {
        let format = Intl::NumberFormat::new(&self.locales(), &Object::new());
        call_format(&format.format(), &JsValue::from_f64(n as f64))
    }

    /// `minor` units of `currency` as the locale writes money (`€11.48`, `11,48 €`, `￥1,148`).
    pub fn money(&self, minor: i64, currency: &str) -> String {
        let options = object(&[("style", "currency"), ("currency", currency)]);
        let format = Intl::NumberFormat::new(&self.locales(), &options);
        let digits = Reflect::get(
            &format.resolved_options(),
            &JsValue::from_str("maximumFractionDigits"),
        )
        .ok()
        .and_then(|d| d.as_f64())
        .unwrap_or(2.0);
        let major = minor as f64 / 10f64.powi(digits as i32);
        call_format(&format.format(), &JsValue::from_f64(major))
    }

    /// An RFC 3339 time as the locale writes a date (`23 Nov 2026`, `2026/11/23` …).
    pub fn date(&self, rfc3339: &str) -> String {
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        self.format_date(&date, &[("dateStyle", "medium"), ("timeZone", "UTC")])
    }

    /// A birthday `MM-DD` as the locale writes a day of the year (`29 February`, `2月29日`).
    pub fn month_day(&self, month: u8, day: u8) -> String {
        let utc = js_sys::Date::utc(2000.0, f64::from(month) - 1.0);
        let date = js_sys::Date::new(&JsValue::from_f64(
            utc + (f64::from(day) - 1.0) * 86_400_000.0,
        ));
        self.format_date(
            &date,
            &[("month", "long"), ("day", "numeric"), ("timeZone", "UTC")],
        )
    }

    /// The locale's name of `month` (1–12).
    pub fn month_name(&self, month: u8) -> String {
        let date = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::utc(
            2000.0,
            f64::from(month) - 1.0,
        )));
        self.format_date(&date, &[("month", "long"), ("timeZone", "UTC")])
    }

    fn format_date(&self, date: &js_sys::Date, options: &[(&str, &str)]) -> String {
        let format = Intl::DateTimeFormat::new(&self.locales(), &object(options));
        call_format(&format.format(), date)
    }

    fn locales(&self) -> Array {
        Array::of1(&JsValue::from_str(&self.locale))
    }
}

/// Replaces each `{name}` of `text` with its value.
fn fill(mut text: String, args: &[(&str, &str)]) -> String {
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn object(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

fn call_format(format: &Function, value: &JsValue) -> String {
    format
        .call1(&JsValue::NULL, value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
