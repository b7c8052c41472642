//! Targeting analyses on the real city, checked against the reference tools: `interpolate`
//! against tobler's `area_interpolate` and `exposure` against GeoPandas `overlay`/`sjoin`,
//! on the open Manado/Bitung data in `../shared/datasets/real/` (see each folder's
//! SOURCE.md). Goldens: `golden/make_real_targeting.py` → `golden/real_interpolate_kelurahan.csv`
//! and `golden/real_exposure_manado.csv`; that script documents what is compared and how the
//! comparison is kept honest (the 8 nested-shell kecamatan, the kecamatan without an SP2010
//! row, the float32 areas of tobler). Agreement: 1e-6 relative (1e-6 absolute near 0).
//!
//! - interpolate: SP2010 population, a *table* joined to the kecamatan (`join_to`/`key`),
//!   from kecamatan to kelurahan: `TOTAL_POPULATION` (extensive) and the male share
//!   (intensive; derived here from the table as `MALE_POPULATION / TOTAL_POPULATION`, as the
//!   script does). Once from the 19 kecamatan of the two cities with `allocate_total`, once
//!   from all 171 of the province without.
//! - exposure: an illustrative flood scenario along the lower Tondano river
//!   (`data/real/banjir_manado_scenario.geojson`, authored for these tests; not an official
//!   hazard map) × kelurahan × GHS-POP points (a `demand` layer) × health facilities.
//!
//! Without the shared data the tests print why and pass, unless `TEPAT_REQUIRE_REAL_DATA=1`
//! (then they fail), as in `real_city.rs`.

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tepat_engine::analysis::{self, AnalysisResult};
use tepat_engine::layer::{Column, Layer, Role, Value as Cell};
use tepat_engine::project::Project;

const KECAMATAN: &str = "sulut-admin-boundaries/kecamatan_sulawesi_utara.geojson";
const KELURAHAN: &str = "sulut-admin-boundaries/kelurahan_manado_bitung.geojson";
const PENDUDUK: &str = "sulut-population-sp2010/penduduk_kecamatan_sulut_sp2010.csv";
const FASKES: &str = "health-facilities-kemenkes-2019/faskes_sulut_2019.geojson";
const GHS: &str = "ghs-pop-grid-manado-bitung/ghs_pop_points_manado_bitung.geojson";

/// Relative tolerance, and the absolute one for values near 0 (m², persons, shares).
const REL: f64 = 1e-6;
const ABS: f64 = 1e-6;

fn real_dir() -> Option<PathBuf> {
    crate::real_data::dir("", &[KECAMATAN, KELURAHAN, PENDUDUK, FASKES, GHS])
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
    let path = |p: PathBuf| toml::Value::String(p.display().to_string()).to_string();
    let hazard = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real/banjir_manado_scenario.geojson");
    let text = format!(
        r#"name = "Manado + Bitung (real data), flood scenario"
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
id = "kode_faskes"
kind = "jenis_faskes"

[[layers]]
name = "ghs"
role = "demand"
path = {ghs}
population = "pop"

[[layers]]
name = "banjir"
role = "hazard"
path = {haz}
id = "id"
level = "kelas"
"#,
        kec = path(dir.join(KECAMATAN)),
        kel = path(dir.join(KELURAHAN)),
        pen = path(dir.join(PENDUDUK)),
        fas = path(dir.join(FASKES)),
        ghs = path(dir.join(GHS)),
        haz = path(hazard),
    );
    let file = tmp.path().join("tepat.toml");
    std::fs::write(&file, text)?;
    let mut p = Project::load(&file).with_context(|| format!("loading {}", file.display()))?;

    // The male share, derived from the table as the golden script does.
    let mut pen = (**p.layers.get("penduduk")?).clone();
    let male = pen.numeric_column("MALE_POPULATION")?;
    let total = pen.numeric_column("TOTAL_POPULATION")?;
    let share: Vec<Cell> = (0..pen.len())
        .map(|i| match (male.f64_at(i), total.f64_at(i)) {
            (Some(m), Some(t)) if t > 0.0 => Cell::Float(m / t),
            _ => Cell::Null,
        })
        .collect();
    pen.columns.push(Column::from_values("male_share", share));
    p.layers.insert(pen.clone());

    // The 19 kecamatan of Kota Manado and Kota Bitung, with the same table joined to them.
    let kec = p.layers.get("kecamatan")?;
    let keep: Vec<usize> = (0..kec.len())
        .filter(|&i| kec.ids[i].starts_with("71.71.") || kec.ids[i].starts_with("71.72."))
        .collect();
    let mut kota = Layer::new(
        "kecamatan_kota",
        Role::Zones,
        kec.crs.clone(),
        keep.iter().map(|&i| kec.geometries[i].clone()).collect(),
        kec.columns
            .iter()
            .map(|c| Column::from_values(c.name.clone(), keep.iter().map(|&i| c.get(i)).collect()))
            .collect(),
    )?;
    kota.set_id_field("kode")?;
    p.layers.insert(kota);
    let mut kec_spec = p.spec("kecamatan").context("kecamatan spec")?.clone();
    kec_spec.name = "kecamatan_kota".into();
    p.specs.push(kec_spec);
    pen.name = "penduduk_kota".into();
    p.layers.insert(pen);
    let mut pen_spec = p.spec("penduduk").context("penduduk spec")?.clone();
    pen_spec.name = "penduduk_kota".into();
    pen_spec.join_to = Some("kecamatan_kota".into());
    p.specs.push(pen_spec);
    Ok(p)
}

