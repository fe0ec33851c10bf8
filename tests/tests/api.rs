//! API v1 over HTTP against `wrangler dev`: every route of API.md, idempotency, validation,
//! authorization boundaries, and redemptions under concurrency.

use punchcard_tests::{call, get, new_shop, paid, send, token_for, Reply, ADMIN_KEY};
use serde_json::{json, Value};

fn post(path: &str, key: &str, body: Value) -> Reply {
    call("POST", path, Some(key), Some(&body))
}

fn redeem(path: &str, key: &str, idem: &str, reward: &str) -> Reply {
    send(
        "POST",
        path,
        Some(key),
        &[("Idempotency-Key", idem)],
        Some(json!({"reward_id": reward}).to_string()),
    )
}

#[test]
fn shops_are_created_by_the_admin_once() {
    let body = json!({"shop_id": format!("t-admin-{}", std::process::id()), "name": "Bakery"});
    call("POST", "/v1/shops", None, Some(&body)).assert_problem(401, "unauthorized");
    call("POST", "/v1/shops", Some("wrong-key"), Some(&body)).assert_problem(401, "unauthorized");
    let r = call("POST", "/v1/shops", Some(ADMIN_KEY), Some(&body));
    assert_eq!(r.status, 201, "{r:?}");
    let secret = r.body["secret_key"].as_str().unwrap();
    assert!(secret.starts_with("sk_live_") && secret.len() > 40);
    call("POST", "/v1/shops", Some(ADMIN_KEY), Some(&body)).assert_problem(409, "conflict");
    let bad = call(
        "POST",
        "/v1/shops",
        Some(ADMIN_KEY),
        Some(&json!({"shop_id": "no spaces", "name": ""})),
    );
    bad.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["shop_id", "name"]);
}

#[test]
fn program_changes_are_validated_per_field_and_change_nothing_when_refused() {
    let (shop, sk) = new_shop("program");
    let path = format!("/v1/shops/{shop}/program");
    let mut program: Value = get(&path, None).body;
    program["stamps"]["reward_id"] = json!("nope");
    program["tiers"][2]["threshold_minor"] = json!(1);
    program["earn"]["unit_minor"] = json!(0);
    let r = call("PUT", &path, Some(&sk), Some(&program));
    r.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "earn.unit_minor",
            "stamps.reward_id",
            "tiers[2].threshold_minor"
        ]
    );
    assert_eq!(
        get(&path, None).body["earn"]["unit_minor"],
        100,
        "unchanged"
    );
    let r = call(
        "PUT",
        &path,
        Some(&sk),
        Some(
            &json!({"name": "X", "currency": "EUR", "earn": {"points_per_unit": 1, "unit_minor": 100}, "oops": 1}),
        ),
    );
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "oops");
    let mut ok = get(&path, None).body;
    ok["stamps"]["goal"] = json!(8);
    assert_eq!(call("PUT", &path, Some(&sk), Some(&ok)).status, 200);
    assert_eq!(get(&path, None).body["stamps"]["goal"], 8);
}

#[test]
fn the_same_event_a_hundred_times_credits_once() {
    let (shop, sk) = new_shop("replay");
    let path = format!("/v1/shops/{shop}/events");
    let event = paid("order-1-paid", "c1", "1", 2350);
    let first = post(&path, &sk, event.clone());
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["points"], 100 + 23);
    assert_eq!(first.header("idempotent-replayed"), None);
    for _ in 0..99 {
        let again = post(&path, &sk, event.clone());
        assert_eq!(again.status, 200);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
    }
    let card = get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk));
    assert_eq!(card.body["points"], 123);
    let mut changed = event.clone();
    changed["amount_minor"] = json!(9999);
    post(&path, &sk, changed).assert_problem(409, "idempotency_conflict");
    assert_eq!(
        get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body["points"],
        123
    );
}

