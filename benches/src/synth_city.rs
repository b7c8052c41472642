//! A synthetic city of any size, for the analyses' benches (`benches/analyses.rs`) and their
//! peer comparison (`benches/peers/analyses.py`, through the `synth_city` and
//! `peer_analyses` bins).
//!
//! Everything is drawn over the square `[0, SIDE]²` of [`crate::polygons`] and then moved to
//! a plausible EPSG:32651 (UTM 51N) position, around Manado: `+`[`EAST0`] E, `+`[`NORTH0`] N.
//! The shift keeps the dyadic trick of the crate: vertices stay on the 2⁻¹⁰ m lattice and
//! below 2²⁰ m, so every coordinate is an exact double whose decimal form has at most 16
//! significant digits (6 before the point, 10 after), and every tool reads the same doubles.
//!
//! | layer | role | what |
//! | --- | --- | --- |
//! | `kelurahan` | zones | `zones` cells of [`crate::polygons`]: `kode`, `population`, `households`, `poor_households` |
//! | `blok_sensus` | demand | a coarser tiling (`zones / 10` cells, another seed): extensive `population`, intensive `rate` |
//! | `banjir` | hazard | undissolved cells of three more tilings, one per `depth_class` (`rendah` < `sedang` < `tinggi`), picked along two meandering river valleys; cells of different classes overlap, so the highest-class-wins rule does real work |
//! | `puskesmas` | facilities | `zones / 20` points with `kind` and `capacity` |
//!
//! [`SynthCity::project`] gives the in-memory project (no file round trip), and
//! [`SynthCity::write`] a project folder (GeoJSON with a legacy `crs` member naming
//! EPSG:32651, so the coordinates are written as generated, plus `tepat.toml`).
//! [`params`] holds the analyses' params the benches and the peer comparison run.

use crate::{polygons, q_vertex, SIDE};
use anyhow::{Context, Result};
use geo::{Centroid, Coord, Geometry, MapCoords, Point, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Column, Layer, Role, Value};
use tepat_engine::project::{LayerSpec, Project};

/// False easting added to the generated coordinates (m).
pub const EAST0: f64 = 700_000.0;
/// False northing added to the generated coordinates (m).
pub const NORTH0: f64 = 150_000.0;
/// EPSG code of the coordinates (WGS 84 / UTM zone 51N).
pub const EPSG: u32 = 32651;
/// The seed the benches and the peer comparison use.
pub const SEED_CITY: u64 = 51_651;
/// Hazard classes, lowest first.
pub const CLASSES: [&str; 3] = ["rendah", "sedang", "tinggi"];
/// Half-width (m) of the valley band of each class: a hazard cell whose centroid lies
/// closer than this to a river's centreline is in the class.
const BAND_M: [f64; 3] = [2_200.0, 1_300.0, 600.0];
/// Zones per hazard cell of each class's tiling (coarser for the lower classes).
const ZONES_PER_HAZARD_CELL: [usize; 3] = [40, 20, 10];
/// Zones per census block (`blok_sensus`).
pub const ZONES_PER_BLOCK: usize = 10;
/// Zones per facility (`puskesmas`).
pub const ZONES_PER_FACILITY: usize = 20;

/// A generated city: its layers (in EPSG:32651) with their `tepat.toml` entries.
#[derive(Debug, Clone)]
pub struct SynthCity {
    /// Display name.
    pub name: String,
    /// Layers with their project entries, in project order.
    pub layers: Vec<(LayerSpec, Layer)>,
}

fn spec(name: &str, role: Role, id: &str) -> LayerSpec {
    LayerSpec {
        name: name.to_string(),
        role: role.as_str().to_string(),
        path: PathBuf::from(format!("{name}.geojson")),
        id: Some(id.to_string()),
        crs: Some(format!("EPSG:{EPSG}")),
        ..LayerSpec::default()
    }
}

fn shift(p: &Polygon) -> Polygon {
    p.map_coords(|c| Coord {
        x: c.x + EAST0,
        y: c.y + NORTH0,
    })
}

