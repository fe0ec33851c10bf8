//! `cargo xtask deploy [--dry-run]`: Punchcard on your Cloudflare account.
//!
//! 1. `wrangler whoami` — signed in? (else: how to sign in)
//! 2. the deploy config `worker/wrangler.deploy.toml`, made from `worker/wrangler.toml` (the dev
//!    config stays as it is) with the real KV namespace id: created with
//!    `wrangler kv namespace create` the first time, remembered in that file afterwards
//! 3. `wrangler deploy -c wrangler.deploy.toml` — the bundle and the Durable Object migrations
//!    (`[[migrations]]`: wrangler applies the ones the account has not seen)
//! 4. `ADMIN_KEY` with `wrangler secret put` when the worker has none (`PUNCHCARD_ADMIN_KEY`, or a
//!    random one printed once)
//! 5. the worker's URL, the script tag and a curl that creates the first shop
//!
//! `--dry-run` needs no network and no account: it writes the deploy config (under `target/` when
//! there is none yet, so the tree stays clean) and bundles with `wrangler deploy --dry-run`.
//! `cargo xtask test` runs it.

use crate::tools::Tools;
use crate::{root, run, step, wrangler, Result};
use std::path::Path;
use std::process::{Command, Stdio};

/// The KV id of the dev config: a placeholder only `wrangler dev` accepts.
const PLACEHOLDER_KV_ID: &str = "00000000000000000000000000000000";
/// The deploy config, next to the dev one (gitignored: it names your account's namespace).
const DEPLOY_CONFIG: &str = "worker/wrangler.deploy.toml";

pub fn deploy(tools: &Tools, dry_run: bool) -> Result {
    crate::build(tools)?;
    deploy_built(tools, dry_run)
}

