//! The user's language, for the widget and the console: message catalogs as data
//! (`widget/locales/<locale>.json`, `console/locales/<locale>.json`, fetched for the one locale in
//! use) and number, money, date and plural formatting by the browser's `Intl`. Its own crate so
//! both apps share one implementation (and one catalog checker, feature `check`).
//!
//! A catalog maps a key to a text, or to plural forms keyed by `Intl.PluralRules` categories
//! (`zero`, `one`, `two`, `few`, `many`, `other`; `other` always present). `{name}` placeholders
//! are filled by the caller; `{n}` in a plural message is the count, formatted for the locale.

use js_sys::{Array, Function, Intl, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The languages the widget and the console speak, as their catalogs are named (BCP 47).
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
                let rules = self.plural_rules();
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
        let format = self.number_format();
        call_format(&format.format(), &JsValue::from_f64(n as f64))
    }

    /// `minor` units of `currency` as the locale writes money (`€11.48`, `11,48 €`, `￥1,148`).
    pub fn money(&self, minor: i64, currency: &str) -> String {
        let format = self.currency_format(currency);
        let digits = fraction_digits(&format);
        let major = minor as f64 / 10f64.powi(digits as i32);
        call_format(&format.format(), &JsValue::from_f64(major))
    }

    /// How many decimals `currency` has (2 for EUR, 0 for JPY), by `Intl`.
    pub fn currency_digits(&self, currency: &str) -> u32 {
        fraction_digits(&self.currency_format(currency))
    }

    /// The locale's decimal mark (`.` or `,` …).
    pub fn decimal_mark(&self) -> char {
        let format = self.number_format();
        call_format(&format.format(), &JsValue::from_f64(1.5))
            .chars()
            .find(|c| !c.is_numeric())
            .unwrap_or('.')
    }

    /// Makes this locale's formatters every card and page uses (numbers, plurals, dates), for
    /// any `I18n` of the locale to reuse. The page's first `Intl.NumberFormat` or
    /// `DateTimeFormat` loads the browser's ICU data: 17–45 ms of one task on a slow machine.
    /// Called in a task of its own while a view's data is on its way, that is added neither to
    /// the view's first render nor to another task.
    pub fn warm_up(&self) {
        let _ = (self.number_format(), self.plural_rules());
        let _ = self.date("2000-01-01T00:00:00Z");
    }

    fn number_format(&self) -> Intl::NumberFormat {
        self.formatter("number", &[], Intl::NumberFormat::new)
    }

    fn plural_rules(&self) -> Intl::PluralRules {
        self.formatter("plural", &[], Intl::PluralRules::new)
    }

    fn currency_format(&self, currency: &str) -> Intl::NumberFormat {
        let options = [("style", "currency"), ("currency", currency)];
        self.formatter("number", &options, Intl::NumberFormat::new)
    }

    /// An RFC 3339 time as the locale writes a date (`23 Nov 2026`, `2026/11/23` …).
    pub fn date(&self, rfc3339: &str) -> String {
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        self.format_date(&date, &[("dateStyle", "medium"), ("timeZone", "UTC")])
    }

    /// An RFC 3339 time as the locale writes a date and time of day, in UTC
    /// (`23 Nov 2026, 14:05`).
    pub fn date_time(&self, rfc3339: &str) -> String {
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        self.format_date(
            &date,
            &[
                ("dateStyle", "medium"),
                ("timeStyle", "short"),
                ("timeZone", "UTC"),
            ],
        )
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
        let format = self.formatter("date", options, Intl::DateTimeFormat::new);
        call_format(&format.format(), date)
    }

    /// This locale's `Intl` formatter of `kind` with `options`: made by `make` (a constructor
    /// taking the locales and the options object) on first use, then kept in [`FORMATTERS`].
    fn formatter<F: JsCast + Clone>(
        &self,
        kind: &str,
        options: &[(&str, &str)],
        make: impl FnOnce(&Array, &Object) -> F,
    ) -> F {
        let mut key = format!("{kind}\u{0}{}", self.locale);
        for (name, value) in options {
            key.extend(["\u{0}", name, "=", value]);
        }
        FORMATTERS.with(|cache| {
            if let Some(known) = cache.borrow().get(&key) {
                return known.clone().unchecked_into();
            }
            let made = make(
                &Array::of1(&JsValue::from_str(&self.locale)),
                &object(options),
            );
            let mut cache = cache.borrow_mut();
            if cache.len() >= MAX_FORMATTERS {
                cache.clear();
            }
            cache.insert(key, made.clone().into());
            made
        })
    }
}

/// Most formatters [`FORMATTERS`] holds; a page needs a handful (one locale, a currency or two,
/// a few date styles), so reaching it only means something asked for odd ones: start over.
const MAX_FORMATTERS: usize = 32;