fn ints(name: &str, v: impl IntoIterator<Item = i64>) -> Column {
    Column::from_values(name, v.into_iter().map(Value::Int).collect())
}

fn texts(name: &str, v: impl IntoIterator<Item = String>) -> Column {
    Column::from_values(name, v.into_iter().map(Value::Text).collect())
}

fn layer(spec: &LayerSpec, role: Role, geoms: Vec<Geometry>, cols: Vec<Column>) -> Result<Layer> {
    let mut l = Layer::new(
        spec.name.clone(),
        role,
        Some(Crs::Epsg(EPSG)),
        geoms.into_iter().map(Some).collect(),
        cols,
    )
    .with_context(|| format!("building layer {}", spec.name))?;
    if let Some(id) = &spec.id {
        l.set_id_field(id)?;
    }
    Ok(l)
}

/// Distance (m, in square coordinates) from `c` to the nearer of the two river centrelines:
/// one running west–east, one south–north, both meandering. (The distance across the line,
/// not the true distance to a curve: good enough for a valley.)
fn to_river(c: Coord) -> f64 {
    use std::f64::consts::TAU;
    let y1 = 0.55 * SIDE + 3_000.0 * (TAU * c.x / 9_000.0).sin();
    let x2 = 0.3 * SIDE + 2_000.0 * (TAU * c.y / 7_000.0 + 1.0).sin();
    (c.y - y1).abs().min((c.x - x2).abs())
}

/// The city with `zones` kelurahan, from `seed` (the same inputs give the same city).
pub fn synth_city(zones: usize, seed: u64) -> Result<SynthCity> {
    anyhow::ensure!(zones >= 40, "a synthetic city needs at least 40 zones");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut layers = Vec::new();

    // Kelurahan: people, households, poor households.
    let cells = polygons(zones, seed ^ 0x6b65_6c75);
    let n = cells.len();
    let mut pop = Vec::with_capacity(n);
    let mut hh = Vec::with_capacity(n);
    let mut poor = Vec::with_capacity(n);
    for _ in 0..n {
        let p: i64 = rng.random_range(300..=4_000);
        let h = (p as f64 / rng.random_range(3.3..4.2)).round() as i64;
        pop.push(p);
        hh.push(h);
        poor.push((h as f64 * rng.random_range(0.03..0.35)).round() as i64);
    }
    let mut s = spec("kelurahan", Role::Zones, "kode");
    s.population = Some("population".into());
    let l = layer(
        &s,
        Role::Zones,
        cells.iter().map(|p| shift(p).into()).collect(),
        vec![
            texts("kode", (1..=n).map(|i| format!("K{i:06}"))),
            ints("population", pop),
            ints("households", hh),
            ints("poor_households", poor),
        ],
    )?;
    layers.push((s, l));

    // Census blocks: a coarser tiling carrying a count and a rate (thousandths, so the
    // decimal text is what both sides parse).
    let blocks = polygons((zones / ZONES_PER_BLOCK).max(4), seed ^ 0x626c_6f6b);
    let nb = blocks.len();
    let bpop: Vec<i64> = (0..nb).map(|_| rng.random_range(500..=20_000)).collect();
    let rate: Vec<Value> = (0..nb)
        .map(|_| Value::Float(rng.random_range(0..=1_000) as f64 / 1_000.0))
        .collect();
    let mut s = spec("blok_sensus", Role::Demand, "kode");
    s.population = Some("population".into());
    let l = layer(
        &s,
        Role::Demand,
        blocks.iter().map(|p| shift(p).into()).collect(),
        vec![
            texts("kode", (1..=nb).map(|i| format!("B{i:05}"))),
            ints("population", bpop),
            Column::from_values("rate", rate),
        ],
    )?;
    layers.push((s, l));

    // Flood hazard: per class, the cells of its own tiling whose centroid lies in the class's
    // valley band (9 in 10 of them, so there are holes), plus a few stray ponds.
    let mut geoms: Vec<Geometry> = Vec::new();
    let mut class = Vec::new();
    for (c, name) in CLASSES.iter().enumerate() {
        let m = (zones / ZONES_PER_HAZARD_CELL[c]).max(4);
        for p in polygons(m, seed ^ (0x6861_7a00 + c as u64)) {
            let Some(centre) = p.centroid() else { continue };
            let in_band = to_river(centre.0) < BAND_M[c];
            let keep = if in_band {
                rng.random_bool(0.9)
            } else {
                rng.random_bool(0.02)
            };
            if keep {
                geoms.push(shift(&p).into());
                class.push(name.to_string());
            }
        }
    }
    let nh = geoms.len();
    let mut s = spec("banjir", Role::Hazard, "kode");
    s.level = Some("depth_class".into());
    let l = layer(
        &s,
        Role::Hazard,
        geoms,
        vec![
            texts("kode", (1..=nh).map(|i| format!("H{i:06}"))),
            texts("depth_class", class),
        ],
    )?;
    layers.push((s, l));

    // Health centres, on the vertex lattice (distances only, so a point may sit anywhere).
    let k = (zones / ZONES_PER_FACILITY).max(2);
    let pts = crate::facilities(k, seed ^ 0x706b_6d00);
    let cap: Vec<i64> = (0..k).map(|_| rng.random_range(40..=80) * 500).collect();
    let mut s = spec("puskesmas", Role::Facilities, "kode");
    s.kind = Some("kind".into());
    s.capacity = Some("capacity".into());
    let l = layer(
        &s,
        Role::Facilities,
        pts.iter()
            .map(|c| Point::new(q_vertex(c.x) + EAST0, q_vertex(c.y) + NORTH0).into())
            .collect(),
        vec![
            texts("kode", (1..=k).map(|i| format!("P{i:05}"))),
            texts("kind", (0..k).map(|_| "puskesmas".to_string())),
            ints("capacity", cap),
        ],
    )?;
    layers.push((s, l));

    Ok(SynthCity {
        name: format!("Kota Sintetis ({zones} kelurahan)"),
        layers,
    })
}

