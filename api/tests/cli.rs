//! The `tepat` binary, spawned as a user would run it.

use anyhow::{Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AGGREGATE: &str = r#"{"zones":"kelurahan","layer":"sekolah","sum":["students"]}"#;

fn tepat(args: &[&str]) -> Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_tepat"))
        .args(args)
        .output()
        .context("spawning tepat")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `tepat demo --out DIR`, returning the printed tepat.toml path.
fn write_demo(dir: &Path) -> Result<PathBuf> {
    let out = dir.join("demo");
    let o = tepat(&["demo", "--out", &out.to_string_lossy()])?;
    anyhow::ensure!(o.status.success(), "tepat demo failed: {}", stderr(&o));
    let printed = PathBuf::from(stdout(&o).trim());
    anyhow::ensure!(
        printed.ends_with("tepat.toml") && printed.exists(),
        "printed {printed:?}"
    );
    Ok(printed)
}

#[test]
fn analyses_json_lists_aggregate_with_its_schema() -> Result<()> {
    let o = tepat(&["analyses", "--json"])?;
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)?;
    let agg = v
        .as_array()
        .context("list")?
        .iter()
        .find(|a| a["name"] == "aggregate")
        .context("aggregate")?;
    assert_eq!(agg["params_schema"]["type"], "object");
    assert_eq!(agg["title"]["en"], "Aggregate per zone");
    // Without a project there is nothing to default to.
    assert!(agg.get("default_params").is_none(), "{agg}");
    let text = tepat(&["analyses"])?;
    assert!(stdout(&text).contains("aggregate"));

    // With one, each analysis that has defaults there says them, and they run.
    let dir = tempfile::tempdir()?;
    let toml = write_demo(dir.path())?;
    let project = toml.to_string_lossy();
    let o = tepat(&["analyses", "--json", "--project", &project])?;
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)?;
    let list = v.as_array().context("list")?;
    let defaults = |name: &str| {
        list.iter()
            .find(|a| a["name"] == name)
            .map(|a| a["default_params"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(defaults("exposure")["zones"], "kelurahan");
    assert!(
        defaults("allocate").is_null(),
        "allocate has no honest default"
    );
    let params = defaults("access").to_string();
    let run = tepat(&["run", "access", "--project", &project, "--params", &params])?;
    assert!(run.status.success(), "{}", stderr(&run));
    Ok(())
}

#[test]
fn demo_then_run_aggregate_in_every_format() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let toml = write_demo(dir.path())?;
    let project = toml.to_string_lossy();
    let run = |extra: &[&str]| -> Result<Output> {
        let mut args = vec![
            "run",
            "aggregate",
            "--project",
            &project,
            "--params",
            AGGREGATE,
        ];
        args.extend_from_slice(extra);
        let o = tepat(&args)?;
        anyhow::ensure!(o.status.success(), "tepat run {extra:?}: {}", stderr(&o));
        Ok(o)
    };

    let json: Value = serde_json::from_slice(&run(&[])?.stdout)?;
    assert_eq!(json["analysis"], "aggregate");
    let rows = json["rows"].as_array().context("rows")?;
    assert!(
        rows.len() > 10
            && rows
                .iter()
                .all(|r| r["count"].is_u64() && r["sum_students"].is_number())
    );

    let csv = stdout(&run(&["--format", "csv"])?);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,count,sum_students,mean_students");
    assert_eq!(lines.len(), rows.len() + 1);
    assert!(lines[1].starts_with(&format!("{},", rows[0]["id"].as_str().unwrap_or_default())));

    let out = dir.path().join("result.geojson");
    let o = run(&["--format", "geojson", "--out", &out.to_string_lossy()])?;
    assert!(o.stdout.is_empty(), "--out writes nothing to stdout");
    let fc: Value = serde_json::from_slice(&std::fs::read(&out)?)?;
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["summary"], json["summary"]);
    assert_eq!(fc["meta"]["row_layer"], "kelurahan");
    let features = fc["features"].as_array().context("features")?;
    assert_eq!(features.len(), rows.len());
    for (f, r) in features.iter().zip(rows) {
        assert_eq!(f["id"], r["id"]);
        assert_eq!(f["properties"]["sum_students"], r["sum_students"]);
        assert_eq!(f["geometry"]["type"], "Polygon", "{}", f["id"]);
        let lon = f["geometry"]["coordinates"][0][0][0]
            .as_f64()
            .unwrap_or_default();
        assert!((124.0..126.0).contains(&lon), "lon/lat, not UTM: {lon}");
    }
    Ok(())
}

