//! End to end with the real binary on loopback: what the server acknowledged is still there
//! after it is stopped — gracefully or with `kill -9`, right after a 201 or in the middle
//! of writing an upload — and nothing half-written is: no layer row without its file, no
//! temporary upload file kept or loaded.

use anyhow::{bail, Context, Result};
use reqwest::blocking::{multipart, Client, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to start (it builds the demo city and loads uploads first).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A `tepat serve` process on a free loopback port.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Server {
    fn start(data_dir: &Path) -> Result<Server> {
        let port = free_port()?;
        let log = data_dir.with_extension(format!("{port}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_tepat"))
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("starting tepat serve")?;
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
            log,
        };
        let client = client()?;
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("tepat serve exited with {status}: {}", server.log_text());
            }
            if let Ok(r) = client.get(server.url("/health")).send() {
                if r.status() == StatusCode::OK {
                    return Ok(server);
                }
            }
            if started.elapsed() > START_TIMEOUT {
                bail!("tepat serve did not answer in time: {}", server.log_text());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn addr(&self) -> Result<String> {
        Ok(self
            .base
            .strip_prefix("http://")
            .and_then(|s| s.split('/').next())
            .context("address")?
            .to_string())
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, as systemd stops a service; the server finishes requests in flight.
    fn stop(mut self) -> Result<()> {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?
            .success();
        anyhow::ensure!(ok, "kill -TERM failed");
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "exit {status}: {}", self.log_text());
        Ok(())
    }

    /// SIGKILL: no chance to finish anything.
    fn kill(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> Result<Client> {
    Ok(Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?)
}

fn token(data_dir: &Path, role: &str) -> Result<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_tepat"))
        .args(["token", "create", "--role", role, "--data-dir"])
        .arg(data_dir)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    Ok(text
        .lines()
        .last()
        .context("token line")?
        .trim()
        .to_string())
}

fn json_of(r: Response, want: StatusCode) -> Result<Value> {
    let status = r.status();
    let text = r.text()?;
    anyhow::ensure!(status == want, "{status} (wanted {want}): {text}");
    Ok(serde_json::from_str(&text)?)
}

/// Posts in the east of the demo city, as GeoJSON (`n` of them on a small grid).
fn posts(n: usize) -> Vec<u8> {
    let features: Vec<Value> = (0..n)
        .map(|i| {
            let (x, y) = (124.87 + 0.03 * ((i % 97) as f64 / 97.0), 1.46 + 0.04 * ((i / 97 % 89) as f64 / 89.0));
            json!({"type": "Feature",
                   "properties": {"kode": format!("POS-{i:06}"), "kapasitas": 10 + i % 7, "catatan": "pos pantau banjir"},
                   "geometry": {"type": "Point", "coordinates": [x, y]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

fn upload(c: &Client, s: &Server, admin: &str, name: &str, data: Vec<u8>) -> Result<Response> {
    let form = multipart::Form::new()
        .text("name", name.to_string())
        .text("role", "facilities")
        .text("id_field", "kode")
        .text("capacity", "kapasitas")
        .part(
            "file",
            multipart::Part::bytes(data).file_name(format!("{name}.geojson")),
        );
    Ok(c.post(s.url("/layers"))
        .bearer_auth(admin)
        .multipart(form)
        .send()?)
}

/// The files in `<data-dir>/layers`, sorted.
fn layer_files(data_dir: &Path) -> Result<Vec<String>> {
    let mut v: Vec<String> = std::fs::read_dir(data_dir.join("layers"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    Ok(v)
}

/// Every layer row has its complete file, and no file is left that no row lists.
fn check_layer_rows_and_files(data_dir: &Path) -> Result<Vec<String>> {
    let store = tepat::store::Store::open(data_dir)?;
    let rows = store.layers()?;
    let mut listed: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
    listed.sort();
    for r in &rows {
        let bytes = std::fs::read(data_dir.join("layers").join(&r.file))
            .with_context(|| format!("row '{}' without its file", r.name))?;
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        anyhow::ensure!(
            sha == r.file_sha256,
            "layer '{}': file differs from its row",
            r.name
        );
    }
    assert_eq!(layer_files(data_dir)?, listed, "no file without a row");
    Ok(rows.into_iter().map(|r| r.name).collect())
}

#[test]
fn everything_acknowledged_survives_a_restart() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("data");
    let admin = token(&dir, "admin")?;
    let planner = token(&dir, "planner")?;
    let leader = token(&dir, "leader")?;
    let c = client()?;

    let s = Server::start(&dir)?;
    let up = json_of(
        upload(&c, &s, &admin, "pos_banjir", posts(40))?,
        StatusCode::CREATED,
    )?;
    let hash = up["upload"]["content_hash"]
        .as_str()
        .context("hash")?
        .to_string();
    assert_eq!(up["features"], 40);

    // A scenario that adds a post to the uploaded layer, and a comparison on it.
    let scenario = json!({"name": "Pos baru", "edits": [{"op": "add_facility", "layer": "pos_banjir",
        "id": "POS-BARU", "lon": 124.86, "lat": 1.47, "capacity": 50}]});
    let sc = json_of(
        c.post(s.url("/scenarios"))
            .bearer_auth(&planner)
            .json(&scenario)
            .send()?,
        StatusCode::CREATED,
    )?;
    let id = sc["id"].as_str().context("id")?.to_string();
    let access =
        json!({"demand": "kelurahan", "facilities": "pos_banjir", "capacity": "kapasitas"});
    let cmp = json_of(
        c.post(s.url(&format!("/scenarios/{id}/compare")))
            .json(&json!({"analyses": [{"name": "access", "params": access}]}))
            .send()?,
        StatusCode::OK,
    )?;
    assert!(cmp.to_string().contains("access"), "{cmp}");

    // A recommendation on the scenario, approved by a leader.
    let rec = json_of(
        c.post(s.url("/recommendations"))
            .bearer_auth(&planner)
            .json(&json!({"title": "Pos baru di timur", "analysis": "access", "params": access, "scenario": id}))
            .send()?,
        StatusCode::CREATED,
    )?;
    let rec_id = rec["id"].as_str().context("rec id")?.to_string();
    let decided = json_of(
        c.post(s.url(&format!("/recommendations/{rec_id}/decision")))
            .bearer_auth(&leader)
            .json(&json!({"decision": "approve", "comment": "setuju"}))
            .send()?,
        StatusCode::OK,
    )?;
    assert_eq!(decided["status"], "approved");
    s.stop()?;

    let s = Server::start(&dir)?;
    let layer = json_of(c.get(s.url("/layers/pos_banjir")).send()?, StatusCode::OK)?;
    assert_eq!(
        (layer["features"].as_u64(), layer["role"].as_str()),
        (Some(40), Some("facilities"))
    );
    let run = json_of(
        c.post(s.url("/analyses/aggregate"))
            .json(&json!({"zones": "kelurahan", "layer": "pos_banjir"}))
            .send()?,
        StatusCode::OK,
    )?;
    assert_eq!(
        run["meta"]["layers"]["pos_banjir"],
        hash.as_str(),
        "the same data"
    );
    let sc2 = json_of(
        c.get(s.url(&format!("/scenarios/{id}"))).send()?,
        StatusCode::OK,
    )?;
    assert_eq!(sc2["edits"], sc["edits"]);
    assert_eq!(sc2["version"], 1);
    json_of(
        c.post(s.url(&format!("/scenarios/{id}/compare")))
            .json(&json!({"analyses": [{"name": "access", "params": access}]}))
            .send()?,
        StatusCode::OK,
    )?;
    let rec2 = json_of(
        c.get(s.url(&format!("/recommendations/{rec_id}"))).send()?,
        StatusCode::OK,
    )?;
    assert_eq!(rec2["status"], "approved");
    assert_eq!(rec2["decisions"][0]["comment"], "setuju");
    let audit = json_of(c.get(s.url("/audit")).send()?, StatusCode::OK)?;
    let actions: Vec<&str> = audit
        .as_array()
        .context("audit")?
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "layer.upload",
        "scenario.create",
        "recommendation.create",
        "recommendation.approve",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    s.stop()?;
    assert_eq!(check_layer_rows_and_files(&dir)?, ["pos_banjir"]);
    Ok(())
}

#[test]
fn a_killed_server_keeps_what_it_acknowledged_and_nothing_half_written() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("data");
    let admin = token(&dir, "admin")?;
    let planner = token(&dir, "planner")?;
    let c = client()?;

    // Killed right after the 201s: the layer and the scenario are there after a restart.
    let s = Server::start(&dir)?;
    let up = json_of(
        upload(&c, &s, &admin, "pos_awal", posts(30))?,
        StatusCode::CREATED,
    )?;
    let hash = up["upload"]["content_hash"]
        .as_str()
        .context("hash")?
        .to_string();
    let sc = json_of(
        c.post(s.url("/scenarios"))
            .bearer_auth(&planner)
            .json(&json!({"name": "tepat sebelum mati"}))
            .send()?,
        StatusCode::CREATED,
    )?;
    let id = sc["id"].as_str().context("id")?.to_string();
    s.kill()?;

    let s = Server::start(&dir)?;
    let run = json_of(
        c.post(s.url("/analyses/aggregate"))
            .json(&json!({"zones": "kelurahan", "layer": "pos_awal"}))
            .send()?,
        StatusCode::OK,
    )?;
    assert_eq!(run["meta"]["layers"]["pos_awal"], hash.as_str());
    json_of(
        c.get(s.url(&format!("/scenarios/{id}"))).send()?,
        StatusCode::OK,
    )?;

    // Killed while a large upload is being written: half the body sent, the temporary
    // file growing on disk.
    let big = posts(250_000);
    assert!(big.len() > 20_000_000, "tens of MB: {}", big.len());
    let boundary = "tepat-durability-boundary";
    let mut body = Vec::with_capacity(big.len() + 512);
    for (name, value) in [
        ("name", "pos_besar"),
        ("role", "facilities"),
        ("id_field", "kode"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"besar.geojson\"\r\nContent-Type: application/geo+json\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&big);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut stream = TcpStream::connect(s.addr()?)?;
    write!(
        stream,
        "POST /api/v1/layers HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {admin}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        s.addr()?,
        body.len()
    )?;
    stream.write_all(&body[..body.len() / 2])?;
    stream.flush()?;
    let started = Instant::now();
    let temp = loop {
        let partial = layer_files(&dir)?
            .into_iter()
            .find(|f| f.starts_with(".upload-"));
        if let Some(f) = partial {
            let len = std::fs::metadata(dir.join("layers").join(&f))
                .map(|m| m.len())
                .unwrap_or(0);
            if len > 1_000_000 {
                break f;
            }
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the upload never reached the disk"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    s.kill()?;
    drop(stream);
    assert!(
        layer_files(&dir)?.contains(&temp),
        "killed mid-write: {temp} is on disk"
    );

    // Restarted: the acknowledged layer and scenario are there, the half upload is not,
    // and its temporary file is gone.
    let s = Server::start(&dir)?;
    let names: Vec<String> = json_of(c.get(s.url("/layers")).send()?, StatusCode::OK)?
        .as_array()
        .context("layers")?
        .iter()
        .filter_map(|l| l["name"].as_str().map(str::to_string))
        .collect();
    assert!(names.contains(&"pos_awal".to_string()), "{names:?}");
    assert!(!names.contains(&"pos_besar".to_string()), "{names:?}");
    let r = c.get(s.url("/layers/pos_besar")).send()?;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!layer_files(&dir)?.iter().any(|f| f.starts_with(".upload-")));

    // Killed after the whole body was sent, while the server reads, checks and stores it:
    // afterwards the layer is either all there (every feature) or not there at all.
    let mut stream = TcpStream::connect(s.addr()?)?;
    write!(
        stream,
        "POST /api/v1/layers HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {admin}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        s.addr()?,
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()?;
    let started = Instant::now();
    while !layer_files(&dir)?.iter().any(|f| f.starts_with(".upload-")) {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the upload never reached the disk"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    s.kill()?;
    drop(stream);
    let s = Server::start(&dir)?;
    let r = c.get(s.url("/layers/pos_besar")).send()?;
    if r.status() == StatusCode::OK {
        let l: Value = r.json()?;
        assert_eq!(l["features"], 250_000, "all of it or nothing");
    } else {
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    json_of(
        c.get(s.url(&format!("/scenarios/{id}"))).send()?,
        StatusCode::OK,
    )?;
    s.stop()?;
    let rows = check_layer_rows_and_files(&dir)?;
    assert!(rows.contains(&"pos_awal".to_string()), "{rows:?}");
    Ok(())
}