#[test]
fn pay_then_full_refund_returns_the_balance_to_its_start() {
    let (shop, sk) = new_shop("refund");
    let path = format!("/v1/shops/{shop}/events");
    post(&path, &sk, paid("p0", "c1", "0", 1000));
    let start = get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body;
    let r = post(&path, &sk, paid("p1", "c1", "1", 60_000));
    assert_eq!(r.body["tier"]["id"], "gold");
    let r = post(
        &path,
        &sk,
        json!({"id": "r1", "type": "order.refunded", "customer_id": "c1", "order_id": "1", "amount_minor": 60_000}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["points"], start["points"]);
    assert_eq!(r.body["stamps"], start["stamps"]);
    assert_eq!(r.body["tier"], start["tier"]);
    let over = post(
        &path,
        &sk,
        json!({"id": "r2", "type": "order.refunded", "customer_id": "c1", "order_id": "1", "amount_minor": 1}),
    );
    over.assert_problem(422, "validation_failed");
}

#[test]
fn bad_events_name_the_field_and_change_nothing() {
    let (shop, sk) = new_shop("badevents");
    let path = format!("/v1/shops/{shop}/events");
    let mut e = paid("e1", "c1", "1", -5);
    e["currency"] = json!("USD");
    let r = post(&path, &sk, e);
    r.assert_problem(422, "validation_failed");
    let r = post(&path, &sk, paid("e2", "c1", "1", 1_000_000_000_000_000));
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "amount_minor");
    let r = post(
        &path,
        &sk,
        json!({"id": "e3", "type": "order.paid", "customer_id": "c1"}),
    );
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["order_id", "amount_minor", "currency"]);
    let r = send("POST", &path, Some(&sk), &[], Some("{not json".into()));
    r.assert_problem(422, "validation_failed");
    let big = format!("{{\"id\": \"x\", \"pad\": \"{}\"}}", "a".repeat(70_000));
    send("POST", &path, Some(&sk), &[], Some(big)).assert_problem(413, "payload_too_large");
    get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).assert_problem(404, "not_found");
}

#[test]
fn credentials_reach_only_their_own_routes_and_shop() {
    let (shop, sk) = new_shop("authz");
    let (other, other_sk) = new_shop("authz");
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("e1", "c1", "1", 1000),
    );
    let customer = format!("/v1/shops/{shop}/customers/c1");
    get(&customer, Some(&other_sk)).assert_problem(401, "unauthorized");
    get(&customer, None).assert_problem(401, "unauthorized");
    // A shopper's token is not a shop key, and only reaches /me of its own shop.
    let token = token_for(&shop, &sk, "c1");
    get(&customer, Some(&token)).assert_problem(401, "unauthorized");
    get(&format!("/v1/shops/{other}/me"), Some(&token)).assert_problem(401, "unauthorized");
    assert_eq!(
        get(&format!("/v1/shops/{shop}/me"), Some(&token)).body["customer_id"],
        "c1"
    );
    // Shop-secret routes send no CORS allowance; shopper routes do.
    assert_eq!(
        get(&customer, Some(&sk)).header("access-control-allow-origin"),
        None
    );
    assert_eq!(
        get(&format!("/v1/shops/{shop}/me"), Some(&token)).header("access-control-allow-origin"),
        Some("*")
    );
    assert!(
        !get(&customer, Some(&sk)).body.to_string().contains(&sk),
        "no secret in answers"
    );
}

