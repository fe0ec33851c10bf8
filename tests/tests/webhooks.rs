//! Webhooks against a real local HTTP receiver: registration (secret once), signed deliveries
//! from the ledger object's alarm, a retry after the receiver failed, the same event id in every
//! attempt, the delivery log, redelivery, replays that send nothing, erasure, removal.

use punchcard_tests::{call, get, new_shop, paid};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Registers an endpoint of the receiver on `port` for the one event type `event`.
fn subscribe(shop: &str, sk: &str, port: u16, event: &str) {
    let body = json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": [event]});
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/webhooks"),
        Some(sk),
        Some(&body),
    );
    assert_eq!(r.status, 201, "{r:?}");
}

/// Runs the shop's daily jobs now (the dev-only route).
fn run_daily(shop: &str) {
    let daily = call(
        "POST",
        &format!("/v1/dev/shops/{shop}/daily"),
        Some(punchcard_tests::ADMIN_KEY),
        None,
    );
    assert_eq!(daily.status, 204, "{daily:?}");
}

/// A receiver on a free port that answers 500 to the first `failures` requests, 200 after.
fn receiver(failures: usize) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let mut headers = Vec::new();
            reader.read_line(&mut line).unwrap_or(0);
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((n, v)) = line.trim_end().split_once(':') {
                    headers.push((n.trim().to_owned(), v.trim().to_owned()));
                }
            }
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap_or(());
            let n = {
                let mut all = seen.lock().unwrap();
                all.push(Received {
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                all.len()
            };
            let status = if n <= failures {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, got)
}

fn wait_for(got: &Arc<Mutex<Vec<Received>>>, n: usize, within: Duration) -> Vec<Received> {
    let start = Instant::now();
    while start.elapsed() < within {
        if got.lock().unwrap().len() >= n {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    got.lock().unwrap().clone()
}

#[test]
fn webhooks_are_signed_retried_logged_and_redelivered() {
    let (shop, sk) = new_shop("webhooks");
    let (port, got) = receiver(1);
    let hooks = format!("/v1/shops/{shop}/webhooks");
    let r = call(
        "POST",
        &hooks,
        Some(&sk),
        Some(
            &json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["points.earned", "tier.changed"]}),
        ),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    // The secret is shown once: never in the list.
    let list = get(&hooks, Some(&sk));
    assert_eq!(list.body["webhooks"][0]["id"], id.as_str());
    assert!(list.body["webhooks"][0].get("secret").is_none());

    let order = paid("wh-1", "c1", "o1", 4_000);
    let events = format!("/v1/shops/{shop}/events");
    assert_eq!(call("POST", &events, Some(&sk), Some(&order)).status, 200);

    // The first attempt fails (500); the retry, ~10 s later, is accepted.
    let received = wait_for(&got, 2, Duration::from_secs(40));
    assert_eq!(received.len(), 2, "{received:?}");
    let (first, second) = (&received[0], &received[1]);
    let event_id = first.header("Punchcard-Event-Id").unwrap().to_owned();
    assert_eq!(second.header("Punchcard-Event-Id"), Some(event_id.as_str()));
    assert_eq!(
        first.body, second.body,
        "every attempt sends the same event"
    );
    for r in &received {
        let signature = r.header("Punchcard-Signature").unwrap();
        let t: i64 = signature
            .strip_prefix("t=")
            .and_then(|s| s.split(',').next())
            .and_then(|t| t.parse().ok())
            .unwrap();
        assert_eq!(signature, shared::webhooks::signature(&secret, t, &r.body));
        assert_ne!(
            signature,
            shared::webhooks::signature("whsec_other", t, &r.body)
        );
    }
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["id"], event_id.as_str());
    assert_eq!(body["type"], "points.earned");
    assert_eq!(body["shop_id"], shop.as_str());
    assert_eq!(body["data"]["customer_id"], "c1");
    assert_eq!(body["data"]["order_id"], "o1");
    assert!(body["data"]["points"].as_i64().unwrap() > 0);

    let log_path = format!("{hooks}/{id}/deliveries");
    let log = get(&log_path, Some(&sk));
    assert_eq!(log.status, 200, "{log:?}");
    let delivery = &log.body["deliveries"][0];
    assert_eq!(delivery["id"], event_id.as_str());
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(delivery["last_status"], 200);

    // A replay of the same event applies nothing and sends nothing.
    let replay = call("POST", &events, Some(&sk), Some(&order));
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    // Redelivery from the log sends the same event again.
    let again = call(
        "POST",
        &format!("{log_path}/{event_id}/redeliver"),
        Some(&sk),
        None,
    );
    assert_eq!(again.status, 200, "{again:?}");
    let received = wait_for(&got, 3, Duration::from_secs(20));
    assert_eq!(
        received.len(),
        3,
        "the redelivery arrived, the replay sent nothing"
    );
    assert_eq!(
        received[2].header("Punchcard-Event-Id"),
        Some(event_id.as_str())
    );

    // Erasing the member removes their queued and logged events too (they name the member).
    let erase = call(
        "DELETE",
        &format!("/v1/shops/{shop}/customers/c1"),
        Some(&sk),
        None,
    );
    assert_eq!(erase.status, 204);
    assert_eq!(get(&log_path, Some(&sk)).body["deliveries"], json!([]));

    assert_eq!(
        call("DELETE", &format!("{hooks}/{id}"), Some(&sk), None).status,
        204
    );
    assert_eq!(get(&hooks, Some(&sk)).body["webhooks"], json!([]));
    get(&log_path, Some(&sk)).assert_problem(404, "not_found");
}

#[test]
fn subscriptions_are_validated() {
    let (shop, sk) = new_shop("webhooks-bad");
    let hooks = format!("/v1/shops/{shop}/webhooks");
    for body in [
        json!({"url": "http://crm.example/hook", "events": ["points.earned"]}),
        json!({"url": "https://crm.example/hook", "events": []}),
        json!({"url": "https://crm.example/hook", "events": ["order.shipped"]}),
        json!({"url": "https://crm.example/a b", "events": ["points.earned"]}),
    ] {
        call("POST", &hooks, Some(&sk), Some(&body)).assert_problem(422, "validation_failed");
    }
    call("POST", &hooks, None, Some(&json!({}))).assert_problem(401, "unauthorized");
    get(&format!("{hooks}/nope/deliveries"), Some(&sk)).assert_problem(404, "not_found");
}

#[test]
fn a_birthday_fourteen_days_ahead_is_announced_by_the_daily_run() {
    let (shop, sk) = new_shop("webhooks-birthday");
    let (port, got) = receiver(0);
    subscribe(&shop, &sk, port, "birthday.upcoming");
    let events = format!("/v1/shops/{shop}/events");
    let order = paid("bd-1", "c1", "o1", 1_000);
    assert_eq!(call("POST", &events, Some(&sk), Some(&order)).status, 200);
    let in_two_weeks = punchcard_tests::now() as i64 + 14 * 86_400;
    let (_, month, day) = shared::time::civil_date(in_two_weeks);
    let date = format!("{month:02}-{day:02}");
    let token = punchcard_tests::token_for(&shop, &sk, "c1");
    let set = call(
        "POST",
        &format!("/v1/shops/{shop}/me/birthday"),
        Some(&token),
        Some(&json!({ "date": date })),
    );
    assert_eq!(set.status, 200, "{set:?}");
    run_daily(&shop);
    let received = wait_for(&got, 1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "{received:?}");
    let body: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["type"], "birthday.upcoming");
    assert_eq!(body["data"]["customer_id"], "c1");
    assert_eq!(body["data"]["date"], date.as_str());
    assert_eq!(body["data"]["in_days"], 14);
    // Only points.earned would have come from the order: this endpoint did not ask for it.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(got.lock().unwrap().len(), 1);
}