/// A golden CSV as `id → {column → cell}` (cells as text; empty = null).
fn golden(name: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().context("empty golden")?.split(',').collect();
    let mut out = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        ensure!(cells.len() == header.len(), "{name}: bad line {line}");
        let row = header[1..]
            .iter()
            .zip(&cells[1..])
            .map(|(h, c)| (h.to_string(), c.to_string()))
            .collect();
        out.insert(cells[0].to_string(), row);
    }
    Ok(out)
}

/// Compares numbers, keeping the largest relative difference seen.
#[derive(Default)]
struct Agreement {
    max_rel: f64,
    compared: usize,
    diffs: Vec<String>,
}

impl Agreement {
    fn num(&mut self, what: &str, want: f64, got: Option<f64>) {
        self.compared += 1;
        let Some(got) = got else {
            self.diffs
                .push(format!("{what}: reference {want}, tepat null"));
            return;
        };
        let d = (want - got).abs();
        let scale = want.abs().max(got.abs());
        if scale > 0.0 {
            self.max_rel = self.max_rel.max(d / scale);
        }
        if d > REL * scale && d > ABS {
            self.diffs.push(format!(
                "{what}: reference {want}, tepat {got} (rel {:.2e})",
                d / scale
            ));
        }
    }

    /// A golden cell (empty = null) against a row value.
    fn cell(&mut self, what: &str, want: &str, got: Option<&Value>) -> Result<()> {
        let got = got.and_then(Value::as_f64);
        if want.is_empty() {
            self.compared += 1;
            if let Some(g) = got {
                self.diffs
                    .push(format!("{what}: reference null, tepat {g}"));
            }
            return Ok(());
        }
        self.num(
            what,
            want.parse().with_context(|| format!("{what}: {want}"))?,
            got,
        );
        Ok(())
    }

    fn finish(self, label: &str) -> Result<()> {
        eprintln!(
            "{label}: {} values compared, max relative difference {:.3e}",
            self.compared, self.max_rel
        );
        if !self.diffs.is_empty() {
            bail!(
                "{label} differs from the reference ({} of {}):\n{}",
                self.diffs.len(),
                self.compared,
                self.diffs.join("\n")
            );
        }
        Ok(())
    }
}

fn rows_by_id(r: &AnalysisResult) -> BTreeMap<&str, &serde_json::Map<String, Value>> {
    r.rows
        .iter()
        .filter_map(|row| Some((row.get("id")?.as_str()?, row)))
        .collect()
}