impl SynthCity {
    /// The layer called `name`.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers
            .iter()
            .find(|(s, _)| s.name == name)
            .map(|(_, l)| l)
    }

    /// The city as an in-memory project (working CRS EPSG:32651).
    pub fn project(&self) -> Result<Project> {
        Ok(Project::from_layers(
            &self.name,
            Crs::Epsg(EPSG),
            self.layers.clone(),
        )?)
    }

    /// Writes the city into `dir` (created if needed): one GeoJSON file per layer, in
    /// EPSG:32651 (legacy `crs` member; both tepat and GDAL read it), and `tepat.toml`.
    /// Returns the path of `tepat.toml`.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut toml = format!(
            "# {}: tepat's synthetic benchmark city (benches/src/synth_city.rs).\n\
             name = \"{}\"\ncrs = \"EPSG:{EPSG}\"\n",
            self.name, self.name
        );
        for (spec, layer) in &self.layers {
            write_geojson(layer, &dir.join(&spec.path))?;
            let _ = write!(
                toml,
                "\n[[layers]]\nname = \"{}\"\nrole = \"{}\"\npath = \"{}\"\n",
                spec.name,
                spec.role,
                spec.path.display()
            );
            let fields = [
                ("id", &spec.id),
                ("crs", &spec.crs),
                ("kind", &spec.kind),
                ("capacity", &spec.capacity),
                ("population", &spec.population),
                ("level", &spec.level),
            ];
            for (k, v) in fields {
                if let Some(v) = v {
                    let _ = writeln!(toml, "{k} = \"{v}\"");
                }
            }
        }
        let path = dir.join("tepat.toml");
        std::fs::write(&path, toml).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// Writes a layer of polygons or points as GeoJSON, coordinates as they are (shortest
