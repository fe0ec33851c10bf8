//! Nothing for strangers: requests naming shops that do not exist are answered at the edge and
//! never start a Durable Object. Its own test binary, so no other test creates objects meanwhile.

use punchcard_tests::{get, send};

/// The ledger objects in the local state (`PUNCHCARD_STATE`, set by `cargo xtask test`): one
/// SQLite file per object that ever ran.
fn objects() -> usize {
    let state =
        std::env::var("PUNCHCARD_STATE").expect("PUNCHCARD_STATE is set by cargo xtask test");
    let dir = std::path::Path::new(&state).join("v3/do/punchcard-ShopLedger");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "sqlite"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn unknown_shops_never_start_an_object() {
    let before = objects();
    for n in 0..20 {
        let shop = format!("stranger-{}-{n}", std::process::id());
        let me = get(&format!("/v1/shops/{shop}/me"), Some("v1.c1.1.00"));
        me.assert_problem(401, "unauthorized");
        let events = send(
            "POST",
            &format!("/v1/shops/{shop}/events"),
            Some("sk_live_guess"),
            &[],
            Some("{}".into()),
        );
        events.assert_problem(401, "unauthorized");
        get(&format!("/v1/shops/{shop}/program"), None).assert_problem(404, "not_found");
    }
    assert_eq!(
        objects(),
        before,
        "a stranger's request started a ledger object"
    );
}