thread_local! {
    /// `Intl` formatters by locale and options. Making one costs V8 0.1–0.5 ms (a card needs
    /// dozens of numbers, amounts and dates: that was half its first render); using one costs
    /// microseconds, and they are pure functions of their locale and options.
    static FORMATTERS: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
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

fn fraction_digits(format: &Intl::NumberFormat) -> u32 {
    Reflect::get(
        &format.resolved_options(),
        &JsValue::from_str("maximumFractionDigits"),
    )
    .ok()
    .and_then(|d| d.as_f64())
    .map_or(2, |d| d as u32)
}

fn call_format(format: &Function, value: &JsValue) -> String {
    format
        .call1(&JsValue::NULL, value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// A catalog as the browser parsed it (`Response.json()`): each key's text, or its plural forms.
pub fn catalog_from_js(value: &JsValue) -> Option<Catalog> {
    if !value.is_object() {
        return None;
    }
    let mut catalog = Catalog::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let pair = Array::from(&entry);
        let key = pair.get(0).as_string()?;
        let value = pair.get(1);
        let message = match value.as_string() {
            Some(text) => Message::Text(text),
            None if value.is_object() => {
                let mut forms = HashMap::new();
                for category in ["zero", "one", "two", "few", "many", "other"] {
                    let form = Reflect::get(&value, &JsValue::from_str(category)).ok();
                    if let Some(text) = form.and_then(|f| f.as_string()) {
                        forms.insert(category.to_owned(), text);
                    }
                }
                Message::Plural(forms)
            }
            None => return None,
        };
        catalog.insert(key, message);
    }
    Some(catalog)
}

/// The best of [`LOCALES`] for the browser's preferred languages (`navigator.languages`):
/// an exact tag first, then the same language (`pt-PT` → `pt-BR`, `zh-HK` → `zh-TW`), else `en`.
pub fn best_locale(preferred: &[String]) -> &'static str {
    for wanted in preferred {
        if let Some(exact) = LOCALES.iter().find(|l| l.eq_ignore_ascii_case(wanted)) {
            return exact;
        }
        let lower = wanted.to_ascii_lowercase();
        if matches!(lower.as_str(), "zh-hk" | "zh-mo" | "zh-hant") || lower.starts_with("zh-hant") {
            return "zh-TW";
        }
        let language = lower.split('-').next().unwrap_or_default();
        if let Some(same) = LOCALES
            .iter()
            .find(|l| l.split('-').next() == Some(language))
        {
            return same;
        }
    }
    "en"
}

/// Problems of the catalog `translated` (JSON text) for `locale` against `english`: a key missing
/// or extra, an empty text, a plural without a category the language uses
/// (`Intl.PluralRules`), a text where English has plural forms or the reverse, placeholders
/// other than English's. Empty: the catalog is complete.
#[cfg(feature = "check")]
pub fn catalog_problems(english: &str, translated: &str, locale: &str) -> Vec<String> {
    use serde_json::{Map, Value};
    let parse = |text: &str| serde_json::from_str::<Map<String, Value>>(text);
    let (Ok(english), Ok(messages)) = (parse(english), parse(translated)) else {
        return vec![format!("{locale}: not a JSON object")];
    };
    let mut problems = Vec::new();
    for key in english.keys().filter(|k| !messages.contains_key(*k)) {
        problems.push(format!("{locale}.{key}: missing"));
    }
    for key in messages.keys().filter(|k| !english.contains_key(*k)) {
        problems.push(format!("{locale}.{key}: not in en"));
    }
    let options = Intl::PluralRules::new(&Array::of1(&JsValue::from_str(locale)), &Object::new())
        .resolved_options();
    let categories: Vec<String> = Reflect::get(&options, &JsValue::from_str("pluralCategories"))
        .map(|c| {
            Array::from(&c)
                .iter()
                .filter_map(|c| c.as_string())
                .collect()
        })
        .unwrap_or_default();
    let holes = |v: &Value| {
        let s = v.to_string();
        let mut h: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}'))
            .map(|(n, _)| n.to_owned())
            .filter(|n| !n.contains('"'))
            .collect();
        h.sort();
        h.dedup();
        h
    };
    for (key, value) in &messages {
        let Some(original) = english.get(key) else {
            continue;
        };
        match (value, original) {
            (Value::String(s), Value::String(_)) if s.is_empty() => {
                problems.push(format!("{locale}.{key}: empty"))
            }
            (Value::String(_), Value::String(_)) => {}
            (Value::Object(forms), Value::Object(_)) => {
                for category in categories.iter().filter(|c| !forms.contains_key(*c)) {
                    problems.push(format!("{locale}.{key}: lacks plural '{category}'"));
                }
            }
            _ => problems.push(format!(
                "{locale}.{key}: text in one catalog, plural in another"
            )),
        }
        if holes(value) != holes(original) {
            problems.push(format!("{locale}.{key}: placeholders differ from en"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_picks_the_closest_catalog() {
        let pick =
            |tags: &[&str]| best_locale(&tags.iter().map(|t| t.to_string()).collect::<Vec<_>>());
        assert_eq!(pick(&["de-AT", "en"]), "de");
        assert_eq!(pick(&["pt-PT"]), "pt-BR");
        assert_eq!(pick(&["zh-HK"]), "zh-TW");
        assert_eq!(pick(&["zh"]), "zh-CN");
        assert_eq!(pick(&["JA"]), "ja");
        assert_eq!(pick(&["sw", "cs-CZ"]), "cs");
        assert_eq!(pick(&["sw"]), "en");
        assert_eq!(pick(&[]), "en");
    }
}