/// Runs one interpolation and compares it with the golden columns `{prefix}_…`.
fn interpolate_matches_tobler(
    source: &str,
    allocate_total: bool,
    prefix: &str,
) -> Result<Option<AnalysisResult>> {
    let Some(p) = project() else { return Ok(None) };
    let r = analysis::run(
        p,
        "interpolate",
        json!({
            "source": source,
            "target": "kelurahan",
            "extensive": ["TOTAL_POPULATION"],
            "intensive": ["male_share"],
            "allocate_total": allocate_total,
        }),
    )?;
    let want = golden("real_interpolate_kelurahan.csv")?;
    let got = rows_by_id(&r);
    ensure!(
        got.len() == want.len() && want.len() == 156,
        "{} kelurahan in tepat's result, {} in the golden",
        got.len(),
        want.len()
    );
    let mut a = Agreement::default();
    for (id, w) in &want {
        let row = got
            .get(id.as_str())
            .with_context(|| format!("no row {id}"))?;
        for field in ["TOTAL_POPULATION", "male_share"] {
            let col = format!("{prefix}_{field}");
            a.cell(&format!("{id} {field}"), &w[&col], row.get(field))?;
        }
    }
    a.finish(&format!(
        "interpolate {source} → kelurahan (allocate_total {allocate_total})"
    ))?;
    Ok(Some(r))
}

#[test]
fn real_city_interpolate_kota_matches_tobler() -> Result<()> {
    let Some(r) = interpolate_matches_tobler("kecamatan_kota", true, "kota")? else {
        return Ok(());
    };
    // With allocate_total every counted person of the two cities lands in a kelurahan:
    // SP2010 Manado 408,354 + Bitung 187,932 (SOURCE.md).
    let total = r.summary["target_total_TOTAL_POPULATION"]
        .as_f64()
        .context("target total")?;
    assert!((total - 596_286.0).abs() < 596_286.0 * REL, "{total}");
    assert_eq!(r.summary["source_total_TOTAL_POPULATION"], 596_286.0);
    // 71.71.10 and 71.71.11 were split off Bunaken and Tikala after 2010: no row.
    assert_eq!(
        r.summary["joined"]["TOTAL_POPULATION"],
        json!({"table": "penduduk_kota", "key": "kode_kemendagri_2025", "sources_without_row": 2})
    );
    // Lembeh Selatan, Aertembaga, Lembeh Utara: islets stored inside their mainland.
    assert_eq!(
        r.summary["overlapping_parts_unioned"],
        json!({"source": 3, "target": 0})
    );
    assert!(r.meta.layers.contains_key("penduduk_kota"));
    Ok(())
}

#[test]
fn real_city_interpolate_province_matches_tobler() -> Result<()> {
    let Some(r) = interpolate_matches_tobler("kecamatan", false, "sulut")? else {
        return Ok(());
    };
    assert_eq!(
        r.summary["overlapping_parts_unioned"],
        json!({"source": 8, "target": 0})
    );
    // 117 rows carry a code; 171 − 117 kecamatan have none.
    assert_eq!(
        r.summary["joined"]["male_share"]["sources_without_row"],
        json!(54)
    );
    Ok(())
}

#[test]
fn real_city_interpolate_names_a_missing_field() -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let e = analysis::run(
        p,
        "interpolate",
        json!({"source": "kecamatan", "target": "kelurahan", "extensive": ["POPULASI"]}),
    )
    .expect_err("no such field");
    let m = e.to_string();
    assert!(
        m.contains("field 'POPULASI' is not in layer 'kecamatan'") && m.contains("'penduduk'"),
        "{m}"
    );
    Ok(())
}

