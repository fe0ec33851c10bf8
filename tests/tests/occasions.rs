//! Anniversaries over HTTP: a member sets up to three dates of their own (the same one again
//! changes nothing, a fourth is 409, a bad one 422), the shop lists the coming birthdays,
//! membership anniversaries and members' dates with their codes (JSON and CSV), and the daily run
//! gives the program's gift on the day — once a year.

use punchcard_tests::{call, get, new_shop, put_program_with, send, token_for, ADMIN_KEY};
use serde_json::{json, Value};

/// The demo program with a yearly gift on the join date (300 points) and on the members' dates
/// (a €5 coupon).
fn with_occasions(shop: &str, sk: &str) {
    let fields = json!({"anniversary": {"points": 300}, "special_dates": {"reward_id": "5-off"}});
    let r = put_program_with(shop, sk, fields);
    assert_eq!(r.status, 200, "{r:?}");
}

/// `MM-DD` of today (UTC), and `YYYY-MM-DD`.
fn today() -> (String, String) {
    let day = &shared::time::rfc3339(punchcard_tests::now() as i64)[..10];
    (day[5..].to_owned(), day.to_owned())
}

fn run_daily(shop: &str) {
    let r = call(
        "POST",
        &format!("/v1/dev/shops/{shop}/daily"),
        Some(ADMIN_KEY),
        None,
    );
    assert_eq!(r.status, 204, "{r:?}");
}

#[test]
fn members_dates_and_anniversaries_are_listed_and_celebrated_once_a_year() {
    let (shop, sk) = new_shop("occasions");
    with_occasions(&shop, &sk);
    let (md, on) = today();
    let dates = format!("/v1/shops/{shop}/me/dates");
    let ola = token_for(&shop, &sk, "ola");

    let r = call(
        "POST",
        &dates,
        Some(&ola),
        Some(&json!({"label": "Our wedding", "date": md})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["dates"],
        json!([{"label": "Our wedding", "date": md}])
    );
    let again = call(
        "POST",
        &dates,
        Some(&ola),
        Some(&json!({"label": "Our wedding", "date": md})),
    );
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    for (label, date) in [("Leap day", "02-29"), ("Shop's birthday", "09-01")] {
        let r = call(
            "POST",
            &dates,
            Some(&ola),
            Some(&json!({"label": label, "date": date})),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
    let fourth = call(
        "POST",
        &dates,
        Some(&ola),
        Some(&json!({"label": "One more", "date": "01-01"})),
    );
    fourth.assert_problem(409, "conflict");
    for (body, field) in [
        (json!({"label": "Nope", "date": "02-30"}), "date"),
        (json!({"label": " ", "date": "01-02"}), "label"),
    ] {
        let r = call("POST", &dates, Some(&ola), Some(&body));
        assert_eq!(r.status, 422, "{r:?}");
        assert_eq!(r.body["errors"][0]["field"], field, "{r:?}");
    }

    // A member the first version stored, who joined a year ago today: migrated on first touch.
    let mut document: Value =
        serde_json::from_str(include_str!("../fixtures/v1-account.json")).unwrap();
    let year: i64 = on[..4].parse().unwrap();
    let joined = shared::time::parse_rfc3339(&format!("{}{}T08:00:00Z", year - 1, &on[4..]))
        .expect("the same day last year");
    document["customer_id"] = json!("lea");
    document["joined_at"] = json!(joined);
    let seed = send(
        "POST",
        &format!("/v1/dev/shops/{shop}/legacy-accounts/lea"),
        Some(ADMIN_KEY),
        &[],
        Some(document.to_string()),
    );
    assert_eq!(seed.status, 204, "{seed:?}");
    let lea = get(&format!("/v1/shops/{shop}/customers/lea"), Some(&sk));
    assert_eq!(lea.status, 200, "{lea:?}");

    // The list: today's date of ola and lea's first anniversary, with their member codes.
    let list = get(&format!("/v1/shops/{shop}/occasions"), Some(&sk));
    assert_eq!(list.status, 200, "{list:?}");
    let today_items: Vec<&Value> = list.body["occasions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["on"] == on.as_str())
        .collect();
    let ola_code = r.body["member_code"].clone();
    assert!(
        today_items.iter().any(|o| o["customer_id"] == "ola"
            && o["kind"] == "date"
            && o["label"] == "Our wedding"
            && o["member_code"] == ola_code),
        "{today_items:?}"
    );
    assert!(
        today_items
            .iter()
            .any(|o| o["customer_id"] == "lea" && o["kind"] == "membership" && o["years"] == 1),
        "{today_items:?}"
    );
    assert!(
        !today_items
            .iter()
            .any(|o| o["customer_id"] == "ola" && o["kind"] == "membership"),
        "joined today: no anniversary yet"
    );
    let csv = get(&format!("/v1/shops/{shop}/occasions?format=csv"), Some(&sk));
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"), "{csv:?}");
    let text = csv.body.as_str().unwrap();
    assert!(
        text.starts_with("on,kind,customer_id,member_code,label,years\r\n"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "{on},date,ola,{},Our wedding,",
        ola_code.as_str().unwrap()
    )));
    for bad in ["days=0", "days=61", "format=xml"] {
        let r = get(&format!("/v1/shops/{shop}/occasions?{bad}"), Some(&sk));
        assert_eq!(r.status, 422, "{bad}: {r:?}");
    }

    // The daily run gives the gifts of the day, once: ola's coupon, lea's 300 points.
    let before = get(&format!("/v1/shops/{shop}/customers/lea"), Some(&sk)).body["points"]
        .as_i64()
        .unwrap();
    run_daily(&shop);
    run_daily(&shop);
    let ola_view = get(&format!("/v1/shops/{shop}/customers/ola"), Some(&sk));
    let coupons: Vec<&Value> = ola_view.body["coupons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reward_id"] == "5-off")
        .collect();
    assert_eq!(coupons.len(), 1, "once: {ola_view:?}");
    assert!(ola_view.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "anniversary" && h["note"] == "Our wedding"));
    let lea = get(&format!("/v1/shops/{shop}/customers/lea"), Some(&sk));
    assert_eq!(
        lea.body["points"].as_i64().unwrap(),
        before + 300,
        "{lea:?}"
    );

    // Erasure takes a member out of the list.
    let r = call(
        "DELETE",
        &format!("/v1/shops/{shop}/customers/ola"),
        Some(&sk),
        None,
    );
    assert_eq!(r.status, 204);
    let list = get(&format!("/v1/shops/{shop}/occasions"), Some(&sk));
    assert!(!list.body.to_string().contains("\"ola\""), "{list:?}");
}
