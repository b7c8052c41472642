//! tepat-datasets: *Kota Demo*, a seeded, deterministic demo city for tepat.
//!
//! A coastal Indonesian city on Manado Bay (around 124.85° E, 1.48° N), in the working CRS
//! EPSG:32651 (UTM 51N): about 15 km × 12 km of land with the sea to the west and a river
//! from the eastern hills to the bay. [`demo_city`] builds it in memory:
//!
//! | layer | role | what |
//! | --- | --- | --- |
//! | `daratan` | context | the land inside the city limits |
//! | `kecamatan` | zones | ~10 districts tiling the land, BPS codes `7179010`, … |
//! | `kelurahan` | zones | ~80 wards tiling their kecamatan, `7179010001`, …, with population (~450,000), households, poor households, under-fives, elderly |
//! | `statistik` | table | a BPS-style sheet per kelurahan, joined by `kode` |
//! | `banjir_q10`, `banjir_q25`, `banjir_q100` | hazard | nested flood zones by depth class, from the elevation model |
//! | `puskesmas`, `rumah_sakit`, `sekolah` | facilities | ~15 health centres, 3 hospitals, ~250 schools (SD/SMP/SMA) |
//! | `jalan` | network | arteri / kolektor / lokal streets |
//! | `pengaduan` | events | ~5,000 citizen complaints in 2025 |
//! | `sungai` | context | the river |
//! | `elevasi` | raster | 50 m elevation model |
//!
//! Everything is drawn on one 50 m grid and then turned into polygons by tracing the
//! boundaries between labelled cells once for all layers, so zones share their edges
//! exactly, kelurahan tile their kecamatan, and flood zones nest exactly.
//! The same seed gives the same city, bit for bit.

mod coast;
mod complaints;
mod facilities;
mod fields;
mod grid;
mod hazard;
mod names;
mod noise;
mod partition;
mod population;
mod roads;
mod sample;
mod terrain;
mod write;
mod zones;

use crate::coast::Coast;
use crate::grid::Grid;
use crate::hazard::{Floods, RETURN_PERIODS};
use crate::partition::Partition;
use crate::terrain::Terrain;
use crate::zones::{Exposure, Zones};
use geo::{BooleanOps, Euclidean, Geometry, Length, MultiLineString};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use tepat_engine::crs::Crs;
use tepat_engine::layer::{Layer, Raster, Role};
use tepat_engine::project::{LayerSpec, Project};
use tepat_engine::{Error, Result};

/// The seed of the demo city that `tepat serve` and `tepat demo` use.
pub const DEMO_SEED: u64 = 7171;

/// The demo city's name.
pub const CITY_NAME: &str = "Kota Demo";

/// EPSG code of the working CRS (WGS 84 / UTM zone 51N).
pub(crate) const EPSG: u32 = 32651;

/// BPS code of the city (kabupaten/kota level).
pub(crate) const KOTA_CODE: &str = "7179";

/// A generated city: its layers (with their `tepat.toml` entries) and rasters, all in
/// the working CRS.
#[derive(Debug, Clone)]
pub struct DemoCity {
    /// Display name ("Kota Demo").
    pub name: String,
    /// Working CRS (EPSG:32651).
    pub crs: Crs,
    /// Vector and table layers with their project entries, in project order.
    pub layers: Vec<(LayerSpec, Layer)>,
    /// Rasters by name (`elevasi`).
    pub rasters: Vec<(String, Raster)>,
}

impl DemoCity {
    /// The layer called `name`.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers
            .iter()
            .find(|(s, _)| s.name == name)
            .map(|(_, l)| l)
    }
}

/// An independent random stream per part of the city, so changing one part leaves the
/// others as they were.
fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

fn geometry_error(layer: &str, message: String) -> Error {
    Error::Geometry {
        layer: layer.to_string(),
        feature: None,
        message,
    }
}

