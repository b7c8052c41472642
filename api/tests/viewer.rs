//! The map viewer in a real browser: starts the real `tepat serve` (the demo city) on a free
//! loopback port and runs `viewer/tests/browser.test.mjs` (playwright-core driving Debian's
//! Chromium, headless) against it, with a planner and a leader token made by
//! `tepat token create` in the server's data directory. Screenshots of each step go to
//! `target/tmp/viewer-browser/`.
//!
//! It needs the built viewer (`make viewer`), its node modules and `/usr/bin/chromium`
//! (`make deps`). Without them it skips with a printed reason, unless
//! `TEPAT_REQUIRE_VIEWER=1` (set by `make test`, hence CI), where a missing piece fails.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// What is missing to run the browser test, if anything.
fn missing(root: &Path, chromium: &Path) -> Option<String> {
    let viewer = root.join("viewer");
    if !viewer.join("dist/index.html").exists() {
        return Some("viewer/dist is not built (make viewer)".into());
    }
    if !viewer.join("node_modules/playwright-core").exists() {
        return Some("viewer/node_modules is not installed (make viewer)".into());
    }
    if !chromium.exists() {
        return Some(format!("{} is missing (make deps)", chromium.display()));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not on PATH".into());
    }
    None
}

/// A new token of `role` in `data_dir` (`tepat token create`, last line of its output).
fn token(data_dir: &Path, role: &str) -> Result<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_tepat"))
        .args(["token", "create", "--role", role, "--data-dir"])
        .arg(data_dir)
        .output()
        .context("running tepat token create")?;
    if !out.status.success() {
        bail!(
            "tepat token create --role {role} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next_back()
        .map(|l| l.trim().to_string())
        .filter(|t| !t.is_empty())
        .context("tepat token create printed no token")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `GET path` over plain HTTP/1.1; the status code.
fn http_status(addr: &str, path: &str) -> Result<u16> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head)?;
    let text = String::from_utf8_lossy(&head);
    text.get(9..12)
        .and_then(|c| c.parse().ok())
        .context("no status line")
}

#[test]
fn viewer_in_chromium() -> Result<()> {
    let root = repo_root();
    let chromium = PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    if let Some(why) = missing(&root, &chromium) {
        if std::env::var("TEPAT_REQUIRE_VIEWER").is_ok_and(|v| v == "1") {
            bail!("TEPAT_REQUIRE_VIEWER=1 but {why}");
        }
        println!("skipped: {why}");
        return Ok(());
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("viewer-browser");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;

    let data_dir = out.join("data");
    let planner = token(&data_dir, "planner")?;
    let leader = token(&data_dir, "leader")?;
    let addr = format!("127.0.0.1:{}", free_port()?);
    let log = std::fs::File::create(out.join("server.log"))?;
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_tepat"))
            .args(["serve", "--addr", &addr, "--data-dir"])
            .arg(&data_dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting tepat serve")?,
    );
    let start = Instant::now();
    while http_status(&addr, "/api/v1/health").ok() != Some(200) {
        if start.elapsed() > Duration::from_secs(90) {
            bail!(
                "tepat serve did not answer on {addr} within 90 s (see {})",
                out.join("server.log").display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(http_status(&addr, "/")?, 200, "the viewer is served at /");

    let run = Command::new("node")
        .arg("tests/browser.test.mjs")
        .current_dir(root.join("viewer"))
        .env("TEPAT_URL", format!("http://{addr}/"))
        .env("OUT_DIR", &out)
        .env("CHROMIUM", &chromium)
        .env("PLANNER_TOKEN", &planner)
        .env("LEADER_TOKEN", &leader)
        .output()
        .context("running node tests/browser.test.mjs")?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::write(out.join("browser.log"), &report)?;
    println!("{report}");
    assert!(run.status.success(), "browser test failed:\n{report}");
    Ok(())
}
