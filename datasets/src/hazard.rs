//! Flood zones for the 10-, 25- and 100-year floods, derived from the elevation model:
//! the water reaches a level per return period, and land below it floods, with the depth
//! class (`rendah` < 0.5 m, `sedang` 0.5–1.5 m, `tinggi` > 1.5 m) from the level minus the
//! ground. Every cell falls in one *band* between consecutive thresholds, so the zones of
//! all return periods and classes are unions of bands and nest exactly (Q10 ⊂ Q25 ⊂ Q100).

use crate::fields::{self, round_to};
use crate::grid::Grid;
use crate::terrain::Terrain;
use geo::{Area, Geometry};
use tepat_engine::layer::{Layer, Role};
use tepat_engine::project::LayerSpec;
use tepat_engine::Result;

/// Return periods (years) and the flood level each reaches (m above mean sea level).
pub(crate) const RETURN_PERIODS: [(u32, f64); 3] = [(10, 1.8), (25, 2.5), (100, 3.4)];

/// Depth classes: name and depth range (m).
pub(crate) const DEPTH_CLASSES: [(&str, f64, f64); 3] = [
    ("rendah", 0.0, 0.5),
    ("sedang", 0.5, 1.5),
    ("tinggi", 1.5, f64::INFINITY),
];

/// The flood band of every city cell.
#[derive(Debug, Clone)]
pub(crate) struct Floods {
    /// Band per cell: the number of thresholds at or below the ground (0 = deepest water).
    pub band: Vec<u8>,
    /// The thresholds (ground levels where a zone or class begins), ascending.
    levels: Vec<f64>,
}

impl Floods {
    /// Bands the city cells by elevation; lone cells take their neighbours' band.
    pub(crate) fn new(grid: &Grid, terrain: &Terrain, city: &[bool]) -> Floods {
        let mut levels: Vec<f64> = RETURN_PERIODS
            .iter()
            .flat_map(|&(_, t)| DEPTH_CLASSES.iter().map(move |&(_, lo, _)| t - lo))
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        let mut band: Vec<u8> = terrain
            .elevation
            .iter()
            .map(|&z| levels.iter().filter(|&&l| l <= z).count() as u8)
            .collect();
        for k in 0..grid.len() {
            if !city[k] || !grid.neighbours4(k).all(|m| city[m]) {
                continue;
            }
            let mut around = grid.neighbours4(k).map(|m| band[m]);
            let first = around.next();
            if let Some(b) = first {
                if b != band[k] && around.all(|x| x == b) {
                    band[k] = b;
                }
            }
        }
        Floods { band, levels }
    }

    /// Number of distinct bands.
    pub(crate) fn n_bands(&self) -> u32 {
        self.levels.len() as u32 + 1
    }

    fn level_index(&self, v: f64) -> u8 {
        self.levels.iter().filter(|&&l| l < v).count() as u8
    }

    /// Whether a cell in band `b` floods to a depth in `(lo, hi]` when the water reaches
    /// `level` (`lo` and `hi` from [`DEPTH_CLASSES`], `level` from [`RETURN_PERIODS`]).
    pub(crate) fn in_class(&self, b: u8, level: f64, lo: f64, hi: f64) -> bool {
        // Depth in (lo, hi]  <=>  ground in [level - hi, level - lo).
        let upper = self.level_index(level - lo); // band <= upper: ground below level - lo
        let lower = if hi.is_finite() {
            self.level_index(level - hi) + 1 // band > that: ground at or above level - hi
        } else {
            0
        };
        b >= lower && b <= upper
    }

    /// Whether a cell in band `b` floods in the flood reaching `level`.
    pub(crate) fn floods(&self, b: u8, level: f64) -> bool {
        self.in_class(b, level, 0.0, f64::INFINITY)
    }
}

/// Polygons of the cells whose flood band passes a test (see [`Floods::in_class`]).
pub(crate) type BandPolygons<'a> = dyn Fn(&dyn Fn(u8) -> bool) -> Result<Option<Geometry>> + 'a;

/// The hazard layers `banjir_q10`, `banjir_q25`, `banjir_q100`: one feature per depth class.
pub(crate) fn layers(floods: &Floods, polygons: &BandPolygons) -> Result<Vec<(LayerSpec, Layer)>> {
    let mut out = Vec::new();
    for &(rp, level) in &RETURN_PERIODS {
        let name = format!("banjir_q{rp}");
        let mut spec = fields::spec(&name, Role::Hazard, &format!("{name}.geojson"));
        spec.id = Some("kode".into());
        spec.level = Some("return_period".into());
        let (mut geoms, mut kode, mut class, mut dmin, mut area) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &(cls, lo, hi) in &DEPTH_CLASSES {
            let Some(g) = polygons(&|b| floods.in_class(b, level, lo, hi))? else {
                continue;
            };
            area.push(round_to(g.unsigned_area() / 1e4, 2));
            geoms.push(Some(g));
            kode.push(format!("Q{rp}-{cls}"));
            class.push(cls);
            dmin.push(lo);
        }
        let n = geoms.len();
        let columns = vec![
            fields::text("kode", kode),
            fields::int("return_period", vec![i64::from(rp); n]),
            fields::text("depth_class", class),
            fields::float("depth_min_m", dmin),
            fields::float("luas_ha", area),
        ];
        out.push((
            spec.clone(),
            fields::layer(&spec, Role::Hazard, geoms, columns)?,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floods() -> Floods {
        let mut levels: Vec<f64> = RETURN_PERIODS
            .iter()
            .flat_map(|&(_, t)| DEPTH_CLASSES.iter().map(move |&(_, lo, _)| t - lo))
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        Floods {
            band: Vec::new(),
            levels,
        }
    }

    #[test]
    fn classes_partition_each_flood_and_floods_nest() {
        let f = floods();
        let band_of = |z: f64| f.levels.iter().filter(|&&l| l <= z).count() as u8;
        for i in 0..600 {
            let z = -1.0 + i as f64 * 0.01;
            let b = band_of(z);
            for &(_, level) in &RETURN_PERIODS {
                let classes = DEPTH_CLASSES
                    .iter()
                    .filter(|&&(_, lo, hi)| f.in_class(b, level, lo, hi))
                    .count();
                assert_eq!(classes, usize::from(z < level), "z {z} level {level}");
                let depth = level - z;
                for &(name, lo, hi) in &DEPTH_CLASSES {
                    if f.in_class(b, level, lo, hi) {
                        assert!(depth > lo - 1e-9 && depth <= hi + 1e-9, "{name} z {z}");
                    }
                }
            }
            let q: Vec<bool> = RETURN_PERIODS
                .iter()
                .map(|&(_, l)| f.floods(b, l))
                .collect();
            assert!((!q[0] || q[1]) && (!q[1] || q[2]), "z {z}: {q:?}");
        }
    }
}
