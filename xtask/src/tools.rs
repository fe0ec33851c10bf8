//! Installs what a fresh machine lacks, each tool once, at the exact version the project pins.
//!
//! - `wasm32-unknown-unknown` (rustup)
//! - `wasm-bindgen-cli` = the `wasm-bindgen` version in Cargo.lock (cargo install, ~10 min once)
//! - `worker-build` = the `worker` version in Cargo.lock (cargo install, ~10 min once)
//! - wrangler, binaryen (wasm-opt), playwright-core: `npm ci` from package-lock.json
//! - tests only: Chromium, chromedriver, a Japanese font, php-cli and ruby (apt-get); firefox-esr (apt-get) and
//!   geckodriver (cargo install) when they install; schemathesis (PyPI, pinned with everything it
//!   needs in `tests/schemathesis-requirements.txt`) in a venv under `target/`

use crate::{root, run, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Paths of the tools the build and the tests use.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_opt: PathBuf,
    pub wrangler: PathBuf,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// The schemathesis command of the venv under `target/`, installed from the pinned requirements
/// when it is missing or another version.
pub fn schemathesis() -> Result<PathBuf> {
    let venv = root().join("target/schemathesis-venv");
    let bin = venv.join("bin/schemathesis");
    let requirements = root().join("tests/schemathesis-requirements.txt");
    let pinned = std::fs::read_to_string(&requirements)
        .map_err(|e| format!("{}: {e}", requirements.display()))?;
    let want = pinned
        .lines()
        .find_map(|l| l.strip_prefix("schemathesis=="))
        .ok_or("no schemathesis== line in tests/schemathesis-requirements.txt")?
        .trim()
        .to_owned();
    let have = output(Command::new(&bin).arg("--version"));
    if have.is_some_and(|v| v.trim().ends_with(&want)) {
        return Ok(bin);
    }
    crate::step(&format!(
        "schemathesis {want} (PyPI) into target/schemathesis-venv"
    ));
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements))?;
    Ok(bin)
}

/// Makes sure every tool is installed; `browsers` adds Chromium and chromedriver.
pub fn ensure(browsers: bool) -> Result<Tools> {
    crate::step("tools");
    ensure_wasm_target()?;
    let wasm_bindgen_version = locked_version("wasm-bindgen")?;
    let worker_version = locked_version("worker")?;
    let wasm_bindgen = cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &wasm_bindgen_version,
        &format!("wasm-bindgen {wasm_bindgen_version}"),
    )?;
    let worker_build = cargo_tool(
        "worker-build",
        "worker-build",
        &worker_version,
        &worker_version,
    )?;
    ensure_npm()?;
    let (chromium, chromedriver) = if browsers {
        ensure_browsers()?
    } else {
        (
            PathBuf::from("/usr/bin/chromium"),
            PathBuf::from("/usr/bin/chromedriver"),
        )
    };
    let bin = root().join("node_modules/.bin");
    Ok(Tools {
        wasm_bindgen,
        worker_build,
        wasm_opt: bin.join("wasm-opt"),
        wrangler: bin.join("wrangler"),
        chromium,
        chromedriver,
    })
}

impl Tools {
    /// Environment for worker-build: use our tools instead of downloading them (TOOLCHAIN.md).
    pub fn worker_build_env(&self, cmd: &mut Command) {
        cmd.env("WASM_BINDGEN_BIN", &self.wasm_bindgen)
            .env("WASM_OPT_BIN", &self.wasm_opt)
            .env("ESBUILD_BIN", esbuild())
            // A readable bundle: `shim::lighter_recovery` rewrites its default export.
            .env("NO_MINIFY", "1");
        quiet_wrangler(cmd);
    }

    /// The same browser tests in headless Firefox (`GECKODRIVER`), when Firefox could be installed.
    pub fn firefox_tests(&self, geckodriver: &Path, mut cargo: Command) -> Command {
        let runner = self.wasm_bindgen.with_file_name("wasm-bindgen-test-runner");
        cargo
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
            .env("GECKODRIVER", geckodriver)
            .env_remove("CHROMEDRIVER")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        wasm(cargo)
    }

    /// `cargo test --target wasm32` run through wasm-bindgen-test-runner in headless Chromium.
    pub fn browser_tests(&self, mut cargo: Command) -> Command {
        let runner = self.wasm_bindgen.with_file_name("wasm-bindgen-test-runner");
        cargo
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
            .env("CHROMEDRIVER", &self.chromedriver)
            .env_remove("GECKODRIVER")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        wasm(cargo)
    }
}

/// esbuild as `npm ci` installs it (package-lock.json): worker-build's bundler and the widget's
/// minifier.
pub fn esbuild() -> PathBuf {
    root().join("node_modules/@esbuild/linux-x64/bin/esbuild")
}

/// Every wasm build sets what worker-build sets, so the crates they share compile the same way.
pub fn wasm(mut cmd: Command) -> Command {
    cmd.env("WASM_BINDGEN_USE_JS_SYS", "1");
    cmd
}

