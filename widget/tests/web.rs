//! Widget views in a real headless browser (wasm-bindgen-test-runner + chromedriver).

use leptos::prelude::*;
use punchcard_widget::api::ApiError;
use punchcard_widget::views::{card::CardView, status::ErrorBox, teaser::Teaser};
use shared::program::Program;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount one view into.
fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn query(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

#[wasm_bindgen_test]
fn member_card_shows_points_and_every_stamp_slot() {
    let root = container();
    let program = Program::demo_bakery();
    let now = 1_790_000_000;
    let account = shared::demo::accounts(&program, now).remove(0);
    let card = shared::card::card("demo-bakery", &account, &program, now);
    let (points, filled) = (card.points, card.stamps.as_ref().unwrap().filled);
    assert!(points > 0 && filled > 0);
    let _handle = leptos::mount::mount_to(root.clone(), move || view! { <CardView card /> });
    assert_eq!(
        query(&root, "[data-testid=points]").text_content().unwrap(),
        points.to_string()
    );
    assert_eq!(root.query_selector_all(".pc-slot").unwrap().length(), 10);
    assert_eq!(
        root.query_selector_all(".pc-slot--filled")
            .unwrap()
            .length(),
        filled
    );
    let label = query(&root, "[data-testid=stamps]")
        .get_attribute("aria-label")
        .unwrap();
    assert_eq!(label, format!("Stamp card: {filled} / 10"));
}

#[wasm_bindgen_test]
fn teaser_shows_the_earn_rule_and_welcome_bonus() {
    let root = container();
    let program = Program::demo_bakery();
    let _handle = leptos::mount::mount_to(root.clone(), move || view! { <Teaser program /> });
    assert_eq!(query(&root, "h2").text_content().unwrap(), "Crumb Club");
    assert_eq!(
        query(&root, "[data-testid=earn-rule]")
            .text_content()
            .unwrap(),
        "Earn 1 points for every 1.00 EUR you spend."
    );
    assert!(query(&root, "[data-testid=welcome]")
        .text_content()
        .unwrap()
        .contains("100"));
}

#[wasm_bindgen_test]
fn an_error_offers_a_retry_that_works() {
    let root = container();
    let retried = Arc::new(AtomicUsize::new(0));
    let counter = retried.clone();
    let retry = Callback::new(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <ErrorBox error=ApiError::Unauthorized retry /> }
    });
    assert!(query(&root, "[role=alert]")
        .text_content()
        .unwrap()
        .contains("sign in again"));
    query(&root, "button")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert_eq!(retried.load(Ordering::Relaxed), 1);
}
