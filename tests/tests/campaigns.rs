//! Campaigns over HTTP: a program with a running double-points campaign doubles an order's
//! points, says so in the member's history and card (shop view and `GET /me`), a refund after
//! the campaign takes back exactly what it gave, and a buy-one-get-one campaign issues its coupon.

use punchcard_tests::{call, get, new_shop, now, paid, put_program_with, token_for};
use serde_json::{json, Value};

fn rfc(t: u64) -> String {
    shared::time::rfc3339(t as i64)
}

/// The demo program with `campaigns`.
fn program_with(shop: &str, sk: &str, campaigns: Value) {
    let r = put_program_with(shop, sk, json!({ "campaigns": campaigns }));
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn a_running_campaign_doubles_points_shows_on_the_card_and_a_refund_takes_it_back() {
    let (shop, sk) = new_shop("campaign");
    let t = now();
    program_with(
        &shop,
        &sk,
        json!([{"id": "double", "name": "Double points week", "starts_at": rfc(t - 3600),
                "ends_at": rfc(t + 7 * 86_400), "effect": {"kind": "multiplier", "pct": 200}},
               {"id": "later", "name": "Next month", "starts_at": rfc(t + 40 * 86_400),
                "ends_at": rfc(t + 50 * 86_400), "effect": {"kind": "bonus_points", "points": 5}}]),
    );
    let events = format!("/v1/shops/{shop}/events");
    let r = call(
        "POST",
        &events,
        Some(&sk),
        Some(&paid("c-e1", "ana", "o1", 2_000)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["outcome"]["points"], 40, "20 points, doubled: {r:?}");
    assert_eq!(r.body["points"], 140, "with the welcome points");
    let campaigns = r.body["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 1, "only the running one: {campaigns:?}");
    assert_eq!(campaigns[0]["name"], "Double points week");
    let history = r.body["history"].as_array().unwrap();
    assert!(
        history
            .iter()
            .any(|h| h["kind"] == "campaign" && h["points"] == 20),
        "{history:?}"
    );

    // The shopper's own card says it too.
    let me = get(
        &format!("/v1/shops/{shop}/me"),
        Some(&token_for(&shop, &sk, "ana")),
    );
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["campaigns"][0]["id"], "double");

    // The campaign is over (the program drops it); a refund still takes back what it gave.
    program_with(&shop, &sk, json!([]));
    let refund = json!({"id": "c-r1", "type": "order.refunded", "customer_id": "ana",
                        "order_id": "o1", "amount_minor": 2_000});
    let r = call("POST", &events, Some(&sk), Some(&refund));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["outcome"]["points"], -40);
    assert_eq!(r.body["points"], 100);
    assert!(r
        .body
        .get("campaigns")
        .is_none_or(|c| c.as_array().is_some_and(Vec::is_empty)));
}

#[test]
fn buy_one_cake_get_one_free_issues_a_coupon_only_for_cake_orders() {
    let (shop, sk) = new_shop("bogo");
    let t = now();
    program_with(
        &shop,
        &sk,
        json!([{"id": "bogo", "name": "Buy one cake, get one free", "starts_at": rfc(t - 60),
                "ends_at": rfc(t + 86_400),
                "effect": {"kind": "coupon", "sku": "CAKE", "min_quantity": 1, "reward_id": "free-cake"}}]),
    );
    let events = format!("/v1/shops/{shop}/events");
    let order = |id: &str, order: &str, sku: &str| {
        let mut e = paid(id, "ben", order, 450);
        e["items"] = json!([{"sku": sku, "quantity": 1, "unit_price_minor": 450}]);
        call("POST", &events, Some(&sk), Some(&e))
    };
    let bread = order("b-e1", "o1", "BREAD");
    assert_eq!(bread.status, 200, "{bread:?}");
    let coupons = |r: &punchcard_tests::Reply| {
        r.body["outcome"]["coupons_issued"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(coupons(&bread), 0);
    let cake = order("b-e2", "o2", "CAKE");
    assert_eq!(coupons(&cake), 1, "{cake:?}");
    assert_eq!(
        cake.body["outcome"]["coupons_issued"][0]["reward_id"],
        "free-cake"
    );
    // A program whose campaign names an unknown reward is refused at that field.
    let mut program: Value = serde_json::from_str(shared::program::DEMO_BAKERY_PROGRAM).unwrap();
    program["campaigns"] = json!([{"id": "x", "name": "X", "starts_at": rfc(t), "ends_at": rfc(t - 1),
        "effect": {"kind": "coupon", "sku": "CAKE", "min_quantity": 1, "reward_id": "nope"}}]);
    let r = call(
        "PUT",
        &format!("/v1/shops/{shop}/program"),
        Some(&sk),
        Some(&program),
    );
    r.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"campaigns[0].ends_at")
            && fields.contains(&"campaigns[0].effect.reward_id"),
        "{fields:?}"
    );
}