/// [`deploy`] once `cargo xtask build` has run.
pub fn deploy_built(tools: &Tools, dry_run: bool) -> Result {
    let dev = std::fs::read_to_string(root().join("worker/wrangler.toml"))
        .map_err(|e| format!("worker/wrangler.toml: {e}"))?;
    let existing = std::fs::read_to_string(root().join(DEPLOY_CONFIG)).ok();
    let remembered = existing
        .as_deref()
        .and_then(kv_id)
        .filter(|id| id != PLACEHOLDER_KV_ID);
    if dry_run {
        step("deploy --dry-run: the deploy config and the bundle, nothing uploaded");
        let id = remembered
            .clone()
            .unwrap_or_else(|| PLACEHOLDER_KV_ID.to_owned());
        // Beside the dev config (its paths are relative to it) unless that would touch the tree.
        let config = if existing.is_some() {
            root().join(DEPLOY_CONFIG)
        } else {
            root().join("worker/.wrangler/wrangler.dry-run.toml")
        };
        write_config(
            &config,
            &deploy_config(&dev, &id, config.parent() != Some(&root().join("worker")))?,
        )?;
        let mut cmd = wrangler::command(tools);
        cmd.args(["deploy", "--dry-run", "--config"])
            .arg(&config)
            .arg("--outdir")
            .arg(root().join("target/deploy-dry-run"));
        run(&mut cmd)?;
        eprintln!(
            "xtask: dry run done. A real deploy would: check `wrangler whoami`, {}, run `wrangler deploy --config {DEPLOY_CONFIG}` (bundle + Durable Object migrations), set ADMIN_KEY if the worker has none.",
            if remembered.is_some() {
                "use the KV namespace remembered in the deploy config"
            } else {
                "create the KV namespace SNAPSHOTS"
            }
        );
        return Ok(());
    }

    step("deploy: signed in to Cloudflare?");
    let whoami = capture(wrangler::command(tools).arg("whoami"))?;
    if !whoami.status || whoami.text.contains("not authenticated") {
        return Err(format!(
            "wrangler is not signed in to a Cloudflare account.\n\
             Sign in with `npx wrangler login` (opens a browser), or set CLOUDFLARE_API_TOKEN \
             (a token with the \"Edit Cloudflare Workers\" template) and CLOUDFLARE_ACCOUNT_ID, \
             then run `cargo xtask deploy` again.\n{}",
            whoami.text
        ));
    }

    let id = match remembered {
        Some(id) => {
            eprintln!("xtask: KV namespace {id} (from {DEPLOY_CONFIG})");
            id
        }
        None => {
            step("deploy: creating the KV namespace SNAPSHOTS");
            let created = capture(
                wrangler::command(tools)
                    .current_dir(root().join("worker"))
                    .args(["kv", "namespace", "create", "SNAPSHOTS"]),
            )?;
            if !created.status {
                return Err(format!(
                    "wrangler kv namespace create failed:\n{}",
                    created.text
                ));
            }
            first_hex_id(&created.text)
                .ok_or_else(|| format!("no namespace id in wrangler's answer:\n{}", created.text))?
        }
    };
    let config = root().join(DEPLOY_CONFIG);
    write_config(&config, &deploy_config(&dev, &id, false)?)?;

    step("deploy: wrangler deploy (the bundle and the Durable Object migrations)");
    let deployed = capture(
        wrangler::command(tools)
            .current_dir(root().join("worker"))
            .args(["deploy", "--config", "wrangler.deploy.toml"]),
    )?;
    eprintln!("{}", deployed.text);
    if !deployed.status {
        return Err("wrangler deploy failed (see above)".into());
    }
    let url = deployed
        .text
        .split_whitespace()
        .find(|w| w.starts_with("https://") && w.contains(".workers.dev"))
        .map(str::to_owned);

    step("deploy: the admin key");
    let secrets = capture(
        wrangler::command(tools)
            .current_dir(root().join("worker"))
            .args(["secret", "list", "--config", "wrangler.deploy.toml"]),
    )?;
    if secrets.text.contains("\"ADMIN_KEY\"") {
        eprintln!(
            "xtask: ADMIN_KEY is already set (kept; `wrangler secret put ADMIN_KEY` replaces it)"
        );
    } else {
        let (key, generated) = match std::env::var("PUNCHCARD_ADMIN_KEY") {
            Ok(key) if !key.is_empty() => (key, false),
            _ => (random_key()?, true),
        };
        let mut put = wrangler::command(tools);
        put.current_dir(root().join("worker"))
            .args([
                "secret",
                "put",
                "ADMIN_KEY",
                "--config",
                "wrangler.deploy.toml",
            ])
            .stdin(Stdio::piped());
        let mut child = put
            .spawn()
            .map_err(|e| format!("wrangler secret put: {e}"))?;
        {
            use std::io::Write;
            let stdin = child.stdin.as_mut().ok_or("no stdin for wrangler")?;
            stdin
                .write_all(key.as_bytes())
                .map_err(|e| format!("wrangler secret put: {e}"))?;
        }
        let status = child
            .wait()
            .map_err(|e| format!("wrangler secret put: {e}"))?;
        if !status.success() {
            return Err("wrangler secret put ADMIN_KEY failed".into());
        }
        if generated {
            eprintln!("xtask: ADMIN_KEY set to a new random key — save it now, it is not shown again:\n\n    {key}\n");
        }
    }

    let base = url.unwrap_or_else(|| "https://punchcard.<your-subdomain>.workers.dev".into());
    println!("\nPunchcard is live at {base}\n");
    println!("Create your first shop (the secret key in the answer is shown once):\n");
    println!(
        "    curl -X POST {base}/v1/shops -H 'Authorization: Bearer <ADMIN_KEY>' \\\n         -H 'Content-Type: application/json' -d '{{\"shop_id\": \"my-shop\", \"name\": \"My shop\"}}'\n"
    );
    println!("Then paste this into your storefront's pages (the console at {base}/console/ signs you in with the shop key):\n");
    println!("    <script src=\"{base}/widget.js\" data-shop=\"my-shop\" async></script>\n");
    Ok(())
}

