//! The real city: Manado + Bitung (and the rest of Sulawesi Utara's kecamatan) from the open
//! data in `../shared/datasets/real/` (see its README and each folder's SOURCE.md).
//!
//! A `tepat.toml` written into a temp dir points at the shared files by absolute path; the
//! project is loaded, checked, and `aggregate` counts facilities and schools per zone. The
//! counts must equal GeoPandas' (`golden/make_real_city.py` → `golden/real_city_*.csv`),
//! zone by zone. That script documents how the comparison is kept honest: same working
//! CRS, the 8 invalid kecamatan repaired with `make_valid(method="structure")` on the
//! GeoPandas side only, and tepat's boundary/overlap rule (first zone in file order)
//! applied to GeoPandas' `intersects` join.
//!
//! Without the shared data the tests print why and pass, unless `TEPAT_REQUIRE_REAL_DATA=1`
//! (then they fail), so CI on a machine with the data cannot silently skip them.

use anyhow::{bail, Context, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::check::{self, Severity};
use tepat_engine::project::Project;

const KECAMATAN: &str = "sulut-admin-boundaries/kecamatan_sulawesi_utara.geojson";
const KELURAHAN: &str = "sulut-admin-boundaries/kelurahan_manado_bitung.geojson";
const PENDUDUK: &str = "sulut-population-sp2010/penduduk_kecamatan_sulut_sp2010.csv";
const FASKES: &str = "health-facilities-kemenkes-2019/faskes_sulut_2019.geojson";
const SEKOLAH: &str = "schools-kemdikbud-2019/sekolah_manado_bitung_minut.geojson";

/// The 8 kecamatan published with nested shells (shared/datasets/real SOURCE.md).
const NESTED_SHELLS: [&str; 8] = [
    "71.03.09", "71.03.14", "71.06.07", "71.09.07", "71.10.01", "71.72.01", "71.72.04", "71.72.08",
];

fn real_dir() -> Option<PathBuf> {
    crate::real_data::dir("", &[KECAMATAN, KELURAHAN, PENDUDUK, FASKES, SEKOLAH])
}

/// The loaded project, or `None` (after saying why) when the data is absent.
fn project() -> Option<&'static Project> {
    static PROJECT: OnceLock<Option<Project>> = OnceLock::new();
    PROJECT
        .get_or_init(|| {
            let dir = real_dir()?;
            Some(load(&dir).expect("load the real-city project"))
        })
        .as_ref()
}

fn load(dir: &Path) -> Result<Project> {
    let tmp = tempfile::tempdir()?;
    let path = |f: &str| toml::Value::String(dir.join(f).display().to_string()).to_string();
    let text = format!(
        r#"name = "Manado + Bitung (real data)"
crs = "EPSG:32651"

[[layers]]
name = "kecamatan"
role = "zones"
path = {kec}
id = "kode"

[[layers]]
name = "kelurahan"
role = "zones"
path = {kel}
id = "kode"
parent = "kecamatan"
parent_key = "kode_kecamatan"

[[layers]]
name = "penduduk"
role = "table"
path = {pen}
join_to = "kecamatan"
key = "kode_kemendagri_2025"

[[layers]]
name = "faskes"
role = "facilities"
path = {fas}
kind = "jenis_faskes"

[[layers]]
name = "sekolah"
role = "facilities"
path = {sek}
id = "npsn"
kind = "bentuk"
"#,
        kec = path(KECAMATAN),
        kel = path(KELURAHAN),
        pen = path(PENDUDUK),
        fas = path(FASKES),
        sek = path(SEKOLAH),
    );
    let file = tmp.path().join("tepat.toml");
    std::fs::write(&file, text)?;
    Project::load(&file).with_context(|| format!("loading {}", file.display()))
}

/// `id → count` from a golden CSV, with the `__outside__` row split off.
fn golden(name: &str) -> Result<(BTreeMap<String, u64>, u64)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut counts = BTreeMap::new();
    let mut outside = None;
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let (id, n) = line
            .split_once(',')
            .context("golden line without a comma")?;
        let n: u64 = n.trim().parse()?;
        if id == "__outside__" {
            outside = Some(n);
        } else {
            counts.insert(id.to_string(), n);
        }
    }
    Ok((
        counts,
        outside.context("golden file without an __outside__ row")?,
    ))
}

fn counts(r: &AnalysisResult) -> Result<BTreeMap<String, u64>> {
    r.rows
        .iter()
        .map(|row| {
            let id = row["id"].as_str().context("row id")?.to_string();
            let n = row["count"].as_u64().context("row count")?;
            Ok((id, n))
        })
        .collect()
}

