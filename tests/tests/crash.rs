//! Nothing acknowledged is ever lost: SIGKILL the whole runtime (wrangler + workerd) while a
//! client is posting events, restart it on the same state, retry what was not acknowledged, and
//! check every event is in the ledger exactly once.
//!
//! Needs `PUNCHCARD_WRANGLER` (the wrangler binary) and `PUNCHCARD_WORKER_DIR`, set by
//! `cargo xtask test`; it starts its own `wrangler dev` on a free port.

use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, state: &std::path::Path) -> Server {
        let wrangler = std::env::var("PUNCHCARD_WRANGLER")
            .expect("PUNCHCARD_WRANGLER (run via cargo xtask test)");
        let dir = std::env::var("PUNCHCARD_WORKER_DIR").expect("PUNCHCARD_WORKER_DIR");
        let child = Command::new(wrangler)
            .current_dir(dir)
            .args([
                "dev",
                "--ip",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--inspector-port",
                &free_port().to_string(),
                "--persist-to",
            ])
            .arg(state)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start wrangler");
        let server = Server { child };
        let deadline = Instant::now() + Duration::from_secs(90);
        let probe = || {
            ureq::get(&format!("http://127.0.0.1:{port}/openapi.json"))
                .timeout(Duration::from_secs(2))
                .call()
                .is_ok()
        };
        while !probe() {
            assert!(Instant::now() < deadline, "wrangler dev did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// SIGKILL to the whole process group: wrangler and workerd die with no chance to flush.
    fn kill(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The shell's builtin kill signals a whole process group (`-PGID`); procps' kill
        // reads `-PGID` as an option.
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -KILL -{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn post(base: &str, path: &str, key: &str, body: &Value) -> Result<(u16, Value), String> {
    let r = ureq::post(&format!("{base}{path}"))
        .set("Authorization", &format!("Bearer {key}"))
        .timeout(Duration::from_secs(5))
        .send_json(body.clone());
    match r {
        Ok(r) => Ok((r.status(), r.into_json().unwrap_or(Value::Null))),
        Err(ureq::Error::Status(code, r)) => Ok((code, r.into_json().unwrap_or(Value::Null))),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn sigkill_mid_stream_loses_nothing_acknowledged_and_counts_nothing_twice() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let state = std::env::temp_dir().join(format!("punchcard-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let server = Server::start(port, &state);

    let created = post(
        &base,
        "/v1/shops",
        "dev-admin-key",
        &json!({"shop_id": "crash", "name": "Crash"}),
    )
    .unwrap();
    assert_eq!(created.0, 201);
    let sk = created.1["secret_key"].as_str().unwrap().to_owned();
    let program =
        json!({"name": "P", "currency": "EUR", "earn": {"points_per_unit": 1, "unit_minor": 100}});
    let r = ureq::put(&format!("{base}/v1/shops/crash/program"))
        .set("Authorization", &format!("Bearer {sk}"))
        .send_json(program)
        .unwrap();
    assert_eq!(r.status(), 200);

    const N: usize = 400;
    let event = |i: usize| {
        json!({"id": format!("e{i}"), "type": "order.paid", "customer_id": "c1", "order_id": format!("o{i}"),
               "amount_minor": 100, "currency": "EUR"})
    };
    // Post from a client thread; kill the runtime while it is running.
    let acked: Vec<bool> = std::thread::scope(|s| {
        let client = s.spawn(|| {
            (0..N)
                .map(|i| {
                    matches!(
                        post(&base, "/v1/shops/crash/events", &sk, &event(i)),
                        Ok((200, _))
                    )
                })
                .collect::<Vec<bool>>()
        });
        std::thread::sleep(Duration::from_millis(1500));
        server.kill();
        client.join().unwrap()
    });
    let acknowledged = acked.iter().filter(|a| **a).count();
    assert!(
        acknowledged > 0 && acknowledged < N,
        "the kill landed mid-stream ({acknowledged} of {N} acknowledged)"
    );

    let server = Server::start(port, &state);
    // Before any retry: every acknowledged event survived the kill.
    let view = |base: &str| {
        ureq::get(&format!("{base}/v1/shops/crash/customers/c1"))
            .set("Authorization", &format!("Bearer {sk}"))
            .call()
            .unwrap()
            .into_json::<Value>()
            .unwrap()
    };
    // Every entry of the member: the view's newest ones, then the older pages.
    let history = |base: &str| {
        let first = view(base);
        let mut lines: Vec<Value> = first["history"].as_array().unwrap().clone();
        let mut before = first["history_before"].as_u64();
        while let Some(cursor) = before {
            let page = ureq::get(&format!(
                "{base}/v1/shops/crash/customers/c1/history?before={cursor}&limit=200"
            ))
            .set("Authorization", &format!("Bearer {sk}"))
            .call()
            .unwrap()
            .into_json::<Value>()
            .unwrap();
            lines.extend(page["entries"].as_array().unwrap().iter().cloned());
            before = page["next_before"].as_u64();
        }
        lines
    };
    let survived = history(&base);
    let notes: Vec<&str> = survived.iter().filter_map(|h| h["note"].as_str()).collect();
    for (i, _) in acked.iter().enumerate().filter(|(_, a)| **a) {
        assert!(
            notes.contains(&format!("Order o{i}").as_str()),
            "acknowledged event e{i} was lost"
        );
    }
    // The client retries everything (acknowledged ones too: retries must be harmless).
    for i in 0..N {
        let (status, body) = post(&base, "/v1/shops/crash/events", &sk, &event(i)).unwrap();
        assert_eq!(status, 200, "{body}");
    }
    let r = view(&base);
    assert_eq!(r["points"], N as i64, "every event exactly once");
    let earns = history(&base)
        .iter()
        .filter(|h| h["kind"] == "earn")
        .count();
    assert_eq!(earns, N);
    server.kill();
    let _ = std::fs::remove_dir_all(&state);
}
