//! The token-signing snippets the install page shows (docs/snippets/), run with every interpreter
//! this machine has: the worker must accept each token they print.

use punchcard_tests::{get, new_shop};
use std::process::Command;

#[test]
fn every_runnable_snippet_signs_tokens_the_worker_accepts() {
    let (shop, secret) = new_shop("snippets");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/snippets");
    let mut ran = Vec::new();
    for (interpreter, file) in [
        ("node", "token.mjs"),
        ("python3", "token.py"),
        ("php", "token.php"),
        ("ruby", "token.rb"),
    ] {
        let available = Command::new(interpreter)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            eprintln!("snippets: no {interpreter} on this machine, {file} not run");
            continue;
        }
        let customer = format!("snippet-{}", file.replace('.', "-"));
        let out = Command::new(interpreter)
            .arg(root.join(file))
            .args([&shop, &customer, &secret])
            .output()
            .expect("run the snippet");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert!(
            token.starts_with(&format!("v1.{customer}.")),
            "{file} printed {token}"
        );
        let me = get(&format!("/v1/shops/{shop}/me"), Some(&token));
        assert_eq!(
            me.status, 200,
            "{file}: the worker refused its token: {me:?}"
        );
        assert_eq!(me.body["customer_id"], customer);
        // A token signed with another key is refused (the snippet really uses the key).
        let forged = Command::new(interpreter)
            .arg(root.join(file))
            .args([&shop, &customer, "sk_wrong"])
            .output()
            .unwrap();
        let forged = String::from_utf8(forged.stdout).unwrap().trim().to_owned();
        assert_eq!(
            get(&format!("/v1/shops/{shop}/me"), Some(&forged)).status,
            401
        );
        ran.push(file);
    }
    eprintln!("snippets run: {ran:?}");
    assert!(ran.len() >= 2, "node and python3 are always there: {ran:?}");
}