#[test]
fn real_city_exposure_matches_geopandas() -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let r = analysis::run(
        p,
        "exposure",
        json!({
            "zones": "kelurahan",
            "hazard": "banjir",
            "class_field": "kelas",
            "classes": ["rendah", "tinggi"],
            "population": {"layer": "ghs", "field": "pop"},
            "facilities": "faskes",
        }),
    )?;
    let mut want = golden("real_exposure_manado.csv")?;
    let total = want.remove("__total__").context("no __total__ row")?;
    ensure!(
        want.len() >= 10,
        "the scenario should cross several kelurahan"
    );
    let got = rows_by_id(&r);
    ensure!(got.len() == 156, "{} kelurahan rows", got.len());
    let facilities = |row: &serde_json::Map<String, Value>| -> String {
        let mut ids: Vec<&str> = row["facilities_exposed"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids.join(" ")
    };
    let mut a = Agreement::default();
    let mut other = Vec::new();
    for (id, row) in &got {
        let Some(w) = want.get(*id) else {
            // GeoPandas found no hazard, exposed person or facility here: neither may tepat.
            let h = row["hazard_area_m2"].as_f64().unwrap_or(f64::NAN);
            let e = row["exposed_population"].as_f64().unwrap_or(f64::NAN);
            if !(h.abs() <= ABS && e.abs() <= ABS && facilities(row).is_empty()) {
                other.push(format!(
                    "{id}: hazard {h} m², exposed {e}, facilities '{}'",
                    facilities(row)
                ));
            }
            continue;
        };
        for col in [
            "area_m2",
            "hazard_area_m2_rendah",
            "hazard_area_m2_tinggi",
            "population",
            "exposed_population_rendah",
            "exposed_population_tinggi",
        ] {
            a.cell(&format!("{id} {col}"), &w[col], row.get(col))?;
        }
        if facilities(row) != w["facilities_exposed"] {
            other.push(format!(
                "{id}: facilities '{}', reference '{}'",
                facilities(row),
                w["facilities_exposed"]
            ));
        }
    }
    let s = &r.summary;
    let t = |c: &str| -> Result<f64> { Ok(total[c].parse()?) };
    a.num(
        "total hazard area",
        t("area_m2")?,
        s["hazard_area_m2"].as_f64(),
    );
    a.num(
        "hazard area in kelurahan",
        t("hazard_area_m2_rendah")? + t("hazard_area_m2_tinggi")?,
        s["hazard_area_in_zones_m2"].as_f64(),
    );
    a.num(
        "population in kelurahan",
        t("population")?,
        s["population"].as_f64(),
    );
    for c in ["rendah", "tinggi"] {
        let col = format!("exposed_population_{c}");
        a.num(&col, t(&col)?, s[&col].as_f64());
    }
    assert!(other.is_empty(), "{}", other.join("\n"));
    a.finish("exposure kelurahan × banjir_manado_scenario")?;
    assert_eq!(
        s["facilities_exposed"],
        json!(total["facilities_exposed"].parse::<u64>()?)
    );
    assert_eq!(s["unclassified_hazard_features"], 0);
    Ok(())
}

