//! The console's catalogs (`console/locales/`): every locale has every key of English, the
//! plural forms its language uses (by the browser's `Intl.PluralRules`) and English's
//! placeholders; every key the code asks for exists.

use punchcard_i18n::{catalog_problems, LOCALES};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn catalog(locale: &str) -> &'static str {
    match locale {
        "en" => include_str!("../locales/en.json"),
        "de" => include_str!("../locales/de.json"),
        "es" => include_str!("../locales/es.json"),
        "fr" => include_str!("../locales/fr.json"),
        "it" => include_str!("../locales/it.json"),
        "pt-BR" => include_str!("../locales/pt-BR.json"),
        "nl" => include_str!("../locales/nl.json"),
        "el" => include_str!("../locales/el.json"),
        "ru" => include_str!("../locales/ru.json"),
        "ja" => include_str!("../locales/ja.json"),
        "ko" => include_str!("../locales/ko.json"),
        "zh-CN" => include_str!("../locales/zh-CN.json"),
        "zh-TW" => include_str!("../locales/zh-TW.json"),
        "hi" => include_str!("../locales/hi.json"),
        "cs" => include_str!("../locales/cs.json"),
        "sk" => include_str!("../locales/sk.json"),
        "bg" => include_str!("../locales/bg.json"),
        "ro" => include_str!("../locales/ro.json"),
        other => panic!("no catalog {other}"),
    }
}

/// The console's sources, where keys are asked for.
const SOURCES: [&str; 13] = [
    include_str!("../src/app.rs"),
    include_str!("../src/api.rs"),
    include_str!("../src/charts.rs"),
    include_str!("../src/form.rs"),
    include_str!("../src/pages/mod.rs"),
    include_str!("../src/pages/analytics.rs"),
    include_str!("../src/pages/install.rs"),
    include_str!("../src/pages/keys.rs"),
    include_str!("../src/pages/members.rs"),
    include_str!("../src/pages/program.rs"),
    include_str!("../src/pages/store.rs"),
    include_str!("../src/pages/webhooks.rs"),
    include_str!("../src/i18n.rs"),
];

#[wasm_bindgen_test]
fn every_catalog_has_every_key_and_the_plural_forms_of_its_language() {
    for locale in LOCALES {
        let problems = catalog_problems(catalog("en"), catalog(locale), locale);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

#[wasm_bindgen_test]
fn every_key_the_code_asks_for_is_in_the_english_catalog() {
    let english: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(catalog("en")).unwrap();
    let mut missing = Vec::new();
    for source in SOURCES {
        for opener in ["t(\"", "fill(\"", "plural(\"", "label=\"", "hint=\""] {
            for (at, _) in source.match_indices(opener) {
                // A call of its own (`t("…")`, not `get("…")`).
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[at + opener.len()..];
                let key = rest.split('"').next().unwrap_or_default();
                let is_key = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if is_key && !english.contains_key(key) {
                    missing.push(key.to_owned());
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "keys missing from en.json: {missing:?}");
}
