//! A fuzzer nobody here wrote against the served OpenAPI document: schemathesis (pinned, from
//! PyPI; `cargo xtask test` installs it into `target/schemathesis-venv`) runs every check on every
//! operation — schema-valid requests must be accepted, invalid ones refused with 4xx, every answer
//! documented and matching its schema, 405s with `Allow`, no 5xx — on fresh shops of its own.
//! Its configuration is `tests/schemathesis.toml`; the hooks it loads are
//! `tests/schemathesis_hooks.py`.

use punchcard_tests::{base_url, call, new_shop, paid, token_for, ADMIN_KEY};
use std::path::PathBuf;
use std::process::Command;

fn schemathesis() -> PathBuf {
    std::env::var_os("PUNCHCARD_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/schemathesis-venv/bin/schemathesis")
        })
}

#[test]
fn schemathesis_finds_nothing() {
    let bin = schemathesis();
    assert!(
        bin.exists(),
        "{} is missing: `cargo xtask test` installs it (or set PUNCHCARD_SCHEMATHESIS)",
        bin.display()
    );
    let (shop, key) = new_shop("fuzz");
    let (config_shop, config_key) = new_shop("fuzz-config");
    let (rotate_shop, rotate_key) = new_shop("fuzz-rotate");
    // A member with points, so redemptions and coupons have something to work on.
    let r = call(
        "POST",
        &format!("/v1/shops/{shop}/events"),
        Some(&key),
        Some(&paid("fuzz-seed", "c1", "o1", 500_000)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let token = token_for(&shop, &key, "c1");
    let member_code = r.body["member_code"].as_str().unwrap().to_owned();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seed = std::env::var("PUNCHCARD_SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".into());
    let url = base_url();
    // schemathesis keeps a cache in its working directory: under target/, not in the tree.
    let work = dir.join("../target/schemathesis-run");
    std::fs::create_dir_all(&work).unwrap();
    let out = Command::new(&bin)
        .current_dir(&work)
        .arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .args(["run", &format!("{url}/openapi.json"), "--checks", "all"])
        .args(["--seed", &seed, "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("PYTHONPATH", &dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PUNCHCARD_URL", &url)
        .env("PUNCHCARD_SHOP", &shop)
        .env("PUNCHCARD_SHOP_KEY", &key)
        .env("PUNCHCARD_ADMIN_KEY", ADMIN_KEY)
        .env("PUNCHCARD_CUSTOMER_TOKEN", &token)
        .env("PUNCHCARD_MEMBER_CODE", &member_code)
        .env("PUNCHCARD_CONFIG_SHOP", &config_shop)
        .env("PUNCHCARD_CONFIG_KEY", &config_key)
        .env("PUNCHCARD_ROTATE_SHOP", &rotate_shop)
        .env("PUNCHCARD_ROTATE_KEY", &rotate_key)
        .output()
        .expect("run schemathesis");
    let text = String::from_utf8_lossy(&out.stdout);
    // Warnings and summary (what was covered, what was forgiven) go to the log either way.
    let tail = text
        .find("==== WARNINGS")
        .or_else(|| text.find("==== SUMMARY"))
        .map_or("", |at| &text[at..]);
    eprintln!("schemathesis (seed {seed}):\n{tail}");
    // Reproductions can carry 60 KiB bodies: each line is cut for the log.
    let report: Vec<String> = text
        .lines()
        .map(|l| l.chars().take(600).collect())
        .collect();
    assert!(
        out.status.success(),
        "schemathesis reported failures (seed {seed}):\n{}\n{}",
        report.join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
}