/// The targeting chain on the real city: kelurahan of Manado and Bitung ranked by the share
/// of their people in the flood scenario (`exposure`, people from GHS-POP points) and the
/// mean distance of their people to the nearest puskesmas (`access`, Kemenkes 2019), both run
/// as inputs of `index`. The ranking is recomputed here by hand from the two analyses run on
/// their own: min-max normalisation, weights 0.6 / 0.4, competition ranks.
#[test]
fn real_city_index_ranks_kelurahan_by_flood_share_and_distance() -> Result<()> {
    let Some(p) = project() else { return Ok(()) };
    let exposure = json!({
        "zones": "kelurahan", "hazard": "banjir", "class_field": "kelas",
        "classes": ["rendah", "tinggi"], "population": {"layer": "ghs", "field": "pop"},
    });
    let access = json!({
        "demand": "ghs", "facilities": "faskes", "kind": ["PUSKESMAS"],
        "method": "nearest", "zones": "kelurahan",
    });
    let r = analysis::run(
        p,
        "index",
        json!({
            "zones": "kelurahan",
            "inputs": {
                "banjir": {"analysis": "exposure", "params": exposure},
                "akses": {"analysis": "access", "params": access},
            },
            "indicators": [
                {"name": "flood_share", "from": "banjir", "field": "exposed_population",
                 "per": "population", "weight": 0.6},
                {"name": "distance", "from": "akses", "field": "nearest_m", "weight": 0.4},
            ],
            "top_n": 10,
            "sensitivity": {"runs": 100, "spread": 0.2, "seed": 7},
        }),
    )?;
    ensure!(r.rows.len() == 156, "{} kelurahan rows", r.rows.len());

    // The raw values, from the analyses run on their own.
    let e = analysis::run(p, "exposure", exposure)?;
    let a = analysis::run(p, "access", access)?;
    let num = |v: &Value| v.as_f64();
    let mut share = BTreeMap::new();
    for row in &e.rows {
        let (x, pop) = (num(&row["exposed_population"]), num(&row["population"]));
        let s = match (x, pop) {
            (Some(x), Some(pop)) if pop > 0.0 => x / pop,
            _ => 0.0,
        };
        share.insert(row["id"].as_str().context("id")?.to_string(), s);
    }
    let mut dist = BTreeMap::new();
    for row in &a.rows {
        if let Some(d) = num(&row["nearest_m"]) {
            dist.insert(row["id"].as_str().context("id")?.to_string(), d);
        }
    }
    let median_dist = {
        let mut d: Vec<f64> = dist.values().copied().collect();
        d.sort_by(f64::total_cmp);
        let n = d.len();
        ensure!(n > 0, "distances");
        if n % 2 == 1 {
            d[n / 2]
        } else {
            (d[n / 2 - 1] + d[n / 2]) / 2.0
        }
    };
    ensure!(
        share.values().any(|s| *s > 0.1) && share.values().any(|s| *s == 0.0),
        "the scenario floods some kelurahan and not others"
    );
    let range = |m: &BTreeMap<String, f64>| {
        m.values()
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)))
    };
    let ((s0, s1), (d0, d1)) = (range(&share), range(&dist));
    let dist_mean = dist.values().sum::<f64>() / dist.len() as f64;
    let mut want_score = BTreeMap::new();
    for (id, s) in &share {
        // A kelurahan whose people have no distance (no GHS point in it) takes the mean.
        let d = dist.get(id).copied().unwrap_or(dist_mean);
        let score = 0.6 * (s - s0) / (s1 - s0) + 0.4 * (d - d0) / (d1 - d0);
        want_score.insert(id.clone(), score);
    }
    let mut a_ = Agreement::default();
    for row in &r.rows {
        let id = row["id"].as_str().context("id")?;
        let c = &row["contributions"];
        a_.num(
            &format!("{id} flood_share raw"),
            share[id],
            num(&c["flood_share"]["raw"]),
        );
        let score = num(&row["score"]).context("score")?;
        let sum: f64 = c
            .as_object()
            .context("contributions")?
            .values()
            .filter_map(|v| num(&v["contribution"]))
            .sum();
        ensure!(
            (sum - score).abs() < 1e-12,
            "{id}: contributions {sum} ≠ score {score}"
        );
        if dist.contains_key(id) {
            a_.num(
                &format!("{id} distance raw"),
                dist[id],
                num(&c["distance"]["raw"]),
            );
            a_.num(&format!("{id} score"), want_score[id], Some(score));
        }
        // Competition rank: 1 + the number of strictly higher scores.
        let rank = row["rank"].as_u64().context("rank")?;
        let higher = r
            .rows
            .iter()
            .filter(|o| num(&o["score"]).is_some_and(|s| s > score))
            .count() as u64;
        ensure!(
            rank == higher + 1,
            "{id}: rank {rank}, {higher} higher scores"
        );
        let (lo, hi) = (row["rank_low"].as_u64(), row["rank_high"].as_u64());
        ensure!(lo <= Some(rank) && Some(rank) <= hi, "{id}: rank interval");
        if rank <= 3 {
            let reasons = row["reasons"].as_array().context("reasons")?;
            ensure!(!reasons.is_empty(), "{id}: a top kelurahan says why");
            for why in reasons {
                ensure!(why["id"].as_str().is_some_and(|s| !s.is_empty()));
                ensure!(why["en"].as_str().is_some_and(|s| !s.is_empty()));
                // A reason points to need: the distance is only a reason when it is longer
                // than the city's median.
                if why["indicator"] == "distance" {
                    let d = *dist
                        .get(id)
                        .context("distance of a zone it is a reason for")?;
                    ensure!(
                        d > median_dist,
                        "{id}: distance {d} m given as a reason, median {median_dist} m"
                    );
                }
            }
        }
    }
    a_.finish("index on the real city")?;
    ensure!(r.summary["top"].as_array().map(Vec::len) == Some(10));
    Ok(())
}