/// round-trip decimal) with a legacy `crs` member naming EPSG:32651.
fn write_geojson(layer: &Layer, path: &Path) -> Result<()> {
    let tmp = path.with_extension("geojson.part");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":{},\
         \"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::{EPSG}\"}}}},\
         \"features\":[",
        serde_json::to_string(&layer.name)?
    )?;
    let ring = |out: &mut String, r: &geo::LineString| {
        out.push('[');
        for (i, c) in r.coords().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{},{}]", c.x, c.y);
        }
        out.push(']');
    };
    let mut g = String::new();
    for i in 0..layer.len() {
        g.clear();
        match &layer.geometries[i] {
            Some(Geometry::Polygon(p)) => {
                g.push_str("{\"type\":\"Polygon\",\"coordinates\":[");
                ring(&mut g, p.exterior());
                for h in p.interiors() {
                    g.push(',');
                    ring(&mut g, h);
                }
                g.push_str("]}");
            }
            Some(Geometry::Point(p)) => {
                let _ = write!(
                    g,
                    "{{\"type\":\"Point\",\"coordinates\":[{},{}]}}",
                    p.x(),
                    p.y()
                );
            }
            None => g.push_str("null"),
            Some(other) => anyhow::bail!("write_geojson: unexpected geometry {other:?}"),
        }
        if i > 0 {
            w.write_all(b",\n")?;
        }
        write!(
            w,
            "{{\"type\":\"Feature\",\"properties\":{},\"geometry\":{g}}}",
            serde_json::Value::Object(layer.properties(i))
        )?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// The analyses' params the benches and the peer comparison run, on the demo city
/// (`tepat_datasets`) and on a [`SynthCity`]. `benches/peers/analyses.py` passes the same
/// ones to `peer_analyses` and mirrors them in its peers.
pub mod params {
    use serde_json::{json, Value};

    /// Catchment of `access` on the demo city (m).
    pub const DEMO_RADIUS_M: f64 = 3_000.0;
    /// Catchment of `access` on a synthetic city (m): about 30 facilities per zone.
    pub const SYNTH_RADIUS_M: f64 = 2_000.0;

    /// Demo: kelurahan in the Q25 flood, by depth class.
    pub fn demo_exposure() -> Value {
        json!({"zones": "kelurahan", "hazard": "banjir_q25", "class_field": "depth_class",
               "classes": ["rendah", "sedang", "tinggi"]})
    }

    /// Demo: kecamatan totals (and a rate) down to kelurahan, as the tobler golden.
    pub fn demo_interpolate() -> Value {
        json!({"source": "kecamatan", "target": "kelurahan", "extensive": ["population"],
               "intensive": ["households"]})
    }

    /// Demo: 2SFCA of the puskesmas for the kelurahan (at their centroids).
    pub fn demo_access() -> Value {
        json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "2sfca",
               "radius_m": DEMO_RADIUS_M})
    }

    /// Demo: a ranking from zone fields only.
    pub fn demo_index() -> Value {
        json!({"zones": "kelurahan",
               "indicators": [
                   {"field": "poor_households", "per": "households", "weight": 0.5},
                   {"field": "under5", "per": "population", "weight": 0.25},
                   {"field": "elderly", "per": "population", "weight": 0.25}],
               "sensitivity": {"runs": 200}})
    }

    /// Demo: the whole chain a planner reruns: exposure + access feeding the ranking.
    pub fn demo_chain() -> Value {
        json!({"zones": "kelurahan",
               "inputs": {
                   "banjir": {"analysis": "exposure", "params": demo_exposure()},
                   "akses": {"analysis": "access", "params": demo_access()}},
               "indicators": [
                   {"from": "banjir", "field": "poor_exposed_share", "weight": 0.5},
                   {"field": "poor_households", "per": "households", "weight": 0.3},
                   {"from": "akses", "field": "access", "direction": "higher_is_better",
                    "weight": 0.2}],
               "sensitivity": {"runs": 200}})
    }

    /// Synthetic city: kelurahan in the flood, the overlapping classes resolved.
    pub fn synth_exposure() -> Value {
        json!({"zones": "kelurahan", "hazard": "banjir", "class_field": "depth_class",
               "classes": super::CLASSES})
    }

    /// Synthetic city: census blocks down to kelurahan.
    pub fn synth_interpolate() -> Value {
        json!({"source": "blok_sensus", "target": "kelurahan", "extensive": ["population"],
               "intensive": ["rate"]})
    }

    /// Synthetic city: 2SFCA of the puskesmas for the kelurahan.
    pub fn synth_access() -> Value {
        json!({"demand": "kelurahan", "facilities": "puskesmas", "method": "2sfca",
               "radius_m": SYNTH_RADIUS_M})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, CoordsIter, MultiPolygon};

    #[test]
    fn layers_sizes_and_fields() -> Result<()> {
        let city = synth_city(2_000, 1)?;
        let kel = city.layer("kelurahan").context("kelurahan")?;
        assert_eq!(kel.len(), 2_000);
        assert_eq!(city.layer("blok_sensus").context("blok")?.len(), 200);
        assert_eq!(city.layer("puskesmas").context("pkm")?.len(), 100);
        for f in ["population", "households", "poor_households"] {
            kel.numeric_column(f)?;
        }
        let project = city.project()?;
        assert_eq!(project.layers.names().len(), 4);
        Ok(())
    }

    #[test]
    fn classes_overlap_and_cover_a_plausible_share() -> Result<()> {
        let city = synth_city(4_000, SEED_CITY)?;
        let h = city.layer("banjir").context("banjir")?;
        let col = h.column("depth_class")?;
        let mut by: Vec<Vec<Polygon>> = vec![Vec::new(); 3];
        for (i, g) in h.geometries.iter().enumerate() {
            let c = CLASSES
                .iter()
                .position(|n| Some(n.to_string()) == col.get(i).as_key())
                .context("class")?;
            if let Some(Geometry::Polygon(p)) = g {
                by[c].push(p.clone());
            }
        }
        let u: Vec<MultiPolygon> = by.iter().map(geo::unary_union).collect();
        let share = |m: &MultiPolygon| m.unsigned_area() / (SIDE * SIDE);
        // Lower classes cover more; every class is there.
        assert!(share(&u[0]) > 0.2 && share(&u[0]) < 0.6, "{}", share(&u[0]));
        assert!(share(&u[2]) > 0.03, "{}", share(&u[2]));
        // Classes overlap (else highest-class-wins would do nothing) but not entirely.
        let o = u[0].intersection(&u[2]).unsigned_area();
        assert!(o > 0.1 * u[2].unsigned_area() && o < u[2].unsigned_area());
        Ok(())
    }

    #[test]
    fn shifted_coordinates_print_exactly() -> Result<()> {
        let city = synth_city(200, 3)?;
        let exact = |v: f64| {
            let digits: String = v.to_string().chars().filter(char::is_ascii_digit).collect();
            (v * 1024.0).fract() == 0.0 && digits.len() <= 16 && v.to_string().parse() == Ok(v)
        };
        for (_, l) in &city.layers {
            for g in l.geometries.iter().flatten() {
                for c in g.coords_iter() {
                    assert!(exact(c.x) && exact(c.y), "{} {c:?}", l.name);
                    assert!(c.x >= EAST0 && c.x <= EAST0 + SIDE && c.y >= NORTH0);
                }
            }
        }
        Ok(())
    }

    #[test]
    fn written_project_loads_back_identically() -> Result<()> {
        let city = synth_city(200, 4)?;
        let dir = std::env::temp_dir().join(format!("tepat-synth-{}", std::process::id()));
        let toml = city.write(&dir)?;
        let back = Project::load(&toml)?;
        assert_eq!(back.crs, Crs::Epsg(EPSG));
        for (spec, l) in &city.layers {
            let b = back.layers.get(&spec.name)?;
            assert_eq!(b.ids, l.ids, "{}", spec.name);
            assert_eq!(b.geometries, l.geometries, "{}", spec.name);
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