/// The deploy config: the dev config with the KV namespace `id`; with `elsewhere`, written outside
/// `worker/`, its relative paths are made absolute.
pub fn deploy_config(dev: &str, id: &str, elsewhere: bool) -> Result<String> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{id:?} is not a KV namespace id (32 hex digits)"));
    }
    let placeholder = format!("id = \"{PLACEHOLDER_KV_ID}\"");
    if !dev.contains(&placeholder) {
        return Err("worker/wrangler.toml no longer holds the KV placeholder id".into());
    }
    let mut config = String::from(
        "# GENERATED by `cargo xtask deploy` from wrangler.toml (edit that one): the deploy config,\n\
         # with this account's KV namespace. Not committed.\n",
    );
    config.push_str(&dev.replace(&placeholder, &format!("id = \"{id}\"")));
    if elsewhere {
        let worker = root().join("worker");
        for (key, path) in [("main", "build/index.js"), ("directory", "../target/site")] {
            let absolute = worker.join(path);
            config = config.replace(
                &format!("{key} = \"{path}\""),
                &format!("{key} = \"{}\"", absolute.display()),
            );
        }
    }
    Ok(config)
}

/// The `id` of the `[[kv_namespaces]]` entry of a config.
fn kv_id(config: &str) -> Option<String> {
    let section = config.split("[[kv_namespaces]]").nth(1)?;
    let line = section.lines().find(|l| l.trim_start().starts_with("id"))?;
    let value = line.split('"').nth(1)?;
    Some(value.to_owned())
}

/// The first run of 32 hex digits in `text` (wrangler prints the new namespace's id in a TOML or
/// JSON snippet, depending on its version).
fn first_hex_id(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 32)
        .map(str::to_owned)
}

fn write_config(path: &Path, text: &str) -> Result {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// 32 random bytes from the OS, hex.
fn random_key() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

struct Captured {
    status: bool,
    text: String,
}

/// Runs `cmd`, keeping stdout and stderr together for parsing and messages.
fn capture(cmd: &mut Command) -> Result<Captured> {
    eprintln!("xtask: $ {}", crate::describe(cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", crate::describe(cmd)))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(Captured {
        status: out.status.success(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "name = \"punchcard\"\nmain = \"build/index.js\"\n[assets]\ndirectory = \"../target/site\"\n[[kv_namespaces]]\nbinding = \"SNAPSHOTS\"\nid = \"00000000000000000000000000000000\"\n";

    #[test]
    fn the_deploy_config_carries_the_namespace_and_nothing_else_changes() {
        let id = "e29b263ab50e42ce9b637fa8370175e8";
        let config = deploy_config(DEV, id, false).unwrap();
        assert_eq!(kv_id(&config).as_deref(), Some(id));
        assert!(config.contains("main = \"build/index.js\""));
        assert!(config.starts_with("# GENERATED"));
        assert_eq!(
            config.lines().filter(|l| !l.starts_with('#')).count(),
            DEV.lines().count()
        );
    }

    #[test]
    fn written_elsewhere_its_paths_are_absolute() {
        let config = deploy_config(DEV, PLACEHOLDER_KV_ID, true).unwrap();
        assert!(!config.contains("\"build/index.js\""));
        assert!(config.contains("/worker/build/index.js\""));
        assert!(!config.contains("\"../target/site\""));
    }

    #[test]
    fn bad_ids_and_changed_dev_configs_are_refused() {
        assert!(deploy_config(DEV, "nope", false).is_err());
        assert!(deploy_config("name = \"x\"\n", PLACEHOLDER_KV_ID, false).is_err());
    }

    #[test]
    fn the_new_namespace_id_is_found_in_either_output_shape() {
        let toml = "✨ Success!\n[[kv_namespaces]]\nbinding = \"SNAPSHOTS\"\nid = \"e29b263ab50e42ce9b637fa8370175e8\"\n";
        let json = "{\n  \"kv_namespaces\": [\n    {\n      \"binding\": \"SNAPSHOTS\",\n      \"id\": \"0f2ac74b498b48028cb68387c421e279\"\n    }\n  ]\n}";
        assert_eq!(
            first_hex_id(toml).as_deref(),
            Some("e29b263ab50e42ce9b637fa8370175e8")
        );
        assert_eq!(
            first_hex_id(json).as_deref(),
            Some("0f2ac74b498b48028cb68387c421e279")
        );
        assert_eq!(first_hex_id("no id here"), None);
    }
}
