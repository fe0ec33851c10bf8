//! `cargo xtask bench-http`: wrk against the Rust worker and, in the same run on the same runtime,
//! a minimal JavaScript Worker doing the same token check and KV read (`bench/js-worker`).
//!
//! Both run under `wrangler dev` (workerd + Miniflare) and share one local KV store, so the JS
//! worker reads the very snapshots the Rust worker wrote. Prints requests/s and p50/p99 and the
//! Rust/JS ratio; the figures go to docs/PERFORMANCE.md by hand, with this command.

use crate::tools::Tools;
use crate::wrangler::{free_port, http_status, DevServer};
use crate::{root, Result};
use shared::{demo, token, CustomerId, ShopId};
use std::process::Command;

struct Figures {
    rps: f64,
    p50: String,
    p99: String,
}

fn wrk(url: &str, extra: &[&str], script_args: &[&str]) -> Result<Figures> {
    let out = Command::new("wrk")
        .args(["-t2", "-c32", "-d10s", "--latency"])
        .args(extra)
        .arg(url)
        .args(if script_args.is_empty() {
            &[][..]
        } else {
            &["--"][..]
        })
        .args(script_args)
        .output()
        .map_err(|e| format!("wrk: {e} (apt-get install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("wrk printed no figures:\n{text}"))?;
    if let Some(errors) = text.lines().find(|l| l.contains("Non-2xx")) {
        return Err(format!("wrk saw errors ({}):\n{text}", errors.trim()));
    }
    Ok(Figures {
        rps,
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
    })
}

fn ensure_wrk() -> Result {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    crate::run(
        Command::new("apt-get")
            .args(["install", "-y", "wrk"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

pub fn http(tools: &Tools) -> Result {
    ensure_wrk()?;
    crate::build(tools)?;
    crate::step("bench: Rust worker and JS baseline under wrangler dev, wrk -t2 -c32 -d10s");
    let state = root().join("target/bench-state");
    let _ = std::fs::remove_dir_all(&state);
    let rust_port = free_port()?;
    let rust = DevServer::start_in(
        tools,
        &root().join("worker"),
        state.clone(),
        rust_port,
        ("/v1/shops/demo-bakery/program", true),
        // POST /events below measures the ledger, not the shop's edge limit (100 requests/s).
        &["PUNCHCARD_EDGE_LIMITS:off"],
    )?;
    let shop = ShopId::parse(demo::SHOP_ID).expect("demo id");
    let token = token::sign(
        demo::SECRET_KEY,
        &shop,
        &CustomerId::parse("c42").expect("id"),
        // An hour: within the demo shop's 24-hour token lifetime, longer than any run.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs()
            + 3_600,
    );
    let auth = format!("Authorization: Bearer {token}");
    let me = "/v1/shops/demo-bakery/me";
    // The first /me seeds the demo shop and writes c42's snapshot to KV.
    let _ = http_status(rust_port, me);
    let js_port = free_port()?;
    let js = DevServer::start_in(
        tools,
        &root().join("bench/js-worker"),
        state.clone(),
        js_port,
        (me, false),
        &[],
    )?;

    // Runs on this shared 2-core machine vary by ~10 %: the two workers take turns, three
    // rounds each, the one going first alternating, and the ratio is of the mean rates.
    let urls = [rust_port, js_port].map(|port| format!("http://127.0.0.1:{port}{me}"));
    let mut rounds: [Vec<Figures>; 2] = [Vec::new(), Vec::new()];
    for round in 0..ME_ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for who in order {
            rounds[who].push(wrk(&urls[who], &["-H", &auth], &[])?);
        }
    }
    let [rust_rounds, js_rounds] = rounds;
    let rust_me = median_round(&rust_rounds);
    let js_me = median_round(&js_rounds);
    let mean =
        |figures: &[Figures]| figures.iter().map(|f| f.rps).sum::<f64>() / figures.len() as f64;
    let (rust_mean, js_mean) = (mean(&rust_rounds), mean(&js_rounds));
    let run_id = std::process::id().to_string();
    let script = root().join("bench/events.lua");
    let script = script.to_string_lossy();
    let rust_events = wrk(
        &format!("http://127.0.0.1:{rust_port}"),
        &["-s", &script],
        &[&run_id],
    )?;
    drop(js);
    drop(rust);

    println!("\n| endpoint | worker | requests/s | p50 | p99 |\n|---|---|---:|---:|---:|");
    for (endpoint, who, f) in [
        (
            "GET /me (token check + KV read), median round",
            "Rust",
            rust_me,
        ),
        (
            "GET /me (token check + KV read), median round",
            "JS baseline",
            js_me,
        ),
        (
            "POST /events (DO ledger write + KV snapshot)",
            "Rust",
            &rust_events,
        ),
    ] {
        println!(
            "| {endpoint} | {who} | {:.0} | {} | {} |",
            f.rps, f.p50, f.p99
        );
    }
    let each = |figures: &[Figures]| {
        figures
            .iter()
            .map(|f| format!("{:.0}", f.rps))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "\nGET /me rounds (requests/s): Rust {}; JS {}",
        each(&rust_rounds),
        each(&js_rounds)
    );
    println!(
        "GET /me Rust/JS throughput ratio (mean of {ME_ROUNDS} rounds each): {:.2}",
        rust_mean / js_mean
    );
    Ok(())
}

/// Rounds of wrk per worker for GET /me.
const ME_ROUNDS: usize = 3;

/// The round with the median rate (its latencies go in the table).
fn median_round(rounds: &[Figures]) -> &Figures {
    let mut sorted: Vec<&Figures> = rounds.iter().collect();
    sorted.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    sorted[sorted.len() / 2]
}

/// `cargo xtask bench-analytics`: seeds a fresh shop with 100,000 members and 1,000,000 events
/// through the API (`bench/seed.mjs`; `MEMBERS` and `EVENTS` override), then times
/// `GET /analytics`. Runs against its own `wrangler dev` with fresh state under `target/`.
pub fn analytics(tools: &Tools) -> Result {
    against_dev_server(
        tools,
        "seed through the API, then time GET /analytics",
        "bench/seed.mjs",
    )
}

/// `cargo xtask bench-history`: one member, 10,000 orders through the batch API against its own
/// `wrangler dev` (`bench/history.mjs`; `ORDERS` and `SPREAD_MINUTES` override): events/s per
/// 1,000 orders, the member row's size as it goes, the last/first ratio.
pub fn history(tools: &Tools) -> Result {
    against_dev_server(
        tools,
        "one member, 10,000 orders through POST /events/batch",
        "bench/history.mjs",
    )
}

/// `cargo xtask bench-widget`: the widget's long tasks and time to the card over `LOADS` (default
/// 10) page loads per mode in headless Chromium, against its own `wrangler dev`
/// (`bench/widget.mjs`).
pub fn widget(tools: &Tools) -> Result {
    against_dev_server(
        tools,
        "the widget's main-thread cost over repeated page loads",
        "bench/widget.mjs",
    )
}

/// Builds, starts a `wrangler dev` with fresh state and runs the node `script` against it, with
/// `PUNCHCARD_URL` (where it listens) and `PUNCHCARD_STATE` (its local state directory) set.
fn against_dev_server(tools: &Tools, what: &str, script: &str) -> Result {
    crate::build(tools)?;
    let server = DevServer::start(tools)?;
    crate::step(what);
    crate::run(
        Command::new("node")
            .current_dir(root())
            .arg(script)
            .env("PUNCHCARD_URL", server.url())
            .env("PUNCHCARD_STATE", server.state_dir()),
    )
}
