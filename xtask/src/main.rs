//! `cargo xtask`: the one entry point for humans and CI.
//!
//! - `cargo xtask dev`   installs what is missing, builds, serves everything at http://127.0.0.1:8787
//! - `cargo xtask test`  installs what is missing and runs every test (what `.ci/run` calls)
//! - `cargo xtask build` builds the worker and the static site (widget included)
//! - `cargo xtask size`  builds the widget and prints each file's raw, gzip and brotli size, and
//!   the wasm's code bytes by crate
//! - `cargo xtask bench` the ledger benchmark (events/second on one core)
//! - `cargo xtask bench-http` wrk: the Rust worker beside a minimal JS Worker on the same runtime
//! - `cargo xtask bench-analytics` 100,000 members, 1,000,000 events through the API
//! - `cargo xtask bench-history` one member, 10,000 orders through the API
//! - `cargo xtask bench-widget` the widget's long tasks and time to the card over repeated loads
//! - `cargo xtask openapi` writes worker/openapi.json from the API types in `shared`
//! - `cargo xtask deploy [--dry-run]` puts Punchcard on your Cloudflare account (see `deploy.rs`)
//! - `cargo xtask screenshots` refreshes the screenshots committed under docs/screenshots (the
//!   tests write theirs to target/screenshots)
//!
//! No dependencies: std only, so it compiles in seconds on a fresh machine.

