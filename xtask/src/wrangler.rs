//! Running wrangler: `wrangler dev` (the real local Workers runtime: workerd + Miniflare storage).

use crate::tools::{quiet_wrangler, Tools};
use crate::{root, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `wrangler` run in `worker/` (where `wrangler.toml` and `.dev.vars` live).
pub fn command(tools: &Tools) -> Command {
    let mut cmd = Command::new(&tools.wrangler);
    cmd.current_dir(root().join("worker"));
    quiet_wrangler(&mut cmd);
    cmd
}

/// A `wrangler dev` on free ports with fresh, private state; stopped (SIGINT) when dropped.
pub struct DevServer {
    child: Child,
    port: u16,
    state: PathBuf,
    /// Leave the state directory when stopping (another server shares it).
    keep_state: bool,
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl DevServer {
    /// Starts the Punchcard worker with fresh state and waits until the API answers.
    pub fn start(tools: &Tools) -> Result<DevServer> {
        let port = free_port()?;
        let state = root().join(format!("target/test-state/{port}"));
        let _ = std::fs::remove_dir_all(&state);
        Self::start_in(
            tools,
            &root().join("worker"),
            state,
            port,
            ("/v1/shops/demo-bakery/program", true),
            &[],
        )
    }

    /// Starts the worker configured in `dir` on `port` with local state in `state` and the extra
    /// `vars` (`NAME:value`); waits until `probe` answers (with 200 when `want_ok`, with anything
    /// otherwise).
    pub fn start_in(
        tools: &Tools,
        dir: &std::path::Path,
        state: PathBuf,
        port: u16,
        (probe, want_ok): (&str, bool),
        vars: &[&str],
    ) -> Result<DevServer> {
        let inspector = free_port()?;
        let logs = root().join("target/test-state/logs");
        let mut cmd = command(tools);
        cmd.current_dir(dir);
        cmd.args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--inspector-port",
                &inspector.to_string(),
                "--log-level",
                "warn",
                "--persist-to",
            ])
            .arg(&state)
            .env("WRANGLER_LOG_PATH", &logs)
            .stdin(Stdio::null());
        for var in vars {
            cmd.args(["--var", var]);
        }
        eprintln!("xtask: starting wrangler dev on port {port}");
        let child = cmd.spawn().map_err(|e| format!("wrangler: {e}"))?;
        let mut server = DevServer {
            child,
            port,
            state,
            keep_state: !want_ok,
        };
        server.wait_ready(probe, want_ok, Duration::from_secs(90))?;
        Ok(server)
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Where its local KV and Durable Object state lives.
    pub fn state_dir(&self) -> &std::path::Path {
        &self.state
    }

    fn wait_ready(&mut self, probe: &str, want_ok: bool, limit: Duration) -> Result {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("wrangler dev exited early with {status}"));
            }
            match http_status(self.port, probe) {
                Some(200) => return Ok(()),
                Some(_) if !want_ok => return Ok(()),
                _ => {}
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!("wrangler dev did not answer within {limit:?}"))
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        // SIGINT lets wrangler stop workerd cleanly (TOOLCHAIN.md); kill if it lingers.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                if !self.keep_state {
                    let _ = std::fs::remove_dir_all(&self.state);
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of a plain HTTP/1.1 GET, or `None` if nothing answers.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}