/// Whether the widget can be built the smaller way: the nightly toolchain rebuilding `std` with
/// `panic=immediate-abort` (no panic messages or unwinding machinery in the wasm; ~10 % smaller
/// brotli). Adds the nightly `rust-src` component if it is missing. `false` (stable build) when
/// there is no nightly toolchain or the component cannot be added.
pub fn nightly_build_std() -> bool {
    let has_nightly = output(Command::new("rustc").args(["+nightly", "--version"])).is_some();
    if !has_nightly {
        eprintln!("xtask: no nightly toolchain: the widget is built with stable (a little larger)");
        return false;
    }
    let components = output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        "nightly",
    ]))
    .unwrap_or_default();
    if components.lines().any(|c| c.trim() == "rust-src") {
        return true;
    }
    let added = Command::new("rustup")
        .args(["component", "add", "rust-src", "--toolchain", "nightly"])
        .status()
        .is_ok_and(|s| s.success());
    if !added {
        eprintln!("xtask: could not add nightly rust-src: the widget is built with stable");
    }
    added
}

/// Keeps wrangler from phoning home (metrics, error reports, `cf.json`).
pub fn quiet_wrangler(cmd: &mut Command) {
    cmd.env("WRANGLER_SEND_METRICS", "false")
        .env("WRANGLER_SEND_ERROR_REPORTS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Debian's firefox-esr and geckodriver (crates.io) for the widget's browser tests in Firefox, as
/// the product brief asks "where it can be installed": `None` (with a note) if either fails.
pub fn firefox() -> Option<PathBuf> {
    if !Path::new("/usr/bin/firefox").exists() {
        let sudo = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() != "0");
        let mut apt = Command::new(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            apt.arg("apt-get");
        }
        apt.args(["install", "-y", "firefox-esr"])
            .env("DEBIAN_FRONTEND", "noninteractive");
        if run(&mut apt).is_err() {
            eprintln!(
                "xtask: firefox-esr did not install: the widget's tests run in Chromium only"
            );
            return None;
        }
    }
    let expected = format!("geckodriver {GECKODRIVER}");
    match cargo_tool("geckodriver", "geckodriver", GECKODRIVER, &expected) {
        Ok(path) => Some(path),
        Err(e) => {
            eprintln!(
                "xtask: geckodriver did not install ({e}): the widget's tests run in Chromium only"
            );
            None
        }
    }
}

/// geckodriver from crates.io (TOOLCHAIN.md: works with Debian's firefox-esr 153).
const GECKODRIVER: &str = "0.37.1";

fn ensure_wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The version of `package` that Cargo.lock pins (exactly one copy is expected).
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_owned())
}

fn cargo_home_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
        .join("bin")
}

/// Installs `crate_name@version` with `cargo install` unless the first line of `binary --version`
/// is `expected` (or starts with it and a space).
fn cargo_tool(binary: &str, crate_name: &str, version: &str, expected: &str) -> Result<PathBuf> {
    let path = cargo_home_bin().join(binary);
    let current = output(Command::new(&path).arg("--version")).unwrap_or_default();
    let first_line = current.lines().next().unwrap_or_default().trim();
    if first_line == expected || first_line.starts_with(&format!("{expected} ")) {
        return Ok(path);
    }
    eprintln!(
        "xtask: installing {crate_name} {version} (found: {:?}); this takes ~10 minutes once",
        current.trim()
    );
    // No `--locked` for wasm-bindgen-cli: its lock file fails to resolve here (TOOLCHAIN.md).
    run(Command::new("cargo").args(["install", crate_name, "--version", version, "--force"]))?;
    Ok(path)
}

fn ensure_npm() -> Result {
    let root = root();
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = modified(&marker)
        .zip(modified(&root.join("package-lock.json")))
        .is_some_and(|(installed, wanted)| installed >= wanted);
    if fresh && root.join("node_modules/.bin/wrangler").exists() {
        return Ok(());
    }
    run(Command::new("npm")
        .current_dir(&root)
        .args(["ci", "--no-audit", "--no-fund"]))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

fn ensure_browsers() -> Result<(PathBuf, PathBuf)> {
    let chromium = PathBuf::from("/usr/bin/chromium");
    let chromedriver = PathBuf::from("/usr/bin/chromedriver");
    // A Japanese font, so the widget's `ja` screenshots show glyphs rather than boxes; PHP and
    // Ruby, so the install page's token snippets in those languages are run too.
    let cjk_font = Path::new("/usr/share/fonts/opentype/ipafont-gothic");
    let interpreters = ["/usr/bin/php", "/usr/bin/ruby"].map(|p| Path::new(p).exists());
    if !chromium.exists()
        || !chromedriver.exists()
        || !cjk_font.exists()
        || interpreters.contains(&false)
    {
        let sudo = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() != "0");
        let apt = |args: &[&str]| {
            let mut cmd = Command::new(if sudo { "sudo" } else { "apt-get" });
            if sudo {
                cmd.arg("apt-get");
            }
            cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            cmd
        };
        run(&mut apt(&["update"]))?;
        run(&mut apt(&[
            "install",
            "-y",
            "chromium",
            "chromium-driver",
            "fonts-ipafont-gothic",
            "php-cli",
            "ruby",
        ]))?;
    }
    Ok((chromium, chromedriver))
}
