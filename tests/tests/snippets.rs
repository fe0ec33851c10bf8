//! The token-signing snippets the install page shows (docs/snippets/), run with every interpreter
//! this machine has: the worker must accept each token they print.

use punchcard_tests::{get, new_shop};
use std::process::Command;

/// The snippets `docs/snippets/<name>.{mjs,py,php,rb}` this machine has an interpreter for.
fn runnable(name: &str) -> Vec<(&'static str, String)> {
    [
        ("node", "mjs"),
        ("python3", "py"),
        ("php", "php"),
        ("ruby", "rb"),
    ]
    .into_iter()
    .filter_map(|(interpreter, ext)| {
        let file = format!("{name}.{ext}");
        let available = Command::new(interpreter)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            eprintln!("snippets: no {interpreter} on this machine, {file} not run");
        }
        available.then_some((interpreter, file))
    })
    .collect()
}

#[test]
fn every_runnable_snippet_signs_tokens_the_worker_accepts() {
    let (shop, secret) = new_shop("snippets");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/snippets");
    let mut ran = Vec::new();
    for (interpreter, file) in runnable("token") {
        let customer = format!("snippet-{}", file.replace('.', "-"));
        let out = Command::new(interpreter)
            .arg(root.join(&file))
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
            .arg(root.join(&file))
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

/// The webhook-verification snippets (docs/snippets/webhook.*), run with every interpreter this
/// machine has, against signatures made the way the ledger object signs its deliveries.
#[test]
fn every_runnable_webhook_snippet_accepts_our_signatures_and_nothing_else() {
    use std::io::Write;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/snippets");
    let secret = "whsec_0123456789abcdef";
    let body =
        r#"{"id":"evt_0123456789abcdef01234567","type":"points.earned","data":{"points":12}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let good = shared::webhooks::signature(secret, now, body);
    let cases = [
        (secret, good.clone(), body, "valid"),
        (
            secret,
            good.clone(),
            &body.replace("12", "13")[..],
            "invalid",
        ),
        ("whsec_other", good.clone(), body, "invalid"),
        (
            secret,
            shared::webhooks::signature(secret, now - 3_600, body),
            body,
            "invalid",
        ),
        (secret, "t=abc,v1=00".to_owned(), body, "invalid"),
    ];
    let mut ran = 0;
    for (interpreter, file) in runnable("webhook") {
        for (key, header, payload, want) in &cases {
            let mut child = Command::new(interpreter)
                .arg(root.join(&file))
                .args([key, &header.as_str()])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run the snippet");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(payload.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            assert_eq!(
                &said,
                want,
                "{file} with {header} over {payload}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        ran += 1;
    }
    assert!(ran >= 1, "no interpreter ran a webhook snippet");
}