#[test]
fn run_on_the_embedded_demo_city_without_a_project() -> Result<()> {
    let o = tepat(&["run", "aggregate", "--params", AGGREGATE])?;
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(v["meta"]["row_layer"], "kelurahan");
    Ok(())
}

#[test]
fn run_with_bad_input_exits_2_with_one_line_naming_it() -> Result<()> {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "run",
                "aggregate",
                "--params",
                r#"{"zones":"kelurahan","layer":"sekolahx"}"#,
            ],
            "'sekolahx'",
        ),
        (
            &[
                "run",
                "aggregate",
                "--params",
                r#"{"zones":"kelurahan","layer":"sekolah","sum":"x"}"#,
            ],
            "'sum'",
        ),
        (
            &["run", "aggregate", "--params", r#"{"zones":"#],
            "--params: invalid JSON",
        ),
        (
            &["run", "aggregate", "--params", "@/nonexistent/p.json"],
            "/nonexistent/p.json",
        ),
        (&["run", "nope"], "unknown analysis 'nope'"),
    ];
    for (args, needle) in cases {
        let o = tepat(args)?;
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    Ok(())
}

/// A project of square kelurahan near Manado (lon/lat corner, side in degrees, id).
fn tiny_project(dir: &Path, squares: &[(f64, f64, f64, &str)]) -> Result<PathBuf> {
    let features: Vec<Value> = squares
        .iter()
        .map(|&(x, y, s, id)| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"kode": id, "penduduk": 100},
                "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}
            })
        })
        .collect();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(dir.join("kelurahan.geojson"), fc.to_string())?;
    let toml = dir.join("tepat.toml");
    std::fs::write(
        &toml,
        "name = \"Tiny\"\ncrs = \"EPSG:32651\"\n\n[[layers]]\nname = \"kelurahan\"\nrole = \"zones\"\npath = \"kelurahan.geojson\"\nid = \"kode\"\n",
    )?;
    Ok(toml)
}

#[test]
fn check_exit_codes_follow_the_findings() -> Result<()> {
    let check = |toml: &Path, json: bool| -> Result<Output> {
        let path = toml.to_string_lossy();
        let mut args = vec!["check", &path];
        if json {
            args.push("--json");
        }
        tepat(&args)
    };
    let clean = tempfile::tempdir()?;
    let clean_toml = tiny_project(
        clean.path(),
        &[(124.80, 1.45, 0.01, "1"), (124.81, 1.45, 0.01, "2")],
    )?;
    let o = check(&clean_toml, false)?;
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Tiny"));
    let o = check(&clean_toml, true)?;
    assert_eq!(o.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(report["project"], "Tiny");

    let overlapping = tempfile::tempdir()?;
    let toml = tiny_project(
        overlapping.path(),
        &[(124.80, 1.45, 0.01, "1"), (124.805, 1.45, 0.01, "2")],
    )?;
    let o = check(&toml, false)?;
    assert_eq!(o.status.code(), Some(1), "warnings: {}", stdout(&o));
    assert!(stdout(&o).contains("zone-overlap"), "{}", stdout(&o));

    let duplicated = tempfile::tempdir()?;
    let toml = tiny_project(
        duplicated.path(),
        &[(124.80, 1.45, 0.01, "1"), (124.81, 1.45, 0.01, "1")],
    )?;
    let o = check(&toml, false)?;
    assert_eq!(o.status.code(), Some(2), "errors: {}", stdout(&o));
    assert!(stdout(&o).contains("duplicate-id"), "{}", stdout(&o));

    std::fs::remove_file(clean.path().join("kelurahan.geojson"))?;
    let o = check(&clean_toml, false)?;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("kelurahan.geojson"), "{}", stderr(&o));
    Ok(())
}

