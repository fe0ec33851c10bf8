//! Trust and contract at the edge: key rotation, token lifetimes, edge rate limits, body and
//! number limits, 405 with `Allow`, the console's CSP, safe join URLs.

use punchcard_tests::{base_url, call, get, new_shop, now, paid, send, token_for};
use serde_json::json;
use shared::{token, CustomerId, ShopId};

fn settings(shop: &str) -> String {
    format!("/v1/shops/{shop}/settings")
}

fn me(shop: &str) -> String {
    format!("/v1/shops/{shop}/me")
}

/// A token of `shop` for `customer`, signed with `key`, expiring at `expires`.
fn signed(shop: &str, key: &str, customer: &str, expires: u64) -> String {
    token::sign(
        key,
        &ShopId::parse(shop).unwrap(),
        &CustomerId::parse(customer).unwrap(),
        expires,
    )
}

fn rotate(shop: &str, key: &str, grace: Option<u64>) -> punchcard_tests::Reply {
    let body = grace.map(|g| json!({ "grace_seconds": g }));
    call(
        "POST",
        &format!("/v1/shops/{shop}/keys/rotate"),
        Some(key),
        body.as_ref(),
    )
}

#[test]
fn a_rotated_key_works_through_its_grace_period_and_then_stops() {
    let (shop, old) = new_shop("rotate");
    let old_token = token_for(&shop, &old, "c1");
    let r = rotate(&shop, &old, None);
    assert_eq!(r.status, 200, "{r:?}");
    let new = r.body["secret_key"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(r.body["previous_key_valid_until"].is_string(), "{r:?}");
    // Both keys work during the grace period: for the API and for token signatures.
    assert_eq!(get(&settings(&shop), Some(&old)).status, 200);
    assert_eq!(get(&settings(&shop), Some(&new)).status, 200);
    assert_eq!(get(&me(&shop), Some(&old_token)).status, 200);
    assert_eq!(
        get(&me(&shop), Some(&token_for(&shop, &new, "c1"))).status,
        200
    );
    // A key in its grace period cannot mint the next one.
    rotate(&shop, &old, Some(0)).assert_problem(401, "unauthorized");

    // 0 revokes at once: only the newest key works.
    let r = rotate(&shop, &new, Some(0));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body["previous_key_valid_until"].is_null(), "{r:?}");
    let newest = r.body["secret_key"].as_str().unwrap().to_owned();
    get(&settings(&shop), Some(&new)).assert_problem(401, "unauthorized");
    get(&me(&shop), Some(&token_for(&shop, &new, "c1"))).assert_problem(401, "unauthorized");
    assert_eq!(get(&settings(&shop), Some(&newest)).status, 200);

    // A short grace period ends on time.
    let r = rotate(&shop, &newest, Some(1));
    let last = r.body["secret_key"].as_str().unwrap().to_owned();
    assert_eq!(get(&settings(&shop), Some(&newest)).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    get(&settings(&shop), Some(&newest)).assert_problem(401, "unauthorized");
    assert_eq!(get(&settings(&shop), Some(&last)).status, 200);
    rotate(&shop, &last, Some(31 * 86_400)).assert_problem(422, "validation_failed");
}

#[test]
fn tokens_may_live_only_as_long_as_the_shop_allows() {
    let (shop, sk) = new_shop("lifetime");
    let r = get(&settings(&shop), Some(&sk));
    assert_eq!(
        r.body,
        json!({"token_max_lifetime_seconds": 86_400, "members_may_rejoin": true})
    );
    let day = signed(&shop, &sk, "c1", now() + 86_000);
    assert_eq!(get(&me(&shop), Some(&day)).status, 200);
    let week = signed(&shop, &sk, "c1", now() + 7 * 86_400);
    get(&me(&shop), Some(&week)).assert_problem(401, "token_lifetime");
    let forever = signed(&shop, &sk, "c1", u64::MAX);
    get(&me(&shop), Some(&forever)).assert_problem(401, "token_lifetime");
    // `expires` is canonical decimal: a leading zero is another token, and refused.
    let zero = day.replacen(".", ".0", 2).replacen(".0", ".", 1);
    assert_ne!(zero, day);
    get(&me(&shop), Some(&zero)).assert_problem(401, "unauthorized");

    let r = call(
        "PUT",
        &settings(&shop),
        Some(&sk),
        Some(&json!({"token_max_lifetime_seconds": 8 * 86_400})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(get(&me(&shop), Some(&week)).status, 200);
    for bad in [json!(59), json!(31 * 86_400), json!(-1), json!("1")] {
        let r = call(
            "PUT",
            &settings(&shop),
            Some(&sk),
            Some(&json!({ "token_max_lifetime_seconds": bad })),
        );
        r.assert_problem(422, "validation_failed");
    }
}

#[test]
fn the_shop_api_is_limited_per_shop_at_the_edge() {
    let (shop, sk) = new_shop("flood");
    let path = settings(&shop);
    // The limiter counts in fixed 10 s windows: 2,104 requests sent within 10 s span at most two
    // windows, so one of them sees more than 1,000 whatever the boundary (sending stops at the
    // first 429).
    let stop = std::sync::atomic::AtomicBool::new(false);
    let limited: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let mut limited = Vec::new();
                    for _ in 0..263 {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let r = get(&path, Some(&sk));
                        if r.status == 429 {
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            limited.push(r);
                        }
                    }
                    limited
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let r = limited
        .first()
        .expect("2,104 requests in seconds pass the limit of 1,000 per 10 s");
    r.assert_problem(429, "rate_limited");
    assert_eq!(r.header("retry-after"), Some("10"));
    // Another shop is not affected.
    let (other, other_sk) = new_shop("calm");
    assert_eq!(get(&settings(&other), Some(&other_sk)).status, 200);
}

#[test]
fn a_shoppers_writes_are_limited_at_the_edge() {
    let (shop, sk) = new_shop("shopper");
    let token = token_for(&shop, &sk, "c1");
    let path = format!("/v1/shops/{shop}/me/birthday");
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let r = call("POST", &path, Some(&token), Some(&json!({"date": "05-17"})));
        statuses.push(r.status);
        if r.status == 429 {
            r.assert_problem(429, "rate_limited");
            assert_eq!(r.header("retry-after"), Some("60"));
        }
    }
    assert_eq!(statuses[..10], [200; 10], "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");
    // Reading the card is not a write.
    assert_eq!(get(&me(&shop), Some(&token)).status, 200);
}

#[test]
fn chunked_bodies_are_refused_at_the_limit_too() {
    let (shop, sk) = new_shop("chunked");
    let url = format!("{}/v1/shops/{shop}/events", base_url());
    let post = |body: Vec<u8>| {
        // A reader body makes ureq send `Transfer-Encoding: chunked`, no Content-Length.
        let r = ureq::post(&url)
            .set("Authorization", &format!("Bearer {sk}"))
            .set("Content-Type", "application/json")
            .send(std::io::Cursor::new(body));
        match r {
            Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    let mut big = paid("big", "c1", "o1", 1_000).to_string().into_bytes();
    big.truncate(big.len() - 1);
    big.extend(format!(", \"order_id\": \"{}\"}}", "x".repeat(100 * 1024)).bytes());
    let (status, body) = post(big);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("payload_too_large"), "{body}");
    let (status, body) = post(paid("small", "c1", "o1", 1_000).to_string().into_bytes());
    assert_eq!(status, 200, "{body}");
}

#[test]
fn absurd_numbers_are_field_errors() {
    let (shop, sk) = new_shop("numbers");
    let events = format!("/v1/shops/{shop}/events");
    let field_of = |r: &punchcard_tests::Reply| r.body["errors"][0]["field"].clone();
    for amount in [
        json!(9_223_372_036_854_775_807i64),
        json!(1_000_000_000_001i64),
        json!(-1),
    ] {
        let mut e = paid("n1", "c1", "o1", 0);
        e["amount_minor"] = amount;
        let r = call("POST", &events, Some(&sk), Some(&e));
        r.assert_problem(422, "validation_failed");
        assert_eq!(field_of(&r), "amount_minor", "{r:?}");
    }
    let mut e = paid("n2", "c1", "o2", 100);
    e["items"] = json!([{"sku": "CAKE", "quantity": 4_000_000_000u32}]);
    let r = call("POST", &events, Some(&sk), Some(&e));
    assert_eq!(field_of(&r), "items[0].quantity", "{r:?}");
    let adjust = format!("/v1/shops/{shop}/customers/c1/adjustments");
    for points in [json!(1_000_000_001i64), json!(i64::MIN), json!(0)] {
        let body = json!({"id": "a", "points": points, "reason": "x"});
        let r = call("POST", &adjust, Some(&sk), Some(&body));
        r.assert_problem(422, "validation_failed");
        assert_eq!(field_of(&r), "points", "{r:?}");
    }
    let stamps = format!("/v1/shops/{shop}/customers/c1/stamps");
    for count in [0, 101, 4_294_967_295u32] {
        let r = call(
            "POST",
            &stamps,
            Some(&sk),
            Some(&json!({"id": "s", "count": count})),
        );
        r.assert_problem(422, "validation_failed");
        assert_eq!(field_of(&r), "count", "{r:?}");
    }
}

#[test]
fn every_route_answers_other_methods_with_405_and_allow() {
    for (pattern, methods) in shared::routes::ROUTES {
        let path = pattern
            .replace(":shop", "demo-bakery")
            .replace(":customer", "c42")
            .replace(":code", "PC-XXXX");
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            let r = send(method, &path, None, &[], None);
            if methods.contains(&method) {
                assert_ne!(r.status, 405, "{method} {path}: {r:?}");
                continue;
            }
            r.assert_problem(405, "method_not_allowed");
            let allow = r.header("allow").unwrap_or_default();
            assert_eq!(
                Some(allow.to_owned()),
                shared::routes::allow(&path),
                "{method} {path}"
            );
        }
    }
    // A method the router does not know is not read as GET.
    let r = send("QUERY", "/v1/shops/demo-bakery/program", None, &[], None);
    r.assert_problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET, PUT, OPTIONS"));
    get("/v1/shops/demo-bakery/nothing-here", None).assert_problem(404, "not_found");
}

#[test]
fn the_console_is_served_with_a_strict_csp() {
    for page in ["/console/", "/console/index.html"] {
        let r = get(page, None);
        assert_eq!(r.status, 200, "{page}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{page}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{page}");
    }
    let r = get("/console/preview.html", None);
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
}

#[test]
fn a_join_url_cannot_leave_the_shops_site() {
    let (shop, sk) = new_shop("join");
    let mut program: serde_json::Value =
        serde_json::from_str(shared::program::DEMO_BAKERY_PROGRAM).unwrap();
    for bad in [
        "//other.example/join",
        "http://shop.example/join",
        "javascript:alert(1)",
    ] {
        program["join_url"] = json!(bad);
        let r = call(
            "PUT",
            &format!("/v1/shops/{shop}/program"),
            Some(&sk),
            Some(&program),
        );
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], "join_url", "{bad}");
    }
}