mod bench;
mod deploy;
mod shim;
mod tools;
mod wasm_size;
mod wrangler;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(),
        Some("test") => test(),
        Some("build") => tools::ensure(false).and_then(|t| build(&t)),
        Some("size") => tools::ensure(false).and_then(|t| {
            let wasm = build_widget(&t)?;
            size()?;
            code_by_crate(&t, &wasm)
        }),
        Some("bench") => {
            run(cargo().args(["bench", "-p", "punchcard-shared", "--bench", "ledger"]))
        }
        Some("bench-http") => tools::ensure(false).and_then(|t| bench::http(&t)),
        Some("bench-analytics") => tools::ensure(false).and_then(|t| bench::analytics(&t)),
        Some("bench-history") => tools::ensure(false).and_then(|t| bench::history(&t)),
        Some("bench-widget") => tools::ensure(true).and_then(|t| bench::widget(&t)),
        Some("openapi") => openapi(),
        Some("screenshots") => screenshots(),
        Some("deploy") => tools::ensure(false)
            .and_then(|t| deploy::deploy(&t, args.iter().any(|a| a == "--dry-run"))),
        _ => {
            eprintln!(
                "usage: cargo xtask <dev | test | build | size | bench | bench-http | bench-analytics | bench-history | bench-widget | openapi | screenshots | deploy [--dry-run]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            eprintln!("xtask: done in {:.0?}", started.elapsed());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the OpenAPI document derived from the types to `worker/openapi.json` (the worker
/// embeds it; a unit test in `shared` fails while the file and the types disagree).
fn openapi() -> Result {
    let path = root().join("worker/openapi.json");
    std::fs::write(&path, shared::openapi::document_text())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `cmd` to completion, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: $ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` exited with {status}", describe(cmd)))
    }
}

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        s.push(' ');
        if arg.len() > 120 {
            s.push_str("<script>");
        } else {
            s.push_str(&arg);
        }
    }
    s
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

pub fn step(name: &str) {
    eprintln!("\nxtask: ==== {name} ====");
}

fn dev() -> Result {
    let tools = tools::ensure(false)?;
    build(&tools)?;
    step("wrangler dev on http://127.0.0.1:8787 (Ctrl-C stops it)");
    let state = root().join(".wrangler/state");
    eprintln!(
        "xtask: local KV and Durable Object state: {}",
        state.display()
    );
    eprintln!("xtask: demo storefront http://127.0.0.1:8787/  ·  API http://127.0.0.1:8787/v1/shops/demo-bakery/program");
    let mut cmd = wrangler::command(&tools);
    cmd.args(["dev", "--port", "8787", "--ip", "127.0.0.1", "--persist-to"])
        .arg(&state);
    run(&mut cmd)
}

fn test() -> Result {
    let tools = tools::ensure(true)?;

    step("format");
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;

    step("clippy (native crates, then the wasm crates for wasm32)");
    run(cargo().args([
        "clippy",
        "-p",
        "punchcard-shared",
        "-p",
        "punchcard-i18n",
        "-p",
        "xtask",
        "-p",
        "punchcard-tests",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(tools::wasm(cargo()).args([
        "clippy",
        "-p",
        "punchcard-worker",
        "-p",
        "punchcard-widget",
        "-p",
        "punchcard-console",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("shared and the worker's command logic: unit tests (native), then a wasm32 build");
    run(cargo().args([
        "test",
        "-p",
        "punchcard-shared",
        "-p",
        "punchcard-i18n",
        "-p",
        "punchcard-worker",
        "-p",
        "xtask",
        "--features",
        "punchcard-shared/openapi",
    ]))?;
    run(cargo().args([
        "build",
        "-p",
        "punchcard-shared",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;

    step("widget and console: wasm_bindgen_test in headless Chromium");
    run(tools.browser_tests(cargo()).args([
        "test",
        "-p",
        "punchcard-widget",
        "-p",
        "punchcard-console",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;

    if let Some(geckodriver) = tools::firefox() {
        step("widget: wasm_bindgen_test in headless Firefox");
        run(tools.firefox_tests(&geckodriver, cargo()).args([
            "test",
            "-p",
            "punchcard-widget",
            "--target",
            "wasm32-unknown-unknown",
        ]))?;
    }

    build(&tools)?;

    deploy::deploy_built(&tools, true)?;

    let schemathesis = tools::schemathesis()?;
    step("integration tests (schemathesis included) and end-to-end tests against wrangler dev (fresh state)");
    let server = wrangler::DevServer::start(&tools)?;
    let url = server.url();
    eprintln!("xtask: wrangler dev is up at {url}");
    run(cargo()
        .args(["test", "-p", "punchcard-tests", "--", "--test-threads", "4"])
        .env("PUNCHCARD_URL", &url)
        .env("PUNCHCARD_WRANGLER", &tools.wrangler)
        .env("PUNCHCARD_WORKER_DIR", root().join("worker"))
        .env("PUNCHCARD_STATE", server.state_dir())
        .env("PUNCHCARD_SCHEMATHESIS", &schemathesis))?;
    run(&mut e2e(&tools, &url, None))?;
    drop(server);
    Ok(())
}

/// The browser end-to-end tests against `url`; screenshots go to `shots` (default
/// target/screenshots).
fn e2e(tools: &tools::Tools, url: &str, shots: Option<&Path>) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(root())
        .args(["--test", "--test-concurrency=1", "tests/e2e/"])
        .env("PUNCHCARD_URL", url)
        .env("CHROMIUM_PATH", &tools.chromium);
    if let Some(shots) = shots {
        cmd.env("PUNCHCARD_SCREENSHOTS", shots);
    }
    cmd
}

/// Runs the browser tests against a fresh `wrangler dev` with their screenshots going to
/// docs/screenshots: the ones the README and the docs show.
fn screenshots() -> Result {
    let tools = tools::ensure(true)?;
    build(&tools)?;
    step("browser tests writing docs/screenshots");
    let server = wrangler::DevServer::start(&tools)?;
    run(&mut e2e(
        &tools,
        &server.url(),
        Some(&root().join("docs/screenshots")),
    ))?;
    drop(server);
    Ok(())
}

/// Builds the worker bundle and assembles the static site (`target/site`).
pub fn build(tools: &tools::Tools) -> Result {
    build_widget(tools)?;
    build_console(tools)?;
    step("site: www/ + widget + console → target/site");
    assemble_site()?;
    step("worker: worker-build --release, then its recovery without a Proxy per request");
    let mut cmd = tools::wasm(Command::new(&tools.worker_build));
    cmd.current_dir(root().join("worker")).arg("--release");
    tools.worker_build_env(&mut cmd);
    run(&mut cmd)?;
    let bundle = root().join("worker/build/index.js");
    let text =
        std::fs::read_to_string(&bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
    std::fs::write(&bundle, shim::lighter_recovery(&text)?)
        .map_err(|e| format!("{}: {e}", bundle.display()))
}

/// What `wasm-opt` may assume of the browsers (and workerd) that run the modules.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// wasm-bindgen (`--target web`, no name or producers sections) into `out`, then `wasm-opt -Oz`
/// on the `bg` module.
fn bindgen_and_opt(tools: &tools::Tools, wasm: &Path, out: &Path, bg: &str) -> Result {
    run(Command::new(&tools.wasm_bindgen)
        .arg(wasm)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(out))?;
    let bg = out.join(bg);
    run(Command::new(&tools.wasm_opt)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(&bg)
        .arg("-o")
        .arg(&bg))
}

/// Where the widget's built files go (served under `/widget/`).
fn widget_out() -> PathBuf {
    root().join("target/widget")
}

/// Builds the widget into [`widget_out`]; answers the module cargo built (names kept).
fn build_widget(tools: &tools::Tools) -> Result<PathBuf> {
    step("widget: cargo build → wasm-bindgen → wasm-opt -Oz");
    let args = [
        "build",
        "--release",
        "-p",
        "punchcard-widget",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ];
    let wasm = if tools::nightly_build_std() {
        // Its own target dir: other RUSTFLAGS would otherwise rebuild the stable artifacts.
        let target = root().join("target/widget-nightly");
        // The rustup proxy (`cargo` on PATH), not $CARGO: only the proxy understands `+nightly`.
        let mut nightly = Command::new("cargo");
        nightly
            .current_dir(root())
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTC");
        run(tools::wasm(nightly)
            .arg("+nightly")
            .args(args)
            .args(["-Zbuild-std=std,panic_abort"])
            .env("CARGO_TARGET_DIR", &target)
            .env(
                "RUSTFLAGS",
                "--cfg getrandom_backend=\"wasm_js\" -Zunstable-options -Cpanic=immediate-abort",
            ))?;
        target.join("wasm32-unknown-unknown/release/punchcard_widget.wasm")
    } else {
        run(tools::wasm(cargo()).args(args))?;
        root().join("target/wasm32-unknown-unknown/release/punchcard_widget.wasm")
    };
    let out = widget_out();
    let _ = std::fs::remove_dir_all(&out);
    bindgen_and_opt(tools, &wasm, &out, "punchcard_widget_bg.wasm")?;
    // Shoppers download these, so esbuild (pinned in package-lock.json) minifies them; the
    // sources keep their comments.
    let glue = out.join("punchcard_widget.js");
    minify(&glue, &glue, &["--format=esm"])?;
    minify(
        &root().join("widget/style.css"),
        &out.join("style.css"),
        &[],
    )?;
    copy_dir(&root().join("widget/locales"), &out.join("locales"))?;
    minify(
        &root().join("widget/loader/widget.js"),
        &out.join("loader.js"),
        &[],
    )?;
    Ok(wasm)
}

/// `esbuild --minify` of one file (JS or CSS, by its extension) into `to` (may be `from`).
fn minify(from: &Path, to: &Path, args: &[&str]) -> Result {
    run(Command::new(tools::esbuild())
        .arg(from)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .args(args)
        .arg(format!("--outfile={}", to.display())))
}

/// Builds the merchant console (stable toolchain; it is not on storefront pages, so it is not
/// squeezed like the widget) into `target/console`, served under `/console/`.
fn build_console(tools: &tools::Tools) -> Result {
    step("console: cargo build → wasm-bindgen → wasm-opt -Oz");
    run(tools::wasm(cargo()).args([
        "build",
        "--release",
        "-p",
        "punchcard-console",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = root().join("target/console");
    let _ = std::fs::remove_dir_all(&out);
    bindgen_and_opt(
        tools,
        &root().join("target/wasm32-unknown-unknown/release/punchcard_console.wasm"),
        &out,
        "punchcard_console_bg.wasm",
    )
}

fn assemble_site() -> Result {
    let site = root().join("target/site");
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&root().join("www"), &site)?;
    copy_dir(&root().join("target/console"), &site.join("console"))?;
    copy_dir(
        &root().join("console/locales"),
        &site.join("console/locales"),
    )?;
    let widget = widget_out();
    copy_dir(&widget, &site.join("widget"))?;
    std::fs::rename(site.join("widget/loader.js"), site.join("widget.js"))
        .map_err(|e| e.to_string())
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} → {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Prints raw, gzip -9 and brotli -q11 sizes of every file the widget serves (Node's zlib), and
/// the two budgets of the widget issue: what a storefront loads before its `load` event (the
/// loader alone) and the whole widget opened in one locale (loader, glue, wasm, stylesheet and the
/// largest catalog).
fn size() -> Result {
    step("widget size");
    let out = widget_out();
    let script = r#"
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const dir = process.argv[1];
const locales = fs.readdirSync(path.join(dir, "locales")).map((f) => "locales/" + f);
const files = ["loader.js", "punchcard_widget.js", "punchcard_widget_bg.wasm", "style.css"];
const names = {"loader.js": "widget.js (loader)"};
const measure = (f) => {
  const b = fs.readFileSync(path.join(dir, f));
  return [b.length, zlib.gzipSync(b, {level: 9}).length,
    zlib.brotliCompressSync(b, {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11}}).length];
};
const largest = locales.map((f) => [f, measure(f)]).sort((a, b) => b[1][2] - a[1][2])[0];
let total = [0, 0, 0];
console.log("| file | raw | gzip -9 | brotli -q11 |\n|---|---:|---:|---:|");
for (const f of files) {
  const m = measure(f);
  total = total.map((t, i) => t + m[i]);
  console.log(`| ${names[f] || f} | ${m[0]} | ${m[1]} | ${m[2]} |`);
}
total = total.map((t, i) => t + largest[1][i]);
console.log(`| ${largest[0]} (largest of ${locales.length} catalogs) | ${largest[1].join(" | ")} |`);
console.log(`| **opened, one locale** | ${total[0]} | ${total[1]} | ${total[2]} |`);
const before = measure("loader.js")[2], opened = total[2];
console.log(`\nbefore the page's load event: ${before} B brotli (budget 5120: ${before <= 5120 ? "within" : "OVER"})`);
console.log(`whole widget opened, one locale: ${opened} B brotli (budget 81920: ${opened <= 81920 ? "within" : "OVER"})`);
"#;
    run(Command::new("node").args(["-e", script]).arg(&out))
}

/// Prints where the widget's wasm code goes, by crate: `wasm` (as cargo built it) through
/// wasm-bindgen and `wasm-opt -Oz` as shipped, but with the function names kept.
fn code_by_crate(tools: &tools::Tools, wasm: &Path) -> Result {
    let dir = root().join("target/widget-names");
    let _ = std::fs::remove_dir_all(&dir);
    run(Command::new(&tools.wasm_bindgen)
        .arg(wasm)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&dir))?;
    let bg = dir.join("punchcard_widget_bg.wasm");
    run(Command::new(&tools.wasm_opt)
        .args(["-Oz", "-g", "--strip-dwarf"])
        .args(WASM_FEATURES)
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;
    let module = std::fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))?;
    let (rows, total) = wasm_size::code_by_crate(&module)
        .ok_or_else(|| format!("{}: not a wasm module this can read", bg.display()))?;
    println!("\nwasm code by crate ({total} B of function bodies, raw):\n| crate | bytes | share |\n|---|---:|---:|");
    for (name, bytes) in rows.iter().take(16) {
        println!(
            "| {name} | {bytes} | {:.1} % |",
            100.0 * *bytes as f64 / total as f64
        );
    }
    Ok(())
}
