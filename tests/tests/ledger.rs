//! The ledger object's storage over HTTP: erasure leaves no trace (a replay of an old key is a
//! fresh request), a batch's reused id is that item's 409, a command failing half-way changes
//! nothing, idempotency records are purged while orders stay unique, history pages, and a member
//! stored in the first version's one-document shape migrates on first touch.

use punchcard_tests::{call, get, new_shop, paid, send, token_for, Reply, ADMIN_KEY};
use serde_json::{json, Value};

fn post(path: &str, key: &str, body: Value) -> Reply {
    call("POST", path, Some(key), Some(&body))
}

fn redeem(shop: &str, key: &str, customer: &str, idem: &str) -> Reply {
    send(
        "POST",
        &format!("/v1/shops/{shop}/customers/{customer}/redemptions"),
        Some(key),
        &[("Idempotency-Key", idem)],
        Some(json!({"reward_id": "5-off"}).to_string()),
    )
}

/// The shop's analytics report, without its `computed_at` stamp.
fn analytics(shop: &str, key: &str) -> Value {
    let r = get(&format!("/v1/shops/{shop}/analytics"), Some(key));
    assert_eq!(r.status, 200, "{r:?}");
    let mut report = r.body;
    report.as_object_mut().unwrap().remove("computed_at");
    report
}

#[test]
fn erasure_leaves_no_trace_and_old_keys_are_fresh_requests() {
    let (shop, sk) = new_shop("erase");
    let events = format!("/v1/shops/{shop}/events");
    let base = format!("/v1/shops/{shop}/customers/gone");
    let first = post(&events, &sk, paid("erase-e1", "gone", "o1", 60_000));
    assert_eq!(first.status, 200, "{first:?}");
    let coupon = redeem(&shop, &sk, "gone", "erase-r1");
    assert_eq!(coupon.status, 201, "{coupon:?}");
    let code = coupon.body["coupon"]["code"].as_str().unwrap().to_owned();
    let member_code = first.body["member_code"].as_str().unwrap().to_owned();
    post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        json!({"id": "erase-bday", "type": "customer.birthday", "customer_id": "gone"}),
    );
    assert_eq!(analytics(&shop, &sk)["members"], 1);

    assert_eq!(call("DELETE", &base, Some(&sk), None).status, 204);
    get(&base, Some(&sk)).assert_problem(404, "not_found");
    get(&format!("{base}/export"), Some(&sk)).assert_problem(404, "not_found");
    get(&format!("{base}/history"), Some(&sk)).assert_problem(404, "not_found");
    get(&format!("/v1/shops/{shop}/coupons/{code}"), Some(&sk)).assert_problem(404, "not_found");
    get(
        &format!("/v1/shops/{shop}/members/{member_code}"),
        Some(&sk),
    )
    .assert_problem(404, "not_found");
    let report = analytics(&shop, &sk);
    assert_eq!(report["members"], 0, "{report}");
    assert_eq!(report["revenue_minor"], 0, "{report}");
    assert_eq!(report["points"]["outstanding"], 0, "{report}");

    // The old keys answer as if never seen: a fresh member, not the stored card.
    let again = post(&events, &sk, paid("erase-e1", "gone", "o1", 60_000));
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.header("idempotent-replayed"), None);
    assert_ne!(again.body["member_code"], member_code);
    assert_eq!(
        again.body["history"].as_array().unwrap().len(),
        2,
        "{again:?}"
    );
    let redeemed = redeem(&shop, &sk, "gone", "erase-r1");
    assert_eq!(redeemed.status, 201, "{redeemed:?}");
    assert_eq!(redeemed.header("idempotent-replayed"), None);
    assert_ne!(redeemed.body["coupon"]["code"], code.as_str());
}

#[test]
fn a_still_valid_token_reopens_an_erased_member_only_where_the_shop_lets_them_rejoin() {
    let (shop, sk) = new_shop("rejoin");
    let settings = format!("/v1/shops/{shop}/settings");
    let me = format!("/v1/shops/{shop}/me");
    let base = format!("/v1/shops/{shop}/customers/left");
    let token = token_for(&shop, &sk, "left");
    let r = get(&settings, Some(&sk));
    assert_eq!(r.body["members_may_rejoin"], true, "the default: {r:?}");

    // Re-joining allowed: the token opens a new, empty account.
    assert_eq!(get(&me, Some(&token)).status, 200);
    assert_eq!(call("DELETE", &base, Some(&sk), None).status, 204);
    let back = get(&me, Some(&token));
    assert_eq!(back.status, 200, "{back:?}");
    assert_eq!(back.body["points"], 100, "only the welcome bonus: {back:?}");

    // Refused: the same token is 403 `member_erased`, on reads and writes alike.
    let no = json!({"token_max_lifetime_seconds": 86_400, "members_may_rejoin": false});
    let put = call("PUT", &settings, Some(&sk), Some(&no));
    assert_eq!(put.status, 200, "{put:?}");
    assert_eq!(get(&settings, Some(&sk)).body["members_may_rejoin"], false);
    assert_eq!(call("DELETE", &base, Some(&sk), None).status, 204);
    get(&me, Some(&token)).assert_problem(403, "member_erased");
    let birthday = format!("{me}/birthday");
    call(
        "POST",
        &birthday,
        Some(&token),
        Some(&json!({"date": "03-14"})),
    )
    .assert_problem(403, "member_erased");
    get(&base, Some(&sk)).assert_problem(404, "not_found");
    // The shop's own backend may add them again; then their token works.
    let paid = post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("rejoin-e1", "left", "o1", 1_000),
    );
    assert_eq!(paid.status, 200, "{paid:?}");
    assert_eq!(get(&me, Some(&token)).status, 200);
}