#[test]
fn points_expiring_in_seven_days_are_announced_by_the_daily_run() {
    let (shop, sk) = new_shop("webhooks-expiring");
    let (port, got) = receiver(0);
    subscribe(&shop, &sk, port, "points.expiring");
    // An order placed 358 days ago: its points expire (after 365 days) a week from now.
    let placed = punchcard_tests::now() as i64 - 358 * 86_400;
    let mut order = paid("exp-1", "c1", "o1", 4_000);
    order["occurred_at"] = shared::time::rfc3339(placed).into();
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/events"),
        Some(&sk),
        Some(&order),
    );
    assert_eq!(r.status, 200, "{r:?}");
    run_daily(&shop);
    let received = wait_for(&got, 1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "{received:?}");
    let body: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["type"], "points.expiring");
    assert_eq!(body["data"]["customer_id"], "c1");
    assert_eq!(body["data"]["points"], 40);
    assert_eq!(body["data"]["in_days"], 7);
    assert_eq!(
        body["data"]["on"],
        shared::time::rfc3339(placed + 365 * 86_400).as_str()
    );
    // Once a day: running the day's jobs again announces the same event (same id) at most.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(got.lock().unwrap().len(), 1);
}

#[test]
fn an_answer_to_the_feedback_question_goes_out_as_feedback_received() {
    let (shop, sk) = new_shop("webhooks-feedback");
    let fields = json!({"feedback": {"every_nth_order": 1, "points": 0}});
    let r = punchcard_tests::put_program_with(&shop, &sk, fields);
    assert_eq!(r.status, 200, "{r:?}");
    let (port, got) = receiver(0);
    subscribe(&shop, &sk, port, "feedback.received");
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/events"),
        Some(&sk),
        Some(&paid("fb-1", "c1", "o1", 1_000)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let token = punchcard_tests::token_for(&shop, &sk, "c1");
    let answer = json!({"question": 1, "score": 4, "comment": "The bread was stale"});
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/me/feedback"),
        Some(&token),
        Some(&answer),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let received = wait_for(&got, 1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "{received:?}");
    let body: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["type"], "feedback.received");
    assert_eq!(body["data"]["customer_id"], "c1");
    assert_eq!(body["data"]["score"], 4);
    assert_eq!(body["data"]["comment"], "The bread was stale");
    assert_eq!(body["data"]["question"], 1);
}

#[test]
fn a_members_date_fourteen_days_ahead_is_announced_as_anniversary_upcoming() {
    let (shop, sk) = new_shop("webhooks-anniversary");
    let (port, got) = receiver(0);
    subscribe(&shop, &sk, port, "anniversary.upcoming");
    let ahead = punchcard_tests::now() as i64 + 14 * 86_400;
    let md = shared::time::rfc3339(ahead)[5..10].to_owned();
    let token = punchcard_tests::token_for(&shop, &sk, "c1");
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/me/dates"),
        Some(&token),
        Some(&json!({"label": "Our wedding", "date": md})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    run_daily(&shop);
    let received = wait_for(&got, 1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "{received:?}");
    let body: Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(body["type"], "anniversary.upcoming");
    assert_eq!(body["data"]["customer_id"], "c1");
    assert_eq!(body["data"]["kind"], "date");
    assert_eq!(body["data"]["label"], "Our wedding");
    assert_eq!(body["data"]["date"], md.as_str());
    assert_eq!(body["data"]["in_days"], 14);
}