#[test]
fn check_on_the_demo_city_reports_every_layer() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let toml = write_demo(dir.path())?;
    let o = tepat(&["check", &toml.to_string_lossy(), "--json"])?;
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let report: Value = serde_json::from_slice(&o.stdout)?;
    let names: Vec<&str> = report["layers"]
        .as_array()
        .context("layers")?
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert!(
        names.contains(&"kelurahan") && names.contains(&"sekolah"),
        "{names:?}"
    );
    Ok(())
}

const FLOOD_TOML: &str = r#"
name = "Banjir besar"
[[edits]]
op = "swap_hazard"
layer = "banjir_q25"
to = "banjir_q100"
"#;

const NEW_PUSKESMAS_TOML: &str = r#"
name = "Puskesmas baru"
[[edits]]
op = "add_facility"
layer = "puskesmas"
id = "PKM-BARU"
lon = 124.86
lat = 1.47
capacity = 30000
cost = 2.5e9
[[edits]]
op = "set_budget"
amount = 3e9
"#;

#[test]
fn run_with_a_scenario_file() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let flood = dir.path().join("flood.toml");
    std::fs::write(&flood, FLOOD_TOML)?;
    let params = r#"{"zones":"kelurahan","hazard":"banjir_q25"}"#;
    let q100 = r#"{"zones":"kelurahan","hazard":"banjir_q100"}"#;
    let exposed = |args: &[&str]| -> Result<f64> {
        let o = tepat(args)?;
        anyhow::ensure!(o.status.success(), "{args:?}: {}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout)?;
        v["summary"]["exposed_population"]
            .as_f64()
            .context("exposed")
    };
    let scenario = format!("@{}", flood.display());
    let base = exposed(&["run", "exposure", "--params", params])?;
    let swapped = exposed(&[
        "run",
        "exposure",
        "--params",
        params,
        "--scenario",
        &scenario,
    ])?;
    let direct = exposed(&["run", "exposure", "--params", q100])?;
    assert!(swapped > base, "{swapped} vs {base}");
    assert_eq!(swapped, direct);

    let bad = r#"{"name":"x","edits":[{"op":"close_facility","layer":"puskesmas","id":"PKM-99"}]}"#;
    let o = tepat(&["run", "exposure", "--params", params, "--scenario", bad])?;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "scenario 'x': edit 1 (close_facility): layer 'puskesmas' has no feature 'PKM-99'"
        ),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    Ok(())
}

#[test]
fn compare_two_scenario_files() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let toml = write_demo(dir.path())?;
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&a, NEW_PUSKESMAS_TOML)?;
    std::fs::write(&b, FLOOD_TOML)?;
    let (a, b) = (format!("@{}", a.display()), format!("@{}", b.display()));
    let project = toml.to_string_lossy();
    let args = [
        "compare",
        "--project",
        &project,
        "--scenario",
        &a,
        "--scenario",
        &b,
        "--analyses",
        "exposure,access,index",
    ];
    let o = tepat(&args)?;
    assert!(o.status.success(), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(c["scenarios"].as_array().map(Vec::len), Some(2));
    let analyses = c["analyses"].as_array().context("analyses")?;
    assert_eq!(analyses.len(), 3);
    assert_eq!(analyses[1]["analysis"], "access");
    assert_eq!(analyses[1]["baseline"]["params"]["radius_m"], 2000.0);
    let covered = analyses[1]["scenarios"][0]["summary_delta"]["covered_population"]
        .as_f64()
        .context("delta")?;
    assert!(covered >= 0.0);
    assert_eq!(
        c["scenarios"][0]["sentences"][0],
        "spends 2,500,000,000 of a budget of 3,000,000,000 IDR"
    );

    // Params for one analysis from a file; the others keep their defaults.
    let params = dir.path().join("params.json");
    std::fs::write(
        &params,
        r#"{"access": {"demand": "kelurahan", "facilities": "puskesmas", "method": "coverage", "radius_m": 1500}}"#,
    )?;
    let p = format!("@{}", params.display());
    let o = tepat(&[
        "compare",
        "--project",
        &project,
        "--scenario",
        &a,
        "--analyses",
        "access",
        "--params",
        &p,
        "--text",
    ])?;
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("Puskesmas baru (version 1, 2 edits)\n"),
        "{text}"
    );
    assert!(
        text.contains("access: ") && text.contains("people within 1.5 km of a puskesmas"),
        "{text}"
    );

    let o = tepat(&["compare", "--scenario", &a, "--analyses", "nope"])?;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown analysis 'nope'"),
        "{}",
        stderr(&o)
    );
    let o = tepat(&["compare", "--scenario", &a, "--analyses", "allocate"])?;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no default params"), "{}", stderr(&o));
    Ok(())
}