#[test]
fn a_reused_id_in_a_batch_is_that_items_409_and_nothing_of_it_applies() {
    let (shop, sk) = new_shop("batch409");
    let single = post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        paid("dup-1", "b1", "o1", 1_000),
    );
    assert_eq!(single.status, 200);
    let r = post(
        &format!("/v1/shops/{shop}/events/batch"),
        &sk,
        json!({"events": [
            paid("dup-1", "b1", "o1", 9_999),
            paid("dup-2", "b1", "o2", 2_000),
            paid("dup-1", "b1", "o1", 1_000),
        ]}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], 409, "{r:?}");
    assert_eq!(results[0]["code"], "idempotency_conflict");
    assert_eq!(results[1]["status"], 200);
    assert_eq!(results[2]["replayed"], true);
    let card = get(&format!("/v1/shops/{shop}/customers/b1"), Some(&sk)).body;
    // 100 welcome + 10 + 20: the conflicting 99.99 was not applied.
    assert_eq!(card["points"], 130, "{card}");
}

#[test]
fn a_command_failing_half_way_changes_nothing() {
    let (shop, sk) = new_shop("midway");
    let events = format!("/v1/shops/{shop}/events");
    post(&events, &sk, paid("mid-0", "m1", "o0", 10_000));
    let view = |path: &str| get(path, Some(&sk)).body;
    let member = format!("/v1/shops/{shop}/customers/m1");
    let (card_before, report_before) = (view(&member), analytics(&shop, &sk));
    let failed = send(
        "POST",
        &events,
        Some(&sk),
        &[("X-Punchcard-Test-Fault", "midway")],
        Some(paid("mid-1", "m1", "o1", 60_000).to_string()),
    );
    failed.assert_problem(500, "internal");
    assert_eq!(view(&member), card_before, "the member is as before");
    assert_eq!(analytics(&shop, &sk), report_before, "so are the analytics");
    // No idempotency record, no order record: the same event is a fresh request that applies.
    let retried = post(&events, &sk, paid("mid-1", "m1", "o1", 60_000));
    assert_eq!(retried.status, 200, "{retried:?}");
    assert_eq!(retried.header("idempotent-replayed"), None);
    assert_eq!(retried.body["outcome"]["points"], 600);
}