/// Runs `aggregate` and compares every zone's count and the outside count with the golden.
fn matches_geopandas(zones: &str, layer: &str, golden_file: &str) -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let r = analysis::run(p, "aggregate", json!({"zones": zones, "layer": layer}))?;
    let got = counts(&r)?;
    let (want, want_outside) = golden(golden_file)?;
    if got.len() != want.len() {
        bail!(
            "{} zones in tepat's result, {} in {golden_file}",
            got.len(),
            want.len()
        );
    }
    let diffs: Vec<String> = want
        .iter()
        .filter(|(id, n)| got.get(*id) != Some(n))
        .map(|(id, n)| format!("{id}: GeoPandas {n}, tepat {:?}", got.get(id)))
        .collect();
    if !diffs.is_empty() {
        bail!(
            "{layer} per {zones} differs from {golden_file}:\n{}",
            diffs.join("\n")
        );
    }
    assert_eq!(
        r.summary["outside_count"],
        json!(want_outside),
        "{layer} outside every {zones}"
    );
    assert_eq!(r.summary["total_count"], json!(want.values().sum::<u64>()));
    Ok(())
}

#[test]
fn real_city_loads_and_checks() -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let n = |name: &str| p.layers.get(name).map(|l| l.len());
    assert_eq!(n("kecamatan")?, 171);
    assert_eq!(n("kelurahan")?, 156);
    assert_eq!(n("penduduk")?, 156);
    assert_eq!(n("faskes")?, 196);
    assert_eq!(n("sekolah")?, 894);
    assert_eq!(p.crs.to_string(), "EPSG:32651");

    let report = check::check_project(p);
    // The 8 nested-shell kecamatan are reported as invalid geometry; the kelurahan are valid.
    let invalid: Vec<&str> = report
        .findings()
        .filter(|f| f.code == "invalid-geometry" && f.layer.as_deref() == Some("kecamatan"))
        .flat_map(|f| f.features.iter().map(String::as_str))
        .collect();
    for id in NESTED_SHELLS {
        assert!(
            invalid.contains(&id),
            "kecamatan {id} not reported invalid: {invalid:?}"
        );
    }
    assert!(!report
        .findings()
        .any(|f| f.code == "invalid-geometry" && f.layer.as_deref() == Some("kelurahan")));
    // Separately simplified neighbours overlap (see golden/real_city_summary.json), and
    // some schools lie outside every kelurahan (Minahasa Utara has none in this layer).
    assert!(report
        .findings()
        .any(|f| f.code == "zone-overlap" && f.layer.as_deref() == Some("kecamatan")));
    assert!(report.counts.error >= 1 && report.findings().all(|f| f.severity <= Severity::Error));
    Ok(())
}

#[test]
fn real_city_facilities_per_kecamatan_match_geopandas() -> Result<()> {
    matches_geopandas("kecamatan", "faskes", "real_city_faskes_kecamatan.csv")
}

#[test]
fn real_city_schools_per_kecamatan_match_geopandas() -> Result<()> {
    matches_geopandas("kecamatan", "sekolah", "real_city_sekolah_kecamatan.csv")
}

#[test]
fn real_city_schools_per_kelurahan_match_geopandas() -> Result<()> {
    matches_geopandas("kelurahan", "sekolah", "real_city_sekolah_kelurahan.csv")
}

#[test]
fn real_city_population_table_joins_by_code() -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let r = analysis::run(
        p,
        "aggregate",
        json!({"zones": "kecamatan", "layer": "penduduk", "sum": ["TOTAL_POPULATION"]}),
    )?;
    let total = |prefix: &str| -> f64 {
        r.rows
            .iter()
            .filter(|row| row["id"].as_str().is_some_and(|id| id.starts_with(prefix)))
            .filter_map(|row| row["sum_TOTAL_POPULATION"].as_f64())
            .sum()
    };
    // SP2010 totals (SOURCE.md): every Manado and Bitung row carries a Kemendagri code.
    assert_eq!(total("71.71."), 408_354.0);
    assert_eq!(total("71.72."), 187_932.0);
    // 117 of 156 rows have a code; the 39 others (BPS 7107–7111 numbering) stay unmatched.
    let unmatched = r.summary["unmatched_keys"].as_array().map_or(0, Vec::len);
    assert_eq!(unmatched, 39);
    Ok(())
}