/// Generates the demo city for `seed` (deterministic: the same seed gives the same data).
pub fn demo_city(seed: u64) -> Result<DemoCity> {
    let grid = Grid::DEMO;
    let coast = Coast::generate(&grid, seed, &mut rng(seed, 1));
    let river_line = coast.river(&grid, seed, &mut rng(seed, 2));
    let terrain = Terrain::generate(&grid, &coast, &river_line, seed);
    let density = population::density(&grid, &coast, &terrain, seed);
    let zones = Zones::generate(
        &grid,
        &coast.city,
        &density,
        coast.centre,
        seed,
        &mut rng(seed, 3),
    );
    let floods = Floods::new(&grid, &terrain, &coast.city);

    // One partition for everything: labels are (kelurahan, flood band) pairs.
    let nb = floods.n_bands();
    let product: Vec<u32> = (0..grid.len())
        .map(|k| match zones.kel[k] {
            0 => 0,
            kel => (kel - 1) * nb + u32::from(floods.band[k]) + 1,
        })
        .collect();
    let partition = Partition::new(&grid, product);
    let kel_of = |p: u32| (p - 1) / nb + 1;
    let band_of = |p: u32| ((p - 1) % nb) as u8;
    let first = |v: Vec<Option<Geometry>>| v.into_iter().next().flatten();
    let land = partition
        .polygons(|_| 1, 1)
        .map(first)
        .map_err(|e| geometry_error("daratan", e))?
        .ok_or_else(|| geometry_error("daratan", "the city has no land".into()))?;
    let kec_polys = partition
        .polygons(|p| zones.kel_kec[(kel_of(p) - 1) as usize], zones.n_kec)
        .map_err(|e| geometry_error("kecamatan", e))?;
    let kel_polys = partition
        .polygons(kel_of, zones.n_kel)
        .map_err(|e| geometry_error("kelurahan", e))?;
    let flood_polygons = |pred: &dyn Fn(u8) -> bool| -> Result<Option<Geometry>> {
        partition
            .polygons(|p| u32::from(pred(band_of(p))), 1)
            .map(first)
            .map_err(|e| geometry_error("banjir", e))
    };

    // People.
    let (q25, q100) = (RETURN_PERIODS[1].1, RETURN_PERIODS[2].1);
    let in_city = |k: usize| zones.kel[k] != 0;
    let flood25: Vec<bool> = (0..grid.len())
        .map(|k| in_city(k) && floods.floods(floods.band[k], q25))
        .collect();
    let flood100: Vec<bool> = (0..grid.len())
        .map(|k| in_city(k) && floods.floods(floods.band[k], q100))
        .collect();
    let mut exposure = Exposure {
        density: vec![0.0; zones.n_kel],
        flooded: vec![0.0; zones.n_kel],
        coastal: vec![0.0; zones.n_kel],
    };
    let mut cells = vec![0.0f64; zones.n_kel];
    for k in (0..grid.len()).filter(|&k| in_city(k)) {
        let i = zones.kel[k] as usize - 1;
        cells[i] += 1.0;
        exposure.density[i] += density[k];
        exposure.flooded[i] += f64::from(u8::from(flood25[k]));
        exposure.coastal[i] += f64::from(u8::from(terrain.to_coast[k] < 1_000.0));
    }
    for (i, c) in cells.iter().enumerate() {
        exposure.flooded[i] /= c.max(1.0);
        exposure.coastal[i] /= c.max(1.0);
    }
    let mut people_rng = rng(seed, 4);
    let total: i64 = 450_000 + people_rng.random_range(-6_000..=6_000);
    let people = zones::households(&exposure, total as usize, &mut people_rng);
    let zl = zones::layers(&zones, kec_polys, kel_polys, &people, &mut rng(seed, 5))?;

    // Facilities, roads, complaints.
    let interior_kel = sample::interior(
        &grid,
        |k, m| zones.kel[m] == zones.kel[k],
        |k| zones.kel[k] != 0 && terrain.to_river[k] > 40.0,
    );
    let interior_land = sample::interior(&grid, |_, m| coast.city[m], |k| coast.city[k]);
    let kel_layer = &zl.kelurahan.1;
    let text_column = |name: &str| -> Result<Vec<String>> {
        let c = kel_layer.column(name)?;
        Ok((0..kel_layer.len())
            .map(|i| c.get(i).as_key().unwrap_or_default())
            .collect())
    };
    let (kel_codes, kel_names) = (text_column("kode")?, text_column("nama")?);
    let sites = facilities::Sites {
        grid: &grid,
        zones: &zones,
        density: &density,
        interior: &interior_kel,
        kel_codes: &kel_codes,
        kel_names: &kel_names,
        people: &people,
    };
    let facility_layers = facilities::layers(&sites, &mut rng(seed, 6))?;
    let ground = roads::Ground {
        grid: &grid,
        land: &interior_land,
        density: &density,
        river: &river_line,
        centre: coast.centre,
    };
    let jalan = roads::layer(&ground, seed, &mut rng(seed, 7))?;
    let sources = complaints::Sources {
        grid: &grid,
        land: &interior_land,
        density: &density,
        flood25: &flood25,
        flood100: &flood100,
        to_river: &terrain.to_river,
    };
    let pengaduan = complaints::layer(&sources, &mut rng(seed, 8))?;

    // Context: the land and the river on it.
    let mut spec = fields::spec("daratan", Role::Context, "daratan.geojson");
    spec.id = Some("kode".into());
    let area = geo::Area::unsigned_area(&land);
    let daratan = fields::layer(
        &spec,
        Role::Context,
        vec![Some(land.clone())],
        vec![
            fields::text("kode", [KOTA_CODE]),
            fields::text("nama", [CITY_NAME]),
            fields::float("luas_km2", [fields::round_to(area / 1e6, 2)]),
        ],
    )?;
    let daratan = (spec, daratan);
    let river_on_land = match &land {
        Geometry::Polygon(p) => p.clip(&MultiLineString(vec![river_line.clone()]), false),
        Geometry::MultiPolygon(m) => m.clip(&MultiLineString(vec![river_line.clone()]), false),
        _ => MultiLineString(vec![]),
    };
    let river = river_on_land
        .0
        .into_iter()
        .max_by(|a, b| Euclidean.length(a).total_cmp(&Euclidean.length(b)))
        .ok_or_else(|| geometry_error("sungai", "the river misses the land".into()))?;
    let spec = fields::spec("sungai", Role::Context, "sungai.geojson");
    let sungai = fields::layer(
        &spec,
        Role::Context,
        vec![Some(Geometry::LineString(river.clone()))],
        vec![
            fields::text("nama", ["Sungai Kuala Demo"]),
            fields::float("panjang_m", [fields::round_to(Euclidean.length(&river), 1)]),
        ],
    )?;
    let sungai = (spec, sungai);

    let mut layers = vec![daratan, zl.kecamatan, zl.kelurahan, zl.statistik];
    layers.extend(hazard::layers(&floods, &flood_polygons)?);
    layers.extend(facility_layers);
    layers.push(jalan);
    layers.push(pengaduan);
    layers.push(sungai);
    Ok(DemoCity {
        name: CITY_NAME.to_string(),
        crs: Crs::Epsg(EPSG),
        layers,
        rasters: vec![("elevasi".to_string(), terrain.raster(&grid))],
    })
}

/// The demo city ([`DEMO_SEED`]) as a project: its layers, its rasters, and the raster
/// entries in `specs` (as `tepat.toml` would list them).
pub fn demo_project() -> Result<Project> {
    let city = demo_city(DEMO_SEED)?;
    let mut project = Project::from_layers(&city.name, city.crs.clone(), city.layers)?;
    for (name, raster) in city.rasters {
        project.specs.push(write::raster_spec(&name));
        project.layers.insert_raster(name, raster);
    }
    Ok(project)
}

/// Writes the demo city ([`DEMO_SEED`]) into `dir` — GeoJSON layers (EPSG:4326), the
/// statistics sheet as CSV, the elevation model as `elevasi.asc` + `elevasi.prj`, and
/// `tepat.toml` (working CRS EPSG:32651) — and returns the path of `tepat.toml`.
pub fn write_demo(dir: &Path) -> Result<PathBuf> {
    write::write_city(&demo_city(DEMO_SEED)?, dir)
}