#[test]
fn staff_adjust_points_add_stamps_and_redeem_for_a_member() {
    let (shop, sk) = new_shop("staff");
    let base = format!("/v1/shops/{shop}/customers/c1");
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("e1", "c1", "1", 1000),
    );
    let r = post(
        &format!("{base}/adjustments"),
        &sk,
        json!({"id": "a1", "points": 500, "reason": "Sorry for the wait"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["points"], 610);
    assert_eq!(
        post(
            &format!("{base}/adjustments"),
            &sk,
            json!({"id": "a1", "points": 500, "reason": "Sorry for the wait"})
        )
        .header("idempotent-replayed"),
        Some("true")
    );
    post(
        &format!("{base}/adjustments"),
        &sk,
        json!({"id": "a2", "points": -10_000, "reason": "x"}),
    )
    .assert_problem(409, "insufficient_points");
    post(
        &format!("{base}/adjustments"),
        &sk,
        json!({"id": "a3", "points": 5, "reason": ""}),
    )
    .assert_problem(422, "validation_failed");
    let r = post(
        &format!("{base}/stamps"),
        &sk,
        json!({"id": "s1", "count": 7}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.body["stamps"]["filled"], 0,
        "2 prefilled + 1 order + 7 = a full card"
    );
    assert_eq!(
        r.body["outcome"]["coupons_issued"][0]["reward_id"],
        "free-cake"
    );
    let r = redeem(&format!("{base}/redemptions"), &sk, "k1", "5-off");
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["card"]["points"], 110);
    assert_eq!(r.body["coupon"]["value_minor"], 500);
    redeem(&format!("{base}/redemptions"), &sk, "k2", "nope")
        .assert_problem(422, "validation_failed");
    send(
        "POST",
        &format!("{base}/redemptions"),
        Some(&sk),
        &[],
        Some(json!({"reward_id": "ship"}).to_string()),
    )
    .assert_problem(422, "validation_failed");
    let view = get(&base, Some(&sk));
    assert_eq!(view.body["all_coupons"].as_array().unwrap().len(), 2);
    assert!(view.body["history"].as_array().unwrap().len() >= 4);
}

#[test]
fn coupons_are_checked_and_consumed_once() {
    let (shop, sk) = new_shop("coupons");
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("e1", "c1", "1", 50_000),
    );
    let token = token_for(&shop, &sk, "c1");
    let r = redeem(
        &format!("/v1/shops/{shop}/me/redemptions"),
        &token,
        "k1",
        "5-off",
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let code = r.body["coupon"]["code"].as_str().unwrap().to_owned();
    let coupon = get(&format!("/v1/shops/{shop}/coupons/{code}"), Some(&sk));
    assert_eq!(
        (
            coupon.body["status"].as_str(),
            coupon.body["customer_id"].as_str()
        ),
        (Some("active"), Some("c1"))
    );
    let consume = format!("/v1/shops/{shop}/coupons/{}/consume", code.to_lowercase());
    assert_eq!(
        post(&consume, &sk, json!({"order_id": "2001"})).body["status"],
        "consumed"
    );
    // A checkout retry a moment later (another second on the clock) for the same order is fine.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        post(&consume, &sk, json!({"order_id": "2001"})).status,
        200,
        "same order again is fine"
    );
    post(&consume, &sk, json!({"order_id": "2002"})).assert_problem(409, "coupon_consumed");
    get(&format!("/v1/shops/{shop}/coupons/PC-2222-2222"), Some(&sk))
        .assert_problem(404, "not_found");
    // The shopper's KV snapshot follows within the coalescing interval (about a second).
    let active = || {
        let card = get(&format!("/v1/shops/{shop}/me"), Some(&token)).body;
        card["coupons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["code"] == code.as_str())
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while active() != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the KV snapshot was never refreshed"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn export_and_erasure() {
    let (shop, sk) = new_shop("gdpr");
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("e1", "c1", "1", 5000),
    );
    let base = format!("/v1/shops/{shop}/customers/c1");
    let export = get(&format!("{base}/export"), Some(&sk));
    assert_eq!(export.status, 200);
    assert_eq!(export.body["member"]["customer_id"], "c1");
    assert!(export.body["ledger"]["history"].is_array());
    assert_eq!(call("DELETE", &base, Some(&sk), None).status, 204);
    get(&base, Some(&sk)).assert_problem(404, "not_found");
}

#[test]
fn concurrent_redemptions_never_overdraw() {
    let (shop, sk) = new_shop("race");
    // 100 welcome + 1400 earned = 1500 points: exactly three 500-point rewards.
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("e1", "c1", "1", 140_000),
    );
    let token = token_for(&shop, &sk, "c1");
    let path = format!("/v1/shops/{shop}/me/redemptions");
    let results: Vec<Reply> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..200)
            .map(|i| {
                let (path, token) = (&path, &token);
                s.spawn(move || redeem(path, token, &format!("race-{i}"), "5-off"))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(ok, 3, "exactly the affordable number succeed");
    for r in results.iter().filter(|r| r.status != 201) {
        assert!(
            r.body["code"] == "insufficient_points" || r.body["code"] == "rate_limited",
            "{r:?}"
        );
    }
    let card = get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body;
    assert_eq!(card["points"], 0);
    assert_eq!(
        card["all_coupons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["reward_id"] == "5-off")
            .count(),
        3
    );
}

#[test]
fn redemptions_are_rate_limited_per_member() {
    let (shop, sk) = new_shop("ratelimit");
    post(
        &format!("/v1/shops/{shop}/customers/c1/adjustments"),
        &sk,
        json!({"id": "a", "points": 100_000, "reason": "load"}),
    );
    let path = format!("/v1/shops/{shop}/customers/c1/redemptions");
    let mut limited = None;
    for i in 0..12 {
        let r = redeem(&path, &sk, &format!("k{i}"), "ship");
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 201, "{r:?}");
    }
    let r = limited.expect("the 11th redemption within a minute is refused");
    r.assert_problem(429, "rate_limited");
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

#[test]
fn referrals_credit_both_members_on_the_first_order() {
    let (shop, sk) = new_shop("referral");
    let events = format!("/v1/shops/{shop}/events");
    post(
        &events,
        &sk,
        json!({"id": "j", "type": "customer.referred", "customer_id": "friend", "referrer_id": "anna"}),
    );
    let r = post(&events, &sk, paid("p1", "friend", "1", 1000));
    assert_eq!(r.body["points"], 100 + 10 + 250);
    assert_eq!(
        get(&format!("/v1/shops/{shop}/customers/anna"), Some(&sk)).body["points"],
        100 + 500
    );
    let r = post(
        &events,
        &sk,
        json!({"id": "self", "type": "customer.referred", "customer_id": "bob", "referrer_id": "bob"}),
    );
    r.assert_problem(422, "validation_failed");
    // The widget's referral links carry the member code: it names the referrer too.
    let code = get(&format!("/v1/shops/{shop}/customers/anna"), Some(&sk)).body["member_code"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let r = post(
        &events,
        &sk,
        json!({"id": "k", "type": "customer.referred", "customer_id": "carl", "referrer_id": code}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    post(&events, &sk, paid("p2", "carl", "2", 1000));
    assert_eq!(
        get(&format!("/v1/shops/{shop}/customers/anna"), Some(&sk)).body["points"],
        100 + 500 + 500
    );
    let r = post(
        &events,
        &sk,
        json!({"id": "u", "type": "customer.referred", "customer_id": "dora",
               "referrer_id": shared::code::generate("M", [9; 8])}),
    );
    r.assert_problem(422, "validation_failed");
}

#[test]
fn the_openapi_document_describes_every_route() {
    let r = get("/openapi.json", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/v1/shops",
        "/v1/shops/{shop}/events",
        "/v1/shops/{shop}/me/redemptions",
        "/v1/shops/{shop}/coupons/{code}/consume",
    ] {
        assert!(paths.contains_key(p), "{p}");
    }
    let schemes = r.body["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes.len(), 3);
    // The schemas bite: a well-formed event passes, a malformed one does not.
    let event =
        punchcard_tests::openapi::validator(&punchcard_tests::openapi::component("EventRequest"));
    assert!(event.is_valid(&paid("e1", "c1", "o1", 100)));
    for bad in [
        json!({"id": "e1", "type": "order.paid", "customer_id": "c1"}),
        json!({"id": "e1", "type": "order.shipped", "customer_id": "c1"}),
        json!({"id": "", "type": "customer.birthday", "customer_id": "c1"}),
        json!({"id": "e1", "type": "customer.updated", "customer_id": "c1", "business": null}),
        json!({"id": "e1", "type": "customer.birthday", "customer_id": "c1", "extra": 1}),
    ] {
        assert!(!event.is_valid(&bad), "{bad}");
    }
    // The served document is the one derived from the types, byte for byte in meaning.
    assert!(
        r.body == shared::openapi::document(),
        "the served /openapi.json is not what the types in shared say: run `cargo xtask openapi`"
    );
}

#[test]
fn the_documents_patterns_state_the_servers_rules() {
    use punchcard_tests::openapi::validator;
    // Birthdays and member dates: every MM-DD from 00-00 to 99-99, pattern against the parser
    // the routes run.
    let birthday =
        validator(&json!({"type": "string", "pattern": shared::api::REAL_MONTH_DAY_PATTERN}));
    for m in 0..100 {
        for d in 0..100 {
            let date = format!("{m:02}-{d:02}");
            assert_eq!(
                birthday.is_valid(&json!(date)),
                shared::time::parse_month_day(&date).is_some(),
                "{date}"
            );
        }
    }
    // Join URLs: the pattern against the program's own check.
    let join = validator(&json!({
        "type": "string",
        "maxLength": 500,
        "pattern": shared::program::JOIN_URL_PATTERN
    }));
    let long = format!("https://a.example/{}", "x".repeat(490));
    for url in [
        "https://shop.example/join",
        "https://1.example",
        "https://",
        "https://-x",
        "http://shop.example",
        "/join?ref=1",
        "/",
        "//other.example",
        "/\\other.example",
        "/a b",
        "/a\tb",
        "/a\u{feff}b",
        "/a\u{a0}b",
        "/a\u{85}b",
        "/a\u{2028}b",
        "/a\u{7f}b",
        "/a\"b",
        "/a<b",
        "/é",
        "join",
        "",
        long.as_str(),
    ] {
        assert_eq!(
            join.is_valid(&json!(url)),
            shared::program::join_url_ok(url),
            "{url:?}"
        );
    }
}

#[test]
fn a_member_enters_their_birthday_once() {
    let (shop, sk) = new_shop("birthday");
    let path = format!("/v1/shops/{shop}/me/birthday");
    let token = token_for(&shop, &sk, "c1");
    assert_eq!(
        call("POST", &path, None, Some(&json!({"date": "02-29"}))).status,
        401
    );
    let bad = post(&path, &token, json!({"date": "02-30"}));
    assert_eq!(
        (bad.status, bad.body["errors"][0]["field"].as_str()),
        (422, Some("date"))
    );
    let set = post(&path, &token, json!({"date": "02-29"}));
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["birthday"], "02-29");
    let again = post(&path, &token, json!({"date": "02-29"}));
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = post(&path, &token, json!({"date": "03-01"}));
    assert_eq!(
        (other.status, other.body["code"].as_str()),
        (409, Some("birthday_already_set"))
    );
    let card = get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body;
    assert_eq!(card["birthday"], "02-29");
    assert_eq!(card["currency"], "EUR");
}

#[test]
fn analytics_move_with_orders_refunds_and_erasure() {
    let (shop, sk) = new_shop("analytics");
    let analytics = || get(&format!("/v1/shops/{shop}/analytics"), Some(&sk));
    let a = analytics();
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        (a.body["members"].as_i64(), a.body["revenue_minor"].as_i64()),
        (Some(0), Some(0))
    );
    let events = format!("/v1/shops/{shop}/events");
    assert_eq!(
        post(&events, &sk, paid("a1", "c1", "1", 80_000)).status,
        200
    );
    assert_eq!(post(&events, &sk, paid("a2", "c2", "2", 2_000)).status, 200);
    let a = analytics().body;
    assert_eq!(a["members"], 2);
    assert_eq!(a["buyers"], 2);
    assert_eq!(a["revenue_minor"], 82_000);
    assert_eq!(a["active_30d"], 2);
    // 100 welcome each + 800 (c1 reaches gold at 500 € only from the next order) + 20.
    assert_eq!(a["points"]["issued"], 1_020);
    assert_eq!(a["points"]["outstanding"], 1_020);
    assert_eq!(a["points"]["outstanding_value_minor"], 1_020);
    assert_eq!(a["pareto_top20_bp"], 9_756); // the top member of two brings 80,000 of 82,000
    let recent: i64 = a["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["members"].as_i64().unwrap())
        .sum();
    assert_eq!(recent, 2);
    let refund = json!({"id": "a3", "type": "order.refunded", "customer_id": "c2", "order_id": "2",
        "amount_minor": 2_000, "currency": "EUR"});
    assert_eq!(post(&events, &sk, refund).status, 200);
    let a = analytics().body;
    assert_eq!(
        (a["revenue_minor"].as_i64(), a["buyers"].as_i64()),
        (Some(80_000), Some(1))
    );
    assert_eq!(a["points"]["deducted"], 20);
    // Birthdays coming up are listed; an erased member leaves the figures.
    let today = shared::time::civil_date(punchcard_tests::now() as i64);
    let token = token_for(&shop, &sk, "c2");
    let date = format!("{:02}-{:02}", today.1, today.2);
    assert_eq!(
        post(
            &format!("/v1/shops/{shop}/me/birthday"),
            &token,
            json!({"date": date})
        )
        .status,
        200
    );
    let a = analytics().body;
    assert_eq!(
        a["birthdays_next_14_days"],
        json!([{"customer_id": "c2", "date": date}])
    );
    assert_eq!(
        call(
            "DELETE",
            &format!("/v1/shops/{shop}/customers/c2"),
            Some(&sk),
            None
        )
        .status,
        204
    );
    let a = analytics().body;
    assert_eq!(
        (a["members"].as_i64(), a["points"]["outstanding"].as_i64()),
        (Some(1), Some(900))
    );
    assert_eq!(a["birthdays_next_14_days"], json!([]));
}

#[test]
fn members_are_found_by_member_code_and_events_come_in_batches() {
    let (shop, sk) = new_shop("batch");
    let batch = format!("/v1/shops/{shop}/events/batch");
    let events: Vec<Value> = (0..50)
        .map(|i| {
            paid(
                &format!("b{i}"),
                &format!("m{}", i % 10),
                &format!("{i}"),
                1_000,
            )
        })
        .collect();
    let r = post(&batch, &sk, json!({"events": events}));
    assert_eq!(r.status, 200, "{r:?}");
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|x| x["status"] == 200));
    // The same batch again is all replays; a single event replays too (canonical hashing).
    let again = post(&batch, &sk, json!({"events": events}));
    assert!(again.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["replayed"] == true));
    let single = post(&format!("/v1/shops/{shop}/events"), &sk, events[0].clone());
    assert_eq!(single.header("idempotent-replayed"), Some("true"));
    let bad = post(
        &batch,
        &sk,
        json!({"events": [paid("x", "m1", "x", 100), {"id": "y", "type": "order.paid", "customer_id": "m1"}]}),
    );
    assert_eq!(bad.status, 422, "{bad:?}");
    assert!(bad.body["errors"][0]["field"]
        .as_str()
        .unwrap()
        .starts_with("events[1]."));
    // Nothing of a refused batch is applied, not even its valid events.
    assert_eq!(
        get(&format!("/v1/shops/{shop}/customers/m1"), Some(&sk)).body["points"],
        150
    );
    let member = get(&format!("/v1/shops/{shop}/customers/m3"), Some(&sk)).body;
    assert_eq!(member["points"], 150);
    let code = member["member_code"].as_str().unwrap().to_owned();
    let typed = code.to_lowercase().replace('-', " ");
    let found = get(
        &format!("/v1/shops/{shop}/members/{}", typed.replace(' ', "%20")),
        Some(&sk),
    );
    assert_eq!(
        (found.status, found.body["customer_id"].as_str()),
        (200, Some("m3"))
    );
    assert_eq!(
        get(&format!("/v1/shops/{shop}/members/M-2222-2222"), Some(&sk)).status,
        404
    );
    assert_eq!(
        get(&format!("/v1/shops/{shop}/members/{code}"), None).status,
        401
    );
}

#[test]
fn birthday_points_arrive_on_the_day_from_the_ledgers_daily_run() {
    let (shop, sk) = new_shop("birthday-run");
    let today = shared::time::civil_date(punchcard_tests::now() as i64);
    let date = format!("{:02}-{:02}", today.1, today.2);
    let token = token_for(&shop, &sk, "c1");
    let set = post(
        &format!("/v1/shops/{shop}/me/birthday"),
        &token,
        json!({"date": date}),
    );
    assert_eq!((set.status, set.body["points"].as_i64()), (200, Some(100)));
    // The object's alarm runs the day's birthdays the first time it fires that day; a member
    // whose card is in KV, written twice within a second, makes it fire now (the snapshot
    // coalescing).
    let c2 = token_for(&shop, &sk, "c2");
    assert_eq!(get(&format!("/v1/shops/{shop}/me"), Some(&c2)).status, 200);
    let events = format!("/v1/shops/{shop}/events");
    assert_eq!(post(&events, &sk, paid("r1", "c2", "1", 1_000)).status, 200);
    assert_eq!(post(&events, &sk, paid("r2", "c2", "2", 1_000)).status, 200);
    let card = || get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body;
    let mut points = 0;
    for _ in 0..50 {
        points = card()["points"].as_i64().unwrap();
        if points == 300 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(points, 300, "100 welcome + 200 birthday points");
    let history = card()["history"].clone();
    assert_eq!(history[0]["kind"], "birthday");
}