#[test]
fn token_create_prints_the_token_last_and_stores_its_hash() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let o = tepat(&[
        "token",
        "create",
        "--role",
        "planner",
        "--data-dir",
        &data.to_string_lossy(),
    ])?;
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let token = out.trim().lines().last().context("a line")?;
    assert!(token.starts_with("tepat_") && token.len() > 40, "{token}");
    let store = tepat::store::Store::open(&data)?;
    let who = store.principal(token)?.context("known")?;
    assert_eq!(who.role, tepat::store::UserRole::Planner);
    let o = tepat(&[
        "token",
        "create",
        "--role",
        "mayor",
        "--data-dir",
        &data.to_string_lossy(),
    ])?;
    assert!(!o.status.success());
    Ok(())
}

/// A `tepat serve` process, killed when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_addr() -> Result<String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.to_string())
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let status = raw
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .context("status line")?;
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn start(data: &Path, addr: &str) -> Result<Server> {
    let child = Command::new(env!("CARGO_BIN_EXE_tepat"))
        .args([
            "serve",
            "--addr",
            addr,
            "--data-dir",
            &data.to_string_lossy(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let server = Server(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if matches!(http(addr, "GET", "/api/v1/health", None, ""), Ok((200, _))) {
            return Ok(server);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    anyhow::bail!("tepat serve did not answer on {addr}")
}

/// The real binary: a scenario written with a planner's token is there after the server is
/// killed (SIGKILL, no graceful shutdown) and started again on the same data directory.
#[test]
fn scenarios_survive_killing_and_restarting_the_server() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let o = tepat(&[
        "token",
        "create",
        "--role",
        "planner",
        "--data-dir",
        &data.to_string_lossy(),
    ])?;
    let token = stdout(&o)
        .trim()
        .lines()
        .last()
        .context("token")?
        .to_string();
    let addr = free_addr()?;
    let id = {
        let _server = start(&data, &addr)?;
        let (status, _) = http(&addr, "POST", "/api/v1/scenarios", None, r#"{"name":"x"}"#)?;
        assert_eq!(status, 401);
        let body = r#"{"name":"Banjir besar","edits":[{"op":"swap_hazard","layer":"banjir_q25","to":"banjir_q100"}]}"#;
        let (status, body) = http(&addr, "POST", "/api/v1/scenarios", Some(&token), body)?;
        assert_eq!(status, 201, "{body}");
        let v: Value = serde_json::from_str(&body)?;
        v["id"].as_str().context("id")?.to_string()
    }; // killed here
    let _server = start(&data, &addr)?;
    let (status, body) = http(&addr, "GET", &format!("/api/v1/scenarios/{id}"), None, "")?;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body)?;
    assert_eq!(v["name"], "Banjir besar");
    let (status, body) = http(
        &addr,
        "POST",
        &format!("/api/v1/scenarios/{id}/compare"),
        None,
        r#"{"analyses":["exposure"]}"#,
    )?;
    assert_eq!(status, 200, "{body}");
    let c: Value = serde_json::from_str(&body)?;
    let delta = c["analyses"][0]["scenarios"][0]["summary_delta"]["exposed_population"]
        .as_f64()
        .context("delta")?;
    assert!(delta > 0.0);
    Ok(())
}