#[test]
fn purged_records_answer_fresh_and_orders_are_still_never_credited_twice() {
    let (shop, sk) = new_shop("purge");
    let events = format!("/v1/shops/{shop}/events");
    assert_eq!(
        post(&events, &sk, paid("p-1", "c1", "o1", 5_000)).status,
        200
    );
    let again = post(&events, &sk, paid("p-1", "c1", "o1", 5_000));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let purge = format!("/v1/shops/{shop}/maintenance/purge");
    call(
        "POST",
        &purge,
        Some(&sk),
        Some(&json!({"older_than_seconds": 0})),
    )
    .assert_problem(401, "unauthorized");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = call(
        "POST",
        &purge,
        Some(ADMIN_KEY),
        Some(&json!({"older_than_seconds": 0})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body["purged"].as_u64().unwrap() >= 1, "{r:?}");
    // The record is gone, the order record is not: a resend is refused, never credited again.
    post(&events, &sk, paid("p-1", "c1", "o1", 5_000)).assert_problem(409, "conflict");
    let card = get(&format!("/v1/shops/{shop}/customers/c1"), Some(&sk)).body;
    assert_eq!(card["points"], 150);
}

#[test]
fn history_pages_through_every_entry_and_the_view_stays_small() {
    let (shop, sk) = new_shop("history");
    let events: Vec<Value> = (0..130)
        .map(|i| paid(&format!("h{i}"), "h1", &format!("o{i}"), 100 + i))
        .collect();
    let r = post(
        &format!("/v1/shops/{shop}/events/batch"),
        &sk,
        json!({ "events": events }),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let base = format!("/v1/shops/{shop}/customers/h1");
    let view = get(&base, Some(&sk)).body;
    assert_eq!(view["history"].as_array().unwrap().len(), 50);
    let mut cursor = view["history_before"].as_u64().expect("a cursor");
    let mut notes: Vec<String> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["note"].as_str().unwrap().to_owned())
        .collect();
    loop {
        let page = get(
            &format!("{base}/history?before={cursor}&limit=30"),
            Some(&sk),
        );
        assert_eq!(page.status, 200, "{page:?}");
        let entries = page.body["entries"].as_array().unwrap();
        assert!(entries.len() <= 30);
        notes.extend(
            entries
                .iter()
                .map(|e| e["note"].as_str().unwrap().to_owned()),
        );
        match page.body["next_before"].as_u64() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    // Every entry once, newest first: 130 orders and the welcome.
    assert_eq!(notes.len(), 131, "{notes:?}");
    assert_eq!(notes[0], "Order o129");
    assert_eq!(notes[130], "Welcome to Crumb Club");
    let mut unique = notes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 131);
    get(&format!("{base}/history?limit=201"), Some(&sk)).assert_problem(422, "validation_failed");
    get(&format!("{base}/history?before=x"), Some(&sk)).assert_problem(422, "validation_failed");
    let export = get(&format!("{base}/export"), Some(&sk));
    assert_eq!(
        export.body["ledger"]["history"].as_array().unwrap().len(),
        131
    );
    assert_eq!(
        export.body["ledger"]["orders"].as_object().unwrap().len(),
        130
    );
}

/// Stores `tests/fixtures/v1-account.json` (written by the first ledger) as member `legacy-1` of
/// `shop`, in the first version's shape; returns the document's JSON.
fn seed_v1_member(shop: &str) -> Value {
    let document = include_str!("../fixtures/v1-account.json");
    let seed = send(
        "POST",
        &format!("/v1/dev/shops/{shop}/legacy-accounts/legacy-1"),
        Some(ADMIN_KEY),
        &[],
        Some(document.to_owned()),
    );
    assert_eq!(seed.status, 204, "{seed:?}");
    serde_json::from_str(document).unwrap()
}

#[test]
fn a_member_stored_by_the_first_version_migrates_on_first_touch() {
    let (shop, sk) = new_shop("legacy");
    let old = seed_v1_member(&shop);
    // Found by a coupon code before anything else touched the member: migrated on the way.
    let first_code = old["coupons"][0]["code"].as_str().unwrap();
    let by_coupon = get(&format!("/v1/shops/{shop}/coupons/{first_code}"), Some(&sk));
    assert_eq!(by_coupon.status, 200, "{by_coupon:?}");
    assert_eq!(by_coupon.body["customer_id"], "legacy-1");
    let base = format!("/v1/shops/{shop}/customers/legacy-1");
    let view = get(&base, Some(&sk));
    assert_eq!(view.status, 200, "{view:?}");
    let balance: i64 = old["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["remaining"].as_i64().unwrap())
        .sum();
    assert_eq!(view.body["points"], balance);
    assert_eq!(view.body["member_code"], old["member_code"]);
    assert_eq!(view.body["tier"]["id"], old["tier"]);
    assert_eq!(
        view.body["history"].as_array().unwrap().len(),
        old["history"].as_array().unwrap().len()
    );
    // Its coupons are found by code, its member code by the index, its orders by id.
    for coupon in old["coupons"].as_array().unwrap() {
        let code = coupon["code"].as_str().unwrap();
        let found = get(&format!("/v1/shops/{shop}/coupons/{code}"), Some(&sk));
        assert_eq!(found.status, 200, "{found:?}");
        assert_eq!(found.body["customer_id"], "legacy-1");
    }
    let code = old["member_code"].as_str().unwrap();
    let by_code = get(&format!("/v1/shops/{shop}/members/{code}"), Some(&sk));
    assert_eq!(by_code.body["customer_id"], "legacy-1");
    let refund = post(
        &format!("/v1/shops/{shop}/events"),
        &sk,
        json!({"id": "legacy-refund", "type": "order.refunded", "customer_id": "legacy-1",
               "order_id": "v1-a", "amount_minor": 52_000}),
    );
    assert_eq!(refund.status, 200, "{refund:?}");
    assert!(refund.body["outcome"]["points"].as_i64().unwrap() < 0);
    // The shopper's card works through the edge too.
    let token = token_for(&shop, &sk, "legacy-1");
    let me = get(&format!("/v1/shops/{shop}/me"), Some(&token));
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["customer_id"], "legacy-1");
    assert_eq!(analytics(&shop, &sk)["members"], 1);
}

#[test]
fn a_version_1_member_is_found_by_member_code_before_any_other_touch() {
    let (shop, sk) = new_shop("legacy-code");
    let old = seed_v1_member(&shop);
    let code = old["member_code"].as_str().unwrap();
    let found = get(&format!("/v1/shops/{shop}/members/{code}"), Some(&sk));
    assert_eq!(found.status, 200, "{found:?}");
    assert_eq!(found.body["customer_id"], "legacy-1");
    assert_eq!(analytics(&shop, &sk)["members"], 1);
}
