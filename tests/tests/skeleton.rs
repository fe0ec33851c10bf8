//! The walking skeleton over HTTP: program, the shopper's card, tokens, errors, CORS, assets.

use punchcard_tests::{call, demo_token, get, now};
use shared::demo;

const ME: &str = "/v1/shops/demo-bakery/me";

#[test]
fn program_is_public_and_has_no_secrets() {
    let r = get("/v1/shops/demo-bakery/program", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/json");
    assert_eq!(r.body["name"], "Crumb Club");
    assert_eq!(r.body["stamps"]["prefilled"], 2);
    assert!(!r.body.to_string().contains(demo::SECRET_KEY));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn unknown_shop_is_a_404_problem() {
    get("/v1/shops/no-such-shop/program", None).assert_problem(404, "not_found");
    get("/v1/shops/bad.shop/program", None).assert_problem(404, "not_found");
}

/// The demo members' cards as the ledger computes them (independent of when they were seeded:
/// the demo history has no pending or expiring points within its window).
fn expected_card(customer: &str) -> shared::api::Card {
    let program = shared::program::Program::demo_bakery();
    let now = now() as i64;
    let accounts = demo::accounts(&program, now);
    let account = accounts.iter().find(|a| a.customer_id == customer).unwrap();
    shared::card::card(demo::SHOP_ID, account, &account.recent(50), &program, now)
}

#[test]
fn a_valid_token_returns_that_members_card() {
    let token = demo_token("c42", demo::SECRET_KEY, now() + 3600);
    let r = get(ME, Some(&token));
    assert_eq!(r.status, 200, "{r:?}");
    let card: shared::api::Card = serde_json::from_value(r.body.clone()).unwrap();
    let expected = expected_card("c42");
    assert_eq!(card.customer_id, "c42");
    assert_eq!(card.points, expected.points);
    assert_eq!(card.stamps, expected.stamps);
    assert_eq!(card.tier, expected.tier);
    assert_eq!(
        card.coupons.len(),
        2,
        "the €5-off coupon and the spend certificate"
    );
    assert_eq!(card.history.len(), expected.history.len());
    let other = get(ME, Some(&demo_token("c7", demo::SECRET_KEY, now() + 3600)));
    assert_eq!(other.body["customer_id"], "c7");
    assert_eq!(other.body["points"], expected_card("c7").points);
    assert_eq!(
        other.body["stamps"]["filled"], 2,
        "new members start with pre-filled stamps"
    );
}

#[test]
fn the_demo_storefronts_token_is_fresh_and_short_lived() {
    let page = get("/", None);
    assert_eq!(page.status, 200);
    let html = page.body.as_str().unwrap();
    let start = html.find("data-customer-token=\"").unwrap() + "data-customer-token=\"".len();
    let token = &html[start..start + html[start..].find('"').unwrap()];
    let expires: u64 = token.split('.').nth(2).unwrap().parse().unwrap();
    assert!(expires > now() && expires <= now() + 86_400, "{token}");
    assert_eq!(token, demo_token("c42", demo::SECRET_KEY, expires));
    assert_eq!(get(ME, Some(token)).status, 200);
    assert!(html.contains(r#"src="/widget.js" data-shop="demo-bakery""#));
}

#[test]
fn missing_forged_expired_and_foreign_tokens_get_401() {
    get(ME, None).assert_problem(401, "unauthorized");
    let forged = demo_token("c42", "sk_guessed_key", now() + 3600);
    get(ME, Some(&forged)).assert_problem(401, "unauthorized");
    let expired = demo_token("c42", demo::SECRET_KEY, now() - 1);
    get(ME, Some(&expired)).assert_problem(401, "unauthorized");
    // Signed with the right key but for another shop: the shop id is part of the signed message.
    let foreign = shared::token::sign(
        demo::SECRET_KEY,
        &shared::ShopId::parse("other-shop").unwrap(),
        &shared::CustomerId::parse("c42").unwrap(),
        now() + 3600,
    );
    get(ME, Some(&foreign)).assert_problem(401, "unauthorized");
    let mut tampered = demo_token("c42", demo::SECRET_KEY, now() + 3600);
    tampered = tampered.replacen("c42", "c7", 1);
    get(ME, Some(&tampered)).assert_problem(401, "unauthorized");
    get(ME, Some("sk_test_demo_bakery")).assert_problem(401, "unauthorized");
    get(ME, Some("v1.garbage")).assert_problem(401, "unauthorized");
}

#[test]
fn a_valid_token_for_a_new_shopper_opens_their_own_card() {
    let customer = format!("newcomer{}", std::process::id());
    let token = demo_token(&customer, demo::SECRET_KEY, now() + 3600);
    let r = get(ME, Some(&token));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["customer_id"], customer.as_str());
    assert_eq!(r.body["points"], 100, "the welcome bonus");
    assert_eq!(r.body["stamps"]["filled"], 2, "pre-filled stamps");
    assert_eq!(r.body["history"].as_array().unwrap().len(), 1);
}

#[test]
fn unknown_api_routes_are_404_problems() {
    get("/v1/nope", None).assert_problem(404, "not_found");
}

#[test]
fn preflight_allows_storefront_origins_only_on_shopper_routes() {
    let r = call("OPTIONS", ME, None, None);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r
        .header("access-control-allow-headers")
        .unwrap()
        .contains("Authorization"));
    let shop_route = call("OPTIONS", "/v1/shops/demo-bakery/events", None, None);
    assert_eq!(shop_route.header("access-control-allow-origin"), None);
}

#[test]
fn widget_assets_are_served_with_cors() {
    for path in [
        "/widget.js",
        "/widget/punchcard_widget.js",
        "/widget/punchcard_widget_bg.wasm",
        "/widget/style.css",
    ] {
        let r = get(path, None);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
    }
}

#[test]
fn wrong_methods_are_405_problems() {
    call("DELETE", "/v1/shops/demo-bakery/program", None, None)
        .assert_problem(405, "method_not_allowed");
}
