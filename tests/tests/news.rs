//! News over HTTP: the program's news reach the members they are for (on `GET /me` and the
//! shop's view), visitors read only the public ones from `GET /program` while the shop's key
//! reads them all, a member marks news read (others' ids ignored, the same request a replay),
//! and bad news are refused by field.

use punchcard_tests::{call, get, new_shop, now, paid, put_program_with, token_for};
use serde_json::{json, Value};

fn rfc(t: u64) -> String {
    shared::time::rfc3339(t as i64)
}

/// A piece of news running from an hour ago for a week.
fn news(id: &str, audience: Value, public: bool) -> Value {
    let t = now();
    json!({"id": id, "texts": [{"locale": "en", "title": format!("Title {id}"), "text": "Members first."},
                               {"locale": "ja", "title": format!("タイトル {id}"), "text": "会員優先。"}],
           "link": "/sale", "starts_at": rfc(t - 3600), "ends_at": rfc(t + 7 * 86_400),
           "audience": audience, "public": public})
}

fn put_program(shop: &str, sk: &str, news: Value) -> punchcard_tests::Reply {
    put_program_with(shop, sk, json!({ "news": news }))
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .map(|l| l.iter().filter_map(|n| n["id"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn members_get_their_news_visitors_the_public_ones_and_read_marks_stick() {
    let (shop, sk) = new_shop("news");
    let r = put_program(
        &shop,
        &sk,
        json!([
            news("open", json!({"kind": "everyone"}), true),
            news("members", json!({"kind": "everyone"}), false),
            news("gold", json!({"kind": "tiers", "tiers": ["gold"]}), false)
        ]),
    );
    assert_eq!(r.status, 200, "{r:?}");

    // Visitors read the public news only; the shop's key reads them all.
    let public = get(&format!("/v1/shops/{shop}/program"), None);
    assert_eq!(public.status, 200);
    assert_eq!(ids(&public.body["news"]), ["open"]);
    let whole = get(&format!("/v1/shops/{shop}/program"), Some(&sk));
    assert_eq!(whole.status, 200, "{whole:?}");
    assert_eq!(ids(&whole.body["news"]), ["open", "members", "gold"]);
    let wrong = get(&format!("/v1/shops/{shop}/program"), Some("sk_wrong"));
    assert_eq!(wrong.status, 401, "a key that is not the shop's: {wrong:?}");

    // A member in the base tier gets the news for everyone, unread, not the gold members' news.
    let token = token_for(&shop, &sk, "nina");
    let me = get(&format!("/v1/shops/{shop}/me"), Some(&token));
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(ids(&me.body["news"]), ["open", "members"]);
    assert!(me.body["news"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["read"] == false && n["texts"][1]["locale"] == "ja"));

    // Reaching gold (€500 spent) brings the gold news.
    let events = format!("/v1/shops/{shop}/events");
    let r = call(
        "POST",
        &events,
        Some(&sk),
        Some(&paid("n-1", "nina", "o1", 60_000)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(ids(&r.body["news"]), ["open", "members", "gold"]);

    // She reads two of them (with an id no news has): marked, the unknown one ignored.
    let read = format!("/v1/shops/{shop}/me/news/read");
    let body = json!({"ids": ["members", "gold", "no-such-news"]});
    let r = call("POST", &read, Some(&token), Some(&body));
    assert_eq!(r.status, 200, "{r:?}");
    let marked: Vec<(&str, bool)> = r.body["news"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n["read"] == true))
        .collect();
    assert_eq!(marked, [("open", false), ("members", true), ("gold", true)]);
    let again = call("POST", &read, Some(&token), Some(&body));
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // The card snapshot follows within the coalescing interval (a second) and the alarm.
    let mut me = get(&format!("/v1/shops/{shop}/me"), Some(&token));
    for _ in 0..50 {
        if me.body["news"][1]["read"] == true {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        me = get(&format!("/v1/shops/{shop}/me"), Some(&token));
    }
    assert_eq!(me.body["news"][1]["read"], true, "{me:?}");
    let view = get(&format!("/v1/shops/{shop}/customers/nina"), Some(&sk));
    assert_eq!(view.body["news"][2]["read"], true, "{view:?}");

    // The shop takes news down: gone from the card, and so are their read marks.
    let r = put_program(
        &shop,
        &sk,
        json!([news("open", json!({"kind": "everyone"}), true)]),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let view = get(&format!("/v1/shops/{shop}/customers/nina"), Some(&sk));
    assert_eq!(ids(&view.body["news"]), ["open"]);

    // Read marks are the member's: bad ids are refused by field, and guests cannot mark.
    let r = call("POST", &read, Some(&token), Some(&json!({"ids": []})));
    assert_eq!(r.status, 422, "{r:?}");
    let r = call(
        "POST",
        &read,
        Some(&token),
        Some(&json!({"ids": ["bad id"]})),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.body["errors"][0]["field"], "ids[0]", "{r:?}");
    let r = call("POST", &read, None, Some(&json!({"ids": ["open"]})));
    assert_eq!(r.status, 401, "{r:?}");
}

#[test]
fn bad_news_are_refused_by_field_and_change_nothing() {
    let (shop, sk) = new_shop("news-bad");
    let mut members_only_public = news("a", json!({"kind": "inactive", "days": 30}), true);
    members_only_public["link"] = json!("//evil.example");
    let mut no_texts = news("b", json!({"kind": "everyone"}), false);
    no_texts["texts"] = json!([]);
    let r = put_program(&shop, &sk, json!([members_only_public, no_texts]));
    assert_eq!(r.status, 422, "{r:?}");
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for field in ["news[0].link", "news[0].public", "news[1].texts"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let program = get(&format!("/v1/shops/{shop}/program"), Some(&sk));
    assert!(program.body.get("news").is_none(), "{program:?}");
}
