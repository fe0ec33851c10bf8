//! Feedback over HTTP: a program asking after every second order opens the question on the card
//! (`GET /me` and write answers), the member answers 0–10 with a comment and gets the points
//! once (the same answer again is a replay, another answer 409, a question not open 409
//! `no_open_question`), the shop reads the NPS, its months and the comments (paged), and erasure
//! takes the member's answers out of all of it.

use punchcard_tests::{call, get, new_shop, paid, put_program_with, token_for};
use serde_json::{json, Value};

/// The demo program asking after every second order, 50 points for answering.
fn with_feedback(shop: &str, sk: &str) {
    let fields = json!({"feedback": {"every_nth_order": 2, "points": 50}});
    let r = put_program_with(shop, sk, fields);
    assert_eq!(r.status, 200, "{r:?}");
}

fn order(shop: &str, sk: &str, customer: &str, n: u32) -> Value {
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/events"),
        Some(sk),
        Some(&paid(
            &format!("{customer}-e{n}"),
            customer,
            &format!("{customer}-o{n}"),
            1_000,
        )),
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

#[test]
fn members_answer_the_cards_question_once_and_the_shop_reads_its_nps() {
    let (shop, sk) = new_shop("feedback");
    with_feedback(&shop, &sk);
    let answer = format!("/v1/shops/{shop}/me/feedback");
    let ana = token_for(&shop, &sk, "ana");
    assert!(order(&shop, &sk, "ana", 1).get("feedback").is_none());
    let r = call(
        "POST",
        &answer,
        Some(&ana),
        Some(&json!({"question": 1, "score": 9})),
    );
    r.assert_problem(409, "no_open_question");

    let card = order(&shop, &sk, "ana", 2);
    assert_eq!(card["feedback"]["question"], 1, "{card:?}");
    assert_eq!(card["feedback"]["points"], 50);
    let me = get(&format!("/v1/shops/{shop}/me"), Some(&ana));
    assert_eq!(me.body["feedback"]["question"], 1, "{me:?}");

    // Bad answers are refused by field and change nothing.
    for (body, field) in [
        (json!({"question": 1, "score": 11}), "score"),
        (json!({"question": 1, "score": -1}), "score"),
        (
            json!({"question": 1, "score": 5, "comment": "x".repeat(501)}),
            "comment",
        ),
    ] {
        let r = call("POST", &answer, Some(&ana), Some(&body));
        assert_eq!(r.status, 422, "{r:?}");
        assert_eq!(r.body["errors"][0]["field"], field, "{r:?}");
    }

    let body = json!({"question": 1, "score": 10, "comment": "Best rye in town"});
    let r = call("POST", &answer, Some(&ana), Some(&body));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["outcome"]["points"], 50);
    assert!(r.body.get("feedback").is_none(), "answered: {r:?}");
    let points = r.body["points"].clone();
    let again = call("POST", &answer, Some(&ana), Some(&body));
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["points"], points, "paid once");
    let other = call(
        "POST",
        &answer,
        Some(&ana),
        Some(&json!({"question": 1, "score": 2})),
    );
    other.assert_problem(409, "idempotency_conflict");

    // Two more members: a passive and a detractor.
    for (customer, score) in [("bo", 7), ("cy", 3)] {
        let token = token_for(&shop, &sk, customer);
        order(&shop, &sk, customer, 1);
        let card = order(&shop, &sk, customer, 2);
        let question = card["feedback"]["question"].clone();
        let r = call(
            "POST",
            &answer,
            Some(&token),
            Some(&json!({"question": question, "score": score})),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }

    let report = get(&format!("/v1/shops/{shop}/feedback"), Some(&sk));
    assert_eq!(report.status, 200, "{report:?}");
    let b = &report.body;
    assert_eq!(
        (&b["promoters"], &b["passives"], &b["detractors"]),
        (&json!(1), &json!(1), &json!(1))
    );
    assert_eq!(b["nps"], 0, "1 promoter − 1 detractor of 3");
    assert_eq!(b["months"].as_array().unwrap().len(), 1, "{b:?}");
    assert_eq!(b["months"][0]["answers"], 3);
    let answers = b["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["customer_id"], "cy", "newest first");
    assert_eq!(answers[2]["comment"], "Best rye in town");
    // Paged: one at a time, following the cursor.
    let page = get(&format!("/v1/shops/{shop}/feedback?limit=1"), Some(&sk));
    let cursor = page.body["next_before"].as_u64().expect("a next page");
    let next = get(
        &format!("/v1/shops/{shop}/feedback?limit=1&before={cursor}"),
        Some(&sk),
    );
    assert_eq!(next.body["answers"][0]["customer_id"], "bo", "{next:?}");
    let bad = get(&format!("/v1/shops/{shop}/feedback?limit=0"), Some(&sk));
    assert_eq!(bad.status, 422, "{bad:?}");
    let guest = get(&format!("/v1/shops/{shop}/feedback"), None);
    assert_eq!(guest.status, 401, "{guest:?}");

    // The export carries the member's answers; erasure takes them out of the report.
    let export = get(&format!("/v1/shops/{shop}/customers/ana/export"), Some(&sk));
    assert_eq!(export.status, 200, "{export:?}");
    assert!(
        export.body.to_string().contains("Best rye in town"),
        "the export holds the comment"
    );
    let r = call(
        "DELETE",
        &format!("/v1/shops/{shop}/customers/ana"),
        Some(&sk),
        None,
    );
    assert_eq!(r.status, 204, "{r:?}");
    let report = get(&format!("/v1/shops/{shop}/feedback"), Some(&sk));
    assert_eq!(report.body["promoters"], 0, "{report:?}");
    assert_eq!(report.body["nps"], -50, "1 passive, 1 detractor");
    assert!(!report.body.to_string().contains("Best rye"), "{report:?}");
}
