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
    let text = tepat(&["analyses"])?;
    assert!(stdout(&text).contains("aggregate"));
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
